package pades

import (
	"bytes"

	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pdf"
)

// formWithSigFields: a page with an empty signature field "ChuyenVien", a
// text field "HoTen" and, when locked != "", a signed field carrying the
// given /Lock dictionary plus an empty field "VanThu".
func formWithSigFields(locked string) []byte {
	b := &pdfBuilder{version: "1.7"}
	b.add("<</Type /Catalog /Pages 2 0 R /AcroForm 5 0 R>>")
	b.add("<</Type /Pages /Kids [3 0 R] /Count 1>>")
	fields := []string{}
	annots := []string{}
	b.add("") // page 3, filled below
	b.add(contentStream("Form"))
	b.add("") // acroform 5
	f := b.add("<</Type /Annot /Subtype /Widget /FT /Sig /T (ChuyenVien) /Rect [300 100 500 150] /P 3 0 R /F 4>>")
	fields, annots = append(fields, fmt.Sprintf("%d 0 R", f)), append(annots, fmt.Sprintf("%d 0 R", f))
	f = b.add("<</Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V (Le Van B) /DA (/Helv 12 Tf 0 g) /Rect [72 600 300 620] /P 3 0 R /F 4>>")
	fields, annots = append(fields, fmt.Sprintf("%d 0 R", f)), append(annots, fmt.Sprintf("%d 0 R", f))
	if locked != "" {
		sig := b.add("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <00>>>")
		f = b.add(fmt.Sprintf("<</Type /Annot /Subtype /Widget /FT /Sig /T (LanhDao) /V %d 0 R /Lock %s /Rect [0 0 0 0] /P 3 0 R /F 132>>", sig, locked))
		fields, annots = append(fields, fmt.Sprintf("%d 0 R", f)), append(annots, fmt.Sprintf("%d 0 R", f))
		f = b.add("<</Type /Annot /Subtype /Widget /FT /Sig /T (VanThu) /Rect [100 100 250 150] /P 3 0 R /F 4>>")
		fields, annots = append(fields, fmt.Sprintf("%d 0 R", f)), append(annots, fmt.Sprintf("%d 0 R", f))
	}
	b.objs[2] = fmt.Sprintf("<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 <</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>>>>> /Contents 4 0 R /Annots [%s]>>", strings.Join(annots, " "))
	b.objs[4] = fmt.Sprintf("<</Fields [%s]>>", strings.Join(fields, " "))
	return b.bytes()
}

// TestSignExistingEmptyField: naming an existing empty signature field
// signs it in place (no new field); naming a text field is refused.
func TestSignExistingEmptyField(t *testing.T) {
	p := sharedPKI(t)
	o := optsFor(p.Leader)
	o.FieldName = "ChuyenVien"
	out, res := signBytes(t, formWithSigFields(""), o)
	if res.FieldName != "ChuyenVien" {
		t.Fatalf("field %q", res.FieldName)
	}
	checkAll(t, out, 1)
	fields := fieldNames(t, openOut(t, out))
	if len(fields) != 2 || fields["ChuyenVien"].Dict["V"] == nil {
		t.Fatalf("fields after signing: %v", fields)
	}
	o.FieldName = "HoTen"
	in := writeTemp(t, "f.pdf", formWithSigFields(""))
	if _, err := SignFile(context.Background(), in, filepath.Join(t.TempDir(), "x.pdf"), o); !errors.Is(err, ErrFieldExists) {
		t.Fatalf("signing a text field: %v", err)
	}
	// Signing the already signed field again is refused too.
	o.FieldName = "ChuyenVien"
	if _, err := SignFile(context.Background(), out, filepath.Join(t.TempDir(), "x.pdf"), o); !errors.Is(err, ErrFieldExists) {
		t.Fatalf("re-signing a signed field: %v", err)
	}
}

// TestFieldMDPLocks: a FieldMDP lock naming a field forbids signing it,
// other fields stay signable; a lock with /P 1 forbids any change.
func TestFieldMDPLocks(t *testing.T) {
	p := sharedPKI(t)
	in := writeTemp(t, "locked.pdf", formWithSigFields("<</Type /SigFieldLock /Action /Include /Fields [(VanThu)]>>"))
	cs := &countingSigner{Signer: p.Leader.Key}
	o := optsFor(p.Leader)
	o.Signer = cs
	o.FieldName = "VanThu"
	dir := t.TempDir()
	if _, err := SignFile(context.Background(), in, filepath.Join(dir, "x.pdf"), o); !errors.Is(err, ErrFieldLocked) {
		t.Fatalf("locked field: %v", err)
	}
	o.FieldName = "ChuyenVien"
	if _, err := SignFile(context.Background(), in, filepath.Join(dir, "y.pdf"), o); err != nil {
		t.Fatalf("unlocked field: %v", err)
	}
	pdfcheck.Qpdf(t, filepath.Join(dir, "y.pdf"))
	in2 := writeTemp(t, "locked-p1.pdf", formWithSigFields("<</Type /SigFieldLock /Action /All /P 1>>"))
	o.FieldName = ""
	if _, err := SignFile(context.Background(), in2, filepath.Join(dir, "z.pdf"), o); !errors.Is(err, ErrFieldLocked) {
		t.Fatalf("P=1 lock: %v", err)
	}
	if cs.n.Load() != 1 {
		t.Fatalf("signer called %d times, want 1", cs.n.Load())
	}
}

// TestVisibleSignature: a caller-supplied appearance (content stream, an
// RGBA image with soft mask, a standard font) is placed on page 2; the
// signature validates and the page renders ink inside the rectangle.
func TestVisibleSignature(t *testing.T) {
	p := sharedPKI(t)
	img := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for y := 0; y < 40; y++ {
		for x := 0; x < 40; x++ {
			a := uint8(255)
			if (x-20)*(x-20)+(y-20)*(y-20) > 400 {
				a = 0
			}
			img.Set(x, y, color.NRGBA{R: 200, G: 0, B: 0, A: a})
		}
	}
	f, _ := os.CreateTemp(t.TempDir(), "*.png")
	png.Encode(f, img)
	f.Seek(0, 0)
	im, err := appearance.ImageFromPNG(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if im.Alpha == nil {
		t.Fatal("alpha lost")
	}
	o := optsFor(p.Director)
	o.Visible = &appearance.Appearance{
		Page: 2,
		Rect: appearance.Rect{X: 300, Y: 100, W: 200, H: 60},
		Content: []byte("q 0 0 1 RG 2 w 1 1 198 58 re S Q " +
			"q 50 0 0 50 5 5 cm /Im1 Do Q " +
			"BT 0 g /F1 10 Tf 60 35 Td (Digitally signed) Tj ET"),
		Images: map[string]*appearance.Image{"Im1": im},
		Fonts:  map[string]*appearance.Font{"F1": {BaseFont: "Helvetica"}},
	}
	out, _ := signBytes(t, simplePDF("1.7", 2, true), o)
	checkAll(t, out, 1)
	png := filepath.Join(t.TempDir(), "page")
	if b, err := exec.Command("pdftoppm", "-f", "2", "-l", "2", "-r", "72", "-png", "-singlefile", out, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	pf, err := os.Open(png + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	rendered, err := imageDecodePNG(pf)
	if err != nil {
		t.Fatal(err)
	}
	// PDF (330, 130) is inside the red disc; y flips: 842-130 = 712.
	r, g, bb, _ := rendered.At(330, 712).RGBA()
	if !(r > 0x8000 && g < 0x4000 && bb < 0x4000) {
		t.Fatalf("no red image at the signature position: %x %x %x", r, g, bb)
	}
	// Outside the rectangle the page stays white.
	r, g, bb, _ = rendered.At(250, 712).RGBA()
	if r < 0xf000 || g < 0xf000 || bb < 0xf000 {
		t.Fatalf("ink outside the rectangle: %x %x %x", r, g, bb)
	}
}

func imageDecodePNG(f *os.File) (image.Image, error) { return png.Decode(f) }

// TestTextAppearance: the CLI's plain appearance signs and renders.
func TestTextAppearance(t *testing.T) {
	p := sharedPKI(t)
	o := optsFor(p.Leader)
	o.Visible = appearance.TextAppearance(1, appearance.Rect{X: 350, Y: 50, W: 200, H: 50}, []string{"Ký bởi: Nguyễn Văn Ánh", "Ngày ký: 21/11/2026"}, nil)
	out, _ := signBytes(t, simplePDF("1.7", 1, false), o)
	checkAll(t, out, 1)
}

// TestTrueTypeAppearance: a visible signature with an embedded TrueType
// font (Liberation Sans, installed with fonts-liberation2) showing
// Vietnamese text: validators accept the font objects, the ToUnicode map
// carries the Vietnamese characters, and the text renders inside the box.
func TestTrueTypeAppearance(t *testing.T) {
	p := sharedPKI(t)
	ttf, err := os.ReadFile("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
	if err != nil {
		t.Fatalf("Liberation Sans (fonts-liberation2) is needed: %v", err)
	}
	font, err := appearance.NewTrueTypeFont(ttf)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"Ký bởi: Nguyễn Văn Ánh", "Ủy ban nhân dân tỉnh Đắk Lắk"}
	if w := font.Width(lines[0], 10); w < 80 || w > 140 {
		t.Fatalf("width of %q at 10 pt = %.1f", lines[0], w)
	}
	o := optsFor(p.Leader)
	o.Visible = appearance.TextAppearance(1, appearance.Rect{X: 300, Y: 50, W: 250, H: 60}, lines, font)
	out, _ := signBytes(t, simplePDF("1.7", 1, false), o)
	checkAll(t, out, 1)
	b, _ := os.ReadFile(out)
	if !bytes.Contains(b, []byte("/FontFile2")) || !bytes.Contains(b, []byte("/Identity-H")) {
		t.Fatal("font not embedded as Type0/Identity-H")
	}
	// Only a subset is embedded (the whole font deflates to about 210 KB).
	if growth := len(b) - len(simplePDF("1.7", 1, false)); growth > 60<<10 {
		t.Fatalf("the signature added %d bytes; the font is not subset", growth)
	}
	// The ToUnicode map (decoded) maps glyphs back to the Vietnamese text.
	f := openOut(t, out)
	found := false
	for n := 1; n <= f.MaxNumber(); n++ {
		o, err := f.Object(n)
		if err != nil {
			continue
		}
		if s, ok := o.(*pdf.Stream); ok {
			d, err := f.Decode(s)
			if err == nil && bytes.Contains(d, []byte("beginbfchar")) && bytes.Contains(d, []byte("<1EC5>")) && bytes.Contains(d, []byte("<0110>")) {
				found = true // ễ and Đ
			}
		}
	}
	if !found {
		t.Fatal("ToUnicode map lacks the Vietnamese characters")
	}
	png := filepath.Join(t.TempDir(), "page")
	if b, err := exec.Command("pdftoppm", "-r", "72", "-png", "-singlefile", out, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	pf, err := os.Open(png + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	img, err := imageDecodePNG(pf)
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	for y := 842 - 110; y < 842-52; y++ {
		for x := 302; x < 548; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r < 0x8000 && g < 0x8000 && bb > 0x2000 {
				dark++
			}
		}
	}
	if dark < 200 {
		t.Fatalf("only %d dark pixels in the signature box", dark)
	}
}
