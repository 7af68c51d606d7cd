package roles

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/layout"
)

func fnum(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// round3 rounds a rectangle to 1/1000 pt, so that it is written with a few
// decimals.
func round3(r appearance.Rect) appearance.Rect {
	f := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	return appearance.Rect{X: f(r.X), Y: f(r.Y), W: f(r.W), H: f(r.H)}
}

// imageAppearance draws img over the whole rectangle.
func imageAppearance(page int, r appearance.Rect, img *appearance.Image) *appearance.Appearance {
	r = round3(r)
	return &appearance.Appearance{
		Page: page, Rect: r,
		Content: fmt.Appendf(nil, "q %s 0 0 %s 0 0 cm /Im1 Do Q\n", fnum(r.W), fnum(r.H)),
		Images:  map[string]*appearance.Image{"Im1": img},
	}
}

// textRun is text set at (x, y) of a widget (baseline-left), black.
type textRun struct {
	x, y, size float64
	text       string
}

// textAppearance writes runs with an embedded font, black, upright as the
// font is.
func textAppearance(page int, r appearance.Rect, f *appearance.Font, runs []textRun) *appearance.Appearance {
	r = round3(r)
	var b bytes.Buffer
	b.WriteString("BT 0 g\n")
	for _, t := range runs {
		fmt.Fprintf(&b, "/F1 %s Tf 1 0 0 1 %s %s Tm ", fnum(t.size), fnum(t.x), fnum(t.y))
		b.Write(f.Encode(t.text))
		b.WriteString(" Tj\n")
	}
	b.WriteString("ET\n")
	return &appearance.Appearance{Page: page, Rect: r, Content: b.Bytes(), Fonts: map[string]*appearance.Font{"F1": f}}
}

// fitImage fits an image of aspect w/h into box (centred), no larger than
// maxW × maxH.
func fitImage(box layout.Rect, aspect, maxW, maxH float64) appearance.Rect {
	w := math.Min(box.W(), maxW)
	h := math.Min(box.H(), maxH)
	if w/h > aspect {
		w = h * aspect
	} else {
		h = w / aspect
	}
	cx, cy := (box.X0+box.X1)/2, (box.Y0+box.Y1)/2
	return appearance.Rect{X: cx - w/2, Y: cy - h/2, W: w, H: h}
}

const (
	mm = 72 / 25.4
	// Stamp text (attachment, copy): Times New Roman 10 pt (Nghị định 30,
	// Phụ lục I), 11.5 pt leading, 10 mm from the right edge, 5 mm from the
	// top, moved up (to 3 mm) if the page's text comes higher.
	stampSize    = 10.0
	stampLeading = 11.5
	stampRight   = 10 * mm
	stampTop     = 5 * mm
	stampTopMin  = 3 * mm
	// The approve image is at most 60 × 30 mm.
	maxSigW = 60 * mm
	maxSigH = 30 * mm
)

// stampAppearance builds the text box at the top right of page 1.
func stampAppearance(p *layout.Page, f *appearance.Font, lines []string) (*appearance.Appearance, appearance.Rect) {
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, f.Width(l, stampSize))
	}
	pad := 2.0
	bw := w + 2*pad
	bh := float64(len(lines))*stampLeading + 2*pad
	x := p.Box.X1 - stampRight - bw
	top := p.Box.Y1 - stampTop
	// The highest text under the box's columns.
	highest := math.Inf(-1)
	for _, l := range p.Lines {
		if l.Rect.X1 > x && l.Rect.X0 < x+bw {
			highest = math.Max(highest, l.Rect.Y1)
		}
	}
	if top-bh < highest+1 {
		top = math.Min(p.Box.Y1-stampTopMin, highest+1+bh)
	}
	r := appearance.Rect{X: x, Y: top - bh, W: bw, H: bh}
	runs := make([]textRun, len(lines))
	for i, l := range lines {
		runs[i] = textRun{x: pad, y: bh - pad - 8.5 - float64(i)*stampLeading, size: stampSize, text: l}
	}
	return textAppearance(1, r, f, runs), r
}
