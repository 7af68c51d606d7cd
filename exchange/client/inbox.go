package client

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// Inbox states of an incoming document.
const (
	InboxNew             = "new"              // arrived, verified, waiting for accept/refuse
	InboxFlagged         = "flagged"          // arrived, but its signatures are not valid
	InboxRejected        = "rejected"         // the package itself did not verify
	InboxAccepted        = "accepted"         // 03 sent
	InboxRefused         = "refused"          // 02 sent
	InboxRecallRequested = "recall_requested" // the sender asks for it back (13)
	InboxRecallRefused   = "recall_refused"   // 16 sent
	InboxRemoved         = "removed"          // recall accepted (15 sent), copy deleted
)

// SyncProgress reports one incoming package.
type SyncProgress struct {
	Item    wire.InboxItem
	Stage   string // "fetching", "stored", "status", "rejected"
	Verdict *Verdict
	Err     error
}

// SyncOptions tune Sync.
type SyncOptions struct {
	// Wait long-polls the hub this long for something to arrive when the
	// inbox is empty.
	Wait time.Duration
	// Until keeps syncing until ctx ends (a resident receiver).
	Until bool
}

// SyncSummary counts what Sync did.
type SyncSummary struct {
	Documents, Statuses, Rejected int
}

// Sync fetches every queued delivery, verifies it, keeps it locally and
// acknowledges it (the hub then tells the sender it arrived). A package that
// does not verify is kept as rejected, with the reason, and never offered
// for acceptance; a document whose signatures are not valid is flagged.
// Processing is idempotent: a crash after storing and before acknowledging
// only repeats the acknowledgement.
func (c *Client) Sync(ctx context.Context, opts SyncOptions, progress func(SyncProgress)) (SyncSummary, error) {
	if progress == nil {
		progress = func(SyncProgress) {}
	}
	var sum SyncSummary
	wait := opts.Wait
	for {
		items, err := c.t.Inbox(ctx, 0, wait)
		if err != nil {
			return sum, err
		}
		if len(items) == 0 {
			if !opts.Until {
				return sum, nil
			}
			if wait == 0 {
				wait = 25 * time.Second
			}
			continue
		}
		var acks []int64
		for _, it := range items {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
			p, err := c.receiveItem(ctx, it, &sum)
			progress(p)
			if err != nil {
				return sum, err
			}
			acks = append(acks, it.DeliveryID)
		}
		if err := c.t.Ack(ctx, acks); err != nil {
			return sum, err
		}
		wait = 0 // drain what is queued before waiting again
	}
}

func (c *Client) known(ctx context.Context, deliveryID int64) (bool, error) {
	var n int
	err := c.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM inbox WHERE delivery_id = ?) + (SELECT count(*) FROM status WHERE delivery_id = ?)`,
		deliveryID, deliveryID).Scan(&n)
	return n > 0, err
}

func (c *Client) receiveItem(ctx context.Context, it wire.InboxItem, sum *SyncSummary) (SyncProgress, error) {
	p := SyncProgress{Item: it, Stage: "fetching"}
	if ok, err := c.known(ctx, it.DeliveryID); err != nil || ok {
		p.Stage = "stored"
		return p, err
	}
	folder := filepath.Join(c.opts.DataDir, "inbox", strconv.FormatInt(it.DeliveryID, 10))
	pkgPath := folder + ".pkg"
	var in *wire.Incoming
	var files []string
	rerr := c.download(ctx, it, pkgPath)
	if rerr != nil && !errors.Is(rerr, ErrTampered) {
		return p, rerr
	}
	defer os.Remove(pkgPath)
	if rerr == nil {
		in, files, rerr = c.readPackage(ctx, pkgPath, folder)
	}
	if rerr == nil {
		it = completeItem(it, in)
		p.Item = it
		if in.From != it.From || in.Kind != it.Kind || in.DocumentID != it.DocumentID {
			rerr = fmt.Errorf("%w: the package's routing differs from the hub's listing", ErrRefused)
		}
	}
	if rerr != nil {
		_ = os.RemoveAll(folder)
		sum.Rejected++
		v := Verdict{Status: VerdictBadPackage, Detail: rerr.Error()}
		p.Stage, p.Verdict, p.Err = "rejected", &v, rerr
		return p, c.storeIncoming(ctx, it, InboxRejected, v, "", nil)
	}
	if in.Kind == wire.KindStatus {
		sum.Statuses++
		p.Stage = "status"
		return p, c.storeStatus(ctx, it, in)
	}
	v := c.verifyFiles(ctx, files)
	state := InboxNew
	if v.Status != VerdictValid {
		state = InboxFlagged
	}
	sum.Documents++
	p.Stage, p.Verdict = "stored", &v
	return p, c.storeIncoming(ctx, it, state, v, folder, files)
}

// completeItem fills what the listing did not say from the verified
// package; what it said must still agree with the package.
func completeItem(it wire.InboxItem, in *wire.Incoming) wire.InboxItem {
	if it.DocumentID == "" {
		it.DocumentID = in.DocumentID
		if it.BusinessType == 0 {
			it.BusinessType = in.BusinessType
		}
	}
	if it.Subject == "" {
		it.Subject = in.Subject
	}
	if it.StatusCode == "" {
		it.StatusCode = in.StatusCode
	}
	return it
}

func (c *Client) download(ctx context.Context, it wire.InboxItem, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	err = c.t.Fetch(ctx, it, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// readPackage verifies the package and extracts its attachments into
// folder, under their base names only.
func (c *Client) readPackage(ctx context.Context, pkgPath, folder string) (*wire.Incoming, []string, error) {
	f, err := os.Open(pkgPath)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(folder, 0o700); err != nil {
		return nil, nil, err
	}
	var files []string
	in, err := c.codec.Read(ctx, f, st.Size(), func(name, _ string) (io.WriteCloser, error) {
		base := safeName(name, len(files))
		path := filepath.Join(folder, base)
		files = append(files, path)
		return os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	})
	if err != nil {
		return nil, nil, err
	}
	return in, files, nil
}

// safeName keeps an attachment name's last element, without separators
// or control characters; an unusable name becomes attachment-N.
func safeName(name string, n int) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == ':' || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	return fmt.Sprintf("%02d-%s", n+1, name)
}

// verifyFiles verifies every PDF among files; the worst verdict wins.
func (c *Client) verifyFiles(ctx context.Context, files []string) Verdict {
	rank := map[string]int{VerdictValid: 0, "indeterminate": 1, VerdictUnsigned: 2, "invalid": 3, VerdictBadPackage: 4}
	worst := Verdict{Status: VerdictUnsigned, Detail: "no PDF in the package"}
	sawPDF := false
	var details []string
	for _, f := range files {
		if !strings.EqualFold(filepath.Ext(f), ".pdf") {
			continue
		}
		v := c.opts.Verify(ctx, f)
		if v.Detail != "" {
			details = append(details, filepath.Base(f)+": "+v.Detail)
		}
		if !sawPDF || rank[v.Status] > rank[worst.Status] {
			worst = v
		}
		sawPDF = true
	}
	if sawPDF {
		worst.Detail = strings.Join(details, "; ")
	}
	return worst
}

func (c *Client) storeIncoming(ctx context.Context, it wire.InboxItem, state string, v Verdict, folder string, files []string) error {
	fj, _ := json.Marshal(files)
	return c.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO inbox (delivery_id, hub_message_id, kind, from_code, document_id, business_type,
			subject, state, verdict, verdict_detail, folder, files, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (delivery_id) DO NOTHING`,
			it.DeliveryID, it.MessageID, string(it.Kind), it.From, it.DocumentID, it.BusinessType, it.Subject, state,
			v.Status, truncate(v.Detail, 4000), folder, string(fj), c.now().UnixMicro()); err != nil {
			return err
		}
		return c.logf(ctx, tx, "received", it.DocumentID, map[string]any{"from": it.From, "state": state, "verdict": v.Status})
	})
}

// storeStatus records a verified status package: in the history of a
// document this client sent, or — for a recall request — on the incoming
// document it concerns.
func (c *Client) storeStatus(ctx context.Context, it wire.InboxItem, in *wire.Incoming) error {
	at := c.now()
	if in.Status != nil && !in.Status.At.IsZero() {
		at = in.Status.At
	}
	return c.db.Tx(ctx, func(tx *store.Tx) error {
		if in.StatusCode == wire.StatusRecallRequest {
			if _, err := tx.Exec(ctx, `UPDATE inbox SET state = 'recall_requested', recall_reason = ?
				WHERE from_code = ? AND document_id = ? AND kind = 'edoc' AND state <> 'removed'`,
				in.Description, in.From, in.DocumentID); err != nil {
				return err
			}
		}
		docSender, recipient := c.opts.Agency.Code, in.From
		if in.StatusCode == wire.StatusRecallRequest {
			docSender, recipient = in.From, c.opts.Agency.Code
		}
		if _, err := tx.Exec(ctx, `INSERT INTO status (document_id, doc_sender, recipient, code, description, by_agency,
			verified, delivery_id, at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (delivery_id) DO NOTHING`,
			in.DocumentID, docSender, recipient, in.StatusCode, in.Description, in.From, it.DeliveryID, at.UnixMicro()); err != nil {
			return err
		}
		action := "status." + in.StatusCode
		if in.StatusCode == wire.StatusRecallAccepted {
			action = "recall.accepted"
		}
		return c.logf(ctx, tx, action, in.DocumentID, map[string]string{"from": in.From, "description": in.Description})
	})
}

// IncomingDocument is one document in the local inbox.
type IncomingDocument struct {
	ID           int64     `json:"id"`
	DeliveryID   int64     `json:"delivery_id"`
	From         string    `json:"from"`
	DocumentID   string    `json:"document_id"`
	BusinessType int       `json:"business_type"`
	Subject      string    `json:"subject,omitempty"`
	State        string    `json:"state"`
	Verdict      Verdict   `json:"verdict"`
	Files        []string  `json:"files"`
	RecallReason string    `json:"recall_reason,omitempty"`
	AnswerReason string    `json:"answer_reason,omitempty"`
	ReceivedAt   time.Time `json:"received_at"`
	AnsweredAt   time.Time `json:"answered_at,omitzero"`
}

// Inbox lists the local inbox; with all false, removed documents are left out.
func (c *Client) Inbox(ctx context.Context, all bool) ([]IncomingDocument, error) {
	q := `SELECT id, delivery_id, from_code, document_id, business_type, subject, state, verdict, verdict_detail, files,
		recall_reason, answer_reason, received_at, answered_at FROM inbox`
	if !all {
		q += " WHERE state <> 'removed'"
	}
	return c.queryInbox(ctx, q+" ORDER BY id")
}

// IncomingByID returns one local inbox document.
func (c *Client) IncomingByID(ctx context.Context, id int64) (*IncomingDocument, error) {
	docs, err := c.queryInbox(ctx, `SELECT id, delivery_id, from_code, document_id, business_type, subject, state, verdict,
		verdict_detail, files, recall_reason, answer_reason, received_at, answered_at FROM inbox WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%w: inbox item %d", ErrNotFound, id)
	}
	return &docs[0], nil
}

func (c *Client) queryInbox(ctx context.Context, q string, args ...any) ([]IncomingDocument, error) {
	return store.Collect(ctx, c.db, scanIncoming, q, args...)
}

func scanIncoming(rows *sql.Rows) (IncomingDocument, error) {
	var d IncomingDocument
	var files string
	var received int64
	var answered sql.NullInt64
	if err := rows.Scan(&d.ID, &d.DeliveryID, &d.From, &d.DocumentID, &d.BusinessType, &d.Subject, &d.State,
		&d.Verdict.Status, &d.Verdict.Detail, &files, &d.RecallReason, &d.AnswerReason, &received, &answered); err != nil {
		return d, err
	}
	_ = json.Unmarshal([]byte(files), &d.Files)
	d.ReceivedAt = time.UnixMicro(received)
	if answered.Valid {
		d.AnsweredAt = time.UnixMicro(answered.Int64)
	}
	return d, nil
}

// Answer is a clerk's decision on an inbox item.
type Answer struct {
	Accept bool
	Reason string // required to refuse
	// AcceptInvalid allows accepting a document whose signatures are not
	// valid (flagged); without it such an accept is refused.
	AcceptInvalid bool
	Staff         string
}

// ErrReasonRequired is returned for a refusal without a reason.
var ErrReasonRequired = errors.New("client: a refusal needs a reason")

// Receive answers an inbox item: for a new document, accept (status 03,
// registered) or refuse (02, with a reason); for a recall request, accept
// (15: the local copy is deleted and the removal logged) or refuse (16).
// The status is signed with s and queued in the outbox; Deliver sends it.
func (c *Client) Receive(ctx context.Context, id int64, a Answer, s Signer) (string, error) {
	d, err := c.IncomingByID(ctx, id)
	if err != nil {
		return "", err
	}
	if !a.Accept && strings.TrimSpace(a.Reason) == "" {
		return "", ErrReasonRequired
	}
	code, next, err := transition(d, a)
	if err != nil {
		return "", err
	}
	st := wire.Status{To: wire.Organization{Code: d.From}, DocumentID: d.DocumentID, Code: code,
		Description: a.Reason, Staff: a.Staff}
	if st.Description == "" {
		st.Description = map[string]string{wire.StatusAccepted: "Đã tiếp nhận", wire.StatusRecallAccepted: "Đồng ý thu hồi"}[code]
	}
	if _, err := c.queueStatus(ctx, st, s); err != nil {
		return "", err
	}
	err = c.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE inbox SET state = ?, answer_reason = ?, answered_at = ? WHERE id = ?",
			next, a.Reason, c.now().UnixMicro(), id); err != nil {
			return err
		}
		action := map[string]string{InboxAccepted: "accepted", InboxRefused: "refused", InboxRemoved: "recall.accepted",
			InboxRecallRefused: "recall.refused"}[next]
		return c.logf(ctx, tx, action, d.DocumentID, map[string]string{"from": d.From, "reason": a.Reason})
	})
	if err != nil {
		return "", err
	}
	if next == InboxRemoved {
		if err := c.removeCopy(ctx, d); err != nil {
			return code, err
		}
	}
	return code, nil
}

func transition(d *IncomingDocument, a Answer) (code, next string, err error) {
	switch d.State {
	case InboxNew, InboxFlagged:
		if !a.Accept {
			return wire.StatusRefused, InboxRefused, nil
		}
		if d.State == InboxFlagged && !a.AcceptInvalid {
			return "", "", fmt.Errorf("%w: the signatures of %s are %s; refuse it, or accept explicitly despite that",
				ErrNotSigned, d.DocumentID, d.Verdict.Status)
		}
		return wire.StatusAccepted, InboxAccepted, nil
	case InboxRejected:
		if a.Accept {
			return "", "", fmt.Errorf("%w: the package of %s did not verify and can only be refused", ErrState, d.DocumentID)
		}
		return wire.StatusRefused, InboxRefused, nil
	case InboxRecallRequested:
		if a.Accept {
			return wire.StatusRecallAccepted, InboxRemoved, nil
		}
		return wire.StatusRecallRefused, InboxRecallRefused, nil
	}
	return "", "", fmt.Errorf("%w: %s is %s", ErrState, d.DocumentID, d.State)
}

// removeCopy deletes the local files of a recalled document.
func (c *Client) removeCopy(ctx context.Context, d *IncomingDocument) error {
	for _, f := range d.Files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("failed to delete recalled copy: %w", err)
		}
	}
	if len(d.Files) > 0 {
		_ = os.Remove(filepath.Dir(d.Files[0]))
	}
	_, err := c.db.Exec(ctx, "UPDATE inbox SET files = '[]' WHERE id = ?", d.ID)
	if err == nil {
		err = c.logf(ctx, c.db, "copy.removed", d.DocumentID, map[string]any{"files": len(d.Files)})
	}
	return err
}

// Recall asks every recipient of a document this client sent to give it
// back (status 13, with the reason). The sender's copy stays, frozen.
func (c *Client) Recall(ctx context.Context, docID, reason string, s Signer) ([]string, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, ErrReasonRequired
	}
	to, err := c.sentRecipients(ctx, docID)
	if err != nil {
		return nil, err
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("%w: no sent document %s", ErrNotFound, docID)
	}
	for _, r := range to {
		if _, err := c.queueStatus(ctx, wire.Status{To: wire.Organization{Code: r}, DocumentID: docID,
			Code: wire.StatusRecallRequest, Description: reason}, s); err != nil {
			return nil, err
		}
		if _, err := c.db.Exec(ctx, `INSERT INTO status (document_id, doc_sender, recipient, code, description, by_agency, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, docID, c.opts.Agency.Code, r, wire.StatusRecallRequest, reason,
			c.opts.Agency.Code, c.now().UnixMicro()); err != nil {
			return nil, err
		}
	}
	return to, c.logf(ctx, c.db, "recall.requested", docID, map[string]any{"to": to, "reason": reason})
}

// StatusHistory is a sent document's statuses per recipient, from the
// verified status packages received (oldest first).
type StatusHistory struct {
	DocumentID string                        `json:"document_id"`
	Recipients map[string][]wire.StatusEntry `json:"recipients"`
}

// Status returns the local history of a document this client sent.
func (c *Client) Status(ctx context.Context, docID string) (*StatusHistory, error) {
	to, err := c.sentRecipients(ctx, docID)
	if err != nil {
		return nil, err
	}
	h := &StatusHistory{DocumentID: docID, Recipients: map[string][]wire.StatusEntry{}}
	for _, r := range to {
		h.Recipients[r] = []wire.StatusEntry{}
	}
	rows, err := c.db.Query(ctx, `SELECT recipient, code, description, by_agency, at FROM status
		WHERE doc_sender = ? AND document_id = ? ORDER BY id`, c.opts.Agency.Code, docID)
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
		e.At = time.UnixMicro(at)
		h.Recipients[e.Recipient] = append(h.Recipients[e.Recipient], e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(h.Recipients) == 0 {
		return nil, fmt.Errorf("%w: no sent document %s", ErrNotFound, docID)
	}
	return h, nil
}
