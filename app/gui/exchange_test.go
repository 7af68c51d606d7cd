package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/stamp"
)

// issueThroughScreens signs the sample letter in the approve role with the
// leader's certificate, then issues it (number 123, 21/11/2026) with the
// organisation's, through the Sign screen; it returns the issued file.
func issueThroughScreens(t *testing.T, u *ui, f *fixture) string {
	t.Helper()
	s := u.Sign
	waitFor(t, "the token's certificates", func() bool { return len(s.choices) == 2 })
	sig, seal := f.images(t)
	act(func() { u.Settings.importFile(stamp.KindSignature, f.pki.Leader.Cert.Subject.CommonName, sig) })
	act(func() { u.Settings.importFile(stamp.KindSeal, f.pki.Org.Cert.Subject.CommonName, seal) })
	in := f.sample(t, "cong-van.pdf")
	dialogs := pinDialogs(s)
	act(func() { s.addFiles([]string{in}) })
	act(func() { s.selectRole(string(roles.Approve)) })
	selectCert(t, s, f.pki.Leader.Cert.Subject.CommonName)
	waitFor(t, "the approve placement", func() bool { return strings.Contains(s.Found.Text, "Tìm thấy") })
	r := signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatalf("approve: %v", r.Err)
	}
	act(func() { s.continueWith(in, r.Out) })
	act(func() { s.selectRole(string(roles.Issue)) })
	act(func() { s.Number.SetText("123") })
	act(func() { s.Date.SetText("2026-11-21") })
	act(func() { s.replan() })
	waitFor(t, "the issue plan", func() bool { return strings.Contains(s.Found.Text, "Sẽ ghi") })
	r = signThrough(t, s, dialogs, f.tok.PIN)
	if r.Err != nil {
		t.Fatalf("issue: %v (%s)", r.Err, s.Status.Text)
	}
	return r.Out
}

// logOnFailure prints the app's log when the test fails.
func logOnFailure(t *testing.T, u *ui) {
	t.Cleanup(func() {
		if t.Failed() {
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
	if !u.desk.State.Local || !u.Status.Switch.Visible() || !strings.Contains(u.Status.Agency.Text, a.Name) {
		t.Fatalf("status bar: %q, switch visible %v", u.Status.Agency.Text, u.Status.Switch.Visible())
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
	waitFor(t, "the directory", func() bool { return len(s.Recipients.agencies) == 1 })
	act(func() { test.Type(s.Recipients.Search, "thu nghiem b") })
	if m := s.Recipients.Matches(); len(m) != 1 || m[0] != b.Code {
		t.Fatalf("search without diacritics found %v", m)
	}
	act(func() { s.Recipients.Search.OnSubmitted(s.Recipients.Search.Text) })
	if got := s.Recipients.Codes(); len(got) != 1 || got[0] != b.Code {
		t.Fatalf("recipients %v", got)
	}
	if s.SendBtn.Disabled() {
		t.Fatalf("Send is disabled (cert %q)", s.Cert.Selected)
	}
	dialogs := dialogsOf(s.pins)
	act(func() { test.Tap(s.SendBtn) })
	answerPIN(t, dialogs, f.tok.PIN)
	waitFor(t, "the send run", func() bool { return !s.running && strings.Contains(s.Status.Text, "Đã gửi 1") })
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
}
