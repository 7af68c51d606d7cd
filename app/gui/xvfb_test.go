package gui

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
)

// session drives the real vanthu binary on the X display: keys through
// xdotool, screenshots of its window through ImageMagick's import, and its
// progress read from its log file (the log every install keeps in the data
// folder).
type session struct {
	t      *testing.T
	cmd    *exec.Cmd
	bin    string
	env    []string
	home   string
	log    string
	shots  string
	window string // X window id
	from   int64  // waitNew looks at the log after this offset (mark)
	period calendar.Period
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

	d.walkExchange()

	d.key("ctrl+7")
	d.waitLog("tab 6: Cài đặt")
	time.Sleep(300 * time.Millisecond)
	d.notBlank(d.shot("06-settings.png"))
}

// walkExchange goes on from the issued sample with the embedded local hub:
// send it to the second demo agency (Ctrl+G, the recipient typed without
// diacritics, Ctrl+S, the PIN), switch to that agency (Ctrl+Shift+A), see
// it in the inbox and accept it (Ctrl+S, the PIN), switch back and see the
// recipient's 01 and 03; then, with sub-units and register entries added
// through the CLI as a unit head's office would, the registers and the
// dashboard.
func (d *session) walkExchange() {
	t := d.t
	t.Helper()
	d.key("ctrl+g")
	d.waitLog("send: cong-van-mau-ban-hanh.pdf: ◐")
	d.waitLog("send: directory of 2 agencies")
	time.Sleep(200 * time.Millisecond)
	d.typeText("thu nghiem b")
	d.key("Return")
	d.waitLog("send: recipient T99.02 chosen")
	send := d.shotWhen("07-gui-van-ban.png", func(img image.Image) bool {
		return count(img, region{0.42, 0.6, 0.7, 0.8}, isPrimaryBlue) >= 300 // Gửi enabled: the recipient is chosen
	})
	if n := count(send, region{0.42, 0.6, 0.7, 0.8}, isPrimaryBlue); n < 300 {
		t.Errorf("send: the Send button is not enabled (%d blue pixels)", n)
	}
	d.notBlank(send)

	d.mark()
	d.key("ctrl+s")
	d.waitNew(`PIN dialog for "Khóa thử nghiệm (demo)"`)
	time.Sleep(200 * time.Millisecond)
	d.typeText("123456")
	d.key("Return")
	d.waitLog("send: delivered 1, waiting 0")

	d.mark()
	d.key("ctrl+shift+a")
	d.waitNew("exchange: open as T99.02")
	d.waitNew("exchange: arrived T99.01,")
	d.waitNew("notification: T99.01: V/v triển khai chữ ký số chuyên dùng")
	d.key("ctrl+4")
	d.waitNew("tab 3: Văn bản đến (1)")
	d.waitNew("preview 01-cong-van-mau-ban-hanh.pdf")
	inbox := d.shotWhen("08-van-ban-den.png", func(img image.Image) bool {
		return count(img, region{0.36, 0.5, 1, 0.93}, isSealRed) >= 50
	})
	d.notBlank(inbox)
	if n := count(inbox, region{0.36, 0.5, 1, 0.93}, isSealRed); n < 50 {
		t.Errorf("inbox: the preview does not show the letter's red seal (%d pixels)", n)
	}

	d.mark()
	d.key("ctrl+s")
	d.waitNew(`PIN dialog for "Khóa thử nghiệm (demo)"`)
	time.Sleep(200 * time.Millisecond)
	d.typeText("123456")
	d.key("Return")
	d.waitNew("inbox: answered 1 with 03")
	d.waitNew("exchange: delivered status")

	d.mark()
	d.key("ctrl+shift+a")
	d.waitNew("exchange: open as T99.01")
	d.waitNew("exchange: status 03 for")
	d.key("ctrl+3")
	d.waitNew("tab 2: Gửi văn bản")
	d.waitLog("T99.02 01 03")
	time.Sleep(300 * time.Millisecond)
	d.notBlank(d.shot("09-da-gui.png"))

	d.seedRegisters()
	d.mark()
	d.key("ctrl+5")
	d.waitNew("registers: 9 outgoing")
	time.Sleep(300 * time.Millisecond)
	d.notBlank(d.shot("10-so-van-ban.png"))

	d.mark()
	d.key("ctrl+6")
	d.waitNew("dashboard T99.01 nd09:")
	dash := d.shotWhen("11-bao-cao.png", func(img image.Image) bool {
		return count(img, region{0, 0.1, 1, 0.9}, isMet) > 200 && count(img, region{0, 0.1, 1, 0.9}, isFar) > 200
	})
	d.notBlank(dash)
	if !strings.Contains(d.logText(), "dashboard T99.01 "+d.period.String()+": 3/6 exchanged, 3 missed") {
		t.Errorf("the dashboard does not count the seeded registers:\n%s", d.logText())
	}
	// The same numbers as `vanthu report --json` (the binary) for the unit
	// and period.
	var rep report.Report
	if err := json.Unmarshal(d.cliOut("report", "--json", "--unit", "T99.01", "--period", d.period.String()), &rep); err != nil {
		t.Fatalf("vanthu report --json: %v", err)
	}
	c := rep.Unit.Counts
	if line := fmt.Sprintf("dashboard T99.01 %s: %d/%d exchanged, %d missed", d.period, c.Exchanged, c.Sent, rep.MissedTotal); !strings.Contains(d.logText(), line) {
		t.Errorf("vanthu report --json says %q; the dashboard:\n%s", line, d.logText())
	}
	if n := count(dash, region{0, 0.1, 1, 0.9}, isMet); n < 200 {
		t.Errorf("dashboard: no green bar of the sub-unit at 100%% (%d pixels)", n)
	}
	if n := count(dash, region{0, 0.1, 1, 0.9}, isFar); n < 200 {
		t.Errorf("dashboard: no red for the rate below 80%% (%d pixels)", n)
	}
}

// seedRegisters adds, through the CLI on the same data folder, three
// sub-units of T99.01 and their outgoing documents of this period and the
// two before it: electronic ones verified from the issued sample (its
// demo signatures trusted with the demo root), paper ones with their
// reasons, and one registered without its file.
func (d *session) seedRegisters() {
	data := filepath.Join(d.home, ".config", "vanthu")
	issued := filepath.Join(data, "demo", "van-ban-mau", "cong-van-mau-ban-hanh.pdf")
	root := filepath.Join(data, "demo", "root.pem")
	d.period = periodOf(calendar.ND09Month, calendar.Today())
	now, prev1, prev2 := calendar.Today(), d.period.From.AddDays(-3), d.period.Prev().From.AddDays(-3)
	for _, u := range [][2]string{{"T99.01.01", "Phòng Tổng hợp"}, {"T99.01.02", "Văn phòng"}, {"T99.01.03", "Phòng Kế hoạch - Tài chính"}} {
		d.cli("unit", "add", u[0], u[1], "--parent", "T99.01")
	}
	add := func(unit, number string, day calendar.Date, extra ...string) {
		d.cli(append([]string{"register", "add", "--unit", unit, "--number", number, "--date", day.String(), "--trust", root,
			"--type", "Công văn", "--to", "T99.02"}, extra...)...)
	}
	add("T99.01.01", "21/PTH", now, "--channel", "electronic", "--file", issued, "--subject", "V/v báo cáo tình hình ký số")
	add("T99.01.02", "15/VP", now, "--channel", "electronic", "--file", issued, "--subject", "V/v lịch họp giao ban")
	add("T99.01.02", "16/VP", now, "--channel", "paper", "--reason", "Nơi nhận chưa kết nối trục", "--subject", "V/v mời họp")
	add("T99.01.03", "8/KHTC", now, "--channel", "paper", "--reason", "Văn bản kèm hồ sơ giấy", "--subject", "V/v dự toán ngân sách")
	add("T99.01.03", "9/KHTC", now, "--channel", "electronic", "--subject", "V/v quyết toán quý")
	add("T99.01.01", "18/PTH", prev1, "--channel", "electronic", "--file", issued, "--subject", "V/v kế hoạch chuyển đổi số")
	add("T99.01.02", "11/VP", prev1, "--channel", "paper", "--reason", "Nơi nhận chưa kết nối trục", "--subject", "V/v trực lễ")
	add("T99.01.01", "12/PTH", prev2, "--channel", "paper", "--reason", "Nơi nhận chưa kết nối trục", "--subject", "V/v thi đua khen thưởng")
}

// cli runs the built vanthu with arguments on the session's HOME.
func (d *session) cli(args ...string) {
	d.t.Helper()
	d.cliOut(args...)
}

// cliOut runs the built vanthu like cli and returns its standard output.
func (d *session) cliOut(args ...string) []byte {
	d.t.Helper()
	cmd := exec.Command(d.bin, args...)
	cmd.Env = d.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		d.t.Fatalf("vanthu %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
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
		"DISPLAY=" + os.Getenv("DISPLAY"), "PATH=" + os.Getenv("PATH"), "LANG=vi_VN.UTF-8",
		"TZ=Asia/Ho_Chi_Minh"} // a desktop in Vietnam, as the README shows it
	if xa := os.Getenv("XAUTHORITY"); xa != "" {
		env = append(env, "XAUTHORITY="+xa)
	}
	env = append(env, extra...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &session{t: t, cmd: cmd, bin: bin, env: env, home: home, shots: shots, log: filepath.Join(home, ".config", "vanthu", "vanthu.log")}
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

// mark makes waitNew look only at what the log says from now on.
func (d *session) mark() {
	if st, err := os.Stat(d.log); err == nil {
		d.from = st.Size()
	}
}

// waitNew waits for a log line containing s written after the mark (and
// moves the mark past it), for lines that appear more than once.
func (d *session) waitNew(s string) {
	d.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(d.log)
		if err == nil && int64(len(b)) > d.from {
			if i := strings.Index(string(b[d.from:]), s); i >= 0 {
				d.from += int64(i + len(s))
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("the log never said %q after the mark:\n%s", s, d.logText())
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

// isMet and isFar are the dashboard's green (target met) and red (below
// 80 %).
func isMet(c color.RGBA) bool        { return near(c, 30, 160, 80, 25) }
func isFar(c color.RGBA) bool        { return near(c, 215, 50, 50, 25) }
func isDemoPurple(c color.RGBA) bool { return near(c, 170, 60, 200, 30) }

// isSignatureBlue is the ink of the demo signature (rolestest's blue).
func isSignatureBlue(c color.RGBA) bool {
	return c.B > 120 && int(c.B) > int(c.R)+60 && int(c.B) > int(c.G)+40
}

// isSealRed is the seal's red.
func isSealRed(c color.RGBA) bool {
	return c.R > 150 && int(c.R) > int(c.G)+70 && int(c.R) > int(c.B)+70
}
