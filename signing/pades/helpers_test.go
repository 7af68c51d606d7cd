package pades

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto"
	"encoding/asn1"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pdf"
)

// ---- test PDFs ----------------------------------------------------------

// pdfBuilder writes a small PDF with a classic cross-reference table.
type pdfBuilder struct {
	version string
	objs    []string // objs[i] is object i+1's body
	trailer string   // extra trailer entries
}

func (b *pdfBuilder) add(body string) int {
	b.objs = append(b.objs, body)
	return len(b.objs)
}

func (b *pdfBuilder) bytes() []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n", b.version)
	offs := make([]int, len(b.objs))
	for i, o := range b.objs {
		offs[i] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(b.objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<</Size %d /Root 1 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>]%s>>\nstartxref\n%d\n%%%%EOF\n", len(b.objs)+1, b.trailer, x)
	return buf.Bytes()
}

func contentStream(text string) string {
	s := fmt.Sprintf("BT /F1 24 Tf 72 720 Td (%s) Tj ET", text)
	return fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(s), s)
}

// simplePDF returns a classic-xref PDF with n pages; form adds an AcroForm
// with one text field "HoTen" on page 1.
func simplePDF(version string, pages int, form bool) []byte {
	b := &pdfBuilder{version: version}
	b.add("") // catalog, filled below
	b.add("") // pages
	font := b.add("<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>")
	var kids []string
	var firstPage int
	for i := 0; i < pages; i++ {
		c := b.add(contentStream(fmt.Sprintf("Trang %d", i+1)))
		p := b.add(fmt.Sprintf("<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 %d 0 R>>>> /Contents %d 0 R>>", font, c))
		if i == 0 {
			firstPage = p
		}
		kids = append(kids, fmt.Sprintf("%d 0 R", p))
	}
	b.objs[1] = fmt.Sprintf("<</Type /Pages /Kids [%s] /Count %d>>", strings.Join(kids, " "), pages)
	b.objs[0] = "<</Type /Catalog /Pages 2 0 R>>"
	if form {
		field := b.add(fmt.Sprintf("<</Type /Annot /Subtype /Widget /FT /Tx /T (HoTen) /V (Nguyen Van A) /Rect [72 600 300 620] /P %d 0 R /F 4 /DA (/Helv 12 Tf 0 g)>>", firstPage))
		acro := b.add(fmt.Sprintf("<</Fields [%d 0 R] /DA (/Helv 0 Tf 0 g) /DR <</Font <</Helv %d 0 R>>>>>>", field, font))
		b.objs[0] = fmt.Sprintf("<</Type /Catalog /Pages 2 0 R /AcroForm %d 0 R>>", acro)
		p := b.objs[firstPage-1]
		b.objs[firstPage-1] = strings.TrimSuffix(p, ">>") + fmt.Sprintf(" /Annots [%d 0 R]>>", field)
	}
	return b.bytes()
}

// hybridPDF returns a hybrid-reference file: a classic table plus an
// /XRefStm naming an AcroForm that lives in an object stream.
func hybridPDF() []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
	offs := map[int]int{}
	obj := func(n int, body string) {
		offs[n] = buf.Len()
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", n, body)
	}
	obj(1, "<</Type /Catalog /Pages 2 0 R /AcroForm 5 0 R>>")
	obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>")
	obj(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</Font <</F1 <</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>>>>> /Contents 4 0 R /Annots [7 0 R]>>")
	obj(4, contentStream("Hybrid"))
	// object stream 6 holding object 5 (the AcroForm)
	inner := "<</Fields [7 0 R] /DA (/Helv 0 Tf 0 g)>>"
	hdr := "5 0 "
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(hdr + inner))
	zw.Close()
	offs[6] = buf.Len()
	fmt.Fprintf(&buf, "6 0 obj\n<</Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d>>\nstream\n", len(hdr), z.Len())
	buf.Write(z.Bytes())
	buf.WriteString("\nendstream\nendobj\n")
	obj(7, "<</Type /Annot /Subtype /Widget /FT /Tx /T (SoVanBan) /V (123/UBND) /Rect [72 600 300 620] /P 3 0 R /F 4>>")
	// xref stream 8: entry for object 5 (compressed in 6, index 0)
	xs := buf.Len()
	data := []byte{2, 0, 6, 0}
	fmt.Fprintf(&buf, "8 0 obj\n<</Type /XRef /Size 9 /W [1 2 1] /Index [5 1] /Length %d>>\nstream\n", len(data))
	buf.Write(data)
	buf.WriteString("\nendstream\nendobj\n")
	offs[8] = xs
	x := buf.Len()
	buf.WriteString("xref\n0 5\n0000000000 65535 f \n")
	for n := 1; n <= 4; n++ {
		fmt.Fprintf(&buf, "%010d 00000 n \n", offs[n])
	}
	buf.WriteString("6 3\n")
	for n := 6; n <= 8; n++ {
		fmt.Fprintf(&buf, "%010d 00000 n \n", offs[n])
	}
	fmt.Fprintf(&buf, "trailer\n<</Size 9 /Root 1 0 R /XRefStm %d /ID [<AA> <AA>]>>\nstartxref\n%d\n%%%%EOF\n", xs, x)
	return buf.Bytes()
}

// writeTemp writes b to a new file in t's temp dir.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// qpdfTransform runs qpdf with args on in, returning the output path.
func qpdfTransform(t testing.TB, in string, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "qpdf-out.pdf")
	cmd := exec.Command("qpdf", append(append(args, in), out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("qpdf %v: %v\n%s", args, err, b)
		}
	}
	return out
}

// ---- validators ---------------------------------------------------------

// checkDocTimestamps verifies every document time-stamp of the file with
// "openssl ts -verify" against the test PKI root, over the signed byte
// ranges. It returns how many it checked.
func checkDocTimestamps(t testing.TB, path string, p *testpki.PKI) int {
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
	dir := t.TempDir()
	var pemb bytes.Buffer
	pemb.Write(p.Root.CertPEM())
	os.WriteFile(filepath.Join(dir, "root.pem"), pemb.Bytes(), 0o644)
	var untrusted bytes.Buffer
	untrusted.Write(p.Intermediate.CertPEM())
	untrusted.Write(p.TSA.CertPEM())
	os.WriteFile(filepath.Join(dir, "untrusted.pem"), untrusted.Bytes(), 0o644)
	n := 0
	for _, fl := range fields {
		sd, _ := f.ResolveDict(fl.Dict["V"])
		if sd == nil || sd.Name("Type") != "DocTimeStamp" {
			continue
		}
		if sd.Name("SubFilter") != "ETSI.RFC3161" {
			t.Fatalf("doc time-stamp SubFilter %v", sd["SubFilter"])
		}
		br := sd["ByteRange"].(pdf.Array)
		a, l1 := int64(br[0].(pdf.Integer)), int64(br[1].(pdf.Integer))
		c, l2 := int64(br[2].(pdf.Integer)), int64(br[3].(pdf.Integer))
		data := append(bytes.Clone(b[a:a+l1]), b[c:c+l2]...)
		var raw asn1.RawValue
		if _, err := asn1.Unmarshal(sd["Contents"].(pdf.String), &raw); err != nil {
			t.Fatalf("doc time-stamp token: %v", err)
		}
		tok := raw.FullBytes
		os.WriteFile(filepath.Join(dir, "d.bin"), data, 0o644)
		os.WriteFile(filepath.Join(dir, "t.der"), tok, 0o644)
		out, err := exec.Command("openssl", "ts", "-verify", "-data", filepath.Join(dir, "d.bin"), "-in", filepath.Join(dir, "t.der"),
			"-token_in", "-CAfile", filepath.Join(dir, "root.pem"), "-untrusted", filepath.Join(dir, "untrusted.pem")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Verification: OK") {
			t.Fatalf("openssl ts -verify: %v\n%s", err, out)
		}
		n++
	}
	return n
}

// checkAll runs every validator.
func checkAll(t testing.TB, path string, sigs int) string {
	t.Helper()
	pdfcheck.Qpdf(t, path)
	pdfcheck.Pdfcpu(t, path)
	return pdfcheck.Pdfsig(t, path, sigs)
}

// ---- PKI and signers ----------------------------------------------------

var (
	pkiOnce sync.Once
	pkiErr  error
	pkiVal  *testpki.PKI
)

// sharedPKI returns one PKI for the whole test binary (key generation is
// expensive on a shared machine); keys are cached on disk across runs.
func sharedPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		pkiVal, pkiErr = testpki.NewPKI(testpki.WithKeyCache(filepath.Join(os.TempDir(), "vanthu-testpki-keys")))
	})
	if pkiErr != nil {
		t.Fatalf("testpki: %v", pkiErr)
	}
	return pkiVal
}

// freshPKI returns a PKI owned by the test (for failure injection).
func freshPKI(t testing.TB) *testpki.PKI {
	t.Helper()
	return testpki.New(t, testpki.WithKeyCache(filepath.Join(os.TempDir(), "vanthu-testpki-keys")))
}

// countingSigner counts Sign calls.
type countingSigner struct {
	crypto.Signer
	n atomic.Int32
}

func (c *countingSigner) Sign(r io.Reader, d []byte, o crypto.SignerOpts) ([]byte, error) {
	c.n.Add(1)
	return c.Signer.Sign(r, d, o)
}

func optsFor(id *testpki.Identity) Options {
	return Options{Signer: id.Key, Chain: id.ChainWithLeaf(), Reason: "Phê duyệt văn bản", Location: "Buôn Ma Thuột"}
}

// signBytes signs in and returns the output path.
func signBytes(t testing.TB, in []byte, opts Options) (string, *Result) {
	t.Helper()
	inPath := writeTemp(t, "in.pdf", in)
	out := filepath.Join(filepath.Dir(inPath), "out.pdf")
	res, err := SignFile(context.Background(), inPath, out, opts)
	if err != nil {
		t.Fatalf("SignFile: %v", err)
	}
	return out, res
}

// bigPDF returns a valid one-page PDF of about size bytes: the bulk is an
// unreferenced-by-content but valid image XObject stream of random-ish
// data (no filter), so the file is realistic for a scanned document.
func bigPDF(t testing.TB, size int) []byte {
	t.Helper()
	b := &pdfBuilder{version: "1.7"}
	b.add("<</Type /Catalog /Pages 2 0 R>>")
	b.add("<</Type /Pages /Kids [3 0 R] /Count 1>>")
	b.add("<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</XObject <</Im1 5 0 R>>>> /Contents 4 0 R>>")
	b.add(func() string {
		s := "q 595 0 0 842 0 0 cm /Im1 Do Q"
		return fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(s), s)
	}())
	w := 1024
	h := size / (w * 3)
	if h < 1 {
		h = 1
	}
	data := make([]byte, w*h*3)
	x := uint32(2463534242)
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = byte(x)
	}
	b.add(fmt.Sprintf("<</Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d>>\nstream\n%s\nendstream", w, h, len(data), data))
	return b.bytes()
}
