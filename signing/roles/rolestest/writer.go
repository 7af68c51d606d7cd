package rolestest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// pdfWriter writes a PDF with a classic cross-reference table.
type pdfWriter struct {
	objs [][]byte // objs[i] is object i+1
}

func (w *pdfWriter) alloc() int {
	w.objs = append(w.objs, nil)
	return len(w.objs)
}

func (w *pdfWriter) set(n int, body string) { w.objs[n-1] = []byte(body) }

func (w *pdfWriter) add(body string) int {
	n := w.alloc()
	w.set(n, body)
	return n
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// stream adds a Flate-compressed stream with the extra dictionary entries.
func (w *pdfWriter) stream(extra string, data []byte) int {
	z := deflate(data)
	n := w.alloc()
	w.objs[n-1] = append([]byte(fmt.Sprintf("<</Length %d /Filter /FlateDecode %s>>\nstream\n", len(z), extra)), append(z, []byte("\nendstream")...)...)
	return n
}

func (w *pdfWriter) bytes(root int, producer string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	info := w.add(fmt.Sprintf("<</Producer %s /Title (Cong van)>>", pdfString(producer)))
	offs := make([]int, len(w.objs))
	for i, o := range w.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<5641E4E54E30A1B2C3D4E5F60718293A> <5641E4E54E30A1B2C3D4E5F60718293A>]>>\nstartxref\n%d\n%%%%EOF\n",
		len(w.objs)+1, root, info, x)
	return b.Bytes()
}

func pdfString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			fmt.Fprintf(&b, "%04X%04X", 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	b.WriteString(">")
	return b.String()
}

func fnum(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// item is one run of text on a page.
type item struct {
	page  int
	style Style
	size  float64
	x, y  float64 // left end of the baseline
	text  string
}

// rule is a horizontal line.
type rule struct {
	page      int
	x0, x1, y float64
	lineWidth float64
}

// WriterStyle selects how the package's own writer draws text.
type WriterStyle int

const (
	// TJ: Type0 fonts (Identity-H) with ToUnicode, one TJ array per
	// line with kerning adjustments, spaces drawn as glyphs.
	TJ WriterStyle = iota
	// PerGlyph: simple TrueType fonts with /Differences glyph names and no
	// ToUnicode, every glyph placed by its own text matrix, no space
	// glyphs, all drawn inside a form XObject scaled by one half.
	PerGlyph
)

// render writes the pages.
func render(items []item, rules []rule, pages int, ws WriterStyle) ([]byte, error) {
	w := &pdfWriter{}
	catalog := w.alloc()
	pagesRef := w.alloc()
	used := map[Style]map[rune]bool{}
	for _, it := range items {
		if used[it.style] == nil {
			used[it.style] = map[rune]bool{}
		}
		for _, r := range norm.NFC.String(it.text) {
			used[it.style][r] = true
		}
	}
	styles := make([]Style, 0, len(used))
	for s := range used {
		styles = append(styles, s)
	}
	sort.Slice(styles, func(i, j int) bool { return styles[i] < styles[j] })
	fontRefs := map[Style]int{}
	simpleCodes := map[Style]map[rune]byte{}
	for _, s := range styles {
		t, err := loadFont(s)
		if err != nil {
			return nil, err
		}
		if ws == TJ {
			fontRefs[s] = writeType0(w, t, used[s])
		} else {
			ref, codes, err := writeSimple(w, t, used[s])
			if err != nil {
				return nil, err
			}
			fontRefs[s], simpleCodes[s] = ref, codes
		}
	}
	var fontRes strings.Builder
	fontRes.WriteString("<</Font <<")
	for _, s := range styles {
		fmt.Fprintf(&fontRes, " /F%d %d 0 R", s, fontRefs[s])
	}
	fontRes.WriteString(">>")
	var kids []string
	for p := 1; p <= pages; p++ {
		var c bytes.Buffer
		scale := 1.0
		if ws == PerGlyph {
			scale = 2 // the form is drawn at half size
		}
		for _, r := range rules {
			if r.page == p {
				fmt.Fprintf(&c, "q %s w %s %s m %s %s l S Q\n", fnum(r.lineWidth*scale), fnum(r.x0*scale), fnum(r.y*scale), fnum(r.x1*scale), fnum(r.y*scale))
			}
		}
		for _, it := range items {
			if it.page != p || it.text == "" {
				continue
			}
			t, _ := loadFont(it.style)
			if ws == TJ {
				fmt.Fprintf(&c, "BT /F%d %s Tf 1 0 0 1 %s %s Tm [", it.style, fnum(it.size), fnum(it.x), fnum(it.y))
				for i, r := range norm.NFC.String(it.text) {
					g, _ := t.glyph(r)
					if i > 0 && i%3 == 0 {
						// Kerning-like adjustments that cancel out.
						if (i/3)%2 == 0 {
							c.WriteString("> -6 <")
						} else {
							c.WriteString("> 6 <")
						}
					} else if i == 0 {
						c.WriteString("<")
					}
					fmt.Fprintf(&c, "%04X", uint16(g))
				}
				c.WriteString(">] TJ ET\n")
			} else {
				fmt.Fprintf(&c, "BT /F%d %s Tf\n", it.style, fnum(it.size*scale))
				x := it.x
				for _, r := range norm.NFC.String(it.text) {
					_, adv := t.glyph(r)
					if r != ' ' {
						fmt.Fprintf(&c, "1 0 0 1 %s %s Tm <%02X> Tj\n", fnum(x*scale), fnum(it.y*scale), simpleCodes[it.style][r])
					}
					x += float64(adv) * it.size / 1000
				}
				c.WriteString("ET\n")
			}
		}
		var content int
		if ws == TJ {
			content = w.stream("", c.Bytes())
		} else {
			form := w.stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 1191 1684] /Matrix [0.5 0 0 0.5 0 0] /Resources %s>>", fontRes.String()), c.Bytes())
			content = w.stream("", []byte("q 1 0 0 1 0 0 cm /Fm0 Do Q\n"))
			pageRes := fmt.Sprintf("<</XObject <</Fm0 %d 0 R>>>>", form)
			page := w.add(fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] /Resources %s /Contents %d 0 R>>", pagesRef, pageRes, content))
			kids = append(kids, fmt.Sprintf("%d 0 R", page))
			continue
		}
		page := w.add(fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] /Resources %s>> /Contents %d 0 R>>", pagesRef, fontRes.String(), content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	w.set(pagesRef, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), pages))
	w.set(catalog, fmt.Sprintf("<</Type /Catalog /Pages %d 0 R /Lang (vi-VN)>>", pagesRef))
	producer := "rolestest TJ"
	if ws == PerGlyph {
		producer = "rolestest per-glyph"
	}
	return w.bytes(catalog, producer), nil
}

func fontDescriptor(w *pdfWriter, t *ttf, name string, file int, flags int) int {
	italic := 0
	if strings.Contains(name, "Italic") {
		italic = -12
		flags |= 64
	}
	return w.add(fmt.Sprintf("<</Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [-570 -300 2000 1000] /ItalicAngle %d /Ascent 891 /Descent -216 /CapHeight 662 /StemV 80 /FontFile2 %d 0 R>>",
		name, flags, italic, file))
}

// writeType0 embeds t as a Type0/CIDFontType2 font (Identity-H, codes =
// glyph IDs) with /W and /ToUnicode for the used runes.
func writeType0(w *pdfWriter, t *ttf, used map[rune]bool) int {
	file := w.stream(fmt.Sprintf("/Length1 %d", len(t.data)), t.data)
	fd := fontDescriptor(w, t, t.name, file, 32)
	runes := make([]rune, 0, len(used))
	for r := range used {
		runes = append(runes, r)
	}
	sort.Slice(runes, func(i, j int) bool { return runes[i] < runes[j] })
	var ws, cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	fmt.Fprintf(&cm, "%d beginbfchar\n", len(runes))
	for _, r := range runes {
		g, adv := t.glyph(r)
		fmt.Fprintf(&ws, "%d [%d] ", g, adv)
		fmt.Fprintf(&cm, "<%04X> <%04X>\n", uint16(g), r)
	}
	cm.WriteString("endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	tu := w.stream("", []byte(cm.String()))
	cid := w.add(fmt.Sprintf("<</Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo <</Registry (Adobe) /Ordering (Identity) /Supplement 0>> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /DW 1000 /W [%s]>>",
		t.name, fd, ws.String()))
	return w.add(fmt.Sprintf("<</Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R>>", t.name, cid, tu))
}

// writeSimple embeds t as a simple TrueType font: ASCII at its own codes,
// the other runes at 128 and up, named in /Differences; no ToUnicode.
func writeSimple(w *pdfWriter, t *ttf, used map[rune]bool) (int, map[rune]byte, error) {
	codes := map[rune]byte{}
	var extra []rune
	for r := range used {
		if r >= 32 && r < 127 {
			codes[r] = byte(r)
		} else {
			extra = append(extra, r)
		}
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i] < extra[j] })
	if len(extra) > 128 {
		return 0, nil, fmt.Errorf("too many non-ASCII characters for a simple font: %d", len(extra))
	}
	var diffs strings.Builder
	diffs.WriteString("128")
	for i, r := range extra {
		codes[r] = byte(128 + i)
		diffs.WriteString(" /" + glyphName(r))
	}
	var widths strings.Builder
	for c := 32; c <= 255; c++ {
		adv := 0
		for r, code := range codes {
			if int(code) == c {
				_, adv = t.glyph(r)
				break
			}
		}
		fmt.Fprintf(&widths, "%d ", adv)
	}
	file := w.stream(fmt.Sprintf("/Length1 %d", len(t.data)), t.data)
	fd := fontDescriptor(w, t, t.name, file, 32)
	ref := w.add(fmt.Sprintf("<</Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255 /Widths [%s] /Encoding <</Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [%s]>> /FontDescriptor %d 0 R>>",
		t.name, widths.String(), diffs.String(), fd))
	return ref, codes, nil
}
