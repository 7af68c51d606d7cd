package gui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/internal/exchangetest"
)

// TestInboxAnswers: a batch of two documents, each with its own header,
// sent on the local hub; the recipient refuses one — not without a reason
// — and accepts the other, reports 04, 05 and 06 for it; the sender sees
// 02 with the reason and 03–06, recalls the accepted one; the recipient
// agrees, and its copy is gone.
func TestInboxAnswers(t *testing.T) {
	env := exchangetest.Shared(t)
	u, tok, work := newOrgUI(t, env, "T99", "Sở Thử nghiệm")
	a, b := local.Demo[0], local.Demo[1]
	waitFor(t, "the local hub", func() bool { return u.desk.State.Online && u.desk.State.Agency.Code == a.Code })
	pdfs := env.SignedPDFs(t, filepath.Join(work, "pdf"), 2, 4<<10)

	s := u.Send
	act(func() { u.Tabs.SelectIndex(tabSend); s.addFiles(pdfs) })
	waitFor(t, "the checks", func() bool { return len(s.docs) == 2 && s.docs[0].ok && s.docs[1].ok })
	for i, h := range []struct{ number, subject string }{{"31/SNV-VP", "V/v đề nghị bổ sung hồ sơ"}, {"32/SNV-VP", "V/v tổ chức hội nghị"}} {
		act(func() {
			s.Files.Select(i)
			s.Number.SetText(h.number)
			s.Date.SetText("2026-11-24")
			s.Subject.SetText(h.subject)
		})
	}
	waitFor(t, "the directory", func() bool { return len(s.Recipients.agencies) == 1 })
	act(func() { s.Recipients.setSelected([]string{b.Code}) })
	dialogs := dialogsOf(s.pins)
	act(func() { test.Tap(s.SendBtn) })
	answerPIN(t, dialogs, tok.PIN)
	waitFor(t, "the batch", func() bool { return !s.running && strings.Contains(s.Status.Text, "Đã gửi 2") })

	switchTo(t, u, b.Code)
	in := u.Inbox
	act(func() { u.Tabs.SelectIndex(tabInbox) })
	waitFor(t, "two documents", func() bool { return len(in.docs) == 2 && in.selected == 0 })
	byNumber := func(n string) int {
		for i, d := range in.docs {
			if strings.HasSuffix(d.DocumentID, n) {
				return i
			}
		}
		t.Fatalf("no %s in %+v", n, in.docs)
		return -1
	}
	inDialogs := dialogsOf(in.pins)
	act(func() { in.List.Select(byNumber("31/SNV-VP")) })
	act(func() { in.refuseWith(in.docs[in.selected].ID, "  ") })
	if !strings.Contains(in.Answer.Text, "lý do") {
		t.Fatalf("a refusal without a reason: %q", in.Answer.Text)
	}
	act(func() { in.refuseWith(in.docs[in.selected].ID, "Không thuộc thẩm quyền giải quyết") })
	answerPIN(t, inDialogs, tok.PIN)
	waitFor(t, "the refusal", func() bool { return strings.HasPrefix(in.Answer.Text, "✓") && strings.Contains(in.Answer.Text, "02") })
	waitFor(t, "the other one", func() bool { return len(in.docs) == 1 && in.selected == 0 })
	act(func() { test.Tap(in.Accept) })
	answerPIN(t, inDialogs, tok.PIN)
	waitFor(t, "the acceptance", func() bool { return strings.Contains(in.Answer.Text, "03") })
	act(func() { in.Filter.SetSelectedIndex(1) }) // all
	waitFor(t, "the accepted document", func() bool {
		return len(in.docs) == 2 && in.docs[byNumber("32/SNV-VP")].State == client.InboxAccepted
	})
	for i, desc := range []string{"Giao Phòng Tổng hợp", "", "Đã tổ chức"} {
		act(func() {
			in.List.Select(byNumber("32/SNV-VP"))
			in.Progress.SetSelectedIndex(i)
			in.ProgDesc.SetText(desc)
		})
		waitFor(t, "the report button", func() bool { return !in.Report.Disabled() })
		act(func() { test.Tap(in.Report) })
		answerPIN(t, inDialogs, tok.PIN)
		code := progressCodes[i]
		waitFor(t, "status "+code, func() bool { return strings.Contains(in.Answer.Text, "đã báo "+code) })
	}
	waitFor(t, "done", func() bool { return in.docs[byNumber("32/SNV-VP")].Progress == "06" && in.Report.Disabled() })

	// The sender sees every answer, then recalls the accepted document.
	switchTo(t, u, a.Code)
	sent := s.sent
	act(func() { u.Tabs.SelectIndex(tabSend); s.Tabs.SelectIndex(2) })
	waitFor(t, "the statuses", func() bool {
		return len(sent.docs) == 2 && strings.Contains(sent.states[a.Code+",2026/11/24,31/SNV-VP"], "02") &&
			strings.Contains(sent.states[a.Code+",2026/11/24,32/SNV-VP"], "06")
	})
	for i, d := range sent.docs {
		if strings.HasSuffix(d.DocumentID, "31/SNV-VP") {
			act(func() { sent.List.Select(i) })
		}
	}
	waitFor(t, "the refusal's reason", func() bool { return strings.Contains(sent.Detail.Text, "Không thuộc thẩm quyền giải quyết") })
	recalled := a.Code + ",2026/11/24,32/SNV-VP"
	sDialogs := dialogsOf(sent.pins)
	act(func() { sent.doRecall(recalled, "Ban hành nhầm") })
	answerPIN(t, sDialogs, tok.PIN)
	waitFor(t, "the recall request", func() bool { return strings.Contains(sent.states[recalled], "13") })

	switchTo(t, u, b.Code)
	act(func() { u.Tabs.SelectIndex(tabInbox); in.Filter.SetSelectedIndex(0) })
	waitFor(t, "the recall request", func() bool {
		return len(in.docs) == 1 && in.docs[0].State == client.InboxRecallRequested && in.selected == 0
	})
	files := in.docs[0].Files
	if in.Accept.Text != "Đồng ý thu hồi" || !strings.Contains(in.Detail.Text, "Ban hành nhầm") {
		t.Fatalf("the recall's buttons and reason: %q / %s", in.Accept.Text, in.Detail.Text)
	}
	act(func() { test.Tap(in.Accept) })
	answerPIN(t, inDialogs, tok.PIN)
	waitFor(t, "the recall accepted", func() bool { return strings.Contains(in.Answer.Text, "15") })
	for _, f := range files {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("the recalled copy %s is still there: %v", f, err)
		}
	}
	switchTo(t, u, a.Code)
	waitFor(t, "15 at the sender", func() bool { return strings.Contains(sent.states[recalled], "15") })
}
