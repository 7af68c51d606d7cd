package calendar

import (
	"fmt"
	"time"
)

// Vietnam is the time zone every date is taken in (UTC+07:00, no daylight
// saving).
var Vietnam = time.FixedZone("+07", 7*3600)

// Date is a civil date. The zero value is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, normalised (NewDate(2026, 2, 30) is 2 March).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, Vietnam))
}

// DateOf is the date of t in Vietnam.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Vietnam).Date()
	return Date{y, m, d}
}

// Today is the date now in Vietnam.
func Today() Date { return DateOf(time.Now()) }

// ParseDate reads YYYY-MM-DD (also D/M/YYYY and DD/MM/YYYY, as Vietnamese
// registers write them).
func ParseDate(s string) (Date, error) {
	for _, layout := range []string{"2006-01-02", "2/1/2006", "02/01/2006"} {
		if t, err := time.ParseInLocation(layout, s, Vietnam); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, fmt.Errorf("%w: %q (use YYYY-MM-DD)", ErrBadDate, s)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time is midnight at the start of d in Vietnam.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Vietnam) }

// End is the last instant of d in Vietnam (the start of the next day less
// a microsecond, the resolution of the stores).
func (d Date) End() time.Time { return d.AddDays(1).Time().Add(-time.Microsecond) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// AddMonths returns d moved by n months (the day clamped to the month's
// length: 31 January + 1 month is 28 or 29 February).
func (d Date) AddMonths(n int) Date {
	first := NewDate(d.Year, d.Month+time.Month(n), 1)
	last := NewDate(first.Year, first.Month+1, 0).Day
	day := d.Day
	if day > last {
		day = last
	}
	return Date{first.Year, first.Month, day}
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.Time().Weekday() }

// Key is d as the integer YYYYMMDD, the form the stores index and compare.
func (d Date) Key() int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// FromKey is the date of a YYYYMMDD integer.
func FromKey(k int) Date { return Date{k / 10000, time.Month(k / 100 % 100), k % 100} }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	a, b := d.Key(), e.Key()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Key() < e.Key() }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Key() > e.Key() }

// DaysUntil is the number of days from d to e (negative when e is before d).
func (d Date) DaysUntil(e Date) int {
	return int(e.Time().Sub(d.Time()).Round(time.Hour).Hours() / 24)
}

// String is YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// VN is d as Vietnamese documents write it: DD/MM/YYYY.
func (d Date) VN() string { return fmt.Sprintf("%02d/%02d/%04d", d.Day, int(d.Month), d.Year) }

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD ("" is the zero Date).
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
