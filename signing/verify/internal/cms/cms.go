// Package cms parses CMS SignedData (RFC 5652) as used in PDF signatures and
// RFC 3161 timestamp tokens, and verifies signer signatures against a digest
// the caller computed (the signed content is never held in memory here).
package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	_ "crypto/sha1" // register hashes
	_ "crypto/sha256"
	_ "crypto/sha3"
	_ "crypto/sha512"
)

// Object identifiers used here.
var (
	OIDSignedData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDData                = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDTSTInfo             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDContentType         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDMessageDigest       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDSigningTime         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDSigningCertificate  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDSigningCertV2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDTimeStampToken      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	OIDSigPolicyID         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 15}
	OIDAdbeRevocationInfo  = asn1.ObjectIdentifier{1, 2, 840, 113583, 1, 1, 8}
	OIDOCSPBasic           = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidRSAEncryption       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEd25519             = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidPlainECDSAPrefix    = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1}
	oidSHA3SigPrefix       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3}
	oidRSASigPrefix        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1}
	maxCMSSize             = 16 << 20
	maxCerts               = 256
	maxSigners             = 16
	maxAttributes          = 256
	maxAttributeValuesEach = 64
)

// Attribute is one CMS attribute with its raw values.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue
}

// SignerInfo is one signer.
type SignerInfo struct {
	IssuerRaw      []byte
	Serial         *big.Int
	SKI            []byte
	DigestAlg      pkix.AlgorithmIdentifier
	SignedAttrs    []Attribute
	SignedAttrsDER []byte // re-tagged as SET OF for signature verification; nil when absent
	SigAlg         pkix.AlgorithmIdentifier
	Signature      []byte
	UnsignedAttrs  []Attribute
}

// SignedData is a parsed CMS SignedData.
type SignedData struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte // nil when detached
	Certs        []*x509.Certificate
	BadCerts     int
	CRLs         [][]byte
	OtherRevoc   [][]byte // otherRevocationInfo (e.g. OCSP) raw values
	Signers      []SignerInfo
}

type algID = pkix.AlgorithmIdentifier

// Parse parses a DER (or BER) ContentInfo holding SignedData; trailing bytes
// (zero padding) are ignored.
func Parse(b []byte) (sd *SignedData, err error) {
	defer func() {
		if r := recover(); r != nil { // encoding/asn1 should not panic; be safe
			sd, err = nil, errf(ErrMalformed, "panic while parsing CMS: %v", r)
		}
	}()
	if len(b) > maxCMSSize {
		return nil, errf(ErrLimit, "CMS of %d bytes", len(b))
	}
	b = trimPadding(b)
	var ci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue
	}
	if _, err := asn1.Unmarshal(b, &ci); err != nil {
		d, err2 := berToDER(b)
		if err2 != nil {
			return nil, errf(ErrMalformed, "content info: %v", err)
		}
		if _, err := asn1.Unmarshal(d, &ci); err != nil {
			return nil, errf(ErrMalformed, "content info: %v", err)
		}
	}
	if !ci.Type.Equal(OIDSignedData) {
		return nil, errf(ErrMalformed, "content type %v is not signed-data", ci.Type)
	}
	if ci.Content.Class != asn1.ClassContextSpecific || ci.Content.Tag != 0 {
		return nil, errf(ErrMalformed, "content info without [0] content")
	}
	return parseSignedData(ci.Content.Bytes)
}

func trimPadding(b []byte) []byte {
	// leave as is; asn1 ignores trailing data via rest
	return b
}

func parseSignedData(b []byte) (*SignedData, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(b, &seq); err != nil || seq.Tag != asn1.TagSequence {
		return nil, errf(ErrMalformed, "signed data is not a sequence")
	}
	items, err := children(seq.Bytes)
	if err != nil {
		return nil, err
	}
	if len(items) < 4 {
		return nil, errf(ErrMalformed, "signed data too short")
	}
	sd := &SignedData{}
	// items[0] version, items[1] digestAlgorithms, items[2] encapContentInfo
	var eci struct {
		Type    asn1.ObjectIdentifier
		Content asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(items[2].FullBytes, &eci); err != nil {
		return nil, errf(ErrMalformed, "encapsulated content info: %v", err)
	}
	sd.EContentType = eci.Type
	if len(eci.Content.FullBytes) > 0 {
		if eci.Content.Class != asn1.ClassContextSpecific || eci.Content.Tag != 0 {
			return nil, errf(ErrMalformed, "bad encapsulated content")
		}
		var inner asn1.RawValue
		if _, err := asn1.Unmarshal(eci.Content.Bytes, &inner); err != nil {
			return nil, errf(ErrMalformed, "encapsulated content: %v", err)
		}
		sd.EContent, err = octets(inner)
		if err != nil {
			return nil, err
		}
	}
	rest := items[3:]
	var signerSet asn1.RawValue
	for _, it := range rest {
		switch {
		case it.Class == asn1.ClassContextSpecific && it.Tag == 0:
			cs, err := children(it.Bytes)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if len(sd.Certs) >= maxCerts {
					break
				}
				if c.Class != asn1.ClassUniversal || c.Tag != asn1.TagSequence {
					continue // attribute certificates etc.
				}
				cert, err := x509.ParseCertificate(c.FullBytes)
				if err != nil {
					sd.BadCerts++
					continue
				}
				sd.Certs = append(sd.Certs, cert)
			}
		case it.Class == asn1.ClassContextSpecific && it.Tag == 1:
			cs, err := children(it.Bytes)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if c.Class == asn1.ClassUniversal && c.Tag == asn1.TagSequence {
					sd.CRLs = append(sd.CRLs, c.FullBytes)
				} else if c.Class == asn1.ClassContextSpecific && c.Tag == 1 {
					// OtherRevocationInfoFormat ::= SEQUENCE { format OID, info ANY }
					var other struct {
						Format asn1.ObjectIdentifier
						Info   asn1.RawValue
					}
					if _, err := asn1.UnmarshalWithParams(c.FullBytes, &other, "tag:1"); err == nil {
						sd.OtherRevoc = append(sd.OtherRevoc, other.Info.FullBytes)
					}
				}
			}
		case it.Class == asn1.ClassUniversal && it.Tag == asn1.TagSet:
			signerSet = it
		}
	}
	if signerSet.FullBytes == nil {
		return nil, errf(ErrMalformed, "no signer infos")
	}
	sis, err := children(signerSet.Bytes)
	if err != nil {
		return nil, err
	}
	if len(sis) > maxSigners {
		return nil, errf(ErrLimit, "%d signer infos", len(sis))
	}
	for _, s := range sis {
		si, err := parseSignerInfo(s)
		if err != nil {
			return nil, err
		}
		sd.Signers = append(sd.Signers, *si)
	}
	return sd, nil
}

func parseSignerInfo(s asn1.RawValue) (*SignerInfo, error) {
	items, err := children(s.Bytes)
	if err != nil {
		return nil, err
	}
	if len(items) < 5 {
		return nil, errf(ErrMalformed, "signer info too short")
	}
	si := &SignerInfo{}
	sid := items[1]
	if sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 {
		si.SKI = sid.Bytes
	} else {
		var ias struct {
			Issuer asn1.RawValue
			Serial *big.Int
		}
		if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
			return nil, errf(ErrMalformed, "signer identifier: %v", err)
		}
		si.IssuerRaw = ias.Issuer.FullBytes
		si.Serial = ias.Serial
	}
	if _, err := asn1.Unmarshal(items[2].FullBytes, &si.DigestAlg); err != nil {
		return nil, errf(ErrMalformed, "digest algorithm: %v", err)
	}
	i := 3
	if items[i].Class == asn1.ClassContextSpecific && items[i].Tag == 0 {
		si.SignedAttrs, err = parseAttributes(items[i].Bytes)
		if err != nil {
			return nil, err
		}
		der := append([]byte{}, items[i].FullBytes...)
		der[0] = 0x31 // [0] IMPLICIT → SET OF
		si.SignedAttrsDER = der
		i++
	}
	if i+1 >= len(items) {
		return nil, errf(ErrMalformed, "signer info too short")
	}
	if _, err := asn1.Unmarshal(items[i].FullBytes, &si.SigAlg); err != nil {
		return nil, errf(ErrMalformed, "signature algorithm: %v", err)
	}
	si.Signature, err = octets(items[i+1])
	if err != nil {
		return nil, err
	}
	if i+2 < len(items) && items[i+2].Class == asn1.ClassContextSpecific && items[i+2].Tag == 1 {
		si.UnsignedAttrs, err = parseAttributes(items[i+2].Bytes)
		if err != nil {
			return nil, err
		}
	}
	return si, nil
}

func parseAttributes(b []byte) ([]Attribute, error) {
	cs, err := children(b)
	if err != nil {
		return nil, err
	}
	if len(cs) > maxAttributes {
		return nil, errf(ErrLimit, "%d attributes", len(cs))
	}
	var out []Attribute
	for _, c := range cs {
		var a struct {
			Type   asn1.ObjectIdentifier
			Values asn1.RawValue
		}
		if _, err := asn1.Unmarshal(c.FullBytes, &a); err != nil {
			return nil, errf(ErrMalformed, "attribute: %v", err)
		}
		vals, err := children(a.Values.Bytes)
		if err != nil {
			return nil, err
		}
		if len(vals) > maxAttributeValuesEach {
			return nil, errf(ErrLimit, "%d attribute values", len(vals))
		}
		out = append(out, Attribute{Type: a.Type, Values: vals})
	}
	return out, nil
}

// children splits the content of a constructed value into its elements.
func children(b []byte) ([]asn1.RawValue, error) {
	var out []asn1.RawValue
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return nil, errf(ErrMalformed, "asn.1: %v", err)
		}
		out = append(out, v)
		b = rest
	}
	return out, nil
}

// octets returns the content of an OCTET STRING, merging constructed forms.
func octets(v asn1.RawValue) ([]byte, error) {
	if !v.IsCompound {
		return v.Bytes, nil
	}
	cs, err := children(v.Bytes)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, c := range cs {
		b, err := octets(c)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// Attr returns the first value of the attribute with the given type.
func Attr(attrs []Attribute, oid asn1.ObjectIdentifier) (asn1.RawValue, int) {
	n := 0
	var first asn1.RawValue
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			if n == 0 && len(a.Values) > 0 {
				first = a.Values[0]
			}
			n++
		}
	}
	return first, n
}

// SigningTime returns the claimed signing time attribute, if any.
func (si *SignerInfo) SigningTime() (time.Time, bool) {
	v, n := Attr(si.SignedAttrs, OIDSigningTime)
	if n == 0 {
		return time.Time{}, false
	}
	var t time.Time
	if _, err := asn1.Unmarshal(v.FullBytes, &t); err != nil {
		return time.Time{}, false
	}
	return t, true
}

// FindCert returns the certificate of the signer among certs.
func (si *SignerInfo) FindCert(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if si.SKI != nil {
			if bytes.Equal(c.SubjectKeyId, si.SKI) {
				return c
			}
			continue
		}
		if si.Serial != nil && c.SerialNumber.Cmp(si.Serial) == 0 && bytes.Equal(c.RawIssuer, si.IssuerRaw) {
			return c
		}
	}
	// lenient: issuer encoded differently but same serial
	for _, c := range certs {
		if si.Serial != nil && c.SerialNumber.Cmp(si.Serial) == 0 {
			return c
		}
	}
	return nil
}

// HashFor maps a digest algorithm identifier to a hash.
func HashFor(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch oid.String() {
	case "1.3.14.3.2.26":
		return crypto.SHA1, nil
	case "2.16.840.1.101.3.4.2.4":
		return crypto.SHA224, nil
	case "2.16.840.1.101.3.4.2.1":
		return crypto.SHA256, nil
	case "2.16.840.1.101.3.4.2.2":
		return crypto.SHA384, nil
	case "2.16.840.1.101.3.4.2.3":
		return crypto.SHA512, nil
	case "2.16.840.1.101.3.4.2.7":
		return crypto.SHA3_224, nil
	case "2.16.840.1.101.3.4.2.8":
		return crypto.SHA3_256, nil
	case "2.16.840.1.101.3.4.2.9":
		return crypto.SHA3_384, nil
	case "2.16.840.1.101.3.4.2.10":
		return crypto.SHA3_512, nil
	// signature algorithm OIDs sometimes (wrongly) used as digest algorithm
	case "1.2.840.113549.1.1.5":
		return crypto.SHA1, nil
	case "1.2.840.113549.1.1.11":
		return crypto.SHA256, nil
	case "1.2.840.113549.1.1.12":
		return crypto.SHA384, nil
	case "1.2.840.113549.1.1.13":
		return crypto.SHA512, nil
	}
	return 0, errf(ErrUnsupportedAlgorithm, "digest algorithm %v", oid)
}

// sigHash returns the hash implied by a signature algorithm, or 0.
func sigHash(oid asn1.ObjectIdentifier) crypto.Hash {
	switch oid.String() {
	case "1.2.840.113549.1.1.5", "1.2.840.10045.4.1", "0.4.0.127.0.7.1.1.4.1.1":
		return crypto.SHA1
	case "1.2.840.113549.1.1.14", "1.2.840.10045.4.3.1", "0.4.0.127.0.7.1.1.4.1.2":
		return crypto.SHA224
	case "1.2.840.113549.1.1.11", "1.2.840.10045.4.3.2", "0.4.0.127.0.7.1.1.4.1.3":
		return crypto.SHA256
	case "1.2.840.113549.1.1.12", "1.2.840.10045.4.3.3", "0.4.0.127.0.7.1.1.4.1.4":
		return crypto.SHA384
	case "1.2.840.113549.1.1.13", "1.2.840.10045.4.3.4", "0.4.0.127.0.7.1.1.4.1.5":
		return crypto.SHA512
	case "2.16.840.1.101.3.4.3.13", "2.16.840.1.101.3.4.3.9":
		return crypto.SHA3_224
	case "2.16.840.1.101.3.4.3.14", "2.16.840.1.101.3.4.3.10":
		return crypto.SHA3_256
	case "2.16.840.1.101.3.4.3.15", "2.16.840.1.101.3.4.3.11":
		return crypto.SHA3_384
	case "2.16.840.1.101.3.4.3.16", "2.16.840.1.101.3.4.3.12":
		return crypto.SHA3_512
	}
	return 0
}

// CheckMessageDigest compares the messageDigest signed attribute with
// digest. It returns ErrDigestMismatch when they differ.
func (si *SignerInfo) CheckMessageDigest(digest []byte) error {
	v, n := Attr(si.SignedAttrs, OIDMessageDigest)
	if n == 0 {
		return errf(ErrMalformed, "no message digest attribute")
	}
	if n > 1 {
		return errf(ErrMalformed, "duplicated message digest attribute")
	}
	var md []byte
	if _, err := asn1.Unmarshal(v.FullBytes, &md); err != nil {
		return errf(ErrMalformed, "message digest attribute: %v", err)
	}
	if !bytes.Equal(md, digest) {
		return ErrDigestMismatch
	}
	return nil
}

// VerifySignature checks the signature value with cert's public key. When
// signed attributes are present the signature is over their DER encoding;
// otherwise over contentDigest (already hashed with the digest algorithm).
// RSA PKCS #1 v1.5 signatures must hold exactly the DigestInfo of the
// declared hash: a bare digest, another hash's DigestInfo or any other
// padding content is a bad signature.
func (si *SignerInfo) VerifySignature(cert *x509.Certificate, contentDigest []byte) error {
	dh, err := HashFor(si.DigestAlg.Algorithm)
	if err != nil {
		return err
	}
	h := sigHash(si.SigAlg.Algorithm)
	if h == 0 {
		h = dh
	}
	if si.SigAlg.Algorithm.Equal(oidRSAPSS) {
		ph, err := pssHash(si.SigAlg.Parameters.FullBytes)
		if err != nil {
			return err
		}
		if ph != h && si.SignedAttrsDER == nil {
			return errf(ErrUnsupportedAlgorithm, "PSS hash differs from digest algorithm")
		}
		h = ph
	}
	var hashed []byte
	if si.SignedAttrsDER != nil {
		if !h.Available() {
			return errf(ErrUnsupportedAlgorithm, "hash %v", h)
		}
		hh := h.New()
		hh.Write(si.SignedAttrsDER)
		hashed = hh.Sum(nil)
	} else {
		if h != dh {
			return errf(ErrUnsupportedAlgorithm, "signature hash differs from digest algorithm")
		}
		hashed = contentDigest
	}
	return verifyHashed(cert.PublicKey, si.SigAlg, h, hashed, si.Signature, si.SignedAttrsDER)
}

// VerifyData checks sig over data with pub under the signature algorithm
// alg (an OCSP response's or a CRL's, whose identifier names the hash).
func VerifyData(pub crypto.PublicKey, alg pkix.AlgorithmIdentifier, data, sig []byte) error {
	h := sigHash(alg.Algorithm)
	if alg.Algorithm.Equal(oidRSAPSS) {
		var err error
		if h, err = pssHash(alg.Parameters.FullBytes); err != nil {
			return err
		}
	}
	if _, ok := pub.(ed25519.PublicKey); ok && alg.Algorithm.Equal(oidEd25519) {
		return verifyHashed(pub, alg, 0, nil, sig, data)
	}
	if h == 0 || !h.Available() {
		return errf(ErrUnsupportedAlgorithm, "signature algorithm %v", alg.Algorithm)
	}
	hh := h.New()
	hh.Write(data)
	return verifyHashed(pub, alg, h, hh.Sum(nil), sig, data)
}

// SignatureHash returns the hash the signer's signature is computed with
// (from the signature algorithm, or the digest algorithm when the
// signature algorithm names none), or 0 when unknown.
func (si *SignerInfo) SignatureHash() crypto.Hash {
	if si.SigAlg.Algorithm.Equal(oidRSAPSS) {
		h, err := pssHash(si.SigAlg.Parameters.FullBytes)
		if err != nil {
			return 0
		}
		return h
	}
	if h := sigHash(si.SigAlg.Algorithm); h != 0 {
		return h
	}
	h, _ := HashFor(si.DigestAlg.Algorithm)
	return h
}

// verifyHashed verifies sig over hashed (the digest of msg with h) for
// every key type; msg is only used by Ed25519, which signs the message.
func verifyHashed(pub crypto.PublicKey, sigAlg pkix.AlgorithmIdentifier, h crypto.Hash, hashed, sig, msg []byte) error {
	alg := sigAlg.Algorithm
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if alg.Equal(oidRSAPSS) {
			if pub.E > 1<<31-1 {
				return errf(ErrUnsupportedAlgorithm, "RSA-PSS with public exponent %d", pub.E)
			}
			if err := rsa.VerifyPSS(pub, h, hashed, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}); err != nil {
				return errf(ErrBadSignature, "%v", err)
			}
			return nil
		}
		if !alg.Equal(oidRSAEncryption) && !hasPrefix(alg, oidRSASigPrefix) && !hasPrefix(alg, oidSHA3SigPrefix) {
			return errf(ErrUnsupportedAlgorithm, "signature algorithm %v for an RSA key", alg)
		}
		if h == 0 {
			return errf(ErrUnsupportedAlgorithm, "RSA signature without a hash")
		}
		// crypto/rsa compares the whole encoded message with the PKCS #1
		// v1.5 encoding of the DigestInfo of h: nothing else verifies.
		if err := rsa.VerifyPKCS1v15(pub, h, hashed, sig); err != nil {
			return errf(ErrBadSignature, "%v", err)
		}
		return nil
	case *ecdsa.PublicKey:
		if hasPrefix(alg, oidPlainECDSAPrefix) {
			// plain r||s (BSI TR-03111)
			if len(sig)%2 != 0 || len(sig) == 0 {
				return errf(ErrBadSignature, "bad plain ECDSA signature")
			}
			r := new(big.Int).SetBytes(sig[:len(sig)/2])
			s := new(big.Int).SetBytes(sig[len(sig)/2:])
			der, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
			sig = der
		}
		if !ecdsa.VerifyASN1(pub, hashed, sig) {
			return errf(ErrBadSignature, "ECDSA verification failed")
		}
		return nil
	case ed25519.PublicKey:
		if msg == nil {
			return errf(ErrUnsupportedAlgorithm, "Ed25519 without signed attributes")
		}
		if !ed25519.Verify(pub, msg, sig) {
			return errf(ErrBadSignature, "Ed25519 verification failed")
		}
		return nil
	}
	return errf(ErrUnsupportedAlgorithm, "public key type %T", pub)
}

func hasPrefix(oid, prefix asn1.ObjectIdentifier) bool {
	if len(oid) < len(prefix) {
		return false
	}
	return oid[:len(prefix)].Equal(prefix)
}

func pssHash(params []byte) (crypto.Hash, error) {
	var p struct {
		Hash algID `asn1:"explicit,optional,tag:0"`
	}
	if len(params) > 0 {
		if _, err := asn1.Unmarshal(params, &p); err != nil {
			return 0, errf(ErrMalformed, "PSS parameters: %v", err)
		}
	}
	if len(p.Hash.Algorithm) == 0 {
		return crypto.SHA1, nil
	}
	return HashFor(p.Hash.Algorithm)
}

// TSTInfo is the content of an RFC 3161 timestamp token.
type TSTInfo struct {
	Policy        asn1.ObjectIdentifier
	HashAlg       pkix.AlgorithmIdentifier
	HashedMessage []byte
	Serial        *big.Int
	GenTime       time.Time
}

// ParseTSTInfo parses a TSTInfo.
func ParseTSTInfo(b []byte) (*TSTInfo, error) {
	var t struct {
		Version        int
		Policy         asn1.ObjectIdentifier
		MessageImprint struct {
			HashAlgorithm pkix.AlgorithmIdentifier
			HashedMessage []byte
		}
		Serial  *big.Int
		GenTime asn1.RawValue
	}
	if _, err := asn1.Unmarshal(b, &t); err != nil {
		// BER fallback
		d, err2 := berToDER(b)
		if err2 != nil {
			return nil, errf(ErrMalformed, "TSTInfo: %v", err)
		}
		if _, err := asn1.Unmarshal(d, &t); err != nil {
			return nil, errf(ErrMalformed, "TSTInfo: %v", err)
		}
	}
	gt, err := parseGeneralizedTime(t.GenTime.Bytes)
	if err != nil {
		return nil, err
	}
	return &TSTInfo{Policy: t.Policy, HashAlg: t.MessageImprint.HashAlgorithm, HashedMessage: t.MessageImprint.HashedMessage, Serial: t.Serial, GenTime: gt}, nil
}

// parseGeneralizedTime accepts fractional seconds, which encoding/asn1's
// strict parser may refuse in some forms.
func parseGeneralizedTime(b []byte) (time.Time, error) {
	s := string(b)
	for _, layout := range []string{"20060102150405Z0700", "20060102150405.999999999Z0700", "200601021504Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errf(ErrMalformed, "bad time %q", s)
}

// CheckSigningCertificate checks the ESS signing-certificate(-v2) signed
// attribute against cert. present is false when neither attribute exists.
func (si *SignerInfo) CheckSigningCertificate(cert *x509.Certificate) (present bool, err error) {
	if v, n := Attr(si.SignedAttrs, OIDSigningCertV2); n > 0 {
		var sc struct {
			Certs []asn1.RawValue
		}
		if _, err := asn1.Unmarshal(v.FullBytes, &sc); err != nil || len(sc.Certs) == 0 {
			return true, errf(ErrMalformed, "signing-certificate-v2 attribute")
		}
		// ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash OCTET STRING, issuerSerial OPTIONAL }
		items, err := children(sc.Certs[0].Bytes)
		if err != nil || len(items) == 0 {
			return true, errf(ErrMalformed, "ESSCertIDv2")
		}
		h := crypto.SHA256
		var hash []byte
		if items[0].Tag == asn1.TagSequence {
			var alg pkix.AlgorithmIdentifier
			if _, err := asn1.Unmarshal(items[0].FullBytes, &alg); err != nil || len(items) < 2 {
				return true, errf(ErrMalformed, "ESSCertIDv2 hash algorithm")
			}
			if h, err = HashFor(alg.Algorithm); err != nil {
				return true, err
			}
			hash = items[1].Bytes
		} else {
			hash = items[0].Bytes
		}
		if !h.Available() {
			return true, errf(ErrUnsupportedAlgorithm, "hash %v", h)
		}
		hh := h.New()
		hh.Write(cert.Raw)
		if !bytes.Equal(hh.Sum(nil), hash) {
			return true, errf(ErrBadSignature, "signing certificate does not match the signed reference")
		}
		return true, nil
	}
	if v, n := Attr(si.SignedAttrs, OIDSigningCertificate); n > 0 {
		var sc struct {
			Certs []struct {
				Hash []byte
				Rest asn1.RawValue `asn1:"optional"`
			}
		}
		if _, err := asn1.Unmarshal(v.FullBytes, &sc); err != nil || len(sc.Certs) == 0 {
			return true, errf(ErrMalformed, "signing-certificate attribute")
		}
		hh := crypto.SHA1.New()
		hh.Write(cert.Raw)
		if !bytes.Equal(hh.Sum(nil), sc.Certs[0].Hash) {
			return true, errf(ErrBadSignature, "signing certificate does not match the signed reference")
		}
		return true, nil
	}
	return false, nil
}
