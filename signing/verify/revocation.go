package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	xocsp "golang.org/x/crypto/ocsp"

	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/verify/internal/cms"
	"github.com/vanthu/vanthu/signing/verify/internal/ocsp"
)

// Revocation rules (see README): an OCSP response counts only when the
// certificate's issuer signed it, or a responder the issuer delegated
// (issued by the issuer, id-kp-OCSPSigning, valid when the response was
// produced, not revoked); a CRL only when the issuer signed it, it is
// neither indirect nor partial for a "good" answer, and its scope covers the
// certificate. Data from the future is refused. "Revoked" from any
// authentic source wins over "good"; "good" counts only when it speaks for
// the validation time (issued at or after it, or valid until at least it).

const (
	maxDSSItems   = 1000
	maxFetchBytes = 16 << 20
	// revocationSkew is the clock difference tolerated between the verifier
	// and the CA's responder.
	revocationSkew = 5 * time.Minute
	// maxAgeWithoutNext is how long a response without nextUpdate speaks
	// for times after its thisUpdate.
	maxAgeWithoutNext = 24 * time.Hour
	// maxResponderCandidates bounds the signature checks per OCSP response.
	maxResponderCandidates = 16
)

// Reasons revocation data is not used ("reason" parameter of
// CodeRevocationRejected).
const (
	RejectMalformed         = "malformed"
	RejectSignature         = "signature_invalid"
	RejectUnauthorized      = "unauthorized_responder"
	RejectResponderRevoked  = "responder_revoked"
	RejectWrongIssuer       = "wrong_issuer"
	RejectNotYetValid       = "not_yet_valid"
	RejectInconsistentTimes = "inconsistent_times"
	RejectIndirectCRL       = "indirect_crl"
	RejectOutOfScope        = "out_of_scope"
	RejectCriticalExtension = "unsupported_critical_extension"
	RejectStatusUnknown     = "status_unknown"
	RejectStale             = "stale"
	RejectPartialCRL        = "partial_crl"
)

var (
	oidCRLIssuingDP   = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidCRLDelta       = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidCRLNumber      = asn1.ObjectIdentifier{2, 5, 29, 20}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLReason      = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidInvalidityDate = asn1.ObjectIdentifier{2, 5, 29, 24}
	oidCertIssuer     = asn1.ObjectIdentifier{2, 5, 29, 29}
)

// CRL reason removeFromCRL (RFC 5280 5.3.1).
const reasonRemoveFromCRL = 8

// dssData is the document security store of the final revision.
type dssData struct {
	certs []*x509.Certificate
	ocsps [][]byte
	crls  [][]byte
}

func (d *dssData) hasRevocation() bool { return len(d.ocsps) > 0 || len(d.crls) > 0 }

func loadDSS(v *pdf.View) *dssData {
	d := &dssData{}
	root := v.Root()
	dss := v.Dict(root.Get("DSS"))
	if dss == nil {
		return d
	}
	read := func(key string) [][]byte {
		var out [][]byte
		for i, x := range v.Array(dss.Get(key)) {
			if i >= maxDSSItems {
				break
			}
			st, ok := mustResolve(v, x).(*pdf.Stream)
			if !ok {
				continue
			}
			b, err := v.Decode(st)
			if err == nil {
				out = append(out, b)
			}
		}
		return out
	}
	for _, b := range read("Certs") {
		if c, err := x509.ParseCertificate(b); err == nil {
			d.certs = append(d.certs, c)
		}
	}
	d.ocsps = read("OCSPs")
	d.crls = read("CRLs")
	return d
}

func (v *verifier) dssRevBefore(rev int) bool {
	info := v.info(rev)
	if info == nil {
		return false
	}
	root := info.v.Root()
	dss := info.v.Dict(root.Get("DSS"))
	return dss != nil && (len(info.v.Array(dss.Get("OCSPs"))) > 0 || len(info.v.Array(dss.Get("CRLs"))) > 0)
}

// revocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
// ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] … }
type adbeRevInfo struct {
	CRL   []asn1.RawValue `asn1:"explicit,optional,tag:0"`
	OCSP  []asn1.RawValue `asn1:"explicit,optional,tag:1"`
	Other asn1.RawValue   `asn1:"explicit,optional,tag:2"`
}

// revSources is the revocation data one signature can use: the DSS, the
// CMS crls and otherRevocationInfo, and the signed
// adbe-revocationInfoArchival attribute, with the certificates a delegated
// OCSP responder's certificate may be found among.
type revSources struct {
	ocsps [][]byte
	crls  [][]byte
	certs []*x509.Certificate
}

func (v *verifier) sources(p7 *cms.SignedData, si *cms.SignerInfo) revSources {
	src := revSources{
		ocsps: append(append([][]byte{}, v.dss.ocsps...), p7.OtherRevoc...),
		crls:  append(append([][]byte{}, v.dss.crls...), p7.CRLs...),
		certs: append(append([]*x509.Certificate{}, p7.Certs...), v.dss.certs...),
	}
	if a, n := cms.Attr(si.SignedAttrs, cms.OIDAdbeRevocationInfo); n > 0 {
		var ri adbeRevInfo
		if _, err := asn1.Unmarshal(a.FullBytes, &ri); err == nil {
			for _, c := range ri.CRL {
				src.crls = append(src.crls, c.FullBytes)
			}
			for _, o := range ri.OCSP {
				src.ocsps = append(src.ocsps, o.FullBytes)
			}
		}
	}
	return src
}

type revResult struct {
	status    string
	source    string
	revokedAt time.Time
	cert      *x509.Certificate // the revoked (or unknown) certificate
	problems  []Problem         // revocation data that was not used, and why
}

// evidence is one authentic answer about one certificate.
type evidence struct {
	revoked    bool
	revokedAt  time.Time
	thisUpdate time.Time
	nextUpdate time.Time // zero: none given
	// complete: "not listed" means good (false for delta and partial CRLs)
	complete bool
	kind     string // "ocsp" or "crl"
	source   string
}

// covers reports whether a "good" answer speaks for time at.
func (e evidence) covers(at time.Time) bool {
	switch {
	case !e.thisUpdate.Before(at):
		return true // issued at or after the validation time
	case !e.nextUpdate.IsZero():
		return !e.nextUpdate.Before(at)
	default:
		return at.Sub(e.thisUpdate) <= maxAgeWithoutNext
	}
}

// rejections collects why revocation data was not used, once per reason
// and datum.
type rejections struct {
	seen map[string]bool
	list []Problem
}

func (r *rejections) add(kind, reason, origin string, cert *x509.Certificate, detail string) {
	key := kind + "|" + reason + "|" + origin + "|" + detail
	if cert != nil {
		key += "|" + string(cert.Raw)
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	kv := []string{"source", kind, "reason", reason, "origin", origin}
	if cert != nil {
		kv = append(kv, "cert", signerName(cert))
	}
	if detail != "" {
		kv = append(kv, "error", detail)
	}
	r.list = append(r.list, mkProblem(problemSevInfo, CodeRevocationRejected, kv...))
}

// revocationFor checks every non-anchor certificate of chain at time at.
func (v *verifier) revocationFor(chain []*x509.Certificate, src revSources, at time.Time) revResult {
	res := revResult{status: RevGood, source: RevSrcEmbedded}
	rej := &rejections{}
	anyChecked := false
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		r := v.certStatus(cert, issuer, src, at, rej)
		if r.status == RevNotRequired {
			continue
		}
		anyChecked = true
		switch r.status {
		case RevRevoked:
			r.problems = rej.list
			return r
		case RevUnknown:
			if res.status != RevUnknown {
				res.cert = cert
			}
			res.status = RevUnknown
		}
		if r.source == RevSrcOnline && res.status != RevUnknown {
			res.source = RevSrcOnline
		}
	}
	res.problems = rej.list
	if !anyChecked {
		res.status, res.source = RevNotRequired, RevSrcNone
	}
	if res.status == RevUnknown {
		res.source = RevSrcNone
	}
	return res
}

// certStatus decides one certificate's status at time at from the embedded
// data, then (when allowed and still undecided) from its OCSP responders
// and CRL distribution points.
func (v *verifier) certStatus(cert, issuer *x509.Certificate, src revSources, at time.Time, rej *rejections) revResult {
	ev := v.evidenceFrom(cert, issuer, src, RevSrcEmbedded, rej)
	r, decided := decide(ev, at)
	if decided {
		r.cert = cert
		return r
	}
	if v.opts.Online && v.ctx.Err() == nil {
		ev = append(ev, v.onlineEvidence(cert, issuer, src, at, rej)...)
		if r, decided = decide(ev, at); decided {
			r.cert = cert
			return r
		}
	}
	for _, e := range ev {
		switch {
		case e.complete: // no "good" speaks for at
			rej.add(e.kind, RejectStale, e.source, cert, "")
		case !e.revoked: // a delta or partial CRL that does not list cert
			rej.add(e.kind, RejectPartialCRL, e.source, cert, "")
		}
	}
	if len(cert.OCSPServer) == 0 && len(cert.CRLDistributionPoints) == 0 {
		return revResult{status: RevNotRequired}
	}
	return revResult{status: RevUnknown, cert: cert}
}

// decide: any authentic "revoked" wins (earliest revocation time); else a
// "good" that speaks for at.
func decide(ev []evidence, at time.Time) (revResult, bool) {
	var r revResult
	found := false
	for _, e := range ev {
		if e.revoked && (!found || e.revokedAt.Before(r.revokedAt)) {
			r = revResult{status: RevRevoked, source: e.source, revokedAt: e.revokedAt}
			found = true
		}
	}
	if found {
		return r, true
	}
	for _, e := range ev {
		if e.complete && e.covers(at) {
			return revResult{status: RevGood, source: e.source}, true
		}
	}
	return revResult{}, false
}

// evidenceFrom evaluates every OCSP response and CRL of src about cert.
func (v *verifier) evidenceFrom(cert, issuer *x509.Certificate, src revSources, origin string, rej *rejections) []evidence {
	var out []evidence
	for _, raw := range src.ocsps {
		if v.ctx.Err() != nil {
			return out
		}
		out = append(out, v.ocspEvidence(raw, cert, issuer, src, origin, rej)...)
	}
	for _, raw := range src.crls {
		if v.ctx.Err() != nil {
			return out
		}
		if e, ok := v.crlEvidence(raw, cert, issuer, origin, rej); ok {
			out = append(out, e)
		}
	}
	return out
}

// ocspEvidence returns what an authentic response says about cert.
func (v *verifier) ocspEvidence(raw []byte, cert, issuer *x509.Certificate, src revSources, origin string, rej *rejections) []evidence {
	resp, err := ocsp.Parse(raw)
	if err != nil {
		rej.add("ocsp", RejectMalformed, origin, nil, err.Error())
		return nil
	}
	var singles []ocsp.Single
	for _, s := range resp.Singles {
		if s.Names(cert, issuer) {
			singles = append(singles, s)
		} else if s.Serial.Cmp(cert.SerialNumber) == 0 && bytes.Equal(issuerNameHashProbe(s, cert), s.NameHash) {
			rej.add("ocsp", RejectWrongIssuer, origin, cert, "")
		}
	}
	if len(singles) == 0 {
		return nil
	}
	if reason := v.ocspAuthorized(resp, issuer, src); reason != "" {
		rej.add("ocsp", reason, origin, cert, "")
		return nil
	}
	now := v.opts.now()
	if resp.ProducedAt.After(now.Add(revocationSkew)) {
		rej.add("ocsp", RejectNotYetValid, origin, cert, "")
		return nil
	}
	var out []evidence
	for _, s := range singles {
		switch {
		case s.ThisUpdate.After(now.Add(revocationSkew)):
			rej.add("ocsp", RejectNotYetValid, origin, cert, "")
			continue
		case !s.NextUpdate.IsZero() && s.NextUpdate.Before(s.ThisUpdate),
			resp.ProducedAt.Before(s.ThisUpdate.Add(-revocationSkew)):
			rej.add("ocsp", RejectInconsistentTimes, origin, cert, "")
			continue
		}
		e := evidence{thisUpdate: s.ThisUpdate, nextUpdate: s.NextUpdate, complete: true, kind: "ocsp", source: origin}
		switch s.Status {
		case ocsp.Good:
		case ocsp.Revoked:
			e.revoked, e.revokedAt, e.complete = true, s.RevokedAt, false
		default:
			rej.add("ocsp", RejectStatusUnknown, origin, cert, "")
			continue
		}
		out = append(out, e)
	}
	return out
}

// issuerNameHashProbe hashes cert's issuer name with the single response's
// algorithm: a response naming the same issuer name and serial but another
// issuer key is about a look-alike CA.
func issuerNameHashProbe(s ocsp.Single, cert *x509.Certificate) []byte {
	h, err := cms.HashFor(s.HashAlg)
	if err != nil || !h.Available() {
		return nil
	}
	hh := h.New()
	hh.Write(cert.RawIssuer)
	return hh.Sum(nil)
}

// ocspAuthorized returns "" when the issuer, or a responder it delegated,
// signed resp; otherwise the reason it is refused. Candidates for the
// signer are the certificates its ResponderID names among the issuer, the
// response's certificates and the signature's and DSS certificates; then,
// for responders that spell their name differently, the issuer and the
// response's own certificates.
func (v *verifier) ocspAuthorized(resp *ocsp.Response, issuer *x509.Certificate, src revSources) string {
	all := append([]*x509.Certificate{issuer}, resp.Certs...)
	var named, others []*x509.Certificate
	for _, c := range append(all, src.certs...) {
		if resp.IdentifiesResponder(c) {
			named = append(named, c)
		}
	}
	for _, c := range all {
		if !resp.IdentifiesResponder(c) {
			others = append(others, c)
		}
	}
	reason := RejectSignature
	for i, c := range append(named, others...) {
		if i >= maxResponderCandidates {
			break
		}
		if cms.VerifyData(c.PublicKey, resp.SigAlg, resp.TBS, resp.Signature) != nil {
			continue
		}
		if sameKeyAndName(c, issuer) {
			return ""
		}
		reason = v.delegatedResponder(c, issuer, resp.ProducedAt, src)
		if reason == "" {
			return ""
		}
	}
	return reason
}

func sameKeyAndName(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubject, b.RawSubject) && bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}

// delegatedResponder checks RFC 6960 4.2.2.2: c is issued by issuer,
// carries id-kp-OCSPSigning, is valid when the response was produced and,
// without id-pkix-ocsp-nocheck, is not revoked by the issuer's CRLs.
func (v *verifier) delegatedResponder(c, issuer *x509.Certificate, producedAt time.Time, src revSources) string {
	if !bytes.Equal(c.RawIssuer, issuer.RawSubject) || c.CheckSignatureFrom(issuer) != nil ||
		!hasEKU(c, x509.ExtKeyUsageOCSPSigning) || producedAt.Before(c.NotBefore) || producedAt.After(c.NotAfter) {
		return RejectUnauthorized
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(ocsp.OIDNoCheck) {
			return ""
		}
	}
	for _, raw := range src.crls {
		if e, ok := v.crlEvidence(raw, c, issuer, RevSrcEmbedded, &rejections{}); ok && e.revoked && !e.revokedAt.After(producedAt) {
			return RejectResponderRevoked
		}
	}
	return ""
}

// crlEvidence returns what an authentic CRL says about cert; ok is false
// when the CRL is not the issuer's or cannot be used.
func (v *verifier) crlEvidence(raw []byte, cert, issuer *x509.Certificate, origin string, rej *rejections) (evidence, bool) {
	crl, err := x509.ParseRevocationList(raw)
	if err != nil {
		rej.add("crl", RejectMalformed, origin, nil, err.Error())
		return evidence{}, false
	}
	if !bytes.Equal(crl.RawIssuer, cert.RawIssuer) {
		return evidence{}, false // another CA's list
	}
	if crl.CheckSignatureFrom(issuer) != nil {
		rej.add("crl", RejectSignature, origin, cert, "")
		return evidence{}, false
	}
	scope, reason := crlScope(crl, cert)
	if reason != "" {
		rej.add("crl", reason, origin, cert, "")
		return evidence{}, false
	}
	now := v.opts.now()
	if crl.ThisUpdate.After(now.Add(revocationSkew)) {
		rej.add("crl", RejectNotYetValid, origin, cert, "")
		return evidence{}, false
	}
	if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(crl.ThisUpdate) {
		rej.add("crl", RejectInconsistentTimes, origin, cert, "")
		return evidence{}, false
	}
	e := evidence{thisUpdate: crl.ThisUpdate, nextUpdate: crl.NextUpdate, complete: scope, kind: "crl", source: origin}
	for _, entry := range crl.RevokedCertificateEntries {
		if entry.SerialNumber == nil || entry.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		for _, x := range entry.Extensions {
			if x.Id.Equal(oidCertIssuer) { // an indirect CRL's entry
				rej.add("crl", RejectIndirectCRL, origin, cert, "")
				return evidence{}, false
			}
			if x.Critical && !x.Id.Equal(oidCRLReason) && !x.Id.Equal(oidInvalidityDate) {
				rej.add("crl", RejectCriticalExtension, origin, cert, x.Id.String())
				return evidence{}, false
			}
		}
		if entry.ReasonCode == reasonRemoveFromCRL {
			e.complete = false // taken off hold: neither revoked nor proven good here
			return e, true
		}
		e.revoked, e.revokedAt, e.complete = true, entry.RevocationTime, false
		return e, true
	}
	return e, true
}

// crlScope reports whether "not listed" in crl means "not revoked" for
// cert (complete), or why the CRL cannot be used for it at all. Indirect
// CRLs are refused: their entries may belong to other issuers.
func crlScope(crl *x509.RevocationList, cert *x509.Certificate) (complete bool, reject string) {
	complete = true
	for _, x := range crl.Extensions {
		switch {
		case x.Id.Equal(oidCRLIssuingDP):
			var idp struct { // issuingDistributionPoint (RFC 5280 5.2.5)
				DP                 asn1.RawValue  `asn1:"optional,tag:0"`
				OnlyUser           bool           `asn1:"optional,tag:1"`
				OnlyCA             bool           `asn1:"optional,tag:2"`
				OnlySomeReasons    asn1.BitString `asn1:"optional,tag:3"`
				Indirect           bool           `asn1:"optional,tag:4"`
				OnlyAttributeCerts bool           `asn1:"optional,tag:5"`
			}
			if rest, err := asn1.Unmarshal(x.Value, &idp); err != nil || len(rest) != 0 {
				return false, RejectMalformed
			}
			switch {
			case idp.Indirect:
				return false, RejectIndirectCRL
			case idp.OnlyAttributeCerts, idp.OnlyCA && !cert.IsCA, idp.OnlyUser && cert.IsCA:
				return false, RejectOutOfScope
			case len(idp.DP.FullBytes) > 0 && !dpMatches(idp.DP, cert):
				return false, RejectOutOfScope
			}
			if idp.OnlySomeReasons.BitLength > 0 {
				complete = false
			}
		case x.Id.Equal(oidCRLDelta):
			complete = false
		case x.Id.Equal(oidCRLNumber), x.Id.Equal(oidAuthorityKeyID):
		case x.Critical:
			return false, RejectCriticalExtension
		}
	}
	return complete, ""
}

// dpMatches compares the URIs of an IDP's distributionPoint fullName with
// the certificate's CRL distribution points; a certificate without them
// matches any (RFC 5280 6.3.3 b.2.i).
func dpMatches(dp asn1.RawValue, cert *x509.Certificate) bool {
	if len(cert.CRLDistributionPoints) == 0 {
		return true
	}
	// DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] }
	var name asn1.RawValue
	if _, err := asn1.Unmarshal(dp.Bytes, &name); err != nil || name.Tag != 0 {
		return false
	}
	rest := name.Bytes
	for len(rest) > 0 {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return false
		}
		if gn.Class != asn1.ClassContextSpecific || gn.Tag != 6 { // uniformResourceIdentifier
			continue
		}
		for _, u := range cert.CRLDistributionPoints {
			if u == string(gn.Bytes) {
				return true
			}
		}
	}
	return false
}

func fetchTimeout(o Options) time.Duration {
	if o.FetchTimeout > 0 {
		return o.FetchTimeout
	}
	return 10 * time.Second
}

func (v *verifier) client() *http.Client {
	if v.opts.HTTPClient != nil {
		return v.opts.HTTPClient
	}
	return &http.Client{Timeout: fetchTimeout(v.opts)}
}

func (v *verifier) fetch(method, url string, body []byte, ctype string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(v.ctx, fetchTimeout(v.opts))
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("failed to build request: %w", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := v.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("failed to fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("failed to fetch %s: status %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBytes+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", url, err)
	}
	if len(b) > maxFetchBytes {
		return nil, fmt.Errorf("failed to read %s: response too large", url)
	}
	return b, nil
}

func httpURL(u string) bool {
	return strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")
}

// onlineEvidence asks cert's OCSP responders, then its CRL distribution
// points, until one answer decides the status at at.
func (v *verifier) onlineEvidence(cert, issuer *x509.Certificate, src revSources, at time.Time, rej *rejections) []evidence {
	var out []evidence
	for _, u := range cert.OCSPServer {
		if !httpURL(u) {
			continue
		}
		req, err := xocsp.CreateRequest(cert, issuer, nil)
		if err != nil {
			continue
		}
		b, err := v.fetch(http.MethodPost, u, req, "application/ocsp-request")
		if err != nil {
			continue
		}
		out = append(out, v.ocspEvidence(b, cert, issuer, src, RevSrcOnline, rej)...)
		if _, ok := decide(out, at); ok {
			return out
		}
	}
	for _, u := range cert.CRLDistributionPoints {
		if !httpURL(u) {
			continue
		}
		b, err := v.fetch(http.MethodGet, u, nil, "")
		if err != nil {
			continue
		}
		if e, ok := v.crlEvidence(b, cert, issuer, RevSrcOnline, rej); ok {
			out = append(out, e)
			if _, ok := decide(out, at); ok {
				return out
			}
		}
	}
	return out
}
