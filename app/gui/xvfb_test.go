package gui

import (
	"bufio"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// session drives the real vanthu binary on the X display: keys through
// xdotool, screenshots of its window through ImageMagick's import, and its
// progress read from its log file (the log every install keeps in the data
// folder).
type session struct {
	t      *testing.T
	cmd    *exec.Cmd
	home   string
	log    string
	shots  string
	window string // X window id
}

// TestRealBinaryWalkthrough starts the built program under Xvfb on a fresh
// HOME with no token driver, and walks what a new user does: the first-run
// offer, the demo key store and the sample letter, the approve signature
// (placement found, PIN typed), the issue signature, and the Verify screen.
// Each screen is saved as a PNG in $VANTHU_SCREENSHOT_DIR (default: a temp
// folder) and checked: the window's Vietnamese title, screens that are not
// blank, the page drawn in the preview, the signature box, the ink of the
// signature and seal, and the colour of the demo verdict.
func TestRealBinaryWalkthrough(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("needs an X display: run through `make test`, which starts Xvfb (scripts/with-display.sh)")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/install-deps.sh", tool)
		}
	}
	d := startDesktop(t, nil)
	const title = "vanthu — Ký số và kiểm tra văn bản"
	d.waitWindow(title)

	d.waitLog("first run: no certificate found")
	first := d.shotWhen("01-first-run.png", func(img image.Image) bool {
		return count(img, region{0.2, 0.25, 0.8, 0.75}, isPrimaryBlue) >= 300
	})
	d.notBlank(first)
	if n := count(first, region{0.2, 0.25, 0.8, 0.75}, isPrimaryBlue); n < 300 {
		t.Errorf("first run: the dialog's main button is not drawn (%d blue pixels)", n)
	}

	d.key("Return") // accept the offer
	d.waitLog("demo key store created")
	d.waitLog("plan approve for cong-van-mau.pdf: Tìm thấy")
	d.waitLog("preview cong-van-mau.pdf: page 1/1")
	sign := d.shotWhen("02-sign.png", func(img image.Image) bool {
		return count(img, region{0.4, 0.1, 1, 0.93}, isPlacementBlue) >= 150
	})
	d.notBlank(sign)
	preview := region{0.4, 0.1, 1, 0.93}
	if n := count(sign, preview, isWhite); n < 40000 {
		t.Errorf("sign: the preview shows no page (%d white pixels)", n)
	}
	if n := count(sign, preview, isDark); n < 1500 {
		t.Errorf("sign: the page has no text (%d dark pixels)", n)
	}
	if n := count(sign, preview, isPlacementBlue); n < 150 {
		t.Errorf("sign: the placement box is not drawn (%d pixels)", n)
	}

	d.key("ctrl+s")
	d.waitLog(`PIN dialog for "Khóa thử nghiệm (demo)"`)
	d.shotWhen("03-pin.png", func(img image.Image) bool { return count(img, region{0.25, 0.3, 0.75, 0.7}, isDark) > 1000 })
	d.typeText("123456")
	d.key("Return")
	d.waitLog("as approve → ")
	d.waitLog("preview cong-van-mau.pdf")

	d.key("ctrl+n") // the signed letter, next role: issue
	d.waitLog("plan issue for cong-van-mau-ky-duyet.pdf: Dấu cơ quan")
	d.key("ctrl+s")
	d.waitLog("(final try false)")
	time.Sleep(200 * time.Millisecond)
	d.typeText("123456")
	d.key("Return")
	d.waitLog("as issue → ")
	time.Sleep(500 * time.Millisecond)
	signed := d.shot("04-signed.png")
	d.notBlank(signed)

	d.key("ctrl+e")
	d.waitLog("verified ")
	d.waitLog("signatures outlined")
	d.waitLog("preview cong-van-mau-ban-hanh.pdf")
	ver := d.shotWhen("05-verify.png", func(img image.Image) bool {
		return count(img, region{0.5, 0.1, 1, 0.93}, isSealRed) >= 200 && count(img, region{0, 0.1, 0.5, 1}, isDemoPurple) >= 100
	})
	d.notBlank(ver)
	if !strings.Contains(d.logText(), "cong-van-mau-ban-hanh.pdf: valid, 2 signatures, ok=false") {
		t.Errorf("the issued sample does not verify as 2 valid (demo) signatures:\n%s", d.logText())
	}
	vprev := region{0.5, 0.1, 1, 0.93}
	if n := count(ver, vprev, isWhite); n < 30000 {
		t.Errorf("verify: the preview shows no page (%d white pixels)", n)
	}
	if n := count(ver, vprev, isSignatureBlue); n < 100 {
		t.Errorf("verify: the signature's blue ink is not on the page (%d pixels)", n)
	}
	if n := count(ver, vprev, isSealRed); n < 200 {
		t.Errorf("verify: the red seal is not on the page (%d pixels)", n)
	}
	if n := count(ver, region{0, 0.1, 0.5, 1}, isDemoPurple); n < 100 {
		t.Errorf("verify: the cards do not show the demo verdict (%d purple pixels)", n)
	}

	d.key("ctrl+3")
	d.waitLog("tab 2: Cài đặt")
	time.Sleep(300 * time.Millisecond)
	d.notBlank(d.shot("06-settings.png"))
}

// startDesktop builds vanthu and starts it on a fresh HOME; extra are
// more environment variables.
func startDesktop(t *testing.T, extra []string) *session {
	t.Helper()
	home := t.TempDir()
	bin := filepath.Join(t.TempDir(), "vanthu")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/vanthu/vanthu").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	shots := os.Getenv("VANTHU_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	none := filepath.Join(home, "no-tokens.conf") // SoftHSM2 with no token: a fresh machine
	if err := os.WriteFile(none, []byte("directories.tokendir = "+home+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"), "SOFTHSM2_CONF=" + none, "VANTHU_RENDER_CACHE=" + renderCache,
		"DISPLAY=" + os.Getenv("DISPLAY"), "PATH=" + os.Getenv("PATH"), "LANG=vi_VN.UTF-8"}
	if xa := os.Getenv("XAUTHORITY"); xa != "" {
		env = append(env, "XAUTHORITY="+xa)
	}
	cmd.Env = append(env, extra...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &session{t: t, cmd: cmd, home: home, shots: shots, log: filepath.Join(home, ".config", "vanthu", "vanthu.log")}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
		if t.Failed() {
			t.Logf("vanthu log:\n%s", d.logText())
			t.Logf("screenshots in %s", shots)
		}
	})
	return d
}

// waitWindow waits for the window and checks its title.
func (d *session) waitWindow(title string) {
	d.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "vanthu").Output()
		for _, id := range strings.Fields(string(out)) {
			if err != nil {
				break
			}
			name, _ := exec.Command("xdotool", "getwindowname", id).Output()
			if got := strings.TrimSpace(string(name)); got == title {
				d.window = id
				_ = exec.Command("xdotool", "windowactivate", "--sync", d.window).Run()
				_ = exec.Command("xdotool", "windowfocus", "--sync", d.window).Run()
				return
			} else if got != "" {
				d.t.Logf("window %s titled %q", id, got)
			}
		}
		if d.cmd.ProcessState != nil {
			d.t.Fatalf("vanthu exited: %v", d.cmd.ProcessState)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.t.Fatalf("no window titled %q", title)
}

func (d *session) logText() string {
	b, _ := os.ReadFile(d.log)
	return string(b)
}

// waitLog waits for a log line containing s, written after the previous
// wait's line.
func (d *session) waitLog(s string) {
	d.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		f, err := os.Open(d.log)
		if err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if strings.Contains(sc.Text(), s) {
					f.Close()
					return
				}
			}
			f.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("the log never said %q:\n%s", s, d.logText())
}

func (d *session) key(k string) {
	d.t.Helper()
	if out, err := exec.Command("xdotool", "key", "--window", d.window, "--clearmodifiers", k).CombinedOutput(); err != nil {
		d.t.Fatalf("xdotool key %s: %v %s", k, err, out)
	}
}

func (d *session) typeText(s string) {
	d.t.Helper()
	if out, err := exec.Command("xdotool", "type", "--window", d.window, "--delay", "30", s).CombinedOutput(); err != nil {
		d.t.Fatalf("xdotool type: %v %s", err, out)
	}
}

// shot saves a screenshot of the window as name and returns it.
func (d *session) shot(name string) image.Image {
	d.t.Helper()
	path := filepath.Join(d.shots, name)
	if out, err := exec.Command("import", "-window", d.window, path).CombinedOutput(); err != nil {
		d.t.Fatalf("screenshot: %v\n%s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		d.t.Fatal(err)
	}
	return img
}

// shotWhen takes screenshots until ok holds for one (the window draws the
// frame after the log line) or 10 s pass, and returns the last.
func (d *session) shotWhen(name string, ok func(image.Image) bool) image.Image {
	d.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		img := d.shot(name)
		if ok(img) || time.Now().After(deadline) {
			return img
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// notBlank: a screen with text (light pixels on the dark theme) and more
// than a few colours.
func (d *session) notBlank(img image.Image) {
	d.t.Helper()
	b := img.Bounds()
	if b.Dx() < 700 || b.Dy() < 500 {
		d.t.Errorf("the window is %d×%d", b.Dx(), b.Dy())
	}
	colours := map[color.RGBA]bool{}
	light := 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			c := rgba(img.At(x, y))
			colours[c] = true
			if c.R > 180 && c.G > 180 && c.B > 180 {
				light++
			}
		}
	}
	if len(colours) < 20 || light < 300 {
		d.t.Errorf("the screen looks blank: %d colours, %d light pixels", len(colours), light)
	}
}

// region is a part of an image as fractions (x0, y0, x1, y1).
type region struct{ x0, y0, x1, y1 float64 }

func count(img image.Image, r region, match func(color.RGBA) bool) int {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y + int(r.y0*float64(b.Dy())); y < b.Min.Y+int(r.y1*float64(b.Dy())); y++ {
		for x := b.Min.X + int(r.x0*float64(b.Dx())); x < b.Min.X+int(r.x1*float64(b.Dx())); x++ {
			if match(rgba(img.At(x, y))) {
				n++
			}
		}
	}
	return n
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}

func near(c color.RGBA, r, g, b, tol int) bool {
	d := func(x uint8, y int) int { v := int(x) - y; return max(v, -v) }
	return d(c.R, r) <= tol && d(c.G, g) <= tol && d(c.B, b) <= tol
}

func isWhite(c color.RGBA) bool { return c.R > 245 && c.G > 245 && c.B > 245 }
func isDark(c color.RGBA) bool  { return c.R < 90 && c.G < 90 && c.B < 90 }

// isPrimaryBlue is Fyne's dark-theme primary colour (a HighImportance
// button).
func isPrimaryBlue(c color.RGBA) bool { return c.B > 200 && c.R < 80 && c.G > 80 && c.G < 160 }

func isPlacementBlue(c color.RGBA) bool { return near(c, 0, 110, 230, 40) }
func isDemoPurple(c color.RGBA) bool    { return near(c, 170, 60, 200, 30) }

// isSignatureBlue is the ink of the demo signature (rolestest's blue).
func isSignatureBlue(c color.RGBA) bool {
	return c.B > 120 && int(c.B) > int(c.R)+60 && int(c.B) > int(c.G)+40
}

// isSealRed is the seal's red.
func isSealRed(c color.RGBA) bool {
	return c.R > 150 && int(c.R) > int(c.G)+70 && int(c.R) > int(c.B)+70
}
