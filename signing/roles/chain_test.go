package roles

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
	"github.com/vanthu/vanthu/signing/verify"
)

// producer makes a test document.
type producer struct {
	name  string
	pages int
	make  func(t *testing.T, d rolestest.Doc) []byte
}

func producers() []producer {
	writer := func(ws rolestest.WriterStyle) func(t *testing.T, d rolestest.Doc) []byte {
		return func(t *testing.T, d rolestest.Doc) []byte {
			b, _, err := d.PDF(ws)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	lo := func(t *testing.T, d rolestest.Doc) []byte {
		b, err := d.LibreOfficePDF(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []producer{
		{"writer-tj", 1, writer(rolestest.TJ)},
		{"writer-perglyph-2pages", 2, writer(rolestest.PerGlyph)},
		{"libreoffice", 1, lo},
		{"libreoffice-2pages", 2, lo},
	}
}

// TestChainReviewApproveIssue: on documents from three producers (this
// package's writer with TJ arrays, the same with per-glyph positioning
// inside a scaled form XObject and the signer block on page 2, and
// LibreOffice from an .odt), the specialist reviews, the leader approves
// and the clerk issues. Then:
//   - the project's verifier finds 3 valid, trusted signatures and only
//     allowed changes after each; pdfsig finds 3 valid signatures; qpdf
//     --check passes;
//   - placement was automatic: the signer block, "Số:" and the date line
//     were found;
//   - the rendered pages (pdftoppm) show the blue signature inside the
//     gap between the title and the name lines as poppler's own text
//     extraction locates them, the red seal at 36 mm ± 2 % with its right
//     edge on the first third of the signature and overlapping it;
//   - pdftotext -layout reads "Số: 123/UBND-VP", "Đắk Lắk, ngày 21 tháng
//     11 năm 2026" and "Nguyễn Văn Ánh" with their diacritics.
func TestChainReviewApproveIssue(t *testing.T) {
	p := sharedPKI(t)
	for _, pr := range producers() {
		t.Run(pr.name, func(t *testing.T) {
			d := rolestest.Default()
			d.Pages = pr.pages
			dir := t.TempDir()
			in := writeFile(t, dir, "congvan.pdf", pr.make(t, d))

			reviewed, rr := signStep(t, in, request(p, Review, p.Specialist))
			if rr.Field != "Review1" || rr.Placement != nil {
				t.Fatalf("review: %+v", rr)
			}
			approved, ra := signStep(t, reviewed, request(p, Approve, p.Leader))
			if ra.Placement.How != HowAuto || ra.Placement.Page != pr.pages || !strings.Contains(ra.Placement.Found, "CHỦ TỊCH") || !strings.Contains(ra.Placement.Found, "Nguyễn Văn Ánh") {
				t.Fatalf("approve placement: %+v", ra.Placement)
			}
			if testing.Verbose() {
				checkChain(t, p, approved, []string{"Review1", "Approve1"})
			}
			issued, ri := signStep(t, approved, request(p, Issue, p.Org))
			if ri.Number.How != HowAuto || ri.Date.How != HowAuto || ri.Placement.How != HowAuto || ri.Approval == nil || ri.Approval.Field != "Approve1" {
				t.Fatalf("issue: %+v %+v %+v", ri.Number, ri.Date, ri.Placement)
			}
			if ri.Result.Signer.Subject.CommonName != p.Org.Cert.Subject.CommonName {
				t.Fatalf("issue signed by %q", ri.Result.Signer.Subject.CommonName)
			}

			checkChain(t, p, issued, []string{"Review1", "Approve1", "Issue1"})
			checkSigDicts(t, issued)
			checkTextPositions(t, issued)
			pdfcheck.Pdfsig(t, issued, 3)
			pdfcheck.Qpdf(t, issued)
			checkRendering(t, approved, issued, pr.pages, 36)

			text1 := squeeze(pdftotext(t, issued, 1))
			for _, want := range []string{"Số: 123/UBND-VP", "Đắk Lắk, ngày 21 tháng 11 năm 2026", "ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"} {
				if !strings.Contains(text1, want) {
					t.Errorf("page 1 text lacks %q:\n%s", want, text1)
				}
			}
			if last := pdftotext(t, issued, pr.pages); !strings.Contains(last, "Nguyễn Văn Ánh") {
				t.Errorf("signer page text lacks the name:\n%s", last)
			}
		})
	}
}

// checkChain verifies path: the named signatures, valid and trusted, with
// nothing but allowed changes after each.
func checkChain(t *testing.T, p interface{}, path string, fields []string) {
	t.Helper()
	pk := sharedPKI(t)
	res, err := verify.VerifyFile(context.Background(), path, verify.Options{Trust: trustStore(pk), Online: true})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.MarshalIndent(res, "", "  ")
	if res.Status != verify.StatusValid || len(res.Signatures) != len(fields) {
		t.Fatalf("verifier: %s", j)
	}
	for i, s := range res.Signatures {
		if s.Field != fields[i] || s.Status != verify.StatusValid || !s.Trusted || s.ModifiedAfter == verify.ModDisallowed {
			t.Fatalf("signature %d: %s", i, j)
		}
		for _, c := range s.Changes {
			if c.Class != verify.ModAllowed && c.Class != verify.ModNone {
				t.Fatalf("signature %s: change %+v", s.Field, c)
			}
		}
		// a later visible signature (approve, issue) is compared with the
		// pages as this one signed them, and they look alike outside it
		if i < len(res.Signatures)-1 && s.Visual != verify.VisualSame {
			t.Fatalf("signature %s: visual check %q, want %q: %s", s.Field, s.Visual, verify.VisualSame, j)
		}
	}
}

// checkRendering checks the signer page of the approved and issued files.
func checkRendering(t *testing.T, approved, issued string, page int, sealMM float64) {
	t.Helper()
	const dpi = 150
	px := func(pt float64) int { return int(math.Round(pt * dpi / 72)) }

	// Where poppler's text extraction puts the last title line and the
	// name (points from the top left).
	var titleBottom, nameTop, blockX0, blockX1 = 0.0, math.Inf(1), math.Inf(1), math.Inf(-1)
	ws := words(t, issued, page)
	nameY := -1.0
	for _, w := range ws {
		if w.xMin < 250 {
			continue // the left column
		}
		switch w.text {
		case "TỊCH":
			titleBottom = math.Max(titleBottom, w.yMax)
		case "Nguyễn":
			nameY = math.Max(nameY, w.yMin)
		}
	}
	for _, w := range ws {
		if w.xMin > 250 && math.Abs(w.yMin-nameY) < 2 {
			nameTop = math.Min(nameTop, w.yMin)
			blockX0, blockX1 = math.Min(blockX0, w.xMin), math.Max(blockX1, w.xMax)
		}
	}
	if titleBottom == 0 || math.IsInf(nameTop, 1) || nameTop <= titleBottom {
		t.Fatalf("pdftotext -bbox: title bottom %.1f, name top %.1f", titleBottom, nameTop)
	}

	// The signature alone (before the seal).
	img := render(t, approved, page, dpi)
	blue, n := inkBox(img, isBlue)
	if n < 400 {
		t.Fatalf("only %d blue pixels on page %d", n, page)
	}
	if blue.Min.Y < px(titleBottom)-1 || blue.Max.Y > px(nameTop)+1 {
		t.Fatalf("signature rows %d..%d are not inside the gap %d..%d (title bottom, name top)", blue.Min.Y, blue.Max.Y, px(titleBottom), px(nameTop))
	}
	centre := (blue.Min.X + blue.Max.X) / 2
	if nameCentre := px((blockX0 + blockX1) / 2); abs(centre-nameCentre) > px(25) {
		t.Fatalf("signature centred at x=%d, the name at x=%d", centre, nameCentre)
	}

	// The seal over it.
	img = render(t, issued, page, dpi)
	red, nr := inkBox(img, isRed)
	if nr < 400 {
		t.Fatalf("only %d red pixels on page %d", nr, page)
	}
	gotMM := float64(red.Dx()) / dpi * 25.4
	if math.Abs(gotMM-sealMM)/sealMM > 0.02 {
		t.Fatalf("seal rendered %.2f mm wide (%d px), want %.1f mm ± 2 %%", gotMM, red.Dx(), sealMM)
	}
	if h := float64(red.Dy()) / dpi * 25.4; math.Abs(h-sealMM)/sealMM > 0.02 {
		t.Fatalf("seal rendered %.2f mm high, want %.1f mm", h, sealMM)
	}
	third := blue.Min.X + blue.Dx()/3
	if abs(red.Max.X-third) > blue.Dx()/50+3 {
		t.Fatalf("seal's right edge at x=%d, the signature's first third ends at x=%d (signature %v)", red.Max.X, third, blue)
	}
	if abs((red.Min.Y+red.Max.Y)/2-(blue.Min.Y+blue.Max.Y)/2) > 3 {
		t.Fatalf("seal %v not centred on the signature %v", red, blue)
	}
	// Red ink inside the signature's left third: the seal overlaps it.
	overlap, _ := inkBox(subImage(img, image.Rect(blue.Min.X, blue.Min.Y, third, blue.Max.Y)), isRed)
	if overlap.Empty() {
		t.Fatalf("no red pixels over the signature's left third %v", image.Rect(blue.Min.X, blue.Min.Y, third, blue.Max.Y))
	}
	// And the signature still shows to the right of the seal.
	if right, n := inkBox(subImage(img, image.Rect(third+2, blue.Min.Y, blue.Max.X, blue.Max.Y)), isBlue); n < 100 || right.Empty() {
		t.Fatalf("the signature's right part is hidden (%d blue pixels)", n)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

func subImage(img image.Image, r image.Rectangle) image.Image {
	return img.(subImager).SubImage(r)
}

// checkSigDicts: the signature dictionaries carry the signer's name, the
// reason and the location (the place printed before the date).
func checkSigDicts(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pdf.OpenFinal(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	cat, _, _ := f.Catalog()
	acro, _ := f.ResolveDict(cat["AcroForm"])
	fields, _ := f.Fields(acro)
	want := map[string][3]string{
		"Review1":  {"Trần Thị Bích Ngọc", "Ký nháy", "Đắk Lắk"},
		"Approve1": {"Nguyễn Văn Ánh", "người có thẩm quyền", "Đắk Lắk"},
		"Issue1":   {"ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", "Ban hành văn bản số 123/UBND-VP", "Đắk Lắk"},
	}
	seen := 0
	for _, fl := range fields {
		w, ok := want[fl.FullName]
		if !ok {
			continue
		}
		seen++
		v, _ := f.ResolveDict(fl.Dict["V"])
		text := func(k pdf.Name) string {
			s, _ := v[k].(pdf.String)
			return pdf.DecodeText(s)
		}
		if text("Name") != w[0] || !strings.Contains(text("Reason"), w[1]) || text("Location") != w[2] {
			t.Errorf("%s: /Name %q /Reason %q /Location %q, want %q", fl.FullName, text("Name"), text("Reason"), text("Location"), w)
		}
	}
	if seen != 3 {
		t.Fatalf("found %d of the 3 signature fields", seen)
	}
}

// checkTextPositions: poppler finds the number between "Số:" and the end
// of the notation on the "Số:" line, and the day and month between
// "ngày", "tháng" and "năm" on the date line.
func checkTextPositions(t *testing.T, path string) {
	t.Helper()
	ws := words(t, path, 1)
	find := func(pred func(bbox) bool) *bbox {
		for i := range ws {
			if pred(ws[i]) {
				return &ws[i]
			}
		}
		return nil
	}
	so := find(func(w bbox) bool { return w.text == "Số:" })
	num := find(func(w bbox) bool { return strings.HasPrefix(w.text, "123") })
	ngay := find(func(w bbox) bool { return w.text == "ngày" && w.yMin < 200 })
	thang := find(func(w bbox) bool { return w.text == "tháng" && w.yMin < 200 })
	nam := find(func(w bbox) bool { return w.text == "năm" && w.yMin < 200 })
	day := find(func(w bbox) bool { return w.text == "21" })
	month := find(func(w bbox) bool { return w.text == "11" && w.yMin < 200 })
	if so == nil || num == nil || ngay == nil || thang == nil || nam == nil || day == nil || month == nil {
		t.Fatalf("words missing: %v %v %v %v %v %v %v", so, num, ngay, thang, nam, day, month)
	}
	same := func(a, b *bbox) bool { return math.Abs(a.yMax-b.yMax) < 2.5 }
	if !same(so, num) || num.xMin < so.xMax || num.xMin-so.xMax > 14 {
		t.Errorf("number %+v not right after %+v", *num, *so)
	}
	if !same(ngay, day) || day.xMin < ngay.xMax || day.xMax > thang.xMin {
		t.Errorf("day %+v not between %+v and %+v", *day, *ngay, *thang)
	}
	if !same(thang, month) || month.xMin < thang.xMax || month.xMax > nam.xMin {
		t.Errorf("month %+v not between %+v and %+v", *month, *thang, *nam)
	}
}
