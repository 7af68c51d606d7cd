package roles

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/signing/layout"
)

// line makes a layout line centred at cx: one word per space-separated
// part, glyph widths of half the size.
func line(text string, cx, baseline, size float64) layout.Line {
	w := float64(len([]rune(text))) * size * 0.5
	x := cx - w/2
	l := layout.Line{Text: text, Baseline: baseline, Size: size,
		Rect: layout.Rect{X0: x, X1: x + w, Y0: baseline - 0.25*size, Y1: baseline + 0.9*size}}
	for _, part := range strings.Fields(text) {
		pw := float64(len([]rune(part))) * size * 0.5
		word := layout.Word{Text: part, Rect: layout.Rect{X0: x, X1: x + pw, Y0: l.Rect.Y0, Y1: l.Rect.Y1}}
		for _, r := range part {
			word.Chars = append(word.Chars, layout.Char{Text: string(r), X0: x, X1: x + size*0.5})
			x += size * 0.5
		}
		l.Words = append(l.Words, word)
		x += size * 0.5
	}
	return l
}

func page(lines ...layout.Line) *layout.Page {
	return &layout.Page{Number: 1, Box: layout.Rect{X1: 595, Y1: 842}, Lines: lines}
}

func body() []layout.Line {
	return []layout.Line{
		line("Ông Nguyễn Văn Ánh, Chủ tịch Ủy ban nhân dân tỉnh, chủ trì cuộc họp với các sở.", 300, 600, 14),
		line("Các sở triển khai thực hiện nghiêm túc.", 300, 580, 14),
		line("Nơi nhận:", 110, 500, 12),
	}
}

// TestFindSignerBlock: the block is found from the name and/or the title
// lines in their variants (KT./TL./TM., no diacritics in the
// certificate's name, a name with more words, a title with no name yet,
// a name with no title), the gap lies between the last title line and the
// name; body text naming the signer does not fool it.
func TestFindSignerBlock(t *testing.T) {
	cases := []struct {
		name      string
		lines     []layout.Line
		signer    string
		titles    int
		wantName  string
		gapTop    float64 // approximate
		gapBottom float64
	}{
		{"tm-chu-tich", []layout.Line{line("TM. ỦY BAN NHÂN DÂN", 420, 500, 13), line("CHỦ TỊCH", 420, 484, 13), line("Nguyễn Văn Ánh", 420, 384, 14)},
			"Nguyễn Văn Ánh", 2, "Nguyễn Văn Ánh", 484 - 3.25, 384 + 12.6},
		{"kt-pho-chu-tich", []layout.Line{line("TM. ỦY BAN NHÂN DÂN", 420, 500, 13), line("KT. CHỦ TỊCH", 420, 484, 13), line("PHÓ CHỦ TỊCH", 420, 468, 13), line("Lê Thị Hồng Nhung", 420, 380, 14)},
			"LE THI HONG NHUNG", 3, "Lê Thị Hồng Nhung", 468 - 3.25, 380 + 12.6},
		{"tl-no-diacritics-title", []layout.Line{line("TL. GIAM DOC", 420, 500, 13), line("CHANH VAN PHONG", 420, 484, 13), line("Trần Thị Bích Ngọc", 420, 400, 14)},
			"Trần Thị Bích Ngọc", 2, "Trần Thị Bích Ngọc", 484 - 3.25, 400 + 12.6},
		{"title-only", []layout.Line{line("TM. ỦY BAN NHÂN DÂN", 420, 500, 13), line("CHỦ TỊCH", 420, 484, 13)},
			"Nguyễn Văn Ánh", 2, "", 484 - 3.25, 484 - 3.25 - defaultGap},
		{"other-name", []layout.Line{line("GIÁM ĐỐC", 420, 500, 13), line("Phạm Văn Bình", 420, 410, 14)},
			"Nguyễn Văn Ánh", 1, "Phạm Văn Bình", 500 - 3.25, 410 + 12.6},
		{"name-only", []layout.Line{line("Nguyễn Văn Ánh", 420, 384, 14)},
			"Nguyễn Văn Ánh", 0, "Nguyễn Văn Ánh", 384 + 12.6 + defaultGap, 384 + 12.6},
		{"cn-with-more-words", []layout.Line{line("TM. ỦY BAN NHÂN DÂN", 420, 500, 13), line("CHỦ TỊCH", 420, 484, 13), line("Nguyễn Văn Ánh", 420, 384, 14)},
			"Nguyễn Văn Ánh 066080001234", 2, "Nguyễn Văn Ánh", 484 - 3.25, 384 + 12.6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := page(append(body(), c.lines...)...)
			b, err := FindSignerBlock(p, c.signer)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Titles) != c.titles {
				t.Fatalf("titles %v", b.Titles)
			}
			got := ""
			if b.Name != nil {
				got = b.Name.Text
			}
			if got != c.wantName {
				t.Fatalf("name %q, want %q (%s)", got, c.wantName, b.Describe())
			}
			if math.Abs(b.Gap.Y1-c.gapTop) > 1 || math.Abs(b.Gap.Y0-c.gapBottom) > 1 {
				t.Fatalf("gap %.1f..%.1f, want %.1f..%.1f", b.Gap.Y0, b.Gap.Y1, c.gapBottom, c.gapTop)
			}
			if b.Gap.X0 > 380 || b.Gap.X1 < 460 {
				t.Fatalf("gap columns %.1f..%.1f", b.Gap.X0, b.Gap.X1)
			}
		})
	}
	// Nothing to find.
	if _, err := FindSignerBlock(page(body()...), "Hoàng Văn Cường"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no block: %v", err)
	}
	if _, err := FindSignerBlock(page(), "Hoàng Văn Cường"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no text") {
		t.Fatalf("empty page: %v", err)
	}
}

// TestFindNumberAndDate: "Số:" with a printed notation, alone, with dots,
// already filled; the date line with and without the year, already
// filled.
func TestFindNumberAndDate(t *testing.T) {
	n, err := FindNumber(page(line("Số:        /UBND-VP", 175, 727, 13)))
	if err != nil || n.Notation != "/UBND-VP" || n.X1 <= n.X0 {
		t.Fatalf("notation: %+v %v", n, err)
	}
	n, err = FindNumber(page(line("Số:", 175, 727, 13)))
	if err != nil || n.Notation != "" {
		t.Fatalf("alone: %+v %v", n, err)
	}
	n, err = FindNumber(page(line("Số: ....... /SNV-TCCB", 175, 727, 13)))
	if err != nil || n.Notation != "/SNV-TCCB" {
		t.Fatalf("dots: %+v %v", n, err)
	}
	if _, err := FindNumber(page(line("Số: 15/UBND-VP", 175, 727, 13))); !errors.Is(err, ErrAlreadyFilled) {
		t.Fatalf("filled: %v", err)
	}
	if _, err := FindNumber(page(line("Số: 15/UBND-VP", 175, 200, 13))); !errors.Is(err, ErrNotFound) {
		t.Fatalf("lower half: %v", err)
	}
	d, err := FindDate(page(line("Số:        /UBND-VP", 175, 727, 13), line("Đắk Lắk, ngày      tháng      năm 2026", 400, 727, 13)))
	if err != nil || d.Place != "Đắk Lắk" || d.YearText != "2026" || d.Year != nil || d.Day.X1 <= d.Day.X0 {
		t.Fatalf("date: %+v %v", d, err)
	}
	d, err = FindDate(page(line("Hà Nội, ngày     tháng     năm", 400, 727, 13)))
	if err != nil || d.Place != "Hà Nội" || d.Year == nil {
		t.Fatalf("no year: %+v %v", d, err)
	}
	if _, err := FindDate(page(line("Hà Nội, ngày 05 tháng 3 năm 2026", 400, 727, 13))); !errors.Is(err, ErrAlreadyFilled) {
		t.Fatalf("filled: %v", err)
	}
}
