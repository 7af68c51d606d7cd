package register

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/store"
)

// Entities whose changes the history keeps.
const (
	EntityUnit     = "unit"
	EntityStaff    = "staff"
	EntityOutgoing = "outgoing"
	EntityIncoming = "incoming"
)

// Change is one line of the history: who changed what, when and why.
type Change struct {
	ID       int64     `json:"id"`
	Entity   string    `json:"entity"`
	EntityID int64     `json:"entity_id"`
	Unit     string    `json:"unit"`
	Action   string    `json:"action"` // create, correct, cancel, verify, receipt, status, recall, certificate
	Field    string    `json:"field,omitempty"`
	Old      string    `json:"old,omitempty"`
	New      string    `json:"new,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Actor    string    `json:"actor"`
	At       time.Time `json:"at"`
}

// OutgoingFields are the outgoing fields a correction may change. The
// signature verdicts are not among them: attach the document instead
// (Reverify).
var OutgoingFields = []string{"number", "date", "type", "subject", "signer", "secret", "channel", "recipients", "paper_reason"}

// IncomingFields are the incoming fields a correction may change.
var IncomingFields = []string{"sender", "sender_name", "number", "date", "type", "subject", "channel", "secret", "arrived_at", "receipt", "receipt_at", "receipt_note"}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "y", "x", "có", "co", "mật", "mat":
		return true, nil
	case "0", "false", "no", "n", "", "không", "khong":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q is not yes or no", ErrInvalid, s)
}

func boolText(b bool) string { return strconv.FormatBool(b) }

// ParseTime reads an instant: RFC 3339, or "YYYY-MM-DD HH:MM[:SS]" in
// Vietnam time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(l, s, calendar.Vietnam); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: time %q (YYYY-MM-DD HH:MM)", ErrInvalid, s)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.Vietnam).Format(time.RFC3339)
}

// Correct changes fields of a register entry (entity "outgoing" or
// "incoming"), keeping the old values in the history with the reason.
func (r *Register) Correct(ctx context.Context, a Actor, entity string, id int64, changes map[string]string, reason string) error {
	if clean(reason) == "" {
		return ErrNoReason
	}
	if len(changes) == 0 {
		return fmt.Errorf("%w: nothing to correct", ErrInvalid)
	}
	fields := make([]string, 0, len(changes))
	for f := range changes {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return r.db.Tx(ctx, func(tx *store.Tx) error {
		switch entity {
		case EntityOutgoing:
			return r.correctOutgoing(ctx, tx, a, id, fields, changes, clean(reason))
		case EntityIncoming:
			return r.correctIncoming(ctx, tx, a, id, fields, changes, clean(reason))
		}
		return fmt.Errorf("%w: entries are outgoing or incoming, not %q", ErrInvalid, entity)
	})
}

func outgoingForUpdate(ctx context.Context, tx *store.Tx, a Actor, id int64) (Outgoing, int64, error) {
	o, err := scanOutgoing(tx.QueryRow(ctx, "SELECT "+outgoingColumns+" FROM reg_outgoing o JOIN reg_unit u ON u.id = o.unit_id WHERE o.id = ?", id))
	if err != nil {
		return o, 0, fmt.Errorf("%w: outgoing entry %d", ErrNotFound, id)
	}
	uid, err := UnitScope(ctx, tx, a, o.Unit)
	if errors.Is(err, ErrForbidden) {
		return o, 0, fmt.Errorf("%w: outgoing entry %d", ErrNotFound, id)
	}
	return o, uid, err
}

func (r *Register) correctOutgoing(ctx context.Context, tx *store.Tx, a Actor, id int64, fields []string, ch map[string]string, reason string) error {
	o, uid, err := outgoingForUpdate(ctx, tx, a, id)
	if err != nil {
		return err
	}
	if o.Cancelled {
		return fmt.Errorf("%w: entry %d is cancelled", ErrInvalid, id)
	}
	if err := r.loadOutgoingDetails(ctx, &o); err != nil {
		return err
	}
	c := newChangeSet()
	for _, f := range fields {
		if f == "recipients" {
			err = c.recipients(ctx, tx, &o, ch[f])
		} else {
			err = c.outgoingField(&o, f, ch[f])
		}
		if err != nil {
			return err
		}
	}
	if o.Channel == Paper && !o.Secret && o.PaperReason == "" {
		return fmt.Errorf("%w: a paper send needs its reason", ErrInvalid)
	}
	if c.changed("number") || c.changed("doc_date") {
		c.set["doc_key"] = docKey(o.Date.Year, o.Number)
	}
	if err := updateRow(ctx, tx, "reg_outgoing", id, c.set); err != nil {
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("%w: %s of %d", ErrDuplicate, o.Number, o.Date.Year)
		}
		return err
	}
	return r.recordChanges(ctx, tx, a, EntityOutgoing, id, uid, o.Unit, c.hist, reason)
}

// changeSet collects a correction: the history lines, the columns to set.
type changeSet struct {
	hist []history
	set  map[string]any
}

func newChangeSet() *changeSet { return &changeSet{set: map[string]any{}} }

// note records field's change from old to new, setting col to v, when
// the value differs.
func (c *changeSet) note(field, old, new string, col string, v any) {
	if old != new {
		c.hist = append(c.hist, history{field: field, old: old, new: new})
		c.set[col] = v
	}
}

func (c *changeSet) changed(col string) bool {
	_, ok := c.set[col]
	return ok
}

// shared applies a field both registers have (number, date, type,
// subject, secret) to the entry's values; ok is false for other fields.
func (c *changeSet) shared(f, v string, number *string, date *calendar.Date, typ, subject string, secret *bool) (ok bool, err error) {
	switch f {
	case "number":
		if clean(v) == "" {
			return true, fmt.Errorf("%w: no number", ErrInvalid)
		}
		c.note(f, *number, clean(v), "number", clean(v))
		*number = clean(v)
	case "date":
		d, err := calendar.ParseDate(strings.TrimSpace(v))
		if err != nil {
			return true, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		c.note(f, date.String(), d.String(), "doc_date", d.Key())
		*date = d
	case "type":
		c.note(f, typ, clean(v), "doc_type", clean(v))
	case "subject":
		c.note(f, subject, clean(v), "subject", clean(v))
	case "secret":
		b, err := parseBool(v)
		if err != nil {
			return true, err
		}
		c.note(f, boolText(*secret), boolText(b), "secret", b2i(b))
		*secret = b
	default:
		return false, nil
	}
	return true, nil
}

// outgoingField applies one corrected field of an outgoing entry.
func (c *changeSet) outgoingField(o *Outgoing, f, v string) error {
	if ok, err := c.shared(f, v, &o.Number, &o.Date, o.Type, o.Subject, &o.Secret); ok {
		return err
	}
	switch f {
	case "signer":
		c.note(f, o.Signer, clean(v), "signer", clean(v))
	case "paper_reason":
		c.note(f, o.PaperReason, clean(v), "paper_reason", clean(v))
		o.PaperReason = clean(v)
	case "channel":
		ch, err := ParseChannel(v)
		if err != nil {
			return err
		}
		c.note(f, string(o.Channel), string(ch), "channel", string(ch))
		o.Channel = ch
	case "approve", "issue", "approve_sig", "issue_sig":
		return fmt.Errorf("%w: %s (attach the sent document to verify it again)", ErrNotCorrectable, f)
	default:
		return fmt.Errorf("%w: unknown field %q (%s)", ErrNotCorrectable, f, strings.Join(OutgoingFields, ", "))
	}
	return nil
}

// recipients replaces an outgoing entry's recipients (v: codes or names
// separated by ";") when they differ.
func (c *changeSet) recipients(ctx context.Context, tx *store.Tx, o *Outgoing, v string) error {
	var old []string
	for _, rc := range o.Recipients {
		old = append(old, rc.Agency)
	}
	var nw []string
	for _, s := range strings.Split(v, ";") {
		if s = clean(s); s != "" {
			nw = append(nw, s)
		}
	}
	if strings.Join(old, "; ") == strings.Join(nw, "; ") {
		return nil
	}
	c.hist = append(c.hist, history{field: "recipients", old: strings.Join(old, "; "), new: strings.Join(nw, "; ")})
	if _, err := tx.Exec(ctx, "DELETE FROM reg_outgoing_to WHERE outgoing_id = ?", o.ID); err != nil {
		return err
	}
	for i, to := range nw {
		if _, err := tx.Exec(ctx, "INSERT INTO reg_outgoing_to (outgoing_id, seq, agency) VALUES (?, ?, ?)", o.ID, i+1, to); err != nil {
			return err
		}
	}
	return nil
}

func (r *Register) recordChanges(ctx context.Context, tx *store.Tx, a Actor, entity string, id, uid int64, unit string, hist []history, reason string) error {
	if len(hist) == 0 {
		return fmt.Errorf("%w: the values given are the current ones", ErrInvalid)
	}
	now := r.now()
	for _, h := range hist {
		h.entity, h.entityID, h.unitID, h.action, h.reason = entity, id, uid, "correct", reason
		if err := r.record(ctx, tx, a, now, h); err != nil {
			return err
		}
	}
	return tx.Notify(ctx, notifyChannel, unit)
}

// updateRow sets columns of one row (column names come from this package).
func updateRow(ctx context.Context, tx *store.Tx, table string, id int64, set map[string]any) error {
	if len(set) == 0 {
		return nil
	}
	cols := make([]string, 0, len(set))
	for c := range set {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	var parts []string
	var args []any
	for _, c := range cols {
		parts = append(parts, c+" = ?")
		args = append(args, set[c])
	}
	_, err := tx.Exec(ctx, "UPDATE "+table+" SET "+strings.Join(parts, ", ")+" WHERE id = ?", append(args, id)...)
	return err
}

func (r *Register) correctIncoming(ctx context.Context, tx *store.Tx, a Actor, id int64, fields []string, ch map[string]string, reason string) error {
	in, uid, err := incomingForUpdate(ctx, tx, a, id)
	if err != nil {
		return err
	}
	if in.Cancelled {
		return fmt.Errorf("%w: entry %d is cancelled", ErrInvalid, id)
	}
	c := newChangeSet()
	for _, f := range fields {
		if err := c.incomingField(&in, f, ch[f]); err != nil {
			return err
		}
	}
	if (in.Receipt == "") != in.ReceiptAt.IsZero() {
		return fmt.Errorf("%w: a receipt needs both its code and its time", ErrInvalid)
	}
	if !in.ReceiptAt.IsZero() && in.ReceiptAt.Before(in.ArrivedAt) {
		return fmt.Errorf("%w: confirmed before it arrived", ErrInvalid)
	}
	if c.changed("sender") || c.changed("number") || c.changed("doc_date") {
		year := in.Date.Year
		if in.Date.IsZero() {
			year = calendar.DateOf(in.ArrivedAt).Year
		}
		c.set["doc_key"] = incomingKey(in.Sender, year, in.Number)
	}
	if err := updateRow(ctx, tx, "reg_incoming", id, c.set); err != nil {
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("%w: %s from %s", ErrDuplicate, in.Number, in.Sender)
		}
		return err
	}
	return r.recordChanges(ctx, tx, a, EntityIncoming, id, uid, in.Unit, c.hist, reason)
}

// incomingField applies one corrected field of an incoming entry.
func (c *changeSet) incomingField(in *Incoming, f, v string) error {
	if ok, err := c.shared(f, v, &in.Number, &in.Date, in.Type, in.Subject, &in.Secret); ok {
		return err
	}
	switch f {
	case "sender":
		if clean(v) == "" {
			return fmt.Errorf("%w: no sender", ErrInvalid)
		}
		c.note(f, in.Sender, clean(v), "sender", clean(v))
		in.Sender = clean(v)
	case "sender_name":
		c.note(f, in.SenderName, clean(v), "sender_name", clean(v))
	case "channel":
		ch, err := ParseChannel(v)
		if err != nil || ch == Both {
			return fmt.Errorf("%w: an incoming document arrives electronic or paper", ErrInvalid)
		}
		c.note(f, string(in.Channel), string(ch), "channel", string(ch))
	case "arrived_at":
		t, err := ParseTime(v)
		if err != nil {
			return err
		}
		c.note(f, timeText(in.ArrivedAt), timeText(t), "arrived_at", micros(t))
		if c.changed("arrived_at") {
			c.set["arrival_day"] = calendar.DateOf(t).Key()
		}
		in.ArrivedAt = t
	case "receipt":
		code := strings.TrimSpace(v)
		if code != "" && code != StatusAccepted && code != StatusRefused {
			return fmt.Errorf("%w: receipt %q (03, 02 or empty)", ErrInvalid, code)
		}
		c.note(f, in.Receipt, code, "receipt", code)
		in.Receipt = code
	case "receipt_at":
		return c.receiptAt(in, v)
	case "receipt_note":
		c.note(f, in.ReceiptNote, clean(v), "receipt_note", clean(v))
	default:
		return fmt.Errorf("%w: unknown field %q (%s)", ErrNotCorrectable, f, strings.Join(IncomingFields, ", "))
	}
	return nil
}

// receiptAt corrects the time of an incoming entry's receipt ("" none).
func (c *changeSet) receiptAt(in *Incoming, v string) error {
	var t time.Time
	if strings.TrimSpace(v) != "" {
		var err error
		if t, err = ParseTime(v); err != nil {
			return err
		}
	}
	c.note("receipt_at", timeText(in.ReceiptAt), timeText(t), "receipt_at", nullMicros(t))
	if c.changed("receipt_at") {
		c.set["receipt_day"] = nullDay(calendar.DateOf(t))
		if t.IsZero() {
			c.set["receipt_day"] = nil
		}
	}
	in.ReceiptAt = t
	return nil
}

// Cancel marks an entry registered by mistake as cancelled: it no longer
// counts, its row and history stay.
func (r *Register) Cancel(ctx context.Context, a Actor, entity string, id int64, reason string) error {
	if clean(reason) == "" {
		return ErrNoReason
	}
	return r.db.Tx(ctx, func(tx *store.Tx) error {
		var uid int64
		var unit, table string
		var cancelled bool
		switch entity {
		case EntityOutgoing:
			o, u, err := outgoingForUpdate(ctx, tx, a, id)
			if err != nil {
				return err
			}
			uid, unit, table, cancelled = u, o.Unit, "reg_outgoing", o.Cancelled
		case EntityIncoming:
			in, u, err := incomingForUpdate(ctx, tx, a, id)
			if err != nil {
				return err
			}
			uid, unit, table, cancelled = u, in.Unit, "reg_incoming", in.Cancelled
		default:
			return fmt.Errorf("%w: entries are outgoing or incoming, not %q", ErrInvalid, entity)
		}
		if cancelled {
			return fmt.Errorf("%w: entry %d is already cancelled", ErrInvalid, id)
		}
		if _, err := tx.Exec(ctx, "UPDATE "+table+" SET cancelled = 1 WHERE id = ?", id); err != nil {
			return err
		}
		if err := r.record(ctx, tx, a, r.now(), history{entity: entity, entityID: id, unitID: uid, action: "cancel",
			field: "cancelled", old: "false", new: "true", reason: clean(reason)}); err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, unit)
	})
}

// Reverify verifies the sent document again (a file attached later, or a
// revocation since) and records the new verdicts and signatures; the old
// verdicts stay in the history.
func (r *Register) Reverify(ctx context.Context, a Actor, id int64, file, reason string) (*Outgoing, error) {
	as, err := r.assessFile(ctx, file)
	if err != nil {
		return nil, err
	}
	if clean(reason) == "" {
		reason = "document verified"
	}
	err = r.db.Tx(ctx, func(tx *store.Tx) error {
		o, uid, err := outgoingForUpdate(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE reg_outgoing SET approve_sig = ?, issue_sig = ?, file_sha256 = ?, file_name = ?, verified_at = ? WHERE id = ?`,
			string(as.Approve), string(as.Issue), as.SHA256, baseName(as.File), micros(as.At), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM reg_signature WHERE outgoing_id = ?", id); err != nil {
			return err
		}
		if err := r.storeSignatures(ctx, tx, id, uid, o.Signer, as); err != nil {
			return err
		}
		if err := r.record(ctx, tx, a, r.now(), history{entity: EntityOutgoing, entityID: id, unitID: uid, action: "verify", field: "signatures",
			old: fmt.Sprintf("approve %s, issue %s, file %s", o.Approve, o.Issue, o.FileSHA256), new: as.summary() + ", file " + as.SHA256, reason: clean(reason)}); err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, o.Unit)
	})
	if err != nil {
		return nil, err
	}
	return r.Outgoing(ctx, a, id)
}

// History returns the changes of one entry (entity "unit", "staff",
// "outgoing" or "incoming"), oldest first.
func (r *Register) History(ctx context.Context, a Actor, entity string, id int64) ([]Change, error) {
	rows, err := r.db.Query(ctx, `SELECT h.id, h.entity, h.entity_id, u.code, h.unit_id, h.action, h.field, h.old_value, h.new_value, h.reason, h.actor, h.at
		FROM reg_history h JOIN reg_unit u ON u.id = h.unit_id WHERE h.entity = ? AND h.entity_id = ? ORDER BY h.id`, entity, id)
	if err != nil {
		return nil, fmt.Errorf("failed to read the history: %w", err)
	}
	defer rows.Close()
	var out []Change
	var unitID int64 = -1
	for rows.Next() {
		var c Change
		var at, uid int64
		if err := rows.Scan(&c.ID, &c.Entity, &c.EntityID, &c.Unit, &uid, &c.Action, &c.Field, &c.Old, &c.New, &c.Reason, &c.Actor, &at); err != nil {
			return nil, err
		}
		c.At = time.UnixMicro(at).In(calendar.Vietnam)
		unitID = uid
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s %d", ErrNotFound, entity, id)
	}
	if err := canReach(ctx, r.db, a, unitID); err != nil {
		return nil, fmt.Errorf("%w: %s %d", ErrNotFound, entity, id)
	}
	return out, nil
}
