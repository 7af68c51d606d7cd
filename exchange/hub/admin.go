package hub

import (
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// agencyCode accepts the new form of Quyết định 20/2020 (letter + two
// digits, then dot-separated groups, at most 35 characters) and the old
// 13-character form NNN.NN.NN.XNN. The edXML package checks codes fully;
// the hub only needs them well-formed.
var (
	newCode = regexp.MustCompile(`^[A-Z][0-9]{2}(\.[A-Z0-9]+)*$`)
	oldCode = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)
)

// ValidAgencyCode reports whether code is an agency code in either form.
func ValidAgencyCode(code string) bool {
	return len(code) <= 35 && (newCode.MatchString(code) || oldCode.MatchString(code))
}

// AddAgency registers an agency (parent, if any, must exist).
func (h *Hub) AddAgency(ctx context.Context, actor string, a wire.Agency) error {
	a.Code, a.Name, a.Parent = strings.TrimSpace(a.Code), strings.TrimSpace(a.Name), strings.TrimSpace(a.Parent)
	if !ValidAgencyCode(a.Code) {
		return fmt.Errorf("%w: agency code %q", ErrBadRequest, a.Code)
	}
	if a.Name == "" {
		return fmt.Errorf("%w: agency name is empty", ErrBadRequest)
	}
	now := h.now()
	return h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM agency WHERE code = ?", a.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %s", ErrAgencyExists, a.Code)
		}
		var parent any
		if a.Parent != "" {
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM agency WHERE code = ?", a.Parent).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: parent %s", ErrUnknownAgency, a.Parent)
			}
			parent = a.Parent
		}
		if _, err := tx.Exec(ctx, "INSERT INTO agency (code, name, parent, created_at) VALUES (?, ?, ?, ?)",
			a.Code, a.Name, parent, micros(now)); err != nil {
			return fmt.Errorf("failed to add agency: %w", err)
		}
		return audit.add(ctx, tx, now, actor, ActAgencyAdd, a.Code, map[string]string{"name": a.Name, "parent": a.Parent})
	})
}

// IssueCertificate issues the agency's connection certificate from its
// request and records it; the agency must be registered and not revoked.
func (h *Hub) IssueCertificate(ctx context.Context, actor string, ca *CA, code string, csrDER []byte, validity time.Duration) (*x509.Certificate, error) {
	now := h.now()
	var cert *x509.Certificate
	err := h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		name, err := activeAgencyName(ctx, tx, code)
		if err != nil {
			return err
		}
		if cert == nil { // a retried transaction keeps the first certificate
			if cert, err = ca.IssueClient(csrDER, code, name, now, validity); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO client_cert (serial, agency, not_after, issued_at, der)
			VALUES (?, ?, ?, ?, ?)`, SerialHex(cert), code, micros(cert.NotAfter), micros(now), cert.Raw); err != nil {
			return fmt.Errorf("failed to record certificate: %w", err)
		}
		return audit.add(ctx, tx, now, actor, ActCertIssue, code, map[string]string{
			"serial": SerialHex(cert), "fingerprint": Fingerprint(cert), "not_after": cert.NotAfter.Format(time.RFC3339)})
	})
	if err != nil {
		return nil, err
	}
	return cert, nil
}

func activeAgencyName(ctx context.Context, q store.Querier, code string) (string, error) {
	var name string
	var revoked sql.NullInt64
	err := q.QueryRow(ctx, "SELECT name, revoked_at FROM agency WHERE code = ?", code).Scan(&name, &revoked)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return "", fmt.Errorf("%w: %s", ErrUnknownAgency, code)
	}
	return name, err
}

// RevokeAgency revokes an agency and every certificate it holds: its
// connections are refused from the next handshake on and it disappears
// from the directory's active list.
func (h *Hub) RevokeAgency(ctx context.Context, actor, code, reason string) error {
	now := h.now()
	defer h.forgetAuth()
	return h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		if _, err := activeAgencyName(ctx, tx, code); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE agency SET revoked_at = ? WHERE code = ?", micros(now), code); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE client_cert SET revoked_at = ? WHERE agency = ? AND revoked_at IS NULL", micros(now), code); err != nil {
			return err
		}
		return audit.add(ctx, tx, now, actor, ActAgencyRevoke, code, map[string]string{"reason": reason})
	})
}

// RevokeCertificate revokes one connection certificate by serial (hex).
func (h *Hub) RevokeCertificate(ctx context.Context, actor, serialHex, reason string) error {
	serialHex = normSerial(serialHex)
	now := h.now()
	defer h.forgetAuth()
	return h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		var code string
		if err := tx.QueryRow(ctx, "SELECT agency FROM client_cert WHERE serial = ? AND revoked_at IS NULL", serialHex).Scan(&code); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%w: certificate %s", ErrNotFound, serialHex)
			}
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE client_cert SET revoked_at = ? WHERE serial = ?", micros(now), serialHex); err != nil {
			return err
		}
		return audit.add(ctx, tx, now, actor, ActCertRevoke, code, map[string]string{"serial": serialHex, "reason": reason})
	})
}

// Authenticate maps a verified client certificate (issued by the hub CA)
// to its agency: the certificate must be recorded, not revoked, not
// expired, and its agency active.
func (h *Hub) Authenticate(ctx context.Context, cert *x509.Certificate) (string, error) {
	now := h.now()
	if now.After(cert.NotAfter) || now.Before(cert.NotBefore) {
		return "", fmt.Errorf("%w: expired or not yet valid", ErrCertificate)
	}
	var code string
	var certRevoked, agencyRevoked sql.NullInt64
	err := h.db.QueryRow(ctx, `SELECT c.agency, c.revoked_at, a.revoked_at FROM client_cert c
		JOIN agency a ON a.code = c.agency WHERE c.serial = ?`, SerialHex(cert)).Scan(&code, &certRevoked, &agencyRevoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("%w: unknown certificate %s", ErrCertificate, SerialHex(cert))
	case err != nil:
		return "", fmt.Errorf("failed to look up certificate: %w", err)
	case certRevoked.Valid || agencyRevoked.Valid:
		return "", fmt.Errorf("%w: revoked", ErrCertificate)
	case code != cert.Subject.CommonName:
		return "", fmt.Errorf("%w: certificate names %q, issued to %q", ErrCertificate, cert.Subject.CommonName, code)
	}
	return code, nil
}

// Directory lists the registered agencies (revoked ones included, marked).
func (h *Hub) Directory(ctx context.Context) ([]wire.Agency, error) {
	return store.Collect(ctx, h.db, func(rows *sql.Rows) (wire.Agency, error) {
		var a wire.Agency
		var parent sql.NullString
		var revoked sql.NullInt64
		err := rows.Scan(&a.Code, &a.Name, &parent, &revoked)
		a.Parent = parent.String
		if revoked.Valid {
			t := fromMicros(revoked.Int64)
			a.Revoked = &t
		}
		return a, err
	}, "SELECT code, name, parent, revoked_at FROM agency ORDER BY code")
}

// normSerial brings a hex serial number as a user types it (any case,
// colons, leading zeros) to the stored form.
func normSerial(s string) string {
	s = strings.NewReplacer(":", "", " ", "").Replace(strings.TrimSpace(s))
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return strings.ToLower(s)
	}
	return hex.EncodeToString(n.Bytes())
}
