package enginetest

import (
	"crypto"
	"testing"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/verify"
)

// Attacks on the CMS signature value and weak algorithms. A B-B file is
// signed by the engine; its CMS is then replaced by one crafted over the
// same signed bytes. The controls (crafted the honest way) must stay valid,
// so that a refusal comes from the rule and not from the crafting.
func TestCMSSignatureRules(t *testing.T) {
	p := newPKI(t)
	store := storeFor(p)
	base := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBB, p, func(o *pades.Options) { o.ReservedSize = 16 << 10 })
	res := verifyBytes(t, base, store, true)
	if res.Status != verify.StatusValid {
		t.Fatalf("base file:\n%s", describe(res))
	}
	sig := res.Signatures[0]
	content := signedContent(t, base, sig)
	rsa1024 := p.MustIssue(t, testpki.Spec{CommonName: "Bùi Văn Yếu", Organization: "Sở Khoa học", Key: testpki.RSA1024})
	early := p.MustIssue(t, testpki.Spec{CommonName: "Tạ Thị Sớm", Organization: "Sở Khoa học"})

	for _, tc := range []struct {
		name   string
		spec   testpki.CMSSpec
		status verify.Status
		code   string
		param  string // expected "algorithm" parameter of algorithm_weak
	}{
		{"control RSA-2048 SHA-256", testpki.CMSSpec{Signer: p.Leader}, verify.StatusValid, "", ""},
		{"control RSA-4096 SHA-512", testpki.CMSSpec{Signer: p.Director, Hash: crypto.SHA512}, verify.StatusValid, "", ""},
		{"control ECDSA P-256", testpki.CMSSpec{Signer: p.Specialist}, verify.StatusValid, "", ""},
		{"SHA-1", testpki.CMSSpec{Signer: p.Leader, Hash: crypto.SHA1}, verify.StatusIndeterminate, verify.CodeAlgorithmWeak, "SHA-1"},
		{"ECDSA with SHA-1", testpki.CMSSpec{Signer: p.Specialist, Hash: crypto.SHA1}, verify.StatusIndeterminate, verify.CodeAlgorithmWeak, "SHA-1"},
		{"RSA-1024", testpki.CMSSpec{Signer: rsa1024}, verify.StatusIndeterminate, verify.CodeAlgorithmWeak, "RSA-1024"},
		{"raw RSA without DigestInfo", testpki.CMSSpec{Signer: p.Leader, Mode: testpki.CMSRawRSA}, verify.StatusInvalid, verify.CodeSignatureInvalid, ""},
		{"DigestInfo naming SHA-1 under sha256WithRSA", testpki.CMSSpec{Signer: p.Leader, Mode: testpki.CMSDigestInfoSHA1}, verify.StatusInvalid, verify.CodeSignatureInvalid, ""},
		// a claimed time proves nothing for the signer, but claiming to
		// have signed before the certificate existed is an admission
		{"signingTime before the certificate", testpki.CMSSpec{Signer: early, SigningTime: early.Cert.NotBefore.AddDate(0, 0, -1)}, verify.StatusInvalid, verify.CodeCertExpired, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cms, err := testpki.CraftCMS(content, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			res := verifyBytes(t, replaceCMS(t, base, sig, cms), store, true)
			s := res.Signatures[0]
			if s.Status != tc.status || (tc.code != "" && !hasProblem(s, tc.code)) {
				t.Fatalf("status %s, want %s with %q\n%s", s.Status, tc.status, tc.code, describe(res))
			}
			if tc.param != "" && !problemWith(s, tc.code, "algorithm", tc.param) {
				t.Fatalf("no %s for %s\n%s", tc.code, tc.param, describe(res))
			}
			if !s.Intact && tc.code != verify.CodeSignatureInvalid {
				t.Fatalf("the signed bytes did not change: intact must stay true\n%s", describe(res))
			}
		})
	}
}
