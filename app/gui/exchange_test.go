package gui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"github.com/vanthu/vanthu/app/cli"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
	"github.com/vanthu/vanthu/exchange/report/pdfreport"
	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/stamp"
)

// approveThroughScreens signs the sample letter in the approve role with
// the leader's certificate through the Sign screen (the signature and seal
// images imported first); it returns the input, the approved file and the
// screen's PIN dialogs.
func approveThroughScreens(t *testing.T, u *ui, f *fixture) (in, out string, dialogs chan *pinDialog) {
	t.Helper()
	s := u.Sign
	waitFor(t, "the token's certificates", func() bool { return len(s.choices) == 2 })
	sig, seal := f.images(t)
	act(func() { u.Settings.importFile(stamp.KindSignature, f.pki.Leader.Cert.Subject.CommonName, sig) })
	act(func() { u.Settings.importFile(stamp.KindSeal, f.pki.Org.Cert.Subject.CommonName, seal) })
	in = f.sample(t, "cong-van.pdf")
	dialogs = pinDialogs(s)
	act(func() { s.addFiles([]string{in}) })
	act(func() { s.selectRole(string(roles.Approve)) })
	selectCert(t, s, f.pki.Leader.Cert.Subject.CommonName)
	waitFor(t, "the approve placement", func() bool { return strings.Contains(s.Found.Text, "Tìm thấy") })
	r := signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatalf("approve: %v", r.Err)
	}
	return in, r.Out, dialogs
}

// issueThroughScreens approves the sample letter (approveThroughScreens),
// then issues it (number 123, 21/11/2026) with the organisation's
// certificate, through the Sign screen; it returns the issued file.
func issueThroughScreens(t *testing.T, u *ui, f *fixture) string {
	t.Helper()
	s := u.Sign
	in, approved, dialogs := approveThroughScreens(t, u, f)
	act(func() { s.continueWith(in, approved) })
	act(func() { s.selectRole(string(roles.Issue)) })
	act(func() { s.Number.SetText("123") })
	act(func() { s.Date.SetText("2026-11-21") })
	act(func() { s.replan() })
	waitFor(t, "the issue plan", func() bool { return strings.Contains(s.Found.Text, "Sẽ ghi") })
	r := signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatalf("issue: %v (%s)", r.Err, s.Status.Text)
	}
	return r.Out
}

// logOnFailure prints the app's log when the test fails.
func logOnFailure(t *testing.T, u *ui) {
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("VANTHU_TEST_LOG") != "" {
			b, _ := os.ReadFile(u.logPath())
			t.Logf("vanthu.log:\n%s", b)
		}
	})
}

// answerPIN types the PIN in the next dialog of asker and confirms.
func answerPIN(t *testing.T, ch chan *pinDialog, pin string) {
	t.Helper()
	d := nextDialog(t, ch)
	act(func() { test.Type(d.Entry, pin) })
	act(func() { test.Tap(d.OK) })
}

func dialogsOf(a *pinAsker) chan *pinDialog {
	ch := make(chan *pinDialog, 4)
	a.shown = func(d *pinDialog) { ch <- d }
	return ch
}

// switchTo acts as a demo agency through the status bar and waits for its
// exchange to be open.
func switchTo(t *testing.T, u *ui, code string) {
	t.Helper()
	act(func() {
		for _, o := range u.Status.Switch.Options {
			if strings.HasPrefix(o, code+" ") {
				u.Status.Switch.SetSelected(o)
			}
		}
	})
	waitFor(t, "the exchange as "+code, func() bool { return u.desk.State.Open && u.desk.State.Agency.Code == code })
}

// TestSendReceiveAccept is the whole cycle on one machine with the
// embedded default (the local hub with two demo agencies) and a SoftHSM2
// token: the sample letter approved and issued on the Sign screen, taken
// to the Send screen (number and date prefilled from its signatures),
// sent to the second agency found by a search without diacritics; the
// window switched to that agency sees it in its Inbox with a valid
// verdict and a notification, accepts it; back as the first agency, the
// sent document shows 01 and 03 for the recipient.
func TestSendReceiveAccept(t *testing.T) {
	f := newFixture(t)
	u := newTestUI(t, f.getenv)
	logOnFailure(t, u)
	if err := u.Settings.addRootFile(f.root); err != nil {
		t.Fatal(err)
	}
	issued := issueThroughScreens(t, u, f)
	act(u.desk.reopen) // verify against the root just trusted
	a, b := local.Demo[0], local.Demo[1]
	waitFor(t, "the local hub", func() bool { return u.desk.State.Open && u.desk.State.Agency.Code == a.Code })
	if !u.desk.State.Local || !u.Status.switchBox.Visible() || !strings.Contains(u.Status.Switch.Selected, a.Name) {
		t.Fatalf("status bar: %q %q, switch visible %v", u.Status.Switch.Selected, u.Status.Agency.Text, u.Status.switchBox.Visible())
	}

	// Send: the issued letter from the Sign screen.
	s := u.Send
	act(func() { u.Tabs.SelectIndex(tabSend) })
	act(s.takeSigned)
	waitFor(t, "the document's check", func() bool { return len(s.docs) == 1 && s.docs[0].check != "" })
	d := s.docs[0]
	if !d.ok || !strings.Contains(d.check, "hợp lệ") {
		t.Fatalf("check of the issued letter: %q", d.check)
	}
	if !strings.HasPrefix(d.Number, "123/") || d.Date != "2026-11-21" || d.Signer != "Nguyễn Văn Ánh" || s.Number.Text != d.Number {
		t.Fatalf("header not prefilled from the signatures: %+v (form number %q)", *d, s.Number.Text)
	}
	act(func() { s.Subject.SetText("V/v thử nghiệm gửi nhận văn bản") })
	act(func() { s.Priority.SetSelectedIndex(1) })
	sendThroughScreens(t, s, f, "thu nghiem b", b.Code)
	if len(s.docs) != 0 || u.set.Draft() == "" {
		t.Errorf("the sent document stays in the form: %d", len(s.docs))
	}
	docID := "T99.01,2026/11/21," + d.Number
	if l := s.lines[docID+"|"+b.Code]; l == nil || !strings.Contains(l.Text, "T99.02") {
		t.Fatalf("no progress line for the recipient: %v", s.lines)
	}

	// Switch to the second agency: its inbox shows the letter.
	switchTo(t, u, b.Code)
	in := u.Inbox
	waitFor(t, "the letter in B's inbox", func() bool { return len(in.docs) == 1 })
	got := in.docs[0]
	if got.DocumentID != docID || got.Verdict.Status != client.VerdictValid || got.State != client.InboxNew || got.Header.Priority != 1 {
		t.Fatalf("B's inbox: %+v", got)
	}
	if line := in.line(got); !strings.Contains(line, "chữ ký hợp lệ") || !strings.Contains(line, "[Khẩn]") || !strings.Contains(line, a.Code) {
		t.Errorf("inbox line: %q", line)
	}
	waitFor(t, "the badge", func() bool { return u.Tabs.Items[tabInbox].Text == "Văn bản đến (1)" })
	u.desk.mu.Lock()
	notes := strings.Join(u.desk.notes, "\n")
	u.desk.mu.Unlock()
	if !strings.Contains(notes, "thử nghiệm gửi nhận") {
		t.Errorf("no notification of the arrival: %q", notes)
	}
	act(func() { u.Tabs.SelectIndex(tabInbox) })
	waitFor(t, "the first document shown", func() bool { return in.selected == 0 && !in.Accept.Disabled() })
	if !strings.Contains(in.Detail.Text, "Nguyễn Văn Ánh") || !strings.Contains(in.Verdict.Text, "hợp lệ") {
		t.Errorf("detail: %q / %q", in.Detail.Text, in.Verdict.Text)
	}
	waitFor(t, "the preview", func() bool { return in.Preview.path == got.Files[0] && in.Preview.Page.Image() != nil })
	waitFor(t, "the verdict of signing/verify", func() bool { return strings.Contains(in.Verdict.Text, "Văn bản hợp lệ: 2 chữ ký") })
	act(in.showSignatures) // the Verify screen's cards, one click away
	waitFor(t, "the Verify screen's cards", func() bool {
		return u.Tabs.SelectedIndex() == tabVerify && u.Verify.verdicts[got.Files[0]] != nil && len(u.Verify.Cards.Objects) == 2
	})
	act(func() { u.Tabs.SelectIndex(tabInbox) })
	inDialogs := dialogsOf(in.pins)
	act(func() { test.Tap(in.Accept) })
	answerPIN(t, inDialogs, f.tok.PIN)
	waitFor(t, "the answer", func() bool {
		return strings.HasPrefix(in.Answer.Text, "✓") || strings.HasPrefix(in.Answer.Text, "✗")
	})
	if !strings.Contains(in.Answer.Text, "03") {
		t.Fatalf("accept: %q", in.Answer.Text)
	}
	waitFor(t, "the badge cleared", func() bool { return u.Tabs.Items[tabInbox].Text == "Văn bản đến" })

	// Back as the sender: 01 and 03 from the recipient.
	switchTo(t, u, a.Code)
	act(func() { u.Tabs.SelectIndex(tabSend); s.Tabs.SelectIndex(2) })
	waitFor(t, "the sent document", func() bool { return len(s.sent.docs) == 1 })
	act(func() { s.sent.List.Select(0) })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sent detail: %q", s.sent.Detail.Text)
		}
	})
	waitFor(t, "status 03 from B", func() bool {
		s.sent.showDetail()
		return strings.Contains(s.sent.Detail.Text, "03 đã tiếp nhận")
	})
	if txt := s.sent.Detail.Text; !strings.Contains(txt, b.Code) || !strings.Contains(txt, "01 đã đến") {
		t.Errorf("sent detail: %s", txt)
	}
	if p := filepath.Base(issued); !strings.Contains(p, "ban-hanh") {
		t.Errorf("issued %s", p)
	}

	// The dashboard of A for the Nghị định 09 month: what `vanthu report
	// --json` says for the same unit and period (1 of 1 exchanged).
	period := calendar.ND09MonthOf(2026, 12)
	dash := showReport(t, u, period, 1)
	want := cliReport(t, f.data, a.Code, period)
	sameReport(t, u, dash, want)
	if c := want.Unit.Counts; c.Sent != 1 || c.Exchanged != 1 {
		t.Fatalf("report before the paper send: %+v", c)
	}

	// A paper send registered on the Registers screen: 1 of 2.
	r := u.Registers
	act(func() { u.Tabs.SelectIndex(tabRegisters) })
	waitFor(t, "the outgoing register", func() bool { return len(r.outgoing) == 1 && len(r.rows) == 1 })
	if o := r.outgoing[0]; o.Channel != register.Electronic || o.Approve != register.SigValid || o.Issue != register.SigValid {
		t.Fatalf("the electronic send in the register: %+v", o)
	}
	addPaperThrough(t, r, map[string]string{"number": "7/UBND-VP", "date": "2026-11-25", "subject": "V/v họp giao ban", "to": "H40",
		"reason": "Nơi nhận chưa kết nối trục"})
	waitFor(t, "the paper send", func() bool {
		return len(r.outgoing) == 2 && r.selected >= 0 && strings.Contains(r.History.Text, "vào sổ")
	})
	paper := r.outgoing[r.rows[r.selected]]
	if paper.Number != "7/UBND-VP" || paper.Channel != register.Paper || !strings.Contains(r.Detail.Text, "Nơi nhận chưa kết nối trục") {
		t.Fatalf("paper send: %+v\n%s", paper, r.Detail.Text)
	}
	correctThrough(t, r, "subject", "V/v họp giao ban tháng 12", "sai trích yếu")
	waitFor(t, "the correction in the history", func() bool { return strings.Contains(r.History.Text, "sai trích yếu") })
	if !strings.Contains(r.History.Text, "V/v họp giao ban → V/v họp giao ban tháng 12") {
		t.Errorf("history: %s", r.History.Text)
	}
	csv := filepath.Join(t.TempDir(), "so-di.csv")
	var err error
	act(func() { err = r.exportCSV(csv) })
	if b, _ := os.ReadFile(csv); err != nil || !strings.Contains(string(b), "7/UBND-VP") || !strings.Contains(string(b), d.Number) {
		t.Fatalf("CSV export: %v\n%s", err, b)
	}

	dash = showReport(t, u, period, 2)
	want = cliReport(t, f.data, a.Code, period)
	sameReport(t, u, dash, want)
	if c := want.Unit.Counts; c.Sent != 2 || c.Exchanged != 1 || c.PaperOnly != 1 || dash.Rate.Text != "50,0%" {
		t.Fatalf("after the paper send: %+v, shown %q", c, dash.Rate.Text)
	}
	if !strings.Contains(dash.missedLine(0), "chỉ gửi bản giấy") || !strings.Contains(dash.missedLine(0), "7/UBND-VP") {
		t.Errorf("missed: %q", dash.missedLine(0))
	}
	act(func() { dash.Missed.Select(0) })
	act(func() { test.Tap(dash.OpenEntry) })
	waitFor(t, "the missed document's entry", func() bool {
		return u.Tabs.SelectedIndex() == tabRegisters && r.selected >= 0 && r.outgoing[r.rows[r.selected]].ID == paper.ID
	})

	// The report as XLSX, and as the official PDF signed on the Sign screen.
	xlsx := filepath.Join(t.TempDir(), "bao-cao.xlsx")
	if err := dash.writeXLSX(xlsx, dash.rep); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenFile(xlsx)
	if err != nil || len(wb.GetSheetList()) != 6 {
		t.Fatalf("XLSX: %v", err)
	}
	act(func() {
		dash.writeAndSign(pdfreport.Header{Number: "/BC-UBND", Place: "Đắk Lắk", Titles: []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"},
			Signer: f.pki.Leader.Cert.Subject.CommonName})
	})
	sg := u.Sign
	waitFor(t, "the report on the Sign screen", func() bool {
		return u.Tabs.SelectedIndex() == tabSign && sg.roleKey == string(roles.Approve) && len(sg.files) == 1 && strings.Contains(sg.files[0], "bao-cao-T99.01")
	})
	selectCert(t, sg, f.pki.Leader.Cert.Subject.CommonName)
	waitFor(t, "the report's signer block", func() bool { return strings.Contains(sg.Found.Text, "Tìm thấy") })
	signed := signThrough(t, sg, pinDialogs(sg), f.tok.PIN)
	if signed.Err != nil {
		t.Fatalf("signing the report: %v", signed.Err)
	}
	pdfcheck.Pdfsig(t, signed.Out, 1)
}

// sendThroughScreens chooses the one recipient the search (without
// diacritics) finds on the Send screen, taps Send, types the PIN and waits
// for the document to be sent.
func sendThroughScreens(t *testing.T, s *sendScreen, f *fixture, search, code string) {
	t.Helper()
	waitFor(t, "the directory", func() bool { return len(s.Recipients.agencies) == 1 })
	act(func() { test.Type(s.Recipients.Search, search) })
	if m := s.Recipients.Matches(); len(m) != 1 || m[0] != code {
		t.Fatalf("search without diacritics found %v", m)
	}
	act(func() { s.Recipients.Search.OnSubmitted(s.Recipients.Search.Text) })
	if got := s.Recipients.Codes(); len(got) != 1 || got[0] != code {
		t.Fatalf("recipients %v", got)
	}
	if s.SendBtn.Disabled() {
		t.Fatalf("Send is disabled (cert %q)", s.Cert.Selected)
	}
	dialogs := dialogsOf(s.pins)
	act(func() { test.Tap(s.SendBtn) })
	answerPIN(t, dialogs, f.tok.PIN)
	waitFor(t, "the send run", func() bool { return !s.running && strings.Contains(s.Status.Text, "Đã gửi 1") })
}

// addPaperThrough taps "Thêm văn bản gửi giấy…" on the Registers screen,
// types the fields into its dialog and submits it.
func addPaperThrough(t *testing.T, r *registersScreen, fields map[string]string) {
	t.Helper()
	if r.AddPaper.Disabled() {
		t.Fatal("Add a paper send is disabled on the outgoing register")
	}
	act(func() { test.Tap(r.AddPaper) })
	var f *paperForm
	act(func() { f = r.Paper })
	if f == nil {
		t.Fatal("no paper-send dialog")
	}
	entries := map[string]*widget.Entry{"number": f.Number, "date": f.Date, "subject": f.Subject, "to": f.To, "reason": f.Reason}
	for k, v := range fields {
		e := entries[k]
		act(func() {
			e.SetText("")
			test.Type(e, v)
		})
	}
	act(f.Dialog.Submit)
}

// correctThrough taps "Đính chính…" on the Registers screen for the chosen
// entry, chooses the field, types the value and the reason, and submits.
func correctThrough(t *testing.T, r *registersScreen, field, value, reason string) {
	t.Helper()
	if r.Correct.Disabled() {
		t.Fatal("Correct is disabled")
	}
	act(func() { r.Fix = nil; test.Tap(r.Correct) })
	var f *correctForm
	act(func() { f = r.Fix })
	if f == nil {
		t.Fatal("no correction dialog")
	}
	act(func() {
		f.Field.SetSelected(field)
		test.Type(f.Value, value)
		test.Type(f.Reason, reason)
	})
	if f.Field.Selected != field {
		t.Fatalf("no field %q among %v", field, f.Field.Options)
	}
	act(f.Dialog.Submit)
}

// showReport opens the dashboard on period and waits for the report of
// sent outgoing documents (made now, not one shown before).
func showReport(t *testing.T, u *ui, p calendar.Period, sent int) *dashboardScreen {
	t.Helper()
	d := u.Dashboard
	act(func() {
		u.Tabs.SelectIndex(tabDashboard)
		d.period = p
		d.rep = nil
		d.reload()
	})
	waitFor(t, "the report", func() bool { return d.rep != nil && d.rep.Period == p && d.rep.Unit.Counts.Sent == sent })
	return d
}

// cliReport is `vanthu report --json` on the data folder as agency.
func cliReport(t *testing.T, data, agency string, p calendar.Period) *report.Report {
	t.Helper()
	t.Setenv("VANTHU_DB", "")
	t.Setenv("VANTHU_HUB_DIR", "")
	var out, errb bytes.Buffer
	code := cli.Run([]string{"report", "--json", "--data-dir", data, "--agency", agency, "--unit", agency, "--period", p.String()}, nil, &out, &errb)
	if code != 0 {
		t.Fatalf("vanthu report: %d %s", code, errb.String())
	}
	var rep report.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("vanthu report --json: %v\n%s", err, out.String())
	}
	return &rep
}

// sameReport: the dashboard shows the numbers of want.
func sameReport(t *testing.T, u *ui, d *dashboardScreen, want *report.Report) {
	t.Helper()
	var got report.Report
	act(func() { got = *d.rep })
	if got.Unit.Counts != want.Unit.Counts || got.Unit.Rates != want.Unit.Rates || got.MissedTotal != want.MissedTotal || len(got.Trend) != len(want.Trend) {
		t.Fatalf("dashboard %+v %+v (missed %d), vanthu report %+v %+v (missed %d)", got.Unit.Counts, got.Unit.Rates, got.MissedTotal,
			want.Unit.Counts, want.Unit.Rates, want.MissedTotal)
	}
	// Every number, not only the unit's: sub-units, ranking, trend, missed
	// documents, receipts and staff (all but the time of making).
	w := *want
	got.GeneratedAt, w.GeneratedAt = time.Time{}, time.Time{}
	gj, _ := json.Marshal(got)
	wj, _ := json.Marshal(w)
	if !bytes.Equal(gj, wj) {
		t.Fatalf("the dashboard's report differs from vanthu report --json:\n%s\n%s", gj, wj)
	}
	l := export.Labels(u.tr)
	var rate, gap, counts string
	act(func() { rate, gap, counts = d.Rate.Text, d.Gap.Text, d.Counts.Text })
	c := want.Unit.Counts
	if rate != export.Percent(l, want.Unit.Rates.Exchange) || !strings.Contains(gap, export.Percent(l, want.Unit.Rates.Gap)) ||
		!strings.HasPrefix(counts, fmt.Sprintf("%d đạt / %d văn bản đi", c.Exchanged, c.Sent)) {
		t.Fatalf("shown %q / %q / %q for %+v", rate, gap, counts, want.Unit.Rates)
	}
}
