package gui

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/token"
)

// demoToken creates a SoftHSM2 token with the leader's certificate and
// returns an environment lookup that points vanthu at it.
func demoToken(t *testing.T) func(string) string {
	t.Helper()
	p := testpki.New(t)
	tok := softhsmtest.NewToken(t, "UBND Đắk Lắk")
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, []byte{1}, "Nguyễn Văn Ánh", softhsmtest.ImportOptions{})
	return func(k string) string {
		if k == token.ModuleEnv {
			return tok.Env.Module
		}
		return os.Getenv(k)
	}
}

// waitFor polls cond on the Fyne thread until it holds or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		fyne.DoAndWait(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestHomeScreenListsTokens(t *testing.T) {
	old := guiGetenv
	guiGetenv = demoToken(t)
	t.Cleanup(func() { guiGetenv = old })

	a := test.NewTempApp(t)
	h := newHome(a, i18n.VI)
	w := test.NewWindow(h.content)
	defer w.Close()
	done := i18n.T(i18n.VI, "gui.tokens.done")
	waitFor(t, "the first token listing", func() bool { return h.Status.Text == done })
	for _, want := range []string{"UBND Đắk Lắk", "Nguyễn Văn Ánh", "TEST CA phục vụ các cơ quan Nhà nước G2"} {
		if !strings.Contains(h.Tokens.Text, want) {
			t.Errorf("token screen does not show %q:\n%s", want, h.Tokens.Text)
		}
	}
	if strings.Contains(h.Tokens.Text, i18n.T(i18n.VI, "err.token_removed")) {
		t.Errorf("an empty slot is shown as an error:\n%s", h.Tokens.Text)
	}
	if strings.Count(h.Tokens.Text, "UBND Đắk Lắk") != 1 {
		t.Errorf("the token is listed more than once:\n%s", h.Tokens.Text)
	}

	// Refresh: the button is disabled while reading and the list comes back.
	test.Tap(h.Refresh)
	waitFor(t, "the refreshed listing", func() bool { return h.Status.Text == done && !h.Refresh.Disabled() })
	if !strings.Contains(h.Tokens.Text, "Nguyễn Văn Ánh") {
		t.Errorf("after refresh:\n%s", h.Tokens.Text)
	}
}

// TestRealWindowUnderXvfb starts the built program on an X display (make
// test provides Xvfb), takes a screenshot of the real window and checks
// that it drew the token screen.
func TestRealWindowUnderXvfb(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("needs an X display: run through `make test`, which starts Xvfb (scripts/with-display.sh)")
	}
	getenv := demoToken(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "vanthu")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/vanthu/vanthu").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), token.ModuleEnv+"="+getenv(token.ModuleEnv), "VANTHU_LANG=vi", "HOME="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()

	shot := filepath.Join(dir, "window.png")
	var lit int
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
			t.Fatalf("screenshot: %v\n%s", err, out)
		}
		lit = brightText(t, shot)
		if lit > 400 { // the window with its lines of text is up
			break
		}
	}
	if keep := os.Getenv("VANTHU_SCREENSHOT_DIR"); keep != "" {
		b, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(keep, "token-screen.png"), b, 0o644)
	}
	if lit <= 400 {
		t.Fatalf("the window drew %d text pixels; expected the token screen", lit)
	}
	if cmd.ProcessState != nil {
		t.Fatalf("vanthu exited early: %v", cmd.ProcessState)
	}
}

// brightText counts light pixels (text on Fyne's dark theme, or the whole
// light theme) in a PNG screenshot.
func brightText(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r > 0xb000 && g > 0xb000 && bb > 0xb000 {
				n++
			}
		}
	}
	return n
}
