package testpki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"
)

// Minimal RFC 6960 responder encoding, written here (instead of using
// ocsp.CreateResponse) so that producedAt follows the PKI clock, the nonce
// is echoed in responseExtensions and every CertID of a request is answered.

var (
	oidOCSPBasic          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce          = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidSHA256WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	errUnauthorizedIssuer = errors.New("testpki: issuer not served by this responder")
)

// OCSP response status codes (RFC 6960 4.2.1).
const (
	ocspSuccessful       = 0
	ocspMalformedRequest = 1
	ocspInternalError    = 2
	ocspUnauthorized     = 6
)

type ocspCertID struct {
	HashAlgorithm  pkix.AlgorithmIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

type ocspSingleRequest struct {
	CertID     ocspCertID
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:0"`
}

type ocspTBSRequest struct {
	Version       int           `asn1:"optional,explicit,tag:0,default:0"`
	RequestorName asn1.RawValue `asn1:"optional,explicit,tag:1"`
	RequestList   []ocspSingleRequest
	Extensions    []pkix.Extension `asn1:"optional,explicit,tag:2"`
}

type ocspRequestDER struct {
	TBSRequest ocspTBSRequest
	Signature  asn1.RawValue `asn1:"optional"`
}

type ocspRevokedInfo struct {
	RevocationTime time.Time       `asn1:"generalized"`
	Reason         asn1.Enumerated `asn1:"optional,explicit,tag:0"`
}

type ocspSingleResponse struct {
	CertID     ocspCertID
	CertStatus asn1.RawValue
	ThisUpdate time.Time `asn1:"generalized"`
	NextUpdate time.Time `asn1:"generalized,explicit,tag:0,optional"`
}

type ocspResponseData struct {
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []ocspSingleResponse
	Extensions  []pkix.Extension `asn1:"optional,explicit,tag:1"`
}

type ocspBasicResponse struct {
	TBSResponseData    asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certs              []asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type ocspResponseBytes struct {
	ResponseType asn1.ObjectIdentifier
	Response     []byte
}

type ocspResponseDER struct {
	Status        asn1.Enumerated
	ResponseBytes ocspResponseBytes `asn1:"optional,explicit,tag:0"`
}

func ocspError(status int) []byte {
	b, _ := asn1.Marshal(ocspResponseDER{Status: asn1.Enumerated(status)})
	return b
}

func hashFromOID(oid asn1.ObjectIdentifier) crypto.Hash {
	for h, o := range hashOIDs {
		if o.Equal(oid) {
			return h
		}
	}
	return 0
}

// certIDMatches reports whether id names issuer.
func certIDMatches(id ocspCertID, issuer *x509.Certificate) bool {
	h := hashFromOID(id.HashAlgorithm.Algorithm)
	if h == 0 || !h.Available() {
		return false
	}
	hn := h.New()
	hn.Write(issuer.RawSubject)
	return bytes.Equal(keyHash(h, issuer), id.IssuerKeyHash) && bytes.Equal(hn.Sum(nil), id.IssuerNameHash)
}

// status of one CertID; responder is nil when neither CA matches.
func (p *PKI) ocspStatus(id ocspCertID) (responder *Identity, status asn1.RawValue, err error) {
	sn := id.SerialNumber.String()
	var rv revocation
	var revoked, known bool
	p.mu.Lock()
	switch {
	case certIDMatches(id, p.Intermediate.Cert):
		responder = p.OCSPSigner
		rv, revoked = p.revokedCA[sn]
		_, known = p.issued[sn]
	case certIDMatches(id, p.Root.Cert):
		// The root answers for the intermediate itself.
		responder = p.Root
		rv, revoked = p.revokedRoot[sn]
		known = id.SerialNumber.Cmp(p.Intermediate.Cert.SerialNumber) == 0
	}
	p.mu.Unlock()
	switch {
	case responder == nil:
		return nil, status, errUnauthorizedIssuer
	case revoked:
		st, err := revokedStatus(rv.at, rv.reason)
		return responder, st, err
	case known:
		return responder, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0}, nil // good [0] IMPLICIT NULL
	default:
		return responder, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2}, nil // unknown [2] IMPLICIT NULL
	}
}

// revokedStatus encodes CertStatus revoked [1] IMPLICIT RevokedInfo.
func revokedStatus(at time.Time, reason int) (asn1.RawValue, error) {
	der, err := asn1.Marshal(ocspRevokedInfo{RevocationTime: at.UTC(), Reason: asn1.Enumerated(reason)})
	if err != nil {
		return asn1.RawValue{}, err
	}
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: seq.Bytes}, nil
}

func signatureAlgorithm(pub crypto.PublicKey) (pkix.AlgorithmIdentifier, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, nil
	case *ecdsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, nil
	}
	return pkix.AlgorithmIdentifier{}, errors.New("testpki: unsupported signer key")
}

// OCSPResponse answers a DER OCSP request with a DER OCSP response, as the
// HTTP responder does. Exported for tests that want to bypass HTTP.
func (p *PKI) OCSPResponse(reqDER []byte) []byte {
	var req ocspRequestDER
	rest, err := asn1.Unmarshal(reqDER, &req)
	if err != nil || len(rest) > 0 || len(req.TBSRequest.RequestList) == 0 {
		return ocspError(ocspMalformedRequest)
	}
	now := p.now().UTC()
	var responder *Identity
	var responses []ocspSingleResponse
	for _, r := range req.TBSRequest.RequestList {
		if r.CertID.SerialNumber == nil {
			return ocspError(ocspMalformedRequest)
		}
		rsp, status, err := p.ocspStatus(r.CertID)
		if err != nil {
			return ocspError(ocspUnauthorized)
		}
		if responder != nil && responder != rsp {
			// One response has one signer: mixing CAs is not supported.
			return ocspError(ocspUnauthorized)
		}
		responder = rsp
		responses = append(responses, ocspSingleResponse{
			CertID:     r.CertID,
			CertStatus: status,
			ThisUpdate: now,
			NextUpdate: now.Add(24 * time.Hour),
		})
	}
	var exts []pkix.Extension
	for _, e := range req.TBSRequest.Extensions {
		if e.Id.Equal(oidOCSPNonce) {
			exts = append(exts, pkix.Extension{Id: oidOCSPNonce, Value: e.Value})
		}
	}
	var certs []*x509.Certificate
	if responder != p.Root {
		// Delegated responder: include its certificate (RFC 6960 4.2.2.2).
		certs = []*x509.Certificate{responder.Cert}
	}
	out, err := signOCSP(responder, certs, now, responses, exts, false)
	if err != nil {
		return ocspError(ocspInternalError)
	}
	return out
}

// signOCSP encodes and signs a successful basic OCSP response.
func signOCSP(responder *Identity, certs []*x509.Certificate, producedAt time.Time, responses []ocspSingleResponse,
	exts []pkix.Extension, byKey bool) ([]byte, error) {
	rid := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: responder.Cert.RawSubject} // byName
	if byKey {
		kh, err := asn1.Marshal(keyHash(crypto.SHA1, responder.Cert))
		if err != nil {
			return nil, err
		}
		rid = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, IsCompound: true, Bytes: kh}
	}
	tbs, err := asn1.Marshal(ocspResponseData{
		ResponderID: rid,
		ProducedAt:  producedAt.UTC(),
		Responses:   responses,
		Extensions:  exts,
	})
	if err != nil {
		return nil, err
	}
	sigAlg, err := signatureAlgorithm(responder.Key.Public())
	if err != nil {
		return nil, err
	}
	h := crypto.SHA256.New()
	h.Write(tbs)
	sig, err := responder.Key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
	if err != nil {
		return nil, err
	}
	basic := ocspBasicResponse{
		TBSResponseData:    asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: sigAlg,
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	}
	for _, c := range certs {
		basic.Certs = append(basic.Certs, asn1.RawValue{FullBytes: c.Raw})
	}
	basicDER, err := asn1.Marshal(basic)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(ocspResponseDER{
		Status:        ocspSuccessful,
		ResponseBytes: ocspResponseBytes{ResponseType: oidOCSPBasic, Response: basicDER},
	})
}

// keyHash hashes the subjectPublicKey bits of c (CertID, ResponderID byKey).
func keyHash(h crypto.Hash, c *x509.Certificate) []byte {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	hh := h.New()
	hh.Write(spki.PublicKey.RightAlign())
	return hh.Sum(nil)
}
