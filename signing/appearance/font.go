package appearance

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"github.com/vanthu/vanthu/signing/pdf"
)

// Font is a font resource of an Appearance: either one of the standard 14
// fonts (BaseFont, WinAnsiEncoding, no embedding) or a TrueType font
// program made with NewTrueTypeFont, embedded as a Type0/CIDFontType2 font
// (Identity-H) with a ToUnicode map, which can show any text the font has
// glyphs for — Vietnamese included.
//
// Text shown with a font must be encoded with its Encode method, which also
// records the glyphs used (for /W and /ToUnicode). A Font may be reused for
// many signatures; it is safe for concurrent use.
type Font struct {
	BaseFont string

	tt *trueType
}

type trueType struct {
	mu       sync.Mutex
	data     []byte
	f        *sfnt.Font
	name     string
	upem     int
	used     map[sfnt.GlyphIndex]rune
	advances map[sfnt.GlyphIndex]int // in 1/1000 em
	bbox     [4]int
	ascent   int
	descent  int
	capH     int
}

// NewTrueTypeFont parses a TrueType (glyf-based) font program. What is
// embedded is a subset holding the glyphs the appearance uses.
func NewTrueTypeFont(ttf []byte) (*Font, error) {
	if _, err := parseTTF(ttf); err != nil {
		return nil, fmt.Errorf("failed to parse font: %w", err)
	}
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("failed to parse font: %w", err)
	}
	var b sfnt.Buffer
	name, err := f.Name(&b, sfnt.NameIDPostScript)
	if err != nil || name == "" {
		name = "EmbeddedFont"
	}
	name = strings.Map(func(r rune) rune {
		if r <= 0x20 || r >= 0x7f || strings.ContainsRune("()<>[]{}/%#", r) {
			return -1
		}
		return r
	}, name)
	upem := int(f.UnitsPerEm())
	if upem <= 0 {
		return nil, fmt.Errorf("failed to parse font: bad unitsPerEm")
	}
	ppem := fixed.I(upem)
	tt := &trueType{data: ttf, f: f, name: name, upem: upem, used: map[sfnt.GlyphIndex]rune{}, advances: map[sfnt.GlyphIndex]int{}}
	scale := func(v fixed.Int26_6) int { return int(v) * 1000 / 64 / upem }
	if bb, err := f.Bounds(&b, ppem, font.HintingNone); err == nil {
		tt.bbox = [4]int{scale(bb.Min.X), -scale(bb.Max.Y), scale(bb.Max.X), -scale(bb.Min.Y)}
	}
	if m, err := f.Metrics(&b, ppem, font.HintingNone); err == nil {
		tt.ascent, tt.descent, tt.capH = scale(m.Ascent), -scale(m.Descent), scale(m.CapHeight)
	}
	if tt.capH == 0 {
		tt.capH = tt.ascent
	}
	return &Font{tt: tt}, nil
}

// glyph returns the glyph and advance (1/1000 em) of r, recording it.
func (t *trueType) glyph(r rune) (sfnt.GlyphIndex, int) {
	var b sfnt.Buffer
	g, err := t.f.GlyphIndex(&b, r)
	if err != nil {
		g = 0
	}
	if _, ok := t.used[g]; !ok && g != 0 {
		t.used[g] = r
	}
	adv, ok := t.advances[g]
	if !ok {
		if a, err := t.f.GlyphAdvance(&b, g, fixed.I(t.upem), font.HintingNone); err == nil {
			adv = int(a) * 1000 / 64 / t.upem
		}
		t.advances[g] = adv
	}
	return g, adv
}

// Encode returns s as a string operand for a content stream ("(…)" for a
// standard font, "<…>" glyph IDs for a TrueType font), ready for Tj.
func (f *Font) Encode(s string) []byte {
	if f.tt == nil {
		var b bytes.Buffer
		b.WriteByte('(')
		for _, c := range []byte(foldASCII(s)) {
			if c == '(' || c == ')' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		}
		b.WriteByte(')')
		return b.Bytes()
	}
	t := f.tt
	t.mu.Lock()
	defer t.mu.Unlock()
	var b bytes.Buffer
	b.WriteByte('<')
	for _, r := range norm.NFC.String(s) {
		g, _ := t.glyph(r)
		fmt.Fprintf(&b, "%04X", uint16(g))
	}
	b.WriteByte('>')
	return b.Bytes()
}

// Width returns the advance width of s at size points.
func (f *Font) Width(s string, size float64) float64 {
	if f.tt == nil {
		// Helvetica-like average; standard fonts carry no metrics here.
		return float64(len(foldASCII(s))) * 0.5 * size
	}
	t := f.tt
	t.mu.Lock()
	defer t.mu.Unlock()
	w := 0
	for _, r := range norm.NFC.String(s) {
		_, a := t.glyph(r)
		w += a
	}
	return float64(w) * size / 1000
}

// writeFont adds the font's objects to u and returns its reference.
func writeFont(u *pdf.Update, f *Font) pdf.Ref {
	ref := u.Alloc()
	if f.tt == nil {
		u.Set(ref, pdf.Dict{
			"Type": pdf.Name("Font"), "Subtype": pdf.Name("Type1"),
			"BaseFont": pdf.Name(f.BaseFont), "Encoding": pdf.Name("WinAnsiEncoding"),
		})
		return ref
	}
	t := f.tt
	t.mu.Lock()
	defer t.mu.Unlock()
	gids := make([]int, 0, len(t.used))
	for g := range t.used {
		gids = append(gids, int(g))
	}
	sort.Ints(gids)
	var w pdf.Array
	for _, g := range gids {
		w = append(w, pdf.Integer(g), pdf.Array{pdf.Integer(t.advances[sfnt.GlyphIndex(g)])})
	}
	program := t.data
	name := t.name
	keep := map[int]bool{}
	for _, g := range gids {
		keep[g] = true
	}
	if sub, err := subsetTTF(t.data, keep); err == nil {
		program = sub
		// Subset fonts are named with a tag derived from their glyphs.
		h := sha256.Sum256(fmt.Append(nil, gids))
		tag := make([]byte, 6)
		for i := range tag {
			tag[i] = 'A' + h[i]%26
		}
		name = string(tag) + "+" + name
	}
	fileRef := u.Alloc()
	u.Set(fileRef, &pdf.Stream{Dict: pdf.Dict{"Filter": pdf.Name("FlateDecode"), "Length1": pdf.Integer(len(program))}, Data: deflate(program), Offset: -1})
	fdRef := u.Alloc()
	u.Set(fdRef, pdf.Dict{
		"Type": pdf.Name("FontDescriptor"), "FontName": pdf.Name(name), "Flags": pdf.Integer(32),
		"FontBBox":    pdf.Array{pdf.Integer(t.bbox[0]), pdf.Integer(t.bbox[1]), pdf.Integer(t.bbox[2]), pdf.Integer(t.bbox[3])},
		"ItalicAngle": pdf.Integer(0), "Ascent": pdf.Integer(t.ascent), "Descent": pdf.Integer(t.descent),
		"CapHeight": pdf.Integer(t.capH), "StemV": pdf.Integer(80), "FontFile2": fileRef,
	})
	cidRef := u.Alloc()
	u.Set(cidRef, pdf.Dict{
		"Type": pdf.Name("Font"), "Subtype": pdf.Name("CIDFontType2"), "BaseFont": pdf.Name(name),
		"CIDSystemInfo":  pdf.Dict{"Registry": pdf.String("Adobe"), "Ordering": pdf.String("Identity"), "Supplement": pdf.Integer(0)},
		"FontDescriptor": fdRef, "W": w, "CIDToGIDMap": pdf.Name("Identity"), "DW": pdf.Integer(1000),
	})
	cmapRef := u.Alloc()
	u.Set(cmapRef, &pdf.Stream{Dict: pdf.Dict{"Filter": pdf.Name("FlateDecode")}, Data: deflate(toUnicodeCMap(gids, t.used)), Offset: -1})
	u.Set(ref, pdf.Dict{
		"Type": pdf.Name("Font"), "Subtype": pdf.Name("Type0"), "BaseFont": pdf.Name(name),
		"Encoding": pdf.Name("Identity-H"), "DescendantFonts": pdf.Array{cidRef}, "ToUnicode": cmapRef,
	})
	return ref
}

func toUnicodeCMap(gids []int, used map[sfnt.GlyphIndex]rune) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(gids); i += 100 {
		end := min(i+100, len(gids))
		fmt.Fprintf(&b, "%d beginbfchar\n", end-i)
		for _, g := range gids[i:end] {
			r := used[sfnt.GlyphIndex(g)]
			u := ""
			for _, c := range string(r) {
				if c >= 0x10000 {
					c -= 0x10000
					u += fmt.Sprintf("%04X%04X", 0xd800+(c>>10), 0xdc00+(c&0x3ff))
				} else {
					u += fmt.Sprintf("%04X", c)
				}
			}
			fmt.Fprintf(&b, "<%04X> <%s>\n", g, u)
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}
