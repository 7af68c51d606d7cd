package register

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/signing/roles"
)

// Staff is a person of a unit who handles documents.
type Staff struct {
	ID          int64         `json:"id"`
	Unit        string        `json:"unit"`
	Name        string        `json:"name"`
	Title       string        `json:"title,omitempty"`
	Email       string        `json:"email,omitempty"`
	ActiveFrom  calendar.Date `json:"active_from"`
	ActiveUntil calendar.Date `json:"active_until,omitempty"` // last active day; zero while active
	Certs       []Cert        `json:"certificates,omitempty"`
}

// Active reports whether the staff member is active on day d.
func (s Staff) Active(d calendar.Date) bool {
	return !s.ActiveFrom.After(d) && (s.ActiveUntil.IsZero() || !s.ActiveUntil.Before(d))
}

// Cert is a recorded certificate.
type Cert struct {
	ID           int64     `json:"id"`
	Fingerprint  string    `json:"fingerprint"` // SHA-256 of the DER, hex
	Serial       string    `json:"serial"`      // hex
	Issuer       string    `json:"issuer"`
	Subject      string    `json:"subject"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	Organisation bool      `json:"organisation"`
	RevokedAt    time.Time `json:"revoked_at,omitempty"`
	Source       string    `json:"source"` // enrolled | signature
}

// ValidAt reports whether the certificate was valid at t.
func (c Cert) ValidAt(t time.Time) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter) && (c.RevokedAt.IsZero() || t.Before(c.RevokedAt))
}

// StaffInput is a new staff member.
type StaffInput struct {
	Unit, Name, Title, Email string
	ActiveFrom               calendar.Date // default today
}

// AddStaff enrols a staff member in a unit.
func (r *Register) AddStaff(ctx context.Context, a Actor, in StaffInput) (*Staff, error) {
	in.Name, in.Title, in.Email = strings.Join(strings.Fields(in.Name), " "), strings.TrimSpace(in.Title), strings.TrimSpace(in.Email)
	if in.Name == "" {
		return nil, fmt.Errorf("%w: the staff member has no name", ErrInvalid)
	}
	now := r.now()
	if in.ActiveFrom.IsZero() {
		in.ActiveFrom = calendar.DateOf(now)
	}
	var s *Staff
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		uid, err := UnitScope(ctx, tx, a, in.Unit)
		if err != nil {
			return err
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO reg_staff (unit_id, name, name_key, title, email, active_from, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, uid, in.Name, roles.FoldName(in.Name), in.Title, in.Email, in.ActiveFrom.Key(), micros(now))
		if err != nil {
			return fmt.Errorf("failed to add staff: %w", err)
		}
		s = &Staff{ID: id, Unit: strings.ToUpper(strings.TrimSpace(in.Unit)), Name: in.Name, Title: in.Title, Email: in.Email, ActiveFrom: in.ActiveFrom}
		if err := r.record(ctx, tx, a, now, history{entity: "staff", entityID: id, unitID: uid, action: "create", new: in.Name}); err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, s.Unit)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// staffUnit returns the unit of a staff member after checking access.
func staffUnit(ctx context.Context, q store.Querier, a Actor, id int64) (int64, error) {
	var uid int64
	err := q.QueryRow(ctx, "SELECT unit_id FROM reg_staff WHERE id = ?", id).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: staff %d", ErrNotFound, id)
	}
	if err != nil {
		return 0, err
	}
	if err := canReach(ctx, q, a, uid); err != nil {
		return 0, err
	}
	return uid, nil
}

// Deactivate records that a staff member stopped handling documents after
// day last (transfer, retirement); the row stays.
func (r *Register) Deactivate(ctx context.Context, a Actor, id int64, last calendar.Date, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return ErrNoReason
	}
	now := r.now()
	return r.db.Tx(ctx, func(tx *store.Tx) error {
		uid, err := staffUnit(ctx, tx, a, id)
		if err != nil {
			return err
		}
		var old sql.NullInt64
		if err := tx.QueryRow(ctx, "SELECT active_until FROM reg_staff WHERE id = ?", id).Scan(&old); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE reg_staff SET active_until = ? WHERE id = ?", last.Key(), id); err != nil {
			return err
		}
		return r.record(ctx, tx, a, now, history{entity: "staff", entityID: id, unitID: uid, action: "correct", field: "active_until",
			old: dayOf(old).String(), new: last.String(), reason: reason})
	})
}

// certRow is what is stored of a certificate.
func certRow(c *x509.Certificate) Cert {
	sum := sha256.Sum256(c.Raw)
	return Cert{Fingerprint: hex.EncodeToString(sum[:]), Serial: strings.ToLower(c.SerialNumber.Text(16)),
		Issuer: c.Issuer.String(), Subject: c.Subject.String(), NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		Organisation: IsOrganisationCert(c)}
}

// IsOrganisationCert tells an organisation (seal) certificate from a
// personal one: its subject names the organisation as its common name and
// no person (CN equal to O, compared without diacritics).
func IsOrganisationCert(c *x509.Certificate) bool {
	cn := roles.FoldName(c.Subject.CommonName)
	for _, o := range c.Subject.Organization {
		if cn != "" && roles.FoldName(o) == cn {
			return true
		}
	}
	return false
}

// Enrol records a staff member's certificate (read from their token or a
// file). Recording the same certificate again is harmless; a certificate
// already recorded for someone else is ErrDuplicate.
func (r *Register) Enrol(ctx context.Context, a Actor, staffID int64, c *x509.Certificate) (*Cert, error) {
	row := certRow(c)
	if row.Organisation {
		return nil, fmt.Errorf("%w: %s is an organisation certificate, not a personal one", ErrInvalid, c.Subject.CommonName)
	}
	now := r.now()
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		uid, err := staffUnit(ctx, tx, a, staffID)
		if err != nil {
			return err
		}
		var owner sql.NullInt64
		var id int64
		err = tx.QueryRow(ctx, "SELECT id, staff_id FROM reg_cert WHERE fingerprint = ?", row.Fingerprint).Scan(&id, &owner)
		switch {
		case err == nil && owner.Valid && owner.Int64 != staffID:
			return fmt.Errorf("%w: the certificate belongs to another staff member", ErrDuplicate)
		case err == nil:
			row.ID = id
			_, err = tx.Exec(ctx, "UPDATE reg_cert SET staff_id = ?, unit_id = ? WHERE id = ?", staffID, uid, id)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		row.Source = "enrolled"
		if row.ID, err = insertCert(ctx, tx, row, sql.NullInt64{Int64: staffID, Valid: true}, uid, now); err != nil {
			return err
		}
		return r.record(ctx, tx, a, now, history{entity: "staff", entityID: staffID, unitID: uid, action: "certificate",
			new: row.Serial + " " + row.Issuer})
	})
	if err != nil {
		return nil, err
	}
	return &row, nil
}

func insertCert(ctx context.Context, tx *store.Tx, c Cert, staff sql.NullInt64, unit int64, now time.Time) (int64, error) {
	id, err := store.InsertID(ctx, tx, `INSERT INTO reg_cert (staff_id, unit_id, fingerprint, serial, issuer, subject, not_before, not_after, organisation, source, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, staff, unit, c.Fingerprint, c.Serial, c.Issuer, c.Subject,
		micros(c.NotBefore), micros(c.NotAfter), b2i(c.Organisation), c.Source, micros(now))
	if err != nil {
		return 0, fmt.Errorf("failed to record certificate: %w", err)
	}
	return id, nil
}

// StaffList lists the staff of a unit (with subUnits, of its whole
// subtree), with their certificates.
func (r *Register) StaffList(ctx context.Context, a Actor, unit string, subUnits bool) ([]Staff, error) {
	uid, err := UnitScope(ctx, r.db, a, unit)
	if err != nil {
		return nil, err
	}
	where := "s.unit_id = ?"
	if subUnits {
		where = "s.unit_id IN (SELECT unit_id FROM reg_unit_tree WHERE ancestor_id = ?)"
	}
	rows, err := r.db.Query(ctx, `SELECT s.id, u.code, s.name, s.title, s.email, s.active_from, s.active_until
		FROM reg_staff s JOIN reg_unit u ON u.id = s.unit_id WHERE `+where+` ORDER BY u.code, s.name, s.id`, uid)
	if err != nil {
		return nil, fmt.Errorf("failed to list staff: %w", err)
	}
	var out []Staff
	idx := map[int64]int{}
	for rows.Next() {
		var s Staff
		var from int
		var until sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Unit, &s.Name, &s.Title, &s.Email, &from, &until); err != nil {
			rows.Close()
			return nil, err
		}
		s.ActiveFrom, s.ActiveUntil = calendar.FromKey(from), dayOf(until)
		idx[s.ID] = len(out)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	crow, err := r.db.Query(ctx, `SELECT c.staff_id, c.id, c.fingerprint, c.serial, c.issuer, c.subject, c.not_before, c.not_after, c.organisation, c.revoked_at, c.source
		FROM reg_cert c JOIN reg_staff s ON s.id = c.staff_id WHERE `+where+` ORDER BY c.not_before`, uid)
	if err != nil {
		return nil, fmt.Errorf("failed to list certificates: %w", err)
	}
	defer crow.Close()
	for crow.Next() {
		var sid int64
		var c Cert
		var nb, na int64
		var org int
		var rev sql.NullInt64
		if err := crow.Scan(&sid, &c.ID, &c.Fingerprint, &c.Serial, &c.Issuer, &c.Subject, &nb, &na, &org, &rev, &c.Source); err != nil {
			return nil, err
		}
		c.NotBefore, c.NotAfter = time.UnixMicro(nb).UTC(), time.UnixMicro(na).UTC()
		c.Organisation, c.RevokedAt = org == 1, fromMicros(rev)
		if i, ok := idx[sid]; ok {
			out[i].Certs = append(out[i].Certs, c)
		}
	}
	return out, crow.Err()
}
