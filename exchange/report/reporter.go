package report

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/store"
)

//go:embed migrations
var migrationFS embed.FS

// Migrations is the report's schema (component "report": the working-day
// table).
func Migrations() store.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	return store.Migrations{Component: "report", FS: sub}
}

// Options tune New.
type Options struct {
	// Calendar tells working days (default: the shipped holiday table).
	Calendar *calendar.Calendar
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Reporter computes reports on one database.
type Reporter struct {
	db  *store.DB
	cal *calendar.Calendar
	now func() time.Time

	mu     sync.Mutex
	synced string
}

// Calendar range kept in the database.
var (
	calendarFrom = calendar.NewDate(1990, 1, 1)
	calendarTo   = calendar.NewDate(2100, 12, 31)
)

// New migrates the register and report schemas and returns a Reporter.
func New(ctx context.Context, db *store.DB, opts Options) (*Reporter, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: no database", ErrBadRequest)
	}
	for _, m := range []store.Migrations{register.Migrations(), Migrations()} {
		if err := store.Migrate(ctx, db, m); err != nil {
			return nil, err
		}
	}
	r := &Reporter{db: db, cal: opts.Calendar, now: opts.Now}
	if r.cal == nil {
		r.cal = calendar.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// Calendar is the working-day calendar in use.
func (r *Reporter) Calendar() *calendar.Calendar { return r.cal }

// syncCalendar makes report_calendar match the calendar (once per
// fingerprint; refilled in one transaction when it changed).
func (r *Reporter) syncCalendar(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	fp := r.cal.Fingerprint()
	if r.synced == fp {
		return nil
	}
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		var have string
		err := tx.QueryRow(ctx, "SELECT value FROM report_meta WHERE key = 'calendar'").Scan(&have)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if have == fp {
			return nil
		}
		if _, err := tx.Exec(ctx, "DELETE FROM report_calendar"); err != nil {
			return err
		}
		const batch = 400
		var sb strings.Builder
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.Exec(ctx, "INSERT INTO report_calendar (day, workday, next_workday) VALUES "+strings.TrimSuffix(sb.String(), ","), args...)
			sb.Reset()
			args = args[:0]
			return err
		}
		for d := calendarFrom; !d.After(calendarTo); d = d.AddDays(1) {
			w := 0
			if r.cal.IsWorkday(d) {
				w = 1
			}
			sb.WriteString("(?, ?, ?),")
			args = append(args, d.Key(), w, r.cal.NextWorkday(d).Key())
			if len(args) >= 3*batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO report_meta (key, value) VALUES ('calendar', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fp)
		return err
	})
	if err != nil {
		return fmt.Errorf("failed to store the working-day calendar: %w", err)
	}
	r.synced = fp
	return nil
}

// Request asks for a report.
type Request struct {
	Actor  register.Actor
	Unit   string // agency code; "" for the actor's own unit
	Period calendar.Period
	// Trend is the number of periods of the trend, the report's last
	// (default 12).
	Trend int
	// Deadline is when the report is due (default calendar.DefaultDeadline).
	Deadline *calendar.DeadlineRule
	// MissedLimit caps the listed missed documents, late receipts and
	// staff gaps each (0: all). The totals are always complete.
	MissedLimit int
	// ForceScope picks the query plan (tests check that every plan gives
	// the same results): 0 closure-driven, 1 date-driven with a
	// membership filter, 2 unfiltered (only right for a subtree of every
	// unit). nil chooses by the subtree's size.
	ForceScope *int
}

// Progress is told of each step of a report ("units", "outgoing",
// "incoming", "staff", "trend", "lists") as it starts.
type Progress func(step string, done, total int)

var steps = []string{"calendar", "units", "outgoing", "incoming", "staff", "trend", "lists"}
