package hub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// SendRequest is one package handed to the hub by an agency.
type SendRequest struct {
	// Caller is the authenticated agency.
	Caller string
	// ClientID is the client's message ID: a repeated request with the
	// same ID is answered with the first result.
	ClientID string
	// SHA256, if set, must be the hex SHA-256 of Body.
	SHA256 string
	// Kind, if set, must be the package's kind.
	Kind wire.Kind
	// To, if set, chooses the recipients among the package's To elements
	// (the axis SDKs' to header); one that the package does not name is
	// ErrRouteMismatch. Unset, the package goes to all of them.
	To   []string
	Body io.Reader
}

// Send checks, stores and queues a package: the body is spooled to disk,
// read and verified by the codec, its sender must be the caller and its
// recipients registered; then, in one transaction, the package is stored
// once by SHA-256, queued per recipient, statuses are recorded in the
// document's history, and the send is written to the audit trail.
func (h *Hub) Send(ctx context.Context, req SendRequest) (*wire.SendResult, error) {
	if err := checkClientID(req.ClientID); err != nil {
		return nil, err
	}
	prev, err := h.sentBefore(ctx, h.db, req.Caller, req.ClientID)
	if err != nil {
		return nil, err
	}
	if prev != nil && req.SHA256 != "" {
		return h.duplicate(prev, req)
	}
	sp, err := h.spool(req.Body, h.limits.MaxPackageSize)
	if err != nil {
		return nil, err
	}
	defer sp.Close()
	if prev != nil {
		if prev.SHA256 != sp.sha256 {
			return nil, fmt.Errorf("%w: %s", ErrConflict, req.ClientID)
		}
		return prev.SendResult, nil
	}
	if req.SHA256 != "" && !strings.EqualFold(req.SHA256, sp.sha256) {
		return nil, fmt.Errorf("%w: body SHA-256 %s, declared %s", ErrBadPackage, sp.sha256, req.SHA256)
	}
	route, doc, files, err := h.inspect(ctx, sp)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPackage, err)
	}
	if err := h.checkRoute(ctx, req, route); err != nil {
		return nil, err
	}
	if h.db.Dialect() == store.Postgres {
		// PostgreSQL takes concurrent writers: store the package bytes
		// before the audit chain is locked, so the serialised part of the
		// send stays small. (The same bytes are stored once; bytes whose
		// send then fails stay unreferenced.)
		if err := h.storeBefore(ctx, func(tx *store.Tx) error { return putBlob(ctx, tx, sp, micros(h.now())) }); err != nil {
			return nil, err
		}
	}
	var res *wire.SendResult
	err = h.write(ctx, func(ctx context.Context, tx *store.Tx, audit *auditLog) error {
		var err error
		res, err = h.store(ctx, tx, audit, req, route, sp)
		return err
	})
	if errors.Is(err, errSentBefore) {
		// A concurrent retry of the same send won: answer with its result.
		prev, err := h.sentBefore(ctx, h.db, req.Caller, req.ClientID)
		if err != nil || prev == nil {
			return nil, fmt.Errorf("failed to look up message: %v", err)
		}
		if prev.SHA256 != sp.sha256 {
			return nil, fmt.Errorf("%w: %s", ErrConflict, req.ClientID)
		}
		return prev.SendResult, nil
	}
	if err != nil {
		return nil, err
	}
	h.arrived.put(res.MessageID, doc, files)
	return res, nil
}

// inspect reads and verifies the spooled package. With a hook, it keeps
// the package's metadata and attachments for it (arrived.go).
func (h *Hub) inspect(ctx context.Context, sp *spooled) (*wire.Route, *wire.Document, *capture, error) {
	if h.hook == nil {
		route, err := h.codec.Inspect(ctx, sp.r, sp.size)
		return route, nil, nil, err
	}
	c := &capture{}
	in, err := h.codec.Read(ctx, sp.r, sp.size, c.sink)
	if err != nil {
		return nil, nil, nil, err
	}
	return &in.Route, in.Document, c, nil
}

// errSentBefore means the message ID was stored by another request
// between the first look-up and the write.
var errSentBefore = errors.New("hub: message sent before")

func (h *Hub) duplicate(prev *previous, req SendRequest) (*wire.SendResult, error) {
	// Drain a little of the body so the client sees the answer, not a
	// reset; the package itself is not needed.
	_, _ = io.CopyN(io.Discard, req.Body, 1<<16)
	if req.SHA256 != "" && !strings.EqualFold(req.SHA256, prev.SHA256) {
		return nil, fmt.Errorf("%w: %s", ErrConflict, req.ClientID)
	}
	return prev.SendResult, nil
}

func checkClientID(id string) error {
	if id == "" || len(id) > 128 {
		return fmt.Errorf("%w: message ID must be 1 to 128 characters", ErrBadRequest)
	}
	for _, c := range id {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("%w: message ID must be printable ASCII", ErrBadRequest)
		}
	}
	return nil
}

// previous is an earlier send with the same client ID.
type previous struct {
	*wire.SendResult
}

func (h *Hub) sentBefore(ctx context.Context, q store.Querier, caller, clientID string) (*previous, error) {
	var r wire.SendResult
	var at int64
	err := q.QueryRow(ctx, "SELECT id, document_id, sha256, created_at FROM message WHERE sender = ? AND client_id = ?",
		caller, clientID).Scan(&r.MessageID, &r.DocumentID, &r.SHA256, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to look up message: %w", err)
	}
	rows, err := q.Query(ctx, "SELECT recipient FROM delivery WHERE message_id = ? ORDER BY id", r.MessageID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var to string
		if err := rows.Scan(&to); err != nil {
			return nil, err
		}
		r.Recipients = append(r.Recipients, to)
	}
	r.ClientID, r.Duplicate, r.At = clientID, true, fromMicros(at)
	return &previous{SendResult: &r}, rows.Err()
}

// checkRoute holds the package to what the caller may send.
func (h *Hub) checkRoute(ctx context.Context, req SendRequest, r *wire.Route) error {
	if r.From != req.Caller {
		return fmt.Errorf("%w: the package is from %q, the connection is %q's", ErrForbidden, r.From, req.Caller)
	}
	if req.Kind != "" && req.Kind != r.Kind {
		return fmt.Errorf("%w: declared %s, the package is %s", ErrBadPackage, req.Kind, r.Kind)
	}
	if r.Kind != wire.KindDocument && r.Kind != wire.KindStatus {
		return fmt.Errorf("%w: unknown kind %q", ErrBadPackage, r.Kind)
	}
	if r.Kind == wire.KindStatus && !wire.ValidStatus(r.StatusCode) {
		return fmt.Errorf("%w: status code %q", ErrBadPackage, r.StatusCode)
	}
	if r.DocumentID == "" {
		return fmt.Errorf("%w: no document ID", ErrBadPackage)
	}
	r.To = dedupe(r.To)
	if to := dedupe(req.To); len(to) > 0 {
		for _, c := range to {
			if !slices.Contains(r.To, c) {
				return fmt.Errorf("%w: %s is not among the package's recipients %v", ErrRouteMismatch, c, r.To)
			}
		}
		r.To = to
	}
	if len(r.To) == 0 {
		return fmt.Errorf("%w: no recipient", ErrBadPackage)
	}
	if len(r.To) > h.limits.MaxRecipients {
		return fmt.Errorf("%w: %d recipients, at most %d", ErrTooManyRecipients, len(r.To), h.limits.MaxRecipients)
	}
	for _, to := range r.To {
		if to == req.Caller {
			return fmt.Errorf("%w: an agency cannot send to itself", ErrBadPackage)
		}
		if _, err := activeAgencyName(ctx, h.db, to); err != nil {
			return err
		}
	}
	return nil
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// store writes the package, its deliveries, the status history and the
// audit entry in tx.
func (h *Hub) store(ctx context.Context, tx *store.Tx, audit *auditLog, req SendRequest, r *wire.Route, sp *spooled) (*wire.SendResult, error) {
	var err error
	now := h.now()
	at := micros(now)
	var effects []statusEffect
	if r.Kind == wire.KindStatus {
		if effects, err = h.statusEffects(ctx, tx, req.Caller, r); err != nil {
			return nil, err
		}
	}
	if tx.Dialect() != store.Postgres { // stored before the write on PostgreSQL
		if err := putBlob(ctx, tx, sp, at); err != nil {
			return nil, err
		}
	}
	id, err := store.InsertID(ctx, tx, `INSERT INTO message (sender, client_id, kind, document_id, business_type,
		status_code, description, subject, sha256, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sender, client_id) DO NOTHING RETURNING id`,
		req.Caller, req.ClientID, string(r.Kind), r.DocumentID, r.BusinessType, r.StatusCode,
		truncate(r.Description, 2000), truncate(r.Subject, 1000), sp.sha256, sp.size, at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSentBefore
	}
	if err != nil {
		return nil, fmt.Errorf("failed to record message: %w", err)
	}
	for _, to := range r.To {
		if _, err := tx.Exec(ctx, "INSERT INTO delivery (message_id, recipient, state, queued_at) VALUES (?, ?, 'queued', ?)",
			id, to, at); err != nil {
			return nil, fmt.Errorf("failed to queue message: %w", err)
		}
		if err := tx.Notify(ctx, inboxChannel, to); err != nil {
			return nil, err
		}
	}
	action := ActSend
	if r.Kind == wire.KindStatus {
		action = ActStatus
	}
	if err := audit.add(ctx, tx, now, req.Caller, action, r.DocumentID, map[string]any{
		"message": id, "client_id": req.ClientID, "to": r.To, "kind": r.Kind, "business_type": r.BusinessType,
		"status": r.StatusCode, "sha256": sp.sha256, "size": sp.size}); err != nil {
		return nil, err
	}
	for _, e := range effects {
		if err := h.applyStatus(ctx, tx, audit, e, id, now); err != nil {
			return nil, err
		}
	}
	res := &wire.SendResult{MessageID: id, ClientID: req.ClientID, DocumentID: r.DocumentID, SHA256: sp.sha256,
		Recipients: r.To, At: now}
	return res, h.queueHook(ctx, tx, res, r)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
