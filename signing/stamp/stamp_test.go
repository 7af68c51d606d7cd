package stamp

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/signing/roles/rolestest"
)

func encode(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCheck: signature and seal PNGs pass with their ink colour; other
// files, opaque images, empty ones and absurd sizes are refused with the
// matching error.
func TestCheck(t *testing.T) {
	info, _, err := Check(rolestest.SignaturePNG(600, 240))
	if err != nil || info.Ink != InkBlue || info.Width != 600 {
		t.Fatalf("signature: %+v %v", info, err)
	}
	info, _, err = Check(rolestest.SealPNG(400))
	if err != nil || info.Ink != InkRed || info.Bounds != image.Rect(0, 0, 400, 400) {
		t.Fatalf("seal: %+v %v", info, err)
	}
	if _, _, err := Check([]byte("GIF89a....")); !errors.Is(err, ErrNotPNG) {
		t.Fatalf("GIF: %v", err)
	}
	if _, _, err := Check([]byte("\x89PNG\r\n\x1a\ntruncated")); !errors.Is(err, ErrNotPNG) {
		t.Fatalf("truncated: %v", err)
	}
	if _, _, err := Check(rolestest.OpaquePNG(300, 100)); !errors.Is(err, ErrNoTransparency) {
		t.Fatalf("opaque RGB: %v", err)
	}
	// An RGBA image whose background is white, not transparent.
	white := image.NewNRGBA(image.Rect(0, 0, 100, 100))
	for i := range white.Pix {
		white.Pix[i] = 255
	}
	if _, _, err := Check(encode(t, white)); !errors.Is(err, ErrNoTransparency) {
		t.Fatalf("white RGBA: %v", err)
	}
	gray := image.NewGray(image.Rect(0, 0, 100, 100))
	if _, _, err := Check(encode(t, gray)); !errors.Is(err, ErrNoTransparency) {
		t.Fatalf("grey: %v", err)
	}
	if _, _, err := Check(encode(t, image.NewNRGBA(image.Rect(0, 0, 100, 100)))); !errors.Is(err, ErrEmpty) {
		t.Fatalf("empty: %v", err)
	}
	var se *SizeError
	if _, _, err := Check(encode(t, image.NewNRGBA(image.Rect(0, 0, 16, 100)))); !errors.As(err, &se) || se.What != "width" {
		t.Fatalf("tiny: %v", err)
	}
	if _, _, err := Check(encode(t, image.NewNRGBA(image.Rect(0, 0, 100, 4100)))); !errors.Is(err, ErrSize) {
		t.Fatalf("huge: %v", err)
	}
	if _, _, err := Check(make([]byte, MaxBytes+1)); !errors.Is(err, ErrSize) {
		t.Fatalf("too many bytes: %v", err)
	}
	// A paletted PNG with a transparent entry is fine.
	pal := image.NewPaletted(image.Rect(0, 0, 100, 50), color.Palette{color.NRGBA{}, color.NRGBA{R: 200, A: 255}})
	for x := 0; x < 100; x++ {
		pal.SetColorIndex(x, 25, 1)
		pal.SetColorIndex(x, 26, 1)
	}
	if info, _, err := Check(encode(t, pal)); err != nil || info.Ink != InkRed {
		t.Fatalf("paletted: %+v %v", info, err)
	}
}

// TestLoadCrops: the appearance image is cropped to the ink, so a seal
// drawn with margins is placed at the size of the seal itself.
func TestLoadCrops(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 200, 100))
	for y := 20; y < 60; y++ {
		for x := 50; x < 130; x++ {
			img.Set(x, y, color.NRGBA{B: 200, A: 255})
		}
	}
	im, info, err := Load(encode(t, img))
	if err != nil {
		t.Fatal(err)
	}
	if im.Width != 80 || im.Height != 40 || info.Ink != InkBlue {
		t.Fatalf("cropped to %dx%d (%+v)", im.Width, im.Height, info)
	}
}

// TestStore: import, get, list and remove per owner and kind; bad input
// leaves nothing behind.
func TestStore(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Dir: dir}
	e, err := s.Import(KindSignature, "Nguyễn Văn Ánh", rolestest.SignaturePNG(300, 120))
	if err != nil {
		t.Fatal(err)
	}
	if e.Path != filepath.Join(dir, "images", "signature", "nguyen-van-anh.png") || e.Ink != InkBlue {
		t.Fatalf("entry %+v", e)
	}
	if _, err := s.Import(KindSeal, "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", rolestest.SealPNG(300)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(KindSeal, "Sở Nội vụ", rolestest.OpaquePNG(100, 100)); !errors.Is(err, ErrNoTransparency) {
		t.Fatalf("opaque seal: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "images", "seal", "so-noi-vu.png")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused image was stored: %v", err)
	}
	if _, err := s.Import(KindSeal, "  ", rolestest.SealPNG(100)); !errors.Is(err, ErrBadOwner) {
		t.Fatalf("blank owner: %v", err)
	}
	data, got, err := s.Get(KindSignature, "NGUYỄN VĂN ÁNH")
	if err != nil || len(data) == 0 || got.Owner != "Nguyễn Văn Ánh" {
		t.Fatalf("get: %+v %v", got, err)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 || list[0].Kind != KindSignature || list[1].Owner != "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := s.Remove(KindSignature, "Nguyễn Văn Ánh"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(KindSignature, "Nguyễn Văn Ánh"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
	if err := s.Remove(KindSignature, "Nguyễn Văn Ánh"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove twice: %v", err)
	}
	if Slug("Đặng Thị Ngọc Đào") != "dang-thi-ngoc-dao" || Slug("Sở  Nội vụ / Đắk Lắk") != "so-noi-vu-dak-lak" {
		t.Fatalf("slugs %q %q", Slug("Đặng Thị Ngọc Đào"), Slug("Sở  Nội vụ / Đắk Lắk"))
	}
	if k, err := ParseKind("con-dau"); err != nil || k != KindSeal {
		t.Fatalf("ParseKind: %v %v", k, err)
	}
}
