package verify

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/signing/pdf"
)

// appendUpdate appends to data an update that replaces the first page's
// content stream with one showing "PAY 9000000", ending its section with
// tail (a startxref with or without %%EOF, or nothing at all).
func appendUpdate(t *testing.T, data []byte, tail func(xref int) string) []byte {
	t.Helper()
	v := lastViewOf(t, data)
	root := v.Root()
	pages := v.Dict(root.Get("Pages"))
	kids := v.Array(pages.Get("Kids"))
	if len(kids) == 0 {
		t.Fatal("no pages")
	}
	page := v.Dict(kids[0])
	content, ok := page.Get("Contents").(pdf.Ref)
	if !ok {
		t.Fatalf("page contents %v is not a reference", page.Get("Contents"))
	}
	num, gen := content.Num, content.Gen
	var b bytes.Buffer
	b.Write(data)
	off := b.Len()
	body := "BT /F1 24 Tf 72 720 Td (PAY 9000000) Tj ET"
	fmt.Fprintf(&b, "\n%d %d obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", num, gen, len(body), body)
	x := b.Len()
	size, _ := v.Trailer.Int("Size")
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\n",
		num, off+1, gen, size, findRoot(data), v.Sections[0].Offset)
	b.WriteString(tail(x))
	return b.Bytes()
}

// TestUpdateWithoutEOFIsAChange: an update that ends at its startxref,
// without %%EOF, is what viewers show; it is a revision the signature
// does not cover, and its page change is disallowed.
func TestUpdateWithoutEOFIsAChange(t *testing.T) {
	data := mustRead(t, dssDir+"/pades-bes.pdf")
	for name, tail := range map[string]func(int) string{
		"no %%EOF":            func(x int) string { return fmt.Sprintf("startxref\n%d\n", x) },
		"junk after":          func(x int) string { return fmt.Sprintf("startxref\n%d\n%s", x, strings.Repeat("junk ", 300)) },
		"comment not %%EOF":   func(x int) string { return fmt.Sprintf("startxref\n%d\n%%%%EO", x) },
		"no startxref at all": func(int) string { return "" },
	} {
		t.Run(name, func(t *testing.T) {
			attacked := appendUpdate(t, data, tail)
			res, _ := Verify(context.Background(), bytes.NewReader(attacked), int64(len(attacked)), Options{Trust: testStore(t)})
			if res.Status == StatusValid || len(res.Signatures) == 0 {
				t.Fatalf("status %s", res.Status)
			}
			s := res.Signatures[0]
			if s.CoversDocument {
				t.Fatal("the signature is said to cover the whole document")
			}
			fileProblem := false
			for _, p := range res.Problems {
				fileProblem = fileProblem || p.Severity == problemSevFail
			}
			if s.ModifiedAfter != ModDisallowed && !fileProblem {
				t.Fatalf("modified after: %s, file problems %v", s.ModifiedAfter, res.Problems)
			}
		})
	}
}

func lastViewOf(t *testing.T, data []byte) *pdf.View {
	t.Helper()
	v, err := pdf.OpenFinal(context.Background(), bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
