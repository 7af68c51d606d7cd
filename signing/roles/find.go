package roles

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/vanthu/vanthu/signing/layout"
)

// titlePrefixes start the title line of a person signing on behalf of
// someone (Nghị định 30, Điều 13 and Phụ lục I).
var titlePrefixes = []string{"TM.", "KT.", "TL.", "TUQ.", "Q.", "TM ", "KT ", "TL ", "TUQ "}

// titleWords are the positions found in title lines (folded).
var titleWords = regexp.MustCompile(`\b(CHU TICH|PHO CHU TICH|GIAM DOC|PHO GIAM DOC|TONG GIAM DOC|BO TRUONG|THU TRUONG|` +
	`TRUONG|PHO TRUONG|CHANH VAN PHONG|PHO CHANH VAN PHONG|CHANH AN|VIEN TRUONG|BI THU|CHU NHIEM|HIEU TRUONG|CUC TRUONG|` +
	`VU TRUONG|CHANH THANH TRA|THU TUONG|PHO THU TUONG|CHU TICH NUOC|TONG THU KY|GIAM DOC SO)\b`)

// isTitle reports whether a line looks like a title line of a signer
// block: in capitals, short, and starting with TM./KT./TL./TUQ./Q. or
// naming a position.
func isTitle(l layout.Line) bool {
	if len([]rune(l.Text)) > 70 || !mostlyUpper(l.Text) {
		return false
	}
	f := fold(l.Text)
	for _, p := range titlePrefixes {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return titleWords.MatchString(f)
}

// nameScore rates how well a line matches the signer's name: 3 same
// text with diacritics, 2 same without diacritics, 1 the line is a part of
// the name or the name a part of the line (two words or more), 0 none.
func nameScore(l layout.Line, name string) int {
	if name == "" {
		return 0
	}
	a, b := strings.Join(strings.Fields(l.Text), " "), strings.Join(strings.Fields(name), " ")
	if strings.EqualFold(a, b) {
		return 3
	}
	fa, fb := fold(a), fold(b)
	if fa == fb {
		return 2
	}
	words := func(s string) int { return len(strings.Fields(s)) }
	if words(fa) >= 2 && words(fb) >= 2 {
		if (strings.Contains(" "+fb+" ", " "+fa+" ") && words(fa) >= 2) ||
			(strings.Contains(" "+fa+" ", " "+fb+" ") && words(fa) <= words(fb)+2) {
			return 1
		}
	}
	return 0
}

func centre(r layout.Rect) float64 { return (r.X0 + r.X1) / 2 }

// sameColumn: b is in the column of a (their horizontal spans overlap
// around a's centre).
func sameColumn(a, b layout.Rect) bool {
	ca, cb := centre(a), centre(b)
	half := math.Max(a.W(), b.W())/2 + 24
	return math.Abs(ca-cb) <= half && b.X1 > a.X0-12 && b.X0 < a.X1+12
}

// Block is a signer block found on a page.
type Block struct {
	Page   int
	Titles []layout.Line // title lines, top to bottom (may be empty)
	Name   *layout.Line  // the name line (nil when not found)
	// Gap is the free space between the last title line and the name
	// line, over the width of the block.
	Gap layout.Rect
}

// Describe says what was found, for messages: "TM. ỦY BAN NHÂN DÂN /
// CHỦ TỊCH … Nguyễn Văn Ánh".
func (b *Block) Describe() string {
	var parts []string
	for _, t := range b.Titles {
		parts = append(parts, t.Text)
	}
	s := strings.Join(parts, " / ")
	if b.Name != nil {
		if s != "" {
			s += " … "
		}
		s += b.Name.Text
	}
	return s
}

// defaultGap is the room assumed for a signature when the block has a
// title but no name below it yet, or a name but no title.
const defaultGap = 90.0

// FindSignerBlock finds the signer block of signer on the page: the name
// line matching the certificate's name and/or the title lines above it
// ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", …), and the gap
// between them.
func FindSignerBlock(p *layout.Page, signer string) (*Block, error) {
	pl := pageLines{page: p}
	names := pl.nameLines(signer)
	if b := pl.byName(names); b != nil {
		return b, nil
	}
	if b := pl.byTitles(); b != nil {
		return b, nil
	}
	if b := pl.nameAlone(names); b != nil {
		return b, nil
	}
	if len(p.Lines) == 0 {
		return nil, fmt.Errorf("%w: page %d has no text (a scanned page?)", ErrNotFound, p.Number)
	}
	return nil, fmt.Errorf("%w: no signer block (title lines such as \"CHỦ TỊCH\" or the name %q) on page %d", ErrNotFound, signer, p.Number)
}

// pageLines finds lines of a page by their place in a column.
type pageLines struct{ page *layout.Page }

// above is the nearest line above ref in the same column.
func (pl pageLines) above(ref layout.Line) *layout.Line {
	var best *layout.Line
	for i := range pl.page.Lines {
		l := &pl.page.Lines[i]
		if l.Baseline > ref.Baseline+0.8*ref.Size && sameColumn(ref.Rect, l.Rect) {
			if best == nil || l.Baseline < best.Baseline {
				best = l
			}
		}
	}
	return best
}

// below is the nearest line below ref in the same column.
func (pl pageLines) below(ref layout.Line) *layout.Line {
	var best *layout.Line
	for i := range pl.page.Lines {
		l := &pl.page.Lines[i]
		if l.Baseline < ref.Baseline-0.8*ref.Size && sameColumn(ref.Rect, l.Rect) {
			if best == nil || l.Baseline > best.Baseline {
				best = l
			}
		}
	}
	return best
}

// titleBlock collects the contiguous title lines ending at t.
func (pl pageLines) titleBlock(t *layout.Line) []layout.Line {
	out := []layout.Line{*t}
	cur := *t
	for k := 0; k < 8; k++ {
		up := pl.above(cur)
		if up == nil || up.Baseline-cur.Baseline > 2.2*math.Max(up.Size, cur.Size) || !isTitle(*up) {
			break
		}
		out = append([]layout.Line{*up}, out...)
		cur = *up
	}
	return out
}

// nameLines are the lines that name the signer, best match first, then
// lowest on the page.
func (pl pageLines) nameLines(signer string) []*layout.Line {
	type cand struct {
		l     *layout.Line
		score int
	}
	var names []cand
	for i := range pl.page.Lines {
		if s := nameScore(pl.page.Lines[i], signer); s > 0 {
			names = append(names, cand{&pl.page.Lines[i], s})
		}
	}
	sort.SliceStable(names, func(i, j int) bool {
		if names[i].score != names[j].score {
			return names[i].score > names[j].score
		}
		return names[i].l.Baseline < names[j].l.Baseline
	})
	out := make([]*layout.Line, len(names))
	for i, n := range names {
		out[i] = n.l
	}
	return out
}

// byName: the first name line with title lines right above it.
func (pl pageLines) byName(names []*layout.Line) *Block {
	for _, n := range names {
		up := pl.above(*n)
		if up != nil && isTitle(*up) {
			b := &Block{Page: pl.page.Number, Titles: pl.titleBlock(up), Name: n}
			b.Gap = gapBetween(b.Titles, *n, up.Rect.Y0)
			return b
		}
	}
	return nil
}

// byTitles: title lines without the name — the lowest title block, and
// the line below it (a name in another spelling) if any.
func (pl pageLines) byTitles() *Block {
	var titles []*layout.Line
	for i := range pl.page.Lines {
		if isTitle(pl.page.Lines[i]) {
			titles = append(titles, &pl.page.Lines[i])
		}
	}
	sort.SliceStable(titles, func(i, j int) bool { return titles[i].Baseline < titles[j].Baseline })
	for _, t := range titles {
		// The last line of a title block: no title line right below it.
		down := pl.below(*t)
		if down != nil && isTitle(*down) && t.Baseline-down.Baseline < 2.2*t.Size {
			continue
		}
		b := &Block{Page: pl.page.Number, Titles: pl.titleBlock(t)}
		if down != nil && t.Baseline-down.Baseline < 4*defaultGap && !isTitle(*down) && len([]rune(down.Text)) <= 40 {
			b.Name = down
			b.Gap = gapBetween(b.Titles, *down, t.Rect.Y0)
		} else {
			b.Gap = gapBetween(b.Titles, layout.Line{}, t.Rect.Y0)
			b.Gap.Y0 = math.Max(pl.page.Box.Y0+10, t.Rect.Y0-defaultGap)
			if down != nil {
				b.Gap.Y0 = math.Max(b.Gap.Y0, down.Rect.Y1)
			}
		}
		return b
	}
	return nil
}

// nameAlone: a person signing in their own name, no title.
func (pl pageLines) nameAlone(names []*layout.Line) *Block {
	if len(names) == 0 {
		return nil
	}
	n := names[0]
	b := &Block{Page: pl.page.Number, Name: n}
	b.Gap = layout.Rect{X0: n.Rect.X0, X1: n.Rect.X1, Y0: n.Rect.Y1, Y1: n.Rect.Y1 + defaultGap}
	if up := pl.above(*n); up != nil {
		b.Gap.Y1 = math.Min(b.Gap.Y1, up.Rect.Y0)
	}
	return b
}

// gapBetween spans the block's width between the titles' bottom (top)
// and the name's top.
func gapBetween(titles []layout.Line, name layout.Line, top float64) layout.Rect {
	x0, x1 := math.Inf(1), math.Inf(-1)
	for _, t := range titles {
		x0, x1 = math.Min(x0, t.Rect.X0), math.Max(x1, t.Rect.X1)
	}
	if name.Text != "" {
		x0, x1 = math.Min(x0, name.Rect.X0), math.Max(x1, name.Rect.X1)
	}
	return layout.Rect{X0: x0, X1: x1, Y0: name.Rect.Y1, Y1: top}
}

// row is the words of one baseline, left to right, across columns.
type row struct {
	baseline, size float64
	words          []layout.Word
	lines          []layout.Line
}

func rows(p *layout.Page) []row {
	var out []row
	for _, l := range p.Lines {
		placed := false
		for i := range out {
			if math.Abs(out[i].baseline-l.Baseline) <= 0.3*math.Max(out[i].size, l.Size) {
				out[i].words = append(out[i].words, l.Words...)
				out[i].lines = append(out[i].lines, l)
				out[i].size = math.Max(out[i].size, l.Size)
				placed = true
				break
			}
		}
		if !placed {
			out = append(out, row{baseline: l.Baseline, size: l.Size, words: append([]layout.Word(nil), l.Words...), lines: []layout.Line{l}})
		}
	}
	for i := range out {
		sort.SliceStable(out[i].words, func(a, b int) bool { return out[i].words[a].Rect.X0 < out[i].words[b].Rect.X0 })
	}
	return out
}

// Slot is a blank of a line to write into.
type Slot struct {
	Page     int
	Baseline float64
	Size     float64 // font size of the printed text around it
	Italic   bool
	X0, X1   float64 // the blank's horizontal extent
}

// NumberPlace is the "Số:      /UBND-VP" of the first page.
type NumberPlace struct {
	Slot
	// Notation is the printed part after the blank ("/UBND-VP"), "" when
	// "Số:" stands alone.
	Notation string
	Line     string // the line as printed
}

// FindNumber finds "Số:" in the upper half of page p and the blank after it.
func FindNumber(p *layout.Page) (*NumberPlace, error) {
	top := p.Box.Y0 + p.Box.H()*0.45
	for _, r := range rows(p) {
		if r.baseline < top {
			continue
		}
		for i, w := range r.words {
			f := fold(w.Text)
			if !strings.HasPrefix(f, "SO:") && !(f == "SO" && i+1 < len(r.words) && r.words[i+1].Text == ":") {
				continue
			}
			// The end of "Số:" (the colon's right edge).
			start := w.Rect.X1
			j := i + 1
			if f == "SO" {
				start = r.words[i+1].Rect.X1
				j = i + 2
			}
			if len([]rune(f)) > 3 {
				// "Số:123/…" or "Số:/UBND-VP": look inside the word.
				colon := 0
				for k, c := range w.Chars {
					if c.Text == ":" {
						colon = k
						break
					}
				}
				rest := w.Chars[colon+1:]
				if len(rest) > 0 && rest[0].Text != "/" && !isBlankMark(rest[0].Text) {
					return nil, fmt.Errorf("%w: the number line reads %q", ErrAlreadyFilled, lineText(r, i))
				}
				np := &NumberPlace{Slot: Slot{Page: p.Number, Baseline: r.baseline, Size: r.size, X0: w.Chars[colon].X1}, Line: lineText(r, i)}
				np.Italic = lineItalic(r, w)
				for k, c := range rest {
					if c.Text == "/" {
						np.X1 = c.X0
						var nb strings.Builder
						for _, c2 := range rest[k:] {
							nb.WriteString(c2.Text)
						}
						np.Notation = nb.String()
						break
					}
				}
				return np, nil
			}
			np := &NumberPlace{Slot: Slot{Page: p.Number, Baseline: r.baseline, Size: r.size, X0: start}, Line: lineText(r, i)}
			np.Italic = lineItalic(r, w)
			for ; j < len(r.words) && r.words[j].Rect.X0-start < 12*r.size; j++ {
				nw := r.words[j]
				if isBlankMark(nw.Text) {
					continue
				}
				if strings.HasPrefix(nw.Text, "/") {
					np.X1 = nw.Rect.X0
					np.Notation = nw.Text
					break
				}
				return nil, fmt.Errorf("%w: the number line reads %q", ErrAlreadyFilled, np.Line)
			}
			return np, nil
		}
	}
	return nil, fmt.Errorf("%w: no \"Số:\" in the upper half of page %d", ErrNotFound, p.Number)
}

// isBlankMark: dots or underscores left as a blank to fill in.
func isBlankMark(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r != '.' && r != '…' && r != '_' {
			return false
		}
	}
	return true
}

// lineText is the text of the row from word i up to the next wide gap
// (the other column).
func lineText(r row, i int) string {
	parts := []string{r.words[i].Text}
	for k := i + 1; k < len(r.words) && r.words[k].Rect.X0-r.words[k-1].Rect.X1 < 4*r.size; k++ {
		parts = append(parts, r.words[k].Text)
	}
	return strings.Join(parts, " ")
}

func lineItalic(r row, w layout.Word) bool {
	for _, l := range r.lines {
		if w.Rect.X0 >= l.Rect.X0-0.5 && w.Rect.X1 <= l.Rect.X1+0.5 {
			return l.Italic
		}
	}
	return false
}

// DatePlace is the "…, ngày   tháng   năm …" line of the first page.
type DatePlace struct {
	Page     int
	Baseline float64
	Size     float64
	Italic   bool
	Place    string  // the place name before "ngày" ("Đắk Lắk")
	Day      Slot    // blank after "ngày"
	Month    Slot    // blank after "tháng"
	Year     *Slot   // blank after "năm"; nil when the year is printed
	YearText string  // the printed year
	Line     string  // the line as printed
	X0, X1   float64 // from the end of "ngày" to the end of the year
}

var yearRE = regexp.MustCompile(`^(19|20|21)\d\d\.?$`)

// FindDate finds the date line in the upper half of page p.
func FindDate(p *layout.Page) (*DatePlace, error) {
	top := p.Box.Y0 + p.Box.H()*0.45
	for _, r := range rows(p) {
		if r.baseline < top {
			continue
		}
		ngay, thang, nam := -1, -1, -1
		for i, w := range r.words {
			switch fold(w.Text) {
			case "NGAY":
				if ngay < 0 {
					ngay = i
				}
			case "THANG":
				if ngay >= 0 && thang < 0 {
					thang = i
				}
			case "NAM":
				if thang >= 0 && nam < 0 {
					nam = i
				}
			}
		}
		if ngay < 0 || thang < 0 || nam < 0 {
			continue
		}
		w := r.words
		d := &DatePlace{Page: p.Number, Baseline: r.baseline, Size: r.size, Italic: lineItalic(r, w[ngay])}
		// The place: the words just before "ngày", without a wide gap
		// (the left column's "Số:" shares the baseline).
		var place []string
		for k := ngay - 1; k >= 0 && w[k+1].Rect.X0-w[k].Rect.X1 < 1.5*r.size; k-- {
			place = append([]string{w[k].Text}, place...)
		}
		d.Place = strings.TrimSuffix(strings.TrimSpace(strings.Join(place, " ")), ",")
		d.Line = strings.Join(func() []string {
			var s []string
			for _, x := range w[max(0, ngay-len(place)):] {
				s = append(s, x.Text)
			}
			return s
		}(), " ")
		blank := func(a, b int) error {
			for _, x := range w[a+1 : b] {
				if !isBlankMark(x.Text) {
					return fmt.Errorf("%w: the date line reads %q", ErrAlreadyFilled, d.Line)
				}
			}
			return nil
		}
		if err := blank(ngay, thang); err != nil {
			return nil, err
		}
		if err := blank(thang, nam); err != nil {
			return nil, err
		}
		mk := func(a, b int) Slot {
			return Slot{Page: p.Number, Baseline: r.baseline, Size: r.size, Italic: d.Italic, X0: w[a].Rect.X1, X1: w[b].Rect.X0}
		}
		d.Day, d.Month = mk(ngay, thang), mk(thang, nam)
		d.X0, d.X1 = d.Day.X0, w[nam].Rect.X1
		if nam+1 < len(w) && yearRE.MatchString(w[nam+1].Text) && w[nam+1].Rect.X0-w[nam].Rect.X1 < 4*r.size {
			d.YearText = strings.TrimSuffix(w[nam+1].Text, ".")
			d.X1 = w[nam+1].Rect.X1
		} else {
			y := Slot{Page: p.Number, Baseline: r.baseline, Size: r.size, Italic: d.Italic, X0: w[nam].Rect.X1, X1: w[nam].Rect.X1 + 3*r.size}
			if nam+1 < len(w) && !isBlankMark(w[nam+1].Text) && w[nam+1].Rect.X0-w[nam].Rect.X1 < 4*r.size {
				return nil, fmt.Errorf("%w: the date line reads %q", ErrAlreadyFilled, d.Line)
			}
			d.Year = &y
			d.X1 = y.X1
		}
		return d, nil
	}
	return nil, fmt.Errorf("%w: no \"ngày … tháng … năm …\" line in the upper half of page %d", ErrNotFound, p.Number)
}
