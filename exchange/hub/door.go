package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// What another door to the hub needs besides the operations (Send, Fetch,
// Ack, …) it shares with the HTTP API: the national axis's document
// service (exchange/axishub) authenticates its own callers, keeps its own
// tables in the hub's database and writes to the same audit trail.

// AuditFunc appends an entry (who, what, on what, detail marshalled as
// JSON) to the audit chain, in the transaction it was handed with.
type AuditFunc func(actor, action, target string, detail any) error

// Update runs fn in the hub's next group commit, with the audit chain
// locked: what fn writes in tx and the entries it adds with audit commit
// together or not at all. fn may run more than once (when the database
// asks for a retry) and must have no effects outside tx.
func (h *Hub) Update(ctx context.Context, fn func(ctx context.Context, tx *store.Tx, audit AuditFunc) error) error {
	now := h.now()
	return h.write(ctx, func(ctx context.Context, tx *store.Tx, a *auditLog) error {
		return fn(ctx, tx, func(actor, action, target string, detail any) error {
			return a.add(ctx, tx, now, actor, action, target, detail)
		})
	})
}

// Audit appends one entry to the audit trail.
func (h *Hub) Audit(ctx context.Context, actor, action, target string, detail any) error {
	return h.Update(ctx, func(_ context.Context, _ *store.Tx, audit AuditFunc) error {
		return audit(actor, action, target, detail)
	})
}

// Allow counts a request of agency against Limits.RequestsPerMinute; over
// the limit it returns ErrRateLimited and how long until the next window.
func (h *Hub) Allow(agency string) (time.Duration, error) { return h.rate.allow(agency) }

// Now is the hub's clock.
func (h *Hub) Now() time.Time { return h.now() }

// SpoolDir is the folder incoming packages are checked in.
func (h *Hub) SpoolDir() string { return h.spoolPath }

// DeliveryInfo is what a recipient may know of one of its deliveries.
type DeliveryInfo struct {
	ID, MessageID int64
	Kind          wire.Kind
	From          string
	DocumentID    string
	State         string // queued, acked, removed
}

// DeliveryOf returns the caller's delivery id: another agency's is
// ErrForbidden, an unknown one ErrNotFound.
func (h *Hub) DeliveryOf(ctx context.Context, caller string, id int64) (*DeliveryInfo, error) {
	d := &DeliveryInfo{ID: id}
	var kind, recipient string
	err := h.db.QueryRow(ctx, `SELECT m.id, m.kind, m.sender, m.document_id, d.state, d.recipient FROM delivery d
		JOIN message m ON m.id = d.message_id WHERE d.id = ?`, id).Scan(&d.MessageID, &kind, &d.From, &d.DocumentID, &d.State, &recipient)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("%w: delivery %d", ErrNotFound, id)
	case err != nil:
		return nil, fmt.Errorf("failed to look up delivery: %w", err)
	case recipient != caller:
		return nil, fmt.Errorf("%w: delivery %d is not addressed to %s", ErrForbidden, id, caller)
	}
	d.Kind = wire.Kind(kind)
	return d, nil
}

// SentFilter narrows ListSent.
type SentFilter struct {
	Kind         wire.Kind // edoc or status; all when empty
	MessageID    int64     // one package; all when 0
	Since, Until time.Time // bounds of the send time, when set
	Limit        int       // Limits.MaxInbox when 0 or larger
}

// SentItem is one recipient of a package the caller sent.
type SentItem struct {
	MessageID, DeliveryID int64
	Kind                  wire.Kind
	DocumentID, Subject   string
	StatusCode            string // of a status package
	Recipient             string
	State                 string // queued, acked, removed
	SentAt                time.Time
	FetchedAt, AckedAt    time.Time
	RemovedAt             time.Time
	// LastCode and LastDescription are the latest status recorded for the
	// document at this recipient (for document packages).
	LastCode, LastDescription string
}

// ListSent lists the recipients of the packages the caller sent, newest
// package first.
func (h *Hub) ListSent(ctx context.Context, caller string, f SentFilter) ([]SentItem, error) {
	q := `SELECT m.id, d.id, m.kind, m.document_id, m.subject, m.status_code, d.recipient, d.state, m.created_at,
		d.fetched_at, d.acked_at, d.removed_at,
		(SELECT s.code FROM status_log s WHERE s.doc_sender = m.sender AND s.document_id = m.document_id
			AND s.recipient = d.recipient ORDER BY s.id DESC LIMIT 1),
		(SELECT s.description FROM status_log s WHERE s.doc_sender = m.sender AND s.document_id = m.document_id
			AND s.recipient = d.recipient ORDER BY s.id DESC LIMIT 1)
		FROM message m JOIN delivery d ON d.message_id = m.id WHERE m.sender = ?`
	args := []any{caller}
	if f.Kind != "" {
		q += " AND m.kind = ?"
		args = append(args, string(f.Kind))
	}
	if f.MessageID != 0 {
		q += " AND m.id = ?"
		args = append(args, f.MessageID)
	}
	if !f.Since.IsZero() {
		q += " AND m.created_at >= ?"
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		q += " AND m.created_at <= ?"
		args = append(args, micros(f.Until))
	}
	limit := f.Limit
	if limit <= 0 || limit > h.limits.MaxInbox {
		limit = h.limits.MaxInbox
	}
	return store.Collect(ctx, h.db, func(rows *sql.Rows) (SentItem, error) {
		var it SentItem
		var kind string
		var sent int64
		var fetched, acked, removed sql.NullInt64
		var code, desc sql.NullString
		err := rows.Scan(&it.MessageID, &it.DeliveryID, &kind, &it.DocumentID, &it.Subject, &it.StatusCode, &it.Recipient,
			&it.State, &sent, &fetched, &acked, &removed, &code, &desc)
		it.Kind, it.SentAt = wire.Kind(kind), fromMicros(sent)
		it.FetchedAt, it.AckedAt, it.RemovedAt = optTime(fetched), optTime(acked), optTime(removed)
		if it.Kind == wire.KindDocument {
			it.LastCode, it.LastDescription = code.String, desc.String
		}
		return it, err
	}, q+" ORDER BY m.id DESC, d.id LIMIT ?", append(args, limit)...)
}

func optTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

// AgencyName is the name of the active agency code; an unknown or revoked
// one is ErrUnknownAgency.
func (h *Hub) AgencyName(ctx context.Context, code string) (string, error) {
	return activeAgencyName(ctx, h.db, code)
}
