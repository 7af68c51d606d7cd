package gui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
)

// TestOpenMissedDocument: a letter signed by the competent person only
// (no organisation signature) is sent through the screens, so it misses
// the target. On the dashboard, "Mở văn bản" on it opens on the Verify
// screen the very PDF that was sent — its SHA-256 the register's, taken
// out of the package the outbox keeps — with its preview and its one
// signature's card; "Mở mục trong sổ" still opens its register entry, and
// the entry's own "Mở văn bản" opens the same file. A paper-only send says
// in words that there is no file, on both screens, and opens nothing; so
// does a package changed in the outbox. The recipient opens its incoming
// entry's document from its inbox's copy.
func TestOpenMissedDocument(t *testing.T) {
	f := newFixture(t)
	u := newTestUI(t, f.getenv)
	logOnFailure(t, u)
	if err := u.Settings.addRootFile(f.root); err != nil {
		t.Fatal(err)
	}
	_, approved, _ := approveThroughScreens(t, u, f)
	act(u.desk.reopen)
	a, b := local.Demo[0], local.Demo[1]
	waitFor(t, "the local hub", func() bool { return u.desk.State.Open && u.desk.State.Agency.Code == a.Code })

	s := u.Send
	act(func() { u.Tabs.SelectIndex(tabSend) })
	act(s.takeSigned)
	waitFor(t, "the document's check", func() bool { return len(s.docs) == 1 && s.docs[0].check != "" })
	act(func() {
		s.Number.SetText("45/UBND-VP")
		s.Date.SetText("2026-11-24")
		s.Subject.SetText("V/v lấy ý kiến dự thảo")
	})
	sendThroughScreens(t, s, f, "thu nghiem b", b.Code)

	period := calendar.ND09MonthOf(2026, 12)
	dash := showReport(t, u, period, 1)
	var miss report.Missed
	act(func() { miss = dash.rep.Missed[0] })
	if dash.rep.MissedTotal != 1 || miss.Number != "45/UBND-VP" || miss.Channel != register.Electronic || miss.Issue != register.SigMissing {
		t.Fatalf("missed: %d %+v", dash.rep.MissedTotal, miss)
	}
	entry := outgoingEntry(t, u, miss.ID)
	if entry.FileSHA256 != fileHash(t, approved) {
		t.Fatalf("the register's hash %s is not the sent file's", entry.FileSHA256)
	}
	if !dash.OpenDoc.Disabled() || !dash.OpenEntry.Disabled() {
		t.Fatal("open buttons enabled with no document chosen")
	}
	act(func() { dash.Missed.Select(0) })
	act(func() { test.Tap(dash.OpenDoc) })
	opened := waitVerified(t, u, 1)
	if got := fileHash(t, opened); got != entry.FileSHA256 {
		t.Fatalf("the Verify screen has %s (SHA-256 %s), not the registered file %s", opened, got, entry.FileSHA256)
	}
	if opened == approved || !strings.HasPrefix(opened, f.data) || filepath.Base(opened) != filepath.Base(approved) {
		t.Fatalf("opened %s: want a copy in the data folder named like %s", opened, approved)
	}
	waitFor(t, "the preview", func() bool { return u.Verify.Preview.path == opened && u.Verify.Preview.Page.Image() != nil })
	var card string
	act(func() { card = u.Verify.cards(u.Verify.verdicts[opened])[0].Text })
	if !strings.Contains(card, f.pki.Leader.Cert.Subject.CommonName) {
		t.Errorf("card: %s", card)
	}
	if !strings.Contains(dash.DocStatus.Text, filepath.Base(opened)) {
		t.Errorf("dashboard says %q", dash.DocStatus.Text)
	}

	// The register entry stays one tap away, and opens the same file.
	r := u.Registers
	act(func() { u.Tabs.SelectIndex(tabDashboard); dash.Missed.Select(0) })
	act(func() { test.Tap(dash.OpenEntry) })
	waitFor(t, "the missed document's entry", func() bool {
		return u.Tabs.SelectedIndex() == tabRegisters && r.selected >= 0 && r.outgoing[r.rows[r.selected]].ID == miss.ID && !r.OpenDoc.Disabled()
	})
	act(func() { test.Tap(r.OpenDoc) })
	if again := waitVerified(t, u, 1); again != opened {
		t.Fatalf("the entry opened %s, the dashboard %s", again, opened)
	}

	// A paper-only send: no file, said in words, nothing opened.
	act(func() { u.Tabs.SelectIndex(tabRegisters) })
	addPaperThrough(t, r, map[string]string{"number": "7/UBND-VP", "date": "2026-11-25", "subject": "V/v họp giao ban", "to": "H40",
		"reason": "Nơi nhận chưa kết nối trục"})
	waitFor(t, "the paper send", func() bool {
		return len(r.outgoing) == 2 && r.selected >= 0 && r.outgoing[r.rows[r.selected]].Number == "7/UBND-VP"
	})
	const paperOnly = "chỉ gửi bản giấy: không có tệp điện tử"
	act(func() { test.Tap(r.OpenDoc) })
	waitFor(t, "the registers' message", func() bool { return strings.Contains(r.Status.Text, paperOnly) })
	dash = showReport(t, u, period, 2)
	paper := -1
	act(func() {
		for i, m := range dash.rep.Missed {
			if m.Number == "7/UBND-VP" {
				paper = i
			}
		}
	})
	if paper < 0 {
		t.Fatalf("the paper send is not among the missed: %+v", dash.rep.Missed)
	}
	act(func() { dash.Missed.Select(paper) })
	act(func() { test.Tap(dash.OpenDoc) })
	waitFor(t, "the dashboard's message", func() bool { return strings.HasPrefix(dash.DocStatus.Text, "✗ ") })
	if !strings.Contains(dash.DocStatus.Text, paperOnly) || u.Tabs.SelectedIndex() != tabDashboard {
		t.Fatalf("paper-only: %q, tab %d", dash.DocStatus.Text, u.Tabs.SelectedIndex())
	}

	// The package in the outbox changed (and the copy taken out of it
	// gone): said in words, nothing opened.
	agencyDir := bridge.AgencyDataDir(f.data, a.Code)
	pkgs, _ := filepath.Glob(filepath.Join(agencyDir, "outbox", "*.pkg"))
	for _, p := range pkgs {
		if err := os.WriteFile(p, []byte("<edXML>changed</edXML>"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if len(pkgs) == 0 || os.RemoveAll(filepath.Join(agencyDir, "documents")) != nil {
		t.Fatalf("packages %v", pkgs)
	}
	act(func() {
		for i, m := range dash.rep.Missed {
			if m.ID == miss.ID {
				dash.Missed.Select(i)
			}
		}
		dash.DocStatus.SetText("")
	})
	act(func() { test.Tap(dash.OpenDoc) })
	waitFor(t, "the dashboard's message", func() bool { return strings.HasPrefix(dash.DocStatus.Text, "✗ ") })
	if !strings.Contains(dash.DocStatus.Text, "đã bị thay đổi") || u.Tabs.SelectedIndex() != tabDashboard {
		t.Fatalf("changed package: %q, tab %d", dash.DocStatus.Text, u.Tabs.SelectedIndex())
	}

	// The recipient: its incoming entry opens the inbox's copy.
	switchTo(t, u, b.Code)
	waitFor(t, "the letter in B's inbox", func() bool { return len(u.Inbox.docs) == 1 })
	act(func() { u.Tabs.SelectIndex(tabRegisters); r.Kind.SetSelectedIndex(regIncoming) })
	waitFor(t, "B's incoming register", func() bool { return len(r.incoming) == 1 && r.selected == 0 && !r.OpenDoc.Disabled() })
	act(func() { test.Tap(r.OpenDoc) })
	received := waitVerified(t, u, 1)
	var inboxCopy string
	act(func() { inboxCopy = u.Inbox.docs[0].Files[0] })
	if received != inboxCopy || fileHash(t, received) != entry.FileSHA256 {
		t.Fatalf("B opened %s, its inbox holds %s", received, inboxCopy)
	}
	var incoming register.Incoming
	act(func() { incoming = r.incoming[0] })
	if incoming.FileSHA256 != entry.FileSHA256 {
		t.Fatalf("B's incoming entry keeps file %q, A sent %q", incoming.FileSHA256, entry.FileSHA256)
	}
	// An inbox copy changed on disk is not the registered file: a message,
	// nothing opened.
	changed, err := os.ReadFile(inboxCopy)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inboxCopy, append(changed, "% changed\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	act(func() { u.Tabs.SelectIndex(tabRegisters); r.Status.SetText("") })
	act(func() { test.Tap(r.OpenDoc) })
	waitFor(t, "the registers' message", func() bool { return strings.Contains(r.Status.Text, "đã bị thay đổi") })
	if u.Tabs.SelectedIndex() != tabRegisters {
		t.Fatalf("changed inbox copy: %q, tab %d", r.Status.Text, u.Tabs.SelectedIndex())
	}
}

// waitVerified waits for the Verify screen to show a verified file with
// cards signatures and returns it.
func waitVerified(t *testing.T, u *ui, cards int) string {
	t.Helper()
	v := u.Verify
	var path string
	waitFor(t, "the document on the Verify screen", func() bool {
		if u.Tabs.SelectedIndex() != tabVerify || v.selected < 0 || v.selected >= len(v.files) {
			return false
		}
		path = v.files[v.selected]
		return v.verdicts[path] != nil && len(v.Cards.Objects) == cards
	})
	return path
}

// outgoingEntry reads an outgoing register entry as the window's agency.
func outgoingEntry(t *testing.T, u *ui, id int64) *register.Outgoing {
	t.Helper()
	var o *register.Outgoing
	err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
		regs, err := u.registers(x)
		if err == nil {
			o, err = regs.Outgoing(ctx, id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func fileHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
