package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Colours of the shares against the 100 % target.
var (
	colMet     = color.NRGBA{R: 30, G: 160, B: 80, A: 255}  // the target met
	colNear    = color.NRGBA{R: 230, G: 150, B: 0, A: 255}  // 80 % or more
	colFar     = color.NRGBA{R: 215, G: 50, B: 50, A: 255}  // below 80 %
	colTrack   = color.NRGBA{R: 128, G: 128, B: 128, A: 60} // the empty part of a bar
	colTarget  = color.NRGBA{R: 30, G: 160, B: 80, A: 255}  // the 100 % line
	colNoShare = color.NRGBA{R: 128, G: 128, B: 128, A: 160}
	colBase    = color.NRGBA{R: 128, G: 128, B: 128, A: 200} // the trend's baseline
)

// shareColour is the colour of a share against the 100 % target.
func shareColour(share float64, ok bool) color.Color {
	switch {
	case !ok:
		return colNoShare
	case share >= 1:
		return colMet
	case share >= 0.8:
		return colNear
	}
	return colFar
}

// chartBar is one bar: its label, the text of its value and the share
// (0–1) it draws; ok is false when there is nothing to count.
type chartBar struct {
	Label, Value string
	Share        float64
	OK           bool
}

// barChart draws shares as bars against the 100 % line: horizontal bars
// with their names on the left (the sub-units), or vertical bars with the
// periods below (the trend).
type barChart struct {
	widget.BaseWidget
	vertical bool
	target   string // the 100 % line's label
	empty    string // shown without bars
	bars     []chartBar
}

func newBarChart(vertical bool, target, empty string) *barChart {
	c := &barChart{vertical: vertical, target: target, empty: empty}
	c.ExtendBaseWidget(c)
	return c
}

// SetBars replaces the bars.
func (c *barChart) SetBars(bars []chartBar) {
	c.bars = bars
	c.Refresh()
}

func (c *barChart) CreateRenderer() fyne.WidgetRenderer {
	r := &barRenderer{c: c}
	r.build()
	return r
}

type barRenderer struct {
	c      *barChart
	objs   []fyne.CanvasObject
	tracks []*canvas.Rectangle
	fills  []*canvas.Rectangle
	labels []*canvas.Text
	values []*canvas.Text
	line   *canvas.Line
	lineT  *canvas.Text
	empty  *canvas.Text
}

func text(s string, size float32, col color.Color) *canvas.Text {
	t := canvas.NewText(s, col)
	t.TextSize = size
	return t
}

// build makes the canvas objects of the bars.
func (r *barRenderer) build() {
	fg := theme.Color(theme.ColorNameForeground)
	r.objs, r.tracks, r.fills, r.labels, r.values = nil, nil, nil, nil, nil
	track := colTrack
	if r.c.vertical {
		track = colBase // the trend: only the baseline under the bars
	}
	for _, b := range r.c.bars {
		tr := canvas.NewRectangle(track)
		fill := canvas.NewRectangle(shareColour(b.Share, b.OK))
		lab := text(b.Label, 12, fg)
		val := text(b.Value, 12, fg)
		val.TextStyle.Bold = true
		r.tracks, r.fills, r.labels, r.values = append(r.tracks, tr), append(r.fills, fill), append(r.labels, lab), append(r.values, val)
		r.objs = append(r.objs, tr, fill, lab, val)
	}
	r.line = canvas.NewLine(colTarget)
	r.line.StrokeWidth = 2
	r.lineT = text(r.c.target, 11, colTarget)
	r.empty = text(r.c.empty, 13, fg)
	r.objs = append(r.objs, r.line, r.lineT, r.empty)
	if len(r.c.bars) > 0 {
		r.empty.Hide()
	} else {
		r.line.Hide()
		r.lineT.Hide()
	}
}

// Layout places the bars: shares are fractions of the track, whose end is
// the 100 % line.
func (r *barRenderer) Layout(size fyne.Size) {
	n := len(r.c.bars)
	r.empty.Move(fyne.NewPos(8, 8))
	if n == 0 {
		return
	}
	if r.c.vertical {
		r.layoutVertical(size, n)
		return
	}
	const labelW, valueW, top = 170, 70, 16
	rowH := min(float32(28), (size.Height-top)/float32(n))
	x0, w := float32(labelW), size.Width-labelW-valueW
	if w < 20 {
		w = 20
	}
	for i := range r.c.bars {
		y := top + float32(i)*rowH
		bh := rowH * 0.62
		r.labels[i].Move(fyne.NewPos(0, y+(rowH-r.labels[i].MinSize().Height)/2))
		r.tracks[i].Move(fyne.NewPos(x0, y+(rowH-bh)/2))
		r.tracks[i].Resize(fyne.NewSize(w, bh))
		r.fills[i].Move(fyne.NewPos(x0, y+(rowH-bh)/2))
		r.fills[i].Resize(fyne.NewSize(w*clamp01(r.c.bars[i].Share), bh))
		r.values[i].Move(fyne.NewPos(x0+w+6, y+(rowH-r.values[i].MinSize().Height)/2))
	}
	lt := r.lineT.MinSize()
	r.line.Position1 = fyne.NewPos(x0+w, lt.Height) // under its label
	r.line.Position2 = fyne.NewPos(x0+w, top+float32(n)*rowH)
	r.lineT.Move(fyne.NewPos(x0+w-lt.Width/2, 0))
}

func (r *barRenderer) layoutVertical(size fyne.Size, n int) {
	const bottom, top, left = 34, 18, 36
	colW := (size.Width - left) / float32(n)
	h := size.Height - bottom - top
	if h < 20 {
		h = 20
	}
	for i := range r.c.bars {
		x := left + float32(i)*colW
		bw := colW * 0.6
		fh := h * clamp01(r.c.bars[i].Share)
		r.tracks[i].Move(fyne.NewPos(x, top+h))
		r.tracks[i].Resize(fyne.NewSize(colW, 1))
		r.fills[i].Move(fyne.NewPos(x+(colW-bw)/2, top+h-fh))
		r.fills[i].Resize(fyne.NewSize(bw, fh))
		lw := r.labels[i].MinSize().Width
		r.labels[i].Move(fyne.NewPos(x+(colW-lw)/2, top+h+2))
		vw := r.values[i].MinSize().Width
		r.values[i].Move(fyne.NewPos(x+(colW-vw)/2, top+h+16))
	}
	r.line.Position1 = fyne.NewPos(left, top)
	r.line.Position2 = fyne.NewPos(size.Width, top)
	r.lineT.Move(fyne.NewPos(0, top-r.lineT.MinSize().Height/2))
}

func clamp01(v float64) float32 {
	switch {
	case v < 0:
		return 0
	case v > 1:
		return 1
	}
	return float32(v)
}

func (r *barRenderer) MinSize() fyne.Size {
	if r.c.vertical {
		return fyne.NewSize(360, 170)
	}
	return fyne.NewSize(360, float32(16+28*max(len(r.c.bars), 2)))
}

func (r *barRenderer) Refresh() {
	r.build()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *barRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *barRenderer) Destroy()                     {}

// minHeight gives o at least height h (a list in a scrolled page).
func minHeight(o fyne.CanvasObject, h float32) fyne.CanvasObject {
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(1, h))
	return container.NewStack(spacer, o)
}

// twoLines makes a list row of two lines (the second cut with "…").
func twoLines() fyne.CanvasObject {
	l := widget.NewLabel("\n")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}
