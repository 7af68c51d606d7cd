package rolestest

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ScannedPDF renders every page of src with pdftoppm (grey, dpi) and
// returns a PDF whose pages are only those images, as a scanner makes
// them: no text at all.
func ScannedPDF(ctx context.Context, src []byte, dir string, dpi int) ([]byte, error) {
	in := filepath.Join(dir, "scan-src.pdf")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		return nil, err
	}
	prefix := filepath.Join(dir, "scan")
	out, err := exec.CommandContext(ctx, "pdftoppm", "-gray", "-r", fmt.Sprint(dpi), "-png", in, prefix).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, out)
	}
	files, _ := filepath.Glob(prefix + "-*.png")
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("pdftoppm rendered no page")
	}
	w := &pdfWriter{}
	catalog := w.alloc()
	pagesRef := w.alloc()
	var kids []string
	for _, fn := range files {
		f, err := os.Open(fn)
		if err != nil {
			return nil, err
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		b := img.Bounds()
		gray := make([]byte, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, _, _, _ := img.At(x, y).RGBA()
				gray = append(gray, byte(r>>8))
			}
		}
		im := w.stream(fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8", b.Dx(), b.Dy()), gray)
		content := w.stream("", []byte(fmt.Sprintf("q %s 0 0 %s 0 0 cm /Im0 Do Q\n", fnum(pageW), fnum(pageH))))
		page := w.add(fmt.Sprintf("<</Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources <</XObject <</Im0 %d 0 R>>>> /Contents %d 0 R>>",
			pagesRef, fnum(pageW), fnum(pageH), im, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	w.set(pagesRef, fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), len(kids)))
	w.set(catalog, fmt.Sprintf("<</Type /Catalog /Pages %d 0 R>>", pagesRef))
	return w.bytes(catalog, "rolestest scanner"), nil
}
