package client

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/fsutil"
)

// Outbox states.
const (
	OutboxPending = "pending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// OutgoingDocument is one signed PDF to send.
type OutgoingDocument struct {
	Path       string
	DocumentID string // OrganId,yyyy/MM/dd,Number/Notation
	Number     string
	Notation   string
	Date       time.Time
	Type       string
	Subject    string
	Priority   int
	// BusinessType is wire.BusinessNew (default), BusinessUpdate or
	// BusinessReplace; ReplacesID the document concerned.
	BusinessType int
	ReplacesID   string
	Reason       string
}

// QueueProgress reports one step of QueueDocuments.
type QueueProgress struct {
	Index, Total int
	File         string
	DocumentID   string
	Stage        string // "checking", "packing", "queued", "skipped", "failed"
	Err          error
}

// QueueResult is one document's outcome.
type QueueResult struct {
	File       string
	DocumentID string
	OutboxID   int64
	Skipped    bool // already in the outbox (a re-run of the same batch)
	Err        error
}

// CheckOutgoing verifies that path is a validly signed PDF: official
// documents leave only signed.
func (c *Client) CheckOutgoing(ctx context.Context, path string) error {
	v := c.opts.Verify(ctx, path)
	if v.Status != VerdictValid {
		return fmt.Errorf("%w: %s: %s %s", ErrNotSigned, filepath.Base(path), v.Status, v.Detail)
	}
	return nil
}

// QueueDocuments checks, packs and signs each document for recipients
// to and puts it in the outbox; Deliver sends them. A document already in
// the outbox (same document ID and business type) is skipped, so re-running
// an interrupted batch never makes a second copy. One document's failure
// does not stop the others; the error is non-nil only for the batch as a
// whole (cancellation, the database).
func (c *Client) QueueDocuments(ctx context.Context, docs []OutgoingDocument, to []wire.Organization, s Signer, progress func(QueueProgress)) ([]QueueResult, error) {
	if len(to) == 0 {
		return nil, ErrNoRecipient
	}
	if progress == nil {
		progress = func(QueueProgress) {}
	}
	out := make([]QueueResult, 0, len(docs))
	for i, d := range docs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		p := QueueProgress{Index: i, Total: len(docs), File: d.Path, DocumentID: d.DocumentID}
		res := QueueResult{File: d.Path, DocumentID: d.DocumentID}
		res.OutboxID, res.Skipped, res.Err = c.queueDocument(ctx, d, to, s, func(stage string) {
			p.Stage = stage
			progress(p)
		})
		switch {
		case errors.Is(res.Err, context.Canceled) || errors.Is(res.Err, context.DeadlineExceeded):
			return out, res.Err
		case res.Err != nil:
			p.Stage, p.Err = "failed", res.Err
		case res.Skipped:
			p.Stage = "skipped"
		default:
			p.Stage = "queued"
		}
		progress(p)
		out = append(out, res)
	}
	c.kick()
	return out, nil
}

func (c *Client) queueDocument(ctx context.Context, d OutgoingDocument, to []wire.Organization, s Signer, stage func(string)) (int64, bool, error) {
	key := fmt.Sprintf("edoc|%s|%d", d.DocumentID, d.BusinessType)
	if id, ok, err := c.outboxByKey(ctx, key); err != nil || ok {
		return id, ok, err
	}
	stage("checking")
	if err := c.CheckOutgoing(ctx, d.Path); err != nil {
		return 0, false, err
	}
	st, err := os.Stat(d.Path)
	if err != nil {
		return 0, false, err
	}
	stage("packing")
	doc := wire.Document{
		From: c.opts.Agency, To: to, DocumentID: d.DocumentID, Number: d.Number, Notation: d.Notation,
		Date: d.Date, Type: d.Type, Subject: d.Subject, Priority: d.Priority,
		BusinessType: d.BusinessType, ReplacesID: d.ReplacesID, Reason: d.Reason,
		Files: []wire.File{{Name: filepath.Base(d.Path), ContentType: "application/pdf", Size: st.Size(),
			Open: func() (io.ReadCloser, error) { return os.Open(d.Path) }}},
	}
	var route wire.Route
	entry, err := c.writePackage(func(w io.Writer) error {
		var err error
		route, err = c.codec.WriteDocument(ctx, w, doc, s.Key, s.Chain)
		return err
	})
	if err != nil {
		return 0, false, err
	}
	entry.key, entry.kind, entry.docID, entry.businessType = key, wire.KindDocument, d.DocumentID, d.BusinessType
	entry.recipients, entry.subject, entry.fileName = route.To, d.Subject, filepath.Base(d.Path)
	return c.insertOutbox(ctx, entry)
}

type outboxEntry struct {
	key, clientID, path, sha string
	size                     int64
	kind                     wire.Kind
	docID, statusCode        string
	businessType             int
	recipients               []string
	subject, fileName        string
}

func newClientID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// writePackage writes a package atomically into outbox/ under a new
// client ID, hashing it on the way.
func (c *Client) writePackage(write func(io.Writer) error) (*outboxEntry, error) {
	e := &outboxEntry{clientID: newClientID()}
	e.path = filepath.Join(c.opts.DataDir, "outbox", e.clientID+".pkg")
	h := sha256.New()
	err := fsutil.Write(e.path, 0o600, func(w io.Writer) error {
		cw := &countWriter{w: io.MultiWriter(w, h)}
		if err := write(cw); err != nil {
			return err
		}
		e.size = cw.n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("failed to write package: %w", err)
	}
	e.sha = hex.EncodeToString(h.Sum(nil))
	return e, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *Client) outboxByKey(ctx context.Context, key string) (int64, bool, error) {
	var id int64
	err := c.db.QueryRow(ctx, "SELECT id FROM outbox WHERE dedupe_key = ?", key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

func (c *Client) insertOutbox(ctx context.Context, e *outboxEntry) (int64, bool, error) {
	to, _ := json.Marshal(e.recipients)
	now := c.now().UnixMicro()
	var id int64
	skipped := false
	err := c.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = store.InsertID(ctx, tx, `INSERT INTO outbox (client_id, dedupe_key, kind, document_id, business_type,
			status_code, recipients, subject, file_name, package_path, size, sha256, state, next_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
			e.clientID, e.key, string(e.kind), e.docID, e.businessType, e.statusCode, string(to), e.subject,
			e.fileName, e.path, e.size, e.sha, now, now)
		if store.IsUniqueViolation(err) {
			skipped = true
			return tx.QueryRow(ctx, "SELECT id FROM outbox WHERE dedupe_key = ?", e.key).Scan(&id)
		}
		if err != nil {
			return err
		}
		return c.logf(ctx, tx, "queued", e.docID, map[string]any{"kind": e.kind, "to": e.recipients, "status": e.statusCode})
	})
	if skipped || err != nil {
		_ = os.Remove(e.path)
	}
	return id, skipped, err
}

// queueStatus packs and queues a status package.
func (c *Client) queueStatus(ctx context.Context, st wire.Status, s Signer) (int64, error) {
	key := fmt.Sprintf("status|%s|%s|%s|%s", st.DocumentID, st.To.Code, st.Code, newClientID())
	st.From = c.opts.Agency
	if st.At.IsZero() {
		st.At = c.now()
	}
	e, err := c.writePackage(func(w io.Writer) error {
		_, err := c.codec.WriteStatus(ctx, w, st, s.Key, s.Chain)
		return err
	})
	if err != nil {
		return 0, err
	}
	e.key, e.kind, e.docID, e.statusCode, e.recipients = key, wire.KindStatus, st.DocumentID, st.Code, []string{st.To.Code}
	id, _, err := c.insertOutbox(ctx, e)
	c.kick()
	return id, err
}

// OutboxEntry is what waits in (or went through) the outbox.
type OutboxEntry struct {
	ID           int64     `json:"id"`
	ClientID     string    `json:"client_id"`
	Kind         wire.Kind `json:"kind"`
	DocumentID   string    `json:"document_id"`
	StatusCode   string    `json:"status_code,omitempty"`
	Recipients   []string  `json:"recipients"`
	File         string    `json:"file,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	Size         int64     `json:"size"`
	State        string    `json:"state"`
	Attempts     int       `json:"attempts"`
	NextAttempt  time.Time `json:"next_attempt"`
	LastError    string    `json:"last_error,omitempty"`
	HubMessageID int64     `json:"hub_message_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	SentAt       time.Time `json:"sent_at,omitzero"`
	path, sha    string
}

const outboxColumns = `id, client_id, kind, document_id, status_code, recipients, file_name, subject, size, state,
	attempts, next_at, last_error, hub_message_id, created_at, sent_at, package_path, sha256`

func scanOutbox(rows *sql.Rows) (OutboxEntry, error) {
	var e OutboxEntry
	var kind, to string
	var next, created int64
	var hubID, sent sql.NullInt64
	err := rows.Scan(&e.ID, &e.ClientID, &kind, &e.DocumentID, &e.StatusCode, &to, &e.File, &e.Subject, &e.Size,
		&e.State, &e.Attempts, &next, &e.LastError, &hubID, &created, &sent, &e.path, &e.sha)
	if err != nil {
		return e, err
	}
	e.Kind = wire.Kind(kind)
	_ = json.Unmarshal([]byte(to), &e.Recipients)
	e.NextAttempt, e.CreatedAt = time.UnixMicro(next), time.UnixMicro(created)
	e.HubMessageID = hubID.Int64
	if sent.Valid {
		e.SentAt = time.UnixMicro(sent.Int64)
	}
	return e, nil
}

// Outbox lists entries; with all false only those not yet sent.
func (c *Client) Outbox(ctx context.Context, all bool) ([]OutboxEntry, error) {
	q := "SELECT " + outboxColumns + " FROM outbox WHERE state <> 'sent' ORDER BY id"
	if all {
		q = "SELECT " + outboxColumns + " FROM outbox ORDER BY id"
	}
	return c.queryOutbox(ctx, q)
}

func (c *Client) queryOutbox(ctx context.Context, q string, args ...any) ([]OutboxEntry, error) {
	return store.Collect(ctx, c.db, scanOutbox, q, args...)
}

// DeliverProgress reports one attempt of Deliver.
type DeliverProgress struct {
	Entry   OutboxEntry
	State   string // "sent", "retry", "failed"
	Result  *wire.SendResult
	Err     error
	Pending int // entries still waiting after this one
}

// DeliverOptions tune Deliver.
type DeliverOptions struct {
	// Wait keeps Deliver running, retrying with backoff, until nothing is
	// pending (or ctx ends). Without it Deliver makes one pass over what
	// is due and returns.
	Wait bool
	// Concurrency is how many sends run at once (default 4).
	Concurrency int
}

// DeliverSummary counts what Deliver did.
type DeliverSummary struct {
	Sent, Failed, Retried, Pending int
}

// Deliver sends what is due in the outbox: each entry under its own client
// ID, so a send that reached the hub before a crash or a timeout is
// answered as a duplicate, never stored twice. Temporary failures
// (unreachable hub, server errors, rate limits) are retried with
// exponential backoff; a refusal by the hub marks the entry failed.
func (c *Client) Deliver(ctx context.Context, opts DeliverOptions, progress func(DeliverProgress)) (DeliverSummary, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if progress == nil {
		progress = func(DeliverProgress) {}
	}
	var sum DeliverSummary
	for pass := 0; ; pass++ {
		due, err := c.due(ctx)
		if err != nil {
			return sum, err
		}
		if len(due) > 0 && (opts.Wait || pass == 0) {
			if err := c.deliverBatch(ctx, due, opts.Concurrency, &sum, progress); err != nil {
				return sum, err
			}
			continue
		}
		var pending int
		var next sql.NullInt64
		if err := c.db.QueryRow(ctx, "SELECT count(*), min(next_at) FROM outbox WHERE state = 'pending'").Scan(&pending, &next); err != nil {
			return sum, err
		}
		sum.Pending = pending
		if pending == 0 || !opts.Wait {
			return sum, nil
		}
		wait := time.Until(time.UnixMicro(next.Int64))
		if err := c.sleep(ctx, wait); err != nil {
			return sum, err
		}
	}
}

// due lists what may be sent now: pending entries whose time has come and
// that no earlier pending entry of the same document still waits for, so
// an update never overtakes its original, nor an answer its recall.
func (c *Client) due(ctx context.Context) ([]OutboxEntry, error) {
	return c.queryOutbox(ctx, "SELECT "+outboxColumns+` FROM outbox WHERE state = 'pending' AND next_at <= ?
		AND NOT EXISTS (SELECT 1 FROM outbox o2 WHERE o2.document_id = outbox.document_id AND o2.state = 'pending' AND o2.id < outbox.id)
		ORDER BY id LIMIT 256`, c.now().UnixMicro())
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if d < 10*time.Millisecond {
		d = 10 * time.Millisecond
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-c.wakeup:
	}
	return nil
}

func (c *Client) kick() {
	select {
	case c.wakeup <- struct{}{}:
	default:
	}
}

func (c *Client) deliverBatch(ctx context.Context, due []OutboxEntry, workers int, sum *DeliverSummary, progress func(DeliverProgress)) error {
	jobs := make(chan OutboxEntry)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < workers && w < len(due); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range jobs {
				p, err := c.deliverOne(ctx, e)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				switch p.State {
				case OutboxSent:
					sum.Sent++
				case OutboxFailed:
					sum.Failed++
				case "retry":
					sum.Retried++
				}
				progress(p)
				mu.Unlock()
			}
		}()
	}
	for _, e := range due {
		if ctx.Err() != nil {
			break
		}
		jobs <- e
	}
	close(jobs)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// deliverOne sends one entry and records the outcome. Its error is only
// for the database or cancellation; send failures are in the progress.
func (c *Client) deliverOne(ctx context.Context, e OutboxEntry) (DeliverProgress, error) {
	res, err := c.t.Send(ctx, OutgoingPackage{ClientID: e.ClientID, Kind: e.Kind, Size: e.Size, SHA256: e.sha,
		Open: func() (io.ReadCloser, error) { return os.Open(e.path) }})
	p := DeliverProgress{Entry: e, Result: res, Err: err}
	if ctx.Err() != nil {
		return p, ctx.Err()
	}
	now := c.now()
	switch {
	case err == nil:
		p.State = OutboxSent
		dbErr := c.db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "UPDATE outbox SET state = 'sent', sent_at = ?, hub_message_id = ?, last_error = '' WHERE id = ?",
				now.UnixMicro(), res.MessageID, e.ID); err != nil {
				return err
			}
			return c.logf(ctx, tx, "sent", e.DocumentID, map[string]any{"to": res.Recipients, "hub_message": res.MessageID,
				"duplicate": res.Duplicate, "kind": e.Kind, "status": e.StatusCode})
		})
		return p, dbErr
	case Temporary(err):
		p.State = "retry"
		backoff := c.opts.RetryMin << min(e.Attempts, 16)
		if backoff > c.opts.RetryMax || backoff <= 0 {
			backoff = c.opts.RetryMax
		}
		_, dbErr := c.db.Exec(ctx, "UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?",
			now.Add(backoff).UnixMicro(), truncate(err.Error(), 500), e.ID)
		return p, dbErr
	default:
		p.State = OutboxFailed
		_, dbErr := c.db.Exec(ctx, "UPDATE outbox SET attempts = attempts + 1, state = 'failed', last_error = ? WHERE id = ?",
			truncate(err.Error(), 500), e.ID)
		return p, dbErr
	}
}

// Retry puts failed entries (all when ids is empty) back in the queue.
func (c *Client) Retry(ctx context.Context, ids ...int64) (int, error) {
	q := "UPDATE outbox SET state = 'pending', next_at = ? WHERE state = 'failed'"
	args := []any{c.now().UnixMicro()}
	if len(ids) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
		q += " AND id IN (" + ph + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	r, err := c.db.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	c.kick()
	return int(n), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// sentRecipients are the recipients of the documents this client sent
// with docID, sorted.
func (c *Client) sentRecipients(ctx context.Context, docID string) ([]string, error) {
	entries, err := c.queryOutbox(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE kind = 'edoc' AND document_id = ? ORDER BY id", docID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, e := range entries {
		for _, r := range e.Recipients {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
