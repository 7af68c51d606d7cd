// Package ocsp reads RFC 6960 OCSP responses as they are embedded in PDF
// signatures (DSS /OCSPs, adbe-revocationInfoArchival, CMS
// otherRevocationInfo) or fetched from a responder. It only decodes: every
// single response is kept with its CertID so that the caller can check
// which certificate and issuer it names, and the signed bytes, signature and
// responder identification are exposed so that the caller can decide who may
// sign it. Nothing here trusts anything.
package ocsp

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	_ "crypto/sha1" // CertID hashes
	_ "crypto/sha256"
	_ "crypto/sha512"
)

const (
	maxResponseSize = 4 << 20
	maxSingles      = 1024
	maxCerts        = 32
)

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	// OIDNoCheck is id-pkix-ocsp-nocheck: a delegated responder certificate
	// whose own revocation need not be checked.
	OIDNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)

// Status is a certificate status.
type Status int

// Certificate statuses.
const (
	Good Status = iota
	Revoked
	Unknown
)

// Single is one SingleResponse.
type Single struct {
	HashAlg    asn1.ObjectIdentifier // CertID hash algorithm
	NameHash   []byte                // hash of the issuer's name
	KeyHash    []byte                // hash of the issuer's public key
	Serial     *big.Int
	Status     Status
	RevokedAt  time.Time
	Reason     int // CRLReason, -1 when absent
	ThisUpdate time.Time
	NextUpdate time.Time // zero when absent
}

// Response is a decoded BasicOCSPResponse.
type Response struct {
	TBS              []byte // DER tbsResponseData: the signed bytes
	SigAlg           pkix.AlgorithmIdentifier
	Signature        []byte
	Certs            []*x509.Certificate
	ResponderName    []byte // DER Name when the responder is identified byName
	ResponderKeyHash []byte // SHA-1 of the responder's public key when byKey
	ProducedAt       time.Time
	Singles          []Single
}

type responseASN1 struct {
	Status asn1.Enumerated
	Bytes  struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	} `asn1:"explicit,tag:0,optional"`
}

type basicASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseDataASN1 struct {
	Version     int `asn1:"explicit,tag:0,default:0,optional"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []asn1.RawValue
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type singleASN1 struct {
	CertID struct {
		HashAlg  pkix.AlgorithmIdentifier
		NameHash []byte
		KeyHash  []byte
		Serial   *big.Int
	}
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type revokedASN1 struct {
	At     time.Time       `asn1:"generalized"`
	Reason asn1.Enumerated `asn1:"explicit,tag:0,optional,default:-1"`
}

// Parse decodes a DER OCSPResponse, or a bare BasicOCSPResponse (as CMS
// otherRevocationInfo with id-pkix-ocsp-basic carries it).
func Parse(b []byte) (r *Response, err error) {
	defer func() {
		if p := recover(); p != nil { // encoding/asn1 should not panic; be safe
			r, err = nil, errf(ErrMalformed, "panic while parsing: %v", p)
		}
	}()
	if len(b) > maxResponseSize {
		return nil, errf(ErrLimit, "response of %d bytes", len(b))
	}
	var resp responseASN1
	if rest, err := asn1.Unmarshal(b, &resp); err == nil && len(rest) == 0 {
		if resp.Status != 0 {
			return nil, errf(ErrNotSuccessful, "status %d", resp.Status)
		}
		if !resp.Bytes.Type.Equal(oidOCSPBasic) {
			return nil, errf(ErrMalformed, "response type %v is not id-pkix-ocsp-basic", resp.Bytes.Type)
		}
		return parseBasic(resp.Bytes.Response)
	}
	return parseBasic(b)
}

func parseBasic(b []byte) (*Response, error) {
	var basic basicASN1
	rest, err := asn1.Unmarshal(b, &basic)
	if err != nil {
		return nil, errf(ErrMalformed, "basic response: %v", err)
	}
	if len(rest) != 0 {
		return nil, errf(ErrMalformed, "trailing data after the response")
	}
	var rd responseDataASN1
	if rest, err := asn1.Unmarshal(basic.TBS.FullBytes, &rd); err != nil || len(rest) != 0 {
		return nil, errf(ErrMalformed, "response data: %v", err)
	}
	if rd.Version != 0 {
		return nil, errf(ErrMalformed, "response version %d", rd.Version)
	}
	if len(rd.Responses) == 0 {
		return nil, errf(ErrMalformed, "no single response")
	}
	if len(rd.Responses) > maxSingles {
		return nil, errf(ErrLimit, "%d single responses", len(rd.Responses))
	}
	if len(basic.Certs) > maxCerts {
		return nil, errf(ErrLimit, "%d certificates", len(basic.Certs))
	}
	r := &Response{TBS: basic.TBS.FullBytes, SigAlg: basic.SigAlg, Signature: basic.Signature.RightAlign(), ProducedAt: rd.ProducedAt}
	if err := r.setResponder(rd.ResponderID); err != nil {
		return nil, err
	}
	for _, raw := range rd.Responses {
		s, err := parseSingle(raw.FullBytes)
		if err != nil {
			return nil, err
		}
		r.Singles = append(r.Singles, s)
	}
	for _, c := range basic.Certs {
		cert, err := x509.ParseCertificate(c.FullBytes)
		if err != nil {
			return nil, errf(ErrMalformed, "responder certificate: %v", err)
		}
		r.Certs = append(r.Certs, cert)
	}
	return r, nil
}

// setResponder reads ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }.
func (r *Response) setResponder(id asn1.RawValue) error {
	if id.Class != asn1.ClassContextSpecific || !id.IsCompound {
		return errf(ErrMalformed, "responder id")
	}
	switch id.Tag {
	case 1:
		var name asn1.RawValue
		if rest, err := asn1.Unmarshal(id.Bytes, &name); err != nil || len(rest) != 0 || name.Tag != asn1.TagSequence {
			return errf(ErrMalformed, "responder name")
		}
		r.ResponderName = name.FullBytes
	case 2:
		var kh []byte
		if rest, err := asn1.Unmarshal(id.Bytes, &kh); err != nil || len(rest) != 0 || len(kh) == 0 {
			return errf(ErrMalformed, "responder key hash")
		}
		r.ResponderKeyHash = kh
	default:
		return errf(ErrMalformed, "responder id tag %d", id.Tag)
	}
	return nil
}

func parseSingle(b []byte) (Single, error) {
	var s singleASN1
	if rest, err := asn1.Unmarshal(b, &s); err != nil || len(rest) != 0 {
		return Single{}, errf(ErrMalformed, "single response: %v", err)
	}
	if s.CertID.Serial == nil {
		return Single{}, errf(ErrMalformed, "single response without serial")
	}
	out := Single{HashAlg: s.CertID.HashAlg.Algorithm, NameHash: s.CertID.NameHash, KeyHash: s.CertID.KeyHash,
		Serial: s.CertID.Serial, Reason: -1, ThisUpdate: s.ThisUpdate, NextUpdate: s.NextUpdate}
	st := s.Status
	if st.Class != asn1.ClassContextSpecific {
		return Single{}, errf(ErrMalformed, "certificate status")
	}
	switch st.Tag {
	case 0:
		if st.IsCompound || len(st.Bytes) != 0 {
			return Single{}, errf(ErrMalformed, "good status with content")
		}
		out.Status = Good
	case 1:
		// revoked [1] IMPLICIT RevokedInfo: re-tag as a SEQUENCE
		seq, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: st.Bytes})
		if err != nil {
			return Single{}, errf(ErrMalformed, "revoked info: %v", err)
		}
		var ri revokedASN1
		if rest, err := asn1.Unmarshal(seq, &ri); err != nil || len(rest) != 0 {
			return Single{}, errf(ErrMalformed, "revoked info: %v", err)
		}
		out.Status, out.RevokedAt, out.Reason = Revoked, ri.At, int(ri.Reason)
	case 2:
		out.Status = Unknown
	default:
		return Single{}, errf(ErrMalformed, "certificate status tag %d", st.Tag)
	}
	return out, nil
}

func hashFor(oid asn1.ObjectIdentifier) crypto.Hash {
	switch oid.String() {
	case "1.3.14.3.2.26":
		return crypto.SHA1
	case "2.16.840.1.101.3.4.2.1":
		return crypto.SHA256
	case "2.16.840.1.101.3.4.2.2":
		return crypto.SHA384
	case "2.16.840.1.101.3.4.2.3":
		return crypto.SHA512
	}
	return 0
}

// keyBits returns the subjectPublicKey BIT STRING content of a certificate.
func keyBits(c *x509.Certificate) []byte {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	return spki.PublicKey.RightAlign()
}

func sum(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}

// Names reports whether the single response's CertID names cert as issued
// by issuer: same serial, issuer name hash over cert's issuer name and
// issuer key hash over issuer's public key.
func (s *Single) Names(cert, issuer *x509.Certificate) bool {
	if s.Serial.Cmp(cert.SerialNumber) != 0 {
		return false
	}
	h := hashFor(s.HashAlg)
	if h == 0 || !h.Available() {
		return false
	}
	kb := keyBits(issuer)
	return kb != nil && bytes.Equal(sum(h, cert.RawIssuer), s.NameHash) && bytes.Equal(sum(h, kb), s.KeyHash)
}

// IdentifiesResponder reports whether the response's ResponderID names c.
func (r *Response) IdentifiesResponder(c *x509.Certificate) bool {
	if r.ResponderName != nil {
		return bytes.Equal(r.ResponderName, c.RawSubject)
	}
	kb := keyBits(c)
	return kb != nil && bytes.Equal(sum(crypto.SHA1, kb), r.ResponderKeyHash)
}
