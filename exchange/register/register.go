package register

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/store"
)

//go:embed migrations
var migrationFS embed.FS

// Migrations is the registers' schema history (component "register").
func Migrations() store.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err) // embedded at build time
	}
	return store.Migrations{Component: "register", FS: sub}
}

// Actor is who reads or changes a register.
type Actor struct {
	// Name is recorded in the history ("Nguyễn Thị Hoa", "exchange").
	Name string
	// Agency is the authenticated agency code: the actor reaches that
	// unit and the units below it.
	Agency string
	// Admin reaches every unit: the local operator of an embedded hub,
	// and the exchange itself.
	Admin bool
}

// Exchange is the actor of automatic registrations by the hub.
var Exchange = Actor{Name: "exchange", Admin: true}

// Config is what Open needs.
type Config struct {
	DB *store.DB
	// Verifier checks the signatures of registered documents; nil leaves
	// documents unverifiable (AddOutgoing with a file fails).
	Verifier Verifier
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Register is the registers on one database. It is safe for concurrent
// use.
type Register struct {
	db       *store.DB
	verifier Verifier
	now      func() time.Time
}

// Open migrates the database and returns the registers.
func Open(ctx context.Context, cfg Config) (*Register, error) {
	if cfg.DB == nil {
		return nil, fmt.Errorf("%w: Config needs DB", ErrInvalid)
	}
	if err := store.Migrate(ctx, cfg.DB, Migrations()); err != nil {
		return nil, err
	}
	r := &Register{db: cfg.DB, verifier: cfg.Verifier, now: cfg.Now}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// DB is the registers' database.
func (r *Register) DB() *store.DB { return r.db }

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).In(calendar.Vietnam)
}

func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func nullDay(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.Key()
}

func dayOf(v sql.NullInt64) calendar.Date {
	if !v.Valid {
		return calendar.Date{}
	}
	return calendar.FromKey(int(v.Int64))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func actorName(a Actor) string {
	switch {
	case a.Name != "" && a.Agency != "":
		return a.Name + " (" + a.Agency + ")"
	case a.Name != "":
		return a.Name
	case a.Agency != "":
		return a.Agency
	}
	return "?"
}

// UnitScope resolves the unit the actor asks for: the unit's id when the
// actor may reach it. An unknown unit is ErrNotFound; a known one outside
// the actor's agency is ErrForbidden.
func UnitScope(ctx context.Context, q store.Querier, a Actor, code string) (int64, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" && a.Agency != "" {
		code = strings.ToUpper(a.Agency)
	}
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM reg_unit WHERE code = ?", code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: unit %q", ErrNotFound, code)
	}
	if err != nil {
		return 0, fmt.Errorf("failed to find unit: %w", err)
	}
	if err := canReach(ctx, q, a, id); err != nil {
		return 0, err
	}
	return id, nil
}

// canReach checks that the actor may read and change unit id's registers:
// an admin always; an agency when id is its unit or below it.
func canReach(ctx context.Context, q store.Querier, a Actor, id int64) error {
	if a.Admin {
		return nil
	}
	if a.Agency == "" {
		return fmt.Errorf("%w: no agency", ErrForbidden)
	}
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM reg_unit_tree t JOIN reg_unit a ON a.id = t.ancestor_id
		WHERE a.code = ? AND t.unit_id = ?`, strings.ToUpper(strings.TrimSpace(a.Agency)), id).Scan(&n)
	if err != nil {
		return fmt.Errorf("failed to check access: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrForbidden, a.Agency)
	}
	return nil
}

// history records one change.
type history struct {
	entity   string
	entityID int64
	unitID   int64
	action   string
	field    string
	old, new string
	reason   string
}

func (r *Register) record(ctx context.Context, tx *store.Tx, a Actor, at time.Time, h history) error {
	_, err := tx.Exec(ctx, `INSERT INTO reg_history (entity, entity_id, unit_id, action, field, old_value, new_value, reason, actor, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.entity, h.entityID, h.unitID, h.action, h.field, h.old, h.new, h.reason, actorName(a), micros(at))
	if err != nil {
		return fmt.Errorf("failed to record history: %w", err)
	}
	return nil
}

// notifyChannel wakes readers of the registers (a dashboard) when rows
// change; the payload is the unit code.
const notifyChannel = "register_changed"

// Subscribe returns a subscription signalled whenever a register of any
// unit changes (across processes; a hint to re-query).
func (r *Register) Subscribe() (*store.Subscription, error) {
	return r.db.Subscribe(notifyChannel, "")
}
