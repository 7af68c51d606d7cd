package enginetest

import (
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/verify"
)

// Attacks on the time rules: a time the signer merely claims (/M,
// signingTime) must never make a certificate that is no longer valid look
// valid; only a signature timestamp or a later document timestamp proves
// when a signature existed.

// TestClaimedTimeDoesNotRescueExpired: a certificate that expired last
// month signs with a back-dated clock (B-B, no timestamp). The claimed time
// is inside the validity; nothing proves it.
func TestClaimedTimeDoesNotRescueExpired(t *testing.T) {
	p := newPKI(t)
	inValidity := p.Expired.Cert.NotAfter.Add(-24 * time.Hour)
	out := signPDFMaybe(t, testpdf.Plain(1), p.Expired, pades.LevelBB, p, func(o *pades.Options) {
		o.Now = func() time.Time { return inValidity }
	})
	if out == nil {
		t.Fatal("could not sign with a back-dated clock")
	}
	res := verifyBytes(t, out, storeFor(p), true)
	s := res.Signatures[0]
	if s.Status == verify.StatusValid || !hasProblem(s, verify.CodeCertExpiredNoPOE) {
		t.Fatalf("claimed time accepted as proof:\n%s", describe(res))
	}
	if s.ValidationTimeSource != verify.TimeCurrent || s.SigningTimeSource != verify.TimeClaimed || !s.ClaimedTime.Equal(inValidity.Truncate(time.Second)) {
		t.Fatalf("validation %s, signing time %s %v\n%s", s.ValidationTimeSource, s.SigningTimeSource, s.ClaimedTime, describe(res))
	}
}

// signExpiredThenWitness signs with p.Expired while it was valid (B-B,
// claimed time only), then lets another signer add a B-LTA signature —
// with its document timestamp — at witnessAt.
func signExpiredThenWitness(t *testing.T, p *testpki.PKI, witnessAt time.Time) []byte {
	t.Helper()
	inValidity := p.Expired.Cert.NotAfter.Add(-48 * time.Hour)
	witness := p.MustIssue(t, testpki.Spec{CommonName: "Lý Văn Chứng", Organization: "Văn phòng UBND tỉnh",
		NotBefore: inValidity.AddDate(-1, 0, 0)})
	setClock(inValidity)
	defer setClock(time.Time{})
	one := signPDF(t, testpdf.Plain(1), p.Expired, pades.LevelBB, p, nil)
	setClock(witnessAt)
	return signPDF(t, one, witness, pades.LevelBLTA, p, nil)
}

// TestDocTimestampProvesExistence: a later document timestamp made while
// the certificate was valid proves the earlier signature existed then; the
// expired certificate's signature is valid.
func TestDocTimestampProvesExistence(t *testing.T) {
	p := newPKI(t)
	witnessAt := p.Expired.Cert.NotAfter.Add(-47 * time.Hour)
	file := signExpiredThenWitness(t, p, witnessAt)
	res := verifyBytes(t, file, storeFor(p), true)
	s := res.Signatures[0]
	if res.Status != verify.StatusValid || s.Status != verify.StatusValid {
		t.Fatalf("document timestamp not accepted as proof of existence:\n%s", describe(res))
	}
	if s.ValidationTimeSource != verify.TimeFromDocTimestamp || !s.ValidationTime.Equal(witnessAt.Truncate(time.Second)) {
		t.Fatalf("validation time %v (%s), want %v from the document timestamp\n%s", s.ValidationTime, s.ValidationTimeSource, witnessAt, describe(res))
	}
}

// TestDocTimestampAfterExpiryProvesNothing: the same, but the document
// timestamp was made after the certificate expired.
func TestDocTimestampAfterExpiryProvesNothing(t *testing.T) {
	p := newPKI(t)
	file := signExpiredThenWitness(t, p, time.Now())
	res := verifyBytes(t, file, storeFor(p), true)
	s := res.Signatures[0]
	if s.Status == verify.StatusValid || !hasProblem(s, verify.CodeCertExpiredNoPOE) || s.ValidationTimeSource != verify.TimeFromDocTimestamp {
		t.Fatalf("expired certificate accepted:\n%s", describe(res))
	}
	for _, x := range res.Signatures[1:] {
		if x.Status != verify.StatusValid {
			t.Fatalf("the witness's signature and timestamp should stay valid:\n%s", describe(res))
		}
	}
}

// TestTimestampOfExpiredTSAProvesNothing: six years on, the TSA's
// certificate has expired and nothing renewed the proof: the signature
// timestamp no longer proves the signing time.
func TestTimestampOfExpiredTSAProvesNothing(t *testing.T) {
	p := newPKI(t)
	out := signPDF(t, testpdf.Plain(1), p.Leader, pades.LevelBLT, p, nil)
	if res := verifyBytes(t, out, storeFor(p), false); res.Status != verify.StatusValid {
		t.Fatalf("B-LT control:\n%s", describe(res))
	}
	setClock(p.TSA.Cert.NotAfter.AddDate(1, 0, 0))
	defer setClock(time.Time{})
	res := verifyBytes(t, out, storeFor(p), false)
	s := res.Signatures[0]
	if s.Status == verify.StatusValid || !problemWith(s, verify.CodeTimestampUntrusted, "reason", verify.CodeCertExpiredNoPOE) ||
		s.ValidationTimeSource != verify.TimeCurrent {
		t.Fatalf("timestamp of an expired TSA accepted:\n%s", describe(res))
	}
}
