package render

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"sync"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/enums"
	pdfiumerrors "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// Size is a page's displayed size in points (after its /Rotate).
type Size struct {
	W, H float64
}

// Rect is a rectangle in PDF user space: points, origin bottom-left.
type Rect struct {
	X, Y, W, H float64
}

// Box is a rectangle on the displayed page as fractions of its width and
// height, from the top-left corner: multiply by an image's size to get
// pixels.
type Box struct {
	X, Y, W, H float64
}

// Widget is a form-field widget annotation of a page.
type Widget struct {
	// Field is the widget's own /T: set when field and widget are one
	// dictionary (the usual signature field), "" for the kid widgets of a
	// field with several widgets (PDFium does not follow /Parent outside
	// a form-filling environment).
	Field     string
	Signature bool // the widget says /FT /Sig itself
	Rect      Rect
	Box       Box
}

// Document is an open PDF. Its methods are safe for concurrent use.
type Document struct {
	r    *Renderer
	data []byte
	ra   io.ReaderAt
	size int64

	// guarded by r.sem
	ref    references.FPDF_DOCUMENT
	gen    uint64
	closed bool

	pages   int
	sizesMu sync.Mutex
	sizes   map[int]Size
}

// Open opens a PDF held in memory (data is not copied; do not change it
// while the Document is open).
func (r *Renderer) Open(ctx context.Context, data []byte) (*Document, error) {
	return r.openDoc(ctx, &Document{r: r, data: data, size: int64(len(data))})
}

// OpenReader opens a PDF of size bytes read through ra (e.g. an *os.File),
// without loading it into memory.
func (r *Renderer) OpenReader(ctx context.Context, ra io.ReaderAt, size int64) (*Document, error) {
	return r.openDoc(ctx, &Document{r: r, ra: ra, size: size})
}

func (r *Renderer) openDoc(ctx context.Context, d *Document) (*Document, error) {
	if d.size <= 0 {
		return nil, fmt.Errorf("%w: empty file", ErrUnreadable)
	}
	d.sizes = map[int]Size{}
	err := r.call(ctx, d, func(pdfium.Pdfium) error { return nil })
	if err != nil {
		return nil, err
	}
	return d, nil
}

// open loads the document into inst (first use, or after the instance was
// replaced) and reads the page count.
func (d *Document) open(inst pdfium.Pdfium, gen uint64) error {
	req := &requests.OpenDocument{}
	if d.data != nil {
		req.File = &d.data
	} else {
		req.FileReader = io.NewSectionReader(d.ra, 0, d.size)
		req.FileReaderSize = d.size
	}
	res, err := inst.OpenDocument(req)
	if err != nil {
		switch {
		case errors.Is(err, pdfiumerrors.ErrPassword), errors.Is(err, pdfiumerrors.ErrSecurity):
			return fmt.Errorf("%w: %v", ErrEncrypted, err)
		}
		return fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: res.Document})
	if err != nil {
		_, _ = inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: res.Document})
		return fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	if n.PageCount < 1 {
		_, _ = inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: res.Document})
		return fmt.Errorf("%w: no pages", ErrUnreadable)
	}
	d.ref, d.gen, d.pages = res.Document, gen, n.PageCount
	return nil
}

// Close releases the document.
func (d *Document) Close() error {
	d.r.sem <- struct{}{}
	defer func() { <-d.r.sem }()
	if d.closed {
		return nil
	}
	d.closed = true
	if d.r.inst != nil && d.gen == d.r.gen && !d.r.closed {
		_ = protect(func() error {
			_, err := d.r.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: d.ref})
			return err
		})
	}
	return nil
}

// Pages returns the number of pages.
func (d *Document) Pages() int { return d.pages }

func (d *Document) page(n int) (requests.Page, error) {
	if n < 1 || n > d.pages {
		return requests.Page{}, &PageError{Page: n, Pages: d.pages}
	}
	return requests.Page{ByIndex: &requests.PageByIndex{Document: d.ref, Index: n - 1}}, nil
}

// PageSize returns page n's displayed size in points.
func (d *Document) PageSize(ctx context.Context, n int) (Size, error) {
	if n < 1 || n > d.pages {
		return Size{}, &PageError{Page: n, Pages: d.pages}
	}
	d.sizesMu.Lock()
	s, ok := d.sizes[n]
	d.sizesMu.Unlock()
	if ok {
		return s, nil
	}
	err := d.r.call(ctx, d, func(inst pdfium.Pdfium) error {
		res, err := inst.FPDF_GetPageSizeByIndex(&requests.FPDF_GetPageSizeByIndex{Document: d.ref, Index: n - 1})
		if err != nil {
			return fmt.Errorf("%w: page %d: %v", ErrFailed, n, err)
		}
		s = Size{W: res.Width, H: res.Height}
		return nil
	})
	if err != nil {
		return Size{}, err
	}
	if !(s.W > 0 && s.H > 0) || math.IsInf(s.W, 0) || math.IsInf(s.H, 0) {
		return Size{}, fmt.Errorf("%w: page %d has no usable size", ErrFailed, n)
	}
	d.sizesMu.Lock()
	d.sizes[n] = s
	d.sizesMu.Unlock()
	return s, nil
}

// PixelSize is the size in pixels of page n rendered at dpi.
func (d *Document) PixelSize(ctx context.Context, n int, dpi float64) (w, h int, err error) {
	s, err := d.PageSize(ctx, n)
	if err != nil {
		return 0, 0, err
	}
	if !(dpi > 0) || dpi > 10000 {
		return 0, 0, fmt.Errorf("%w: %v dpi", ErrTooLarge, dpi)
	}
	fw, fh := math.Round(s.W*dpi/72), math.Round(s.H*dpi/72)
	if fw*fh > float64(d.r.opts.MaxPixels) {
		return 0, 0, fmt.Errorf("%w: %.0f × %.0f pixels (at most %d)", ErrTooLarge, fw, fh, d.r.opts.MaxPixels)
	}
	return max(1, int(fw)), max(1, int(fh)), nil
}

// Render draws page n at dpi (72 = one pixel per point) with its
// annotations (signature appearances included), on white.
func (d *Document) Render(ctx context.Context, n int, dpi float64) (*image.RGBA, error) {
	return d.render(ctx, n, dpi, true)
}

// RenderContent draws page n at dpi without any annotation or form
// field: the page content alone, on white.
func (d *Document) RenderContent(ctx context.Context, n int, dpi float64) (*image.RGBA, error) {
	return d.render(ctx, n, dpi, false)
}

func (d *Document) render(ctx context.Context, n int, dpi float64, annots bool) (*image.RGBA, error) {
	w, h, err := d.PixelSize(ctx, n, dpi)
	if err != nil {
		return nil, err
	}
	var out *image.RGBA
	err = d.r.call(ctx, d, func(inst pdfium.Pdfium) error {
		p, err := d.page(n)
		if err != nil {
			return err
		}
		req := &requests.RenderPageInPixels{Page: p, Width: w, Height: h}
		if annots {
			req.RenderFlags, req.RenderForm = enums.FPDF_RENDER_FLAG_ANNOT, true
		}
		res, err := inst.RenderPageInPixels(req)
		if err != nil {
			return fmt.Errorf("%w: page %d: %v", ErrFailed, n, err)
		}
		defer res.Cleanup()
		src := res.Result.RenderedImage
		if src == nil {
			return fmt.Errorf("%w: page %d: no image", ErrFailed, n)
		}
		// Copy out of PDFium's memory, onto white.
		out = image.NewRGBA(src.Bounds())
		draw.Draw(out, out.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
		draw.Draw(out, out.Bounds(), src, src.Bounds().Min, draw.Over)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// boxScale is the virtual device size per point used to convert between
// page and displayed coordinates (PDFium converts to integer pixels).
const boxScale = 64

// ToBox converts a rectangle in page n's user space to a Box on the
// displayed page.
func (d *Document) ToBox(ctx context.Context, n int, r Rect) (Box, error) {
	bs, err := d.ToBoxes(ctx, n, []Rect{r})
	if err != nil {
		return Box{}, err
	}
	return bs[0], nil
}

// ToBoxes converts several rectangles of page n (one PDFium call).
func (d *Document) ToBoxes(ctx context.Context, n int, rs []Rect) ([]Box, error) {
	s, err := d.PageSize(ctx, n)
	if err != nil {
		return nil, err
	}
	sx, sy := int(math.Round(s.W*boxScale)), int(math.Round(s.H*boxScale))
	out := make([]Box, len(rs))
	err = d.r.call(ctx, d, func(inst pdfium.Pdfium) error {
		p, err := d.page(n)
		if err != nil {
			return err
		}
		for i, r := range rs {
			b, err := toBox(inst, p, sx, sy, r)
			if err != nil {
				return err
			}
			out[i] = b
		}
		return nil
	})
	return out, err
}

func toBox(inst pdfium.Pdfium, p requests.Page, sx, sy int, r Rect) (Box, error) {
	var xs, ys []float64
	for _, pt := range [][2]float64{{r.X, r.Y}, {r.X + r.W, r.Y + r.H}} {
		res, err := inst.FPDF_PageToDevice(&requests.FPDF_PageToDevice{Page: p, SizeX: sx, SizeY: sy, PageX: pt[0], PageY: pt[1]})
		if err != nil {
			return Box{}, fmt.Errorf("%w: %v", ErrFailed, err)
		}
		xs = append(xs, float64(res.DeviceX))
		ys = append(ys, float64(res.DeviceY))
	}
	x0, x1 := math.Min(xs[0], xs[1]), math.Max(xs[0], xs[1])
	y0, y1 := math.Min(ys[0], ys[1]), math.Max(ys[0], ys[1])
	return Box{X: x0 / float64(sx), Y: y0 / float64(sy), W: (x1 - x0) / float64(sx), H: (y1 - y0) / float64(sy)}, nil
}

// FromBox converts a Box on displayed page n to a rectangle in its user
// space (what the signing packages take).
func (d *Document) FromBox(ctx context.Context, n int, b Box) (Rect, error) {
	s, err := d.PageSize(ctx, n)
	if err != nil {
		return Rect{}, err
	}
	sx, sy := int(math.Round(s.W*boxScale)), int(math.Round(s.H*boxScale))
	var out Rect
	err = d.r.call(ctx, d, func(inst pdfium.Pdfium) error {
		p, err := d.page(n)
		if err != nil {
			return err
		}
		var xs, ys []float64
		for _, pt := range [][2]float64{{b.X, b.Y}, {b.X + b.W, b.Y + b.H}} {
			res, err := inst.FPDF_DeviceToPage(&requests.FPDF_DeviceToPage{Page: p, SizeX: sx, SizeY: sy,
				DeviceX: int(math.Round(pt[0] * float64(sx))), DeviceY: int(math.Round(pt[1] * float64(sy)))})
			if err != nil {
				return fmt.Errorf("%w: %v", ErrFailed, err)
			}
			xs = append(xs, res.PageX)
			ys = append(ys, res.PageY)
		}
		x0, x1 := math.Min(xs[0], xs[1]), math.Max(xs[0], xs[1])
		y0, y1 := math.Min(ys[0], ys[1]), math.Max(ys[0], ys[1])
		out = Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
		return nil
	})
	return out, err
}

// maxAnnots bounds the annotations looked at on one page.
const maxAnnots = 10000

// Widgets lists the form-field widgets of page n (signature fields and
// others), with their rectangles and Boxes.
func (d *Document) Widgets(ctx context.Context, n int) ([]Widget, error) {
	s, err := d.PageSize(ctx, n)
	if err != nil {
		return nil, err
	}
	sx, sy := int(math.Round(s.W*boxScale)), int(math.Round(s.H*boxScale))
	var out []Widget
	err = d.r.call(ctx, d, func(inst pdfium.Pdfium) error {
		p, err := d.page(n)
		if err != nil {
			return err
		}
		cnt, err := inst.FPDFPage_GetAnnotCount(&requests.FPDFPage_GetAnnotCount{Page: p})
		if err != nil {
			return fmt.Errorf("%w: %v", ErrFailed, err)
		}
		for i := 0; i < cnt.Count && i < maxAnnots; i++ {
			w, ok, err := widget(inst, p, i)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if w.Box, err = toBox(inst, p, sx, sy, w.Rect); err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	return out, err
}

func widget(inst pdfium.Pdfium, p requests.Page, i int) (Widget, bool, error) {
	a, err := inst.FPDFPage_GetAnnot(&requests.FPDFPage_GetAnnot{Page: p, Index: i})
	if err != nil {
		return Widget{}, false, nil // an annotation PDFium cannot load is skipped
	}
	defer func() { _, _ = inst.FPDFPage_CloseAnnot(&requests.FPDFPage_CloseAnnot{Annotation: a.Annotation}) }()
	st, err := inst.FPDFAnnot_GetSubtype(&requests.FPDFAnnot_GetSubtype{Annotation: a.Annotation})
	if err != nil || st.Subtype != enums.FPDF_ANNOT_SUBTYPE_WIDGET {
		return Widget{}, false, nil
	}
	rr, err := inst.FPDFAnnot_GetRect(&requests.FPDFAnnot_GetRect{Annotation: a.Annotation})
	if err != nil {
		return Widget{}, false, nil
	}
	x0, x1 := math.Min(float64(rr.Rect.Left), float64(rr.Rect.Right)), math.Max(float64(rr.Rect.Left), float64(rr.Rect.Right))
	y0, y1 := math.Min(float64(rr.Rect.Bottom), float64(rr.Rect.Top)), math.Max(float64(rr.Rect.Bottom), float64(rr.Rect.Top))
	w := Widget{Rect: Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}}
	str := func(ann references.FPDF_ANNOTATION, key string) string {
		v, err := inst.FPDFAnnot_GetStringValue(&requests.FPDFAnnot_GetStringValue{Annotation: ann, Key: key})
		if err != nil {
			return ""
		}
		return v.Value
	}
	w.Field, w.Signature = str(a.Annotation, "T"), str(a.Annotation, "FT") == "Sig"
	return w, true, nil
}
