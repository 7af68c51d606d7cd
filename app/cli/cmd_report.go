package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
	"github.com/vanthu/vanthu/exchange/report/pdfreport"
)

// cmdReport implements
//
//	vanthu report --period P [--unit CODE] [--json | --csv F [--view V] | --xlsx F | --pdf F]
//	    [--deadline day:20|wd:N] [--trend 12] [--limit N]
//	    [--number 12/BC-UBND] [--place P] [--parent LINE] [--org LINE] [--title LINE]... [--signer NAME] [--recipient R]...
//
// The terminal table, --json, --csv, --xlsx and --pdf render the same
// data. The PDF is the official report in Vietnamese, ready for
// `vanthu sign --role approve`.
func cmdReport(e *env, args []string) int {
	fs := e.newFlagSet("report")
	rf := addRegisterFlags(fs, e)
	f := e.addReportFlags(fs)
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	req, code := e.reportRequest(f)
	if code != exitOK {
		return code
	}
	ctx, stop := signalContext()
	defer stop()
	r, err := e.openRegisters(ctx, rf)
	if err != nil {
		return e.failRegister(err)
	}
	defer r.close()
	req.Actor = r.who
	rep, err := r.rep.Compute(ctx, req, nil)
	if err != nil {
		return e.failRegister(err)
	}
	return e.writeReport(rep, f)
}

// reportFlags are the flags of `vanthu report`.
type reportFlags struct {
	unit, periodSpec, csvFile, view, xlsxFile, pdfFile, deadline *string
	asJSON                                                       *bool
	trend, limit                                                 *int
	header                                                       pdfreport.Header
	titles, recipients                                           multiFlag
}

func (e *env) addReportFlags(fs *flag.FlagSet) *reportFlags {
	f := &reportFlags{
		unit:       fs.String("unit", "", e.tr("reg.flag.unit")),
		periodSpec: fs.String("period", "", e.tr("report.flag.period")),
		asJSON:     fs.Bool("json", false, e.tr("verify.flag.json")),
		csvFile:    fs.String("csv", "", e.tr("report.flag.csv")),
		view:       fs.String("view", "units", e.tr("report.flag.view")),
		xlsxFile:   fs.String("xlsx", "", e.tr("report.flag.xlsx")),
		pdfFile:    fs.String("pdf", "", e.tr("report.flag.pdf")),
		deadline:   fs.String("deadline", "", e.tr("report.flag.deadline")),
		trend:      fs.Int("trend", 12, e.tr("report.flag.trend")),
		limit:      fs.Int("limit", 0, e.tr("report.flag.limit")),
	}
	h := &f.header
	fs.StringVar(&h.Number, "number", "", e.tr("report.flag.number"))
	fs.StringVar(&h.Place, "place", "", e.tr("report.flag.place"))
	fs.StringVar(&h.Parent, "parent", "", e.tr("report.flag.parent"))
	fs.StringVar(&h.Org, "org", "", e.tr("report.flag.org"))
	fs.Var(&f.titles, "title", e.tr("report.flag.title"))
	fs.StringVar(&h.Signer, "signer", "", e.tr("report.flag.signer"))
	fs.Var(&f.recipients, "recipient", e.tr("report.flag.recipient"))
	return f
}

// reportRequest checks the flags (a period, at most one output) and
// makes the report's request.
func (e *env) reportRequest(f *reportFlags) (report.Request, int) {
	if *f.periodSpec == "" {
		e.usagef(e.tr("report.need_period"))
		return report.Request{}, exitUsage
	}
	p, err := calendar.ParsePeriod(*f.periodSpec)
	if err != nil {
		return report.Request{}, e.failRegister(err)
	}
	outputs := 0
	for _, set := range []bool{*f.asJSON, *f.csvFile != "", *f.xlsxFile != "", *f.pdfFile != ""} {
		if set {
			outputs++
		}
	}
	if outputs > 1 {
		e.usagef(e.tr("report.one_output"))
		return report.Request{}, exitUsage
	}
	req := report.Request{Unit: *f.unit, Period: p, Trend: *f.trend, MissedLimit: *f.limit}
	deadline := *f.deadline
	if deadline == "" {
		deadline = e.getenv("VANTHU_REPORT_DEADLINE")
	}
	if deadline != "" {
		rule, err := calendar.ParseDeadline(deadline)
		if err != nil {
			return report.Request{}, e.failRegister(err)
		}
		req.Deadline = &rule
	}
	return req, exitOK
}

// writeReport prints the report, or writes it as JSON, CSV, XLSX or PDF.
func (e *env) writeReport(rep *report.Report, f *reportFlags) int {
	l := export.Labels(e.tr)
	switch {
	case *f.asJSON:
		return e.printJSONValue(rep)
	case *f.csvFile != "":
		v, err := export.ViewByName(rep, l, *f.view)
		if err != nil {
			e.usagef(e.tr("report.bad_view", *f.view, strings.Join(export.ViewNames, ", ")))
			return exitUsage
		}
		err = export.WriteAtomic(*f.csvFile, func(w io.Writer) error { return export.CSV(w, v) })
		return e.wrote(err, *f.csvFile)
	case *f.xlsxFile != "":
		return e.wrote(export.WriteAtomic(*f.xlsxFile, func(w io.Writer) error { return export.XLSX(w, rep, l) }), *f.xlsxFile)
	case *f.pdfFile != "":
		h := f.header
		h.Titles, h.Recipients = f.titles, f.recipients
		vi := func(key string, args ...any) string { return i18n.T(i18n.VI, key, args...) }
		return e.wrote(pdfreport.WriteFile(*f.pdfFile, rep, h, vi), *f.pdfFile)
	}
	e.printReport(rep)
	return exitOK
}

func (e *env) wrote(err error, path string) int {
	if err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("report.written", path))
	return exitOK
}

// printReport is the terminal table: the indicators, the ranking and the
// first missed documents.
func (e *env) printReport(rep *report.Report) {
	l := export.Labels(e.tr)
	w := e.stdout
	c, r := rep.Unit.Counts, rep.Unit.Rates
	fmt.Fprintf(w, "%s — %s\n", rep.Unit.Name, export.PeriodLabel(l, rep.Period))
	fmt.Fprintln(w, e.tr("report.term.rate", export.Percent(l, r.Exchange), c.Exchanged, c.Sent, export.Percent(l, r.Gap)))
	fmt.Fprintln(w, e.tr("report.term.counts", c.Electronic, c.PaperOnly, c.Unsigned, c.OneSignature, c.Secret, c.Recalls))
	fmt.Fprintln(w, e.tr("report.term.receipts", export.Percent(l, r.Timeliness), c.OnTime, c.Received, c.Late, c.Unconfirmed))
	fmt.Fprintln(w, e.tr("report.term.staff", export.Percent(l, r.CertCover), c.StaffWithCert, c.Staff, export.Percent(l, r.SignCover), c.StaffSigned))
	fmt.Fprintln(w, e.tr("report.term.deadline", rep.Deadline.VN()))
	for _, warn := range rep.Warnings {
		e.warnf(e.tr("report.warning." + warn))
	}
	if len(rep.Ranking) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t %s\n", e.tr("report.col.rank"), e.tr("report.col.code"), e.tr("report.col.sent"),
			e.tr("report.col.exchange_rate"), e.tr("report.col.timeliness"), e.tr("report.col.sign_coverage"), e.tr("report.col.name"))
		for _, u := range rep.Ranking {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t %s\n", u.Rank, u.Code, u.Counts.Sent, export.Percent(l, u.Rates.Exchange),
				export.Percent(l, u.Rates.Timeliness), export.Percent(l, u.Rates.SignCover), u.Name)
		}
		tw.Flush()
	}
	if rep.MissedTotal > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, e.tr("report.term.missed", rep.MissedTotal))
		for i, m := range rep.Missed {
			if i == 20 {
				fmt.Fprintln(w, "  "+e.tr("report.pdf.more", rep.MissedTotal-20))
				break
			}
			reason := export.Reasons(l, m.Reasons)
			if m.PaperReason != "" {
				reason += ": " + m.PaperReason
			}
			fmt.Fprintf(w, "  %s  %s  %s  %s\n", m.Date.VN(), m.Unit, m.Number, reason)
		}
	}
	if len(rep.StaffGaps) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, e.tr("report.term.staff_gaps", len(rep.StaffGaps)))
		for i, g := range rep.StaffGaps {
			if i == 20 {
				break
			}
			fmt.Fprintf(w, "  %s  %s  %s\n", g.Unit, g.Name, export.Reasons(l, g.Reasons))
		}
	}
}
