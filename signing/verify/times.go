package verify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify/internal/cms"
)

// Time rules (see README): a signature's certificates are evaluated at the
// earliest proof that the signature existed — its own signature timestamp
// when that is trusted, else the earliest later document timestamp that
// covers it and is itself proven — and at the verifier's clock when there is
// no proof. The signer's claimed time (/M, signingTime) is shown, never used.
// A timestamp token is itself only a proof while its TSA certificate is
// trustworthy: valid and not revoked at the token's own proof of existence.

// tsToken is a parsed RFC 3161 token whose imprint, message digest and
// signature verified.
type tsToken struct {
	p7      *cms.SignedData
	si      *cms.SignerInfo
	cert    *x509.Certificate
	imprint crypto.Hash
}

// parseTimestampToken verifies an RFC 3161 token over data (the signature
// value). Trust in its TSA is decided later, when its proof of existence is
// known.
func (v *verifier) parseTimestampToken(tok, data []byte) (*Timestamp, *tsToken) {
	ts := &Timestamp{}
	p7, err := cms.Parse(tok)
	if err != nil || len(p7.Signers) != 1 || !p7.EContentType.Equal(cms.OIDTSTInfo) {
		return ts, nil
	}
	tst, err := cms.ParseTSTInfo(p7.EContent)
	if err != nil {
		return ts, nil
	}
	ts.Time = tst.GenTime
	si := &p7.Signers[0]
	cert := si.FindCert(p7.Certs)
	if cert == nil {
		return ts, nil
	}
	ts.TSA = signerName(cert)
	ih, err := cms.HashFor(tst.HashAlg.Algorithm)
	if err != nil || !ih.Available() {
		return ts, nil
	}
	h := ih.New()
	h.Write(data)
	if !bytes.Equal(h.Sum(nil), tst.HashedMessage) {
		return ts, nil
	}
	dh, err := cms.HashFor(si.DigestAlg.Algorithm)
	if err != nil || !dh.Available() {
		return ts, nil
	}
	h = dh.New()
	h.Write(p7.EContent)
	d := h.Sum(nil)
	if si.SignedAttrsDER != nil && si.CheckMessageDigest(d) != nil {
		return ts, nil
	}
	if si.VerifySignature(cert, d) != nil {
		return ts, nil
	}
	ts.Valid = true
	return ts, &tsToken{p7: p7, si: si, cert: cert, imprint: ih}
}

// proof is a trusted document timestamp: everything before its revision
// existed at its time.
type proof struct {
	rev int
	at  time.Time
}

// proofFor returns the earliest proof covering revision rev, or the
// verifier's clock.
func (v *verifier) proofFor(proofs []proof, rev int) (time.Time, TimeSource) {
	var best time.Time
	for _, p := range proofs {
		if rev >= 0 && p.rev > rev && (best.IsZero() || p.at.Before(best)) {
			best = p.at
		}
	}
	if best.IsZero() {
		return v.opts.now(), TimeCurrent
	}
	return best, TimeFromDocTimestamp
}

// checkTimes evaluates the certificates of every signature at its proof of
// existence. Document timestamps go first, latest first, since each proves
// the existence of everything before it, itself included.
func (v *verifier) checkTimes() {
	sigs := v.res.Signatures
	var order []int
	for i := range sigs {
		if sigs[i].Kind == KindDocTimestamp {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return sigs[order[a]].Revision > sigs[order[b]].Revision })
	var proofs []proof
	for _, i := range order {
		d := &sigs[i]
		if d.SignerCert == nil || d.Timestamp == nil || d.p7 == nil {
			continue
		}
		poe, src := v.proofFor(proofs, d.Revision)
		d.ValidationTime, d.ValidationTimeSource = d.Timestamp.Time, TimeFromTimestamp
		vd := v.checkTSA(d.SignerCert, d.p7, d.si, d.Timestamp.Time, poe, src)
		d.Problems = append(d.Problems, vd.problems...)
		d.Trusted, d.Chain = vd.trusted, vd.chain
		if vd.trusted {
			d.Revocation, d.RevocationFrom = vd.rev.status, vd.rev.source
		}
		d.Timestamp.Trusted = vd.trusted
		if d.Intact && d.SignatureOK && d.ByteRangeOK && d.CoversRevision && d.Revision >= 0 &&
			vd.trusted && worst(d.Problems) == "" {
			proofs = append(proofs, proof{rev: d.Revision, at: d.Timestamp.Time})
		}
	}
	for i := range sigs {
		s := &sigs[i]
		if s.Kind != KindSignature || s.SignerCert == nil || s.p7 == nil {
			continue
		}
		v.signatureTime(s, proofs)
		v.checkCert(s)
	}
}

// signatureTime sets the validation time of a signature: its signature
// timestamp when that is trustworthy, else the earliest covering document
// timestamp, else now; and the signing time shown.
func (v *verifier) signatureTime(s *Signature, proofs []proof) {
	poe, src := v.proofFor(proofs, s.Revision)
	if s.tok != nil && s.Timestamp.Valid {
		vd := v.checkTSA(s.tok.cert, s.tok.p7, s.tok.si, s.Timestamp.Time, poe, src)
		vd.problems = append(vd.problems, weakAlgorithms(s.tok.si, s.tok.cert, s.tok.imprint)...)
		s.Timestamp.Trusted = vd.trusted
		for _, p := range vd.problems {
			if p.Code == CodeRevocationRejected {
				s.Problems = append(s.Problems, p)
			}
		}
		switch worst(vd.problems) {
		case problemSevFail:
			s.Timestamp.Valid, s.Timestamp.Trusted = false, false
			s.add(problemSevFail, CodeTimestampInvalid, "reason", firstCode(vd.problems, problemSevFail))
			if s.Level == LevelBT {
				s.Level = LevelBB
			}
		case problemSevIndet:
			s.Timestamp.Trusted = false
			s.add(problemSevInfo, CodeTimestampUntrusted, "tsa", s.Timestamp.TSA, "reason", firstCode(vd.problems, problemSevIndet))
		default:
			poe, src = s.Timestamp.Time, TimeFromTimestamp
		}
	}
	s.ValidationTime, s.ValidationTimeSource = poe, src
	switch {
	case src == TimeFromTimestamp:
		s.SigningTime, s.SigningTimeSource = s.Timestamp.Time, TimeFromTimestamp
	case !s.ClaimedTime.IsZero():
		s.SigningTime, s.SigningTimeSource = s.ClaimedTime, TimeClaimed
		s.add(problemSevInfo, CodeSigningTimeClaimed, "validation_time_source", string(src))
	default:
		s.SigningTime, s.SigningTimeSource = v.opts.now(), TimeNone
		s.add(problemSevInfo, CodeNoSigningTime)
	}
}

// worst returns the most severe severity among ps other than info, or "".
func worst(ps []Problem) string {
	w := ""
	for _, p := range ps {
		switch p.Severity {
		case problemSevFail:
			return problemSevFail
		case problemSevIndet:
			w = problemSevIndet
		}
	}
	return w
}

func firstCode(ps []Problem, sev string) string {
	for _, p := range ps {
		if p.Severity == sev {
			return p.Code
		}
	}
	return ""
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// tsaVerdict is the evaluation of a time-stamping authority's certificate.
type tsaVerdict struct {
	trusted  bool
	chain    []*x509.Certificate
	rev      revResult
	problems []Problem // with the severities a document timestamp gets
}

// checkTSA evaluates the certificate of a timestamp token made at gen whose
// own existence is proven at poe (src): it must carry the timeStamping EKU,
// chain to an anchor at gen, not be revoked at gen, and, for the token to
// prove anything, still be valid and not revoked at poe.
func (v *verifier) checkTSA(cert *x509.Certificate, p7 *cms.SignedData, si *cms.SignerInfo, gen, poe time.Time, src TimeSource) tsaVerdict {
	var vd tsaVerdict
	add := func(sev, code string, kv ...string) { vd.problems = append(vd.problems, mkProblem(sev, code, kv...)) }
	if !hasEKU(cert, x509.ExtKeyUsageTimeStamping) {
		add(problemSevFail, CodeKeyUsage, "required", "timeStamping")
	}
	outside := gen.Before(cert.NotBefore) || gen.After(cert.NotAfter)
	if outside {
		add(problemSevFail, CodeCertExpired, "not_before", fmtTime(cert.NotBefore), "not_after", fmtTime(cert.NotAfter))
	}
	rs := v.sources(p7, si)
	chains, err := v.opts.Trust.Verify(cert, rs.certs, gen)
	switch {
	case err == nil:
	case errors.Is(err, trust.ErrExpired):
		if !outside {
			add(problemSevFail, CodeCertExpired, "error", err.Error())
		}
	case errors.Is(err, trust.ErrUntrusted):
		add(problemSevIndet, CodeChainUntrusted, "issuer", cert.Issuer.String())
	default:
		add(problemSevIndet, CodeChainInvalid, "error", err.Error())
	}
	if err != nil {
		return vd
	}
	vd.trusted, vd.chain = true, chains[0]
	vd.rev = v.revocationFor(vd.chain, rs, gen)
	vd.problems = append(vd.problems, vd.rev.problems...)
	switch vd.rev.status {
	case RevRevoked:
		ra := fmtTime(vd.rev.revokedAt)
		switch {
		case !vd.rev.revokedAt.After(gen):
			add(problemSevFail, CodeCertRevoked, "revoked_at", ra)
		case src == TimeFromDocTimestamp && vd.rev.revokedAt.After(poe):
			vd.rev.status = RevGood
			add(problemSevInfo, CodeCertRevokedAfter, "revoked_at", ra)
		default:
			add(problemSevIndet, CodeCertRevokedNoPOE, "revoked_at", ra, "validation_time", fmtTime(poe), "validation_time_source", string(src))
		}
	case RevUnknown:
		add(problemSevIndet, CodeRevocationUnknown, "online", strconv.FormatBool(v.opts.Online), "cert", signerName(vd.rev.cert))
	}
	if poe.After(gen) {
		if _, err := v.opts.Trust.Verify(cert, rs.certs, poe); errors.Is(err, trust.ErrExpired) {
			add(problemSevIndet, CodeCertExpiredNoPOE, "not_after", fmtTime(cert.NotAfter),
				"validation_time", fmtTime(poe), "validation_time_source", string(src))
		}
	}
	return vd
}

// checkCert builds the signer's chain at the validation time, checks key
// usage, validity and revocation.
func (v *verifier) checkCert(s *Signature) {
	cert, at, src := s.SignerCert, s.ValidationTime, s.ValidationTimeSource
	validity := func(kv ...string) {
		if src == TimeFromTimestamp {
			// the timestamp proves the signature is outside the validity
			s.add(problemSevFail, CodeCertExpired, kv...)
			return
		}
		kv = append(kv, "validation_time", fmtTime(at), "validation_time_source", string(src))
		if !s.ClaimedTime.IsZero() {
			kv = append(kv, "claimed_time", fmtTime(s.ClaimedTime))
		}
		s.add(problemSevIndet, CodeCertExpiredNoPOE, kv...)
	}
	outside := func(t time.Time) bool { return t.Before(cert.NotBefore) || t.After(cert.NotAfter) }
	if outside(at) {
		validity("not_before", fmtTime(cert.NotBefore), "not_after", fmtTime(cert.NotAfter))
	}
	if src != TimeFromTimestamp && !s.ClaimedTime.IsZero() && outside(s.ClaimedTime) {
		// a claim proves nothing in the signer's favour, but it is the
		// signer's own admission of signing outside the validity
		s.add(problemSevFail, CodeCertExpired, "not_before", fmtTime(cert.NotBefore), "not_after", fmtTime(cert.NotAfter),
			"claimed_time", fmtTime(s.ClaimedTime))
	}
	if !signingUsageOK(cert) {
		s.add(problemSevFail, CodeKeyUsage, "required", "digitalSignature/nonRepudiation")
	}
	rs := v.sources(s.p7, s.si)
	chains, err := v.opts.Trust.Verify(cert, rs.certs, at)
	switch {
	case err == nil:
		s.Trusted = true
		s.Chain = chains[0]
	case errors.Is(err, trust.ErrExpired):
		if !outside(at) { // an issuer outside its validity
			validity("error", err.Error())
		}
		v.chainProblemInValidity(s, rs)
	case errors.Is(err, trust.ErrUntrusted):
		s.add(problemSevIndet, CodeChainUntrusted, "issuer", cert.Issuer.String())
	default:
		s.add(problemSevIndet, CodeChainInvalid, "error", err.Error())
	}
	if !s.Trusted {
		return
	}
	rc := v.revocationFor(s.Chain, rs, at)
	s.Problems = append(s.Problems, rc.problems...)
	s.Revocation, s.RevocationFrom = rc.status, rc.source
	switch rc.status {
	case RevRevoked:
		ra := fmtTime(rc.revokedAt)
		switch {
		case rc.revokedAt.After(at) && src != TimeCurrent:
			s.Revocation = RevGood
			s.add(problemSevInfo, CodeCertRevokedAfter, "revoked_at", ra, "cert", signerName(rc.cert))
		case src == TimeFromTimestamp:
			s.add(problemSevFail, CodeCertRevoked, "revoked_at", ra, "cert", signerName(rc.cert))
		case !s.ClaimedTime.IsZero() && !rc.revokedAt.After(s.ClaimedTime):
			// the signer's own claim puts the signature after the revocation
			s.add(problemSevFail, CodeCertRevoked, "revoked_at", ra, "cert", signerName(rc.cert), "claimed_time", fmtTime(s.ClaimedTime))
		default:
			s.add(problemSevIndet, CodeCertRevokedNoPOE, "revoked_at", ra, "cert", signerName(rc.cert),
				"validation_time", fmtTime(at), "validation_time_source", string(src))
		}
	case RevUnknown:
		s.add(problemSevIndet, CodeRevocationUnknown, "online", strconv.FormatBool(v.opts.Online), "cert", signerName(rc.cert))
	}
}

// chainProblemInValidity reports, for a signer whose chain is outside its
// validity at the validation time, whether it would chain to an anchor at
// all (checked at the end of the signer certificate's validity): an
// untrusted signer is told so, not only that the time is wrong.
func (v *verifier) chainProblemInValidity(s *Signature, rs revSources) {
	_, err := v.opts.Trust.Verify(s.SignerCert, rs.certs, s.SignerCert.NotAfter)
	switch {
	case errors.Is(err, trust.ErrUntrusted):
		s.add(problemSevIndet, CodeChainUntrusted, "issuer", s.SignerCert.Issuer.String())
	case err != nil && !errors.Is(err, trust.ErrExpired):
		s.add(problemSevIndet, CodeChainInvalid, "error", err.Error())
	}
}

// Minimum key sizes; smaller keys are weak.
const (
	minRSABits = 2048
	minECBits  = 256
)

// weakAlgorithms reports SHA-1 (digest, signature or imprint hash) and RSA
// keys under 2048 bits or EC keys under 256 bits. Like EU DSS's
// cryptographic constraints without a proof of existence from before the
// algorithm's end of life (CRYPTO_CONSTRAINTS_FAILURE_NO_POE), they make a
// signature indeterminate: the signature may be genuine, but it could also
// have been forged since.
func weakAlgorithms(si *cms.SignerInfo, cert *x509.Certificate, imprint crypto.Hash) []Problem {
	var out []Problem
	add := func(alg, usage string) {
		out = append(out, mkProblem(problemSevIndet, CodeAlgorithmWeak, "algorithm", alg, "usage", usage))
	}
	if h, err := cms.HashFor(si.DigestAlg.Algorithm); err == nil && h == crypto.SHA1 {
		add("SHA-1", "digest")
	} else if si.SignatureHash() == crypto.SHA1 {
		add("SHA-1", "signature")
	}
	if imprint == crypto.SHA1 {
		add("SHA-1", "document_digest")
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < minRSABits {
			add(fmt.Sprintf("RSA-%d", n), "key")
		}
	case *ecdsa.PublicKey:
		if n := k.Curve.Params().BitSize; n < minECBits {
			add(fmt.Sprintf("ECDSA-%d", n), "key")
		}
	}
	return out
}
