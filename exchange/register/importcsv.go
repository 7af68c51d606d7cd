package register

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/store"
)

// ImportColumns are the columns of an outgoing register CSV (header row
// required, any order; unit, number, date and channel are required).
// recipients are separated by ";"; secret is yes/no (or 1/0, có/không);
// file is the sent document, relative to the CSV's folder, verified when
// given.
var ImportColumns = []string{"unit", "number", "date", "type", "subject", "signer", "secret", "channel", "recipients", "paper_reason", "file"}

// ImportOptions tune ImportOutgoing.
type ImportOptions struct {
	// Dir is the folder the file column is relative to.
	Dir string
	// SkipRejected imports the accepted rows even when some are rejected;
	// by default one rejected row stops the import (nothing imported).
	SkipRejected bool
	// Progress is told how many rows were checked, of how many.
	Progress func(done, total int)
	// MaxRows bounds the file (default 200,000 rows).
	MaxRows int
}

// Rejected is a row the import refused, with why.
type Rejected struct {
	Line   int    `json:"line"`
	Number string `json:"number,omitempty"`
	Reason string `json:"reason"`
	Err    error  `json:"-"`
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows     int        `json:"rows"`
	Imported int        `json:"imported"`
	Rejected []Rejected `json:"rejected"`
}

type importRow struct {
	line int
	in   OutgoingInput
	as   Assessment
}

// ImportOutgoing loads a backlog of outgoing entries from CSV in one
// transaction: either every accepted row is registered or none is. Rows
// are checked first (fields, unit and access, duplicates in the file and
// in the register, the documents' signatures); with a rejected row and
// without SkipRejected nothing is imported and the error is
// ErrImportRejected, the report listing every rejected row.
func (r *Register) ImportOutgoing(ctx context.Context, a Actor, src io.Reader, opts ImportOptions) (*ImportReport, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = 200000
	}
	rows, err := readImport(src, opts.MaxRows)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Rows: len(rows), Rejected: []Rejected{}}
	reject := func(line int, number string, err error) {
		rep.Rejected = append(rep.Rejected, Rejected{Line: line, Number: number, Reason: err.Error(), Err: err})
	}
	var ok []importRow
	seen := map[string]int{}
	for i, row := range rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(i, len(rows))
		}
		in, file, err := row.input()
		if err == nil {
			err = in.normalise()
		}
		if err != nil {
			reject(row.line, row.get("number"), err)
			continue
		}
		key := in.Unit + "|" + docKey(in.Date.Year, in.Number)
		if prev, dup := seen[key]; dup {
			reject(row.line, in.Number, fmt.Errorf("%w: the same document as line %d", ErrDuplicate, prev))
			continue
		}
		seen[key] = row.line
		uid, err := UnitScope(ctx, r.db, a, in.Unit)
		if err == nil {
			var n int
			if err = r.db.QueryRow(ctx, "SELECT count(*) FROM reg_outgoing WHERE unit_id = ? AND doc_key = ?", uid, docKey(in.Date.Year, in.Number)).Scan(&n); err == nil && n > 0 {
				err = fmt.Errorf("%w: %s of %d", ErrDuplicate, in.Number, in.Date.Year)
			}
		}
		as := Unverified
		if err == nil && file != "" {
			if !filepath.IsAbs(file) {
				file = filepath.Join(opts.Dir, file)
			}
			as, err = r.assessFile(ctx, file)
		}
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, err
			}
			reject(row.line, in.Number, err)
			continue
		}
		in.Source = SourceImport
		ok = append(ok, importRow{line: row.line, in: in, as: as})
	}
	if opts.Progress != nil {
		opts.Progress(len(rows), len(rows))
	}
	if len(rep.Rejected) > 0 && !opts.SkipRejected {
		return rep, ErrImportRejected
	}
	err = r.db.Tx(ctx, func(tx *store.Tx) error {
		units := map[string]int64{}
		for _, row := range ok {
			uid, known := units[row.in.Unit]
			if !known {
				var err error
				if uid, err = UnitScope(ctx, tx, a, row.in.Unit); err != nil {
					return fmt.Errorf("line %d: %w", row.line, err)
				}
				units[row.in.Unit] = uid
			}
			if _, err := r.insertOutgoing(ctx, tx, a, uid, row.in, row.as); err != nil {
				return fmt.Errorf("line %d: %w", row.line, err)
			}
		}
		for u := range units {
			if err := tx.Notify(ctx, notifyChannel, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.Imported = len(ok)
	return rep, nil
}

type csvRow struct {
	line   int
	cols   map[string]int
	fields []string
}

func (c csvRow) get(name string) string {
	if i, ok := c.cols[name]; ok && i < len(c.fields) {
		return strings.TrimSpace(c.fields[i])
	}
	return ""
}

func (c csvRow) input() (OutgoingInput, string, error) {
	in := OutgoingInput{Unit: c.get("unit"), Number: c.get("number"), Type: c.get("type"), Subject: c.get("subject"),
		Signer: c.get("signer"), PaperReason: c.get("paper_reason")}
	d, err := calendar.ParseDate(c.get("date"))
	if err != nil {
		return in, "", fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	in.Date = d
	if in.Secret, err = parseBool(c.get("secret")); err != nil {
		return in, "", err
	}
	if in.Channel, err = ParseChannel(c.get("channel")); err != nil {
		return in, "", err
	}
	for _, s := range strings.Split(c.get("recipients"), ";") {
		if s = strings.TrimSpace(s); s != "" {
			in.Recipients = append(in.Recipients, s)
		}
	}
	return in, c.get("file"), nil
}

func readImport(src io.Reader, maxRows int) ([]csvRow, error) {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: no header row: %w", ErrInvalid, err)
	}
	cols := map[string]int{}
	known := map[string]bool{}
	for _, c := range ImportColumns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known[h] {
			return nil, fmt.Errorf("%w: unknown column %q (columns: %s)", ErrInvalid, h, strings.Join(ImportColumns, ", "))
		}
		if _, dup := cols[h]; dup {
			return nil, fmt.Errorf("%w: column %q twice", ErrInvalid, h)
		}
		cols[h] = i
	}
	for _, need := range []string{"unit", "number", "date", "channel"} {
		if _, ok := cols[need]; !ok {
			return nil, fmt.Errorf("%w: the header has no %q column", ErrInvalid, need)
		}
	}
	var rows []csvRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrInvalid, line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rows) >= maxRows {
			return nil, fmt.Errorf("%w: more than %d rows", ErrInvalid, maxRows)
		}
		rows = append(rows, csvRow{line: line, cols: cols, fields: rec})
	}
	return rows, nil
}
