// Package appearance describes what a visible signature draws: the
// widget's rectangle and content stream, RGB images with alpha soft masks,
// and fonts (the standard 14, or TrueType programs embedded as subset
// Type0/Identity-H fonts with a ToUnicode map, so Vietnamese text renders
// and extracts). Write adds an appearance's objects to an incremental
// update.
package appearance

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/vanthu/vanthu/signing/pdf"
)

// Rect is a rectangle in PDF user space (points, origin bottom-left).
type Rect struct {
	X, Y, W, H float64
}

// Appearance describes a visible signature. The caller supplies the
// content stream that draws the widget in the box [0 0 Rect.W Rect.H] and
// the resources it names.
type Appearance struct {
	Page    int    // 1-based page number
	Rect    Rect   // widget rectangle on the page
	Content []byte // content stream operators (uncompressed)
	// Images are image XObjects by resource name (used as "/Name Do").
	Images map[string]*Image
	// Fonts are fonts by resource name (used as "/Name size Tf").
	Fonts map[string]*Font
}

// Image is an 8-bit RGB image with an optional 8-bit alpha channel, which
// becomes the image's soft mask.
type Image struct {
	Width, Height int
	RGB           []byte // Width*Height*3 bytes
	Alpha         []byte // nil or Width*Height bytes
}

// ImageFromPNG decodes a PNG into an Image (RGB + alpha soft mask).
func ImageFromPNG(r io.Reader) (*Image, error) {
	img, err := png.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("failed to decode PNG: %w", err)
	}
	return ImageFromImage(img), nil
}

// ImageFromImage converts any image.Image.
func ImageFromImage(img image.Image) *Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := &Image{Width: w, Height: h, RGB: make([]byte, 0, w*h*3)}
	alpha := make([]byte, 0, w*h)
	opaque := true
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if a == 0 {
				out.RGB = append(out.RGB, 255, 255, 255)
			} else {
				// Un-premultiply.
				out.RGB = append(out.RGB, byte(r*0xffff/a>>8), byte(g*0xffff/a>>8), byte(bl*0xffff/a>>8))
			}
			alpha = append(alpha, byte(a>>8))
			if a != 0xffff {
				opaque = false
			}
		}
	}
	if !opaque {
		out.Alpha = alpha
	}
	return out
}

func deflate(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// Validate checks the rectangle, images and fonts.
func (a *Appearance) Validate() error {
	if a.Rect.W <= 0 || a.Rect.H <= 0 {
		return fmt.Errorf("%w: the signature rectangle must have a positive width and height", ErrInvalid)
	}
	for name, im := range a.Images {
		if im == nil || im.Width <= 0 || im.Height <= 0 || len(im.RGB) != im.Width*im.Height*3 ||
			(im.Alpha != nil && len(im.Alpha) != im.Width*im.Height) {
			return fmt.Errorf("%w: image %q has inconsistent dimensions", ErrInvalid, name)
		}
	}
	for name, f := range a.Fonts {
		if f == nil || (f.BaseFont == "" && f.tt == nil) {
			return fmt.Errorf("%w: font %q is neither a standard font nor a TrueType font", ErrInvalid, name)
		}
	}
	return nil
}

// Write adds the appearance XObject and its resources to u and returns
// the XObject's reference.
func Write(u *pdf.Update, a *Appearance) pdf.Ref {
	res := pdf.Dict{}
	if len(a.Images) > 0 {
		xo := pdf.Dict{}
		for name, im := range a.Images {
			r := u.Alloc()
			d := pdf.Dict{
				"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Image"),
				"Width": pdf.Integer(im.Width), "Height": pdf.Integer(im.Height),
				"ColorSpace": pdf.Name("DeviceRGB"), "BitsPerComponent": pdf.Integer(8),
				"Filter": pdf.Name("FlateDecode"),
			}
			if im.Alpha != nil {
				mr := u.Alloc()
				u.Set(mr, &pdf.Stream{Dict: pdf.Dict{
					"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Image"),
					"Width": pdf.Integer(im.Width), "Height": pdf.Integer(im.Height),
					"ColorSpace": pdf.Name("DeviceGray"), "BitsPerComponent": pdf.Integer(8),
					"Filter": pdf.Name("FlateDecode"),
				}, Data: deflate(im.Alpha), Offset: -1})
				d["SMask"] = mr
			}
			u.Set(r, &pdf.Stream{Dict: d, Data: deflate(im.RGB), Offset: -1})
			xo[pdf.Name(name)] = r
		}
		res["XObject"] = xo
	}
	if len(a.Fonts) > 0 {
		fd := pdf.Dict{}
		for name, f := range a.Fonts {
			fd[pdf.Name(name)] = writeFont(u, f)
		}
		res["Font"] = fd
	}
	res["ProcSet"] = pdf.Array{pdf.Name("PDF"), pdf.Name("Text"), pdf.Name("ImageC")}
	ref := u.Alloc()
	u.Set(ref, &pdf.Stream{Dict: pdf.Dict{
		"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Form"),
		"BBox":      pdf.Array{pdf.Integer(0), pdf.Integer(0), pdf.Real(a.Rect.W), pdf.Real(a.Rect.H)},
		"Resources": res,
		"Filter":    pdf.Name("FlateDecode"),
	}, Data: deflate(a.Content), Offset: -1})
	return ref
}
