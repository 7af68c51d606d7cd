package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pdf"
)

type shape struct {
	name string
	make func(t testing.TB) []byte
}

func shapes() []shape {
	return []shape{
		{"classic-1.7-form", func(t testing.TB) []byte { return simplePDF("1.7", 2, true) }},
		{"pdf-1.3", func(t testing.TB) []byte { return simplePDF("1.3", 1, false) }},
		{"pdf-2.0-form", func(t testing.TB) []byte { return simplePDF("2.0", 3, true) }},
		{"xrefstream-objstm", func(t testing.TB) []byte {
			in := writeTemp(t, "plain.pdf", simplePDF("1.7", 3, true))
			out := qpdfTransform(t, in, "--object-streams=generate")
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte("/ObjStm")) || !bytes.Contains(b, []byte("/XRef")) {
				t.Fatal("qpdf did not produce object streams")
			}
			return b
		}},
		{"hybrid", func(t testing.TB) []byte { return hybridPDF() }},
		{"pdfcpu-written", func(t testing.TB) []byte {
			// pdfcpu rewrites the file with its own writer (object and
			// cross-reference streams by default).
			var out bytes.Buffer
			conf := model.NewDefaultConfiguration()
			if err := api.Optimize(bytes.NewReader(simplePDF("1.7", 2, true)), &out, conf); err != nil {
				t.Fatalf("pdfcpu optimize: %v", err)
			}
			return out.Bytes()
		}},
	}
}

// openOut parses a signed output with the package's own reader.
func openOut(t testing.TB, path string) *pdf.View {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pdf.OpenFinal(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("re-open %s: %v", path, err)
	}
	return f
}

func fieldNames(t testing.TB, f *pdf.View) map[string]pdf.Field {
	t.Helper()
	cat, _, err := f.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	acro, err := f.ResolveDict(cat["AcroForm"])
	if err != nil {
		t.Fatal(err)
	}
	fl, err := f.Fields(acro)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]pdf.Field{}
	for _, x := range fl {
		m[x.FullName] = x
	}
	if v, _ := acro.Int("SigFlags"); v != 3 {
		t.Fatalf("SigFlags = %d, want 3", v)
	}
	return m
}

// checkDSS checks the /DSS and the /VRI entries of the named signatures
// (every CAdES signature when none are named).
func checkDSS(t testing.TB, f *pdf.View, vriFor ...string) {
	t.Helper()
	cat, _, err := f.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	dss, err := f.ResolveDict(cat["DSS"])
	if err != nil || dss == nil {
		t.Fatalf("no /DSS in catalog (err %v)", err)
	}
	certs, _ := f.Resolve(dss["Certs"])
	if a, _ := certs.(pdf.Array); len(a) < 3 {
		t.Fatalf("/DSS /Certs has %d entries", len(a))
	}
	ocsps, _ := f.Resolve(dss["OCSPs"])
	crls, _ := f.Resolve(dss["CRLs"])
	a1, _ := ocsps.(pdf.Array)
	a2, _ := crls.(pdf.Array)
	if len(a1)+len(a2) < 2 {
		t.Fatalf("/DSS has %d OCSP and %d CRL entries", len(a1), len(a2))
	}
	// /VRI is keyed by the SHA-1 of the signature's whole /Contents.
	vri, _ := f.ResolveDict(dss["VRI"])
	acro, _ := f.ResolveDict(cat["AcroForm"])
	fields, _ := f.Fields(acro)
	for _, fl := range fields {
		sd, _ := f.ResolveDict(fl.Dict["V"])
		if sd == nil || sd.Name("Type") != "Sig" {
			continue
		}
		if len(vriFor) > 0 && !slices.Contains(vriFor, fl.FullName) {
			continue
		}
		sum := sha1.Sum(sd["Contents"].(pdf.String))
		if _, ok := vri[pdf.Name(strings.ToUpper(hex.EncodeToString(sum[:])))]; !ok {
			t.Fatalf("no /VRI entry for %s", fl.FullName)
		}
	}
}

// TestLTWithLeafOnlyChain: with only the signer certificate given, B-LT
// finds the issuers through AIA and embeds them with their revocation data.
func TestLTWithLeafOnlyChain(t *testing.T) {
	p := sharedPKI(t)
	o := optsFor(p.Leader)
	o.Chain = o.Chain[:1]
	o.Level, o.TSAURL = LevelBLT, p.TSAURL
	out, _ := signBytes(t, simplePDF("1.7", 1, false), o)
	checkAll(t, out, 1)
	f := openOut(t, out)
	checkDSS(t, f)
	cat, _, _ := f.Catalog()
	dss, _ := f.ResolveDict(cat["DSS"])
	certs, _ := f.Resolve(dss["Certs"])
	found := false
	for _, c := range certs.(pdf.Array) {
		s, _ := f.Resolve(c)
		if st, ok := s.(*pdf.Stream); ok {
			d, _ := f.Decode(st)
			if bytes.Equal(d, p.Intermediate.Cert.Raw) {
				found = true
			}
		}
	}
	if !found {
		t.Fatal("intermediate certificate not in /DSS")
	}
}

// TestSignMatrix signs every file shape with RSA-2048, RSA-4096 and ECDSA
// P-256 at every level against the loopback TSA/OCSP/CRL and checks each
// output with qpdf, pdfcpu and pdfsig, plus the DSS/field structure.
func TestSignMatrix(t *testing.T) {
	p := sharedPKI(t)
	ids := map[string]*testpki.Identity{"rsa2048": p.Leader, "rsa4096": p.Director, "p256": p.Specialist}
	levels := []Level{LevelBB, LevelBT, LevelBLT, LevelBLTA}
	for _, sh := range shapes() {
		in := sh.make(t)
		for kn, id := range ids {
			for _, lv := range levels {
				t.Run(fmt.Sprintf("%s/%s/%s", sh.name, kn, lv), func(t *testing.T) {
					o := optsFor(id)
					o.Level = lv
					o.TSAURL = p.TSAURL
					out, res := signBytes(t, in, o)
					wantSigs := 1
					if lv == LevelBLTA {
						wantSigs = 2
					}
					s := checkAll(t, out, wantSigs)
					if lv.rank() >= 1 && res.Timestamp.IsZero() {
						t.Fatal("no time-stamp time in result")
					}
					_ = s
					if n := checkDocTimestamps(t, out, p); n != map[bool]int{true: 1, false: 0}[lv == LevelBLTA] {
						t.Fatalf("%d document time-stamps", n)
					}
					f := openOut(t, out)
					fields := fieldNames(t, f)
					if _, ok := fields["Signature1"]; !ok {
						t.Fatalf("Signature1 missing: %v", fields)
					}
					if lv.rank() >= 2 {
						checkDSS(t, f)
					}
					wantRev := map[Level]int{LevelBB: 1, LevelBT: 1, LevelBLT: 2, LevelBLTA: 3}[lv]
					if res.Revisions != wantRev {
						t.Fatalf("revisions = %d, want %d", res.Revisions, wantRev)
					}
				})
			}
		}
	}
}

// TestThreeSequentialSignatures: three signatures on top of each other
// (mixed keys and levels) all stay valid, and the form field survives.
func TestThreeSequentialSignatures(t *testing.T) {
	p := sharedPKI(t)
	for _, sh := range shapes() {
		t.Run(sh.name, func(t *testing.T) {
			cur := writeTemp(t, "0.pdf", sh.make(t))
			levels := []Level{LevelBLTA, LevelBT, LevelBLT}
			for i, id := range []*testpki.Identity{p.Leader, p.Specialist, p.Director} {
				o := optsFor(id)
				o.Level, o.TSAURL = levels[i], p.TSAURL
				next := filepath.Join(filepath.Dir(cur), fmt.Sprintf("%d.pdf", i+1))
				if _, err := SignFile(context.Background(), cur, next, o); err != nil {
					t.Fatalf("signature %d: %v", i+1, err)
				}
				cur = next
			}
			checkAll(t, cur, 4) // three signatures and the first one's document time-stamp
			if n := checkDocTimestamps(t, cur, p); n != 1 {
				t.Fatalf("%d document time-stamps", n)
			}
			f := openOut(t, cur)
			checkDSS(t, f, "Signature1", "Signature4")
			fields := fieldNames(t, f)
			for _, n := range []string{"Signature1", "Signature2", "Signature3", "Signature4"} {
				if _, ok := fields[n]; !ok {
					t.Fatalf("%s missing", n)
				}
			}
			orig, err := pdf.OpenFinal(context.Background(), bytes.NewReader(sh.make(t)), int64(len(sh.make(t))))
			if err != nil {
				t.Fatal(err)
			}
			if f.Sections[0].Stream != orig.Sections[0].Stream {
				t.Fatalf("cross-reference kind changed: stream %v", f.Sections[0].Stream)
			}
		})
	}
}

// TestFormFieldKept: a text field present before signing is still in
// /AcroForm /Fields and in the page's /Annots, with its value.
func TestFormFieldKept(t *testing.T) {
	p := sharedPKI(t)
	for _, sh := range shapes() {
		if sh.name == "pdf-1.3" {
			continue
		}
		t.Run(sh.name, func(t *testing.T) {
			out, _ := signBytes(t, sh.make(t), optsFor(p.Leader))
			f := openOut(t, out)
			fields := fieldNames(t, f)
			var tx *pdf.Field
			for _, n := range []string{"HoTen", "SoVanBan"} {
				if fl, ok := fields[n]; ok {
					tx = &fl
				}
			}
			if tx == nil || tx.Type != "Tx" {
				t.Fatalf("text field lost: %v", fields)
			}
			if _, ok := tx.Dict["V"].(pdf.String); !ok {
				t.Fatal("text field value lost")
			}
			_, page, err := f.Page(1)
			if err != nil {
				t.Fatal(err)
			}
			annots, _ := f.Resolve(page["Annots"])
			arr, _ := annots.(pdf.Array)
			found := map[pdf.Ref]bool{}
			for _, a := range arr {
				if r, ok := a.(pdf.Ref); ok {
					found[r] = true
				}
			}
			if !found[tx.Ref] || !found[fields["Signature1"].Ref] {
				t.Fatalf("page /Annots %v lacks the text field %v or the signature widget", arr, tx.Ref)
			}
		})
	}
}

// TestCertification: P=1 certification, then any further signature is
// refused; P=2 allows an approval signature; certifying an already signed
// document is refused. The DocMDP structures are in place.
func TestCertification(t *testing.T) {
	p := sharedPKI(t)
	o := optsFor(p.Leader)
	o.Certify = 1
	out, _ := signBytes(t, simplePDF("1.7", 1, true), o)
	checkAll(t, out, 1)
	f := openOut(t, out)
	cat, _, _ := f.Catalog()
	perms, _ := f.ResolveDict(cat["Perms"])
	sd, _ := f.ResolveDict(perms["DocMDP"])
	if pv, ok := transformP(f, sd, "DocMDP"); !ok || pv != 1 {
		t.Fatalf("DocMDP P = %d, %v", pv, ok)
	}
	cs := &countingSigner{Signer: p.Specialist.Key}
	o2 := optsFor(p.Specialist)
	o2.Signer = cs
	_, err := SignFile(context.Background(), out, filepath.Join(t.TempDir(), "x.pdf"), o2)
	if !errors.Is(err, ErrCertified) {
		t.Fatalf("second signature on P=1: %v", err)
	}
	if cs.n.Load() != 0 {
		t.Fatal("signer called")
	}

	// Certification P=1 at B-LTA: the DSS and document time-stamp
	// revisions that follow are allowed extensions.
	o.Level, o.TSAURL = LevelBLTA, p.TSAURL
	outLTA, _ := signBytes(t, simplePDF("1.7", 1, true), o)
	checkAll(t, outLTA, 2)
	checkDocTimestamps(t, outLTA, p)
	o.Level = LevelBB

	o.Certify = 2
	out2, _ := signBytes(t, simplePDF("1.7", 1, true), o)
	out3 := filepath.Join(t.TempDir(), "approved.pdf")
	if _, err := SignFile(context.Background(), out2, out3, optsFor(p.Specialist)); err != nil {
		t.Fatalf("approval after P=2: %v", err)
	}
	s := checkAll(t, out3, 2)
	_ = s

	o3 := optsFor(p.Director)
	o3.Certify = 3
	_, err = SignFile(context.Background(), out3, filepath.Join(t.TempDir(), "y.pdf"), o3)
	if !errors.Is(err, ErrCertifyNotFirst) {
		t.Fatalf("certifying a signed document: %v", err)
	}
}

// TestEncryptedRefused: an encrypted PDF is refused with ErrEncrypted, the
// signer is not called and no output appears.
func TestEncryptedRefused(t *testing.T) {
	p := sharedPKI(t)
	in := writeTemp(t, "plain.pdf", simplePDF("1.7", 1, false))
	for _, args := range [][]string{
		{"--encrypt", "user", "owner", "256", "--"},
		{"--encrypt", "", "owner", "256", "--"},
	} {
		enc := qpdfTransform(t, in, args...)
		cs := &countingSigner{Signer: p.Leader.Key}
		o := optsFor(p.Leader)
		o.Signer = cs
		out := filepath.Join(t.TempDir(), "out.pdf")
		_, err := SignFile(context.Background(), enc, out, o)
		if !errors.Is(err, ErrEncrypted) {
			t.Fatalf("%v: err = %v", args, err)
		}
		if cs.n.Load() != 0 {
			t.Fatal("signer called")
		}
		assertNoOutput(t, filepath.Dir(out))
	}
}

func assertNoOutput(t testing.TB, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		var n []string
		for _, e := range ents {
			n = append(n, e.Name())
		}
		t.Fatalf("leftover files in %s: %v", dir, n)
	}
}

// TestPlaceholderTooSmall: a reservation smaller than needed is refused
// before the signer is called; no output.
func TestPlaceholderTooSmall(t *testing.T) {
	p := sharedPKI(t)
	in := writeTemp(t, "in.pdf", simplePDF("1.7", 1, false))
	cs := &countingSigner{Signer: p.Director.Key}
	o := optsFor(p.Director)
	o.Signer = cs
	o.ReservedSize = 2000
	dir := t.TempDir()
	_, err := SignFile(context.Background(), in, filepath.Join(dir, "o.pdf"), o)
	if !errors.Is(err, ErrPlaceholderTooSmall) {
		t.Fatalf("err = %v", err)
	}
	if cs.n.Load() != 0 {
		t.Fatalf("signer called %d times", cs.n.Load())
	}
	assertNoOutput(t, dir)
	// The default reservation signs exactly once.
	o.ReservedSize = 0
	if _, err := SignFile(context.Background(), in, filepath.Join(dir, "o.pdf"), o); err != nil {
		t.Fatal(err)
	}
	if cs.n.Load() != 1 {
		t.Fatalf("signer called %d times, want 1", cs.n.Load())
	}
}

// TestServicesDown: TSA down → B-T fails before signing; OCSP and CRL down
// → B-LT fails with ErrRevocation (no silent downgrade); no output.
func TestServicesDown(t *testing.T) {
	p := freshPKI(t)
	in := writeTemp(t, "in.pdf", simplePDF("1.7", 1, false))
	run := func(lv Level) (int32, string, error) {
		cs := &countingSigner{Signer: p.Leader.Key}
		o := optsFor(p.Leader)
		o.Signer, o.Level, o.TSAURL = cs, lv, p.TSAURL
		o.Timeout = 3e9
		dir := t.TempDir()
		_, err := SignFile(context.Background(), in, filepath.Join(dir, "o.pdf"), o)
		return cs.n.Load(), dir, err
	}
	p.SetDown(testpki.ServiceTSA, true)
	n, dir, err := run(LevelBT)
	if !errors.Is(err, ErrTimestamp) || n != 0 {
		t.Fatalf("TSA down: err %v, signer calls %d", err, n)
	}
	assertNoOutput(t, dir)
	p.SetDown(testpki.ServiceTSA, false)
	// A TSA slower than the timeout fails the same way, quickly.
	p.SetDelay(testpki.ServiceTSA, 5*time.Second)
	start := time.Now()
	{
		cs := &countingSigner{Signer: p.Leader.Key}
		o := optsFor(p.Leader)
		o.Signer, o.Level, o.TSAURL, o.Timeout = cs, LevelBT, p.TSAURL, 300*time.Millisecond
		_, err := SignFile(context.Background(), in, filepath.Join(t.TempDir(), "o.pdf"), o)
		if !errors.Is(err, ErrTimestamp) || cs.n.Load() != 0 || time.Since(start) > 3*time.Second {
			t.Fatalf("slow TSA: err %v, signer calls %d, after %v", err, cs.n.Load(), time.Since(start))
		}
	}
	p.SetDelay(testpki.ServiceTSA, 0)
	p.SetDown(testpki.ServiceOCSP, true)
	p.SetDown(testpki.ServiceCRL, true)
	n, dir, err = run(LevelBLT)
	if !errors.Is(err, ErrRevocation) || n != 0 {
		t.Fatalf("OCSP+CRL down: err %v, signer calls %d", err, n)
	}
	t.Logf("B-LT with revocation down: %v", err)
	assertNoOutput(t, dir)
	// With only OCSP down, CRLs are used.
	p.SetDown(testpki.ServiceCRL, false)
	_, dir, err = run(LevelBLT)
	if err != nil {
		t.Fatalf("OCSP down, CRL up: %v", err)
	}
	out := filepath.Join(dir, "o.pdf")
	checkAll(t, out, 1)
	checkDSS(t, openOut(t, out))
}

// TestRevokedSignerLT: B-LT with a revoked certificate is refused.
func TestRevokedSignerLT(t *testing.T) {
	p := sharedPKI(t)
	o := optsFor(p.Revoked)
	o.Level, o.TSAURL = LevelBLT, p.TSAURL
	in := writeTemp(t, "in.pdf", simplePDF("1.7", 1, false))
	_, err := SignFile(context.Background(), in, filepath.Join(t.TempDir(), "o.pdf"), o)
	if !errors.Is(err, ErrRevoked) && !errors.Is(err, ErrRevocation) {
		t.Fatalf("err = %v", err)
	}
}

// TestSignStreamAPI: Sign on an io.ReaderAt to a bytes.Buffer equals what
// SignFile writes structurally, and the input bytes are untouched.
func TestSignStreamAPI(t *testing.T) {
	p := sharedPKI(t)
	in := simplePDF("1.7", 1, true)
	orig := bytes.Clone(in)
	var out bytes.Buffer
	var last int64
	o := optsFor(p.Specialist)
	o.Progress = func(done, total int64) { last = done }
	res, err := Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in, orig) || !bytes.HasPrefix(out.Bytes(), orig) {
		t.Fatal("original bytes not preserved as prefix")
	}
	if res.OutputSize != int64(out.Len()) || last != int64(len(in)) {
		t.Fatalf("sizes: result %d, written %d, progress %d", res.OutputSize, out.Len(), last)
	}
	path := writeTemp(t, "s.pdf", out.Bytes())
	checkAll(t, path, 1)
}

// TestSignedAttributesWithOpenSSL: the CMS verifies with OpenSSL over the
// byte ranges; signed attributes are contentType, messageDigest and
// signingCertificateV2 only (no signingTime).
func TestSignedAttributesWithOpenSSL(t *testing.T) {
	p := sharedPKI(t)
	p384 := p.MustIssue(t, testpki.Spec{CommonName: "Đỗ Văn P384", Key: testpki.ECP384})
	for _, c := range []struct {
		id *testpki.Identity
		h  crypto.Hash
	}{{p.Leader, crypto.SHA256}, {p.Specialist, crypto.SHA256}, {p.Leader, crypto.SHA512}, {p384, crypto.SHA384}} {
		id := c.id
		o := optsFor(id)
		o.Hash = c.h
		out, _ := signBytes(t, simplePDF("1.7", 1, false), o)
		checkAll(t, out, 1)
		b, _ := os.ReadFile(out)
		f := openOut(t, out)
		fl := fieldNames(t, f)["Signature1"]
		sd, _ := f.ResolveDict(fl.Dict["V"])
		br := sd["ByteRange"].(pdf.Array)
		a, l1, c, l2 := int64(br[0].(pdf.Integer)), int64(br[1].(pdf.Integer)), int64(br[2].(pdf.Integer)), int64(br[3].(pdf.Integer))
		signed := append(bytes.Clone(b[a:a+l1]), b[c:c+l2]...)
		cms := sd["Contents"].(pdf.String)
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "c.der"), cms, 0o644)
		os.WriteFile(filepath.Join(dir, "d.bin"), signed, 0o644)
		vo, err := exec.Command("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", filepath.Join(dir, "c.der"),
			"-content", filepath.Join(dir, "d.bin"), "-noverify", "-purpose", "any", "-out", os.DevNull).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl cms -verify: %v\n%s", err, vo)
		}
		pr, err := exec.Command("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", filepath.Join(dir, "c.der")).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl cms -print: %v\n%s", err, pr)
		}
		ps := string(pr)
		for _, want := range []string{"contentType", "messageDigest", "id-smime-aa-signingCertificateV2"} {
			if !strings.Contains(ps, want) {
				t.Fatalf("signed attribute %s missing:\n%s", want, ps)
			}
		}
		if strings.Contains(ps, "signingTime") {
			t.Fatal("signingTime present")
		}
	}
}

// TestExpiredCertificateRefused: an expired signer certificate is refused
// before anything is read or signed.
func TestExpiredCertificateRefused(t *testing.T) {
	p := sharedPKI(t)
	cs := &countingSigner{Signer: p.Expired.Key}
	o := optsFor(p.Expired)
	o.Signer = cs
	dir := t.TempDir()
	in := writeTemp(t, "in.pdf", simplePDF("1.7", 1, false))
	if _, err := SignFile(context.Background(), in, filepath.Join(dir, "o.pdf"), o); !errors.Is(err, ErrCertExpired) {
		t.Fatalf("err = %v", err)
	}
	if cs.n.Load() != 0 {
		t.Fatal("signer called")
	}
	assertNoOutput(t, dir)
}
