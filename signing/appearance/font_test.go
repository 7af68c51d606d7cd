package appearance

import (
	"os"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// TestSubsetTTF: the subset parses, keeps glyph IDs and metrics, keeps the
// glyphs asked for (and composite parts) and empties the others.
func TestSubsetTTF(t *testing.T) {
	ttf, err := os.ReadFile("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
	if err != nil {
		t.Fatalf("Liberation Sans (fonts-liberation2) is needed: %v", err)
	}
	orig, err := sfnt.Parse(ttf)
	if err != nil {
		t.Fatal(err)
	}
	var b sfnt.Buffer
	gA, _ := orig.GlyphIndex(&b, 'A')
	gE, _ := orig.GlyphIndex(&b, 'ễ')
	gZ, _ := orig.GlyphIndex(&b, 'Z')
	sub, err := subsetTTF(ttf, map[int]bool{int(gA): true, int(gE): true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) >= len(ttf)/2 {
		t.Fatalf("subset is %d bytes of %d", len(sub), len(ttf))
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("subset does not parse: %v", err)
	}
	if sf.NumGlyphs() != orig.NumGlyphs() {
		t.Fatalf("glyph count %d, want %d", sf.NumGlyphs(), orig.NumGlyphs())
	}
	ppem := fixed.I(int(orig.UnitsPerEm()))
	for _, g := range []sfnt.GlyphIndex{gA, gE} {
		a1, _ := orig.GlyphAdvance(&b, g, ppem, font.HintingNone)
		a2, _ := sf.GlyphAdvance(&b, g, ppem, font.HintingNone)
		s1, err1 := orig.LoadGlyph(&b, g, ppem, nil)
		n1 := len(s1)
		s2, err2 := sf.LoadGlyph(&b, g, ppem, nil)
		if err1 != nil || err2 != nil || a1 != a2 || n1 != len(s2) || n1 == 0 {
			t.Fatalf("glyph %d changed: %v %v %v %v %d %d", g, err1, err2, a1, a2, n1, len(s2))
		}
	}
	if s, err := sf.LoadGlyph(&b, gZ, ppem, nil); err == nil && len(s) != 0 {
		t.Fatalf("unused glyph Z kept (%d segments)", len(s))
	}
	if _, err := subsetTTF([]byte("not a font"), nil); err == nil {
		t.Fatal("garbage accepted")
	}
}
