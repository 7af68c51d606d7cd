package render

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cacheDir is the compilation cache of this test binary: one per `go test`
// run of the package, shared by its tests, removed at the end.
var cacheDir string

func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		// Fuzzing restarts worker processes, each of which would compile
		// PDFium again (seconds, which the fuzzer takes for a hang): keep
		// one cache for fuzzing runs.
		cacheDir = filepath.Join(os.TempDir(), "vanthu-render-fuzz-cache")
		os.Exit(m.Run())
	}
	d, err := os.MkdirTemp("", "vanthu-render-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cacheDir = d
	code := m.Run()
	_ = os.RemoveAll(d)
	os.Exit(code)
}

func newRenderer(t testing.TB, opts Options) *Renderer {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = cacheDir
	}
	r, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// pdfWriter writes a small classic-xref PDF from object bodies (object i+1
// is bodies[i]; object 1 is the catalog).
func pdfWriter(bodies []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(bodies))
	for i, body := range bodies {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, body)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(bodies)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(bodies)+1, xref)
	return b.Bytes()
}

func stream(content string) string {
	return fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content)
}

// textPDF is an n-page A4 document of Helvetica text, 46 lines a page, the
// page number in the first line: a plain office document.
func textPDF(n int) []byte {
	bodies := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"}
	var kids []string
	for i := range n {
		pageObj := len(bodies) + 1
		kids = append(kids, fmt.Sprintf("%d 0 R", pageObj))
		bodies = append(bodies, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", pageObj+1))
		var c strings.Builder
		c.WriteString("BT /F1 11 Tf 14 TL 72 780 Td\n")
		fmt.Fprintf(&c, "(Page %d of %d) Tj T*\n", i+1, n)
		for l := range 45 {
			fmt.Fprintf(&c, "(Line %d: the quick brown fox jumps over the lazy dog, again and again and again.) Tj T*\n", l+1)
		}
		c.WriteString("ET\n")
		bodies = append(bodies, stream(c.String()))
	}
	bodies[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	return pdfWriter(bodies)
}

// widgetPDF is a one-page A4 document with a blue bar at 72,700 200×20, a
// signed-looking signature field "Sig1" (merged field and widget) at
// 300,100 150×50 whose appearance is a red box, a text field "Name" at
// 72,400 200×20, and a kid widget of a signature field "Sig2" (with
// /Parent) at 72,100 100×40. rotate sets /Rotate.
func widgetPDF(rotate int) []byte {
	red := stream("1 0 0 rg 0 0 150 50 re f") // "<< /Length …" → completed into a form XObject below
	return pdfWriter([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 7 0 R 8 0 R] /SigFlags 3 >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate %d /Contents 4 0 R /Resources << >> /Annots [5 0 R 7 0 R 9 0 R] >>", rotate),
		stream("0 0 1 rg 72 700 200 20 re f"),
		"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Sig1) /F 4 /P 3 0 R /Rect [300 100 450 150] /AP << /N 6 0 R >> >>",
		"<< /Type /XObject /Subtype /Form /BBox [0 0 150 50]" + red[2:],
		"<< /Type /Annot /Subtype /Widget /FT /Tx /T (Name) /F 4 /P 3 0 R /Rect [72 400 272 420] >>",
		"<< /FT /Sig /T (Sig2) /Kids [9 0 R] >>",
		"<< /Type /Annot /Subtype /Widget /Parent 8 0 R /F 4 /P 3 0 R /Rect [72 100 172 140] >>",
	})
}

// near compares boxes to within a thousandth of the page.
func near(a, b Box) bool {
	const eps = 1e-3
	return math.Abs(a.X-b.X) < eps && math.Abs(a.Y-b.Y) < eps && math.Abs(a.W-b.W) < eps && math.Abs(a.H-b.H) < eps
}
