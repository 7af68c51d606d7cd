package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/store"
)

// Sent is an electronic send the exchange accepted, as the hub tells the
// register (RecordSent).
type Sent struct {
	From     string   // the sender's agency code
	FromName string   // its name (used when the unit is not registered yet)
	To       []string // the recipients' agency codes
	// DocumentID is the edXML DocumentId "OrganId,yyyy/MM/dd,Number/Notation";
	// Number and Date default to its parts.
	DocumentID string
	Number     string
	Date       calendar.Date
	Type       string
	Subject    string
	Signer     string
	// BusinessType is the edXML BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace.
	BusinessType int
	MessageID    int64
	At           time.Time
	// Document is the main signed document (the package's PDF attachment),
	// verified to decide the signature verdicts; nil when the package
	// carries none (both verdicts are then "missing").
	Document     io.ReaderAt
	DocumentSize int64
	DocumentName string
}

// StatusUpdate is a status message the exchange accepted (RecordStatus).
type StatusUpdate struct {
	DocumentID  string // the document's edXML DocumentId
	DocSender   string // the agency that sent the document
	Recipient   string // the agency that received it
	Code        string // 01–06, 13, 15, 16
	Description string
	At          time.Time
}

// ParseDocumentID splits an edXML DocumentId
// ("000.00.00.G22,2015/09/30,7816/VPCP-TTĐT") into the sender's code, the
// date and the number with notation.
func ParseDocumentID(id string) (organ string, date calendar.Date, number string, err error) {
	parts := strings.SplitN(strings.TrimSpace(id), ",", 3)
	if len(parts) != 3 {
		return "", calendar.Date{}, "", fmt.Errorf("%w: document id %q (OrganId,yyyy/MM/dd,Number/Notation)", ErrInvalid, id)
	}
	t, perr := time.ParseInLocation("2006/01/02", strings.TrimSpace(parts[1]), calendar.Vietnam)
	if perr != nil {
		return "", calendar.Date{}, "", fmt.Errorf("%w: document id %q: date %q", ErrInvalid, id, parts[1])
	}
	organ, number = strings.ToUpper(strings.TrimSpace(parts[0])), clean(parts[2])
	if organ == "" || number == "" {
		return "", calendar.Date{}, "", fmt.Errorf("%w: document id %q", ErrInvalid, id)
	}
	return organ, calendar.DateOf(t), number, nil
}

// RecordSent registers an electronic send: the sender's outgoing entry
// (channel electronic, verdicts from verifying Document) and an incoming
// entry (arrived at At) for every recipient that is a registered unit. A
// repeated call for the same document is harmless; an entry the clerk made
// first (e.g. on paper) is completed, not duplicated. A sender that is not
// a registered unit yet is added as a top-level unit.
func (r *Register) RecordSent(ctx context.Context, ev Sent) error {
	ev, as, err := r.prepareSent(ctx, ev)
	if err != nil {
		return err
	}
	return r.db.Tx(ctx, func(tx *store.Tx) error { return r.recordSent(ctx, tx, ev, as) })
}

// prepareSent completes ev from its document ID and verifies its document
// (outside any transaction: it may take a while).
func (r *Register) prepareSent(ctx context.Context, ev Sent) (Sent, Assessment, error) {
	organ, date, number, err := ParseDocumentID(ev.DocumentID)
	if err != nil {
		return ev, Assessment{}, err
	}
	if ev.From == "" {
		ev.From = organ
	}
	ev.From = strings.ToUpper(strings.TrimSpace(ev.From))
	if ev.Number == "" {
		ev.Number = number
	}
	if ev.Date.IsZero() {
		ev.Date = date
	}
	if ev.At.IsZero() {
		ev.At = r.now()
	}
	as := Assessment{Approve: SigMissing, Issue: SigMissing, At: r.now()}
	if ev.Document != nil {
		if as, err = r.assess(ctx, ev.Document, ev.DocumentSize); err != nil {
			return ev, as, err
		}
		as.File = ev.DocumentName
	}
	return ev, as, nil
}

// recordSent writes a prepared send in tx.
func (r *Register) recordSent(ctx context.Context, tx *store.Tx, ev Sent, as Assessment) error {
	uid, err := r.ensureUnit(ctx, tx, ev.From, ev.FromName)
	if err != nil {
		return err
	}
	if err := r.recordOutgoingSend(ctx, tx, uid, ev, as); err != nil {
		return err
	}
	for _, to := range ev.To {
		if err := r.recordArrival(ctx, tx, ev, as.SHA256, to); err != nil {
			return err
		}
	}
	return tx.Notify(ctx, notifyChannel, ev.From)
}

func (r *Register) ensureUnit(ctx context.Context, tx *store.Tx, code, name string) (int64, error) {
	uid, err := unitByCode(ctx, tx, code)
	if !errors.Is(err, ErrNotFound) {
		return uid, err
	}
	if name == "" {
		name = code
	}
	now := r.now()
	uid, err = store.InsertID(ctx, tx, "INSERT INTO reg_unit (code, name, depth, active, created_at) VALUES (?, ?, 0, 1, ?) RETURNING id", code, name, micros(now))
	if err != nil {
		return 0, fmt.Errorf("failed to add unit %s: %w", code, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO reg_unit_tree (ancestor_id, unit_id, depth) VALUES (?, ?, 0)", uid, uid); err != nil {
		return 0, err
	}
	return uid, r.record(ctx, tx, Exchange, now, history{entity: EntityUnit, entityID: uid, unitID: uid, action: "create",
		new: code + " " + name, reason: "first electronic send through the exchange"})
}

func (r *Register) recordOutgoingSend(ctx context.Context, tx *store.Tx, uid int64, ev Sent, as Assessment) error {
	key := docKey(ev.Date.Year, ev.Number)
	var id int64
	var channel, approve string
	var sent sql.NullInt64
	err := tx.QueryRow(ctx, "SELECT id, channel, approve_sig, sent_at FROM reg_outgoing WHERE unit_id = ? AND doc_key = ?", uid, key).Scan(&id, &channel, &approve, &sent)
	if errors.Is(err, sql.ErrNoRows) {
		in := OutgoingInput{Unit: ev.From, Number: ev.Number, Date: ev.Date, Type: ev.Type, Subject: ev.Subject, Signer: ev.Signer,
			Channel: Electronic, Recipients: ev.To, DocumentID: ev.DocumentID, SentAt: ev.At, Source: SourceExchange}
		if err := in.normalise(); err != nil {
			return err
		}
		_, err = r.insertOutgoing(ctx, tx, Exchange, uid, in, as)
		return err
	}
	if err != nil {
		return err
	}
	if sent.Valid && approve != string(SigUnverified) {
		return r.addRecipients(ctx, tx, id, ev.To) // a repeated notification
	}
	nc := channel
	if channel == string(Paper) {
		nc = string(Both)
	}
	if _, err := tx.Exec(ctx, `UPDATE reg_outgoing SET channel = ?, document_id = ?, sent_at = ?, approve_sig = ?, issue_sig = ?,
		file_sha256 = ?, file_name = ?, verified_at = ? WHERE id = ?`, nc, ev.DocumentID, micros(ev.At), string(as.Approve), string(as.Issue),
		as.SHA256, baseName(as.File), nullMicros(as.At), id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM reg_signature WHERE outgoing_id = ?", id); err != nil {
		return err
	}
	if err := r.storeSignatures(ctx, tx, id, uid, ev.Signer, as); err != nil {
		return err
	}
	if err := r.addRecipients(ctx, tx, id, ev.To); err != nil {
		return err
	}
	return r.record(ctx, tx, Exchange, r.now(), history{entity: EntityOutgoing, entityID: id, unitID: uid, action: "verify", field: "signatures",
		old: "channel " + channel + ", approve " + approve, new: "channel " + nc + ", " + as.summary(), reason: "sent through the exchange"})
}

func (r *Register) addRecipients(ctx context.Context, tx *store.Tx, id int64, to []string) error {
	for _, a := range to {
		a = strings.ToUpper(clean(a))
		var seq, have int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(max(seq), 0) FROM reg_outgoing_to WHERE outgoing_id = ?", id).Scan(&seq); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM reg_outgoing_to WHERE outgoing_id = ? AND agency = ?", id, a).Scan(&have); err != nil {
			return err
		}
		if have == 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO reg_outgoing_to (outgoing_id, seq, agency) VALUES (?, ?, ?)", id, seq+1, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// recordArrival registers the document in the recipient's incoming
// register (once), when the recipient is a registered unit.
func (r *Register) recordArrival(ctx context.Context, tx *store.Tx, ev Sent, fileSHA256, to string) error {
	uid, err := unitByCode(ctx, tx, to)
	if errors.Is(err, ErrNotFound) {
		return nil // outside the registers kept here
	}
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM reg_incoming WHERE unit_id = ? AND doc_key = ?", uid, incomingKey(ev.From, ev.Date.Year, ev.Number)).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err = r.insertIncoming(ctx, tx, Exchange, uid, IncomingInput{Unit: to, Sender: ev.From, SenderName: ev.FromName, Number: ev.Number,
		Date: ev.Date, Type: ev.Type, Subject: clean(ev.Subject), DocumentID: ev.DocumentID, FileSHA256: fileSHA256, Channel: Electronic, ArrivedAt: ev.At, Source: SourceExchange})
	return err
}

// RecordStatus applies a status of the exchange to both registers: the
// recipient's receipt (03/02, the first one is what timeliness counts) and
// later statuses on its incoming entry; the recipient's last status on the
// sender's outgoing entry; and recalls (13 asked by the sender, 15
// accepted, 16 refused by the recipient). Statuses of documents outside
// the registers are ignored.
func (r *Register) RecordStatus(ctx context.Context, ev StatusUpdate) error {
	if _, _, _, err := ParseDocumentID(ev.DocumentID); err != nil {
		return err
	}
	return r.db.Tx(ctx, func(tx *store.Tx) error { return r.recordStatus(ctx, tx, ev) })
}

// recordStatus writes a status in tx.
func (r *Register) recordStatus(ctx context.Context, tx *store.Tx, ev StatusUpdate) error {
	organ, date, number, err := ParseDocumentID(ev.DocumentID)
	if err != nil {
		return err
	}
	sender := strings.ToUpper(clean(ev.DocSender))
	if sender == "" {
		sender = organ
	}
	recipient := strings.ToUpper(clean(ev.Recipient))
	if ev.At.IsZero() {
		ev.At = r.now()
	}
	if err := r.statusOnOutgoing(ctx, tx, sender, recipient, date, number, ev); err != nil {
		return err
	}
	if rid, err := unitByCode(ctx, tx, recipient); err == nil {
		in, err := scanIncoming(tx.QueryRow(ctx, "SELECT "+incomingColumns+" FROM reg_incoming i JOIN reg_unit u ON u.id = i.unit_id WHERE i.unit_id = ? AND i.doc_key = ?",
			rid, incomingKey(sender, date.Year, number)))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if ev.Code == StatusAccepted || ev.Code == StatusRefused {
			return r.applyReceipt(ctx, tx, Exchange, in, rid, ev.Code, ev.At, ev.Description)
		}
		return r.applyStatus(ctx, tx, Exchange, in, rid, ev.Code, ev.At)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

func (r *Register) statusOnOutgoing(ctx context.Context, tx *store.Tx, sender, recipient string, date calendar.Date, number string, ev StatusUpdate) error {
	sid, err := unitByCode(ctx, tx, sender)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var id int64
	var recall string
	err = tx.QueryRow(ctx, "SELECT id, recall FROM reg_outgoing WHERE unit_id = ? AND doc_key = ?", sid, docKey(date.Year, number)).Scan(&id, &recall)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if ev.Code != StatusRecallRequest {
		if _, err := tx.Exec(ctx, "UPDATE reg_outgoing_to SET status = ?, status_at = ? WHERE outgoing_id = ? AND agency = ?", ev.Code, micros(ev.At), id, recipient); err != nil {
			return err
		}
	}
	next := recall
	switch ev.Code {
	case StatusRecallRequest:
		if recall == "" {
			next = RecallRequested
		}
	case StatusRecallAccepted:
		next = RecallAccepted
	case StatusRecallRefused:
		if recall != RecallAccepted {
			next = RecallRefused
		}
	}
	if next == recall {
		return nil
	}
	if _, err := tx.Exec(ctx, "UPDATE reg_outgoing SET recall = ?, recall_at = ? WHERE id = ?", next, micros(ev.At), id); err != nil {
		return err
	}
	return r.record(ctx, tx, Exchange, r.now(), history{entity: EntityOutgoing, entityID: id, unitID: sid, action: "recall", field: "recall",
		old: recall, new: next, reason: clean(ev.Description)})
}
