// Package testpdf writes small, valid, unsigned PDFs for tests.
package testpdf

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// Plain returns a PDF 1.7 file with a classic cross-reference table and n
// A4 pages, each with a blue bar at a height that differs per page (so
// that pages can be told apart and page content changes detected).
func Plain(n int) []byte { return Padded(n, 0) }

// Padded is Plain(n) grown to at least size bytes by an unreferenced
// stream of pseudo-random bytes, like a scanned page's image data.
func Padded(n, size int) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := ""
	for i := range n {
		kids += fmt.Sprintf("%d 0 R ", 3+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n))
	for i := range n {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << >> >>", 4+2*i))
		content := fmt.Sprintf("0 0 1 rg 72 %d 200 20 re f", 700-i)
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	}
	if pad := size - b.Len() - 20*(len(offs)+2) - 100; pad > 0 {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d >>\nstream\n", len(offs), pad)
		rnd := rand.New(rand.NewPCG(uint64(size), 7))
		for range pad {
			b.WriteByte(byte(rnd.Uint32()))
		}
		b.WriteString("\nendstream\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
