package appearance

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// TextAppearance returns a plain visible appearance: a thin frame and the
// given lines, sized to fit the rectangle. With font nil the text is set in
// Helvetica, which only has WinAnsi glyphs, so Vietnamese diacritics are
// dropped ("Nguyễn" becomes "Nguyen"); give a TrueType font
// (NewTrueTypeFont) to keep them. Richer appearances are built by the
// caller with Appearance directly.
func TextAppearance(page int, r Rect, lines []string, f *Font) *Appearance {
	if f == nil {
		f = &Font{BaseFont: "Helvetica"}
	}
	var b bytes.Buffer
	b.WriteString("q 0.2 0.2 0.6 RG 0.8 w ")
	fmt.Fprintf(&b, "0.4 0.4 %s %s re S Q\n", fnum(r.W-0.8), fnum(r.H-0.8))
	n := len(lines)
	if n == 0 {
		n = 1
	}
	size := (r.H - 6) / float64(n) / 1.25
	if size > 12 {
		size = 12
	}
	for _, l := range lines {
		if w := f.Width(l, size); w > r.W-8 {
			size *= (r.W - 8) / w
		}
	}
	if size < 2 {
		size = 2
	}
	fmt.Fprintf(&b, "BT 0 0 0.4 rg /F1 %s Tf %s TL 4 %s Td\n", fnum(size), fnum(size*1.2), fnum(r.H-3-size))
	for i, l := range lines {
		if i > 0 {
			b.WriteString("T* ")
		}
		b.Write(f.Encode(l))
		b.WriteString(" Tj\n")
	}
	b.WriteString("ET\n")
	return &Appearance{Page: page, Rect: r, Content: b.Bytes(), Fonts: map[string]*Font{"F1": f}}
}

func fnum(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// foldASCII removes diacritics and replaces other non-ASCII runes by '?'.
func foldASCII(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case unicode.Is(unicode.Mn, r):
		case r < 0x80 && r >= 0x20:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
