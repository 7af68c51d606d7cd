package testpki

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// A fixed clock well away from the wall clock proves that the clock is used.
var fixedNow = time.Date(2025, time.September, 2, 9, 30, 0, 0, time.UTC)

func fixedClock() time.Time { return fixedNow }

func newFixed(t *testing.T) *PKI {
	t.Helper()
	return New(t, WithClock(fixedClock))
}

func httpGet(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func httpPost(t *testing.T, u, ctype string, body []byte) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Post(u, ctype, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func verifyChain(p *PKI, id *Identity, at time.Time) error {
	inter := x509.NewCertPool()
	for _, c := range id.Chain {
		inter.AddCert(c)
	}
	_, err := id.Cert.Verify(x509.VerifyOptions{
		Roots:         p.RootPool(),
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err
}

func TestReadyMadeIdentitiesVerify(t *testing.T) {
	p := newFixed(t)
	ids := map[string]*Identity{
		"Leader": p.Leader, "Director": p.Director, "Specialist": p.Specialist,
		"Org": p.Org, "Revoked": p.Revoked, "WrongUsage": p.WrongUsage,
		"TSA": p.TSA, "OCSPSigner": p.OCSPSigner, "Intermediate": p.Intermediate,
	}
	for name, id := range ids {
		if err := verifyChain(p, id, fixedNow); err != nil {
			t.Errorf("%s: chain does not verify: %v", name, err)
		}
		if !id.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(id.Key.Public()) {
			t.Errorf("%s: key does not match certificate", name)
		}
		if len(id.ChainWithLeaf()) != len(id.Chain)+1 || id.ChainWithLeaf()[0] != id.Cert {
			t.Errorf("%s: ChainWithLeaf wrong", name)
		}
		if id.Cert.SerialNumber.Sign() <= 0 || len(id.Cert.SerialNumber.Bytes()) != 16 {
			t.Errorf("%s: serial %x not positive 16 bytes", name, id.Cert.SerialNumber)
		}
		if len(id.Cert.SubjectKeyId) == 0 || len(id.Cert.AuthorityKeyId) == 0 {
			t.Errorf("%s: missing SKI/AKI", name)
		}
	}
	leaf := p.Leader
	if len(leaf.Chain) != 2 || leaf.Chain[0] != p.Intermediate.Cert || leaf.Chain[1] != p.Root.Cert {
		t.Fatalf("Leader chain is not [intermediate, root]")
	}
	// Default x509 EKU check (serverAuth) must fail; emailProtection must pass.
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: p.RootPool(), Intermediates: p.IntermediatePool(), CurrentTime: fixedNow}); err == nil {
		t.Error("leaf unexpectedly valid for serverAuth")
	}
	if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: p.RootPool(), Intermediates: p.IntermediatePool(), CurrentTime: fixedNow,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}); err != nil {
		t.Errorf("leaf not valid for emailProtection: %v", err)
	}

	// Expired: fails now, verifies inside its validity.
	err := verifyChain(p, p.Expired, fixedNow)
	var cie x509.CertificateInvalidError
	if !errors.As(err, &cie) || cie.Reason != x509.Expired {
		t.Errorf("Expired at now: got %v, want expiry error", err)
	}
	if err := verifyChain(p, p.Expired, fixedNow.AddDate(-1, 0, 0)); err != nil {
		t.Errorf("Expired one year ago: %v", err)
	}
	if want := fixedNow.AddDate(0, -1, 0); !p.Expired.Cert.NotAfter.Equal(want) {
		t.Errorf("Expired NotAfter = %v, want %v", p.Expired.Cert.NotAfter, want)
	}

	// Key types.
	checkKey := func(name string, pub crypto.PublicKey, want KeyType) {
		if got := keyTypeOf(pub); got != want {
			t.Errorf("%s key type = %q, want %q", name, got, want)
		}
	}
	checkKey("Root", p.Root.Cert.PublicKey, RSA4096)
	checkKey("Leader", p.Leader.Cert.PublicKey, RSA2048)
	checkKey("Director", p.Director.Cert.PublicKey, RSA4096)
	checkKey("Specialist", p.Specialist.Cert.PublicKey, ECP256)
	checkKey("TSA", p.TSA.Cert.PublicKey, RSA2048)

	// Usages and extensions.
	if ku := p.Leader.Cert.KeyUsage; ku != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("Leader KeyUsage = %b", ku)
	}
	if ku := p.WrongUsage.Cert.KeyUsage; ku != x509.KeyUsageKeyEncipherment {
		t.Errorf("WrongUsage KeyUsage = %b", ku)
	}
	if eku := p.Leader.Cert.ExtKeyUsage; len(eku) != 2 || eku[0] != x509.ExtKeyUsageEmailProtection || eku[1] != x509.ExtKeyUsageClientAuth {
		t.Errorf("Leader EKU = %v", eku)
	}
	if u := p.Leader.Cert.UnknownExtKeyUsage; len(u) != 1 || !u[0].Equal(OIDDocumentSigning) {
		t.Errorf("Leader unknown EKU = %v", u)
	}
	if c := p.Leader.Cert; len(c.OCSPServer) != 1 || c.OCSPServer[0] != p.OCSPURL ||
		len(c.CRLDistributionPoints) != 1 || c.CRLDistributionPoints[0] != p.CRLURL ||
		len(c.IssuingCertificateURL) != 1 || c.IssuingCertificateURL[0] != p.CAIssuersURL ||
		len(c.PolicyIdentifiers) != 1 || !c.PolicyIdentifiers[0].Equal(PolicyPersonal) ||
		len(c.EmailAddresses) != 1 || c.EmailAddresses[0] != "nvanh@daklak.gov.vn" {
		t.Errorf("Leader AIA/CRL DP/policy/email wrong: %v %v %v %v %v", c.OCSPServer, c.CRLDistributionPoints, c.IssuingCertificateURL, c.PolicyIdentifiers, c.EmailAddresses)
	}
	if c := p.Intermediate.Cert; !c.IsCA || c.MaxPathLen != 0 || !c.MaxPathLenZero ||
		len(c.CRLDistributionPoints) != 1 || c.CRLDistributionPoints[0] != p.IntermediateCRLURL ||
		len(c.OCSPServer) != 1 {
		t.Errorf("intermediate constraints/AIA wrong")
	}
	if c := p.Root.Cert; !c.NotAfter.Equal(c.NotBefore.AddDate(20, 0, 0)) || c.Subject.CommonName != RootCommonName {
		t.Errorf("root validity/name wrong: %v..%v %q", c.NotBefore, c.NotAfter, c.Subject.CommonName)
	}
	tsaCritical := false
	for _, e := range p.TSA.Cert.Extensions {
		if e.Id.Equal(oidExtKeyUsage) {
			tsaCritical = e.Critical
		}
	}
	if !tsaCritical || len(p.TSA.Cert.ExtKeyUsage) != 1 || p.TSA.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		t.Errorf("TSA EKU not critical timeStamping only: %v", p.TSA.Cert.ExtKeyUsage)
	}
	noCheck := false
	for _, e := range p.OCSPSigner.Cert.Extensions {
		noCheck = noCheck || e.Id.Equal(oidOCSPNoCheck)
	}
	if !noCheck || len(p.OCSPSigner.Cert.ExtKeyUsage) != 1 || p.OCSPSigner.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageOCSPSigning {
		t.Error("OCSP signer lacks ocsp-nocheck or OCSPSigning EKU")
	}
}

// subjectTags returns attribute OID -> (ASN.1 tag, value) of a raw Name.
func subjectTags(t *testing.T, raw []byte) map[string][2]any {
	t.Helper()
	out := map[string][2]any{}
	in := cryptobyte.String(raw)
	var rdns cryptobyte.String
	if !in.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		t.Fatal("bad Name")
	}
	for !rdns.Empty() {
		var set cryptobyte.String
		if !rdns.ReadASN1(&set, cbasn1.SET) {
			t.Fatal("bad RDN")
		}
		for !set.Empty() {
			var atv cryptobyte.String
			var oid asn1.ObjectIdentifier
			var val cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1ObjectIdentifier(&oid) || !atv.ReadAnyASN1(&val, &tag) {
				t.Fatal("bad AttributeTypeAndValue")
			}
			out[oid.String()] = [2]any{int(tag), string(val)}
		}
	}
	return out
}

func TestSubjectUTF8(t *testing.T) {
	p := newFixed(t)
	const (
		tagUTF8      = 12
		tagPrintable = 19
		tagIA5       = 22
	)
	s := p.Leader.Cert.Subject
	if s.CommonName != "Nguyễn Văn Ánh" || s.Organization[0] != "Ủy ban nhân dân tỉnh Đắk Lắk" ||
		s.OrganizationalUnit[0] != "Văn phòng" || s.Province[0] != "Đắk Lắk" || s.Country[0] != "VN" {
		t.Errorf("Leader subject did not round-trip: %+v", s)
	}
	cases := []struct {
		id       *Identity
		oid, val string
		tag      int
	}{
		{p.Leader, "2.5.4.3", "Nguyễn Văn Ánh", tagUTF8},
		{p.Leader, "2.5.4.10", "Ủy ban nhân dân tỉnh Đắk Lắk", tagUTF8},
		{p.Leader, "2.5.4.11", "Văn phòng", tagUTF8},
		{p.Leader, "2.5.4.8", "Đắk Lắk", tagUTF8},
		{p.Leader, "2.5.4.7", "Buôn Ma Thuột", tagUTF8},
		{p.Leader, "2.5.4.12", "Chủ tịch", tagUTF8},
		{p.Leader, "2.5.4.6", "VN", tagPrintable},
		{p.Leader, "1.2.840.113549.1.9.1", "nvanh@daklak.gov.vn", tagIA5},
		{p.Director, "2.5.4.3", "Lê Thị Hồng Nhung", tagUTF8},
		{p.Specialist, "2.5.4.3", "Trần Thị Bích Ngọc", tagUTF8},
		{p.Org, "2.5.4.3", "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", tagUTF8},
		{p.Revoked, "2.5.4.3", "Hoàng Minh Đức", tagUTF8},
		{p.Root, "2.5.4.3", RootCommonName, tagUTF8},
		{p.Root, "2.5.4.10", "Ban Cơ yếu Chính phủ", tagUTF8},
		{p.Intermediate, "2.5.4.3", "TEST CA phục vụ các cơ quan Nhà nước G2", tagUTF8},
		{p.TSA, "2.5.4.3", "TEST TSA chuyên dùng Chính phủ", tagUTF8},
	}
	for _, c := range cases {
		got, ok := subjectTags(t, c.id.Cert.RawSubject)[c.oid]
		if !ok {
			t.Errorf("%s: attribute %s missing", c.id.Cert.Subject.CommonName, c.oid)
			continue
		}
		if got[0] != c.tag || got[1] != c.val {
			t.Errorf("%s: attribute %s = tag %v %q, want tag %d %q", c.id.Cert.Subject.CommonName, c.oid, got[0], got[1], c.tag, c.val)
		}
	}
	// Issuer of a leaf is the intermediate, byte for byte.
	if !bytes.Equal(p.Leader.Cert.RawIssuer, p.Intermediate.Cert.RawSubject) {
		t.Error("leaf issuer != intermediate subject")
	}
	// Organisation certificate carries no person attributes.
	if _, ok := subjectTags(t, p.Org.Cert.RawSubject)["2.5.4.12"]; ok {
		t.Error("organisation certificate has a title")
	}
	if !p.Org.Cert.PolicyIdentifiers[0].Equal(PolicyOrganisation) {
		t.Error("organisation certificate policy wrong")
	}
}

func ocspQuery(t *testing.T, p *PKI, cert, issuer *x509.Certificate, get bool) *ocsp.Response {
	t.Helper()
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	var body []byte
	if get {
		resp, body = httpGet(t, p.OCSPURL+"/"+url.PathEscape(base64.StdEncoding.EncodeToString(req)))
	} else {
		resp, body = httpPost(t, p.OCSPURL, "application/ocsp-request", req)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/ocsp-response" {
		t.Fatalf("OCSP HTTP %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		t.Fatalf("ParseResponseForCert(%s): %v", cert.Subject.CommonName, err)
	}
	return r
}

func TestOCSP(t *testing.T) {
	p := newFixed(t)
	for _, get := range []bool{false, true} {
		r := ocspQuery(t, p, p.Leader.Cert, p.Intermediate.Cert, get)
		if r.Status != ocsp.Good {
			t.Errorf("Leader (GET=%v): status %d, want Good", get, r.Status)
		}
		if !r.ThisUpdate.Equal(fixedNow) || !r.NextUpdate.Equal(fixedNow.Add(24*time.Hour)) {
			t.Errorf("times %v..%v, want clock-based", r.ThisUpdate, r.NextUpdate)
		}
		// Signed by the delegated responder, which chains to the intermediate.
		if r.Certificate == nil || !r.Certificate.Equal(p.OCSPSigner.Cert) {
			t.Fatal("response does not carry the OCSP signer certificate")
		}
		if err := r.CheckSignatureFrom(p.OCSPSigner.Cert); err != nil {
			t.Errorf("response signature: %v", err)
		}
		if err := r.CheckSignatureFrom(p.Leader.Cert); err == nil {
			t.Error("signature check against the wrong key succeeded")
		}
		if err := r.Certificate.CheckSignatureFrom(p.Intermediate.Cert); err != nil {
			t.Errorf("responder cert not issued by intermediate: %v", err)
		}
		if _, err := r.Certificate.Verify(x509.VerifyOptions{Roots: p.RootPool(), Intermediates: p.IntermediatePool(),
			CurrentTime: fixedNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}); err != nil {
			t.Errorf("responder cert chain: %v", err)
		}
	}

	r := ocspQuery(t, p, p.Revoked.Cert, p.Intermediate.Cert, false)
	if r.Status != ocsp.Revoked || !r.RevokedAt.Equal(fixedNow.Add(-24*time.Hour)) || r.RevocationReason != ocsp.KeyCompromise {
		t.Errorf("Revoked: status %d at %v reason %d", r.Status, r.RevokedAt, r.RevocationReason)
	}

	// Revoke at runtime.
	id := p.MustIssue(t, Spec{CommonName: "Đỗ Văn Bình", Organization: DefaultLeaderOrg, Key: ECP256})
	if r := ocspQuery(t, p, id.Cert, p.Intermediate.Cert, false); r.Status != ocsp.Good {
		t.Errorf("new cert status %d", r.Status)
	}
	at := fixedNow.Add(-time.Minute)
	p.Revoke(id.Cert, at, ReasonSuperseded)
	if r := ocspQuery(t, p, id.Cert, p.Intermediate.Cert, true); r.Status != ocsp.Revoked || !r.RevokedAt.Equal(at) || r.RevocationReason != ocsp.Superseded {
		t.Errorf("after Revoke: status %d at %v reason %d", r.Status, r.RevokedAt, r.RevocationReason)
	}

	// Unknown serial: a certificate from another PKI (same names, same keys).
	other := New(t, WithClock(fixedClock))
	if r := ocspQuery(t, p, other.Leader.Cert, p.Intermediate.Cert, false); r.Status != ocsp.Unknown {
		t.Errorf("foreign serial: status %d, want Unknown", r.Status)
	}

	// The root answers for the intermediate.
	r = ocspQuery(t, p, p.Intermediate.Cert, p.Root.Cert, false)
	if r.Status != ocsp.Good {
		t.Errorf("intermediate status %d", r.Status)
	}
	if err := r.CheckSignatureFrom(p.Root.Cert); err != nil {
		t.Errorf("root-signed response: %v", err)
	}

	// Garbage gets a malformedRequest response, not a crash.
	_, body := httpPost(t, p.OCSPURL, "application/ocsp-request", []byte("not DER"))
	if _, err := ocsp.ParseResponse(body, nil); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("garbage request: %v", err)
	}
	if p.Hits(ServiceOCSP) != 8 {
		t.Errorf("OCSP hits = %d, want 8", p.Hits(ServiceOCSP))
	}

	// An issuer we do not serve: unauthorized.
	req, _ := ocsp.CreateRequest(p.Leader.Cert, p.Leader.Cert, nil)
	_, body = httpPost(t, p.OCSPURL, "application/ocsp-request", req)
	if _, err := ocsp.ParseResponse(body, nil); err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("foreign issuer: %v", err)
	}

	// GET paths containing "//" are not redirected by the mux.
	rec := httptest.NewRecorder()
	p.handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ocsp/MEQw//Qj", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/ocsp-response" {
		t.Errorf("GET with // : HTTP %d", rec.Code)
	}
}

func TestOCSPNonceAndProducedAt(t *testing.T) {
	p := newFixed(t)
	plain, err := ocsp.CreateRequest(p.Leader.Cert, p.Intermediate.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	var req ocspRequestDER
	if _, err := asn1.Unmarshal(plain, &req); err != nil {
		t.Fatal(err)
	}
	nonce, _ := asn1.Marshal([]byte("0123456789abcdef"))
	req.TBSRequest.Extensions = []pkix.Extension{{Id: oidOCSPNonce, Value: nonce}}
	withNonce, err := asn1.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	_, body := httpPost(t, p.OCSPURL, "application/ocsp-request", withNonce)
	r, err := ocsp.ParseResponseForCert(body, p.Leader.Cert, p.Intermediate.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ProducedAt.Equal(fixedNow) {
		t.Errorf("producedAt %v, want clock %v", r.ProducedAt, fixedNow)
	}
	var outer ocspResponseDER
	var basic ocspBasicResponse
	var data ocspResponseData
	if _, err := asn1.Unmarshal(body, &outer); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(outer.ResponseBytes.Response, &basic); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(basic.TBSResponseData.FullBytes, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Extensions) != 1 || !data.Extensions[0].Id.Equal(oidOCSPNonce) || !bytes.Equal(data.Extensions[0].Value, nonce) {
		t.Errorf("nonce not echoed in responseExtensions: %+v", data.Extensions)
	}

	// Two CertIDs in one request get two answers.
	rev, _ := ocsp.CreateRequest(p.Revoked.Cert, p.Intermediate.Cert, nil)
	var req2 ocspRequestDER
	if _, err := asn1.Unmarshal(rev, &req2); err != nil {
		t.Fatal(err)
	}
	req.TBSRequest.RequestList = append(req.TBSRequest.RequestList, req2.TBSRequest.RequestList...)
	two, _ := asn1.Marshal(req)
	_, body = httpPost(t, p.OCSPURL, "application/ocsp-request", two)
	if r, err := ocsp.ParseResponseForCert(body, p.Revoked.Cert, p.Intermediate.Cert); err != nil || r.Status != ocsp.Revoked {
		t.Errorf("second CertID: %v", err)
	}
	if r, err := ocsp.ParseResponseForCert(body, p.Leader.Cert, p.Intermediate.Cert); err != nil || r.Status != ocsp.Good {
		t.Errorf("first CertID: %v", err)
	}
}

func fetchCRL(t *testing.T, u string) *x509.RevocationList {
	t.Helper()
	resp, body := httpGet(t, u)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pkix-crl" {
		t.Fatalf("CRL HTTP %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		t.Fatalf("ParseRevocationList: %v", err)
	}
	return crl
}

func TestCRL(t *testing.T) {
	p := newFixed(t)
	crl := fetchCRL(t, p.CRLURL)
	if err := crl.CheckSignatureFrom(p.Intermediate.Cert); err != nil {
		t.Fatalf("CRL signature: %v", err)
	}
	if err := crl.CheckSignatureFrom(p.Root.Cert); err == nil {
		t.Fatal("CRL signature verified with the wrong issuer")
	}
	if !crl.ThisUpdate.Equal(fixedNow) || !crl.NextUpdate.Equal(fixedNow.AddDate(0, 0, 7)) {
		t.Errorf("CRL times %v..%v", crl.ThisUpdate, crl.NextUpdate)
	}
	find := func(crl *x509.RevocationList, serial *big.Int) *x509.RevocationListEntry {
		for i := range crl.RevokedCertificateEntries {
			if crl.RevokedCertificateEntries[i].SerialNumber.Cmp(serial) == 0 {
				return &crl.RevokedCertificateEntries[i]
			}
		}
		return nil
	}
	e := find(crl, p.Revoked.Cert.SerialNumber)
	if e == nil {
		t.Fatal("Revoked serial not in CRL")
	}
	if !e.RevocationTime.Equal(fixedNow.Add(-24*time.Hour)) || e.ReasonCode != ReasonKeyCompromise {
		t.Errorf("entry time %v reason %d", e.RevocationTime, e.ReasonCode)
	}
	if find(crl, p.Leader.Cert.SerialNumber) != nil || len(crl.RevokedCertificateEntries) != 1 {
		t.Errorf("unexpected CRL entries: %d", len(crl.RevokedCertificateEntries))
	}

	p.Revoke(p.Specialist.Cert, fixedNow, ReasonAffiliationChanged)
	crl2 := fetchCRL(t, p.CRLURL)
	if crl2.Number.Cmp(new(big.Int).Add(crl.Number, big.NewInt(1))) != 0 {
		t.Errorf("CRL number %v then %v", crl.Number, crl2.Number)
	}
	if e := find(crl2, p.Specialist.Cert.SerialNumber); e == nil || e.ReasonCode != ReasonAffiliationChanged {
		t.Error("newly revoked certificate not in next CRL")
	}

	// The root's CRL covers the intermediate.
	rc := fetchCRL(t, p.IntermediateCRLURL)
	if err := rc.CheckSignatureFrom(p.Root.Cert); err != nil || len(rc.RevokedCertificateEntries) != 0 {
		t.Errorf("root CRL: %v, %d entries", err, len(rc.RevokedCertificateEntries))
	}
	p.Revoke(p.Intermediate.Cert, fixedNow, ReasonCACompromise)
	rc = fetchCRL(t, p.IntermediateCRLURL)
	if find(rc, p.Intermediate.Cert.SerialNumber) == nil {
		t.Error("intermediate not in root CRL after Revoke")
	}
	if r := ocspQuery(t, p, p.Intermediate.Cert, p.Root.Cert, false); r.Status != ocsp.Revoked {
		t.Errorf("root OCSP for revoked intermediate: %d", r.Status)
	}

	// CA issuers.
	resp, body := httpGet(t, p.CAIssuersURL)
	if c, err := x509.ParseCertificate(body); resp.StatusCode != 200 || err != nil || !c.Equal(p.Intermediate.Cert) {
		t.Errorf("CA issuers: %d %v", resp.StatusCode, err)
	}
}

func tsaRequest(t *testing.T, p *PKI, data []byte, opts *timestamp.RequestOptions) []byte {
	t.Helper()
	req, err := timestamp.CreateRequest(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := httpPost(t, p.TSAURL, "application/timestamp-query", req)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Fatalf("TSA HTTP %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return body
}

func TestTSA(t *testing.T) {
	p := newFixed(t)
	data := []byte("Quyết định số 123/QĐ-UBND")
	nonce := big.NewInt(0x5eed)
	body := tsaRequest(t, p, data, &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true, Nonce: nonce})
	ts, err := timestamp.ParseResponse(body) // verifies the signature when certificates are present
	if err != nil {
		t.Fatalf("ParseResponse: %v", err)
	}
	sum := sha256.Sum256(data)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, sum[:]) {
		t.Error("message imprint mismatch")
	}
	if !ts.Time.Equal(fixedNow) {
		t.Errorf("genTime %v, want %v", ts.Time, fixedNow)
	}
	if !ts.Policy.Equal(TSAPolicy) || ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		t.Errorf("policy %v nonce %v", ts.Policy, ts.Nonce)
	}
	if len(ts.Certificates) == 0 || !ts.Certificates[0].Equal(p.TSA.Cert) {
		t.Error("token does not carry the TSA certificate first")
	}
	// Independent pkcs7 check, including the chain to our root.
	p7, err := pkcs7.Parse(ts.RawToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := p7.VerifyWithChainAtTime(p.RootPool(), fixedNow); err != nil {
		t.Errorf("token signature/chain: %v", err)
	}
	if signer := p7.GetOnlySigner(); signer == nil || !signer.Equal(p.TSA.Cert) {
		t.Error("token signer is not the TSA")
	}
	var signingTime time.Time
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signingTime); err != nil || !signingTime.Equal(fixedNow) {
		t.Errorf("signingTime %v (%v), want clock", signingTime, err)
	}
	// Serial numbers increment.
	ts2, err := timestamp.ParseResponse(tsaRequest(t, p, data, &timestamp.RequestOptions{Certificates: true}))
	if err != nil {
		t.Fatal(err)
	}
	if ts2.SerialNumber.Cmp(new(big.Int).Add(ts.SerialNumber, big.NewInt(1))) != 0 {
		t.Errorf("TSA serials %v then %v", ts.SerialNumber, ts2.SerialNumber)
	}
	// Tampered content must fail verification.
	p7.Content = append([]byte{}, p7.Content...)
	p7.Content[len(p7.Content)-1] ^= 1
	if err := p7.Verify(); err == nil {
		t.Error("tampered token verified")
	}

	// Without certReq: no certificates (RFC 3161 2.4.1), still signed by the TSA.
	body = tsaRequest(t, p, data, &timestamp.RequestOptions{Hash: crypto.SHA512})
	ts, err = timestamp.ParseResponse(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts.Certificates) != 0 || ts.HashAlgorithm != crypto.SHA512 {
		t.Errorf("certReq=false: %d certificates, hash %v", len(ts.Certificates), ts.HashAlgorithm)
	}
	p7, err = pkcs7.Parse(ts.RawToken)
	if err != nil {
		t.Fatal(err)
	}
	p7.Certificates = []*x509.Certificate{p.TSA.Cert}
	if err := p7.Verify(); err != nil {
		t.Errorf("certReq=false token with TSA cert supplied: %v", err)
	}

	// Rejections.
	for name, req := range map[string][]byte{
		"garbage": []byte("hello"),
		"empty":   nil,
	} {
		_, body := httpPost(t, p.TSAURL, "application/timestamp-query", req)
		if _, err := timestamp.ParseResponse(body); err == nil || !strings.Contains(err.Error(), "rejected") || !strings.Contains(err.Error(), "wrong format") {
			t.Errorf("%s: got %v, want rejection (badDataFormat)", name, err)
		}
	}
	badPolicy, _ := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{TSAPolicyOID: asn1.ObjectIdentifier{1, 2, 3}})
	_, body = httpPost(t, p.TSAURL, "application/timestamp-query", badPolicy)
	if _, err := timestamp.ParseResponse(body); err == nil || !strings.Contains(err.Error(), "rejected") || !strings.Contains(err.Error(), "policy") {
		t.Errorf("bad policy: %v", err)
	}
	// SHA-1 imprints are accepted (the token itself is signed with SHA-256).
	sha1Req, _ := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{Hash: crypto.SHA1})
	_, body = httpPost(t, p.TSAURL, "application/timestamp-query", sha1Req)
	if ts, err := timestamp.ParseResponse(body); err != nil || ts.HashAlgorithm != crypto.SHA1 {
		t.Errorf("sha1: %v", err)
	}
	if resp, _ := httpGet(t, p.TSAURL); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on TSA: %d", resp.StatusCode)
	}
}

// A clock far from the wall clock: the token must still verify at that time
// (genTime and signingTime follow the clock, inside the TSA validity).
func TestTSAOldClock(t *testing.T) {
	old := time.Date(2012, time.March, 1, 8, 0, 0, 0, time.UTC)
	p := New(t, WithClock(func() time.Time { return old }))
	ts, err := timestamp.ParseResponse(tsaRequest(t, p, []byte("x"), &timestamp.RequestOptions{Certificates: true}))
	if err != nil {
		t.Fatalf("ParseResponse: %v", err)
	}
	if !ts.Time.Equal(old) {
		t.Errorf("genTime %v", ts.Time)
	}
	p7, err := pkcs7.Parse(ts.RawToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := p7.VerifyWithChainAtTime(p.RootPool(), old); err != nil {
		t.Errorf("verify at clock time: %v", err)
	}
}

func TestFailureInjection(t *testing.T) {
	p := New(t)
	client := &http.Client{Timeout: 200 * time.Millisecond}

	p.SetDelay(ServiceOCSP, 5*time.Second)
	start := time.Now()
	_, err := client.Post(p.OCSPURL, "application/ocsp-request", strings.NewReader("x"))
	var ne net.Error
	if err == nil || !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("delayed OCSP: got %v, want timeout", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("timeout took %v", el)
	}
	if p.Hits(ServiceOCSP) != 1 {
		t.Errorf("OCSP hits %d", p.Hits(ServiceOCSP))
	}
	// Other services are unaffected by the OCSP delay.
	if resp, err := client.Get(p.CRLURL); err != nil || resp.StatusCode != 200 {
		t.Errorf("CRL during OCSP delay: %v", err)
	} else {
		resp.Body.Close()
	}
	p.SetDelay(ServiceOCSP, 0)

	p.SetDelay(ServiceTSA, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.TSAURL, strings.NewReader("x"))
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("TSA with short context: %v", err)
	}
	p.SetDelay(ServiceTSA, 0)

	p.SetDown(ServiceCRL, true)
	resp, _ := httpGet(t, p.CRLURL)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("down CRL: HTTP %d", resp.StatusCode)
	}
	p.SetDown(ServiceCRL, false)
	resp, _ = httpGet(t, p.CRLURL)
	if resp.StatusCode != 200 {
		t.Errorf("CRL back up: HTTP %d", resp.StatusCode)
	}
	if p.Hits(ServiceCRL) != 3 {
		t.Errorf("CRL hits %d, want 3", p.Hits(ServiceCRL))
	}
	if p.Hits(ServiceTSA) != 1 {
		t.Errorf("TSA hits %d, want 1", p.Hits(ServiceTSA))
	}

	// After Close the servers are gone.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Get(p.CRLURL); err == nil {
		t.Error("server still answering after Close")
	}
}

func TestIssue(t *testing.T) {
	p := New(t)
	id := p.MustIssue(t, Spec{
		CommonName: "Đinh Thị Thu Hà", Title: "Phó Chánh Văn phòng", Organization: DefaultDirectorOrg,
		Province: "Thành phố Hà Nội", Locality: "Ba Đình", Key: ECP384, Email: "dtthha@hanoi.gov.vn",
	})
	if keyTypeOf(id.Cert.PublicKey) != ECP384 || id.Cert.Subject.Province[0] != "Thành phố Hà Nội" {
		t.Errorf("ECP384 spec not honoured")
	}
	if _, err := id.Cert.Verify(p.VerifyOptions(time.Time{})); err != nil {
		t.Errorf("issued cert: %v", err)
	}
	if !bytes.Contains(id.CertPEM(), []byte("BEGIN CERTIFICATE")) || !bytes.Contains(id.KeyPKCS8PEM(), []byte("BEGIN PRIVATE KEY")) {
		t.Error("PEM output wrong")
	}

	nr := p.MustIssue(t, Spec{CommonName: "Không Thu Hồi", NoRevocationInfo: true, Organisation: true})
	if len(nr.Cert.OCSPServer)+len(nr.Cert.CRLDistributionPoints)+len(nr.Cert.IssuingCertificateURL) != 0 {
		t.Error("NoRevocationInfo ignored")
	}

	// External public key (e.g. from a token).
	ext, _ := ecdsa.GenerateKey(elliptic.P256(), nil)
	ei := p.MustIssue(t, Spec{CommonName: "Token Key", PublicKey: ext.Public()})
	if ei.Key != nil || !ei.Cert.PublicKey.(*ecdsa.PublicKey).Equal(ext.Public()) || ei.KeyPKCS8PEM() != nil {
		t.Error("external public key not certified")
	}

	// KeyID shares keys.
	a := p.MustIssue(t, Spec{CommonName: "A", KeyID: "shared"})
	b := p.MustIssue(t, Spec{CommonName: "B", KeyID: "shared"})
	c := p.MustIssue(t, Spec{CommonName: "C"})
	if !a.Key.(*rsa.PrivateKey).Equal(b.Key) || a.Key.(*rsa.PrivateKey).Equal(c.Key) {
		t.Error("KeyID sharing wrong")
	}
	if a.Cert.SerialNumber.Cmp(b.Cert.SerialNumber) == 0 {
		t.Error("serials repeat")
	}

	if _, err := p.Issue(Spec{}); err == nil {
		t.Error("empty CommonName accepted")
	}
	if _, err := p.Issue(Spec{CommonName: "x", Key: "DSA-1024"}); err == nil {
		t.Error("bad key type accepted")
	}

	// Fixed identities reuse keys across PKIs; certificates differ.
	q := New(t)
	if !p.Leader.Key.(*rsa.PrivateKey).Equal(q.Leader.Key) || p.Leader.Cert.Equal(q.Leader.Cert) {
		t.Error("fixed keys not shared or certificates not per PKI")
	}
}

func TestFreshKeys(t *testing.T) {
	p := New(t)
	q := New(t, WithFreshKeys())
	if p.Root.Key.(*rsa.PrivateKey).Equal(q.Root.Key) || p.Leader.Key.(*rsa.PrivateKey).Equal(q.Leader.Key) {
		t.Fatal("WithFreshKeys reused process-wide keys")
	}
	if err := verifyChain(p, q.Leader, q.Now()); err == nil {
		t.Error("fresh-key leader verifies against the shared root")
	}
	if err := verifyChain(q, q.Leader, q.Now()); err != nil {
		t.Errorf("fresh PKI own chain: %v", err)
	}
	if keyTypeOf(q.Root.Cert.PublicKey) != RSA4096 {
		t.Error("fresh root is not RSA-4096")
	}
}

func TestKeyCache(t *testing.T) {
	dir := t.TempDir()
	k1, err := loadOrGenerate("cache-test", ECP256, dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := loadOrGenerate("cache-test", ECP256, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !k1.(*ecdsa.PrivateKey).Equal(k2) {
		t.Error("key not loaded from disk cache")
	}
	// A different type under the same name is regenerated, not reused.
	k3, err := loadOrGenerate("cache-test", ECP384, dir)
	if err != nil || keyTypeOf(k3.Public()) != ECP384 {
		t.Errorf("type mismatch handling: %v", err)
	}
	// WithKeyCache is accepted by NewPKI.
	p, err := NewPKI(WithKeyCache(dir))
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
}

func TestParallelPKIs(t *testing.T) {
	var mu sync.Mutex
	urls := map[string]bool{}
	for i := 0; i < 4; i++ {
		t.Run("pki", func(t *testing.T) {
			t.Parallel()
			p := New(t)
			mu.Lock()
			if urls[p.BaseURL] {
				t.Error("two PKIs share a URL")
			}
			urls[p.BaseURL] = true
			mu.Unlock()
			if r := ocspQuery(t, p, p.Revoked.Cert, p.Intermediate.Cert, false); r.Status != ocsp.Revoked {
				t.Errorf("status %d", r.Status)
			}
			if err := verifyChain(p, p.Director, p.Now()); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestNewPKITiming(t *testing.T) {
	// Run alone (-run TestNewPKITiming) the first call includes key generation.
	for i := 1; i <= 2; i++ {
		start := time.Now()
		p, err := NewPKI()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("NewPKI call %d in this process: %v", i, time.Since(start))
		p.Close()
	}
}
