package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/store"
)

// Statuses of the edXML exchange (QCVN 102:2016) the incoming register keeps.
const (
	StatusArrived        = "01"
	StatusRefused        = "02" // a receipt: refused (with a reason)
	StatusAccepted       = "03" // a receipt: accepted and registered
	StatusRecallRequest  = "13"
	StatusRecallAccepted = "15"
	StatusRecallRefused  = "16"
)

// Incoming is an entry of the incoming register.
type Incoming struct {
	ID          int64         `json:"id"`
	Unit        string        `json:"unit"`
	Sender      string        `json:"sender"`
	SenderName  string        `json:"sender_name,omitempty"`
	Number      string        `json:"number"`
	Date        calendar.Date `json:"date,omitempty"`
	Type        string        `json:"type,omitempty"`
	Subject     string        `json:"subject,omitempty"`
	DocumentID  string        `json:"document_id,omitempty"`
	FileSHA256  string        `json:"file_sha256,omitempty"` // of the signed file that arrived through the exchange
	Channel     Channel       `json:"channel"`
	Secret      bool          `json:"secret"`
	ArrivedAt   time.Time     `json:"arrived_at"`
	Receipt     string        `json:"receipt,omitempty"` // "03" accepted, "02" refused, "" not yet
	ReceiptAt   time.Time     `json:"receipt_at,omitempty"`
	ReceiptNote string        `json:"receipt_note,omitempty"`
	Status      string        `json:"status"`
	StatusAt    time.Time     `json:"status_at,omitempty"`
	Recalled    bool          `json:"recalled"`
	Cancelled   bool          `json:"cancelled"`
	Source      string        `json:"source"`
	CreatedAt   time.Time     `json:"created_at"`
	CreatedBy   string        `json:"created_by"`
}

// IncomingInput is a document received.
type IncomingInput struct {
	Unit       string
	Sender     string // the sender's agency code (or name, for paper from outside the exchange)
	SenderName string
	Number     string
	Date       calendar.Date
	Type       string
	Subject    string
	DocumentID string
	FileSHA256 string  // the signed file's, when it arrived through the exchange
	Channel    Channel // Electronic or Paper
	Secret     bool
	ArrivedAt  time.Time
	// Receipt, when set, confirms at once ("03" or "02", at ReceiptAt):
	// a clerk registering a paper document confirms it in the same step.
	Receipt     string
	ReceiptAt   time.Time
	ReceiptNote string
	Source      string
}

func incomingKey(sender string, year int, number string) string {
	return strings.ToUpper(clean(sender)) + "|" + docKey(year, number)
}

// AddIncoming registers a received document.
func (r *Register) AddIncoming(ctx context.Context, a Actor, in IncomingInput) (*Incoming, error) {
	in.Unit, in.Sender, in.SenderName = strings.ToUpper(clean(in.Unit)), clean(in.Sender), clean(in.SenderName)
	in.Number, in.Type, in.Subject = clean(in.Number), clean(in.Type), clean(in.Subject)
	switch {
	case in.Sender == "" || in.Number == "":
		return nil, fmt.Errorf("%w: an incoming document needs its sender and number", ErrInvalid)
	case in.ArrivedAt.IsZero():
		return nil, fmt.Errorf("%w: no arrival time", ErrInvalid)
	case in.Channel != Electronic && in.Channel != Paper:
		return nil, fmt.Errorf("%w: an incoming document arrives electronic or paper", ErrInvalid)
	case in.Receipt != "" && in.Receipt != StatusAccepted && in.Receipt != StatusRefused:
		return nil, fmt.Errorf("%w: receipt %q (03 accepted or 02 refused)", ErrInvalid, in.Receipt)
	case in.Receipt == StatusRefused && clean(in.ReceiptNote) == "":
		return nil, fmt.Errorf("%w: a refusal needs its reason", ErrInvalid)
	}
	if in.Receipt != "" && in.ReceiptAt.IsZero() {
		in.ReceiptAt = in.ArrivedAt
	}
	if in.Receipt != "" && in.ReceiptAt.Before(in.ArrivedAt) {
		return nil, fmt.Errorf("%w: confirmed before it arrived", ErrInvalid)
	}
	if in.Source == "" {
		in.Source = SourceClerk
	}
	var id int64
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		uid, err := UnitScope(ctx, tx, a, in.Unit)
		if err != nil {
			return err
		}
		id, err = r.insertIncoming(ctx, tx, a, uid, in)
		if err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, in.Unit)
	})
	if err != nil {
		return nil, err
	}
	return r.Incoming(ctx, a, id)
}

func (r *Register) insertIncoming(ctx context.Context, tx *store.Tx, a Actor, uid int64, in IncomingInput) (int64, error) {
	year := in.Date.Year
	if in.Date.IsZero() {
		year = calendar.DateOf(in.ArrivedAt).Year
	}
	key := incomingKey(in.Sender, year, in.Number)
	status := StatusArrived
	var receiptAt, receiptDay any
	if in.Receipt != "" {
		status, receiptAt, receiptDay = in.Receipt, micros(in.ReceiptAt), calendar.DateOf(in.ReceiptAt).Key()
	}
	now := r.now()
	id, err := store.InsertID(ctx, tx, `INSERT INTO reg_incoming (unit_id, sender, sender_name, number, doc_key, doc_date, doc_type, subject,
		document_id, file_sha256, channel, secret, arrived_at, arrival_day, receipt, receipt_at, receipt_day, receipt_note, status, status_at, source, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		uid, in.Sender, in.SenderName, in.Number, key, nullDay(in.Date), in.Type, in.Subject, in.DocumentID, in.FileSHA256, string(in.Channel),
		b2i(in.Secret), micros(in.ArrivedAt), calendar.DateOf(in.ArrivedAt).Key(), in.Receipt, receiptAt, receiptDay, clean(in.ReceiptNote),
		status, micros(in.ArrivedAt), in.Source, micros(now), actorName(a))
	if store.IsUniqueViolation(err) {
		return 0, fmt.Errorf("%w: %s from %s", ErrDuplicate, in.Number, in.Sender)
	}
	if err != nil {
		return 0, fmt.Errorf("failed to register the document: %w", err)
	}
	return id, r.record(ctx, tx, a, now, history{entity: "incoming", entityID: id, unitID: uid, action: "create",
		new: in.Number + " " + in.Sender + " " + in.ArrivedAt.In(calendar.Vietnam).Format(time.RFC3339)})
}

const incomingColumns = `i.id, u.code, i.sender, i.sender_name, i.number, i.doc_date, i.doc_type, i.subject, i.document_id, i.file_sha256, i.channel,
	i.secret, i.arrived_at, i.receipt, i.receipt_at, i.receipt_note, i.status, i.status_at, i.recalled, i.cancelled, i.source,
	i.created_at, i.created_by`

func scanIncoming(row interface{ Scan(...any) error }) (Incoming, error) {
	var in Incoming
	var date, receiptAt, statusAt sql.NullInt64
	var channel string
	var secret, recalled, cancelled int
	var arrived, created int64
	err := row.Scan(&in.ID, &in.Unit, &in.Sender, &in.SenderName, &in.Number, &date, &in.Type, &in.Subject, &in.DocumentID, &in.FileSHA256, &channel,
		&secret, &arrived, &in.Receipt, &receiptAt, &in.ReceiptNote, &in.Status, &statusAt, &recalled, &cancelled, &in.Source,
		&created, &in.CreatedBy)
	in.Date, in.Channel, in.Secret, in.Recalled, in.Cancelled = dayOf(date), Channel(channel), secret == 1, recalled == 1, cancelled == 1
	in.ArrivedAt, in.ReceiptAt, in.StatusAt = time.UnixMicro(arrived).In(calendar.Vietnam), fromMicros(receiptAt), fromMicros(statusAt)
	in.CreatedAt = time.UnixMicro(created).In(calendar.Vietnam)
	return in, err
}

// Incoming returns one incoming entry.
func (r *Register) Incoming(ctx context.Context, a Actor, id int64) (*Incoming, error) {
	in, err := scanIncoming(r.db.QueryRow(ctx, "SELECT "+incomingColumns+" FROM reg_incoming i JOIN reg_unit u ON u.id = i.unit_id WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: incoming entry %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the entry: %w", err)
	}
	if _, err := UnitScope(ctx, r.db, a, in.Unit); err != nil {
		if errors.Is(err, ErrForbidden) {
			return nil, fmt.Errorf("%w: incoming entry %d", ErrNotFound, id)
		}
		return nil, err
	}
	return &in, nil
}

// ListIncoming lists incoming entries by arrival.
func (r *Register) ListIncoming(ctx context.Context, a Actor, f Filter) ([]Incoming, error) {
	rows, err := r.listRows(ctx, a, f, "reg_incoming", "i", incomingColumns, "arrival_day", "i.arrived_at, i.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Incoming
	for rows.Next() {
		in, err := scanIncoming(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Confirm records the receipt of an incoming document: code "03"
// (accepted and registered) or "02" (refused, note required) at time at.
// A document is confirmed once; a later change is a correction.
func (r *Register) Confirm(ctx context.Context, a Actor, id int64, code string, at time.Time, note string) error {
	if code != StatusAccepted && code != StatusRefused {
		return fmt.Errorf("%w: receipt %q (03 accepted or 02 refused)", ErrInvalid, code)
	}
	if code == StatusRefused && clean(note) == "" {
		return fmt.Errorf("%w: a refusal needs its reason", ErrInvalid)
	}
	return r.db.Tx(ctx, func(tx *store.Tx) error {
		in, uid, err := incomingForUpdate(ctx, tx, a, id)
		if err != nil {
			return err
		}
		return r.applyReceipt(ctx, tx, a, in, uid, code, at, note)
	})
}

func incomingForUpdate(ctx context.Context, tx *store.Tx, a Actor, id int64) (Incoming, int64, error) {
	in, err := scanIncoming(tx.QueryRow(ctx, "SELECT "+incomingColumns+" FROM reg_incoming i JOIN reg_unit u ON u.id = i.unit_id WHERE i.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return in, 0, fmt.Errorf("%w: incoming entry %d", ErrNotFound, id)
	}
	if err != nil {
		return in, 0, err
	}
	uid, err := UnitScope(ctx, tx, a, in.Unit)
	if errors.Is(err, ErrForbidden) {
		return in, 0, fmt.Errorf("%w: incoming entry %d", ErrNotFound, id)
	}
	return in, uid, err
}

// applyReceipt records a first receipt (later ones only update the
// status: the first confirmation is what timeliness is measured by).
func (r *Register) applyReceipt(ctx context.Context, tx *store.Tx, a Actor, in Incoming, uid int64, code string, at time.Time, note string) error {
	if in.Receipt != "" {
		return r.applyStatus(ctx, tx, a, in, uid, code, at)
	}
	if at.Before(in.ArrivedAt) {
		at = in.ArrivedAt
	}
	if _, err := tx.Exec(ctx, `UPDATE reg_incoming SET receipt = ?, receipt_at = ?, receipt_day = ?, receipt_note = ?, status = ?, status_at = ?
		WHERE id = ?`, code, micros(at), calendar.DateOf(at).Key(), clean(note), code, micros(at), in.ID); err != nil {
		return fmt.Errorf("failed to record the receipt: %w", err)
	}
	if err := r.record(ctx, tx, a, r.now(), history{entity: "incoming", entityID: in.ID, unitID: uid, action: "receipt", field: "receipt",
		new: code + " " + at.In(calendar.Vietnam).Format(time.RFC3339), reason: clean(note)}); err != nil {
		return err
	}
	return tx.Notify(ctx, notifyChannel, in.Unit)
}

func (r *Register) applyStatus(ctx context.Context, tx *store.Tx, a Actor, in Incoming, uid int64, code string, at time.Time) error {
	if in.Status == code {
		return nil
	}
	recalled := in.Recalled || code == StatusRecallAccepted
	if _, err := tx.Exec(ctx, "UPDATE reg_incoming SET status = ?, status_at = ?, recalled = ? WHERE id = ?", code, micros(at), b2i(recalled), in.ID); err != nil {
		return fmt.Errorf("failed to record the status: %w", err)
	}
	if err := r.record(ctx, tx, a, r.now(), history{entity: "incoming", entityID: in.ID, unitID: uid, action: "status", field: "status",
		old: in.Status, new: code}); err != nil {
		return err
	}
	return tx.Notify(ctx, notifyChannel, in.Unit)
}
