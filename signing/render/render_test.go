package render

import (
	"bytes"
	"context"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
)

// isBlue, isRed and isWhite classify a pixel of a rendered page.
func isBlue(img *image.RGBA, x, y int) bool {
	c := img.RGBAAt(x, y)
	return c.B > 200 && c.R < 60 && c.G < 60
}

func isRed(img *image.RGBA, x, y int) bool {
	c := img.RGBAAt(x, y)
	return c.R > 200 && c.G < 60 && c.B < 60
}

func isWhite(img *image.RGBA, x, y int) bool {
	c := img.RGBAAt(x, y)
	return c.R > 245 && c.G > 245 && c.B > 245 && c.A == 255
}

func TestRenderPages(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx := context.Background()
	d, err := r.Open(ctx, testpdf.Plain(3))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Pages() != 3 {
		t.Fatalf("pages = %d, want 3", d.Pages())
	}
	s, err := d.PageSize(ctx, 2)
	if err != nil || s != (Size{595, 842}) {
		t.Fatalf("page size = %v, %v; want 595×842", s, err)
	}
	for page := 1; page <= 3; page++ {
		img, err := d.Render(ctx, page, 72)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 595 || b.Dy() != 842 {
			t.Fatalf("page %d: image %v, want 595×842", page, b)
		}
		// testpdf draws a blue bar at y = 700-(page-1), x 72..272, 20 high.
		top := 842 - (700 - (page - 1) + 20)
		if !isBlue(img, 100, top+10) || !isBlue(img, 270, top+2) {
			t.Errorf("page %d: no blue bar at y %d", page, top+10)
		}
		if !isWhite(img, 100, top-3) || !isWhite(img, 300, top+10) || !isWhite(img, 10, 10) {
			t.Errorf("page %d: background not white around the bar", page)
		}
	}
	// Twice the DPI, twice the pixels.
	img, err := d.Render(ctx, 1, 144)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 1190 || b.Dy() != 1684 {
		t.Fatalf("144 dpi: image %v, want 1190×1684", b)
	}
	var pe *PageError
	if _, err := d.Render(ctx, 4, 72); !errors.As(err, &pe) || pe.Pages != 3 {
		t.Errorf("page 4: err = %v, want a PageError", err)
	}
	if _, err := d.Render(ctx, 0, 72); !errors.As(err, &pe) {
		t.Errorf("page 0: err = %v, want a PageError", err)
	}
}

func TestOpenReader(t *testing.T) {
	r := newRenderer(t, Options{})
	path := filepath.Join(t.TempDir(), "in.pdf")
	if err := os.WriteFile(path, textPDF(4), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	d, err := r.OpenReader(context.Background(), f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Pages() != 4 {
		t.Fatalf("pages = %d", d.Pages())
	}
	img, err := d.Render(context.Background(), 4, 50)
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c := img.RGBAAt(x, y); c.R < 128 {
				dark++
			}
		}
	}
	if dark < 2000 {
		t.Errorf("page 4 of the text document has %d dark pixels: no text drawn", dark)
	}
}

func TestWidgetsAndBoxes(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx := context.Background()
	d, err := r.Open(ctx, widgetPDF(0))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ws, err := d.Widgets(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Widget{}
	for _, w := range ws {
		got[w.Field] = w
	}
	if len(ws) != 3 {
		t.Fatalf("widgets = %+v, want 3", ws)
	}
	sig := got["Sig1"]
	if !sig.Signature || sig.Rect != (Rect{300, 100, 150, 50}) {
		t.Errorf("Sig1 = %+v", sig)
	}
	if w := got["Name"]; w.Signature || w.Rect != (Rect{72, 400, 200, 20}) {
		t.Errorf("Name = %+v", w)
	}
	if w := got[""]; w.Signature || w.Rect != (Rect{72, 100, 100, 40}) {
		t.Errorf("kid widget of Sig2 = %+v, want no name and its rectangle", w)
	}
	wantBox := Box{X: 300.0 / 595, Y: (842 - 150.0) / 842, W: 150.0 / 595, H: 50.0 / 842}
	if !near(sig.Box, wantBox) {
		t.Errorf("Sig1 box = %+v, want %+v", sig.Box, wantBox)
	}
	// The signature's appearance (a red box) is drawn where its Box says.
	img, err := d.Render(ctx, 1, 72)
	if err != nil {
		t.Fatal(err)
	}
	cx := int((sig.Box.X + sig.Box.W/2) * float64(img.Bounds().Dx()))
	cy := int((sig.Box.Y + sig.Box.H/2) * float64(img.Bounds().Dy()))
	if !isRed(img, cx, cy) {
		t.Errorf("signature appearance not drawn at its box (pixel %d,%d = %v)", cx, cy, img.RGBAAt(cx, cy))
	}
	// FromBox inverts ToBox.
	back, err := d.FromBox(ctx, 1, sig.Box)
	if err != nil || math.Abs(back.X-300) > 0.1 || math.Abs(back.Y-100) > 0.1 || math.Abs(back.W-150) > 0.1 || math.Abs(back.H-50) > 0.1 {
		t.Errorf("FromBox(ToBox) = %+v, %v", back, err)
	}
}

func TestRotatedPage(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx := context.Background()
	d, err := r.Open(ctx, widgetPDF(90))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, _ := d.PageSize(ctx, 1)
	if s != (Size{842, 595}) {
		t.Fatalf("rotated page size = %v, want 842×595", s)
	}
	img, err := d.Render(ctx, 1, 72)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.ToBox(ctx, 1, Rect{300, 100, 150, 50})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(b.W*842-50) > 1 || math.Abs(b.H*595-150) > 1 {
		t.Fatalf("rotated box %+v: want 50 pt wide and 150 pt high on the displayed page", b)
	}
	cx := int((b.X + b.W/2) * float64(img.Bounds().Dx()))
	cy := int((b.Y + b.H/2) * float64(img.Bounds().Dy()))
	if !isRed(img, cx, cy) {
		t.Errorf("rotated: signature appearance not at its box (pixel %d,%d)", cx, cy)
	}
}

func TestHostileInput(t *testing.T) {
	r := newRenderer(t, Options{MaxPixels: 5_000_000})
	ctx := context.Background()
	valid := testpdf.Plain(2)
	cases := map[string][]byte{
		"empty":     nil,
		"garbage":   bytes.Repeat([]byte("not a pdf "), 1000),
		"header":    []byte("%PDF-1.7\n"),
		"no pages":  pdfWriter([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}),
		"page loop": pdfWriter([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [2 0 R] /Count 1 >>"}),
		"encrypted": pdfWriter([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>"}),
	}
	// A trailer with /Encrypt.
	enc := []byte(string(testpdf.Plain(1)))
	enc = bytes.Replace(enc, []byte("/Root 1 0 R"), []byte("/Root 1 0 R /Encrypt << /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 /Length 128 >> /ID [<00><00>]"), 1)
	cases["encrypted"] = enc
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			d, err := r.Open(ctx, data)
			if err == nil {
				// Opening may succeed on a repairable file; rendering must then
				// work or fail cleanly.
				_, rerr := d.Render(ctx, 1, 30)
				t.Logf("opened (%d pages); render: %v", d.Pages(), rerr)
				_ = d.Close()
				if name != "page loop" {
					t.Errorf("opened a broken file")
				}
				return
			}
			if !errors.Is(err, ErrUnreadable) && !errors.Is(err, ErrEncrypted) {
				t.Errorf("err = %v, want ErrUnreadable or ErrEncrypted", err)
			}
			if name == "encrypted" && !errors.Is(err, ErrEncrypted) {
				t.Errorf("err = %v, want ErrEncrypted", err)
			}
		})
	}
	// Truncated at every 7 % of a valid file: an error or a rendered page,
	// never a crash.
	for i := 1; i < 14; i++ {
		data := valid[:len(valid)*i/14]
		if d, err := r.Open(ctx, data); err == nil {
			_, _ = d.Render(ctx, 1, 20)
			_ = d.Close()
		}
	}
	// A page of 14,400 × 14,400 points is refused at 72 dpi by the pixel cap.
	huge := bytes.Replace(testpdf.Plain(1), []byte("/MediaBox [0 0 595 842]"), []byte("/MediaBox [0 0 14400 14400]"), 1)
	d, err := r.Open(ctx, huge)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Render(ctx, 1, 72); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge page: err = %v, want ErrTooLarge", err)
	}
	if _, err := d.Render(ctx, 1, 5); err != nil {
		t.Errorf("huge page at 5 dpi: %v", err)
	}
	// The renderer still works after all that.
	good, err := r.Open(ctx, valid)
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if _, err := good.Render(ctx, 2, 36); err != nil {
		t.Fatal(err)
	}
}

// TestDeadlineKillsAndRecovers: a call cut short by its context kills the
// PDFium instance; the documents open on it are reopened transparently.
func TestDeadlineKillsAndRecovers(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx := context.Background()
	d, err := r.Open(ctx, textPDF(3))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	before, err := d.Render(ctx, 2, 72)
	if err != nil {
		t.Fatal(err)
	}
	gen := r.gen
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = d.Render(short, 1, 600) // ~35 Mpx: far more than 1 ms
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the cancelled call took %v", el)
	}
	after, err := d.Render(ctx, 2, 72)
	if err != nil {
		t.Fatalf("after the kill: %v", err)
	}
	if r.gen == gen {
		t.Errorf("the instance was not replaced")
	}
	if !bytes.Equal(before.Pix, after.Pix) {
		t.Errorf("page 2 renders differently after the instance was replaced")
	}
	// The renderer's own Timeout does the same and says so.
	rt := newRenderer(t, Options{Timeout: time.Millisecond})
	if _, err := rt.Open(ctx, textPDF(50)); err != nil && !errors.Is(err, ErrTimeout) {
		t.Fatalf("open: %v", err)
	} else if err == nil {
		d2, _ := rt.Open(ctx, textPDF(1))
		if d2 != nil {
			if _, err := d2.Render(ctx, 1, 600); !errors.Is(err, ErrTimeout) {
				t.Errorf("render with a 1 ms Timeout: err = %v, want ErrTimeout", err)
			}
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx := context.Background()
	a, err := r.Open(ctx, testpdf.Plain(4))
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Open(ctx, textPDF(4))
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int][]byte{}
	for i, d := range []*Document{a, b} {
		for p := 1; p <= 4; p++ {
			img, err := d.Render(ctx, p, 30)
			if err != nil {
				t.Fatal(err)
			}
			want[[2]int{i, p}] = img.Pix
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 4 {
				i, p := (g+k)%2, 1+(g+k)%4
				d := []*Document{a, b}[i]
				img, err := d.Render(ctx, p, 30)
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(img.Pix, want[[2]int{i, p}]) {
					errs <- errors.New("a concurrent render differs from the serial one")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	_ = a.Close()
	if _, err := a.Render(ctx, 1, 30); !errors.Is(err, ErrClosed) {
		t.Errorf("closed document: err = %v, want ErrClosed", err)
	}
	if _, err := b.Render(ctx, 1, 30); err != nil {
		t.Errorf("the other document after one was closed: %v", err)
	}
}

// TestCompileCache: a second Renderer on the same cache directory starts
// from the cached machine code, and a fresh directory is filled.
func TestCompileCache(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	r1 := newRenderer(t, Options{CacheDir: dir})
	first := time.Since(start)
	entries, _ := os.ReadDir(dir)
	if len(entries) == 0 {
		t.Fatalf("nothing written to the cache dir %s", dir)
	}
	_ = r1.Close()
	start = time.Now()
	r2 := newRenderer(t, Options{CacheDir: dir})
	second := time.Since(start)
	d, err := r2.Open(context.Background(), testpdf.Plain(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Render(context.Background(), 1, 20); err != nil {
		t.Fatal(err)
	}
	t.Logf("renderer start: %v compiling, %v cached", first, second)
}
