package axishub

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
	"unicode"

	"github.com/vanthu/vanthu/exchange/axis"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations is the door's schema history (component "axis" of the hub's
// database).
func Migrations() store.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	return store.Migrations{Component: "axis", FS: sub}
}

// Audit actions of the door.
const (
	ActSystemAdd    = "axis.system.add"
	ActSystemRotate = "axis.system.rotate"
	ActSystemRevoke = "axis.system.revoke"
	ActRefused      = "axis.refused"
	ActThrottled    = "axis.refused.throttled"
	// A served request is "axis.<operation>", e.g. axis.sendEdoc.
	actRequest = "axis."
)

// System is a registered e-office system (its secret is never listed).
type System struct {
	ID         string     `json:"system_id"`
	Agency     string     `json:"agency"`
	Admin      bool       `json:"admin,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	RotatedAt  time.Time  `json:"rotated_at,omitzero"`
	GraceUntil time.Time  `json:"previous_secret_until,omitzero"`
	Revoked    *time.Time `json:"revoked,omitempty"`
}

// Registry keeps the systems in the hub's database, their secrets sealed
// under the master key.
type Registry struct {
	hub *hub.Hub
	db  *store.DB
	key *MasterKey
}

// NewRegistry migrates the door's tables in h's database.
func NewRegistry(ctx context.Context, h *hub.Hub, key *MasterKey) (*Registry, error) {
	if h == nil || key == nil {
		return nil, errors.New("axishub: NewRegistry needs the hub and the master key")
	}
	if err := store.Migrate(ctx, h.DB(), Migrations()); err != nil {
		return nil, err
	}
	return &Registry{hub: h, db: h.DB(), key: key}, nil
}

// NewSystem is what Add registers.
type NewSystem struct {
	ID     string // the SDK's systemid (default: the agency code)
	Agency string
	Admin  bool
	Secret string // empty: a new random one
}

// Secret checks: what the administrator supplies must be as hard to guess
// as what Add makes.
const (
	minSecret = 16
	maxSecret = 256
)

func newSecret() string {
	b := make([]byte, 33)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b) // 44 characters, like the axis's
}

func checkSecret(s string) error {
	if len(s) < minSecret || len(s) > maxSecret {
		return fmt.Errorf("%w: %d characters (%d to %d)", ErrWeakSecret, len(s), minSecret, maxSecret)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("%w: it must not hold spaces or control characters", ErrWeakSecret)
		}
	}
	return nil
}

func checkSystemID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("%w: system ID must be 1 to 128 characters", ErrBadInput)
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '"' || r == '\\' {
			return fmt.Errorf("%w: system ID %q must be printable ASCII without quotes", ErrBadInput, id)
		}
	}
	return nil
}

// Add registers a system for an active agency and returns its secret —
// the only time it is shown.
func (r *Registry) Add(ctx context.Context, actor string, ns NewSystem) (string, error) {
	ns.ID, ns.Agency = strings.TrimSpace(ns.ID), strings.TrimSpace(ns.Agency)
	if ns.ID == "" {
		ns.ID = ns.Agency
	}
	if err := checkSystemID(ns.ID); err != nil {
		return "", err
	}
	if _, err := r.hub.AgencyName(ctx, ns.Agency); err != nil {
		return "", err
	}
	secret := ns.Secret
	if secret == "" {
		secret = newSecret()
	}
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	sealed := r.key.seal(ns.ID, []byte(secret))
	err := r.hub.Update(ctx, func(ctx context.Context, tx *store.Tx, audit hub.AuditFunc) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM axis_system WHERE system_id = ?", ns.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %s", ErrSystemExists, ns.ID)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO axis_system (system_id, agency, admin, key_id, secret, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, ns.ID, ns.Agency, boolInt(ns.Admin), r.key.ID(), sealed, micros(r.hub.Now())); err != nil {
			return fmt.Errorf("failed to add system: %w", err)
		}
		return audit(actor, ActSystemAdd, ns.ID, map[string]any{"agency": ns.Agency, "admin": ns.Admin, "secret_given": ns.Secret != ""})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Rotate gives a system a new secret (secret, or a random one) and
// returns it. With grace > 0 the previous secret keeps working that long,
// so the e-office system can be reconfigured without a gap.
func (r *Registry) Rotate(ctx context.Context, actor, id string, grace time.Duration, secret string) (string, error) {
	if secret == "" {
		secret = newSecret()
	}
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	now := r.hub.Now()
	sealed := r.key.seal(id, []byte(secret))
	err := r.hub.Update(ctx, func(ctx context.Context, tx *store.Tx, audit hub.AuditFunc) error {
		var cur []byte
		var keyID string
		var revoked sql.NullInt64
		err := tx.QueryRow(ctx, "SELECT secret, key_id, revoked_at FROM axis_system WHERE system_id = ?", id).Scan(&cur, &keyID, &revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows) || revoked.Valid:
			return fmt.Errorf("%w: %s", ErrNoSystem, id)
		case err != nil:
			return err
		}
		var prev, until any
		if grace > 0 {
			if keyID != r.key.ID() {
				return fmt.Errorf("%w: %s's secret is sealed under another master key", ErrMasterKey, id)
			}
			prev, until = cur, micros(now.Add(grace))
		}
		if _, err := tx.Exec(ctx, `UPDATE axis_system SET secret = ?, key_id = ?, prev_secret = ?, prev_until = ?, rotated_at = ?
			WHERE system_id = ?`, sealed, r.key.ID(), prev, until, micros(now), id); err != nil {
			return err
		}
		return audit(actor, ActSystemRotate, id, map[string]any{"grace": grace.String(), "secret_given": secret != ""})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Revoke stops a system at once (its secrets are erased).
func (r *Registry) Revoke(ctx context.Context, actor, id, reason string) error {
	return r.hub.Update(ctx, func(ctx context.Context, tx *store.Tx, audit hub.AuditFunc) error {
		res, err := tx.Exec(ctx, `UPDATE axis_system SET revoked_at = ?, revoke_reason = ?, secret = ?, prev_secret = NULL,
			prev_until = NULL WHERE system_id = ? AND revoked_at IS NULL`, micros(r.hub.Now()), reason, []byte{}, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %s", ErrNoSystem, id)
		}
		return audit(actor, ActSystemRevoke, id, map[string]string{"reason": reason})
	})
}

// revokeAgency revokes every system of an agency in tx.
func revokeAgency(ctx context.Context, tx *store.Tx, audit hub.AuditFunc, actor, agency, reason string, now time.Time) error {
	ids, err := store.Collect(ctx, tx, func(rows *sql.Rows) (string, error) {
		var id string
		return id, rows.Scan(&id)
	}, "SELECT system_id FROM axis_system WHERE agency = ? AND revoked_at IS NULL", agency)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE axis_system SET revoked_at = ?, revoke_reason = ?, secret = ?, prev_secret = NULL,
			prev_until = NULL WHERE system_id = ?`, micros(now), reason, []byte{}, id); err != nil {
			return err
		}
		if err := audit(actor, ActSystemRevoke, id, map[string]string{"reason": reason}); err != nil {
			return err
		}
	}
	return nil
}

// List lists the systems, revoked ones included.
func (r *Registry) List(ctx context.Context) ([]System, error) {
	return store.Collect(ctx, r.db, func(rows *sql.Rows) (System, error) {
		var s System
		var admin int
		var created int64
		var rotated, until, revoked sql.NullInt64
		err := rows.Scan(&s.ID, &s.Agency, &admin, &created, &rotated, &until, &revoked)
		s.Admin, s.CreatedAt = admin != 0, fromMicros(created)
		if rotated.Valid {
			s.RotatedAt = fromMicros(rotated.Int64)
		}
		if until.Valid {
			s.GraceUntil = fromMicros(until.Int64)
		}
		if revoked.Valid {
			t := fromMicros(revoked.Int64)
			s.Revoked = &t
		}
		return s, err
	}, "SELECT system_id, agency, admin, created_at, rotated_at, prev_until, revoked_at FROM axis_system ORDER BY system_id")
}

// caller is an authenticated system.
type caller struct {
	system, agency string
	admin          bool
	secrets        [][]byte
}

// lookup returns an active system of an active agency with its usable
// secrets (the current one, then the previous one within its grace).
func (r *Registry) lookup(ctx context.Context, id string) (*caller, error) {
	var c caller
	var admin int
	var keyID string
	var cur, prev []byte
	var until, revoked sql.NullInt64
	err := r.db.QueryRow(ctx, `SELECT agency, admin, key_id, secret, prev_secret, prev_until, revoked_at
		FROM axis_system WHERE system_id = ?`, id).Scan(&c.agency, &admin, &keyID, &cur, &prev, &until, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && revoked.Valid:
		return nil, fmt.Errorf("%w: %q", axis.ErrUnknownSystem, clip(id))
	case err != nil:
		return nil, fmt.Errorf("failed to look up system: %w", err)
	}
	if _, err := r.hub.AgencyName(ctx, c.agency); err != nil {
		return nil, fmt.Errorf("%w: %q belongs to agency %s, which is revoked", axis.ErrUnknownSystem, clip(id), c.agency)
	}
	if keyID != r.key.ID() {
		return nil, fmt.Errorf("%w: %s's secret is sealed under another master key (restore %s)", ErrMasterKey, id, FileMasterKey)
	}
	s, err := r.key.open(id, cur)
	if err != nil {
		return nil, err
	}
	c.system, c.admin, c.secrets = id, admin != 0, [][]byte{s}
	if prev != nil && until.Valid && r.hub.Now().Before(fromMicros(until.Int64)) {
		p, err := r.key.open(id, prev)
		if err != nil {
			return nil, err
		}
		c.secrets = append(c.secrets, p)
	}
	return &c, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
