package verify

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vanthu/vanthu/signing/render"
)

// The visual check: when the changes after a signature are allowed and
// some of them can be drawn, the pages they draw on are rendered as the
// signer saw them (the file cut at the end of the signed revision) and as
// the final file shows them, with the same renderer the desktop preview
// uses (PDFium), and compared pixel by pixel outside the areas of the
// allowed changes (the widgets of later signatures, filled fields,
// annotations a certification permits).

// VisualCheck says what the visual check found for one signature.
type VisualCheck string

// Visual check results.
const (
	VisualNotNeeded  VisualCheck = "not_needed" // nothing that can be drawn changed (or a change is already disallowed)
	VisualSame       VisualCheck = "same"       // the pages look as signed outside the allowed areas
	VisualDifferent  VisualCheck = "different"  // a page looks different from what was signed
	VisualIncomplete VisualCheck = "incomplete" // rendering failed or ran out of time: indeterminate
	VisualSkipped    VisualCheck = "skipped"    // Options.NoVisual
	// VisualNotRun: the signature is already invalid, or does not chain
	// to a trusted root (unless Options.VisualUntrusted); rendering could
	// not make it valid.
	VisualNotRun VisualCheck = "not_run"
)

const (
	visualDPI       = 72 // one pixel per point
	visualDilate    = 2  // pixels added around each allowed area (anti-aliasing)
	visualTolerance = 16 // per channel
	// DefaultVisualTimeout bounds the visual check of one file.
	DefaultVisualTimeout = 15 * time.Second
)

// visualPlan is what the change analysis of one signature leaves for the
// visual check.
type visualPlan struct {
	areas     []Area
	formLevel bool // a change that may redraw any field
	revision  int  // the signed revision
	pages     *usage
	// annotations left out of the signed and of the final render
	hideOld, hideCur []int
}

// pageList returns the pages to compare: those the allowed areas are on,
// and with a form-level change every page with a widget.
func (p *visualPlan) pageList() []int {
	var out []int
	for _, a := range p.areas {
		if !slices.Contains(out, a.Page) {
			out = append(out, a.Page)
		}
	}
	if p.formLevel && p.pages != nil {
		for i, pg := range p.pages.pages {
			for _, e := range p.pages.annots[pg] {
				if _, w := p.pages.widgetOf[e.num]; w && e.num >= 0 && !slices.Contains(out, i+1) {
					out = append(out, i+1)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// shared is the process's renderer when Options.Renderer is nil.
var shared struct {
	sync.Mutex
	r *render.Renderer
}

func (v *verifier) renderer(ctx context.Context) (*render.Renderer, error) {
	if v.opts.Renderer != nil {
		return v.opts.Renderer, nil
	}
	shared.Lock()
	defer shared.Unlock()
	if shared.r != nil {
		return shared.r, nil
	}
	r, err := render.New(ctx, render.Options{})
	if err != nil && ctx.Err() == nil {
		// no user cache directory: compile in memory
		r, err = render.New(ctx, render.Options{NoCache: true})
	}
	if err != nil {
		return nil, err
	}
	shared.r = r
	return r, nil
}

// visualChecks runs the visual check of every signature that needs one.
func (v *verifier) visualChecks(plans map[int]*visualPlan) {
	var vc *visualCtx
	defer func() {
		if vc != nil {
			vc.close()
		}
	}()
	for i := range v.res.Signatures {
		s := &v.res.Signatures[i]
		plan := plans[i]
		switch {
		case plan == nil || (len(plan.areas) == 0 && !plan.formLevel):
			s.Visual = VisualNotNeeded
			continue
		case failed(s) || (!s.Trusted && !v.opts.VisualUntrusted) || !s.Intact || !s.SignatureOK:
			s.Visual = VisualNotRun
			continue
		}
		if v.opts.NoVisual {
			s.Visual = VisualSkipped
			s.add(problemSevInfo, CodeVisualSkipped)
			continue
		}
		if vc == nil {
			vc = v.newVisualCtx()
		}
		vc.check(s, plan)
	}
}

func failed(s *Signature) bool {
	for _, p := range s.Problems {
		if p.Severity == problemSevFail {
			return true
		}
	}
	return false
}

// visualCtx holds what the visual checks of one file share: the
// deadline, the renderer and the final file's pages.
type visualCtx struct {
	v       *verifier
	ctx     context.Context
	cancel  context.CancelFunc
	r       *render.Renderer
	err     error
	finals  map[string]*finalDoc // the final file, by the annotations hidden in it
	content map[int]*image.RGBA  // the final file's pages without annotations
}

type finalDoc struct {
	doc   *render.Document
	pages map[int]*image.RGBA
}

func (v *verifier) newVisualCtx() *visualCtx {
	timeout := v.opts.VisualTimeout
	if timeout <= 0 {
		timeout = DefaultVisualTimeout
	}
	// Starting the renderer (compiling PDFium once per machine, loading
	// it once per process) is not the file's work: it has its own bound.
	vc := &visualCtx{v: v, finals: map[string]*finalDoc{}, content: map[int]*image.RGBA{}}
	vc.r, vc.err = v.renderer(v.parent)
	vc.ctx, vc.cancel = context.WithTimeout(v.parent, timeout)
	return vc
}

func (vc *visualCtx) close() {
	for _, f := range vc.finals {
		_ = f.doc.Close()
	}
	vc.cancel()
}

// final opens the final file with the annotations hide left out (once).
func (vc *visualCtx) final(hide []int) (*finalDoc, error) {
	key := fmt.Sprint(hide)
	if f := vc.finals[key]; f != nil {
		return f, nil
	}
	ra, size := hidden(vc.v.r, vc.v.size, vc.v.final, hide)
	d, err := vc.r.OpenReader(vc.ctx, ra, size)
	if err != nil {
		return nil, err
	}
	f := &finalDoc{doc: d, pages: map[int]*image.RGBA{}}
	vc.finals[key] = f
	return f, nil
}

// check compares the pages of plan for signature s.
func (vc *visualCtx) check(s *Signature, plan *visualPlan) {
	incomplete := func(err error) {
		s.Visual = VisualIncomplete
		why := "error"
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, render.ErrTimeout) {
			why = "timeout"
		}
		s.add(problemSevIndet, CodeVisualIncomplete, "reason", why, "error", err.Error())
	}
	if vc.err != nil {
		incomplete(vc.err)
		return
	}
	final, err := vc.final(plan.hideCur)
	if err != nil {
		incomplete(err)
		return
	}
	signedEnd := vc.v.revs[plan.revision].End
	sv, err := vc.v.view(plan.revision)
	if err != nil {
		incomplete(err)
		return
	}
	ra, size := hidden(io.NewSectionReader(vc.v.r, 0, signedEnd), signedEnd, sv, plan.hideOld)
	signed, err := vc.r.OpenReader(vc.ctx, ra, size)
	if err != nil {
		incomplete(err)
		return
	}
	defer signed.Close()
	if signed.Pages() != final.doc.Pages() {
		s.Visual = VisualDifferent
		s.add(problemSevFail, CodeVisualMismatch, "pages", strconv.Itoa(final.doc.Pages()), "signed_pages", strconv.Itoa(signed.Pages()))
		return
	}
	s.Visual = VisualSame
	for _, pg := range plan.pageList() {
		if pg < 1 || pg > signed.Pages() {
			continue
		}
		diff, err := vc.comparePage(final, signed, pg, plan.areas)
		if err != nil {
			incomplete(err)
			return
		}
		if diff != nil {
			s.Visual = VisualDifferent
			s.add(problemSevFail, CodeVisualMismatch, "page", strconv.Itoa(pg), "pixels", strconv.Itoa(diff.pixels), "box", diff.box)
		}
	}
}

type pageDiff struct {
	pixels int
	box    string // x,y,w,h in points, origin at the top left of the displayed page
}

// comparePage renders page pg of the signed revision and of the final
// file and compares them outside the allowed areas of that page.
func (vc *visualCtx) comparePage(final *finalDoc, signed *render.Document, pg int, areas []Area) (*pageDiff, error) {
	fin := final.pages[pg]
	if fin == nil {
		img, err := final.doc.Render(vc.ctx, pg, visualDPI)
		if err != nil {
			return nil, err
		}
		fin = img
		final.pages[pg] = img
	}
	img, err := signed.Render(vc.ctx, pg, visualDPI)
	if err != nil {
		return nil, err
	}
	b := fin.Bounds()
	if img.Bounds() != b {
		return &pageDiff{pixels: b.Dx() * b.Dy(), box: "size"}, nil
	}
	// excluded areas, redrawn ones, and redrawn ones that must keep the
	// page content
	var zones [3][]image.Rectangle
	for z := range zones {
		var rects []render.Rect
		for _, a := range areas {
			if a.Page == pg && zone(a) == z {
				rects = append(rects, render.Rect{X: a.Rect[0], Y: a.Rect[1], W: a.Rect[2] - a.Rect[0], H: a.Rect[3] - a.Rect[1]})
			}
		}
		if len(rects) == 0 {
			continue
		}
		px, err := vc.pixelRects(final.doc, pg, rects, b)
		if err != nil {
			return nil, err
		}
		zones[z] = px
	}
	excl, redrawn, keep := zones[0], zones[1], zones[2]
	var content *image.RGBA
	if len(redrawn)+len(keep) > 0 {
		if content = vc.content[pg]; content == nil {
			if content, err = final.doc.RenderContent(vc.ctx, pg, visualDPI); err != nil {
				return nil, err
			}
			vc.content[pg] = content
		}
		if content.Bounds() != b {
			return &pageDiff{pixels: b.Dx() * b.Dy(), box: "size"}, nil
		}
	}
	return diffImages(fin, img, content, excl, redrawn, keep), nil
}

// zone: 0 an area whose drawing is not compared, 1 redrawn (page content
// must not come out), 2 redrawn keeping the page content (a filled field).
func zone(a Area) int {
	switch {
	case a.KeepContent:
		return 2
	case a.Redrawn:
		return 1
	}
	return 0
}

// pixelRects converts rectangles of page pg to pixel rectangles of an
// image with bounds b, grown by visualDilate.
func (vc *visualCtx) pixelRects(d *render.Document, pg int, rects []render.Rect, b image.Rectangle) ([]image.Rectangle, error) {
	boxes, err := d.ToBoxes(vc.ctx, pg, rects)
	if err != nil {
		return nil, err
	}
	out := make([]image.Rectangle, 0, len(boxes))
	w, h := float64(b.Dx()), float64(b.Dy())
	for _, bx := range boxes {
		out = append(out, image.Rect(
			int(math.Floor(bx.X*w))-visualDilate, int(math.Floor(bx.Y*h))-visualDilate,
			int(math.Ceil((bx.X+bx.W)*w))+visualDilate, int(math.Ceil((bx.Y+bx.H)*h))+visualDilate))
	}
	return out, nil
}

// diffImages counts the pixels of the final page fin that differ from
// the signed page sig: outside the areas; inside redrawn ones only where
// fin shows page content (as content, the page without annotations, has
// it) the signer did not see; inside keep ones also where the signer saw
// page content that fin no longer shows.
func diffImages(fin, sig, content *image.RGBA, excl, redrawn, keep []image.Rectangle) *pageDiff {
	r := fin.Bounds()
	n := 0
	box := image.Rectangle{}
	in := func(pt image.Point, rs []image.Rectangle) bool {
		for _, e := range rs {
			if pt.In(e) {
				return true
			}
		}
		return false
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := fin.PixOffset(x, y)
			f := fin.Pix[i : i+4]
			if !differ(f, sig.Pix[i:i+4]) {
				continue
			}
			pt := image.Pt(x, y)
			if in(pt, excl) {
				continue
			}
			if k := in(pt, keep); k || in(pt, redrawn) {
				c := content.Pix[i : i+4]
				if !ink(c) {
					continue // blank page: anything may be drawn there
				}
				shows := !differ(f, c)               // the final page shows the content here
				showed := !differ(sig.Pix[i:i+4], c) // the signed one did
				if !(shows && !showed) && !(k && showed && !shows) {
					continue // drawn over by annotations, as far as allowed
				}
			}
			n++
			box = box.Union(image.Rect(x, y, x+1, y+1))
		}
	}
	if n == 0 {
		return nil
	}
	// pixels are points at 72 dpi
	return &pageDiff{pixels: n, box: fmt.Sprintf("%d,%d,%d,%d", box.Min.X, box.Min.Y, box.Dx(), box.Dy())}
}

// ink: a pixel that is not the white page.
func ink(p []byte) bool {
	return p[0] < 255-visualTolerance || p[1] < 255-visualTolerance || p[2] < 255-visualTolerance
}

func differ(p, q []byte) bool {
	for i := range 3 {
		d := int(p[i]) - int(q[i])
		if d > visualTolerance || d < -visualTolerance {
			return true
		}
	}
	return false
}
