package layout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/signing/roles/rolestest"
)

// minimal PDF builder for content tests ------------------------------------

type builder struct{ objs []string }

func (b *builder) add(s string) int { b.objs = append(b.objs, s); return len(b.objs) }

func (b *builder) bytes() []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.7\n")
	offs := make([]int, len(b.objs))
	for i, o := range b.objs {
		offs[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(b.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(b.objs)+1, x)
	return buf.Bytes()
}

func stream(dict, data string) string {
	return fmt.Sprintf("<<%s /Length %d>>\nstream\n%s\nendstream", dict, len(data), data)
}

// onePage builds a page with the content and extra resources; F1 is
// Helvetica (standard widths: none, so 0.5 em), F2 a Type0 Identity-H
// font whose ToUnicode maps 0x0101.. to "Đắk" etc.
func onePage(content string, extraObjs ...string) []byte {
	b := &builder{}
	b.add("<</Type /Catalog /Pages 2 0 R>>")
	b.add("<</Type /Pages /Kids [3 0 R] /Count 1 /Resources 4 0 R /MediaBox [0 0 595 842]>>")
	b.add("<</Type /Page /Parent 2 0 R /Contents 5 0 R>>")
	b.add("<</Font <</F1 6 0 R /F2 7 0 R /F3 10 0 R>> /XObject <</Fm1 11 0 R /Im1 12 0 R /Loop 13 0 R>>>>")
	b.add(stream("", content))
	b.add("<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 126 /Widths [" + strings.Repeat("500 ", 95) + "]>>")
	b.add("<</Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Times-Italic /Encoding /Identity-H /DescendantFonts [8 0 R] /ToUnicode 9 0 R>>")
	b.add("<</Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Times-Italic /DW 600 /W [257 [400 500] 300 310 250]>>")
	b.add(stream("", "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"+
		"2 beginbfchar <0101> <0110> <0102> <1EAF> endbfchar\n"+
		"2 beginbfrange <0103> <0104> <006B> <0105> <0106> [<0020> <004C>] endbfrange\n"+
		"1 beginbfrange <012C> <012E> <0061> endbfrange\nendcmap"))
	b.add("<</Type /Font /Subtype /Type1 /BaseFont /Times-Roman /FirstChar 65 /LastChar 70 /Widths [700 700 700 700 700 700] " +
		"/Encoding <</Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [65 /Ocircumflexdotbelow /uni1EC7 /dcroat /ohornacute /g123 /space]>>>>")
	b.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix [2 0 0 2 10 20]", "BT /F1 10 Tf 5 5 Td (Form) Tj ET /Fm1 Do"))
	b.add(stream("/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8", "\x80"))
	b.add(stream("/Type /XObject /Subtype /Form /BBox [0 0 1 1]", "/Loop Do"))
	for _, o := range extraObjs {
		b.add(o)
	}
	return b.bytes()
}

func extract(t *testing.T, pdf []byte, opts Options) *Page {
	t.Helper()
	d, err := Open(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.Page(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func lineTexts(p *Page) []string {
	var s []string
	for _, l := range p.Lines {
		s = append(s, l.Text)
	}
	return s
}

func findLine(p *Page, text string) *Line {
	for i := range p.Lines {
		if p.Lines[i].Text == text {
			return &p.Lines[i]
		}
	}
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

// TestTextOperators: positions and text through Tf, Td, TD, T*, Tm, ', ",
// TJ (kerning and word gaps), Tc, Tw, Tz, Ts, cm/q/Q, inherited
// resources, a Type0 Identity-H font with bfchar/bfrange (both forms) and
// /W widths, a simple font with /Differences glyph names (Vietnamese
// letters), form XObjects (with /Matrix, nested, self-referencing) and
// images.
func TestTextOperators(t *testing.T) {
	content := `
BT /F1 10 Tf 100 700 Td (Hello) Tj ( world) Tj ET
q 2 0 0 2 0 0 cm BT /F1 10 Tf 50 300 Td (Scaled) Tj ET Q
BT /F1 10 Tf 100 560 Td [(Ke) -20 (rn)] TJ [(ed) -3000 (Far)] TJ ET
BT /F1 10 Tf 12 TL 100 540 Td (First) Tj T* (Second) Tj (Third) ' 2 1 (Fourth) " ET
BT /F1 10 Tf 100 480 TD (TD) Tj ET
BT /F1 10 Tf 1 0 0 1 300 400 Tm 0 Tc 0 Tw 50 Tz (Narrow) Tj ET
BT /F1 10 Tf 1 0 0 1 300 380 Tm 5 Ts (Up) Tj ET
BT /F2 12 Tf 1 0 0 1 100 350 Tm 100 Tz 0 Tc 0 Tw <010101020103> Tj <0105> Tj <010601040106012D> Tj ET
BT /F3 10 Tf 1 0 0 1 100 330 Tm (ABCDFE) Tj ET
BT /F1 10 Tf 1 0 0 1 100 310 Tm 100 Tz 2 Tc (ab) Tj 0 Tc 10 Tw ( c) Tj ET
q 1 0 0 1 0 0 cm /Fm1 Do Q
q 100 0 0 50 200 100 cm /Im1 Do Q
/Loop Do
BI /W 1 /H 1 /CS /G /BPC 8 ID ` + "\x00EI\x00" + ` EI
BT /F1 10 Tf 100 250 Td (After) Tj ET
`
	p := extract(t, onePage(content), Options{})
	got := strings.Join(lineTexts(p), "|")
	for _, want := range []string{"Hello world", "Scaled", "Kerned", "Far", "First", "Second", "Third", "Fourth", "TD", "Narrow", "Up",
		"Đắk LlLb", "Ộệđớ", "ab c", "Form", "After"} {
		if findLine(p, want) == nil {
			t.Errorf("no line %q in %q", want, got)
		}
	}
	if l := findLine(p, "Hello world"); l == nil || !near(l.Rect.X0, 100) || !near(l.Baseline, 700) || !near(l.Rect.X1, 100+11*5) {
		t.Errorf("Hello world: %+v", l)
	}
	if l := findLine(p, "Scaled"); l == nil || !near(l.Rect.X0, 100) || !near(l.Baseline, 600) || !near(l.Size, 20) {
		t.Errorf("Scaled (cm 2×): %+v", l)
	}
	if l := findLine(p, "Far"); l == nil || !near(l.Rect.X0, 100+10+0.2+10+10+30) {
		t.Errorf("Far after a 3 em TJ gap: %+v", l)
	}
	for text, y := range map[string]float64{"First": 540, "Second": 528, "Third": 516, "Fourth": 504} {
		if l := findLine(p, text); l == nil || !near(l.Baseline, y) {
			t.Errorf("%s: %+v", text, l)
		}
	}
	if l := findLine(p, "TD"); l == nil || !near(l.Baseline, 480) {
		t.Errorf("TD: %+v", l)
	}
	if l := findLine(p, "Narrow"); l == nil || !near(l.Rect.X1-l.Rect.X0, 6*5*0.5) {
		t.Errorf("Narrow (Tz 50): %+v", l)
	}
	if l := findLine(p, "Up"); l == nil || !near(l.Baseline, 385) {
		t.Errorf("Up (Ts 5): %+v", l)
	}
	if l := findLine(p, "Đắk LlLb"); l == nil || !l.Italic || !near(l.Rect.X0, 100) || !near(l.Size, 12) {
		t.Errorf("Type0: %+v", l)
	} else if w := l.Words[0]; len(w.Chars) != 3 || !near(w.Chars[1].X0, 100+0.4*12) || !near(w.Chars[2].X0, 100+0.9*12) {
		t.Errorf("Type0 /W widths: %+v", w.Chars)
	}
	if l := findLine(p, "ab c"); l == nil || !near(l.Rect.X1, 100+7+7+15+5) {
		t.Errorf("Tc/Tw: %+v", l)
	}
	if l := findLine(p, "Form"); l == nil || !near(l.Rect.X0, 2*5+10) || !near(l.Baseline, 2*5+20) || !near(l.Size, 20) {
		t.Errorf("Form XObject: %+v", l)
	}
	if len(p.Images) != 2 || !near(p.Images[0].X0, 200) || !near(p.Images[0].Y1, 150) {
		t.Errorf("images: %+v", p.Images)
	}
	if p.Unmapped != 1 { // /g123
		t.Errorf("unmapped glyphs: %d", p.Unmapped)
	}
}

// TestLimits: operator, glyph and content limits stop with ErrLimit;
// cancellation is honoured.
func TestLimits(t *testing.T) {
	content := strings.Repeat("BT /F1 10 Tf 10 10 Td (x) Tj ET\n", 5000)
	d, err := Open(context.Background(), bytes.NewReader(onePage(content)), int64(len(onePage(content))), Options{MaxOps: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Page(context.Background(), 1); !errors.Is(err, ErrLimit) {
		t.Fatalf("MaxOps: %v", err)
	}
	d, _ = Open(context.Background(), bytes.NewReader(onePage(content)), int64(len(onePage(content))), Options{MaxGlyphs: 100})
	if _, err := d.Page(context.Background(), 1); !errors.Is(err, ErrLimit) {
		t.Fatalf("MaxGlyphs: %v", err)
	}
	d, _ = Open(context.Background(), bytes.NewReader(onePage(content)), int64(len(onePage(content))), Options{MaxContentBytes: 1000})
	if _, err := d.Page(context.Background(), 1); !errors.Is(err, ErrLimit) {
		t.Fatalf("MaxContentBytes: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d, _ = Open(context.Background(), bytes.NewReader(onePage(content)), int64(len(onePage(content))), Options{})
	if _, err := d.Page(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := d.Page(context.Background(), 2); !errors.Is(err, ErrNoPage) {
		t.Fatalf("page 2: %v", err)
	}
	if _, err := Open(context.Background(), bytes.NewReader([]byte("not a pdf")), 9, Options{}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("not a PDF: %v", err)
	}
}

// TestHostileContent: unbalanced, truncated and absurd content extracts
// without panicking.
func TestHostileContent(t *testing.T) {
	for _, c := range []string{
		strings.Repeat("[", 100000) + "(x) Tj",
		strings.Repeat("q ", 100000) + "BT /F1 10 Tf (deep) Tj ET" + strings.Repeat(" Q", 200000),
		"BT /F1 1e308 Tf 1e308 1e308 Td (huge) Tj ET",
		"BT /F1 10 Tf 0 0 0 0 0 0 Tm (degenerate) Tj ET",
		"BT /F2 10 Tf <01> Tj <0> Tj ET",
		"BT /Nope 10 Tf (no font) Tj ET",
		"BT /F1 10 Tf (unterminated",
		"BI /W 1 ID \x00\x01",
		"<< /A << /B [1 2 (x)] >> >> BDC (x) Tj EMC",
		"BT /F1 10 Tf [(a) 1e400 (b) -1e400] TJ ET",
		"1 0 0 1 0 0 cm cm cm Tm Td TJ Tj ' \" T* Do",
	} {
		p := extract(t, onePage(c), Options{})
		_ = p.String()
	}
}

// TestProducersAgree: the same Nghị định 30 document from the TJ writer,
// the per-glyph writer (simple fonts with /Differences, no ToUnicode, no
// space glyphs, inside a form scaled by ½) and LibreOffice gives the
// same key lines, and the two writers the same positions.
func TestProducersAgree(t *testing.T) {
	d := rolestest.Default()
	tj, g, err := d.PDF(rolestest.TJ)
	if err != nil {
		t.Fatal(err)
	}
	pg, _, err := d.PDF(rolestest.PerGlyph)
	if err != nil {
		t.Fatal(err)
	}
	lo, err := d.LibreOfficePDF(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỈNH ĐẮK LẮK", "Độc lập - Tự do - Hạnh phúc",
		"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Ánh", "Nơi nhận:"}
	pages := map[string]*Page{}
	for name, b := range map[string][]byte{"tj": tj, "perglyph": pg, "libreoffice": lo} {
		p := extract(t, b, Options{})
		pages[name] = p
		for _, k := range keys {
			if findLine(p, k) == nil {
				t.Errorf("%s: no line %q:\n%s", name, k, p)
			}
		}
		if p.Unmapped != 0 {
			t.Errorf("%s: %d glyphs without text", name, p.Unmapped)
		}
	}
	a, b := pages["tj"], pages["perglyph"]
	for _, k := range keys {
		la, lb := findLine(a, k), findLine(b, k)
		if la == nil || lb == nil {
			continue
		}
		if math.Abs(la.Rect.X0-lb.Rect.X0) > 0.5 || math.Abs(la.Baseline-lb.Baseline) > 0.01 || math.Abs(la.Rect.X1-lb.Rect.X1) > 0.5 {
			t.Errorf("%q: TJ %+v, per-glyph %+v", k, la.Rect, lb.Rect)
		}
	}
	if l := findLine(a, "Nguyễn Văn Ánh"); l == nil || !near(l.Baseline, g.NameBaseline) || !l.Bold {
		t.Errorf("name line %+v, geometry %+v", l, g)
	}
	if l := findLine(a, "Độc lập - Tự do - Hạnh phúc"); l == nil || l.Italic {
		t.Errorf("motto %+v", l)
	}
}

func TestGlyphNames(t *testing.T) {
	for name, want := range map[string]string{
		"Ocircumflexdotbelow": "Ộ", "Odotbelowcircumflex": "Ộ", "ecircumflextilde": "ễ", "Abreveacute": "Ắ",
		"dcroat": "đ", "Dcroat": "Đ", "uhornhookabove": "ử", "uni1EA0": "Ạ", "uni00410042": "AB", "u1F600": "😀",
		"a.sc": "a", "f_i": "fi", "space": " ", "zero": "0", "Uhorn": "Ư",
	} {
		if got, ok := glyphText(name); !ok || got != want {
			t.Errorf("glyphText(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	for _, bad := range []string{"g123", "uniD800", "uniZZZZ", ""} {
		if got, ok := glyphText(bad); ok {
			t.Errorf("glyphText(%q) = %q", bad, got)
		}
	}
}

func TestCMapCodespace(t *testing.T) {
	m := parseCMap([]byte("2 begincodespacerange <00> <80> <8140> <FFFF> endcodespacerange 1 begincidrange <8140> <817F> 100 endcidrange"))
	if n := m.codeLen([]byte{0x41, 0x81}); n != 1 {
		t.Errorf("1-byte code: %d", n)
	}
	if n := m.codeLen([]byte{0x81, 0x41}); n != 2 {
		t.Errorf("2-byte code: %d", n)
	}
	if c := m.cidOf(0x8141); c != 101 {
		t.Errorf("cid %d", c)
	}
}
