package gui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/signing/render"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/stamp"
	"github.com/vanthu/vanthu/signing/verify"
	"github.com/vanthu/vanthu/token"
)

// signThrough taps Sign, types the PIN in the dialog and waits for the run
// to finish; it returns the run's single result.
func signThrough(t *testing.T, s *signScreen, dialogs chan *pinDialog, pin string) signResult {
	t.Helper()
	act(func() { test.Tap(s.SignBtn) })
	d := nextDialog(t, dialogs)
	act(func() { test.Type(d.Entry, pin) })
	act(func() { test.Tap(d.OK) })
	waitFor(t, "the sign run", func() bool { return !s.running && len(s.results) > 0 })
	return s.results[len(s.results)-1]
}

// TestSignApproveIssueVerify is the desktop's main flow on a SoftHSM2
// token: the sample letter signed by the competent person in the approve
// role through the Sign screen (the placement found is accepted, the PIN
// typed), then issued by the clerk with the organisation's key (number and
// date), then verified on the Verify screen: 2 valid, trusted signatures,
// each outlined on the preview.
func TestSignApproveIssueVerify(t *testing.T) {
	f := newFixture(t)
	u := newTestUI(t, f.getenv)
	s := u.Sign
	waitFor(t, "the token's certificates", func() bool { return len(s.choices) == 2 })
	if u.FirstRun != nil {
		t.Fatal("the first-run offer is shown although a token has certificates")
	}
	// Settings: the test root trusted, the signature and seal imported.
	if err := u.Settings.addRootFile(f.root); err != nil {
		t.Fatal(err)
	}
	sig, seal := f.images(t)
	act(func() { u.Settings.importFile(stamp.KindSignature, f.pki.Leader.Cert.Subject.CommonName, sig) })
	act(func() { u.Settings.importFile(stamp.KindSeal, f.pki.Org.Cert.Subject.CommonName, seal) })
	act(func() { u.Settings.refresh() })
	if !strings.Contains(u.Settings.Images.Text, f.pki.Leader.Cert.Subject.CommonName) || !strings.Contains(u.Settings.Roots.Text, "TEST RootCA") {
		t.Fatalf("settings do not show the imports:\n%s\n%s", u.Settings.Images.Text, u.Settings.Roots.Text)
	}

	in := f.sample(t, "cong-van.pdf")
	dialogs := pinDialogs(s)
	act(func() { s.addFiles([]string{in}) })
	act(func() { s.selectRole(string(roles.Approve)) })
	selectCert(t, s, f.pki.Leader.Cert.Subject.CommonName)
	if strings.Contains(s.CertInfo.Text, "THỬ NGHIỆM") || !strings.Contains(s.CertInfo.Text, "Còn hiệu lực") {
		t.Errorf("certificate details: %q", s.CertInfo.Text)
	}
	waitFor(t, "the approve placement", func() bool { return strings.Contains(s.Found.Text, "Tìm thấy") })
	if !strings.Contains(s.Found.Text, "CHỦ TỊCH") || !strings.Contains(s.Found.Text, "Nguyễn Văn Ánh") {
		t.Errorf("found: %q", s.Found.Text)
	}
	waitFor(t, "the placement box on the preview", func() bool { return s.Preview.edit[1] != nil && s.Preview.Page.Image() != nil })
	if b := s.Preview.edit[1]; b.X < 0.4 || b.Y < 0.3 || b.Y > 0.8 {
		t.Errorf("the placement box %+v is not in the signer block (right half, middle of the page)", *b)
	}
	r := signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatalf("approve: %v (status %q)", r.Err, s.Status.Text)
	}
	approved := r.Out
	if filepath.Base(approved) != "cong-van-ky-duyet.pdf" {
		t.Errorf("approve output %s", approved)
	}

	// Issue the approved letter: the clerk's organisation key, number, date.
	act(func() { s.continueWith(in, approved) })
	act(func() { s.selectRole(string(roles.Issue)) })
	waitFor(t, "the organisation certificate", func() bool {
		c := s.choice()
		return c != nil && c.Organisation
	})
	act(func() { test.Type(s.Number, "123") })
	act(func() { s.Date.SetText("2026-11-21") })
	act(func() { s.replan() })
	waitFor(t, "the issue plan", func() bool { return strings.Contains(s.Found.Text, "Sẽ ghi") })
	if !strings.Contains(s.Found.Text, "Sẽ ghi: 123 ") || !strings.Contains(s.Found.Text, "ngày 21 tháng 11 năm 2026") || !strings.Contains(s.Found.Text, "Dấu cơ quan") {
		t.Errorf("issue plan: %q", s.Found.Text)
	}
	r = signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatalf("issue: %v (status %q)", r.Err, s.Status.Text)
	}
	issued := r.Out
	pdfcheck.Qpdf(t, issued)
	pdfcheck.Pdfsig(t, issued, 2)

	// Verify it on the Verify screen.
	act(func() { u.Tabs.SelectIndex(1) })
	v := u.Verify
	act(func() { v.addFiles([]string{issued}) })
	waitFor(t, "the verdict", func() bool { return v.verdicts[issued] != nil && len(v.Cards.Objects) > 0 })
	vd := v.verdicts[issued]
	if len(vd.Signatures) != 2 || !vd.OK() {
		t.Fatalf("verdict: %d signatures, ok %v, status %s: %s", len(vd.Signatures), vd.OK(), vd.Status, v.Summary.Text)
	}
	cards := v.cards(vd)
	for i, c := range cards {
		if c.Status != verify.StatusValid || !strings.Contains(c.Text, "HỢP LỆ") || !strings.Contains(c.Text, "tin cậy") {
			t.Errorf("card %d: %s", i+1, c.Text)
		}
	}
	if !strings.Contains(cards[0].Text, "ký duyệt") || !strings.Contains(cards[1].Text, "ban hành") || !strings.Contains(cards[0].Text, "Nguyễn Văn Ánh") {
		t.Errorf("cards do not name the roles and signer:\n%s\n%s", cards[0].Text, cards[1].Text)
	}
	if !strings.Contains(v.Summary.Text, "Văn bản hợp lệ: 2 chữ ký") {
		t.Errorf("summary: %q", v.Summary.Text)
	}
	waitFor(t, "the signature widgets on the preview", func() bool { return len(v.widgets) == 2 })
	if len(v.widgets[0]) != 1 || len(v.widgets[1]) != 3 {
		t.Errorf("widgets: approve %d, issue %d (want the image, and seal + number + date)", len(v.widgets[0]), len(v.widgets[1]))
	}
	act(func() { v.highlight(1) })
	sel := 0
	for _, m := range v.Preview.marks[1] {
		if m.Color == colSelected {
			sel++
		}
	}
	if sel != 3 {
		t.Errorf("highlighting the issue signature outlines %d boxes, want 3", sel)
	}
}

// TestFinalTryNeedsConfirmation: at the token's final try the PIN dialog
// will not proceed until the user ticks the confirmation; cancelling makes
// no login attempt, and nothing is retried by itself.
func TestFinalTryNeedsConfirmation(t *testing.T) {
	f := newFixture(t)
	proxy := softhsmtest.NewPINProxy(t, f.tok.Env, 3)
	f.env[token.ModuleEnv] = proxy.Module
	proxy.SetFailures(t, 2) // two wrong PINs so far: the final try
	u := newTestUI(t, f.getenv)
	s := u.Sign
	waitFor(t, "the certificates", func() bool { return len(s.choices) >= 2 })
	if !strings.Contains(s.CertInfo.Text, "một lần") {
		t.Errorf("the chooser does not warn about the final try: %q", s.CertInfo.Text)
	}
	dialogs := pinDialogs(s)
	act(func() { s.addFiles([]string{f.sample(t, "a.pdf")}) })
	act(func() { s.selectRole(string(roles.Review)) })
	selectCert(t, s, f.pki.Leader.Cert.Subject.CommonName)

	act(func() { test.Tap(s.SignBtn) })
	d := nextDialog(t, dialogs)
	if !d.finalTry || !d.Confirm.Visible() || !strings.Contains(d.Warning.Text, "MỘT lần") {
		t.Fatalf("the dialog does not ask for the final-try confirmation (final %v, warning %q)", d.finalTry, d.Warning.Text)
	}
	act(func() { test.Type(d.Entry, f.tok.PIN) })
	if !d.OK.Disabled() {
		t.Fatal("OK is enabled at the final try without the confirmation")
	}
	act(func() { test.Tap(d.OK) })
	act(func() { d.submit() }) // Enter in the PIN field
	time.Sleep(100 * time.Millisecond)
	select {
	case <-d.done:
		t.Fatal("the dialog answered without the confirmation")
	default:
	}
	if !strings.Contains(d.Warning.Text, "đánh dấu xác nhận") {
		t.Errorf("no reminder to confirm: %q", d.Warning.Text)
	}
	act(func() { test.Tap(d.Cancel) })
	waitFor(t, "the cancelled run", func() bool { return !s.running })
	if n := proxy.Failures(); n != 2 {
		t.Fatalf("a login was attempted: the proxy counted %d failures, want still 2", n)
	}
	if len(s.results) != 0 {
		t.Errorf("results after a cancelled login: %+v", s.results)
	}

	// Confirmed: the one attempt is made with the typed PIN and succeeds.
	act(func() { test.Tap(s.SignBtn) })
	d = nextDialog(t, dialogs)
	act(func() { test.Type(d.Entry, f.tok.PIN) })
	act(func() { test.Tap(d.Confirm) })
	if d.OK.Disabled() {
		t.Fatal("OK stays disabled after the confirmation")
	}
	act(func() { test.Tap(d.OK) })
	waitFor(t, "the confirmed run", func() bool { return !s.running && len(s.results) == 1 })
	if err := s.results[0].Err; err != nil {
		t.Fatalf("confirmed sign: %v", err)
	}
	if n := proxy.Failures(); n != 0 {
		t.Errorf("after the good PIN the proxy counts %d failures", n)
	}
	select {
	case <-dialogs:
		t.Error("the PIN was asked twice for one run")
	default:
	}
}

// TestCancelMidBatch signs four documents on a slow (busy) token and
// cancels after the first: the window keeps answering while the token
// works, the finished file stays, the cancelled ones leave nothing behind.
func TestCancelMidBatch(t *testing.T) {
	f := newFixture(t)
	proxy := softhsmtest.NewPINProxy(t, f.tok.Env, 3)
	const signDelay = 1500 * time.Millisecond
	proxy.SetSignDelay(t, signDelay)
	f.env[token.ModuleEnv] = proxy.Module
	u := newTestUI(t, f.getenv)
	s := u.Sign
	waitFor(t, "the certificates", func() bool { return len(s.choices) >= 2 })
	dialogs := pinDialogs(s)
	keep := map[string]bool{}
	var files []string
	for i := range 4 {
		name := []string{"a.pdf", "b.pdf", "c.pdf", "d.pdf"}[i]
		files = append(files, f.sample(t, name))
		keep[name] = true
	}
	keep["root.pem"] = true
	act(func() { s.addFiles(files) })
	act(func() { s.selectRole(string(roles.Review)) })
	selectCert(t, s, f.pki.Leader.Cert.Subject.CommonName)

	act(func() { test.Tap(s.SignBtn) })
	d := nextDialog(t, dialogs)
	act(func() { test.Type(d.Entry, f.tok.PIN) })
	start := time.Now()
	act(func() { test.Tap(d.OK) })
	// A sign run on the UI thread would block for the token's delay at
	// least; the bound leaves a slow machine room below it.
	if el := time.Since(start); el > signDelay*2/3 {
		t.Errorf("OK took %v: the sign run is not off the UI thread", el)
	}
	// While the token is busy the window answers at once.
	waitFor(t, "the run to start", func() bool { return strings.Contains(s.Status.Text, "Đang ký") })
	t0 := time.Now()
	act(func() { s.Number.SetText("999") })
	act(func() { u.Tabs.SelectIndex(2) })
	act(func() { u.Tabs.SelectIndex(0) })
	if el := time.Since(t0); el > signDelay*2/3 {
		t.Errorf("the window took %v to answer while the token was busy", el)
	}
	if !s.running || s.SignBtn.Disabled() == false {
		t.Errorf("the run is not shown as running (running %v, sign enabled %v)", s.running, !s.SignBtn.Disabled())
	}
	waitFor(t, "the first file", func() bool { return len(s.results) >= 1 })
	act(func() { test.Tap(s.CancelBtn) })
	waitFor(t, "the cancelled run", func() bool { return !s.running })
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("the cancelled batch took %v", el)
	}
	if len(s.results) != 4 {
		t.Fatalf("%d results, want 4", len(s.results))
	}
	done := 0
	for _, r := range s.results {
		if r.Err == nil {
			done++
			keep[filepath.Base(r.Out)] = true
			if _, err := os.Stat(r.Out); err != nil {
				t.Errorf("finished file missing: %v", err)
			}
			continue
		}
		if _, err := os.Stat(r.Out); err == nil {
			t.Errorf("cancelled file %s was written", r.Out)
		}
	}
	if done < 1 || done > 2 {
		t.Errorf("%d files finished before the cancel took effect, want 1 or 2", done)
	}
	if extra := leftovers(t, f.work, keep); len(extra) != 0 {
		t.Errorf("partial files left behind: %v", extra)
	}
}

// TestDragPlacement moves the box the approve role found to another place
// on the page by dragging it; the signature is made where it was dropped.
func TestDragPlacement(t *testing.T) {
	f := newFixture(t)
	u := newTestUI(t, f.getenv)
	s := u.Sign
	waitFor(t, "the certificates", func() bool { return len(s.choices) == 2 })
	sig, _ := f.images(t)
	act(func() { u.Settings.importFile(stamp.KindSignature, f.pki.Leader.Cert.Subject.CommonName, sig) })
	in := f.sample(t, "keo.pdf")
	dialogs := pinDialogs(s)
	act(func() { s.addFiles([]string{in}) })
	act(func() { s.selectRole(string(roles.Approve)) })
	selectCert(t, s, f.pki.Leader.Cert.Subject.CommonName)
	waitFor(t, "the placement box", func() bool {
		return s.Preview.edit[1] != nil && s.Preview.Page.Image() != nil && strings.Contains(s.Found.Text, "Tìm thấy")
	})
	found := *s.Preview.edit[1]
	v := s.Preview.Page
	size := v.size
	// Drag from the box's centre 30 % of the page to the left and 10 % down.
	start := fyne.NewPos(float32(found.X+found.W/2)*size.Width, float32(found.Y+found.H/2)*size.Height)
	delta := fyne.NewDelta(-0.3*size.Width, 0.1*size.Height)
	steps := 5
	for i := 1; i <= steps; i++ {
		d := fyne.NewDelta(delta.DX/float32(steps), delta.DY/float32(steps))
		pos := start.Add(fyne.NewPos(delta.DX*float32(i)/float32(steps), delta.DY*float32(i)/float32(steps)))
		act(func() { v.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pos}, Dragged: d}) })
	}
	act(func() { v.DragEnd() })
	m := s.manual[in]
	if m == nil || m.Page != 1 {
		t.Fatalf("the dragged box was not taken as the place: %+v", m)
	}
	if dx := m.Box.X - (found.X - 0.3); dx > 0.01 || dx < -0.01 {
		t.Errorf("moved box at x %.3f, want %.3f", m.Box.X, found.X-0.3)
	}
	if !strings.Contains(s.Found.Text, "do bạn chọn") {
		t.Errorf("found: %q", s.Found.Text)
	}
	r := signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	// The signature's widget is where the box was dropped.
	rd, err := u.renderer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(r.Out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := rd.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer doc.Close()
	ws, err := doc.Widgets(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var got *render.Box
	for _, w := range ws {
		if w.Field == "Approve1" {
			got = &w.Box
		}
	}
	if got == nil {
		t.Fatalf("no Approve1 widget among %+v", ws)
	}
	cx, cy := got.X+got.W/2, got.Y+got.H/2
	wx, wy := m.Box.X+m.Box.W/2, m.Box.Y+m.Box.H/2
	if d := max(cx-wx, wx-cx, cy-wy, wy-cy); d > 0.01 {
		t.Errorf("the signature is centred at %.3f,%.3f, the dropped box at %.3f,%.3f", cx, cy, wx, wy)
	}
}
