package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/vanthu/vanthu/assets"
)

// Kind says why a date is in the holiday table.
type Kind string

// Kinds of table rows. Every kind but Workday is a day off.
const (
	Holiday      Kind = "holiday"      // a public holiday
	Compensatory Kind = "compensatory" // nghỉ bù: in lieu of a holiday on a weekend
	Swap         Kind = "swap"         // hoán đổi: a working day given off, made up on a Saturday
	Workday      Kind = "workday"      // a Saturday or Sunday worked (làm bù), or a cancelled holiday
)

// Entry is one row of a holiday table.
type Entry struct {
	Date Date   `json:"date"`
	Kind Kind   `json:"kind"`
	Name string `json:"name"`
}

// Off reports whether the entry makes its date a day off.
func (e Entry) Off() bool { return e.Kind != Workday }

// OverrideFile is the name of the user's holiday table in the data folder.
const OverrideFile = "holidays.csv"

// maxOffRun bounds the search for the next working day: no table may
// leave more days off in a row (Tết with its weekends is 9 or 10).
const maxOffRun = 31

// ParseTable reads a holiday table: CSV with the columns date, kind, name
// (a header row naming them is optional; # starts a comment line).
func ParseTable(r io.Reader, source string) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Entry
	seen := map[int]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrBadTable, source, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) >= 2 && strings.EqualFold(strings.TrimSpace(rec[0]), "date") {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fmt.Errorf("%w: %s line %d: want date,kind,name", ErrBadTable, source, line)
		}
		d, err := ParseDate(strings.TrimSpace(rec[0]))
		if err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %w", ErrBadTable, source, line, err)
		}
		k := Kind(strings.ToLower(strings.TrimSpace(rec[1])))
		switch k {
		case Holiday, Compensatory, Swap, Workday:
		default:
			return nil, fmt.Errorf("%w: %s line %d: kind %q (holiday, compensatory, swap or workday)", ErrBadTable, source, line, rec[1])
		}
		if prev, dup := seen[d.Key()]; dup {
			return nil, fmt.Errorf("%w: %s line %d: %s already given on line %d", ErrBadTable, source, line, d, prev)
		}
		seen[d.Key()] = line
		name := ""
		if len(rec) == 3 {
			name = strings.TrimSpace(rec[2])
		}
		out = append(out, Entry{Date: d, Kind: k, Name: name})
	}
	return out, nil
}

// Calendar tells working days from days off. It is immutable and safe for
// concurrent use.
type Calendar struct {
	entries map[int]Entry
	years   map[int]bool
	sum     string
}

// New builds a calendar from tables; a later table's row replaces an
// earlier one's for the same date. Each table's years with at least one
// row count as covered.
func New(tables ...[]Entry) (*Calendar, error) {
	c := &Calendar{entries: map[int]Entry{}, years: map[int]bool{}}
	for _, t := range tables {
		for _, e := range t {
			c.entries[e.Date.Key()] = e
			c.years[e.Date.Year] = true
		}
	}
	keys := make([]int, 0, len(c.entries))
	for k := range c.entries {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	h := sha256.New()
	run, last := 0, 0
	for _, k := range keys {
		e := c.entries[k]
		fmt.Fprintf(h, "%d %s\n", k, e.Kind)
		if !e.Off() {
			continue
		}
		if last != 0 && FromKey(last).AddDays(1).Key() == k {
			run++
		} else {
			run = 1
		}
		last = k
		if run > maxOffRun-4 { // with the weekends around it
			return nil, fmt.Errorf("%w: more than %d days off in a row up to %s", ErrBadTable, maxOffRun-4, FromKey(k))
		}
	}
	c.sum = hex.EncodeToString(h.Sum(nil))
	return c, nil
}

// Shipped is the table that comes with vanthu (assets/calendar).
func Shipped() ([]Entry, error) {
	return ParseTable(bytes.NewReader(assets.Holidays), "holidays-vn.csv")
}

// Load returns the shipped table overridden by the user's file at path
// (no file there is fine; "" means none).
func Load(path string) (*Calendar, error) {
	base, err := Shipped()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return New(base)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return New(base)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the holiday table: %w", err)
	}
	defer f.Close()
	user, err := ParseTable(f, path)
	if err != nil {
		return nil, err
	}
	return New(base, user)
}

// Default is the shipped table alone.
func Default() *Calendar {
	c, err := Load("")
	if err != nil {
		panic(err) // the shipped table is tested
	}
	return c
}

// Entry returns the table row for d, if any.
func (c *Calendar) Entry(d Date) (Entry, bool) {
	e, ok := c.entries[d.Key()]
	return e, ok
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) bool {
	if e, ok := c.entries[d.Key()]; ok {
		return !e.Off()
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// NextWorkday is the first working day after d (d itself excluded).
func (c *Calendar) NextWorkday(d Date) Date {
	n := d.AddDays(1)
	for i := 0; i < maxOffRun && !c.IsWorkday(n); i++ {
		n = n.AddDays(1)
	}
	return n
}

// AddWorkdays is the n-th working day after d (n ≥ 0; 0 is d itself).
func (c *Calendar) AddWorkdays(d Date, n int) Date {
	for ; n > 0; n-- {
		d = c.NextWorkday(d)
	}
	return d
}

// Workdays counts the working days from from to to, both included.
func (c *Calendar) Workdays(from, to Date) int {
	n := 0
	for d := from; !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// Covers reports whether the table has rows for d's year; outside the
// years covered only weekends are known to be off.
func (c *Calendar) Covers(d Date) bool { return c.years[d.Year] }

// Years lists the covered years in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// Entries lists the table's rows in date order.
func (c *Calendar) Entries() []Entry {
	out := make([]Entry, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// Fingerprint identifies the table's content (dates and kinds), so a copy
// kept in a database can tell it is stale.
func (c *Calendar) Fingerprint() string { return c.sum }
