package roles

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
)

// TestAttachmentAndCopy: the organisation signs an appendix (attachment)
// and an electronic copy; each gets a text box at the top right of page 1,
// 10 pt, black, above the document's own text, with the number, the time
// in ISO 8601 with +07:00 and the organisation (attachment), or the copy
// kind, the organisation and the time (copy). Both verify; the text comes
// out with its diacritics.
func TestAttachmentAndCopy(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	d := rolestest.Default()
	d.Titles, d.Signer = []string{"PHỤ LỤC"}, ""
	in := writeFile(t, dir, "phuluc.pdf", writerDoc(t, d))
	iso := regexp.MustCompile(`\b2\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00\b`)

	for _, c := range []struct {
		role  Role
		lines []string
	}{
		{Attachment, []string{"123/UBND-VP", "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"}},
		{Copy, []string{"SAO Y", "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk"}},
	} {
		t.Run(string(c.role), func(t *testing.T) {
			req := request(p, c.role, p.Org)
			out, rep := signStep(t, in, req)
			checkChain(t, p, out, []string{map[Role]string{Attachment: "Attachment1", Copy: "Copy1"}[c.role]})
			pdfcheck.Pdfsig(t, out, 1)
			pdfcheck.Qpdf(t, out)
			if !iso.MatchString(rep.Placement.Text) || !strings.Contains(rep.Placement.Text, ISOTime(rep.When)) {
				t.Fatalf("stamp text %q, signing time %s", rep.Placement.Text, ISOTime(rep.When))
			}
			if rep.Result.SigningAt.Unix() != rep.When.Unix() {
				t.Fatalf("/M %v, text time %v", rep.Result.SigningAt, rep.When)
			}
			// Poppler's extraction finds the box's words at the top right,
			// 10 pt high, above the header.
			var top, right, bottom, minY float64 = 1e9, 0, 0, 1e9
			var boxWords []string
			for _, w := range words(t, out, 1) {
				if w.yMax < 55 { // above the header (its top is at about 58 pt)
					boxWords = append(boxWords, w.text)
					top = min(top, w.yMin)
					right = max(right, w.xMax)
					bottom = max(bottom, w.yMax)
					if h := w.yMax - w.yMin; h < 9 || h > 13 {
						t.Errorf("word %q is %.1f pt high, want about 10 pt", w.text, h)
					}
				} else {
					minY = min(minY, w.yMin)
				}
			}
			joined := strings.Join(boxWords, " ")
			for _, l := range c.lines {
				if !strings.Contains(joined, l) {
					t.Errorf("stamp lacks %q: %q", l, joined)
				}
			}
			if !iso.MatchString(joined) {
				t.Errorf("stamp lacks the ISO time: %q", joined)
			}
			if right > 595.28-28 || right < 595.28-40 || top < 8 || bottom >= minY {
				t.Errorf("stamp box right edge %.1f, top %.1f, bottom %.1f (the document's text starts at %.1f)", right, top, bottom, minY)
			}
			// Rendered: black ink in the box, nothing red or blue.
			img := render(t, out, 1, 100)
			if _, n := inkBox(img, isRed); n != 0 {
				t.Errorf("%d red pixels", n)
			}
		})
	}
}

func TestDateTexts(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 21, 8, 0, 0, 0, Vietnam), "Đắk Lắk, ngày 21 tháng 11 năm 2026"},
		{time.Date(2026, 2, 5, 8, 0, 0, 0, Vietnam), "Đắk Lắk, ngày 05 tháng 02 năm 2026"},
		{time.Date(2026, 3, 9, 8, 0, 0, 0, Vietnam), "Đắk Lắk, ngày 09 tháng 3 năm 2026"},
		{time.Date(2026, 1, 31, 20, 0, 0, 0, time.UTC), "Đắk Lắk, ngày 01 tháng 02 năm 2026"}, // 03:00 on 1 February in Vietnam
	} {
		if got := DateLine("Đắk Lắk", c.t.In(Vietnam)); got != c.want {
			t.Errorf("DateLine(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	if got := ISOTime(time.Date(2026, 11, 21, 7, 30, 15, 0, time.UTC)); got != "2026-11-21T14:30:15+07:00" {
		t.Errorf("ISOTime = %q", got)
	}
	for in, want := range map[string]CopyKind{"sao-y": CopySaoY, "SAO LỤC": CopySaoLuc, "trich sao": CopyTrichSao, "Trích sao": CopyTrichSao} {
		if got, err := ParseCopyKind(in); err != nil || got != want {
			t.Errorf("ParseCopyKind(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseCopyKind("photo"); err == nil {
		t.Error("ParseCopyKind accepted photo")
	}
	for in, want := range map[string]Role{"approve": Approve, "Phê duyệt": Approve, "ký nháy": Review, "issue": Issue, "copy": Copy, "attachment": Attachment} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v", in, got, err)
		}
	}
}

func TestParsePlace(t *testing.T) {
	if pl, err := ParsePlace("auto"); err != nil || !pl.Auto {
		t.Fatalf("auto: %+v %v", pl, err)
	}
	pl, err := ParsePlace("page:2:340,380,160,70")
	if err != nil || pl.Auto || pl.Page != 2 || pl.Rect == nil || pl.Rect.W != 160 {
		t.Fatalf("manual: %+v %v", pl, err)
	}
	for _, bad := range []string{"page:0:1,2,3,4", "page:1:1,2,3", "page:x:1,2,3,4", "top", "page:1:1,2,-3,4", "page:1:NaN,2,3,4"} {
		if _, err := ParsePlace(bad); err == nil {
			t.Errorf("ParsePlace(%q) accepted", bad)
		}
	}
	if at, err := ParseTextAt("page:1:100,727,13"); err != nil || at.X != 100 || at.Size != 13 {
		t.Fatalf("ParseTextAt: %+v %v", at, err)
	}
	if at, err := ParseTextAt("100,727"); err != nil || at.Page != 1 || at.Size != 13 {
		t.Fatalf("ParseTextAt: %+v %v", at, err)
	}
}
