package rolestest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
)

func encodePNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // in-memory encoding of a valid image cannot fail
	}
	return b.Bytes()
}

// SignatureBlue is the ink colour of SignaturePNG.
var SignatureBlue = color.NRGBA{R: 20, G: 40, B: 190, A: 255}

// SealRed is the ink colour of SealPNG.
var SealRed = color.NRGBA{R: 215, G: 25, B: 30, A: 255}

func disc(img *image.NRGBA, cx, cy, r float64, c color.NRGBA) {
	b := img.Bounds()
	for y := int(cy - r - 1); y <= int(cy+r+1); y++ {
		for x := int(cx - r - 1); x <= int(cx+r+1); x++ {
			if !(image.Point{x, y}.In(b)) {
				continue
			}
			if (float64(x)+0.5-cx)*(float64(x)+0.5-cx)+(float64(y)+0.5-cy)*(float64(y)+0.5-cy) <= r*r {
				img.SetNRGBA(x, y, c)
			}
		}
	}
}

// SignaturePNG returns a w×h handwritten-looking signature: blue strokes
// on a transparent background, the strokes touching all four edges.
func SignaturePNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	pen := math.Max(2, float64(h)/30)
	fw, fh := float64(w)-2*pen, float64(h)-2*pen
	for i := 0; i <= 4000; i++ {
		t := float64(i) / 4000
		// A looping scribble across the width.
		x := pen + fw*t
		y := pen + fh*(0.5+0.45*math.Sin(t*math.Pi*7)*math.Cos(t*math.Pi*1.3))
		disc(img, x, y, pen, SignatureBlue)
	}
	// An underline flourish and a dot.
	for i := 0; i <= 1000; i++ {
		t := float64(i) / 1000
		disc(img, pen+fw*0.1+fw*0.8*t, float64(h)-pen-fh*0.05*math.Sin(t*math.Pi), pen*0.7, SignatureBlue)
	}
	disc(img, pen+fw*0.5, pen+1, pen, SignatureBlue)
	return encodePNG(img)
}

// SealPNG returns a round red seal of px×px pixels: an outer ring touching
// the edges, an inner ring and a star, on a transparent background.
func SealPNG(px int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, px, px))
	c := float64(px) / 2
	ring := func(r0, r1 float64) {
		for y := 0; y < px; y++ {
			for x := 0; x < px; x++ {
				d := math.Hypot(float64(x)+0.5-c, float64(y)+0.5-c)
				if d <= r1 && d >= r0 {
					img.SetNRGBA(x, y, SealRed)
				}
			}
		}
	}
	ring(c*0.90, c)
	ring(c*0.62, c*0.67)
	// A five-pointed star.
	for y := 0; y < px; y++ {
		for x := 0; x < px; x++ {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			r := math.Hypot(dx, dy)
			a := math.Atan2(dy, dx) + math.Pi/2
			k := math.Mod(a*5/(2*math.Pi)+10, 1)
			lim := c * 0.45 * (0.45 + 0.55*math.Abs(1-2*k))
			if r <= lim {
				img.SetNRGBA(x, y, SealRed)
			}
		}
	}
	// Text-like marks between the rings.
	for i := 0; i < 36; i++ {
		a := float64(i) / 36 * 2 * math.Pi
		disc(img, c+math.Cos(a)*c*0.78, c+math.Sin(a)*c*0.78, c*0.05, SealRed)
	}
	return encodePNG(img)
}

// OpaquePNG returns a w×h RGB PNG without an alpha channel (a scanned
// signature on white paper).
func OpaquePNG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{255, 255, 255, 255})
			if (x+y)%17 < 3 {
				img.Set(x, y, color.RGBA{20, 40, 190, 255})
			}
		}
	}
	return encodePNG(img)
}
