package roles

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

var (
	pkiOnce sync.Once
	pkiVal  *testpki.PKI
	pkiErr  error
)

func sharedPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		pkiVal, pkiErr = testpki.NewPKI(testpki.WithKeyCache(filepath.Join(os.TempDir(), "vanthu-testpki-keys")))
	})
	if pkiErr != nil {
		t.Fatalf("testpki: %v", pkiErr)
	}
	return pkiVal
}

func trustStore(p *testpki.PKI) *trust.Store {
	ts := trust.New()
	ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
	return ts
}

// signingTime is the clock of the tests: 21 November 2026, 14:30:15 in
// Vietnam (inside the test certificates' validity).
func signingTime(p *testpki.PKI) time.Time {
	return p.Now().In(Vietnam)
}

func fonts() Fonts { return Fonts{Regular: assets.SerifRegular, Italic: assets.SerifItalic} }

// request returns a request of role for identity id with the test images.
func request(p *testpki.PKI, role Role, id *testpki.Identity) Request {
	now := signingTime(p)
	req := Request{
		Role:    role,
		Options: pades.Options{Signer: id.Key, Chain: id.ChainWithLeaf(), Now: func() time.Time { return now }},
		Place:   Place{Auto: true},
		Fonts:   fonts(),
		Verify:  verify.Options{Trust: trustStore(p), Online: true, Now: func() time.Time { return now }},
	}
	switch role {
	case Approve:
		req.Signature = rolestest.SignaturePNG(600, 240)
	case Issue:
		req.Seal = rolestest.SealPNG(500)
		req.SealMM = 36
		req.Number = "123/UBND-VP"
		req.Date = time.Date(2026, 11, 21, 9, 0, 0, 0, Vietnam)
	case Attachment:
		req.Number = "123/UBND-VP"
	case Copy:
		req.CopyKind = CopySaoY
		req.Org = "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk"
	}
	return req
}

func writeFile(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// signStep signs in with req into a new file and returns its path.
func signStep(t testing.TB, in string, req Request) (string, *Report) {
	t.Helper()
	out := strings.TrimSuffix(in, ".pdf") + "-" + string(req.Role) + ".pdf"
	rep, err := SignFile(context.Background(), in, out, req)
	if err != nil {
		t.Fatalf("%s: %v", req.Role, err)
	}
	return out, rep
}

// ---- independent tools ---------------------------------------------------

// pdftotext returns the -layout text of page n.
func pdftotext(t testing.TB, path string, n int) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-layout", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`[ \t]+`)

// squeeze collapses runs of spaces (pdftotext -layout turns gaps into
// several).
func squeeze(s string) string { return spaces.ReplaceAllString(s, " ") }

// bbox is a word box from pdftotext -bbox (points, origin top left).
type bbox struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// words runs poppler's own text extraction (pdftotext -bbox) on page n:
// an extraction independent of package layout.
func words(t testing.TB, path string, n int) []bbox {
	t.Helper()
	out, err := exec.Command("pdftotext", "-bbox", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v\n%s", err, out)
	}
	var ws []bbox
	for _, m := range wordRE.FindAllStringSubmatch(string(out), -1) {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		ws = append(ws, bbox{text: m[5], xMin: v[0], yMin: v[1], xMax: v[2], yMax: v[3]})
	}
	return ws
}

// render rasterises page n at dpi with pdftoppm.
func render(t testing.TB, path string, n, dpi int) image.Image {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), "-r", fmt.Sprint(dpi), "-png", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	b, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func isBlue(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	return b > 120 && b > r+60 && b > g+40
}

func isRed(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	return r > 150 && g < 110 && b < 110 && r > g+70
}

// inkBox returns the bounding box (pixels) and count of pixels matching
// pred.
func inkBox(img image.Image, pred func(image.Image, int, int) bool) (image.Rectangle, int) {
	b := img.Bounds()
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if pred(img, x, y) {
				n++
				box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
				box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
			}
		}
	}
	return box, n
}
