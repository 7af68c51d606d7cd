package gui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
	"github.com/vanthu/vanthu/exchange/report/pdfreport"
	"github.com/vanthu/vanthu/signing/roles"
)

// periodKinds are the periods the dashboard offers: those of Nghị định
// 09/2019 (the reporting regime, the default) and calendar ones.
var periodKinds = []calendar.PeriodKind{calendar.ND09Month, calendar.Month, calendar.ND09Quarter, calendar.Quarter, calendar.ND09Year, calendar.Year}

// dashboardScreen is "Báo cáo": for the unit and period, the e-exchange
// rate as a big number against 100 % with its gap and the counts behind
// it, receipt timeliness and staff signing coverage, a bar chart of the
// sub-units against the 100 % line, the 12-period trend, and the
// documents that missed the target with their reasons (each opens the
// document on the Verify screen, or its register entry); the report exported as XLSX or the official PDF, which
// can be signed on the Sign screen.
type dashboardScreen struct {
	u       *ui
	content fyne.CanvasObject

	Unit       *widget.Select
	Kind       *widget.Select
	Prev, Next *widget.Button
	Period     *widget.Label
	Refresh    *widget.Button
	ExportXLSX *widget.Button
	ExportPDF  *widget.Button
	SignReport *widget.Button
	Rate       *canvas.Text
	RateTitle  *widget.Label
	Gap        *widget.Label
	Counts     *widget.Label
	Timeliness *widget.Label
	Staff      *widget.Label
	Units      *barChart
	Trend      *barChart
	Missed     *widget.List
	MissedHead *widget.Label
	OpenDoc    *widget.Button // the chosen missed document on the Verify screen
	OpenEntry  *widget.Button // its register entry
	DocStatus  *widget.Label
	Status     *widget.Label

	unitCodes []string
	missedSel int // the chosen missed document, -1 none
	period    calendar.Period
	rep       *report.Report
	gen       int
	seen      deskSeen
}

func newDashboardScreen(u *ui) *dashboardScreen {
	d := &dashboardScreen{u: u, missedSel: -1}
	d.Unit = widget.NewSelect(nil, func(string) { d.reload() })
	d.Unit.PlaceHolder = u.tr("gui.reg.unit_own")
	var kinds []string
	for _, k := range periodKinds {
		kinds = append(kinds, u.tr("gui.dash.kind."+string(k)))
	}
	d.Kind = widget.NewSelect(kinds, func(string) {
		k := periodKinds[max(d.Kind.SelectedIndex(), 0)]
		u.set.SetPeriodKind(string(k))
		d.period = periodOf(k, calendar.Today())
		d.reload()
	})
	d.Prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { d.period = d.period.Prev(); d.reload() })
	d.Next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() {
		d.period = periodOf(d.period.Kind, d.period.To.AddDays(1))
		d.reload()
	})
	d.Period = widget.NewLabel("")
	d.Refresh = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), d.reload)
	d.ExportXLSX = widget.NewButtonWithIcon(u.tr("gui.dash.xlsx"), theme.DocumentSaveIcon(), d.exportXLSX)
	d.ExportPDF = widget.NewButtonWithIcon(u.tr("gui.dash.pdf"), theme.DocumentIcon(), func() { d.pdfDialog(false) })
	d.SignReport = widget.NewButtonWithIcon(u.tr("gui.dash.sign"), theme.DocumentCreateIcon(), func() { d.pdfDialog(true) })
	d.Rate = canvas.NewText("—", theme.Color(theme.ColorNameForeground))
	d.Rate.TextSize = 64
	d.Rate.TextStyle.Bold = true
	d.RateTitle = widget.NewLabelWithStyle(u.tr("report.ind.exchange_rate"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.RateTitle.Wrapping = fyne.TextWrapWord
	d.Gap = widget.NewLabel("")
	d.Gap.Wrapping = fyne.TextWrapWord
	d.Counts = widget.NewLabel("")
	d.Counts.Wrapping = fyne.TextWrapWord
	d.Timeliness = widget.NewLabel("")
	d.Timeliness.Wrapping = fyne.TextWrapWord
	d.Staff = widget.NewLabel("")
	d.Staff.Wrapping = fyne.TextWrapWord
	d.Units = newBarChart(false, "100%", u.tr("gui.dash.no_sub_units"))
	d.Trend = newBarChart(true, "100%", u.tr("gui.dash.no_trend"))
	d.MissedHead = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.Missed = widget.NewList(func() int { return d.missedCount() },
		twoLines, func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(d.missedLine(i)) })
	d.Missed.OnSelected = func(i widget.ListItemID) { d.missedSel = i; d.updateMissedButtons() }
	d.Missed.OnUnselected = func(widget.ListItemID) { d.missedSel = -1; d.updateMissedButtons() }
	d.OpenDoc = widget.NewButtonWithIcon(u.tr("gui.doc.open"), theme.FileIcon(), func() { d.openMissedDocument(d.missedSel) })
	d.OpenEntry = widget.NewButtonWithIcon(u.tr("gui.doc.open_entry"), theme.ListIcon(), func() { d.openMissed(d.missedSel) })
	d.DocStatus = widget.NewLabel("")
	d.DocStatus.Wrapping = fyne.TextWrapWord
	d.Status = widget.NewLabel("")
	d.Status.Wrapping = fyne.TextWrapWord

	kind := calendar.PeriodKind(u.set.PeriodKind())
	idx := 0
	for i, k := range periodKinds {
		if k == kind {
			idx = i
		}
	}
	d.period = periodOf(periodKinds[idx], calendar.Today())
	cb := d.Kind.OnChanged
	d.Kind.OnChanged = nil
	d.Kind.SetSelectedIndex(idx)
	d.Kind.OnChanged = cb

	bar := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(sized(d.Unit, 260), sized(d.Kind, 230), d.Prev), container.NewHBox(d.Next, d.Refresh), d.Period),
		container.NewBorder(nil, nil, nil, container.NewHBox(d.ExportXLSX, d.ExportPDF, d.SignReport)))
	card := func(title string, body fyne.CanvasObject) fyne.CanvasObject {
		return widget.NewCard("", "", container.NewBorder(heading(title), nil, nil, nil, body))
	}
	rate := widget.NewCard("", "", container.NewVBox(d.RateTitle, d.Rate, d.Gap, d.Counts))
	side := container.NewVBox(card(u.tr("gui.dash.timeliness"), d.Timeliness), card(u.tr("gui.dash.staff"), d.Staff))
	top := container.NewGridWithColumns(2, rate, side)
	charts := container.NewGridWithColumns(2, card(u.tr("gui.dash.sub_units"), d.Units), card(u.tr("gui.dash.trend"), d.Trend))
	missedBar := container.NewBorder(nil, nil, nil, container.NewHBox(d.OpenDoc, d.OpenEntry), d.MissedHead)
	missed := container.NewBorder(missedBar, d.DocStatus, nil, nil, minHeight(d.Missed, 200))
	body := container.NewVBox(top, charts, missed, d.Status)
	d.content = container.NewBorder(container.NewPadded(bar), nil, nil, nil, container.NewVScroll(container.NewPadded(body)))
	u.desk.onChange = append(u.desk.onChange, func() {
		if u.Tabs != nil && u.Tabs.SelectedIndex() == tabDashboard && d.seen.changed(u.desk.State) {
			d.reload()
		}
	})
	d.show(nil)
	return d
}

// periodOf is the period of kind that contains day.
func periodOf(kind calendar.PeriodKind, day calendar.Date) calendar.Period {
	y, m := day.Year, day.Month
	// An ND09 period runs from the 15th: a day after the 14th belongs to
	// the next month's period.
	ny, nm := y, m
	if day.Day > 14 {
		nm++
		if nm > 12 {
			ny, nm = ny+1, 1
		}
	}
	switch kind {
	case calendar.Month:
		return calendar.MonthOf(y, m)
	case calendar.Quarter:
		return calendar.QuarterOf(y, (int(m)-1)/3+1)
	case calendar.Year:
		return calendar.YearOf(y)
	case calendar.ND09Quarter:
		return calendar.ND09QuarterOf(ny, (int(nm)-1)/3+1)
	case calendar.ND09Year:
		if m == 12 && day.Day > 14 {
			return calendar.ND09YearOf(y + 1)
		}
		return calendar.ND09YearOf(y)
	}
	return calendar.ND09MonthOf(ny, nm)
}

// unit is the unit chosen ("" = the agency's own, or the settings').
func (d *dashboardScreen) unit() string {
	if i := d.Unit.SelectedIndex(); i >= 0 && i < len(d.unitCodes) {
		return d.unitCodes[i]
	}
	return d.u.set.ReportUnit()
}

// reload computes the report (off the UI thread).
func (d *dashboardScreen) reload() {
	u := d.u
	p, unit := d.period, d.unit()
	l := export.Labels(u.tr)
	d.Period.SetText(export.PeriodLabel(l, p))
	d.Status.SetText(u.tr("gui.dash.computing"))
	deadline := u.cfg.Getenv("VANTHU_REPORT_DEADLINE")
	var rep *report.Report
	var codes, names []string
	u.latest(&d.gen, func(ctx context.Context, x *bridge.Exchange) error {
		regs, err := u.registers(x)
		if err != nil {
			return err
		}
		if units, err := regs.Units(ctx, ""); err == nil {
			for _, un := range units {
				codes = append(codes, un.Code)
				names = append(names, strings.Repeat("  ", un.Depth)+un.Code+" — "+un.Name)
			}
		}
		rep, err = regs.Report(ctx, unit, p, 200, deadline)
		return err
	}, func(err error) {
		d.setUnits(codes, names)
		if err != nil {
			if !errors.Is(err, errNoExchange) {
				u.log.Printf("dashboard: %v", err)
			}
			d.show(nil)
			d.Status.SetText("✗ " + u.registerError(err))
			return
		}
		d.Status.SetText(u.tr("gui.dash.computed", rep.GeneratedAt.Local().Format("15:04:05"), rep.Deadline.VN()))
		u.log.Printf("dashboard %s %s: %d/%d exchanged, %d missed", rep.Unit.Code, p, rep.Unit.Counts.Exchanged, rep.Unit.Counts.Sent, rep.MissedTotal)
		d.show(rep)
	})
}

func (d *dashboardScreen) setUnits(codes, names []string) {
	if len(codes) == 0 {
		return
	}
	keep := d.unit()
	cb := d.Unit.OnChanged
	d.Unit.OnChanged = nil
	d.unitCodes, d.Unit.Options = codes, names
	d.Unit.ClearSelected()
	for i, c := range codes {
		if c == keep {
			d.Unit.SetSelectedIndex(i)
		}
	}
	d.Unit.Refresh()
	d.Unit.OnChanged = cb
}

// show draws the report (nil: nothing to show).
func (d *dashboardScreen) show(rep *report.Report) {
	u := d.u
	d.rep = rep
	l := export.Labels(u.tr)
	for _, b := range []*widget.Button{d.ExportXLSX, d.ExportPDF, d.SignReport} {
		if rep == nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if rep == nil {
		d.Rate.Text = "—"
		d.Rate.Color = theme.Color(theme.ColorNameForeground)
		d.Rate.Refresh()
		for _, w := range []*widget.Label{d.Gap, d.Counts, d.Timeliness, d.Staff} {
			w.SetText("")
		}
		d.MissedHead.SetText("")
		d.Units.SetBars(nil)
		d.Trend.SetBars(nil)
		d.refreshMissed()
		return
	}
	c, r := rep.Unit.Counts, rep.Unit.Rates
	v, ok := r.Exchange.Value()
	d.Rate.Text = export.Percent(l, r.Exchange)
	d.Rate.Color = shareColour(v, ok)
	d.Rate.Refresh()
	d.RateTitle.SetText(u.tr("gui.dash.rate_title", rep.Unit.Name))
	if ok {
		d.Gap.SetText(u.tr("gui.dash.gap", export.Percent(l, r.Gap), c.Sent-c.Exchanged, c.Sent))
	} else {
		d.Gap.SetText(u.tr("gui.dash.no_outgoing"))
	}
	d.Counts.SetText(u.tr("gui.dash.counts", c.Exchanged, c.Sent, c.Electronic, c.PaperOnly, c.Unsigned, c.OneSignature, c.Secret))
	if c.Received == 0 {
		d.Timeliness.SetText(u.tr("gui.dash.no_incoming"))
	} else {
		d.Timeliness.SetText(u.tr("gui.dash.timeliness_text", export.Percent(l, r.Timeliness), c.OnTime, c.Received, c.Late, c.Unconfirmed))
	}
	if c.Staff == 0 {
		d.Staff.SetText(u.tr("gui.dash.no_staff"))
	} else {
		d.Staff.SetText(u.tr("gui.dash.staff_text", export.Percent(l, r.CertCover), c.StaffWithCert, c.Staff, export.Percent(l, r.SignCover), c.StaffSigned))
	}
	var bars []chartBar
	for _, x := range rep.Ranking {
		v, ok := x.Rates.Exchange.Value()
		bars = append(bars, chartBar{Label: clip(x.Code+" "+x.Name, 26), Value: export.Percent(l, x.Rates.Exchange), Share: v, OK: ok})
	}
	d.Units.SetBars(bars)
	bars = nil
	for _, t := range rep.Trend {
		v, ok := t.Exchange.Value()
		bars = append(bars, chartBar{Label: trendLabel(t.Period), Value: shortPercent(t.Exchange), Share: v, OK: ok})
	}
	d.Trend.SetBars(bars)
	d.MissedHead.SetText(u.tr("gui.dash.missed", rep.MissedTotal))
	d.refreshMissed()
}

// refreshMissed shows the list of a new report, nothing chosen.
func (d *dashboardScreen) refreshMissed() {
	d.Missed.UnselectAll()
	d.missedSel = -1
	d.Missed.Refresh()
	d.updateMissedButtons()
}

func (d *dashboardScreen) updateMissedButtons() {
	if d.missedSel >= 0 && d.missedSel < d.missedCount() {
		d.OpenDoc.Enable()
		d.OpenEntry.Enable()
		return
	}
	d.OpenDoc.Disable()
	d.OpenEntry.Disable()
}

// clip cuts s to n letters with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// trendLabel is a period's short name under its bar ("12/26", "Q4/26").
func trendLabel(p calendar.Period) string {
	switch p.Kind {
	case calendar.Month, calendar.ND09Month:
		return fmt.Sprintf("%d/%02d", p.Index, p.Year%100)
	case calendar.Quarter, calendar.ND09Quarter:
		return fmt.Sprintf("Q%d/%02d", p.Index, p.Year%100)
	}
	return fmt.Sprint(p.Year)
}

// shortPercent is a percentage without decimals for the trend's bars.
func shortPercent(r report.Ratio) string {
	v, ok := r.Value()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", v*100)
}

func (d *dashboardScreen) missedCount() int {
	if d.rep == nil {
		return 0
	}
	return len(d.rep.Missed)
}

func (d *dashboardScreen) missedLine(i int) string {
	if d.rep == nil || i >= len(d.rep.Missed) {
		return ""
	}
	m := d.rep.Missed[i]
	l := export.Labels(d.u.tr)
	reason := export.Reasons(l, m.Reasons)
	if m.PaperReason != "" {
		reason += ": " + m.PaperReason
	}
	return fmt.Sprintf("%s  %s  %s — %s\n%s", m.Date.VN(), m.Unit, m.Number, m.Subject, reason)
}

// openMissed opens a missed document's register entry.
func (d *dashboardScreen) openMissed(i int) {
	if d.rep == nil || i < 0 || i >= len(d.rep.Missed) {
		return
	}
	m := d.rep.Missed[i]
	d.u.Registers.showEntry(m.ID, m.Date)
}

// openMissedDocument opens a missed document's signed PDF on the Verify
// screen (or says why it cannot).
func (d *dashboardScreen) openMissedDocument(i int) {
	if d.rep == nil || i < 0 || i >= len(d.rep.Missed) {
		return
	}
	d.u.openEntryDocument(d.DocStatus, register.EntityOutgoing, d.rep.Missed[i].ID)
}

// reportName is the file name of the report ("bao-cao-T99.01-nd09-2026-12").
func (d *dashboardScreen) reportName() string {
	return "bao-cao-" + bridge.SafeName(d.rep.Unit.Code) + "-" + strings.NewReplacer(":", "-", "..", "-").Replace(d.rep.Period.String())
}

// exportXLSX saves the report as an XLSX workbook.
func (d *dashboardScreen) exportXLSX() {
	u := d.u
	if d.rep == nil {
		return
	}
	rep := d.rep
	dlg := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		if err := d.writeXLSX(path, rep); err != nil {
			u.showError("export", err)
			return
		}
		u.log.Printf("dashboard: XLSX written to %s", path)
		d.Status.SetText("✓ " + u.tr("gui.reg.exported", path))
	}, u.win)
	dlg.SetFileName(d.reportName() + ".xlsx")
	dlg.Resize(fyne.NewSize(800, 560))
	dlg.Show()
}

// writeXLSX writes rep as an XLSX workbook (atomically).
func (d *dashboardScreen) writeXLSX(path string, rep *report.Report) error {
	l := export.Labels(d.u.tr)
	return export.WriteAtomic(path, func(w io.Writer) error { return export.XLSX(w, rep, l) })
}

// pdfDialog asks for the official report's header lines, writes the PDF
// and, with sign, opens it on the Sign screen for the competent person's
// signature.
func (d *dashboardScreen) pdfDialog(sign bool) {
	u := d.u
	if d.rep == nil {
		return
	}
	number, place, titles, signer := widget.NewEntry(), widget.NewEntry(), widget.NewMultiLineEntry(), widget.NewEntry()
	number.SetText("/BC-" + strings.ToUpper(bridge.SafeName(d.rep.Unit.Code)))
	number.SetPlaceHolder("12/BC-UBND")
	titles.SetPlaceHolder("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
	titles.SetMinRowsVisible(2)
	if c := d.u.Sign.choice(); c != nil && !c.Organisation {
		signer.SetText(c.Cert.Subject.CommonName)
	}
	items := []*widget.FormItem{
		widget.NewFormItem(u.tr("gui.send.number"), number), widget.NewFormItem(u.tr("gui.dash.place"), place),
		widget.NewFormItem(u.tr("gui.dash.titles"), titles), widget.NewFormItem(u.tr("gui.send.signer"), signer)}
	dlg := dialog.NewForm(u.tr("gui.dash.pdf_title"), u.tr("gui.ok"), u.tr("gui.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		var lines []string
		for _, t := range strings.Split(titles.Text, "\n") {
			if t = strings.TrimSpace(t); t != "" {
				lines = append(lines, t)
			}
		}
		h := pdfreport.Header{Number: strings.TrimSpace(number.Text), Place: strings.TrimSpace(place.Text), Titles: lines,
			Signer: strings.TrimSpace(signer.Text)}
		if sign {
			d.writeAndSign(h)
			return
		}
		d.savePDF(h)
	}, u.win)
	dlg.Resize(fyne.NewSize(560, 0))
	dlg.Show()
}

// writePDF writes the official report (always in Vietnamese) as path.
func (d *dashboardScreen) writePDF(path string, h pdfreport.Header) error {
	vi := func(key string, args ...any) string { return i18n.T(i18n.VI, key, args...) }
	return pdfreport.WriteFile(path, d.rep, h, vi)
}

func (d *dashboardScreen) savePDF(h pdfreport.Header) {
	u := d.u
	dlg := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		if err := d.writePDF(path, h); err != nil {
			u.showError("export", err)
			return
		}
		u.log.Printf("dashboard: PDF written to %s", path)
		d.Status.SetText("✓ " + u.tr("gui.reg.exported", path))
	}, u.win)
	dlg.SetFileName(d.reportName() + ".pdf")
	dlg.Resize(fyne.NewSize(800, 560))
	dlg.Show()
}

// writeAndSign writes the report into the data folder's reports and opens
// it on the Sign screen in the approve role.
func (d *dashboardScreen) writeAndSign(h pdfreport.Header) {
	u := d.u
	dir := filepath.Join(u.dataDir(), "bao-cao")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		u.showError("export", err)
		return
	}
	path := filepath.Join(dir, d.reportName()+"-"+time.Now().Format("20060102-150405")+".pdf")
	if err := d.writePDF(path, h); err != nil {
		u.showError("export", err)
		return
	}
	u.log.Printf("dashboard: report %s to sign", path)
	u.Tabs.SelectIndex(tabSign)
	if !u.Sign.running {
		u.Sign.clearFiles() // the report alone: the run signs every listed file
	}
	u.Sign.selectRole(string(roles.Approve))
	u.Sign.addFiles([]string{path})
}
