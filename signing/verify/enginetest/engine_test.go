// Package enginetest verifies the signing engine's outputs with the verifier
// against the test PKI. It is a separate package so that the verifier's own
// tests do not depend on the signing engine building.
package enginetest

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

func testStore(t *testing.T) *trust.Store {
	t.Helper()
	s, err := trust.Load(context.Background(), trust.Options{SkipUserDir: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	pkiClock struct {
		sync.Mutex
		t time.Time
	}
)

func setClock(t time.Time) {
	pkiClock.Lock()
	pkiClock.t = t
	pkiClock.Unlock()
}

func clock() time.Time {
	pkiClock.Lock()
	defer pkiClock.Unlock()
	if pkiClock.t.IsZero() {
		return time.Now()
	}
	return pkiClock.t
}

func newPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	if testing.Short() {
		t.Skip("PKI tests are slow")
	}
	return testpki.New(t, testpki.WithClock(clock))
}

func storeFor(p *testpki.PKI) *trust.Store {
	s := trust.New()
	s.Add(p.Root.Cert, trust.RoleAnchor, "testpki")
	return s
}

func signPDF(t *testing.T, in []byte, id *testpki.Identity, level pades.Level, p *testpki.PKI, mod func(*pades.Options)) []byte {
	t.Helper()
	opts := pades.Options{Signer: id.Key, Chain: id.ChainWithLeaf(), Level: level, TSAURL: p.TSAURL, Now: clock, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&opts)
	}
	var out bytes.Buffer
	if _, err := pades.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, opts); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.Bytes()
}

func verifyBytes(t *testing.T, b []byte, store *trust.Store, online bool) *verify.Result {
	t.Helper()
	res, err := verify.Verify(context.Background(), bytes.NewReader(b), int64(len(b)), verify.Options{Trust: store, Online: online, FetchTimeout: 5 * time.Second, Now: clock})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return res
}

func hasProblem(s verify.Signature, code string) bool {
	for _, p := range s.Problems {
		if p.Code == code {
			return true
		}
	}
	return false
}

func describe(r *verify.Result) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "file %s %v\n", r.Status, r.Problems)
	for _, s := range r.Signatures {
		fmt.Fprintf(&b, "  %s %s %s level=%s intact=%v sig=%v trusted=%v rev=%s mod=%s time=%s/%s %v\n", s.Field, s.Kind, s.Status, s.Level, s.Intact, s.SignatureOK, s.Trusted, s.Revocation, s.ModifiedAfter, s.SigningTime.Format(time.RFC3339), s.SigningTimeSource, s.Problems)
	}
	return b.String()
}

func TestEngineLevels(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	base := testpdf.Plain(2)
	for _, tc := range []struct {
		level  pades.Level
		want   verify.Level
		online bool
	}{
		{pades.LevelBB, verify.LevelBB, true},
		{pades.LevelBT, verify.LevelBT, true},
		{pades.LevelBLT, verify.LevelBLT, false},
		{pades.LevelBLTA, verify.LevelBLTA, false},
	} {
		t.Run(string(tc.level), func(t *testing.T) {
			for _, id := range []*testpki.Identity{p.Leader, p.Director, p.Specialist, p.Org} {
				out := signPDF(t, base, id, tc.level, p, nil)
				res := verifyBytes(t, out, store, tc.online)
				if res.Status != verify.StatusValid {
					t.Fatalf("%s: status %s\n%s", id.Cert.Subject.CommonName, res.Status, describe(res))
				}
				var sig *verify.Signature
				for i := range res.Signatures {
					if res.Signatures[i].Kind == verify.KindSignature {
						sig = &res.Signatures[i]
					}
				}
				if sig == nil || sig.Level != tc.want || !sig.Trusted || !sig.Intact || sig.ModifiedAfter == verify.ModDisallowed {
					t.Fatalf("%s: unexpected result\n%s", id.Cert.Subject.CommonName, describe(res))
				}
				if tc.level != pades.LevelBB && sig.SigningTimeSource != verify.TimeFromTimestamp {
					t.Errorf("signing time source %s, want timestamp", sig.SigningTimeSource)
				}
				if tc.level == pades.LevelBLTA {
					n := 0
					for _, s := range res.Signatures {
						if s.Kind == verify.KindDocTimestamp && s.Status == verify.StatusValid {
							n++
						}
					}
					if n == 0 {
						t.Errorf("no valid document timestamp\n%s", describe(res))
					}
				}
			}
		})
	}
}

func TestEngineUnknownRoot(t *testing.T) {
	p := newPKI(t)
	out := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBB, p, nil)
	res := verifyBytes(t, out, testStore(t), false) // bundled Vietnamese roots only
	if res.Status != verify.StatusIndeterminate || res.Signatures[0].Trusted || !hasProblem(res.Signatures[0], verify.CodeChainUntrusted) {
		t.Fatalf("unknown root:\n%s", describe(res))
	}
	if !res.Signatures[0].Intact {
		t.Fatalf("integrity should not depend on trust")
	}
}

func TestEngineWrongUsage(t *testing.T) {
	p := newPKI(t)
	out := signPDF(t, testpdf.Plain(1), p.WrongUsage, pades.LevelBB, p, nil)
	res := verifyBytes(t, out, storeFor(p), true)
	if res.Status != verify.StatusInvalid || !hasProblem(res.Signatures[0], verify.CodeKeyUsage) {
		t.Fatalf("wrong usage:\n%s", describe(res))
	}
}

func TestEngineExpired(t *testing.T) {
	p := newPKI(t)
	// The signing engine refuses an expired certificate at its own clock, so
	// it is given a clock inside the validity period; the time-stamp, from
	// the TSA's clock, proves the signature was made after expiry.
	inValidity := p.Expired.Cert.NotAfter.Add(-24 * time.Hour)
	out := signPDFMaybe(t, testpdf.Plain(1), p.Expired, pades.LevelBT, p, func(o *pades.Options) {
		o.Now = func() time.Time { return inValidity }
	})
	if out == nil {
		t.Fatal("could not produce a signature with the expired certificate")
	}
	res := verifyBytes(t, out, storeFor(p), true)
	if res.Status != verify.StatusInvalid || !hasProblem(res.Signatures[0], verify.CodeCertExpired) {
		t.Fatalf("expired:\n%s", describe(res))
	}
}

func signPDFMaybe(t *testing.T, in []byte, id *testpki.Identity, level pades.Level, p *testpki.PKI, mod func(*pades.Options)) []byte {
	opts := pades.Options{Signer: id.Key, Chain: id.ChainWithLeaf(), Level: level, TSAURL: p.TSAURL, Now: clock, Timeout: 5 * time.Second}
	mod(&opts)
	var out bytes.Buffer
	if _, err := pades.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, opts); err != nil {
		t.Logf("sign: %v", err)
		return nil
	}
	return out.Bytes()
}

func TestEngineRevokedBeforeSigning(t *testing.T) {
	p := newPKI(t)
	// p.Revoked was revoked 24 h ago; a signature (timestamped) now is invalid
	out := signPDFMaybe(t, testpdf.Plain(1), p.Revoked, pades.LevelBT, p, func(*pades.Options) {})
	if out == nil {
		t.Fatal("could not produce a signature with the revoked certificate")
	}
	res := verifyBytes(t, out, storeFor(p), true)
	if res.Status != verify.StatusInvalid || !hasProblem(res.Signatures[0], verify.CodeCertRevoked) {
		t.Fatalf("revoked before signing:\n%s", describe(res))
	}
}

func TestEngineRevokedAfterSigning(t *testing.T) {
	p := newPKI(t)
	id := p.MustIssue(t, testpki.Spec{CommonName: "Đỗ Văn Tâm", Organization: "Sở Tư pháp"})
	out := signPDF(t, testpdf.Plain(1), id, pades.LevelBT, p, nil)
	p.Revoke(id.Cert, time.Now().Add(time.Minute), testpki.ReasonKeyCompromise)
	setClock(time.Now().Add(time.Hour))
	defer setClock(time.Time{})
	res := verifyBytes(t, out, storeFor(p), true)
	s := res.Signatures[0]
	if res.Status != verify.StatusValid || !hasProblem(s, verify.CodeCertRevokedAfter) {
		t.Fatalf("revoked after a timestamped signature should stay valid:\n%s", describe(res))
	}
	// without a timestamp the claimed time proves nothing: not valid
	id2 := p.MustIssue(t, testpki.Spec{CommonName: "Đỗ Văn Tâm 2", Organization: "Sở Tư pháp"})
	setClock(time.Time{})
	out2 := signPDF(t, testpdf.Plain(1), id2, pades.LevelBB, p, nil)
	p.Revoke(id2.Cert, time.Now().Add(time.Minute), testpki.ReasonKeyCompromise)
	setClock(time.Now().Add(time.Hour))
	res2 := verifyBytes(t, out2, storeFor(p), true)
	if res2.Status == verify.StatusValid || !hasProblem(res2.Signatures[0], verify.CodeCertRevokedNoPOE) {
		t.Fatalf("revoked after an untimestamped signature must not be valid:\n%s", describe(res2))
	}
}

func TestEngineTwoSignaturesAndTamper(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	one := signPDF(t, testpdf.Plain(2), p.Leader, pades.LevelBT, p, nil)
	two := signPDF(t, one, p.Director, pades.LevelBT, p, nil)
	res := verifyBytes(t, two, store, true)
	if res.Status != verify.StatusValid || len(res.Signatures) != 2 {
		t.Fatalf("two signatures:\n%s", describe(res))
	}
	if res.Signatures[0].ModifiedAfter != verify.ModAllowed || res.Signatures[0].CoversDocument || !res.Signatures[1].CoversDocument {
		t.Fatalf("first signature should be followed by an allowed change:\n%s", describe(res))
	}
	// append an incremental update replacing page 1's content
	tampered := appendUpdate(two, 4, "<< /Length 20 >>\nstream\n1 0 0 rg 0 0 595 842 re f\nendstream")
	res = verifyBytes(t, tampered, store, true)
	for _, s := range res.Signatures {
		if s.Status != verify.StatusInvalid || s.ModifiedAfter != verify.ModDisallowed {
			t.Fatalf("content change not caught:\n%s", describe(res))
		}
	}
	// flip one signed byte
	broken := append([]byte{}, two...)
	broken[20] ^= 1
	res = verifyBytes(t, broken, store, true)
	if res.Status != verify.StatusInvalid || res.Signatures[0].Intact {
		t.Fatalf("flipped byte not caught:\n%s", describe(res))
	}
}

func TestEngineCertified(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	cert := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBT, p, func(o *pades.Options) { o.Certify = 1 })
	res := verifyBytes(t, cert, store, true)
	if res.Status != verify.StatusValid || !res.Signatures[0].Certifying || res.Signatures[0].DocMDP != 1 {
		t.Fatalf("certified:\n%s", describe(res))
	}
	// P=1: a second approval signature is not allowed
	two := signPDFMaybe(t, cert, p.Director, pades.LevelBB, p, func(*pades.Options) {})
	if two == nil {
		return
	}
	res = verifyBytes(t, two, store, true)
	if res.Signatures[0].Status != verify.StatusInvalid || !hasProblem(res.Signatures[0], verify.CodeDocMDPForbids) {
		t.Fatalf("P=1 then a signature:\n%s", describe(res))
	}
}

// appendUpdate appends an incremental update redefining object num.
func appendUpdate(in []byte, num int, body string) []byte {
	var b bytes.Buffer
	b.Write(in)
	prev := lastStartxref(in)
	off := b.Len()
	fmt.Fprintf(&b, "\n%d 0 obj\n%s\nendobj\n", num, body)
	off++ // the leading newline
	x := b.Len()
	root := findRoot(in)
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", num, off, 1000, root, prev, x)
	return b.Bytes()
}

func lastStartxref(b []byte) int {
	i := bytes.LastIndex(b, []byte("startxref"))
	var n int
	fmt.Sscan(string(b[i+len("startxref"):]), &n) // Sscan treats newlines as spaces
	return n
}

func findRoot(b []byte) string {
	i := bytes.LastIndex(b, []byte("/Root "))
	var a, g int
	fmt.Sscan(string(b[i+len("/Root "):]), &a, &g)
	return fmt.Sprintf("%d %d R", a, g)
}

func TestEngineVisibleMultiSignLTA(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	vis := func(y float64) func(*pades.Options) {
		return func(o *pades.Options) {
			o.Visible = &appearance.Appearance{Page: 1, Rect: appearance.Rect{X: 300, Y: y, W: 200, H: 60}, Content: []byte("0 0 1 RG 2 w 1 1 198 58 re S")}
		}
	}
	one := signPDF(t, testpdf.Plain(2), p.Leader, pades.LevelBLTA, p, vis(100))
	two := signPDF(t, one, p.Specialist, pades.LevelBLTA, p, vis(200))
	res := verifyBytes(t, two, store, false)
	if res.Status != verify.StatusValid {
		t.Fatalf("two visible B-LTA signatures:\n%s", describe(res))
	}
	for _, s := range res.Signatures {
		if s.Kind == verify.KindSignature && s.Level != verify.LevelBLTA {
			t.Errorf("%s: level %s, want B-LTA", s.Field, s.Level)
		}
	}
	// a shadow "hide" style update: overwrite page 1's content after signing
	tampered := appendUpdate(two, 4, "<< /Length 10 >>\nstream\n0 0 m 1 1 l\nendstream")
	res = verifyBytes(t, tampered, store, false)
	if res.Status != verify.StatusInvalid {
		t.Fatalf("tampered B-LTA file:\n%s", describe(res))
	}
}

// TestEngineXrefReroot appends an update whose /Prev skips the signed
// revision: the signed objects silently revert to their unsigned versions.
func TestEngineXrefReroot(t *testing.T) {
	p := newPKI(t)
	base := testpdf.Plain(1)
	signed := signPDF(t, base, p.Leader, pades.LevelBB, p, nil)
	var b bytes.Buffer
	b.Write(signed)
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1000 /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", findRoot(signed), lastStartxref(base), x)
	res := verifyBytes(t, b.Bytes(), storeFor(p), true)
	if res.Status == verify.StatusValid {
		t.Fatalf("re-rooted xref chain accepted:\n%s", describe(res))
	}
}

// TestEngineRevocationUnavailable: with OCSP and CRL down or too slow, a
// B-B signature cannot be confirmed (indeterminate), in bounded time; a
// B-LT signature does not need the network.
func TestEngineRevocationUnavailable(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	bb := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBB, p, nil)
	blt := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBLT, p, nil)
	p.SetDown(testpki.ServiceOCSP, true)
	p.SetDelay(testpki.ServiceCRL, 10*time.Second)
	defer p.SetDown(testpki.ServiceOCSP, false)
	defer p.SetDelay(testpki.ServiceCRL, 0)
	start := time.Now()
	res, err := verify.Verify(context.Background(), bytes.NewReader(bb), int64(len(bb)), verify.Options{Trust: store, Online: true, FetchTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %v with slow responders", el)
	}
	if res.Status != verify.StatusIndeterminate || !hasProblem(res.Signatures[0], "revocation_unknown") {
		t.Fatalf("B-B without revocation data:\n%s", describe(res))
	}
	res = verifyBytes(t, blt, store, true)
	if res.Status != verify.StatusValid {
		t.Fatalf("B-LT should not need the network:\n%s", describe(res))
	}
}

// addAnnotation appends an update that adds an annotation (body) to page 1.
func addAnnotation(t *testing.T, in []byte, body string) []byte {
	t.Helper()
	v, _ := lastView(t, in)
	pages := v.Dict(v.Root().Get("Pages"))
	pageRef := v.Array(pages.Get("Kids"))[0].(pdf.Ref)
	page := v.Dict(pageRef)
	annots := append(pdf.Array{}, v.Array(page.Get("Annots"))...)
	size, _ := v.Trailer.Int("Size")
	annotNum := int(size)
	annots = append(annots, pdf.Ref{Num: annotNum})
	np := pdf.Dict{}
	for k, x := range page {
		np[k] = x
	}
	np["Annots"] = annots
	var pb bytes.Buffer
	pdf.Canonical(&pb, np, 0)
	var b bytes.Buffer
	b.Write(in)
	off1 := b.Len()
	fmt.Fprintf(&b, "%d %d obj\n%s\nendobj\n", pageRef.Num, pageRef.Gen, pb.String())
	off2 := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", annotNum, body)
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		pageRef.Num, off1, pageRef.Gen, annotNum, off2, annotNum+1, findRoot(in), lastStartxref(in), x)
	return b.Bytes()
}

func TestEngineAnnotationsAndDocMDP(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	comment := "<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /Contents (OK) >>"
	cover := "<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /IC [1 1 1] >>"
	for _, tc := range []struct {
		name    string
		certify int
		annot   string
		want    verify.Modification
	}{
		{"approval+comment", 0, comment, verify.ModDisallowed}, // annotations need P=3
		{"approval+cover", 0, cover, verify.ModDisallowed},
		{"P2+comment", 2, comment, verify.ModDisallowed},
		{"P3+comment", 3, comment, verify.ModAllowed},
		{"P3+cover", 3, cover, verify.ModAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			signed := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBT, p, func(o *pades.Options) { o.Certify = tc.certify })
			res := verifyBytes(t, addAnnotation(t, signed, tc.annot), store, true)
			s := res.Signatures[0]
			if s.ModifiedAfter != tc.want {
				t.Fatalf("modified_after %s, want %s\n%s", s.ModifiedAfter, tc.want, describe(res))
			}
			if (tc.want == verify.ModAllowed) != (s.Status == verify.StatusValid) {
				t.Fatalf("status %s\n%s", s.Status, describe(res))
			}
		})
	}
}
