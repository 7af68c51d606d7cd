package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"time"
)

// Crafted revocation data, look-alike identities and hand-made CMS
// signatures for tests that attack a verifier: everything here is
// deliberately configurable to be wrong.

// OCSPStatus is a certificate status for CraftOCSP.
type OCSPStatus int

// OCSP statuses.
const (
	OCSPGood OCSPStatus = iota
	OCSPRevoked
	OCSPUnknown
)

// OCSPSpec describes a crafted OCSP response about one certificate. Zero
// times default to the PKI clock (NextUpdate: 24 h later).
type OCSPSpec struct {
	Cert   *x509.Certificate // the certificate the response is about
	Issuer *x509.Certificate // its issuer in the CertID; default p.Intermediate.Cert
	Status OCSPStatus
	// RevokedAt and Reason for OCSPRevoked (default: 1 h before ThisUpdate, keyCompromise).
	RevokedAt time.Time
	Reason    int

	ThisUpdate, NextUpdate, ProducedAt time.Time
	NoNextUpdate                       bool

	// Signer signs the response; default p.OCSPSigner.
	Signer *Identity
	// Certs are embedded in the response; default the signer's certificate
	// (none when NoCerts).
	Certs   []*x509.Certificate
	NoCerts bool
	// ResponderByKey identifies the signer by key hash instead of by name.
	ResponderByKey bool
}

// CraftOCSP builds a DER OCSP response from spec.
func (p *PKI) CraftOCSP(spec OCSPSpec) ([]byte, error) {
	if spec.Cert == nil {
		return nil, errors.New("testpki: OCSPSpec.Cert is required")
	}
	now := p.now()
	if spec.Issuer == nil {
		spec.Issuer = p.Intermediate.Cert
	}
	if spec.Signer == nil {
		spec.Signer = p.OCSPSigner
	}
	if spec.ThisUpdate.IsZero() {
		spec.ThisUpdate = now
	}
	if spec.ProducedAt.IsZero() {
		spec.ProducedAt = spec.ThisUpdate
	}
	if spec.NextUpdate.IsZero() && !spec.NoNextUpdate {
		spec.NextUpdate = spec.ThisUpdate.Add(24 * time.Hour)
	}
	if spec.NoNextUpdate {
		spec.NextUpdate = time.Time{}
	}
	var status asn1.RawValue
	switch spec.Status {
	case OCSPGood:
		status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0}
	case OCSPRevoked:
		if spec.RevokedAt.IsZero() {
			spec.RevokedAt = spec.ThisUpdate.Add(-time.Hour)
		}
		if spec.Reason == 0 {
			spec.Reason = ReasonKeyCompromise
		}
		var err error
		if status, err = revokedStatus(spec.RevokedAt, spec.Reason); err != nil {
			return nil, err
		}
	default:
		status = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2}
	}
	h := crypto.SHA1
	nh := h.New()
	nh.Write(spec.Cert.RawIssuer)
	single := ocspSingleResponse{
		CertID: ocspCertID{
			HashAlgorithm:  pkix.AlgorithmIdentifier{Algorithm: hashOIDs[h], Parameters: asn1.NullRawValue},
			IssuerNameHash: nh.Sum(nil),
			IssuerKeyHash:  keyHash(h, spec.Issuer),
			SerialNumber:   spec.Cert.SerialNumber,
		},
		CertStatus: status,
		ThisUpdate: spec.ThisUpdate.UTC(),
	}
	if !spec.NextUpdate.IsZero() {
		single.NextUpdate = spec.NextUpdate.UTC()
	}
	certs := spec.Certs
	if certs == nil && !spec.NoCerts {
		certs = []*x509.Certificate{spec.Signer.Cert}
	}
	if spec.NoCerts {
		certs = nil
	}
	return signOCSP(spec.Signer, certs, spec.ProducedAt, []ocspSingleResponse{single}, nil, spec.ResponderByKey)
}

// CRLSpec describes a crafted CRL. Zero times default to the PKI clock
// (NextUpdate: 7 days later).
type CRLSpec struct {
	// Signer signs the CRL and names its issuer; default p.Intermediate.
	Signer                 *Identity
	Revoked                []x509.RevocationListEntry
	ThisUpdate, NextUpdate time.Time
	// ExtraExtensions, e.g. IssuingDistributionPoint or deltaCRLIndicator.
	ExtraExtensions []pkix.Extension
}

// CraftCRL builds a DER CRL from spec.
func (p *PKI) CraftCRL(spec CRLSpec) ([]byte, error) {
	if spec.Signer == nil {
		spec.Signer = p.Intermediate
	}
	if spec.ThisUpdate.IsZero() {
		spec.ThisUpdate = p.now()
	}
	if spec.NextUpdate.IsZero() {
		spec.NextUpdate = spec.ThisUpdate.AddDate(0, 0, 7)
	}
	sort.Slice(spec.Revoked, func(i, j int) bool { return spec.Revoked[i].SerialNumber.Cmp(spec.Revoked[j].SerialNumber) < 0 })
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(time.Now().UnixNano()),
		ThisUpdate:                spec.ThisUpdate,
		NextUpdate:                spec.NextUpdate,
		RevokedCertificateEntries: spec.Revoked,
		ExtraExtensions:           spec.ExtraExtensions,
	}, spec.Signer.Cert, spec.Signer.Key)
}

// LookAlike returns a self-signed identity with a fresh key whose
// certificate copies like's subject name, validity and extended key usage:
// an unrelated key posing as like (e.g. a forged OCSP responder or a CA of
// the same name). It may sign certificates and CRLs.
func LookAlike(like *x509.Certificate, kt KeyType) (*Identity, error) {
	key, err := GenerateKey(kt)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		RawSubject:            like.RawSubject,
		NotBefore:             like.NotBefore,
		NotAfter:              like.NotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           like.ExtKeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	c, err := create(tmpl, key.Public(), nil, key)
	if err != nil {
		return nil, err
	}
	return &Identity{Cert: c, Key: key, Chain: []*x509.Certificate{}}, nil
}

// CMSMode says how CraftCMS produces the signature value.
type CMSMode int

// CMS signature modes.
const (
	// CMSNormal: PKCS #1 v1.5 (RSA) or ASN.1 ECDSA over the signed
	// attributes with the declared hash.
	CMSNormal CMSMode = iota
	// CMSRawRSA: the RSA signature holds the bare attribute digest, without
	// the DigestInfo.
	CMSRawRSA
	// CMSDigestInfoSHA1: the RSA signature holds a DigestInfo naming SHA-1
	// (with the SHA-1 digest) while the algorithms declare Hash.
	CMSDigestInfoSHA1
)

// CMSSpec describes a detached CMS SignedData signature over content.
type CMSSpec struct {
	Signer *Identity // key and certificate; its Chain is embedded too
	Hash   crypto.Hash
	Mode   CMSMode
	// SigningTime, when set, adds the signingTime attribute.
	SigningTime time.Time
}

var (
	oidContentTypeData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	sigOIDs            = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   oidSHA1WithRSA,
		crypto.SHA256: oidSHA256WithRSA,
		crypto.SHA384: {1, 2, 840, 113549, 1, 1, 12},
		crypto.SHA512: {1, 2, 840, 113549, 1, 1, 13},
	}
	ecdsaSigOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 2, 840, 10045, 4, 1},
		crypto.SHA256: oidECDSAWithSHA256,
		crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3},
		crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4},
	}
)

// CraftCMS signs content (the PDF bytes a ByteRange designates) as a
// detached CMS SignedData with the signing-certificate-v2 attribute, in
// the way spec says, and returns the DER ContentInfo.
func CraftCMS(content []byte, spec CMSSpec) ([]byte, error) {
	id := spec.Signer
	h := spec.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	hashOID, ok := hashOIDs[h]
	if !ok {
		return nil, fmt.Errorf("testpki: unsupported hash %v", h)
	}
	md := h.New()
	md.Write(content)
	list := []attrSpec{{oidAttrContentType, oidContentTypeData}, {oidAttrMessageDigest, md.Sum(nil)}}
	if !spec.SigningTime.IsZero() {
		list = append(list, attrSpec{oidAttrSigningTime, spec.SigningTime.UTC()})
	}
	attrContent, attrSet, err := signedAttributes(id.Cert, list...)
	if err != nil {
		return nil, err
	}
	sig, sigAlg, err := craftSignature(id, h, spec.Mode, attrSet)
	if err != nil {
		return nil, err
	}
	var certs []byte
	for _, c := range id.ChainWithLeaf() {
		certs = append(certs, c.Raw...)
	}
	sd := cmsSignedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{{Algorithm: hashOID}},
		EncapContentInfo: cmsEncapContentInfo{EContentType: oidContentTypeData},
		Certificates:     contextTag(0, certs),
		SignerInfos:      []cmsSignerInfo{signerInfo(id.Cert, hashOID, attrContent, sigAlg, sig)},
	}
	sdDER, err := marshalDetached(sd)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(cmsContentInfo{ContentType: oidSignedData, Content: contextTag(0, sdDER)})
}

// marshalDetached encodes sd without eContent (a detached signature).
func marshalDetached(sd cmsSignedData) ([]byte, error) {
	type eci struct {
		EContentType asn1.ObjectIdentifier
	}
	type detached struct {
		Version          int
		DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
		EncapContentInfo eci
		Certificates     asn1.RawValue   `asn1:"optional"`
		SignerInfos      []cmsSignerInfo `asn1:"set"`
	}
	return asn1.Marshal(detached{Version: sd.Version, DigestAlgorithms: sd.DigestAlgorithms,
		EncapContentInfo: eci{sd.EncapContentInfo.EContentType}, Certificates: sd.Certificates, SignerInfos: sd.SignerInfos})
}

func craftSignature(id *Identity, h crypto.Hash, mode CMSMode, attrSet []byte) ([]byte, pkix.AlgorithmIdentifier, error) {
	d := h.New()
	d.Write(attrSet)
	digest := d.Sum(nil)
	rk, isRSA := id.Key.(*rsa.PrivateKey)
	if !isRSA {
		if mode != CMSNormal {
			return nil, pkix.AlgorithmIdentifier{}, errors.New("testpki: raw signature modes need an RSA key")
		}
		sig, err := id.Key.Sign(rand.Reader, digest, h)
		return sig, pkix.AlgorithmIdentifier{Algorithm: ecdsaSigOIDs[h]}, err
	}
	alg := pkix.AlgorithmIdentifier{Algorithm: sigOIDs[h], Parameters: asn1.NullRawValue}
	switch mode {
	case CMSRawRSA:
		sig, err := rsa.SignPKCS1v15(rand.Reader, rk, 0, digest)
		return sig, alg, err
	case CMSDigestInfoSHA1:
		s1 := crypto.SHA1.New()
		s1.Write(attrSet)
		di, err := asn1.Marshal(struct {
			Alg    pkix.AlgorithmIdentifier
			Digest []byte
		}{pkix.AlgorithmIdentifier{Algorithm: hashOIDs[crypto.SHA1], Parameters: asn1.NullRawValue}, s1.Sum(nil)})
		if err != nil {
			return nil, alg, err
		}
		sig, err := rsa.SignPKCS1v15(rand.Reader, rk, 0, di)
		return sig, alg, err
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, rk, h, digest)
	return sig, alg, err
}
