package layout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthu/vanthu/signing/pdf"
)

// Rect is a rectangle in PDF user space (points, origin bottom-left).
type Rect struct {
	X0, Y0, X1, Y1 float64
}

// W is the width.
func (r Rect) W() float64 { return r.X1 - r.X0 }

// H is the height.
func (r Rect) H() float64 { return r.Y1 - r.Y0 }

// Char is one character (or ligature) of a word and its horizontal extent.
type Char struct {
	Text   string
	X0, X1 float64
}

// Word is a run of characters without a space or gap between them.
type Word struct {
	Text  string
	Rect  Rect
	Chars []Char
}

// Line is a run of words on one baseline with no wide gap (about 1.5 em)
// between them; the columns of a page give separate lines.
type Line struct {
	Text     string // words joined by single spaces, NFC
	Words    []Word
	Rect     Rect    // from the descender line to about the top of accented capitals
	Baseline float64 // y of the baseline
	Size     float64 // font size in points (largest in the line)
	Italic   bool    // most glyphs are set in an italic font
	Bold     bool    // most glyphs are set in a bold font
	Font     string  // the first glyph's font (BaseFont without subset tag)
}

// Page is the text of one page.
type Page struct {
	Number int
	Box    Rect // the crop box (media box when none), user space
	Rotate int  // /Rotate, degrees
	Lines  []Line
	// Images are the bounding boxes of the images drawn on the page
	// (a scanned page is one page-sized image and no text).
	Images []Rect
	// Glyphs counts every glyph shown, Unmapped those with no Unicode
	// text, Rotated those not set upright left to right (not in Lines).
	Glyphs, Unmapped, Rotated int
}

// Options bound the work done on one page. Zero values take the defaults.
type Options struct {
	MaxOps          int // content operators (default 2,000,000)
	MaxGlyphs       int // glyphs (default 200,000)
	MaxContentBytes int // decoded content stream bytes (default 64 MiB)
	MaxFormDepth    int // nested form XObjects (default 8)
}

func (o Options) withDefaults() Options {
	if o.MaxOps <= 0 {
		o.MaxOps = 2_000_000
	}
	if o.MaxGlyphs <= 0 {
		o.MaxGlyphs = 200_000
	}
	if o.MaxContentBytes <= 0 {
		o.MaxContentBytes = 64 << 20
	}
	if o.MaxFormDepth <= 0 {
		o.MaxFormDepth = 8
	}
	return o
}

// Doc is an opened PDF.
type Doc struct {
	f    *pdf.View
	opts Options
}

// Open reads the cross-reference data of the PDF in r (the revision a
// viewer opens). ctx bounds the reading of the file's structures.
func Open(ctx context.Context, r io.ReaderAt, size int64, opts Options) (*Doc, error) {
	f, err := pdf.OpenFinal(ctx, r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if f.Encrypted() {
		return nil, ErrEncrypted
	}
	return &Doc{f: f, opts: opts.withDefaults()}, nil
}

// PageCount returns the number of pages.
func (d *Doc) PageCount() (int, error) {
	n, err := d.f.PageCount()
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return n, nil
}

// inherited looks key up on the page and its ancestors.
func (d *Doc) inherited(page pdf.Dict, key pdf.Name) pdf.Object {
	node := page
	for i := 0; i < 32 && node != nil; i++ {
		if v, ok := node[key]; ok {
			return v
		}
		p, err := d.f.ResolveDict(node["Parent"])
		if err != nil {
			return nil
		}
		node = p
	}
	return nil
}

func (d *Doc) rect(o pdf.Object) (Rect, bool) {
	v, err := d.f.Resolve(o)
	if err != nil {
		return Rect{}, false
	}
	arr, ok := v.(pdf.Array)
	if !ok || len(arr) != 4 {
		return Rect{}, false
	}
	var n [4]float64
	for i := range n {
		e, err := d.f.Resolve(arr[i])
		if err != nil {
			return Rect{}, false
		}
		if n[i], ok = num(e); !ok {
			return Rect{}, false
		}
	}
	return Rect{X0: math.Min(n[0], n[2]), Y0: math.Min(n[1], n[3]), X1: math.Max(n[0], n[2]), Y1: math.Max(n[1], n[3])}, true
}

// Page extracts page n (1-based).
func (d *Doc) Page(ctx context.Context, n int) (*Page, error) {
	count, err := d.PageCount()
	if err != nil {
		return nil, err
	}
	if n < 1 || n > count {
		return nil, fmt.Errorf("%w: page %d of %d", ErrNoPage, n, count)
	}
	_, pd, err := d.f.Page(n)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	p := &Page{Number: n, Box: Rect{X1: 595, Y1: 842}}
	if r, ok := d.rect(d.inherited(pd, "MediaBox")); ok {
		p.Box = r
	}
	if r, ok := d.rect(d.inherited(pd, "CropBox")); ok && r.W() > 0 && r.H() > 0 {
		p.Box = r
	}
	if rot, ok := num(d.inherited(pd, "Rotate")); ok {
		p.Rotate = ((int(rot) % 360) + 360) % 360
	}
	x := &extractor{ctx: ctx, f: d.f, opts: d.opts, fonts: map[pdf.Ref]*font{}, forms: map[pdf.Ref]bool{}}
	res, _ := d.f.ResolveDict(d.inherited(pd, "Resources"))
	content, err := d.contents(x, pd["Contents"])
	if err != nil {
		return nil, err
	}
	if err := x.run(content, res, identity, 0); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, fmt.Errorf("failed to read page %d: %w", n, err)
	}
	p.Images = x.images
	p.Glyphs = len(x.glyphs)
	for _, g := range x.glyphs {
		if g.text == "" {
			p.Unmapped++
		}
		if !g.horiz {
			p.Rotated++
		}
	}
	p.Lines = buildLines(x.glyphs)
	return p, nil
}

func isLimit(err error) bool { return errors.Is(err, ErrLimit) }

// contents concatenates the page's content streams (a stream or an array
// of streams). Streams that cannot be decoded are skipped.
func (d *Doc) contents(x *extractor, o pdf.Object) ([]byte, error) {
	v, err := d.f.Resolve(o)
	if err != nil {
		return nil, nil
	}
	var parts []pdf.Object
	switch t := v.(type) {
	case *pdf.Stream:
		parts = []pdf.Object{t}
	case pdf.Array:
		parts = t
	}
	var out []byte
	for i, part := range parts {
		if i >= 10000 {
			break
		}
		s, err := d.f.Resolve(part)
		if err != nil {
			continue
		}
		st, ok := s.(*pdf.Stream)
		if !ok {
			continue
		}
		data, err := x.streamData(st)
		if err != nil {
			if isLimit(err) {
				return nil, err
			}
			continue
		}
		out = append(out, data...)
		out = append(out, '\n')
	}
	return out, nil
}

// Line building ------------------------------------------------------------

const (
	ascentRatio  = 0.9  // top of accented capitals, in em
	descentRatio = 0.25 // descender depth, in em
	wordGap      = 0.15 // gap that separates words, in em
	columnGap    = 1.5  // gap that separates lines (columns), in em
)

// buildLines merges glyphs into words and lines by position.
func buildLines(all []glyph) []Line {
	gs := make([]glyph, 0, len(all))
	for _, g := range all {
		if g.horiz && g.text != "" {
			gs = append(gs, g)
		}
	}
	// Rows: glyphs whose baselines are within 0.3 em.
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].y > gs[j].y })
	var rows [][]glyph
	for i := 0; i < len(gs); {
		j := i + 1
		base := gs[i].y
		for j < len(gs) && base-gs[j].y <= 0.3*math.Max(gs[i].size, gs[j].size) {
			j++
		}
		rows = append(rows, gs[i:j])
		i = j
	}
	var lines []Line
	for _, row := range rows {
		r := append([]glyph(nil), row...)
		sort.SliceStable(r, func(i, j int) bool { return r[i].x < r[j].x })
		r = dedupe(r)
		start := 0
		for i := 1; i <= len(r); i++ {
			if i < len(r) {
				prev := r[i-1]
				em := math.Max(prev.size, r[i].size)
				if r[i].x-(prev.x+prev.adv) <= columnGap*em {
					continue
				}
			}
			if l, ok := makeLine(r[start:i]); ok {
				lines = append(lines, l)
			}
			start = i
		}
	}
	sort.SliceStable(lines, func(i, j int) bool {
		if math.Abs(lines[i].Baseline-lines[j].Baseline) > 0.3*math.Max(lines[i].Size, lines[j].Size) {
			return lines[i].Baseline > lines[j].Baseline
		}
		return lines[i].Rect.X0 < lines[j].Rect.X0
	})
	return lines
}

// dedupe drops glyphs drawn twice at (almost) the same place, as producers
// do for fake bold or shadows.
func dedupe(r []glyph) []glyph {
	out := r[:0]
	for _, g := range r {
		dup := false
		for k := len(out) - 1; k >= 0 && k >= len(out)-3; k-- {
			o := out[k]
			if o.text == g.text && math.Abs(o.x-g.x) < 0.1*g.size && math.Abs(o.y-g.y) < 0.1*g.size {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, g)
		}
	}
	return out
}

func makeLine(r []glyph) (Line, bool) {
	var l Line
	var cur *Word
	italic, bold := 0, 0
	sum := 0.0
	flush := func() {
		if cur != nil && cur.Text != "" {
			cur.Text = norm.NFC.String(cur.Text)
			l.Words = append(l.Words, *cur)
		}
		cur = nil
	}
	for i, g := range r {
		if g.size > l.Size {
			l.Size = g.size
		}
		sum += g.y
		if g.italic {
			italic++
		}
		if g.bold {
			bold++
		}
		if i == 0 {
			l.Font = g.font
		}
		if strings.TrimSpace(g.text) == "" {
			flush()
			continue
		}
		if cur != nil && i > 0 {
			prev := r[i-1]
			if g.x-(prev.x+prev.adv) > wordGap*math.Max(prev.size, g.size) {
				flush()
			}
		}
		if cur == nil {
			cur = &Word{Rect: Rect{X0: g.x, X1: g.x + g.adv}}
		}
		cur.Text += g.text
		cur.Chars = append(cur.Chars, Char{Text: g.text, X0: g.x, X1: g.x + g.adv})
		cur.Rect.X0 = math.Min(cur.Rect.X0, g.x)
		cur.Rect.X1 = math.Max(cur.Rect.X1, g.x+g.adv)
	}
	flush()
	if len(l.Words) == 0 {
		return Line{}, false
	}
	l.Baseline = sum / float64(len(r))
	l.Italic = italic*2 > len(r)
	l.Bold = bold*2 > len(r)
	texts := make([]string, len(l.Words))
	for i := range l.Words {
		l.Words[i].Rect.Y0 = l.Baseline - descentRatio*l.Size
		l.Words[i].Rect.Y1 = l.Baseline + ascentRatio*l.Size
		texts[i] = l.Words[i].Text
	}
	l.Text = strings.Join(texts, " ")
	l.Rect = Rect{X0: l.Words[0].Rect.X0, X1: l.Words[len(l.Words)-1].Rect.X1,
		Y0: l.Baseline - descentRatio*l.Size, Y1: l.Baseline + ascentRatio*l.Size}
	return l, true
}

// String renders the page's lines for debugging and test failures.
func (p *Page) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "page %d %.0fx%.0f, %d glyphs, %d images\n", p.Number, p.Box.W(), p.Box.H(), p.Glyphs, len(p.Images))
	for _, l := range p.Lines {
		fmt.Fprintf(&b, "  [%6.1f %6.1f %6.1f] %4.1fpt %q\n", l.Rect.X0, l.Rect.X1, l.Baseline, l.Size, l.Text)
	}
	return b.String()
}
