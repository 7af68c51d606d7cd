package gui

import (
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/signing/render"
)

// Colours of the boxes drawn on a page.
var (
	colPlacement = color.NRGBA{R: 0, G: 110, B: 230, A: 255}  // where the signature will go (editable)
	colValid     = color.NRGBA{R: 20, G: 150, B: 60, A: 255}  // a valid signature's widget
	colProblem   = color.NRGBA{R: 210, G: 40, B: 40, A: 255}  // a signature that is not valid
	colSelected  = color.NRGBA{R: 240, G: 160, B: 0, A: 255}  // the signature whose card is selected
	colDemo      = color.NRGBA{R: 170, G: 60, B: 200, A: 255} // a demo signature
)

// mark is a box on a page.
type mark struct {
	Box   render.Box
	Color color.Color
}

// preview shows one page of a document with zoom and page turning, the
// boxes of the screen (signature widgets, the placement), and lets the
// user drag or redraw the editable box. Rendering runs off the UI thread.
type preview struct {
	u       *ui
	content fyne.CanvasObject

	Page      *pageView
	Prev      *widget.Button
	Next      *widget.Button
	ZoomIn    *widget.Button
	ZoomOut   *widget.Button
	PageLabel *widget.Label
	Status    *widget.Label
	scroll    *container.Scroll

	mu    sync.Mutex // guards doc (used from render goroutines)
	doc   *render.Document
	docF  *os.File
	path  string
	page  int // 1-based, 0 = no document
	pages int
	zoom  float64
	fit   bool                  // zoom to fit the page in the view (until the user zooms)
	gen   int                   // incremented for each render request; stale results are dropped
	marks map[int][]mark        // per page
	edit  map[int]*render.Box   // the editable box, per page
	sizes map[int]render.Size   // page sizes in points
	onBox func(int, render.Box) // the user moved or drew the editable box
	onPg  func(int)             // the page changed
}

func newPreview(u *ui) *preview {
	p := &preview{u: u, zoom: 0.9, marks: map[int][]mark{}, edit: map[int]*render.Box{}, sizes: map[int]render.Size{}}
	p.Page = newPageView(p)
	p.Prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.turn(-1) })
	p.Next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.turn(1) })
	p.ZoomIn = widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { p.zoomBy(1.25) })
	p.ZoomOut = widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { p.zoomBy(0.8) })
	p.PageLabel = widget.NewLabel("")
	p.Status = widget.NewLabel(u.tr("gui.preview.empty"))
	p.Status.Wrapping = fyne.TextWrapWord
	bar := container.NewHBox(p.Prev, p.PageLabel, p.Next, widget.NewSeparator(), p.ZoomOut, p.ZoomIn)
	p.scroll = container.NewScroll(container.NewCenter(p.Page))
	p.content = container.NewBorder(bar, p.Status, nil, nil, p.scroll)
	p.updateBar()
	return p
}

// open loads path and shows its first page (or page, when > 0); an empty
// path empties the preview.
func (p *preview) open(path string, page int) {
	p.close()
	p.mu.Lock()
	p.path, p.page, p.pages, p.fit = path, 0, 0, true
	p.marks, p.edit, p.sizes = map[int][]mark{}, map[int]*render.Box{}, map[int]render.Size{}
	p.gen++
	gen := p.gen
	p.mu.Unlock()
	p.Page.setImage(nil, fyne.Size{})
	p.updateBar()
	if path == "" { // nothing to show
		p.Status.SetText(p.u.tr("gui.preview.empty"))
		return
	}
	p.Status.SetText(p.u.tr("gui.preview.loading"))
	p.u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), render.DefaultTimeout)
		defer cancel()
		r, err := p.u.renderer(ctx)
		if err != nil {
			p.fail(gen, err)
			return
		}
		f, err := os.Open(path)
		if err != nil {
			p.fail(gen, err)
			return
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			p.fail(gen, err)
			return
		}
		d, err := r.OpenReader(ctx, f, st.Size())
		if err != nil {
			f.Close()
			p.fail(gen, err)
			return
		}
		if page < 1 || page > d.Pages() {
			page = 1
		}
		p.mu.Lock()
		if gen != p.gen {
			p.mu.Unlock()
			_ = d.Close()
			f.Close()
			return
		}
		p.doc, p.docF, p.pages, p.page = d, f, d.Pages(), page
		p.mu.Unlock()
		uiDo(func() {
			p.updateBar()
			p.render()
		})
	})
}

// close releases the open document.
func (p *preview) close() {
	p.mu.Lock()
	d, f := p.doc, p.docF
	p.doc, p.docF = nil, nil
	p.mu.Unlock()
	if d != nil {
		p.u.bg.Go(func() {
			_ = d.Close()
			f.Close()
		})
	}
}

// fail shows err of the work gen (run off the UI thread).
func (p *preview) fail(gen int, err error) {
	p.mu.Lock()
	path := p.path
	p.mu.Unlock()
	p.u.log.Printf("preview %s: %v", path, err)
	uiDo(func() {
		if gen != p.gen {
			return
		}
		msg, _ := p.u.explain("", err)
		p.Status.SetText(p.u.tr("gui.preview.error", msg))
	})
}

// turn goes d pages forward or back.
func (p *preview) turn(d int) {
	if p.page == 0 {
		return
	}
	n := min(max(p.page+d, 1), p.pages)
	if n == p.page {
		return
	}
	p.page = n
	p.updateBar()
	p.render()
	if p.onPg != nil {
		p.onPg(n)
	}
}

// show goes to page n.
func (p *preview) show(n int) {
	if p.page == 0 || n < 1 || n > p.pages {
		return
	}
	if n != p.page {
		p.page = n
		p.updateBar()
		p.render()
		return
	}
	p.Page.refreshMarks()
}

func (p *preview) zoomBy(f float64) {
	p.fit = false
	z := min(max(p.zoom*f, 0.3), 4)
	if z == p.zoom {
		return
	}
	p.zoom = z
	p.render()
}

func (p *preview) updateBar() {
	if p.page == 0 {
		p.PageLabel.SetText("–")
		p.Prev.Disable()
		p.Next.Disable()
		return
	}
	p.PageLabel.SetText(p.u.tr("gui.preview.page", p.page, p.pages))
	if p.page > 1 {
		p.Prev.Enable()
	} else {
		p.Prev.Disable()
	}
	if p.page < p.pages {
		p.Next.Enable()
	} else {
		p.Next.Disable()
	}
}

// render draws the current page at the current zoom in a goroutine.
func (p *preview) render() {
	p.mu.Lock()
	d, page, zoom, fit := p.doc, p.page, p.zoom, p.fit
	p.gen++
	gen := p.gen
	p.mu.Unlock()
	if d == nil || page == 0 {
		return
	}
	scale := float64(1)
	if c := p.u.win.Canvas(); c != nil && c.Scale() > 0 {
		scale = float64(c.Scale())
	}
	view := p.scroll.Size()
	p.Status.SetText(p.u.tr("gui.preview.rendering"))
	p.u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), render.DefaultTimeout)
		defer cancel()
		size, err := d.PageSize(ctx, page)
		if err != nil {
			p.fail(gen, err)
			return
		}
		if fit && view.Width > 100 && view.Height > 100 {
			zoom = min(float64(view.Width-16)/size.W, float64(view.Height-16)/size.H)
			zoom = min(max(zoom, 0.3), 4)
		}
		img, err := d.Render(ctx, page, 72*zoom*scale)
		if err != nil {
			p.fail(gen, err)
			return
		}
		uiDo(func() {
			if gen != p.gen {
				return
			}
			p.sizes[page] = size
			p.zoom = zoom
			p.Page.setImage(img, fyne.NewSize(float32(size.W*zoom), float32(size.H*zoom)))
			p.Status.SetText(p.u.tr("gui.preview.shown", p.path))
			p.u.log.Printf("preview %s: page %d/%d at zoom %.2f", filepath.Base(p.path), page, p.pages, zoom)
		})
	})
}

// setMarks sets the boxes of page n (replacing the earlier ones).
func (p *preview) setMarks(n int, ms []mark) {
	p.marks[n] = ms
	if n == p.page {
		p.Page.refreshMarks()
	}
}

// clearMarks removes every box.
func (p *preview) clearMarks() {
	p.marks = map[int][]mark{}
	p.Page.refreshMarks()
}

// setEdit sets the editable box on page n (nil removes it).
func (p *preview) setEdit(n int, b *render.Box) {
	p.edit = map[int]*render.Box{}
	if b != nil {
		p.edit[n] = b
	}
	p.Page.refreshMarks()
}

// waitDocument waits (off the UI thread) until path is open in the
// preview; nil when ctx ends first or another file is shown.
func (p *preview) waitDocument(ctx context.Context, path string) *render.Document {
	for {
		p.mu.Lock()
		d, cur := p.doc, p.path
		p.mu.Unlock()
		if cur != path {
			return nil
		}
		if d != nil {
			return d
		}
		select {
		case <-ctx.Done():
			return nil
		case <-p.u.ctx.Done():
			return nil
		case <-time.After(40 * time.Millisecond):
		}
	}
}

// pageView is the page image with its boxes. Dragging inside the editable
// box moves it; dragging elsewhere draws a new one.
type pageView struct {
	widget.BaseWidget
	p     *preview
	img   *canvas.Image
	size  fyne.Size
	boxes *fyne.Container

	dragging  bool
	moving    bool
	start     fyne.Position
	startBox  render.Box
	dragBox   render.Box
	dragShape *canvas.Rectangle
}

func newPageView(p *preview) *pageView {
	v := &pageView{p: p, img: canvas.NewImageFromImage(nil), boxes: container.NewWithoutLayout()}
	v.img.FillMode = canvas.ImageFillStretch
	v.img.ScaleMode = canvas.ImageScaleSmooth
	v.ExtendBaseWidget(v)
	return v
}

func (v *pageView) setImage(img image.Image, size fyne.Size) {
	v.img.Image = img
	v.size = size
	v.img.Refresh()
	v.refreshMarks()
	v.Refresh()
}

// Image is the page as rendered (nil before the first render).
func (v *pageView) Image() image.Image { return v.img.Image }

func (v *pageView) CreateRenderer() fyne.WidgetRenderer {
	return &pageRenderer{v: v}
}

func (v *pageView) MinSize() fyne.Size { return v.size }

// toPos converts a Box to widget coordinates.
func (v *pageView) toPos(b render.Box) (fyne.Position, fyne.Size) {
	return fyne.NewPos(float32(b.X)*v.size.Width, float32(b.Y)*v.size.Height),
		fyne.NewSize(float32(b.W)*v.size.Width, float32(b.H)*v.size.Height)
}

func rectangle(c color.Color, width float32) *canvas.Rectangle {
	r := canvas.NewRectangle(color.Transparent)
	r.StrokeColor = c
	r.StrokeWidth = width
	return r
}

// refreshMarks redraws the boxes of the current page.
func (v *pageView) refreshMarks() {
	v.boxes.RemoveAll()
	if v.size.Width == 0 || v.p.page == 0 {
		v.boxes.Refresh()
		return
	}
	for _, m := range v.p.marks[v.p.page] {
		r := rectangle(m.Color, 2)
		pos, sz := v.toPos(m.Box)
		r.Move(pos)
		r.Resize(sz)
		v.boxes.Add(r)
	}
	if b := v.p.edit[v.p.page]; b != nil {
		r := rectangle(colPlacement, 2.5)
		r.FillColor = color.NRGBA{R: 0, G: 110, B: 230, A: 40}
		pos, sz := v.toPos(*b)
		r.Move(pos)
		r.Resize(sz)
		v.boxes.Add(r)
		v.dragShape = r
	}
	v.boxes.Refresh()
}

// Dragged moves or draws the editable box (only where a box is editable:
// the Sign screen with a visible role).
func (v *pageView) Dragged(ev *fyne.DragEvent) {
	if v.p.onBox == nil || v.size.Width == 0 || v.p.page == 0 {
		return
	}
	if !v.dragging {
		v.dragging = true
		v.start = ev.Position.Subtract(ev.Dragged)
		cur := v.p.edit[v.p.page]
		fx, fy := float64(v.start.X/v.size.Width), float64(v.start.Y/v.size.Height)
		v.moving = cur != nil && fx >= cur.X && fx <= cur.X+cur.W && fy >= cur.Y && fy <= cur.Y+cur.H
		if cur != nil {
			v.startBox = *cur
		}
	}
	fx, fy := float64(ev.Position.X/v.size.Width), float64(ev.Position.Y/v.size.Height)
	sx, sy := float64(v.start.X/v.size.Width), float64(v.start.Y/v.size.Height)
	var b render.Box
	if v.moving {
		b = v.startBox
		b.X = clamp(b.X+fx-sx, 0, 1-b.W)
		b.Y = clamp(b.Y+fy-sy, 0, 1-b.H)
	} else {
		x0, x1 := clamp(min(sx, fx), 0, 1), clamp(max(sx, fx), 0, 1)
		y0, y1 := clamp(min(sy, fy), 0, 1), clamp(max(sy, fy), 0, 1)
		b = render.Box{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
	}
	v.dragBox = b
	v.p.edit = map[int]*render.Box{v.p.page: &b}
	v.refreshMarks()
}

// DragEnd hands the new box to the screen.
func (v *pageView) DragEnd() {
	if !v.dragging {
		return
	}
	v.dragging = false
	b := v.dragBox
	if b.W < 0.01 || b.H < 0.005 {
		return // a click, not a box
	}
	if v.p.onBox != nil {
		v.p.onBox(v.p.page, b)
	}
}

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }

type pageRenderer struct{ v *pageView }

func (r *pageRenderer) Layout(size fyne.Size) {
	r.v.img.Move(fyne.NewPos(0, 0))
	r.v.img.Resize(r.v.size)
	r.v.boxes.Move(fyne.NewPos(0, 0))
	r.v.boxes.Resize(r.v.size)
}
func (r *pageRenderer) MinSize() fyne.Size { return r.v.size }
func (r *pageRenderer) Refresh() {
	r.Layout(r.v.size)
	canvas.Refresh(r.v.img)
	r.v.boxes.Refresh()
}
func (r *pageRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.v.img, r.v.boxes} }
func (r *pageRenderer) Destroy()                     {}
