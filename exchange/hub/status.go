package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// statusEffect is one history entry a status package makes, and for an
// accepted recall the delivery it removes.
type statusEffect struct {
	docSender, recipient, code, description, by, documentID string
	removeDelivery                                          int64
}

// statusEffects checks that a status package answers a document of the
// agencies involved and returns what it records:
//   - 13 (recall request) comes from the document's sender to recipients
//     it was sent to;
//   - every other status comes from a recipient of the document to its
//     sender; 15/16 answer a recall request, and 15 removes the
//     recipient's copy.
func (h *Hub) statusEffects(ctx context.Context, tx *store.Tx, caller string, r *wire.Route) ([]statusEffect, error) {
	var out []statusEffect
	if r.StatusCode == wire.StatusRecallRequest {
		for _, to := range r.To {
			if _, err := documentDelivery(ctx, tx, caller, r.DocumentID, to); err != nil {
				return nil, err
			}
			out = append(out, statusEffect{docSender: caller, recipient: to, code: r.StatusCode,
				description: r.Description, by: caller, documentID: r.DocumentID})
		}
		return out, nil
	}
	if len(r.To) != 1 {
		return nil, fmt.Errorf("%w: a status goes to the document's sender only", ErrRecallNotAllowed)
	}
	sender := r.To[0]
	delivery, err := documentDelivery(ctx, tx, sender, r.DocumentID, caller)
	if err != nil {
		return nil, err
	}
	e := statusEffect{docSender: sender, recipient: caller, code: r.StatusCode, description: r.Description,
		by: caller, documentID: r.DocumentID}
	if r.StatusCode == wire.StatusRecallAccepted || r.StatusCode == wire.StatusRecallRefused {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM status_log WHERE doc_sender = ? AND document_id = ?
			AND recipient = ? AND code = ?`, sender, r.DocumentID, caller, wire.StatusRecallRequest).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: no recall was asked for %s", ErrRecallNotAllowed, r.DocumentID)
		}
		if r.StatusCode == wire.StatusRecallAccepted {
			e.removeDelivery = delivery
		}
	}
	return append(out, e), nil
}

// documentDelivery finds the delivery of document docID from sender to
// recipient (the latest package of that document).
func documentDelivery(ctx context.Context, q store.Querier, sender, docID, recipient string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT d.id FROM delivery d JOIN message m ON m.id = d.message_id
		WHERE m.sender = ? AND m.document_id = ? AND m.kind = 'edoc' AND d.recipient = ?
		ORDER BY d.id DESC LIMIT 1`, sender, docID, recipient).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: %s did not send %s to %s", ErrRecallNotAllowed, sender, docID, recipient)
	}
	return id, err
}

func (h *Hub) applyStatus(ctx context.Context, tx *store.Tx, audit *auditLog, e statusEffect, messageID int64, now time.Time) error {
	var mid any
	if messageID != 0 {
		mid = messageID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO status_log (doc_sender, document_id, recipient, code, description, by_agency, message_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.docSender, e.documentID, e.recipient, e.code, truncate(e.description, 2000),
		e.by, mid, micros(now)); err != nil {
		return fmt.Errorf("failed to record status: %w", err)
	}
	switch e.code {
	case wire.StatusRecallRequest:
		return audit.add(ctx, tx, now, e.by, ActRecall, e.documentID, map[string]string{"recipient": e.recipient, "reason": e.description})
	case wire.StatusRecallAccepted, wire.StatusRecallRefused:
		if err := audit.add(ctx, tx, now, e.by, ActRecallAnswer, e.documentID, map[string]string{"sender": e.docSender, "code": e.code}); err != nil {
			return err
		}
	}
	if e.removeDelivery != 0 {
		if _, err := tx.Exec(ctx, "UPDATE delivery SET state = 'removed', removed_at = ? WHERE id = ?", micros(now), e.removeDelivery); err != nil {
			return err
		}
		return audit.add(ctx, tx, now, e.by, ActRemoved, e.documentID, map[string]any{"delivery": e.removeDelivery, "recipient": e.recipient})
	}
	return nil
}

// arrivedStatus is the status 01 the hub emits for an acknowledged
// document delivery.
func arrivedStatus(d ackTarget, now time.Time) wire.Status {
	return wire.Status{
		From:        wire.Organization{Code: d.recipient},
		To:          wire.Organization{Code: d.sender},
		DocumentID:  d.documentID,
		Code:        wire.StatusArrived,
		Description: "Đã đến",
		Staff:       "vanthu hub",
		At:          now,
	}
}

// arrivedPackage signs the status 01 package of d.
func (h *Hub) arrivedPackage(ctx context.Context, d ackTarget, now time.Time) (*memBlob, error) {
	var buf bytes.Buffer
	if _, err := h.codec.WriteStatus(ctx, &buf, arrivedStatus(d, now), h.signer, h.chain); err != nil {
		return nil, fmt.Errorf("failed to write status 01: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &memBlob{data: buf.Bytes(), sha: hex.EncodeToString(sum[:])}, nil
}

// emitArrivals queues the hub's status 01 packages of acknowledged
// document deliveries — each from the recipient's side to the sender, like
// any other status — and records them in the history, a hundred per
// statement. The packages themselves are stored before. Of what
// applyStatus does, a status 01 needs only its status_log row: it asks no
// audit entry of its own (the acknowledgement has one) and removes nothing.
func (h *Hub) emitArrivals(ctx context.Context, tx *store.Tx, ds []ackTarget, pkgs map[int64]*memBlob, now time.Time) error {
	at := micros(now)
	for rest := ds; len(rest) > 0; {
		part := rest[:min(len(rest), 100)]
		rest = rest[len(part):]
		var margs []any
		for _, d := range part {
			pkg := pkgs[d.delivery]
			margs = append(margs, d.recipient, arrivedClientID(d), d.documentID, wire.StatusArrived,
				arrivedStatus(d, now).Description, pkg.sha, len(pkg.data), at)
		}
		type inserted struct {
			id       int64
			clientID string
		}
		rows, err := store.Collect(ctx, tx, func(r *sql.Rows) (inserted, error) {
			var x inserted
			return x, r.Scan(&x.id, &x.clientID)
		}, `INSERT INTO message (sender, client_id, kind, document_id, status_code, description, sha256, size, created_at)
			VALUES (?, ?, 'status', ?, ?, ?, ?, ?, ?)`+strings.Repeat(", (?, ?, 'status', ?, ?, ?, ?, ?, ?)", len(part)-1)+
			" RETURNING id, client_id", margs...)
		if err != nil {
			return fmt.Errorf("failed to record status 01: %w", err)
		}
		ids := make(map[string]int64, len(rows))
		for _, x := range rows {
			ids[x.clientID] = x.id
		}
		var dargs, sargs []any
		for _, d := range part {
			id, ok := ids[arrivedClientID(d)]
			if !ok {
				return fmt.Errorf("failed to record status 01 of delivery %d", d.delivery)
			}
			dargs = append(dargs, id, d.sender, at)
			sargs = append(sargs, d.sender, d.documentID, d.recipient, wire.StatusArrived, truncate(arrivedStatus(d, now).Description, 2000),
				d.recipient, id, at)
			if err := tx.Notify(ctx, inboxChannel, d.sender); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "INSERT INTO delivery (message_id, recipient, state, queued_at) VALUES (?, ?, 'queued', ?)"+
			strings.Repeat(", (?, ?, 'queued', ?)", len(part)-1), dargs...); err != nil {
			return fmt.Errorf("failed to queue status 01: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO status_log (doc_sender, document_id, recipient, code, description, by_agency, message_id, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`+strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?)", len(part)-1), sargs...); err != nil {
			return fmt.Errorf("failed to record status: %w", err)
		}
	}
	return nil
}

// arrivedClientID is the message ID of the status 01 the hub emits for a
// delivery.
func arrivedClientID(d ackTarget) string { return fmt.Sprintf("hub-01-%d", d.delivery) }

type memBlob struct {
	data []byte
	sha  string
}

// putMemBlobs stores small packages (one piece each), a hundred per
// statement.
func putMemBlobs(ctx context.Context, tx *store.Tx, blobs []*memBlob, at int64) error {
	for rest := blobs; len(rest) > 0; {
		part := rest[:min(len(rest), 100)]
		rest = rest[len(part):]
		var heads, pieces []any
		for _, b := range part {
			heads = append(heads, b.sha, len(b.data), at)
			pieces = append(pieces, b.sha, b.data)
		}
		rows := strings.Repeat(", (?, ?, ?)", len(part)-1)
		if _, err := tx.Exec(ctx, "INSERT INTO blob (sha256, size, created_at) VALUES (?, ?, ?)"+rows+
			" ON CONFLICT (sha256) DO NOTHING", heads...); err != nil {
			return fmt.Errorf("failed to store status package: %w", err)
		}
		rows = strings.Repeat(", (?, 0, ?)", len(part)-1)
		if _, err := tx.Exec(ctx, "INSERT INTO blob_chunk (sha256, seq, data) VALUES (?, 0, ?)"+rows+
			" ON CONFLICT (sha256, seq) DO NOTHING", pieces...); err != nil {
			return fmt.Errorf("failed to store status package: %w", err)
		}
	}
	return nil
}
