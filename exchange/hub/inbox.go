package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// Inbox lists the caller's queued deliveries after delivery ID after. With
// wait > 0 and nothing queued it waits (up to Limits.MaxWait) for a package
// to arrive — from this or any other hub process on the same database.
func (h *Hub) Inbox(ctx context.Context, caller string, after int64, wait time.Duration) ([]wire.InboxItem, error) {
	if wait > h.limits.MaxWait {
		wait = h.limits.MaxWait
	}
	var sub *store.Subscription
	if wait > 0 {
		var err error
		if sub, err = h.db.Subscribe(inboxChannel, caller); err != nil {
			return nil, err
		}
		defer sub.Close()
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		items, err := h.listInbox(ctx, caller, after)
		if err != nil || len(items) > 0 || wait <= 0 {
			return items, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, nil
		case <-sub.C:
		}
	}
}

func (h *Hub) listInbox(ctx context.Context, caller string, after int64) ([]wire.InboxItem, error) {
	return h.ListInbox(ctx, caller, InboxFilter{After: after})
}

// InboxFilter narrows ListInbox.
type InboxFilter struct {
	// Kind, if set, keeps one kind of package.
	Kind wire.Kind
	// After keeps deliveries with a greater ID.
	After int64
	// Since and Until, if set, bound the time a delivery was queued.
	Since, Until time.Time
	// Limit caps the answer (Limits.MaxInbox when 0 or larger).
	Limit int
}

// ListInbox lists the caller's queued deliveries, oldest first, without
// waiting.
func (h *Hub) ListInbox(ctx context.Context, caller string, f InboxFilter) ([]wire.InboxItem, error) {
	q, args := inboxQuery("SELECT d.id, m.id, m.kind, m.sender, m.document_id, m.business_type, m.status_code, "+
		"m.description, m.subject, m.size, m.sha256, d.queued_at, d.fetched_at", caller, f)
	limit := f.Limit
	if limit <= 0 || limit > h.limits.MaxInbox {
		limit = h.limits.MaxInbox
	}
	rows, err := h.db.Query(ctx, q+" ORDER BY d.id LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("failed to list inbox: %w", err)
	}
	defer rows.Close()
	var out []wire.InboxItem
	for rows.Next() {
		var it wire.InboxItem
		var kind string
		var queued int64
		var fetched sql.NullInt64
		if err := rows.Scan(&it.DeliveryID, &it.MessageID, &kind, &it.From, &it.DocumentID, &it.BusinessType,
			&it.StatusCode, &it.Description, &it.Subject, &it.Size, &it.SHA256, &queued, &fetched); err != nil {
			return nil, err
		}
		it.Kind, it.QueuedAt, it.Fetched = wire.Kind(kind), fromMicros(queued), fetched.Valid
		out = append(out, it)
	}
	return out, rows.Err()
}

// CountInbox counts the caller's queued deliveries that f keeps (its
// Limit aside).
func (h *Hub) CountInbox(ctx context.Context, caller string, f InboxFilter) (int, error) {
	q, args := inboxQuery("SELECT count(*)", caller, f)
	var n int
	if err := h.db.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("failed to count inbox: %w", err)
	}
	return n, nil
}

func inboxQuery(sel, caller string, f InboxFilter) (string, []any) {
	q := sel + ` FROM delivery d JOIN message m ON m.id = d.message_id
		WHERE d.recipient = ? AND d.state = 'queued' AND d.id > ?`
	args := []any{caller, f.After}
	if f.Kind != "" {
		q += " AND m.kind = ?"
		args = append(args, string(f.Kind))
	}
	if !f.Since.IsZero() {
		q += " AND d.queued_at >= ?"
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		q += " AND d.queued_at <= ?"
		args = append(args, micros(f.Until))
	}
	return q, args
}

// Package is a delivery's package being fetched.
type Package struct {
	DeliveryID int64
	Size       int64
	SHA256     string
	Body       io.Reader
}

// Fetch opens the package of one of the caller's deliveries and records the
// fetch. Another agency's delivery is ErrForbidden; an unknown, removed or
// acknowledged one is ErrNotFound.
func (h *Hub) Fetch(ctx context.Context, caller string, deliveryID int64) (*Package, error) {
	now := h.now()
	// The delivery is looked up before the write, outside the serialised
	// part; the write records the fetch only if it is still queued.
	var recipient, state, sha, doc string
	var size int64
	err := h.db.QueryRow(ctx, `SELECT d.recipient, d.state, m.sha256, m.size, m.document_id FROM delivery d
		JOIN message m ON m.id = d.message_id WHERE d.id = ?`, deliveryID).Scan(&recipient, &state, &sha, &size, &doc)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("%w: delivery %d", ErrNotFound, deliveryID)
	case err != nil:
		return nil, err
	case recipient != caller:
		return nil, fmt.Errorf("%w: delivery %d is not addressed to %s", ErrForbidden, deliveryID, caller)
	case state != "queued":
		return nil, fmt.Errorf("%w: delivery %d is %s", ErrNotFound, deliveryID, state)
	}
	err = h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		r, err := tx.Exec(ctx, "UPDATE delivery SET fetched_at = COALESCE(fetched_at, ?) WHERE id = ? AND state = 'queued'", micros(now), deliveryID)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, fmt.Errorf("%w: delivery %d is no longer queued", ErrNotFound, deliveryID))
		}
		return audit.add(ctx, tx, now, caller, ActFetch, doc, map[string]any{"delivery": deliveryID})
	})
	if err != nil {
		return nil, err
	}
	return &Package{DeliveryID: deliveryID, Size: size, SHA256: sha, Body: h.openBlob(ctx, sha)}, nil
}

type ackTarget struct {
	delivery                       int64
	kind, sender, recipient, state string
	documentID                     string
}

// Ack acknowledges the caller's deliveries: each leaves the inbox, and for
// a document the hub emits status 01 (arrived) to its sender. Acknowledging
// twice is harmless; any delivery of another agency fails the whole call.
func (h *Hub) Ack(ctx context.Context, caller string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > h.limits.MaxInbox {
		return fmt.Errorf("%w: at most %d acknowledgements at once", ErrBadRequest, h.limits.MaxInbox)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	now := h.now()
	// The deliveries are looked up and the status packages signed (and, on
	// PostgreSQL, stored) before the write, outside the serialised part.
	targets, err := ackTargets(ctx, h.db, caller, ids)
	if err != nil {
		return err
	}
	pre, err := h.prepareArrivals(ctx, targets, now)
	if err != nil {
		return err
	}
	return h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		acked, err := ackQueued(ctx, tx, caller, ids, now)
		if err != nil {
			return err
		}
		pkgs, err := h.storeArrivals(ctx, tx, targets, acked, pre, now)
		if err != nil {
			return err
		}
		var docs []ackTarget
		for _, t := range targets {
			if !acked[t.delivery] {
				continue // acknowledged before, or removed by a recall
			}
			if err := audit.add(ctx, tx, now, caller, ActAck, t.documentID, map[string]any{"delivery": t.delivery}); err != nil {
				return err
			}
			if t.kind == string(wire.KindDocument) {
				docs = append(docs, t)
			}
		}
		return h.emitArrivals(ctx, tx, docs, pkgs, now)
	})
}

// ackTargets looks up the deliveries ids (sorted, distinct), which must all
// be caller's.
func ackTargets(ctx context.Context, q store.Querier, caller string, ids []int64) ([]ackTarget, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	targets, err := store.Collect(ctx, q, func(rows *sql.Rows) (ackTarget, error) {
		var t ackTarget
		err := rows.Scan(&t.delivery, &t.kind, &t.sender, &t.recipient, &t.state, &t.documentID)
		return t, err
	}, `SELECT d.id, m.kind, m.sender, d.recipient, d.state, m.document_id FROM delivery d
		JOIN message m ON m.id = d.message_id WHERE d.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY d.id`, args...)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if i >= len(targets) || targets[i].delivery != id {
			return nil, fmt.Errorf("%w: delivery %d", ErrNotFound, id)
		}
		if targets[i].recipient != caller {
			return nil, fmt.Errorf("%w: delivery %d is not addressed to %s", ErrForbidden, id, caller)
		}
	}
	return targets, nil
}

// prepareArrivals signs the status 01 of each queued document delivery of
// targets; on PostgreSQL it also stores them.
func (h *Hub) prepareArrivals(ctx context.Context, targets []ackTarget, now time.Time) (map[int64]*memBlob, error) {
	pre := map[int64]*memBlob{}
	var blobs []*memBlob
	for _, t := range targets {
		if t.state == "queued" && t.kind == string(wire.KindDocument) {
			pkg, err := h.arrivedPackage(ctx, t, now)
			if err != nil {
				return nil, err
			}
			pre[t.delivery] = pkg
			blobs = append(blobs, pkg)
		}
	}
	if h.db.Dialect() != store.Postgres || len(blobs) == 0 {
		return pre, nil // stored in the write
	}
	return pre, h.storeBefore(ctx, func(tx *store.Tx) error { return putMemBlobs(ctx, tx, blobs, micros(now)) })
}

// storeArrivals returns the status 01 packages of the acknowledged
// documents, storing in the write those prepareArrivals did not: all of
// them on SQLite; on PostgreSQL only those of deliveries that were not
// queued at the look-up (which cannot happen, but stay correct).
func (h *Hub) storeArrivals(ctx context.Context, tx *store.Tx, targets []ackTarget, acked map[int64]bool, pre map[int64]*memBlob, now time.Time) (map[int64]*memBlob, error) {
	pkgs := map[int64]*memBlob{}
	var blobs []*memBlob
	for _, t := range targets {
		if !acked[t.delivery] || t.kind != string(wire.KindDocument) {
			continue
		}
		pkg, ok := pre[t.delivery]
		if !ok {
			var err error
			if pkg, err = h.arrivedPackage(ctx, t, now); err != nil {
				return nil, err
			}
		}
		pkgs[t.delivery] = pkg
		if !ok || tx.Dialect() != store.Postgres {
			blobs = append(blobs, pkg)
		}
	}
	return pkgs, putMemBlobs(ctx, tx, blobs, micros(now))
}

// ackQueued marks those of ids that are still queued for caller as
// acknowledged and returns them.
func ackQueued(ctx context.Context, tx *store.Tx, caller string, ids []int64, now time.Time) (map[int64]bool, error) {
	args := []any{micros(now), caller}
	for _, id := range ids {
		args = append(args, id)
	}
	done, err := store.Collect(ctx, tx, func(rows *sql.Rows) (int64, error) {
		var id int64
		return id, rows.Scan(&id)
	}, `UPDATE delivery SET state = 'acked', acked_at = ? WHERE recipient = ? AND state = 'queued'
		AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) RETURNING id`, args...)
	if err != nil {
		return nil, fmt.Errorf("failed to acknowledge: %w", err)
	}
	acked := make(map[int64]bool, len(done))
	for _, id := range done {
		acked[id] = true
	}
	return acked, nil
}

// DocStatus is the per-recipient history of a document the caller sent.
func (h *Hub) DocStatus(ctx context.Context, caller, docID string) (*wire.DocStatus, error) {
	ds := &wire.DocStatus{DocumentID: docID, Sender: caller, Recipients: map[string][]wire.StatusEntry{}}
	rows, err := h.db.Query(ctx, `SELECT d.recipient, d.queued_at, d.state FROM delivery d JOIN message m ON m.id = d.message_id
		WHERE m.sender = ? AND m.document_id = ? AND m.kind = 'edoc' ORDER BY d.id`, caller, docID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var to, state string
		var at int64
		if err := rows.Scan(&to, &at, &state); err != nil {
			rows.Close()
			return nil, err
		}
		ds.Recipients[to] = append(ds.Recipients[to], wire.StatusEntry{Recipient: to, Code: "", Description: "queued", By: caller, At: fromMicros(at)})
	}
	rows.Close()
	if len(ds.Recipients) == 0 {
		return nil, fmt.Errorf("%w: %s sent no document %s", ErrNotFound, caller, docID)
	}
	rows, err = h.db.Query(ctx, `SELECT recipient, code, description, by_agency, at FROM status_log
		WHERE doc_sender = ? AND document_id = ? ORDER BY id`, caller, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e wire.StatusEntry
		var at int64
		if err := rows.Scan(&e.Recipient, &e.Code, &e.Description, &e.By, &at); err != nil {
			return nil, err
		}
		e.At = fromMicros(at)
		ds.Recipients[e.Recipient] = append(ds.Recipients[e.Recipient], e)
	}
	return ds, rows.Err()
}
