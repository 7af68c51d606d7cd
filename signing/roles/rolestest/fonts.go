package rolestest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// FontDir is where fonts-liberation2 installs Liberation Serif.
var FontDir = "/usr/share/fonts/truetype/liberation2"

// Style is a font style of the documents.
type Style int

// Styles.
const (
	Regular Style = iota
	Bold
	Italic
	BoldItalic
)

var styleFiles = map[Style]string{
	Regular: "LiberationSerif-Regular.ttf", Bold: "LiberationSerif-Bold.ttf",
	Italic: "LiberationSerif-Italic.ttf", BoldItalic: "LiberationSerif-BoldItalic.ttf",
}

type ttf struct {
	data []byte
	f    *sfnt.Font
	upem int
	name string
	mu   sync.Mutex
}

var (
	fontsMu sync.Mutex
	fonts   = map[Style]*ttf{}
)

func loadFont(s Style) (*ttf, error) {
	fontsMu.Lock()
	defer fontsMu.Unlock()
	if f, ok := fonts[s]; ok {
		return f, nil
	}
	data, err := os.ReadFile(filepath.Join(FontDir, styleFiles[s]))
	if err != nil {
		return nil, fmt.Errorf("failed to read Liberation Serif (install fonts-liberation2): %w", err)
	}
	f, err := sfnt.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", styleFiles[s], err)
	}
	t := &ttf{data: data, f: f, upem: int(f.UnitsPerEm()), name: strings.TrimSuffix(styleFiles[s], ".ttf")}
	fonts[s] = t
	return t, nil
}

// glyph returns the glyph index and advance (1/1000 em) of r.
func (t *ttf) glyph(r rune) (sfnt.GlyphIndex, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b sfnt.Buffer
	g, err := t.f.GlyphIndex(&b, r)
	if err != nil {
		return 0, 0
	}
	a, err := t.f.GlyphAdvance(&b, g, fixed.I(t.upem), font.HintingNone)
	if err != nil {
		return g, 0
	}
	return g, int(a) * 1000 / 64 / t.upem
}

// width of s at size points.
func (t *ttf) width(s string, size float64) float64 {
	w := 0
	for _, r := range norm.NFC.String(s) {
		_, a := t.glyph(r)
		w += a
	}
	return float64(w) * size / 1000
}

func isLetterMark(m rune) bool { return m == 0x0302 || m == 0x0306 || m == 0x031B }

var markNames = map[rune]string{
	0x0300: "grave", 0x0301: "acute", 0x0302: "circumflex", 0x0303: "tilde", 0x0306: "breve",
	0x0309: "hookabove", 0x031B: "horn", 0x0323: "dotbelow", 0x0308: "dieresis",
}

// glyphName is an Adobe Glyph List style name for r ("Ecircumflextilde",
// "dcroat"), or uniXXXX.
func glyphName(r rune) string {
	switch r {
	case 'đ':
		return "dcroat"
	case 'Đ':
		return "Dcroat"
	case ' ':
		return "space"
	}
	d := []rune(norm.NFD.String(string(r)))
	if len(d) >= 2 && d[0] < 0x80 && unicode.IsLetter(d[0]) {
		name := string(d[0])
		// Adobe names put the letter's own mark (circumflex, breve, horn)
		// before the tone mark: "Ocircumflexdotbelow".
		marks := d[1:]
		sort.SliceStable(marks, func(i, j int) bool { return isLetterMark(marks[i]) && !isLetterMark(marks[j]) })
		for _, m := range marks {
			n, ok := markNames[m]
			if !ok {
				return fmt.Sprintf("uni%04X", r)
			}
			name += n
		}
		return name
	}
	return fmt.Sprintf("uni%04X", r)
}
