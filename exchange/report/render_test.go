package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
	"github.com/vanthu/vanthu/exchange/report/pdfreport"
	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/verify"
)

// labels reads the shipped catalogue of lang (what app/ translates with).
func labels(t *testing.T, lang string) export.Labels {
	t.Helper()
	m := map[string]string{}
	dir := path.Join("translations", lang)
	ents, err := fs.ReadDir(assets.Translations, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := fs.ReadFile(assets.Translations, path.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
	}
	return func(key string, args ...any) string {
		s, ok := m[key]
		if !ok {
			t.Errorf("missing translation %s/%s", lang, key)
			return key
		}
		if len(args) == 0 {
			return s
		}
		return fmt.Sprintf(s, args...)
	}
}

func computed(t *testing.T) *report.Report {
	t.Helper()
	_, rp, _ := seed(t, filepath.Join(t.TempDir(), "hub.db"))
	rep, err := rp.Compute(context.Background(), report.Request{Actor: admin, Unit: "H40.01", Period: period(t, "nd09:2026-12")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestXLSX reads the workbook back with excelize: one sheet per view,
// numbers as numbers, percentages as formatted shares, frozen headers.
func TestXLSX(t *testing.T) {
	rep := computed(t)
	out := filepath.Join(t.TempDir(), "baocao.xlsx")
	l := labels(t, "vi")
	if err := export.WriteAtomic(out, func(w io.Writer) error { return export.XLSX(w, rep, l) }); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Tổng hợp", "Đơn vị", "Xu hướng 12 kỳ", "Văn bản chưa đạt", "Xác nhận văn bản đến", "Cán bộ chưa đạt"}
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %v", got)
	}
	// Summary: the rate as the share 7/17 with a percentage format.
	if v, _ := f.GetCellValue("Tổng hợp", "A2", excelize.Options{RawCellValue: true}); v != "Tỷ lệ văn bản gửi điện tử có đủ chữ ký số hợp lệ" {
		t.Errorf("A2 %q", v)
	}
	raw, _ := f.GetCellValue("Tổng hợp", "B2", excelize.Options{RawCellValue: true})
	shown, _ := f.GetCellValue("Tổng hợp", "B2")
	if typ, _ := f.GetCellType("Tổng hợp", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B2 type %v", typ)
	}
	if f, err := strconv.ParseFloat(raw, 64); err != nil || math.Abs(f-7.0/17) > 1e-9 || shown != "41.2%" {
		t.Errorf("B2 raw %q shown %q", raw, shown)
	}
	if n, _ := f.GetCellValue("Tổng hợp", "C2"); n != "7" {
		t.Errorf("C2 %q", n)
	}
	if d, _ := f.GetCellValue("Tổng hợp", "D2"); d != "17" {
		t.Errorf("D2 %q", d)
	}
	// Units: one row per unit, in tree order, the rank of direct sub-units.
	rows, _ := f.GetRows("Đơn vị")
	if len(rows) != 1+len(units) || rows[1][1] != "H40.01" || rows[2][1] != "H40.01.NV" || rows[2][0] != "3" {
		t.Errorf("units sheet %v", rows)
	}
	for i, u := range rep.Units {
		if sent, _ := f.GetCellValue("Đơn vị", fmt.Sprintf("D%d", i+2)); sent != fmt.Sprint(u.Counts.Sent) {
			t.Errorf("unit %s sent %q want %d", u.Code, sent, u.Counts.Sent)
		}
	}
	// Frozen header on every sheet.
	for _, s := range want {
		p, err := f.GetPanes(s)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s panes %+v %v", s, p, err)
		}
	}
	// Dates are dates.
	if v, _ := f.GetCellValue("Văn bản chưa đạt", "D2"); v != rep.Missed[0].Date.VN() {
		t.Errorf("missed date %q", v)
	}
	if rows, _ := f.GetRows("Văn bản chưa đạt"); len(rows) != 1+rep.MissedTotal {
		t.Errorf("missed rows %d", len(rows))
	}
}

// TestPDFReport writes the PDF report, checks it with qpdf, pdftotext and
// pdftoppm, then signs it as the unit head would (vanthu sign --role
// approve: the signer block is found automatically) and verifies it.
func TestPDFReport(t *testing.T) {
	rep := computed(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "baocao.pdf")
	h := pdfreport.Header{Parent: "UBND tỉnh Nghệ An", Place: "Yên Thành", Number: "/BC-UBND",
		Titles: []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"}, Signer: "Nguyễn Văn Ánh",
		Recipients: []string{"UBND tỉnh Nghệ An;", "Sở Khoa học và Công nghệ;", "Lưu: VT."}}
	if err := pdfreport.WriteFile(out, rep, h, labels(t, "vi")); err != nil {
		t.Fatal(err)
	}
	pdfcheck.Qpdf(t, out)
	text, err := exec.Command("pdftotext", "-layout", out, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v %s", err, text)
	}
	txt := strings.Join(strings.Fields(string(text)), " ")
	for _, want := range []string{"ỦY BAN NHÂN DÂN HUYỆN YÊN", "UBND TỈNH NGHỆ AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"BÁO CÁO", "Văn phòng HĐND và UBND huyện", "Ủy ban nhân dân xã Hợp Thành", "Tổ dân phố Đông Hải", "Phòng Nội vụ",
		"41,2% (7/17 văn bản)", "15/11/2026 – 14/12/2026", "TM. ỦY BAN NHÂN DÂN", "Nguyễn Văn Ánh", "Phạm Quốc Hùng",
		"chỉ gửi bản giấy", "202/NV", "Số: /BC-UBND", "Yên Thành, ngày tháng năm 2026"} {
		if !strings.Contains(txt, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("%s", text)
	}
	checkChartPixels(t, dir, out)
	if keep := os.Getenv("REPORT_KEEP_PDF"); keep != "" {
		b, _ := os.ReadFile(out)
		os.WriteFile(keep, b, 0o644)
	}
	// Sign as the competent person; the signer block is found by itself.
	signed := filepath.Join(dir, "baocao-signed.pdf")
	p := files.PKI
	sr, err := roles.SignFile(context.Background(), out, signed, files.RoleRequest(roles.Approve, p.Leader.Key, p.Leader.ChainWithLeaf()))
	if err != nil {
		t.Fatal(err)
	}
	if sr.Placement.How != roles.HowAuto || !strings.Contains(sr.Placement.Found, "CHỦ TỊCH") || !strings.Contains(sr.Placement.Found, "Nguyễn Văn Ánh") {
		t.Fatalf("placement %+v", sr.Placement)
	}
	res, err := verify.VerifyFile(context.Background(), signed, files.Verify)
	if err != nil || res.Status != verify.StatusValid || len(res.Signatures) != 1 || !res.Signatures[0].Trusted {
		t.Fatalf("signed report: %+v %v", res, err)
	}
	pdfcheck.Qpdf(t, signed)
	pdfcheck.Pdfsig(t, signed, 1)
}

// checkChartPixels renders the pages and requires the bar colour in
// quantity on the page of the charts (bars and the trend line).
func checkChartPixels(t *testing.T, dir, pdf string) {
	t.Helper()
	prefix := filepath.Join(dir, "page")
	if out, err := exec.Command("pdftoppm", "-r", "60", "-png", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(prefix + "*.png")
	best := 0
	for _, pg := range pages {
		f, err := os.Open(pg)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		best = max(best, countColour(img, 31, 78, 160))
	}
	// Three bars of 60%, 40% and 20% of ~220 pt at 60 dpi, ~10 px high:
	// well over a thousand pixels; text alone has none of this blue.
	if best < 800 {
		t.Fatalf("only %d bar-coloured pixels on any page", best)
	}
}

func countColour(img image.Image, r0, g0, b0 int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			if abs(int(r>>8)-r0) < 25 && abs(int(g>>8)-g0) < 25 && abs(int(bb>>8)-b0) < 25 {
				n++
			}
		}
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
