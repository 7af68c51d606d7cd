// Package pdfreport writes a compliance report (exchange/report) as an
// official PDF report in the Nghị định 30 layout: the header (the issuing
// unit, "Số:", the national motto, the place and date line), the title,
// the indicators with the counts behind them, a bar chart of the sub-units'
// e-exchange rates against the 100% target, the 12-period trend line, the
// ranking, the documents and staff that missed the target, and the signer
// block ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", room for the signature, the
// name) where `vanthu sign --role approve` places the head's signature by
// itself. Text is Liberation Serif (Times New Roman metrics), embedded as
// a subset so the diacritics render everywhere; the charts are vector
// drawings (github.com/go-pdf/fpdf). The file is written atomically.
package pdfreport

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
)

// ErrLayout is returned when the report cannot be laid out (a font or a
// drawing failed).
var ErrLayout = errors.New("pdfreport: failed to lay out the report")

// Header is the official part of the report.
type Header struct {
	// Parent and Org are the issuing unit's lines at the top left, in
	// capitals: "UBND HUYỆN YÊN THÀNH" (the governing body, may be empty),
	// "VĂN PHÒNG HĐND VÀ UBND" (default: the unit's name).
	Parent, Org string
	// Number is "12/BC-UBND"; when it starts with "/" ("/BC-UBND") the
	// number and the date are left blank for the clerk's issue signature
	// to fill in.
	Number string
	Place  string    // "Yên Thành"
	Date   time.Time // the report's date (default: when it was computed)
	// Titles are the signer block's title lines ("TM. ỦY BAN NHÂN DÂN",
	// "CHỦ TỊCH"); Signer is the name under the signature.
	Titles []string
	Signer string
	// Recipients are listed under "Nơi nhận:".
	Recipients []string
	// MaxRows caps each list (default 40); the rest is counted.
	MaxRows int
}

const (
	pageW, pageH  = 595.28, 841.89
	marginL       = 85.0 // 30 mm
	marginR       = 56.7 // 20 mm
	marginT       = 56.7
	marginB       = 57.0
	contentW      = pageW - marginL - marginR
	leftCentre    = 160.0 // the header's columns: 50–270 and 270–560 pt
	leftWidth     = 215.0
	rightCentre   = 415.0
	signerCentre  = pageW - marginR - 120
	signatureRoom = 100.0
)

// Colours of the charts.
var (
	barColour    = [3]int{31, 78, 160}
	targetColour = [3]int{200, 30, 30}
	gridColour   = [3]int{190, 190, 190}
)

type writer struct {
	pdf *fpdf.Fpdf
	l   export.Labels
	rep *report.Report
	h   Header
}

// Write renders rep as the PDF report into w. l gives the Vietnamese
// texts (the caller's vi catalogue).
func Write(w io.Writer, rep *report.Report, h Header, l export.Labels) error {
	if h.MaxRows <= 0 {
		h.MaxRows = 40
	}
	if h.Date.IsZero() {
		h.Date = rep.GeneratedAt
	}
	if h.Org == "" {
		h.Org = strings.ToUpper(rep.Unit.Name)
	}
	p := fpdf.New("P", "pt", "A4", "")
	p.SetCompression(true)
	p.SetMargins(marginL, marginT, marginR)
	p.SetAutoPageBreak(true, marginB)
	p.AddUTF8FontFromBytes("serif", "", assets.SerifRegular)
	p.AddUTF8FontFromBytes("serif", "I", assets.SerifItalic)
	p.AddUTF8FontFromBytes("serif", "B", assets.SerifBold)
	p.SetTitle(l("report.pdf.title")+" "+rep.Unit.Name, true)
	p.SetAuthor(rep.Unit.Name, true)
	p.SetCreator("vanthu", true)
	p.SetCreationDate(rep.GeneratedAt)
	p.SetModificationDate(rep.GeneratedAt)
	p.SetFooterFunc(func() {
		if p.PageNo() > 1 {
			p.SetY(pageH - 40)
			p.SetFont("serif", "", 10)
			p.CellFormat(0, 12, fmt.Sprint(p.PageNo()), "", 0, "C", false, 0, "")
		}
	})
	wr := &writer{pdf: p, l: l, rep: rep, h: h}
	p.AddPage()
	wr.header()
	wr.summary()
	wr.barChart()
	wr.trendChart()
	wr.ranking()
	wr.lists()
	wr.signerBlock()
	if err := p.Error(); err != nil {
		return fmt.Errorf("%w: %w", ErrLayout, err)
	}
	return p.Output(w)
}

// WriteFile writes the report to path atomically.
func WriteFile(path string, rep *report.Report, h Header, l export.Labels) error {
	return export.WriteAtomic(path, func(w io.Writer) error { return Write(w, rep, h, l) })
}

func (w *writer) font(style string, size float64) { w.pdf.SetFont("serif", style, size) }

// centred writes s centred on x at baseline-ish y (top of a line of height h).
func (w *writer) centred(x, y, h float64, s string) {
	sw := w.pdf.GetStringWidth(s)
	w.pdf.SetXY(x-sw/2, y)
	w.pdf.CellFormat(sw, h, s, "", 0, "L", false, 0, "")
}

func (w *writer) header() {
	p := w.pdf
	y := marginT - 16
	line := 0.0
	if w.h.Parent != "" {
		w.font("", 12)
		w.centred(leftCentre, y, 15, strings.ToUpper(w.h.Parent))
		line = 15
	}
	w.font("B", 12)
	org := p.SplitText(strings.ToUpper(w.h.Org), leftWidth)
	for i, s := range org {
		w.centred(leftCentre, y+line+float64(i)*15, 15, s)
	}
	leftEnd := y + line + float64(len(org))*15
	w.font("B", 12)
	w.centred(rightCentre, y, 15, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	w.font("B", 13)
	motto := "Độc lập - Tự do - Hạnh phúc"
	w.centred(rightCentre, y+15, 15, motto)
	mw := p.GetStringWidth(motto)
	p.SetLineWidth(0.6)
	p.Line(rightCentre-mw/2, y+31, rightCentre+mw/2, y+31)
	p.Line(leftCentre-30, leftEnd+2, leftCentre+30, leftEnd+2)
	rowY := math.Max(leftEnd+8, y+40)
	w.font("", 13)
	number := w.h.Number
	blank := strings.HasPrefix(number, "/") || number == ""
	if number == "" {
		number = "/BC"
	}
	if blank {
		w.centred(leftCentre, rowY, 16, "Số:        "+number)
	} else {
		w.centred(leftCentre, rowY, 16, "Số: "+number)
	}
	w.font("I", 13)
	place := w.h.Place
	if place != "" {
		place += ", "
	}
	d := w.h.Date.In(calendar.Vietnam)
	dl := fmt.Sprintf("%sngày %02d tháng %s năm %d", place, d.Day(), month(d.Month()), d.Year())
	if blank {
		dl = fmt.Sprintf("%sngày        tháng        năm %d", place, d.Year())
	}
	w.centred(rightCentre, rowY, 16, dl)
	y = rowY + 40
	w.font("B", 14)
	w.centred(pageW/2, y, 18, w.l("report.pdf.title"))
	w.font("B", 13)
	p.SetXY(marginL, y+20)
	p.MultiCell(contentW, 16, w.l("report.pdf.subtitle", w.rep.Unit.Name), "", "C", false)
	w.font("", 13)
	p.SetX(marginL)
	p.MultiCell(contentW, 16, export.PeriodLabel(w.l, w.rep.Period), "", "C", false)
	p.SetX(marginL)
	w.font("I", 11)
	p.MultiCell(contentW, 14, w.l("report.pdf.deadline", w.rep.Deadline.VN()), "", "C", false)
	p.Ln(8)
}

// month writes the month as Nghị định 30 does: 01 and 02 with a zero.
func month(m time.Month) string {
	if m <= 2 {
		return fmt.Sprintf("%02d", int(m))
	}
	return fmt.Sprint(int(m))
}

func (w *writer) section(title string) { w.sectionNeeding(title, 80) }

// sectionNeeding starts a section on a new page unless need points fit
// below its title.
func (w *writer) sectionNeeding(title string, need float64) {
	p := w.pdf
	if p.GetY()+need+30 > pageH-marginB {
		p.AddPage()
	}
	p.Ln(6)
	w.font("B", 13)
	p.SetX(marginL)
	p.MultiCell(contentW, 17, title, "", "L", false)
	w.font("", 12)
}

func (w *writer) para(s string) {
	w.pdf.SetX(marginL)
	w.pdf.MultiCell(contentW, 16, s, "", "J", false)
}

func (w *writer) summary() {
	c, r := w.rep.Unit.Counts, w.rep.Unit.Rates
	w.section(w.l("report.pdf.s1"))
	pct := func(x report.Ratio) string { return export.Percent(w.l, x) }
	w.para(w.l("report.pdf.rate", pct(r.Exchange), c.Exchanged, c.Sent, pct(r.Gap), c.Sent-c.Exchanged))
	w.para(w.l("report.pdf.counts", c.Outgoing, c.Secret, c.Electronic, c.PaperOnly, c.Unsigned, c.OneSignature, c.Recalls, c.Recalled))
	w.para(w.l("report.pdf.receipts", c.Received, c.OnTime, pct(r.Timeliness), c.Late, c.Unconfirmed, c.Refused))
	w.para(w.l("report.pdf.staff", c.Staff, c.StaffWithCert, pct(r.CertCover), c.StaffSigned, pct(r.SignCover)))
	for _, warn := range w.rep.Warnings {
		w.font("I", 11)
		w.para(w.l("report.warning." + warn))
		w.font("", 12)
	}
	rows := [][]string{}
	for _, x := range []struct {
		key string
		r   report.Ratio
	}{{"exchange_rate", r.Exchange}, {"gap", r.Gap}, {"timeliness", r.Timeliness}, {"cert_coverage", r.CertCover}, {"sign_coverage", r.SignCover}} {
		rows = append(rows, []string{w.l("report.ind." + x.key), pct(x.r), fmt.Sprint(x.r.Num), fmt.Sprint(x.r.Den)})
	}
	w.pdf.Ln(4)
	w.table([]string{w.l("report.col.indicator"), w.l("report.col.value"), w.l("report.col.num"), w.l("report.col.den")},
		[]float64{0.52, 0.16, 0.16, 0.16}, rows, []string{"L", "R", "R", "R"})
}

// table draws a bordered table that wraps its cells and breaks across
// pages (repeating the header).
func (w *writer) table(head []string, widths []float64, rows [][]string, align []string) {
	p := w.pdf
	ws := make([]float64, len(widths))
	for i, f := range widths {
		ws[i] = f * contentW
	}
	const lh = 13.0
	drawRow := func(cells []string, bold bool) {
		size := 10.0
		if bold {
			w.font("B", size)
		} else {
			w.font("", size)
		}
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = p.SplitText(c, ws[i]-6)
			if len(lines[i]) == 0 {
				lines[i] = []string{""}
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 4
		if p.GetY()+h > pageH-marginB {
			p.AddPage()
		}
		y := p.GetY()
		x := marginL
		for i := range cells {
			if bold {
				p.SetFillColor(221, 235, 247)
				p.Rect(x, y, ws[i], h, "FD")
			} else {
				p.Rect(x, y, ws[i], h, "D")
			}
			for k, s := range lines[i] {
				p.SetXY(x+3, y+2+float64(k)*lh)
				p.CellFormat(ws[i]-6, lh, s, "", 0, align[i], false, 0, "")
			}
			x += ws[i]
		}
		p.SetXY(marginL, y+h)
	}
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.4)
	drawRow(head, true)
	for _, r := range rows {
		if p.GetY()+20 > pageH-marginB {
			p.AddPage()
			drawRow(head, true)
		}
		drawRow(r, false)
	}
	w.font("", 12)
}

// barChart draws the direct sub-units' e-exchange rates as horizontal
// bars against the 100% target line.
func (w *writer) barChart() {
	units := w.rep.Ranking
	if len(units) == 0 {
		return
	}
	const maxBars = 25
	shown := units
	if len(shown) > maxBars {
		shown = shown[:maxBars]
	}
	const rowH, labelW = 18.0, 170.0
	chartH := float64(len(shown))*rowH + 40
	w.sectionNeeding(w.l("report.pdf.s2"), chartH)
	p := w.pdf
	x0, y0 := marginL+labelW, p.GetY()+6
	bw := contentW - labelW - 45
	p.SetLineWidth(0.3)
	w.setDraw(gridColour)
	w.font("", 9)
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		x := x0 + f*bw
		p.Line(x, y0, x, y0+float64(len(shown))*rowH)
		w.centred(x, y0+float64(len(shown))*rowH+2, 10, fmt.Sprintf("%d%%", int(f*100)))
	}
	for i, u := range shown {
		y := y0 + float64(i)*rowH
		w.font("", 10)
		name := fit(p, fmt.Sprintf("%d. %s", u.Rank, u.Name), labelW-6)
		p.SetXY(marginL, y+3)
		p.CellFormat(labelW-6, 12, name, "", 0, "L", false, 0, "")
		v, ok := u.Rates.Exchange.Value()
		label := "—"
		if ok {
			p.SetFillColor(barColour[0], barColour[1], barColour[2])
			if v > 0 {
				p.Rect(x0, y+3, v*bw, rowH-6, "F")
			}
			label = export.Percent(w.l, u.Rates.Exchange)
		}
		p.SetXY(x0+bw+4, y+3)
		p.CellFormat(42, 12, label, "", 0, "L", false, 0, "")
	}
	// The target.
	w.setDraw(targetColour)
	p.SetLineWidth(1.2)
	p.SetDashPattern([]float64{4, 3}, 0)
	p.Line(x0+bw, y0-4, x0+bw, y0+float64(len(shown))*rowH+2)
	p.SetDashPattern([]float64{}, 0)
	p.SetLineWidth(0.4)
	w.setDraw([3]int{0, 0, 0})
	p.SetXY(marginL, y0+float64(len(shown))*rowH+14)
	w.font("I", 10)
	note := w.l("report.pdf.bar_note")
	if len(units) > maxBars {
		note += " " + w.l("report.pdf.more", len(units)-maxBars)
	}
	p.MultiCell(contentW, 12, note, "", "L", false)
	w.font("", 12)
}

func (w *writer) setDraw(c [3]int) { w.pdf.SetDrawColor(c[0], c[1], c[2]) }

// fit shortens s with "…" to width.
func fit(p *fpdf.Fpdf, s string, width float64) string {
	if p.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && p.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// trendChart draws the e-exchange rate of the last periods as a line
// against the 100% target.
func (w *writer) trendChart() {
	t := w.rep.Trend
	if len(t) < 2 {
		return
	}
	const chartH = 150.0
	w.sectionNeeding(w.l("report.pdf.s3"), chartH+40)
	p := w.pdf
	x0, y0 := marginL+30, p.GetY()+10
	cw := contentW - 40
	step := cw / float64(len(t)-1)
	yOf := func(v float64) float64 { return y0 + chartH - v*chartH }
	p.SetLineWidth(0.3)
	w.setDraw(gridColour)
	w.font("", 9)
	for _, f := range []float64{0, 0.25, 0.5, 0.75} {
		p.Line(x0, yOf(f), x0+cw, yOf(f))
		p.SetXY(marginL-4, yOf(f)-5)
		p.CellFormat(30, 10, fmt.Sprintf("%d%%", int(f*100)), "", 0, "R", false, 0, "")
	}
	w.setDraw(targetColour)
	p.SetLineWidth(1.2)
	p.SetDashPattern([]float64{4, 3}, 0)
	p.Line(x0, yOf(1), x0+cw, yOf(1))
	p.SetDashPattern([]float64{}, 0)
	p.SetXY(marginL-4, yOf(1)-5)
	p.CellFormat(30, 10, "100%", "", 0, "R", false, 0, "")
	w.setDraw(barColour)
	p.SetFillColor(barColour[0], barColour[1], barColour[2])
	p.SetLineWidth(1.6)
	var prevX, prevY float64
	havePrev := false
	for i, tp := range t {
		x := x0 + float64(i)*step
		w.font("", 8)
		w.centred(x, y0+chartH+4, 10, fmt.Sprintf("%02d/%02d", int(tp.Period.To.Month), tp.Period.To.Year%100))
		v, ok := tp.Exchange.Value()
		if !ok {
			havePrev = false
			continue
		}
		y := yOf(v)
		if havePrev {
			p.Line(prevX, prevY, x, y)
		}
		p.Circle(x, y, 2.6, "F")
		prevX, prevY, havePrev = x, y, true
	}
	p.SetLineWidth(0.4)
	w.setDraw([3]int{0, 0, 0})
	p.SetXY(marginL, y0+chartH+18)
	w.font("I", 10)
	p.MultiCell(contentW, 12, w.l("report.pdf.trend_note"), "", "L", false)
	w.font("", 12)
}

func (w *writer) ranking() {
	if len(w.rep.Ranking) == 0 {
		return
	}
	w.section(w.l("report.pdf.s4"))
	var rows [][]string
	for _, u := range w.rep.Ranking {
		c, r := u.Counts, u.Rates
		rows = append(rows, []string{fmt.Sprint(u.Rank), u.Name, fmt.Sprint(c.Sent), fmt.Sprint(c.Exchanged), export.Percent(w.l, r.Exchange),
			export.Percent(w.l, r.Timeliness), export.Percent(w.l, r.CertCover), export.Percent(w.l, r.SignCover)})
	}
	l := w.l
	w.table([]string{l("report.col.rank"), l("report.col.name"), l("report.col.sent"), l("report.col.exchanged"), l("report.col.exchange_rate"),
		l("report.col.timeliness"), l("report.col.cert_coverage"), l("report.col.sign_coverage")},
		[]float64{0.08, 0.32, 0.09, 0.11, 0.1, 0.1, 0.1, 0.1}, rows, []string{"C", "L", "R", "R", "R", "R", "R", "R"})
}

func (w *writer) lists() {
	l, rep, n := w.l, w.rep, w.h.MaxRows
	w.section(l("report.pdf.s5", rep.MissedTotal))
	if rep.MissedTotal == 0 {
		w.para(l("report.pdf.none"))
	} else {
		var rows [][]string
		for i, m := range rep.Missed {
			if i == n {
				break
			}
			reason := export.Reasons(l, m.Reasons)
			if m.PaperReason != "" {
				reason += ": " + m.PaperReason
			}
			rows = append(rows, []string{fmt.Sprint(i + 1), m.UnitName, m.Number, m.Date.VN(), m.Subject, reason})
		}
		w.table([]string{"TT", l("report.col.unit_name"), l("report.col.number"), l("report.col.date"), l("report.col.subject"), l("report.col.reason")},
			[]float64{0.06, 0.18, 0.18, 0.13, 0.19, 0.26}, rows, []string{"C", "L", "L", "C", "L", "L"})
		if rep.MissedTotal > len(rows) {
			w.font("I", 11)
			w.para(l("report.pdf.more", rep.MissedTotal-len(rows)))
		}
	}
	if len(rep.Receipts) > 0 {
		w.section(l("report.pdf.s6", len(rep.Receipts)))
		var rows [][]string
		for i, x := range rep.Receipts {
			if i == n {
				break
			}
			at := ""
			if !x.ReceiptAt.IsZero() {
				at = x.ReceiptAt.In(calendar.Vietnam).Format("02/01/2006 15:04")
			}
			rows = append(rows, []string{fmt.Sprint(i + 1), x.UnitName, x.Sender + " — " + x.Number, x.ArrivedAt.In(calendar.Vietnam).Format("02/01/2006 15:04"),
				x.Due.VN(), at, l("report.reason." + x.Reason)})
		}
		w.table([]string{"TT", l("report.col.unit_name"), l("report.col.number"), l("report.col.arrived"), l("report.col.due"), l("report.col.receipt_at"), l("report.col.reason")},
			[]float64{0.06, 0.16, 0.18, 0.15, 0.14, 0.16, 0.15}, rows, []string{"C", "L", "L", "C", "C", "C", "L"})
		if len(rep.Receipts) > len(rows) {
			w.para(l("report.pdf.more", len(rep.Receipts)-len(rows)))
		}
	}
	if len(rep.StaffGaps) > 0 {
		w.section(l("report.pdf.s7", len(rep.StaffGaps)))
		var rows [][]string
		for i, g := range rep.StaffGaps {
			if i == n {
				break
			}
			rows = append(rows, []string{fmt.Sprint(i + 1), g.UnitName, g.Name, export.Reasons(l, g.Reasons)})
		}
		w.table([]string{"TT", l("report.col.unit_name"), l("report.col.staff_name"), l("report.col.reason")},
			[]float64{0.06, 0.34, 0.25, 0.35}, rows, []string{"C", "L", "L", "L"})
		if len(rep.StaffGaps) > len(rows) {
			w.para(l("report.pdf.more", len(rep.StaffGaps)-len(rows)))
		}
	}
}

// signerBlock ends the report: "Nơi nhận:" on the left, the title lines,
// the room for the signature and the name on the right, kept together on
// the last page.
func (w *writer) signerBlock() {
	p := w.pdf
	titles := w.h.Titles
	if len(titles) == 0 {
		titles = []string{"THỦ TRƯỞNG ĐƠN VỊ"}
	}
	need := float64(len(titles))*17 + signatureRoom + 40
	if p.GetY()+need+12 > pageH-marginB {
		p.AddPage()
	}
	y := p.GetY() + 12
	w.font("B", 12)
	p.SetXY(marginL, y)
	p.CellFormat(150, 14, "Nơi nhận:", "", 0, "L", false, 0, "")
	w.font("", 11)
	recips := w.h.Recipients
	if len(recips) == 0 {
		recips = []string{"Như trên;", "Lưu: VT."}
	}
	for i, r := range recips {
		p.SetXY(marginL, y+16+float64(i)*13)
		p.CellFormat(170, 13, "- "+r, "", 0, "L", false, 0, "")
	}
	w.font("B", 13)
	for i, t := range titles {
		w.centred(signerCentre, y+float64(i)*17, 16, strings.ToUpper(t))
	}
	if w.h.Signer != "" {
		w.font("B", 13)
		w.centred(signerCentre, y+float64(len(titles))*17+signatureRoom, 16, w.h.Signer)
	}
	p.SetY(y + need)
}
