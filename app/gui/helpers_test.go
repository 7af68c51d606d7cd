package gui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
	"github.com/vanthu/vanthu/token"
)

// renderCache is the PDFium compilation cache of this test binary, shared
// by its tests (PDFium is compiled once per `go test` run of the package).
var renderCache string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "vanthu-gui-render-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	renderCache = d
	uiDo = uiQueue.post
	go uiQueue.serve()
	code := m.Run()
	_ = os.RemoveAll(d)
	os.Exit(code)
}

// uiQueue plays the real driver's UI thread for the tests: every uiDo of
// the screens and every action of a test (act) runs on one goroutine, in
// order. (Fyne's test driver runs fyne.Do inline, on whatever goroutine
// calls it, which lets a worker and the test touch a widget at once.)
var uiQueue = &queue{wake: make(chan struct{}, 1)}

type queue struct {
	mu   sync.Mutex
	fns  []func()
	wake chan struct{}
}

// post queues fn without waiting, as fyne.Do does.
func (q *queue) post(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) serve() {
	for range q.wake {
		for {
			q.mu.Lock()
			if len(q.fns) == 0 {
				q.mu.Unlock()
				break
			}
			fn := q.fns[0]
			q.fns = q.fns[1:]
			q.mu.Unlock()
			fn()
		}
	}
}

// act runs fn on the UI goroutine and waits for it.
func act(fn func()) {
	done := make(chan struct{})
	uiQueue.post(func() {
		defer close(done)
		fn()
	})
	<-done
}

// fixture is a SoftHSM2 token with the leader's personal certificate
// (CKA_ID 01) and the organisation's (04), the test PKI's root in a PEM
// file, and the environment that points the app at them.
type fixture struct {
	pki    *testpki.PKI
	tok    *softhsmtest.Token
	module string
	data   string // the app's data folder
	work   string // documents
	root   string // root.pem
	env    map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{pki: testpki.New(t), data: t.TempDir(), work: t.TempDir()}
	f.tok = softhsmtest.NewToken(t, "UBND Đắk Lắk")
	f.tok.MustImport(t, f.pki.Leader.Cert, f.pki.Leader.Key, []byte{1}, "Nguyễn Văn Ánh", softhsmtest.ImportOptions{})
	f.tok.MustImport(t, f.pki.Org.Cert, f.pki.Org.Key, []byte{4}, "UBND", softhsmtest.ImportOptions{})
	if err := f.tok.ImportCA(f.pki.Intermediate.Cert, []byte{0xca}, "CA G2"); err != nil {
		t.Fatal(err)
	}
	f.module = f.tok.Env.Module
	f.root = filepath.Join(f.work, "root.pem")
	if err := os.WriteFile(f.root, f.pki.Root.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	f.env = map[string]string{"VANTHU_DATA_DIR": f.data, "VANTHU_RENDER_CACHE": renderCache, "VANTHU_LANG": "vi"}
	f.env[token.ModuleEnv] = f.module
	return f
}

func (f *fixture) getenv(k string) string {
	if v, ok := f.env[k]; ok {
		return v
	}
	if strings.HasPrefix(k, "VANTHU_") {
		return ""
	}
	return os.Getenv(k)
}

// sample writes the bundled sample letter as name in the work folder.
func (f *fixture) sample(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(f.work, name)
	if err := os.WriteFile(p, assets.SampleLetter, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// images writes the signature and seal PNGs of rolestest.
func (f *fixture) images(t *testing.T) (sig, seal string) {
	t.Helper()
	sig, seal = filepath.Join(f.work, "chuky.png"), filepath.Join(f.work, "condau.png")
	if err := os.WriteFile(sig, rolestest.SignaturePNG(600, 240), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(seal, rolestest.SealPNG(500), 0o644); err != nil {
		t.Fatal(err)
	}
	return sig, seal
}

// newTestUI builds the application on the Fyne test driver.
func newTestUI(t *testing.T, getenv func(string) string) *ui {
	t.Helper()
	a := test.NewTempApp(t)
	var u *ui
	var w fyne.Window
	act(func() {
		w = a.NewWindow("")
		u = newUI(a, w, Config{Getenv: getenv})
		w.Resize(fyne.NewSize(1180, 800))
	})
	t.Cleanup(func() {
		act(func() {
			u.close()
			w.Close()
		})
	})
	return u
}

// waitFor polls cond until it holds or 60 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		act(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// selectCert chooses the certificate whose common name is cn.
func selectCert(t *testing.T, s *signScreen, cn string) {
	t.Helper()
	found := false
	act(func() {
		for i, c := range s.choices {
			if c.Cert.Subject.CommonName == cn {
				s.Cert.SetSelectedIndex(i)
				found = true
				return
			}
		}
	})
	if !found {
		t.Fatalf("no certificate %q among %d", cn, len(s.choices))
	}
}

// pinDialogs collects the PIN dialogs the screen shows.
func pinDialogs(s *signScreen) chan *pinDialog {
	ch := make(chan *pinDialog, 4)
	s.pins.shown = func(d *pinDialog) { ch <- d }
	return ch
}

func nextDialog(t *testing.T, ch chan *pinDialog) *pinDialog {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(60 * time.Second):
		t.Fatal("no PIN dialog")
	}
	return nil
}

// leftovers lists files in dir that are neither inputs nor finished outputs
// (temporary files of an interrupted write).
func leftovers(t *testing.T, dir string, keep map[string]bool) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !keep[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out
}
