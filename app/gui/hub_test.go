package gui

import (
	"context"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/token"
)

// served runs a hub folder's API on addr until stop.
type served struct {
	stop func()
}

func serveHub(t *testing.T, h *exchangetest.Hub, addr string) *served {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = h.Hub.Serve(ctx, ln, h.Dir.CA.Cert, h.Dir.Server); close(done) }()
	s := &served{stop: func() { cancel(); <-done }}
	t.Cleanup(func() { s.stop() })
	return s
}

// newOrgUI opens the window on a fresh data folder with a SoftHSM2 token
// holding an organisation certificate of env's PKI for the agency, whose
// root the window trusts.
func newOrgUI(t *testing.T, env *exchangetest.Env, code, name string) (*ui, *softhsmtest.Token, string) {
	t.Helper()
	org, err := env.PKI.Issue(testpki.Spec{CommonName: name, Organization: name, Organisation: true, KeyID: "gui-org-" + code})
	if err != nil {
		t.Fatal(err)
	}
	tok := softhsmtest.NewToken(t, "Văn thư")
	tok.MustImport(t, org.Cert, org.Key, []byte{7}, "UBND", softhsmtest.ImportOptions{})
	data, work := t.TempDir(), t.TempDir()
	vars := map[string]string{"VANTHU_DATA_DIR": data, "VANTHU_RENDER_CACHE": renderCache, "VANTHU_LANG": "vi", token.ModuleEnv: tok.Env.Module}
	getenv := func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		if strings.HasPrefix(k, "VANTHU_") {
			return ""
		}
		return os.Getenv(k)
	}
	u := newTestUI(t, getenv)
	logOnFailure(t, u)
	root := filepath.Join(work, "root.pem")
	if err := os.WriteFile(root, env.PKI.Root.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := u.Settings.addRootFile(root); err != nil {
		t.Fatal(err)
	}
	act(u.desk.reopen)
	waitFor(t, "the token's certificate", func() bool { return u.orgChoice() != nil })
	return u, tok, work
}

// TestEnrolOfflineAndBack: an agency enrols through Settings (connection
// key and request made on this machine, the certificate the hub
// administrator issued imported), connects to its hub over mutual TLS and
// gets the directory; the hub goes away: the status bar says offline and
// no dialog opens; a cancelled PIN leaves every typed field in place; the
// document sent meanwhile waits in the outbox with its reason; when the
// hub is back it is delivered by itself and the recipient receives it.
func TestEnrolOfflineAndBack(t *testing.T) {
	env := exchangetest.Shared(t)
	d := env.InitDir(t, "", hub.Limits{})
	addr := exchangetest.FreeAddr(t)
	h := env.AdminHub(t, d, "https://"+addr)
	ctx := context.Background()
	const code, name = "H40.01", "UBND huyện Yên Thành"
	if err := h.Hub.AddAgency(ctx, "admin:test", wire.Agency{Code: code, Name: name}); err != nil {
		t.Fatal(err)
	}
	peer := env.AddAgency(t, h, "H40.02", "UBND huyện Diễn Châu")

	u, tok, work := newOrgUI(t, env, code, name)

	// Enrolment through Settings.
	x := u.Settings.Exchange
	act(func() { x.Mode.SetSelected(x.Mode.Options[modeHub]) })
	act(func() {
		x.HubURL.SetText("https://" + addr)
		x.Code.SetText(code)
		x.Name.SetText(name)
		x.makeRequest()
	})
	if x.request == nil || !strings.Contains(x.State.Text, "Đã tạo yêu cầu") {
		t.Fatalf("no request shown; state %q", x.State.Text)
	}
	act(x.request.Hide)
	b, _ := pem.Decode(x.csr)
	cert, err := h.Hub.IssueCertificate(ctx, "admin:test", h.Dir.CA, code, b.Bytes, 0)
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(work, "h40.01.pem")
	if err := os.WriteFile(bundle, hub.CertPEM(cert, h.Dir.CA.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := serveHub(t, h, addr)
	act(func() { x.installFile(bundle) })
	if !strings.Contains(x.State.Text, "Đã đăng ký là "+code) {
		t.Fatalf("state after the import: %q", x.State.Text)
	}
	waitFor(t, "the hub", func() bool { return u.desk.State.Open && u.desk.State.Online && !u.desk.State.Local })
	s := u.Send
	waitFor(t, "the hub's directory", func() bool { return s.Recipients.agencies[peer.Code].Name == peer.Name })
	if u.Status.switchBox.Visible() || !strings.Contains(u.Status.Agency.Text, "https://"+addr) {
		t.Errorf("status bar with a hub: %q", u.Status.Agency.Text)
	}

	// The hub goes away: a state, not an error.
	srv.stop()
	act(u.desk.kick)
	waitFor(t, "the offline state", func() bool { return !u.desk.State.Online && u.desk.State.Open })
	if !strings.Contains(u.Status.Conn.Text, "Ngoại tuyến") || !strings.Contains(u.Status.Conn.Text, "không kết nối được trục") {
		t.Errorf("status bar offline: %q", u.Status.Conn.Text)
	}

	pdf := env.SignedPDFs(t, filepath.Join(work, "pdf"), 1, 4<<10)[0]
	act(func() { u.Tabs.SelectIndex(tabSend); s.addFiles([]string{pdf}) })
	waitFor(t, "the document's check", func() bool { return len(s.docs) == 1 && s.docs[0].ok })
	act(func() {
		s.Number.SetText("15/UBND-VP")
		s.Date.SetText("2026-11-20")
		s.Subject.SetText("V/v lịch tiếp công dân")
		s.Recipients.setSelected([]string{peer.Code})
	})
	dialogs := dialogsOf(s.pins)
	act(func() { test.Tap(s.SendBtn) })
	dlg := nextDialog(t, dialogs)
	act(func() { test.Tap(dlg.Cancel) })
	waitFor(t, "the cancelled send", func() bool { return !s.running })
	if len(s.docs) != 1 || s.docs[0].Number != "15/UBND-VP" || s.docs[0].Subject != "V/v lịch tiếp công dân" ||
		!strings.Contains(u.set.Draft(), "V/v lịch tiếp công dân") || len(s.Recipients.Codes()) != 1 {
		t.Fatalf("what was typed is lost after a cancelled PIN: %+v, draft %s", s.docs, u.set.Draft())
	}

	act(func() { test.Tap(s.SendBtn) })
	answerPIN(t, dialogs, tok.PIN)
	waitFor(t, "the send run", func() bool { return !s.running && strings.Contains(s.Status.Text, "chờ trong hộp thư đi") })
	if top := u.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("a dialog is open while offline: %T", top)
	}
	act(func() { s.Tabs.SelectIndex(1) })
	waitFor(t, "the outbox", func() bool { return len(s.outbox.entries) == 1 })
	if line := s.outbox.line(s.outbox.entries[0]); !strings.Contains(line, "không kết nối được trục") || !strings.Contains(line, "thử lại lúc") {
		t.Errorf("outbox line: %q", line)
	}
	waitFor(t, "the outbox in the status bar", func() bool {
		return u.Status.Outbox.Visible() && strings.Contains(u.Status.Outbox.Text, "1 chờ gửi")
	})

	// The hub is back: delivered without the clerk doing anything more.
	serveHub(t, h, addr)
	act(u.desk.kick)
	waitFor(t, "the delivery", func() bool { return u.desk.State.Online && u.desk.State.Pending == 0 && len(s.outbox.entries) == 0 })
	pc := env.Client(t, peer)
	sum, err := pc.Sync(ctx, client.SyncOptions{}, nil)
	if err != nil || sum.Documents != 1 {
		t.Fatalf("the recipient's sync: %+v %v", sum, err)
	}
	in, _ := pc.Inbox(ctx, false)
	if len(in) != 1 || in[0].Verdict.Status != client.VerdictValid || in[0].Subject != "V/v lịch tiếp công dân" || in[0].From != code {
		t.Fatalf("the recipient's inbox: %+v", in)
	}
	_ = time.Second
}
