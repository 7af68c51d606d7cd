package roles

import (
	"context"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing/layout"
	"github.com/vanthu/vanthu/signing/pdf"
)

// Issued is what the signatures of an issued document say of it: the
// number and date the clerk gave it (from the issue signature) and the
// competent signer's title (from the approve signature). It is read for
// prefilling forms (the exchange's header), never for a decision: the
// verifier decides whether the signatures are valid.
type Issued struct {
	Number   string    // "123"
	Notation string    // "UBND-VP" (from the page's "Số: …/UBND-VP" when the number was given alone)
	Date     time.Time // the issue date (midnight, Vietnam); the signing day when the reason has none
	// Subject is the document's "V/v …" (or "Về việc …") line under its
	// number, as printed on page 1; "" when none is found.
	Subject string
	// SignerName and SignerTitle are the competent signer's name (the
	// approve signature's /Name) and title (from its reason, "CHỦ
	// TỊCH"); "" when not recorded.
	SignerName, SignerTitle string
}

// issueReason is the issue signature's reason: "Ban hành văn bản số 123/UBND-VP
// ngày 21/11/2026" (the date since the reason records it).
var issueReason = regexp.MustCompile(`(?i)^Ban hành văn bản số\s+(\S+?)(?:\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4}))?\s*$`)

// issueReasonText is the issue signature's reason for number on date.
func issueReasonText(number string, date time.Time) string {
	return "Ban hành văn bản số " + strings.TrimSpace(number) + " ngày " + date.In(Vietnam).Format("02/01/2006")
}

// ReadIssued reads what the document's issue signature records (nil, nil
// when the document carries none).
func ReadIssued(ctx context.Context, r io.ReaderAt, size int64) (*Issued, error) {
	f, err := pdf.OpenFinal(ctx, r, size)
	if err != nil {
		return nil, err
	}
	fields, err := formFields(f)
	if err != nil {
		return nil, err
	}
	var out *Issued
	name, title := "", ""
	for _, fl := range fields {
		if fl.Type != "Sig" {
			continue
		}
		v, err := f.ResolveDict(fl.Dict["V"])
		if err != nil || v == nil {
			continue
		}
		reason := textOf(f, v["Reason"])
		switch roleOfField(fl.FullName) {
		case Approve:
			name = textOf(f, v["Name"])
			if i := strings.LastIndex(reason, ": "); i >= 0 {
				title = strings.TrimSpace(reason[i+2:])
			}
		case Issue:
			m := issueReason.FindStringSubmatch(strings.TrimSpace(reason))
			if m == nil {
				continue
			}
			is := &Issued{Number: m[1]}
			if i := strings.Index(is.Number, "/"); i >= 0 {
				is.Number, is.Notation = is.Number[:i], is.Number[i+1:]
			}
			if m[2] != "" {
				d, _ := strconv.Atoi(m[2])
				mo, _ := strconv.Atoi(m[3])
				y, _ := strconv.Atoi(m[4])
				is.Date = time.Date(y, time.Month(mo), d, 0, 0, 0, 0, Vietnam)
			} else if t, ok := pdfDate(textOf(f, v["M"])); ok {
				y, mo, d := t.In(Vietnam).Date()
				is.Date = time.Date(y, mo, d, 0, 0, 0, 0, Vietnam)
			}
			out = is
		}
	}
	if out == nil {
		return nil, nil
	}
	out.SignerName, out.SignerTitle = name, title
	if doc, err := layout.Open(ctx, r, size, layout.Options{}); err == nil {
		if p, err := doc.Page(ctx, 1); err == nil {
			if out.Notation == "" {
				out.Notation = printedNotation(p)
			}
			out.Subject = PrintedSubject(p)
		}
	}
	return out, nil
}

// printedNotation is the notation printed after "Số:" on the page,
// without its "/".
func printedNotation(p *layout.Page) string {
	np, err := FindNumber(p)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(strings.ReplaceAll(np.Notation, " ", ""), "/"))
}

// PrintedSubject is the subject (trích yếu) printed in the top half of the
// page: the "V/v …" line of a letter or the "Về việc …" line under a
// decision's name, with the lines it wraps onto; "" when none is found.
func PrintedSubject(p *layout.Page) string {
	top := p.Box.Y0 + p.Box.H()*0.5
	for i, l := range p.Lines {
		f := fold(l.Text)
		if l.Baseline < top || !(strings.HasPrefix(f, "V/V ") || strings.HasPrefix(f, "VE VIEC ")) {
			continue
		}
		parts := []string{strings.TrimSpace(l.Text)}
		last := l
		for _, n := range p.Lines[i+1:] {
			gap := last.Baseline - n.Baseline
			if gap <= 0 || gap > 1.6*last.Size || n.Rect.X0 > l.Rect.X1 || n.Rect.X1 < l.Rect.X0 ||
				strings.HasPrefix(fold(n.Text), "KINH GUI") {
				break
			}
			parts = append(parts, strings.TrimSpace(n.Text))
			last = n
		}
		return strings.Join(parts, " ")
	}
	return ""
}

func textOf(f *pdf.View, o pdf.Object) string {
	v, err := f.Resolve(o)
	if err != nil {
		return ""
	}
	if s, ok := v.(pdf.String); ok {
		return pdf.DecodeText(s)
	}
	return ""
}

// pdfDate parses a PDF date "D:YYYYMMDDHHmmSS+07'00'" (the time and zone
// optional).
func pdfDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	if len(s) < 8 {
		return time.Time{}, false
	}
	digits := func(from, n, def int) int {
		if len(s) < from+n {
			return def
		}
		v, err := strconv.Atoi(s[from : from+n])
		if err != nil {
			return def
		}
		return v
	}
	y, mo, d := digits(0, 4, 0), digits(4, 2, 1), digits(6, 2, 1)
	if y == 0 {
		return time.Time{}, false
	}
	h, mi, sec := digits(8, 2, 0), digits(10, 2, 0), digits(12, 2, 0)
	loc := time.UTC
	if len(s) > 14 && (s[14] == '+' || s[14] == '-') {
		off := digits(15, 2, 0)*3600 + digits(18, 2, 0)*60
		if s[14] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, loc), true
}
