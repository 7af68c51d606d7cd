package enginetest

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/verify"
)

// Attacks on the revocation rules. A certificate revoked yesterday signs
// today (B-T, so the signing time is proven); the attacker appends a
// document security store whose data about the signer is forged, stale or
// out of scope, with genuine data for the rest of the chain and the TSA.
// Verification is offline: only the embedded data decides. Every attack
// must come out not valid, with the forged datum rejected for a named
// reason; the honest controls decide as they should.

func mustBytes(t *testing.T) func([]byte, error) []byte {
	return func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}

// chainData is genuine OCSP data for the intermediate (from the root) and
// the TSA (from the delegated responder).
func chainData(t *testing.T, p *testpki.PKI) [][]byte {
	must := mustBytes(t)
	return [][]byte{
		must(p.CraftOCSP(testpki.OCSPSpec{Cert: p.Intermediate.Cert, Issuer: p.Root.Cert, Signer: p.Root, NoCerts: true})),
		must(p.CraftOCSP(testpki.OCSPSpec{Cert: p.TSA.Cert})),
	}
}

func idpExtension(t *testing.T, fields ...asn1.RawValue) pkix.Extension {
	t.Helper()
	var content []byte
	for _, f := range fields {
		b, err := asn1.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		content = append(content, b...)
	}
	v, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: content})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 28}, Critical: true, Value: v}
}

func implicitTrue(tag int) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, Bytes: []byte{0xff}}
}

func TestRevocationAttacks(t *testing.T) {
	p := newPKI(t)
	other := testpki.New(t, testpki.WithFreshKeys(), testpki.WithClock(clock)) // another CA with the same names
	store := storeFor(p)
	must := mustBytes(t)
	now := clock()
	revokedAt := now.Add(-24 * time.Hour) // when testpki revoked p.Revoked
	victim := p.Revoked
	signed := signPDFMaybe(t, testpdf.Plain(1), victim, pades.LevelBT, p, func(*pades.Options) {})
	if signed == nil {
		t.Fatal("could not sign with the revoked certificate")
	}
	honest := p.MustIssue(t, testpki.Spec{CommonName: "Đinh Thị Thu", Organization: "Sở Tài chính"})
	honestSigned := signPDF(t, testpdf.Plain(1), honest, pades.LevelBT, p, nil)

	fakeResponder, err := testpki.LookAlike(p.OCSPSigner.Cert, testpki.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	fakeCA, err := testpki.LookAlike(p.Intermediate.Cert, testpki.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	expiredResponder := p.MustIssue(t, testpki.Spec{CommonName: "TEST OCSP cũ", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(-1, 0, 0), NoRevocationInfo: true})
	good := func(spec testpki.OCSPSpec) []byte {
		spec.Cert = victim.Cert
		return must(p.CraftOCSP(spec))
	}
	genuineRevokedCRL := must(p.CraftCRL(testpki.CRLSpec{Revoked: []x509.RevocationListEntry{{SerialNumber: victim.Cert.SerialNumber, RevocationTime: revokedAt, ReasonCode: testpki.ReasonKeyCompromise}}}))
	uri := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte("http://crl.example.invalid/other-partition.crl")}
	otherPartition := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
		Bytes: must(asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: must(asn1.Marshal(uri))}))}

	for _, tc := range []struct {
		name   string
		ocsps  [][]byte
		crls   [][]byte
		reason string // expected rejection reason ("" for none)
		code   string // expected problem deciding the status
		status verify.Status
	}{
		{"ocsp signed by an unrelated key", [][]byte{good(testpki.OCSPSpec{Signer: fakeResponder})}, nil,
			verify.RejectUnauthorized, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp by an unrelated key, genuine responder certificate attached", [][]byte{good(testpki.OCSPSpec{Signer: fakeResponder, Certs: []*x509.Certificate{p.OCSPSigner.Cert}})}, nil,
			verify.RejectSignature, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp by another CA's responder", [][]byte{good(testpki.OCSPSpec{Signer: other.OCSPSigner})}, nil,
			verify.RejectUnauthorized, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp by a responder without id-kp-OCSPSigning", [][]byte{good(testpki.OCSPSpec{Signer: p.Leader})}, nil,
			verify.RejectUnauthorized, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp by an expired responder", [][]byte{good(testpki.OCSPSpec{Signer: expiredResponder})}, nil,
			verify.RejectUnauthorized, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp by another CA's responder identified by key", [][]byte{good(testpki.OCSPSpec{Signer: other.OCSPSigner, ResponderByKey: true})}, nil,
			verify.RejectUnauthorized, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp about a look-alike issuer", [][]byte{good(testpki.OCSPSpec{Issuer: fakeCA.Cert})}, nil,
			verify.RejectWrongIssuer, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"stale ocsp", [][]byte{good(testpki.OCSPSpec{ThisUpdate: now.AddDate(0, 0, -10), NextUpdate: now.AddDate(0, 0, -9)})}, nil,
			verify.RejectStale, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"old ocsp without nextUpdate", [][]byte{good(testpki.OCSPSpec{ThisUpdate: now.AddDate(0, 0, -3), NoNextUpdate: true})}, nil,
			verify.RejectStale, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp from the future", [][]byte{good(testpki.OCSPSpec{ThisUpdate: now.AddDate(0, 0, 2)})}, nil,
			verify.RejectNotYetValid, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"ocsp produced before its thisUpdate", [][]byte{good(testpki.OCSPSpec{ProducedAt: now.AddDate(0, 0, -2)})}, nil,
			verify.RejectInconsistentTimes, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"good ocsp and a revoking crl", [][]byte{good(testpki.OCSPSpec{})}, [][]byte{genuineRevokedCRL},
			"", verify.CodeCertRevoked, verify.StatusInvalid},
		{"revoked ocsp and a clean crl", [][]byte{good(testpki.OCSPSpec{Status: testpki.OCSPRevoked, RevokedAt: revokedAt})}, [][]byte{must(p.CraftCRL(testpki.CRLSpec{}))},
			"", verify.CodeCertRevoked, verify.StatusInvalid},
		{"crl signed by a look-alike CA", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{Signer: fakeCA}))},
			verify.RejectSignature, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"indirect crl", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ExtraExtensions: []pkix.Extension{idpExtension(t, implicitTrue(4))}}))},
			verify.RejectIndirectCRL, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"crl of CA certificates only", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ExtraExtensions: []pkix.Extension{idpExtension(t, implicitTrue(2))}}))},
			verify.RejectOutOfScope, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"crl of another partition", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ExtraExtensions: []pkix.Extension{idpExtension(t, otherPartition)}}))},
			verify.RejectOutOfScope, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"delta crl", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: must(asn1.Marshal(1))}}}))},
			verify.RejectPartialCRL, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"crl with an unknown critical extension", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Critical: true, Value: []byte{5, 0}}}}))},
			verify.RejectCriticalExtension, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"crl from the future", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ThisUpdate: now.AddDate(0, 0, 3)}))},
			verify.RejectNotYetValid, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		{"stale crl", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{ThisUpdate: now.AddDate(0, 0, -20), NextUpdate: now.AddDate(0, 0, -13)}))},
			verify.RejectStale, verify.CodeRevocationUnknown, verify.StatusIndeterminate},
		// controls: the genuine answers decide
		{"control: genuine revoked ocsp", [][]byte{good(testpki.OCSPSpec{Status: testpki.OCSPRevoked, RevokedAt: revokedAt})}, nil,
			"", verify.CodeCertRevoked, verify.StatusInvalid},
		{"control: genuine revoking crl", nil, [][]byte{genuineRevokedCRL},
			"", verify.CodeCertRevoked, verify.StatusInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := appendDSS(t, signed, append(chainData(t, p), tc.ocsps...), tc.crls)
			res := verifyBytes(t, file, store, false)
			s := res.Signatures[0]
			if s.Status != tc.status || !hasProblem(s, tc.code) {
				t.Fatalf("status %s, want %s with %s\n%s", s.Status, tc.status, tc.code, describe(res))
			}
			if tc.reason != "" && !problemWith(s, verify.CodeRevocationRejected, "reason", tc.reason) {
				t.Fatalf("no %s rejection with reason %s\n%s", verify.CodeRevocationRejected, tc.reason, describe(res))
			}
			if s.ModifiedAfter == verify.ModDisallowed {
				t.Fatalf("the DSS update should be an allowed change\n%s", describe(res))
			}
		})
	}

	// honest controls: genuine data for a certificate that is not revoked
	for _, tc := range []struct {
		name  string
		ocsps [][]byte
		crls  [][]byte
	}{
		{"delegated responder", [][]byte{must(p.CraftOCSP(testpki.OCSPSpec{Cert: honest.Cert}))}, nil},
		{"delegated responder by key", [][]byte{must(p.CraftOCSP(testpki.OCSPSpec{Cert: honest.Cert, ResponderByKey: true}))}, nil},
		{"issuer-signed response", [][]byte{must(p.CraftOCSP(testpki.OCSPSpec{Cert: honest.Cert, Signer: p.Intermediate, NoCerts: true}))}, nil},
		{"crl", nil, [][]byte{must(p.CraftCRL(testpki.CRLSpec{}))}},
		{"crl listing another certificate", nil, [][]byte{genuineRevokedCRL}},
		{"forged revoked ocsp is ignored", [][]byte{must(p.CraftOCSP(testpki.OCSPSpec{Cert: honest.Cert, Status: testpki.OCSPRevoked, Signer: fakeResponder})),
			must(p.CraftOCSP(testpki.OCSPSpec{Cert: honest.Cert}))}, nil},
	} {
		t.Run("honest "+tc.name, func(t *testing.T) {
			file := appendDSS(t, honestSigned, append(chainData(t, p), tc.ocsps...), tc.crls)
			res := verifyBytes(t, file, store, false)
			if res.Status != verify.StatusValid || res.Signatures[0].Revocation != verify.RevGood {
				t.Fatalf("honest file not valid\n%s", describe(res))
			}
		})
	}
}

// TestRevocationOnlineBeatsForgedGood: a forged "good" in the file does not
// stop the online check, which finds the revocation.
func TestRevocationOnlineBeatsForgedGood(t *testing.T) {
	p := newPKI(t)
	signed := signPDFMaybe(t, testpdf.Plain(1), p.Revoked, pades.LevelBT, p, func(*pades.Options) {})
	fake, err := testpki.LookAlike(p.OCSPSigner.Cert, testpki.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	forged := mustBytes(t)(p.CraftOCSP(testpki.OCSPSpec{Cert: p.Revoked.Cert, Signer: fake}))
	res := verifyBytes(t, appendDSS(t, signed, append(chainData(t, p), forged), nil), storeFor(p), true)
	s := res.Signatures[0]
	if s.Status != verify.StatusInvalid || !hasProblem(s, verify.CodeCertRevoked) || s.RevocationFrom != verify.RevSrcOnline {
		t.Fatalf("online revocation not found past a forged response\n%s", describe(res))
	}
}
