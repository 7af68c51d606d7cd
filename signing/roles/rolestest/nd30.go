package rolestest

import (
	"fmt"
	"strings"
)

// Doc is the content of a test document in the Nghị định 30 layout.
type Doc struct {
	Parent, Org string   // header, left column: "ỦY BAN NHÂN DÂN", "TỈNH ĐẮK LẮK"
	Notation    string   // "UBND-VP": "Số:        /UBND-VP"
	Place       string   // "Đắk Lắk"
	Year        int      // pre-printed year of the date line; 0 leaves it blank
	Subject     string   // "V/v …"
	Recipient   string   // "Kính gửi: …"
	Body        []string // paragraphs
	Titles      []string // signer block title lines, top to bottom
	Signer      string   // the name line
	// Pages is 1 or 2; with 2 the body is repeated until the signer block
	// falls on page 2.
	Pages int
}

// Default is a one-page official letter of the Đắk Lắk People's Committee
// signed by Nguyễn Văn Ánh for the committee ("TM. ỦY BAN NHÂN DÂN /
// CHỦ TỊCH").
func Default() Doc {
	return Doc{
		Parent: "ỦY BAN NHÂN DÂN", Org: "TỈNH ĐẮK LẮK", Notation: "UBND-VP", Place: "Đắk Lắk", Year: 2026,
		Subject:   "V/v triển khai chữ ký số chuyên dùng",
		Recipient: "Kính gửi: Các sở, ban, ngành thuộc tỉnh.",
		Body: []string{
			"Thực hiện Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư, Ủy ban nhân dân tỉnh Đắk Lắk đề nghị các cơ quan, đơn vị triển khai ký số trên văn bản điện tử.",
			"Văn bản điện tử gửi, nhận giữa các cơ quan nhà nước phải được ký số bằng chữ ký số chuyên dùng của người có thẩm quyền và của cơ quan, tổ chức theo quy định.",
			"Đề nghị các cơ quan, đơn vị báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh trước ngày 15 hằng tháng để tổng hợp.",
		},
		Titles: []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"},
		Signer: "Nguyễn Văn Ánh",
		Pages:  1,
	}
}

// Geometry is where the writer put the parts the roles look for.
type Geometry struct {
	SignerPage    int
	TitleBaseline float64 // the last title line
	NameBaseline  float64
	NameSize      float64
	BlockCenter   float64 // x of the signer column's centre
	NumberLine    float64 // baseline of "Số:"
	DateLine      float64 // baseline of the date line
	SlashX        float64 // x where "/UBND-VP" starts
}

const (
	pageW       = 595.28
	pageH       = 841.89
	marginLeft  = 85.0 // 30 mm
	marginRight = 56.7 // 20 mm
	marginBot   = 57.0 // 20 mm
	leftCenter  = 175.0
	rightCenter = 400.0
	signCenter  = 420.0
)

// NumberText is the "Số:" line as drawn.
func (d Doc) NumberText() string { return "Số:" + strings.Repeat(" ", 8) + "/" + d.Notation }

// DateText is the date line as drawn.
func (d Doc) DateText() string {
	year := ""
	if d.Year > 0 {
		year = fmt.Sprintf(" %d", d.Year)
	}
	gap := strings.Repeat(" ", 8)
	return d.Place + ", ngày" + gap + "tháng" + gap + "năm" + year
}

// layout places the document's text.
func (d Doc) layout() ([]item, []rule, Geometry, int, error) {
	var items []item
	var rules []rule
	var g Geometry
	width := func(s Style, text string, size float64) float64 {
		t, err := loadFont(s)
		if err != nil {
			return 0
		}
		return t.width(text, size)
	}
	if _, err := loadFont(Regular); err != nil {
		return nil, nil, g, 0, err
	}
	centred := func(page int, s Style, size, cx, y float64, text string) item {
		it := item{page: page, style: s, size: size, x: cx - width(s, text, size)/2, y: y, text: text}
		items = append(items, it)
		return it
	}
	// Header.
	centred(1, Regular, 13, leftCenter, 773, d.Parent)
	centred(1, Bold, 12, rightCenter, 773, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	centred(1, Bold, 13, leftCenter, 757, d.Org)
	motto := centred(1, Bold, 13, rightCenter, 757, "Độc lập - Tự do - Hạnh phúc")
	ow := width(Bold, d.Org, 13) / 3
	rules = append(rules, rule{page: 1, x0: leftCenter - ow/2, x1: leftCenter + ow/2, y: 752, lineWidth: 0.6})
	rules = append(rules, rule{page: 1, x0: motto.x, x1: motto.x + width(Bold, motto.text, 13), y: 752, lineWidth: 0.6})
	num := centred(1, Regular, 13, leftCenter, 727, d.NumberText())
	g.NumberLine = 727
	g.SlashX = num.x + width(Regular, "Số:"+strings.Repeat(" ", 8), 13)
	centred(1, Italic, 13, rightCenter, 727, d.DateText())
	g.DateLine = 727
	centred(1, Regular, 12, leftCenter, 709, d.Subject)
	centred(1, Regular, 14, (marginLeft+pageW-marginRight)/2, 684, d.Recipient)

	// Body, wrapped at the text width.
	textW := pageW - marginRight - marginLeft
	page, y := 1, 655.0
	newLine := func() {
		y -= 19
		if y < marginBot+20 {
			page++
			y = pageH - 57
			centred(page, Regular, 13, pageW/2, pageH-35, fmt.Sprint(page))
		}
	}
	paragraphs := d.Body
	if d.Pages > 1 {
		for len(paragraphs) < 40 {
			paragraphs = append(paragraphs, d.Body...)
		}
	}
	signerNeeds := 20 + 16*float64(len(d.Titles)) + 95 + 20
	for _, para := range paragraphs {
		words := strings.Fields(para)
		line := ""
		indent := 36.0
		for _, w := range words {
			try := strings.TrimSpace(line + " " + w)
			if width(Regular, try, 14)+indent > textW && line != "" {
				items = append(items, item{page: page, style: Regular, size: 14, x: marginLeft + indent, y: y, text: line})
				newLine()
				line, indent = w, 0
				continue
			}
			line = try
		}
		if line != "" {
			items = append(items, item{page: page, style: Regular, size: 14, x: marginLeft + indent, y: y, text: line})
			newLine()
		}
		if d.Pages > 1 && page == 2 && y < pageH-57-19*8 {
			break
		}
		if d.Pages <= 1 && y-signerNeeds < marginBot {
			return nil, nil, g, 0, fmt.Errorf("the body is too long for one page")
		}
	}
	if y-signerNeeds < marginBot {
		page++
		y = pageH - 80
		centred(page, Regular, 13, pageW/2, pageH-35, fmt.Sprint(page))
	}
	b := y - 14
	items = append(items,
		item{page: page, style: BoldItalic, size: 12, x: marginLeft, y: b, text: "Nơi nhận:"},
		item{page: page, style: Regular, size: 11, x: marginLeft, y: b - 14, text: "- Như trên;"},
		item{page: page, style: Regular, size: 11, x: marginLeft, y: b - 27, text: "- Chủ tịch, các PCT UBND tỉnh;"},
		item{page: page, style: Regular, size: 11, x: marginLeft, y: b - 40, text: "- Lưu: VT, VP."},
	)
	ty := b
	for _, t := range d.Titles {
		centred(page, Bold, 13, signCenter, ty, t)
		g.TitleBaseline = ty
		ty -= 16
	}
	g.NameBaseline = g.TitleBaseline - 100
	g.NameSize = 14
	centred(page, Bold, 14, signCenter, g.NameBaseline, d.Signer)
	g.SignerPage = page
	g.BlockCenter = signCenter
	return items, rules, g, page, nil
}

// PDF writes the document with the package's own writer.
func (d Doc) PDF(ws WriterStyle) ([]byte, Geometry, error) {
	items, rules, g, pages, err := d.layout()
	if err != nil {
		return nil, g, err
	}
	b, err := render(items, rules, pages, ws)
	return b, g, err
}
