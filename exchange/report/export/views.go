// Package export renders a report (exchange/report) as tables: the views
// (summary, units, trend, missed documents, late receipts, staff gaps)
// that CSV, XLSX and the terminal share. Texts come from the caller's
// Labels (app/ passes its catalogue), so the package translates nothing.
package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
)

// Labels returns the text of a message key (report.col.sent, …).
type Labels func(key string, args ...any) string

// Kind is the type of a column's values.
type Kind int

// Column kinds: Text (string), Int (int), Pct (report.Ratio, shown as a
// percentage; its value is the share 0–1), Date (calendar.Date), Time
// (time.Time).
const (
	Text Kind = iota
	Int
	Pct
	Date
	Time
)

// Column is one column of a view.
type Column struct {
	Key   string // the label key
	Title string
	Kind  Kind
}

// View is one table of the report.
type View struct {
	Name    string // summary, units, trend, missed, receipts, staff
	Title   string
	Columns []Column
	Rows    [][]any
}

// ViewNames lists the views in order.
var ViewNames = []string{"summary", "units", "trend", "missed", "receipts", "staff"}

func cols(l Labels, spec ...any) []Column {
	var out []Column
	for i := 0; i+1 < len(spec); i += 2 {
		k := spec[i].(string)
		out = append(out, Column{Key: k, Title: l("report.col." + k), Kind: spec[i+1].(Kind)})
	}
	return out
}

// PeriodLabel names a period: "tháng 12/2026 (15/11/2026 – 14/12/2026)".
func PeriodLabel(l Labels, p calendar.Period) string {
	return l("report.period."+string(p.Kind), p.Year, p.Index) + " (" + p.From.VN() + " – " + p.To.VN() + ")"
}

// Views builds every view of rep.
func Views(rep *report.Report, l Labels) []View {
	return []View{summary(rep, l), unitsView(rep, l), trendView(rep, l), missedView(rep, l), receiptsView(rep, l), staffView(rep, l)}
}

// ViewByName returns one view.
func ViewByName(rep *report.Report, l Labels, name string) (View, error) {
	for _, v := range Views(rep, l) {
		if v.Name == name {
			return v, nil
		}
	}
	return View{}, fmt.Errorf("%w: view %q (%s)", report.ErrBadRequest, name, strings.Join(ViewNames, ", "))
}

func summary(rep *report.Report, l Labels) View {
	c, r := rep.Unit.Counts, rep.Unit.Rates
	v := View{Name: "summary", Title: l("report.view.summary"), Columns: cols(l, "indicator", Text, "value", Pct, "num", Int, "den", Int)}
	for _, x := range []struct {
		key string
		r   report.Ratio
	}{{"exchange_rate", r.Exchange}, {"gap", r.Gap}, {"timeliness", r.Timeliness}, {"cert_coverage", r.CertCover}, {"sign_coverage", r.SignCover}} {
		v.Rows = append(v.Rows, []any{l("report.ind." + x.key), x.r, x.r.Num, x.r.Den})
	}
	for _, x := range []struct {
		key string
		n   int
	}{{"outgoing", c.Outgoing}, {"secret", c.Secret}, {"sent", c.Sent}, {"electronic", c.Electronic}, {"exchanged", c.Exchanged},
		{"paper_only", c.PaperOnly}, {"unsigned", c.Unsigned}, {"one_signature", c.OneSignature}, {"recalls", c.Recalls}, {"recalled", c.Recalled},
		{"received", c.Received}, {"on_time", c.OnTime}, {"late", c.Late}, {"unconfirmed", c.Unconfirmed}, {"refused", c.Refused},
		{"taken_back", c.TakenBack}, {"staff", c.Staff}, {"staff_cert", c.StaffWithCert}, {"staff_signed", c.StaffSigned}} {
		v.Rows = append(v.Rows, []any{l("report.col." + x.key), nil, x.n, nil})
	}
	return v
}

func unitRow(u report.UnitRow) []any {
	c, r := u.Counts, u.Rates
	return []any{u.Code, strings.Repeat("  ", u.Depth) + u.Name, c.Sent, c.Exchanged, r.Exchange, r.Gap.Num, c.PaperOnly, c.Unsigned,
		c.OneSignature, c.Secret, c.Recalls, c.Received, c.OnTime, r.Timeliness, c.Staff, c.StaffWithCert, r.CertCover, c.StaffSigned, r.SignCover}
}

var unitCols = []any{"code", Text, "name", Text, "sent", Int, "exchanged", Int, "exchange_rate", Pct, "gap", Int, "paper_only", Int,
	"unsigned", Int, "one_signature", Int, "secret", Int, "recalls", Int, "received", Int, "on_time", Int, "timeliness", Pct,
	"staff", Int, "staff_cert", Int, "cert_coverage", Pct, "staff_signed", Int, "sign_coverage", Pct}

func unitsView(rep *report.Report, l Labels) View {
	v := View{Name: "units", Title: l("report.view.units"), Columns: append(cols(l, "rank", Int), cols(l, unitCols...)...)}
	ranks := map[string]int{}
	for _, u := range rep.Ranking {
		ranks[u.Code] = u.Rank
	}
	for _, u := range rep.Units {
		var rank any
		if n, ok := ranks[u.Code]; ok {
			rank = n
		}
		v.Rows = append(v.Rows, append([]any{rank}, unitRow(u)...))
	}
	return v
}

func trendView(rep *report.Report, l Labels) View {
	v := View{Name: "trend", Title: l("report.view.trend"), Columns: cols(l, "period", Text, "from", Date, "to", Date, "sent", Int,
		"exchanged", Int, "exchange_rate", Pct, "received", Int, "on_time", Int, "timeliness", Pct)}
	for _, t := range rep.Trend {
		v.Rows = append(v.Rows, []any{l("report.period."+string(t.Period.Kind), t.Period.Year, t.Period.Index), t.Period.From, t.Period.To,
			t.Exchange.Den, t.Exchange.Num, t.Exchange, t.Timeliness.Den, t.Timeliness.Num, t.Timeliness})
	}
	return v
}

// Reasons renders the reasons a document missed the target.
func Reasons(l Labels, reasons []string) string {
	var parts []string
	for _, r := range reasons {
		parts = append(parts, l("report.reason."+r))
	}
	return strings.Join(parts, "; ")
}

func missedView(rep *report.Report, l Labels) View {
	v := View{Name: "missed", Title: l("report.view.missed"), Columns: cols(l, "code", Text, "unit_name", Text, "number", Text, "date", Date,
		"type", Text, "subject", Text, "signer", Text, "channel", Text, "approve", Text, "issue", Text, "reason", Text, "paper_reason", Text)}
	for _, m := range rep.Missed {
		v.Rows = append(v.Rows, []any{m.Unit, m.UnitName, m.Number, m.Date, m.Type, m.Subject, m.Signer, l("report.channel." + string(m.Channel)),
			l("report.sig." + string(m.Approve)), l("report.sig." + string(m.Issue)), Reasons(l, m.Reasons), m.PaperReason})
	}
	return v
}

func receiptsView(rep *report.Report, l Labels) View {
	v := View{Name: "receipts", Title: l("report.view.receipts"), Columns: cols(l, "code", Text, "unit_name", Text, "sender", Text,
		"number", Text, "arrived", Time, "due", Date, "receipt_at", Time, "reason", Text)}
	for _, x := range rep.Receipts {
		var at any
		if !x.ReceiptAt.IsZero() {
			at = x.ReceiptAt
		}
		v.Rows = append(v.Rows, []any{x.Unit, x.UnitName, x.Sender, x.Number, x.ArrivedAt, x.Due, at, l("report.reason." + x.Reason)})
	}
	return v
}

func staffView(rep *report.Report, l Labels) View {
	v := View{Name: "staff", Title: l("report.view.staff"), Columns: cols(l, "code", Text, "unit_name", Text, "staff_name", Text, "title", Text, "reason", Text)}
	for _, g := range rep.StaffGaps {
		v.Rows = append(v.Rows, []any{g.Unit, g.UnitName, g.Name, g.Title, Reasons(l, g.Reasons)})
	}
	return v
}

// Cell renders a value as text: percentages with one decimal ("87,5%" in
// Vietnamese, which Labels' report.pct decides), dates DD/MM/YYYY.
func Cell(l Labels, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return fmt.Sprint(x)
	case report.Ratio:
		return Percent(l, x)
	case calendar.Date:
		return x.VN()
	case time.Time:
		return x.In(calendar.Vietnam).Format("02/01/2006 15:04")
	}
	return fmt.Sprint(v)
}

// Percent renders a ratio as a percentage with one decimal, or "—"
// without a denominator.
func Percent(l Labels, r report.Ratio) string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	s := fmt.Sprintf("%.1f%%", v*100)
	if sep := l("report.decimal_separator"); sep == "," {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
