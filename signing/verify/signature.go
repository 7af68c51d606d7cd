package verify

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"strconv"

	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/verify/internal/cms"
)

var (
	oidEKUDocSigning   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}
	oidEKUAdobeAuthDoc = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 5}
	oidEKUMSDocSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 12}
)

func (v *verifier) checkCMS(s *Signature, sd pdf.Dict, br []int64, contents []byte) {
	switch s.SubFilter {
	case "adbe.pkcs7.detached", "ETSI.CAdES.detached", "ETSI.RFC3161", "adbe.pkcs7.sha1", "":
	default:
		s.add(problemSevIndet, CodeSubFilterUnsupported, "sub_filter", s.SubFilter)
		return
	}
	p7, err := cms.Parse(contents)
	if err != nil {
		s.add(problemSevFail, CodeCMSMalformed, "error", err.Error())
		return
	}
	if len(p7.Signers) != 1 {
		s.add(problemSevFail, CodeCMSSigners, "count", strconv.Itoa(len(p7.Signers)))
		return
	}
	si := &p7.Signers[0]
	cert := si.FindCert(p7.Certs)
	if cert != nil {
		s.SignerCert = cert
		s.Signer = signerName(cert)
	}
	dh, err := cms.HashFor(si.DigestAlg.Algorithm)
	if err != nil {
		s.add(problemSevIndet, CodeAlgorithmUnsupported, "error", err.Error())
		return
	}
	isTS := p7.EContentType.Equal(cms.OIDTSTInfo)
	if s.Kind == KindDocTimestamp && !isTS {
		s.add(problemSevFail, CodeCMSMalformed, "error", "document timestamp without TSTInfo")
		return
	}
	signedDigest, imprint, ok := v.contentDigest(s, p7, dh, isTS, br)
	if !ok {
		return
	}
	// Without signed attributes, or with the pkcs7.sha1 and time-stamp
	// forms, what the signature covers is the content digest itself.
	plain := si.SignedAttrsDER == nil && !isTS && s.SubFilter != "adbe.pkcs7.sha1"
	mdBad := checkSignedAttrs(s, si, signedDigest, isTS)
	if cert == nil {
		s.add(problemSevIndet, CodeSignerCertMissing, "unparsed", strconv.Itoa(p7.BadCerts))
	} else {
		checkSignerSignature(s, si, cert, signedDigest, mdBad, plain)
	}
	s.Intact = s.DigestOK
	if !s.DigestOK {
		s.add(problemSevFail, CodeDigestMismatch)
	}
	if s.Timestamp != nil {
		s.Timestamp.Valid = s.Intact && s.SignatureOK
	}
	// signature timestamp: verified here, trusted (or not) in checkTimes
	if tok, n := cms.Attr(si.UnsignedAttrs, cms.OIDTimeStampToken); n > 0 && s.Kind == KindSignature {
		s.Timestamp, s.tok = v.parseTimestampToken(tok.FullBytes, si.Signature)
		if !s.Timestamp.Valid {
			s.add(problemSevFail, CodeTimestampInvalid)
		}
	}
	if s.Kind == KindDocTimestamp && s.Timestamp != nil {
		s.SigningTime, s.SigningTimeSource = s.Timestamp.Time, TimeFromTimestamp
	}
	if cert == nil {
		return
	}
	if _, err := si.CheckSigningCertificate(cert); err != nil {
		if errors.Is(err, cms.ErrBadSignature) {
			s.add(problemSevFail, CodeSigningCertRef)
		} else {
			s.add(problemSevIndet, CodeSigningCertRef, "error", err.Error())
		}
	}
	s.Problems = append(s.Problems, weakAlgorithms(si, cert, imprint)...)
	s.p7, s.si = p7, si
	s.Level = cmsLevel(s, si)
}

// contentDigest hashes the signed byte ranges and compares them with what
// the CMS claims for them (a time-stamp's imprint, the pkcs7.sha1 form's
// embedded digest, or — detached — the messageDigest checked later); it
// returns the digest of the content the signer signed and, when the
// document digest is not the CMS digest algorithm, the imprint's hash.
// ok is false when a problem ended the check.
func (v *verifier) contentDigest(s *Signature, p7 *cms.SignedData, dh crypto.Hash, isTS bool, br []int64) (signedDigest []byte, imprint crypto.Hash, ok bool) {
	eContentDigest := func() []byte {
		hh := dh.New()
		hh.Write(p7.EContent)
		return hh.Sum(nil)
	}
	switch {
	case isTS:
		tst, err := cms.ParseTSTInfo(p7.EContent)
		if err != nil {
			s.add(problemSevFail, CodeCMSMalformed, "error", err.Error())
			return nil, 0, false
		}
		ih, err := cms.HashFor(tst.HashAlg.Algorithm)
		if err != nil {
			s.add(problemSevIndet, CodeAlgorithmUnsupported, "error", err.Error())
			return nil, 0, false
		}
		d, err := v.hashRanges(br, ih)
		if err != nil {
			s.add(problemSevFail, CodeCMSMalformed, "error", err.Error())
			return nil, 0, false
		}
		s.DigestOK = bytes.Equal(d, tst.HashedMessage)
		s.ClaimedTime = tst.GenTime
		if s.Kind == KindDocTimestamp {
			s.Timestamp = &Timestamp{Time: tst.GenTime, TSA: s.Signer}
		}
		return eContentDigest(), ih, true
	case p7.EContent != nil && s.SubFilter == "adbe.pkcs7.sha1":
		d, err := v.hashRanges(br, crypto.SHA1)
		if err != nil {
			s.add(problemSevFail, CodeCMSMalformed, "error", err.Error())
			return nil, 0, false
		}
		s.DigestOK = bytes.Equal(d, p7.EContent)
		return eContentDigest(), crypto.SHA1, true
	}
	d, err := v.hashRanges(br, dh)
	if err != nil {
		s.add(problemSevFail, CodeCMSMalformed, "error", err.Error())
		return nil, 0, false
	}
	if p7.EContent != nil {
		// the signer signed embedded data, not this document
		s.DigestOK = false
		return eContentDigest(), 0, true
	}
	s.DigestOK = true // refined with the messageDigest attribute
	return d, 0, true
}

// checkSignedAttrs checks the messageDigest attribute against the signed
// content's digest and takes the claimed signing time; it reports whether
// the signed attributes fail to cover an encapsulated content (then the
// signature cannot be OK).
func checkSignedAttrs(s *Signature, si *cms.SignerInfo, signedDigest []byte, isTS bool) (mdBad bool) {
	if si.SignedAttrsDER == nil {
		if s.SubFilter == "ETSI.CAdES.detached" {
			s.add(problemSevFail, CodeSignedAttrsMissing)
		}
		return false
	}
	if _, n := cms.Attr(si.SignedAttrs, cms.OIDMessageDigest); n > 1 {
		s.add(problemSevFail, CodeCMSMalformed, "error", "duplicated message digest")
		s.DigestOK = false
	}
	if err := si.CheckMessageDigest(signedDigest); err != nil {
		if !isTS && s.SubFilter != "adbe.pkcs7.sha1" {
			s.DigestOK = false
		} else {
			// the signed attributes do not cover the encapsulated content
			mdBad = true
			s.add(problemSevFail, CodeSignatureInvalid, "error", err.Error())
		}
	}
	if t, ok := si.SigningTime(); ok && s.Kind == KindSignature {
		s.ClaimedTime = t
	}
	return mdBad
}

// checkSignerSignature verifies the signer's signature value with cert.
// With plain (no signed attributes) the signature is over the document
// digest itself, so its result is also the digest's.
func checkSignerSignature(s *Signature, si *cms.SignerInfo, cert *x509.Certificate, signedDigest []byte, mdBad, plain bool) {
	err := si.VerifySignature(cert, signedDigest)
	switch {
	case err == nil:
		s.SignatureOK = !mdBad
		if plain {
			s.DigestOK = true
		}
	case errors.Is(err, cms.ErrUnsupportedAlgorithm):
		s.add(problemSevIndet, CodeAlgorithmUnsupported, "error", err.Error())
	default:
		if plain {
			s.DigestOK = false // cannot tell digest from signature failure
		}
		s.add(problemSevFail, CodeSignatureInvalid, "error", err.Error())
	}
}

// cmsLevel is the PAdES level the CMS structure reaches (revocation data
// and archive time-stamps raise it later).
func cmsLevel(s *Signature, si *cms.SignerInfo) Level {
	switch {
	case s.Kind == KindDocTimestamp:
		return LevelDocTS
	case s.SubFilter == "ETSI.CAdES.detached":
		_, v2 := cms.Attr(si.SignedAttrs, cms.OIDSigningCertV2)
		_, v1 := cms.Attr(si.SignedAttrs, cms.OIDSigningCertificate)
		if v2 == 0 && v1 == 0 {
			return LevelCMS
		}
		if s.Timestamp != nil && s.Timestamp.Valid {
			return LevelBT
		}
		return LevelBB
	}
	return LevelCMS
}

func hasEKU(c *x509.Certificate, u x509.ExtKeyUsage) bool {
	for _, x := range c.ExtKeyUsage {
		if x == u {
			return true
		}
	}
	return false
}

func signingUsageOK(c *x509.Certificate) bool {
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return false
	}
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageAny, x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageCodeSigning:
			return true
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.Equal(oidEKUDocSigning) || u.Equal(oidEKUAdobeAuthDoc) || u.Equal(oidEKUMSDocSigning) {
			return true
		}
	}
	return false
}

// crossChecks runs the checks that need all signatures: changes after each
// signature, DocMDP, and levels reached through later DSS/doc timestamps.
func (v *verifier) crossChecks() {
	sigs := v.res.Signatures
	// certification (DocMDP) permissions
	p := perms(0)
	certRev := -1
	if root := v.final.Root(); root != nil {
		if pd := v.final.Dict(root.Get("Perms")); pd != nil {
			if x := pd.Get("DocMDP"); x != nil {
				sd := v.final.Dict(x)
				p = docMDPValue(v.final, sd)
				for i := range sigs {
					fsd := v.final.Dict(v.sigObj(i))
					if fsd != nil && sameDict(fsd, sd) {
						sigs[i].Certifying = true
						sigs[i].DocMDP = int(p)
						certRev = sigs[i].Revision
					}
				}
			}
		}
	}
	// signatures whose own dict has a DocMDP reference count as certifying too
	for i := range sigs {
		if sigs[i].Certifying {
			continue
		}
		sd := v.final.Dict(v.sigObj(i))
		if q := docMDPValue(v.final, sd); q != 0 && sigRefHasDocMDP(v.final, sd) {
			sigs[i].Certifying, sigs[i].DocMDP = true, int(q)
			if p == 0 || q < p {
				p, certRev = q, sigs[i].Revision
			}
		}
	}
	plans := map[int]*visualPlan{}
	for i := range sigs {
		s := &sigs[i]
		// bytes a viewer reads beside the signed ones (a signature that
		// covers no whole revision, a gap wider than /Contents) are a
		// change nobody signed
		outside := []Change{{Revision: len(v.revs) - 1, End: v.size, Class: ModDisallowed,
			Problems: []Problem{mkProblem(problemSevFail, CodeModified, "kind", ChangeUnsignedBytes)}}}
		if !s.CoversRevision || s.Revision < 0 {
			s.ModifiedAfter, s.Changes = ModDisallowed, outside
			continue
		}
		if err := v.ctx.Err(); err != nil {
			return
		}
		// permissions apply from the certification onwards
		pp := perms(0)
		if certRev >= 0 && s.Revision >= certRev {
			pp = p
		}
		plans[i] = v.checkChanges(s, pp)
		if !s.ByteRangeOK {
			s.ModifiedAfter, s.Changes = ModDisallowed, append(s.Changes, outside...)
		}
	}
	v.plans = plans
	// levels reached through later revisions
	for i := range sigs {
		s := &sigs[i]
		if s.Kind != KindSignature || s.Level == LevelNone || s.Level == LevelCMS || s.Revision < 0 {
			continue
		}
		var docTS []*Signature
		for j := range sigs {
			t := &sigs[j]
			if t.Kind == KindDocTimestamp && t.Revision > s.Revision && t.Intact && t.SignatureOK {
				docTS = append(docTS, t)
				s.DocTimestamps = append(s.DocTimestamps, t.Field)
			}
		}
		if s.Level == LevelBB && len(docTS) > 0 {
			s.Level = LevelBT
		}
		if s.Level == LevelBT && v.dss.hasRevocation() {
			s.Level = LevelBLT
			for _, t := range docTS {
				if v.dssRevBefore(t.Revision) {
					s.Level = LevelBLTA
				}
			}
		}
	}
}

func rank(m Modification) int {
	switch m {
	case ModAllowed:
		return 1
	case ModDisallowed:
		return 2
	}
	return 0
}

func sameDict(a, b pdf.Dict) bool {
	var x, y bytes.Buffer
	pdf.Canonical(&x, a, 0)
	pdf.Canonical(&y, b, 0)
	return bytes.Equal(x.Bytes(), y.Bytes())
}

// sigObj returns the /V object of signature i.
func (v *verifier) sigObj(i int) pdf.Object {
	return v.res.Signatures[i].vobj
}

func sigRefHasDocMDP(v *pdf.View, sd pdf.Dict) bool {
	for _, r := range v.Array(sd.Get("Reference")) {
		rd := v.Dict(r)
		if rd != nil && rd.Name("TransformMethod") == "DocMDP" {
			return true
		}
	}
	return false
}

// docMDPValue returns the P of the DocMDP transform of sd (2 when absent).
func docMDPValue(v *pdf.View, sd pdf.Dict) perms {
	if sd == nil {
		return 0
	}
	for _, r := range v.Array(sd.Get("Reference")) {
		rd := v.Dict(r)
		if rd == nil || rd.Name("TransformMethod") != "DocMDP" {
			continue
		}
		tp := v.Dict(rd.Get("TransformParams"))
		if x, ok := tp.Int("P"); ok && x >= 1 && x <= 3 {
			return perms(x)
		}
		return 2
	}
	return 2
}

// sigStatus derives the verdict from the problems.
func sigStatus(s *Signature) Status {
	st := StatusValid
	for _, p := range s.Problems {
		switch p.Severity {
		case problemSevFail:
			return StatusInvalid
		case problemSevIndet:
			st = StatusIndeterminate
		}
	}
	if !s.Intact || !s.SignatureOK || !s.CoversRevision {
		if st == StatusValid {
			return StatusIndeterminate
		}
	}
	if !s.Trusted && st == StatusValid {
		st = StatusIndeterminate
	}
	return st
}

// fieldLocks returns the FieldMDP lock of a signature: action (All,
// Include, Exclude) and field names.
func fieldLocks(v *pdf.View, sd pdf.Dict) (string, map[string]bool) {
	for _, r := range v.Array(sd.Get("Reference")) {
		rd := v.Dict(r)
		if rd == nil || rd.Name("TransformMethod") != "FieldMDP" {
			continue
		}
		tp := v.Dict(rd.Get("TransformParams"))
		names := map[string]bool{}
		for _, f := range v.Array(tp.Get("Fields")) {
			if s, ok := mustResolve(v, f).(pdf.String); ok {
				names[textString(s)] = true
			}
		}
		return tp.Name("Action"), names
	}
	return "", nil
}
