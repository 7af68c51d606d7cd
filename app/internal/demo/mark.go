package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/vanthu/vanthu/assets"
)

// markRed is the colour of the demo mark.
var markRed = color.NRGBA{R: 200, G: 0, B: 0, A: 255}

// MarkImage returns a signature or seal PNG with a band below it that says
// "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" in red, as wide as the image: what a demo
// signature shows on the page. The input is checked by the caller
// (stamp.Check); the band keeps the transparent background.
func MarkImage(data []byte) ([]byte, error) {
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("failed to read the image: %w", err)
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	f, err := opentype.Parse(assets.SerifRegular)
	if err != nil {
		return nil, err
	}
	// The largest size at which the mark fits 94 % of the width.
	size := float64(h) / 4
	var face font.Face
	for ; size >= 6; size *= 0.9 {
		face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, err
		}
		if font.MeasureString(face, Mark).Ceil() <= w*94/100 {
			break
		}
	}
	m := face.Metrics()
	band := (m.Ascent + m.Descent).Ceil() + 4
	out := image.NewNRGBA(image.Rect(0, 0, w, h+band))
	draw.Draw(out, image.Rect(0, 0, w, h), src, b.Min, draw.Src)
	tw := font.MeasureString(face, Mark).Ceil()
	d := &font.Drawer{Dst: out, Src: image.NewUniform(markRed), Face: face,
		Dot: fixed.P((w-tw)/2, h+2+m.Ascent.Ceil())}
	d.DrawString(Mark)
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
