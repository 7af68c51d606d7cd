package pades

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// TestOutputCheckCatches: the read-back check refuses an output whose
// bytes are not what was written, wherever the difference is.
func TestOutputCheckCatches(t *testing.T) {
	p := sharedPKI(t)
	in := simplePDF("1.7", 1, true)
	o := optsFor(p.Leader)
	var buf bytes.Buffer
	_, out, err := sign(context.Background(), bytes.NewReader(in), int64(len(in)), &buf, o)
	if err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if err := checkOutput(context.Background(), bytes.NewReader(good), int64(len(good)), out); err != nil {
		t.Fatalf("the good output: %v", err)
	}
	rv := out.revs[0]
	gap0 := int(rv.base) + rv.sig.contents[0]
	br := int(rv.base) + rv.sig.byteRange[0]
	tamper := map[string]func([]byte) []byte{
		"byte in the signed revision": func(b []byte) []byte { b[int(rv.base)+rv.built.Bodies[rv.sig.sigNum]-3] ^= 1; return b },
		"byte in the contents":        func(b []byte) []byte { b[gap0+10] = 'F'; return b },
		"byterange digit":             func(b []byte) []byte { b[br+3]++; return b },
		"truncated":                   func(b []byte) []byte { return b[:len(b)-10] },
		"trailing data":               func(b []byte) []byte { return append(b, "1 0 obj\n<<>>\nendobj\n"...) },
		"startxref":                   func(b []byte) []byte { i := bytes.LastIndex(b, []byte("startxref\n")); b[i+10]++; return b },
	}
	for name, f := range tamper {
		bad := f(bytes.Clone(good))
		if err := checkOutput(context.Background(), bytes.NewReader(bad), int64(len(bad)), out); !errors.Is(err, ErrOutputCheck) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestEncryptInOlderTrailer: a file whose newest trailer has no /Encrypt
// but whose chain still names one is encrypted for viewers, and refused.
func TestEncryptInOlderTrailer(t *testing.T) {
	p := sharedPKI(t)
	b := &pdfBuilder{version: "1.7", trailer: " /Encrypt 4 0 R"}
	b.add("<</Type /Catalog /Pages 2 0 R>>")
	b.add("<</Type /Pages /Kids [3 0 R] /Count 1>>")
	b.add("<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>")
	b.add("<</Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4>>")
	base := b.bytes()
	x0 := bytes.LastIndex(base, []byte("\nxref")) + 1
	var upd bytes.Buffer
	upd.Write(base)
	off := upd.Len()
	upd.WriteString("3 0 obj\n<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 0>>\nendobj\n")
	x := upd.Len()
	fmt.Fprintf(&upd, "xref\n3 1\n%010d 00000 n \ntrailer\n<</Size 5 /Root 1 0 R /Prev %d>>\nstartxref\n%d\n%%%%EOF\n", off, x0, x)
	in := writeTemp(t, "in.pdf", upd.Bytes())
	out := filepath.Join(t.TempDir(), "out.pdf")
	if _, err := SignFile(context.Background(), in, out, optsFor(p.Leader)); !errors.Is(err, ErrEncrypted) {
		t.Fatalf("err = %v", err)
	}
	assertNoOutput(t, filepath.Dir(out))
}

// TestSignBytesBeforeHeader: a file with bytes before %PDF- whose offsets
// count from the header is signed with offsets in the same convention, and
// validators read the result.
func TestSignBytesBeforeHeader(t *testing.T) {
	p := sharedPKI(t)
	in := append([]byte("garbage a mail gateway left\r\n"), simplePDF("1.7", 1, true)...)
	out, _ := signBytes(t, in, optsFor(p.Leader))
	pdfcheck.Qpdf(t, out)
	pdfcheck.Pdfsig(t, out, 1)
	ts := trust.New()
	ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
	res, err := verify.VerifyFile(context.Background(), out, verify.Options{Trust: ts, Online: true})
	if err != nil || res.Status != verify.StatusValid {
		t.Fatalf("verifier: %v %+v", err, res)
	}
}
