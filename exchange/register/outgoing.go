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
	"github.com/vanthu/vanthu/signing/roles"
)

// Channel is how a document was sent.
type Channel string

// Channels.
const (
	Electronic Channel = "electronic" // over the network only
	Paper      Channel = "paper"      // on paper only
	Both       Channel = "both"       // over the network, with a paper copy
)

// ParseChannel reads a channel, in English or Vietnamese ("điện tử",
// "giấy", "cả hai").
func ParseChannel(s string) (Channel, error) {
	switch strings.ReplaceAll(roles.FoldName(s), "-", " ") {
	case "ELECTRONIC", "E", "DIEN TU", "MANG":
		return Electronic, nil
	case "PAPER", "P", "GIAY", "BAN GIAY":
		return Paper, nil
	case "BOTH", "CA HAI", "DIEN TU VA GIAY":
		return Both, nil
	}
	return "", fmt.Errorf("%w: channel %q (electronic, paper or both)", ErrInvalid, s)
}

// Source says how an entry came into the register.
const (
	SourceClerk    = "clerk"
	SourceImport   = "import"
	SourceExchange = "exchange"
)

// Recall states of an outgoing document.
const (
	RecallRequested = "requested" // status 13 sent
	RecallAccepted  = "accepted"  // status 15 received
	RecallRefused   = "refused"   // status 16 received
)

// Recipient is one addressee of an outgoing document, with the last status
// it reported through the exchange.
type Recipient struct {
	Agency   string    `json:"agency"`
	Status   string    `json:"status,omitempty"`
	StatusAt time.Time `json:"status_at,omitempty"`
}

// Outgoing is an entry of the outgoing register.
type Outgoing struct {
	ID          int64           `json:"id"`
	Unit        string          `json:"unit"`
	Number      string          `json:"number"`
	Date        calendar.Date   `json:"date"`
	Type        string          `json:"type,omitempty"`
	Subject     string          `json:"subject,omitempty"`
	Signer      string          `json:"signer,omitempty"`
	Secret      bool            `json:"secret"`
	Channel     Channel         `json:"channel"`
	PaperReason string          `json:"paper_reason,omitempty"`
	Recipients  []Recipient     `json:"recipients,omitempty"`
	Approve     SigStatus       `json:"approve"`
	Issue       SigStatus       `json:"issue"`
	Signatures  []SignatureInfo `json:"signatures,omitempty"`
	FileSHA256  string          `json:"file_sha256,omitempty"`
	FileName    string          `json:"file_name,omitempty"`
	VerifiedAt  time.Time       `json:"verified_at,omitempty"`
	DocumentID  string          `json:"document_id,omitempty"`
	SentAt      time.Time       `json:"sent_at,omitempty"`
	Recall      string          `json:"recall,omitempty"`
	RecallAt    time.Time       `json:"recall_at,omitempty"`
	Cancelled   bool            `json:"cancelled"`
	Source      string          `json:"source"`
	CreatedAt   time.Time       `json:"created_at"`
	CreatedBy   string          `json:"created_by"`
}

// Exchanged reports whether the entry counts towards the e-exchange rate:
// not secret, sent over the network, both signatures valid.
func (o Outgoing) Exchanged() bool {
	return !o.Secret && !o.Cancelled && o.Channel != Paper && o.Approve == SigValid && o.Issue == SigValid
}

// OutgoingInput is a new outgoing entry.
type OutgoingInput struct {
	Unit        string
	Number      string // number and notation: "123/UBND-VP"
	Date        calendar.Date
	Type        string // "Công văn", "Quyết định", …
	Subject     string
	Signer      string
	Secret      bool
	Channel     Channel
	Recipients  []string
	PaperReason string
	// File is the sent document to verify (PDF); Assessment, when set, is
	// a verification already made (import, exchange) and File is ignored.
	File       string
	Assessment *Assessment
	DocumentID string
	SentAt     time.Time
	Source     string // default SourceClerk
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// docKey identifies a document within its unit: the year and the number
// (numbers start again every year).
func docKey(year int, number string) string {
	return fmt.Sprintf("%04d|%s", year, strings.ToUpper(strings.ReplaceAll(clean(number), " ", "")))
}

func (in *OutgoingInput) normalise() error {
	in.Unit, in.Number, in.Type = strings.ToUpper(clean(in.Unit)), clean(in.Number), clean(in.Type)
	in.Subject, in.Signer, in.PaperReason = clean(in.Subject), clean(in.Signer), clean(in.PaperReason)
	var to []string
	for _, r := range in.Recipients {
		if r = clean(r); r != "" {
			to = append(to, r)
		}
	}
	in.Recipients = to
	switch {
	case in.Unit == "":
		return fmt.Errorf("%w: no unit", ErrInvalid)
	case in.Number == "":
		return fmt.Errorf("%w: no number and notation", ErrInvalid)
	case len(in.Number) > 100 || len(in.Subject) > 2000 || len(in.Type) > 200 || len(in.Signer) > 200 || len(in.PaperReason) > 1000:
		return fmt.Errorf("%w: a field is too long", ErrInvalid)
	case in.Date.IsZero():
		return fmt.Errorf("%w: no date", ErrInvalid)
	}
	if in.Channel == "" {
		return fmt.Errorf("%w: no channel (electronic, paper or both)", ErrInvalid)
	}
	if _, err := ParseChannel(string(in.Channel)); err != nil {
		return err
	}
	if in.Channel == Paper && !in.Secret && in.PaperReason == "" {
		return fmt.Errorf("%w: a paper send needs its reason", ErrInvalid)
	}
	if in.Source == "" {
		in.Source = SourceClerk
	}
	return nil
}

// AddOutgoing registers an outgoing document. With a File, its signatures
// are verified first (outside the transaction).
func (r *Register) AddOutgoing(ctx context.Context, a Actor, in OutgoingInput) (*Outgoing, error) {
	if err := in.normalise(); err != nil {
		return nil, err
	}
	as := Unverified
	if in.Assessment != nil {
		as = *in.Assessment
	} else if in.File != "" {
		var err error
		if as, err = r.assessFile(ctx, in.File); err != nil {
			return nil, err
		}
	}
	var id int64
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		uid, err := UnitScope(ctx, tx, a, in.Unit)
		if err != nil {
			return err
		}
		id, err = r.insertOutgoing(ctx, tx, a, uid, in, as)
		if err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, in.Unit)
	})
	if err != nil {
		return nil, err
	}
	return r.Outgoing(ctx, a, id)
}

func (r *Register) insertOutgoing(ctx context.Context, tx *store.Tx, a Actor, uid int64, in OutgoingInput, as Assessment) (int64, error) {
	now := r.now()
	key := docKey(in.Date.Year, in.Number)
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM reg_outgoing WHERE unit_id = ? AND doc_key = ?", uid, key).Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		return 0, fmt.Errorf("%w: %s of %d", ErrDuplicate, in.Number, in.Date.Year)
	}
	fileName := ""
	if as.File != "" {
		fileName = baseName(as.File)
	}
	id, err := store.InsertID(ctx, tx, `INSERT INTO reg_outgoing (unit_id, number, doc_key, doc_date, doc_type, subject, signer, secret, channel,
		paper_reason, approve_sig, issue_sig, file_sha256, file_name, verified_at, document_id, sent_at, source, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		uid, in.Number, key, in.Date.Key(), in.Type, in.Subject, in.Signer, b2i(in.Secret), string(in.Channel),
		in.PaperReason, string(as.Approve), string(as.Issue), as.SHA256, fileName, nullMicros(as.At), in.DocumentID,
		nullMicros(in.SentAt), in.Source, micros(now), actorName(a))
	if store.IsUniqueViolation(err) {
		return 0, fmt.Errorf("%w: %s of %d", ErrDuplicate, in.Number, in.Date.Year)
	}
	if err != nil {
		return 0, fmt.Errorf("failed to register the document: %w", err)
	}
	for i, to := range in.Recipients {
		if _, err := tx.Exec(ctx, "INSERT INTO reg_outgoing_to (outgoing_id, seq, agency) VALUES (?, ?, ?)", id, i+1, to); err != nil {
			return 0, fmt.Errorf("failed to register the recipients: %w", err)
		}
	}
	if err := r.storeSignatures(ctx, tx, id, uid, in.Signer, as); err != nil {
		return 0, err
	}
	summary := in.Number + " " + in.Date.String()
	if as.Approve != SigUnverified {
		summary += "; " + as.summary()
	}
	return id, r.record(ctx, tx, a, now, history{entity: "outgoing", entityID: id, unitID: uid, action: "create", new: summary})
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// storeSignatures records the signatures of a verified document, the
// certificates first seen on it, and who signed: the staff member of the
// certificate, else (recorded now) the staff member of the unit or of a
// unit above it whose name is the certificate's common name.
func (r *Register) storeSignatures(ctx context.Context, tx *store.Tx, outID, uid int64, signer string, as Assessment) error {
	now := r.now()
	var signerStaff sql.NullInt64
	for _, s := range as.Signatures {
		var certID, staffID sql.NullInt64
		if s.Cert != nil {
			row := certRow(s.Cert)
			err := tx.QueryRow(ctx, "SELECT id, staff_id FROM reg_cert WHERE fingerprint = ?", row.Fingerprint).Scan(&certID, &staffID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if !row.Organisation && !staffID.Valid {
				name := s.Cert.Subject.CommonName
				if s.Role == roles.Approve && signer != "" && roles.FoldName(signer) != roles.FoldName(name) {
					name = signer
				}
				if staffID, err = matchStaff(ctx, tx, uid, name); err != nil {
					return err
				}
			}
			if !certID.Valid {
				row.Source = "signature"
				id, err := insertCert(ctx, tx, row, staffID, uid, now)
				if err != nil {
					return err
				}
				certID = sql.NullInt64{Int64: id, Valid: true}
			} else if staffID.Valid {
				if _, err := tx.Exec(ctx, "UPDATE reg_cert SET staff_id = ? WHERE id = ? AND staff_id IS NULL", staffID, certID); err != nil {
					return err
				}
			}
		}
		var signedDay any
		if !s.SigningTime.IsZero() {
			signedDay = calendar.DateOf(s.SigningTime).Key()
		}
		if _, err := tx.Exec(ctx, `INSERT INTO reg_signature (outgoing_id, field, role, signer, cert_id, staff_id, status, signed_at, signed_day, problems)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, outID, s.Field, string(s.Role), s.Signer, certID, staffID, string(s.Status),
			nullMicros(s.SigningTime), signedDay, strings.Join(s.Problems, " ")); err != nil {
			return fmt.Errorf("failed to record a signature: %w", err)
		}
		if s.Role == roles.Approve && s.Status == SigValid && staffID.Valid {
			signerStaff = staffID
		}
	}
	if !signerStaff.Valid && signer != "" {
		var err error
		if signerStaff, err = matchStaff(ctx, tx, uid, signer); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, "UPDATE reg_outgoing SET signer_staff_id = ? WHERE id = ?", signerStaff, outID)
	return err
}

// matchStaff finds the one staff member named name (compared without
// diacritics) in unit uid or the nearest unit above it.
func matchStaff(ctx context.Context, tx *store.Tx, uid int64, name string) (sql.NullInt64, error) {
	key := roles.FoldName(name)
	if key == "" {
		return sql.NullInt64{}, nil
	}
	rows, err := tx.Query(ctx, `SELECT s.id, t.depth FROM reg_staff s JOIN reg_unit_tree t ON t.ancestor_id = s.unit_id
		WHERE t.unit_id = ? AND s.name_key = ? ORDER BY t.depth, s.id`, uid, key)
	if err != nil {
		return sql.NullInt64{}, err
	}
	defer rows.Close()
	var found sql.NullInt64
	best := -1
	for rows.Next() {
		var id int64
		var depth int
		if err := rows.Scan(&id, &depth); err != nil {
			return sql.NullInt64{}, err
		}
		if best >= 0 && depth == best {
			return sql.NullInt64{}, rows.Err() // two of that name at the same level: ambiguous
		}
		if best < 0 {
			best, found = depth, sql.NullInt64{Int64: id, Valid: true}
		}
	}
	return found, rows.Err()
}

const outgoingColumns = `o.id, u.code, o.number, o.doc_date, o.doc_type, o.subject, o.signer, o.secret, o.channel, o.paper_reason,
	o.approve_sig, o.issue_sig, o.file_sha256, o.file_name, o.verified_at, o.document_id, o.sent_at, o.recall, o.recall_at,
	o.cancelled, o.source, o.created_at, o.created_by`

func scanOutgoing(row interface{ Scan(...any) error }) (Outgoing, error) {
	var o Outgoing
	var date, secret, cancelled int
	var channel, approve, issue string
	var verified, sent, recallAt sql.NullInt64
	var created int64
	err := row.Scan(&o.ID, &o.Unit, &o.Number, &date, &o.Type, &o.Subject, &o.Signer, &secret, &channel, &o.PaperReason,
		&approve, &issue, &o.FileSHA256, &o.FileName, &verified, &o.DocumentID, &sent, &o.Recall, &recallAt,
		&cancelled, &o.Source, &created, &o.CreatedBy)
	o.Date, o.Secret, o.Cancelled, o.Channel = calendar.FromKey(date), secret == 1, cancelled == 1, Channel(channel)
	o.Approve, o.Issue = SigStatus(approve), SigStatus(issue)
	o.VerifiedAt, o.SentAt, o.RecallAt = fromMicros(verified), fromMicros(sent), fromMicros(recallAt)
	o.CreatedAt = time.UnixMicro(created).In(calendar.Vietnam)
	return o, err
}

// Outgoing returns one outgoing entry with its recipients and signatures.
func (r *Register) Outgoing(ctx context.Context, a Actor, id int64) (*Outgoing, error) {
	o, err := scanOutgoing(r.db.QueryRow(ctx, "SELECT "+outgoingColumns+" FROM reg_outgoing o JOIN reg_unit u ON u.id = o.unit_id WHERE o.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: outgoing entry %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the entry: %w", err)
	}
	if _, err := UnitScope(ctx, r.db, a, o.Unit); err != nil {
		if errors.Is(err, ErrForbidden) {
			return nil, fmt.Errorf("%w: outgoing entry %d", ErrNotFound, id)
		}
		return nil, err
	}
	if err := r.loadOutgoingDetails(ctx, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func (r *Register) loadOutgoingDetails(ctx context.Context, o *Outgoing) error {
	rows, err := r.db.Query(ctx, "SELECT agency, status, status_at FROM reg_outgoing_to WHERE outgoing_id = ? ORDER BY seq", o.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var rc Recipient
		var at sql.NullInt64
		if err := rows.Scan(&rc.Agency, &rc.Status, &at); err != nil {
			rows.Close()
			return err
		}
		rc.StatusAt = fromMicros(at)
		o.Recipients = append(o.Recipients, rc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	srows, err := r.db.Query(ctx, "SELECT field, role, signer, status, signed_at, problems FROM reg_signature WHERE outgoing_id = ? ORDER BY id", o.ID)
	if err != nil {
		return err
	}
	defer srows.Close()
	for srows.Next() {
		var s SignatureInfo
		var role, status, problems string
		var at sql.NullInt64
		if err := srows.Scan(&s.Field, &role, &s.Signer, &status, &at, &problems); err != nil {
			return err
		}
		s.Role, s.Status, s.SigningTime, s.Problems = roles.Role(role), SigStatus(status), fromMicros(at), strings.Fields(problems)
		o.Signatures = append(o.Signatures, s)
	}
	return srows.Err()
}

// Filter selects register entries.
type Filter struct {
	Unit     string // "" for the actor's own unit
	SubUnits bool   // the whole subtree of Unit
	From, To calendar.Date
	// Cancelled includes cancelled entries.
	Cancelled bool
	Limit     int // default 1000
	Offset    int
}

func (f Filter) where(col string) (string, []any) {
	w, args := "", []any{}
	if !f.From.IsZero() {
		w += " AND " + col + " >= ?"
		args = append(args, f.From.Key())
	}
	if !f.To.IsZero() {
		w += " AND " + col + " <= ?"
		args = append(args, f.To.Key())
	}
	if !f.Cancelled {
		w += " AND cancelled = 0"
	}
	return w, args
}

func (f Filter) limit() int {
	if f.Limit <= 0 || f.Limit > 100000 {
		return 1000
	}
	return f.Limit
}

// listRows runs the list query of a register: columns of table (as
// alias, joined with its unit u), filtered by f on dayCol, in order.
func (r *Register) listRows(ctx context.Context, a Actor, f Filter, table, alias, columns, dayCol, order string) (*sql.Rows, error) {
	uid, err := UnitScope(ctx, r.db, a, f.Unit)
	if err != nil {
		return nil, err
	}
	scope := alias + ".unit_id = ?"
	if f.SubUnits {
		scope = alias + ".unit_id IN (SELECT unit_id FROM reg_unit_tree WHERE ancestor_id = ?)"
	}
	w, args := f.where(alias + "." + dayCol)
	q := "SELECT " + columns + " FROM " + table + " " + alias + " JOIN reg_unit u ON u.id = " + alias + ".unit_id WHERE " + scope +
		strings.ReplaceAll(w, " cancelled", " "+alias+".cancelled") + " ORDER BY " + order + " LIMIT ? OFFSET ?"
	rows, err := r.db.Query(ctx, q, append(append([]any{uid}, args...), f.limit(), f.Offset)...)
	if err != nil {
		return nil, fmt.Errorf("failed to list the register: %w", err)
	}
	return rows, nil
}

// ListOutgoing lists outgoing entries by date, then number (without their
// signatures; Outgoing has them).
func (r *Register) ListOutgoing(ctx context.Context, a Actor, f Filter) ([]Outgoing, error) {
	rows, err := r.listRows(ctx, a, f, "reg_outgoing", "o", outgoingColumns, "doc_date", "o.doc_date, o.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Outgoing
	for rows.Next() {
		o, err := scanOutgoing(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
