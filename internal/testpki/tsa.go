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
	"sort"
	"time"
)

// Minimal RFC 3161 / RFC 5652 encoder for time-stamp tokens. It is written
// here (instead of using timestamp.CreateResponse) so that genTime, the
// CMS signingTime attribute and the serial number follow the PKI clock and
// counter.

var (
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidCTTSTInfo         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCertV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidRSAEncryption     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECDSAWithSHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSHA256            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	hashOIDs             = map[crypto.Hash]asn1.ObjectIdentifier{
		crypto.SHA1:   {1, 3, 14, 3, 2, 26},
		crypto.SHA256: oidSHA256,
		crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
		crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
	}
)

type tstMessageImprint struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	HashedMessage []byte
}

type tstAccuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint tstMessageImprint
	SerialNumber   *big.Int
	GenTime        time.Time     `asn1:"generalized"`
	Accuracy       tstAccuracy   `asn1:"optional"`
	Nonce          *big.Int      `asn1:"optional"`
	TSA            asn1.RawValue `asn1:"optional"`
}

type essCertIDv2 struct {
	// hashAlgorithm omitted: DEFAULT sha256
	CertHash     []byte
	IssuerSerial issuerSerial
}

type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames
	Serial *big.Int
}

type signingCertificateV2 struct {
	Certs []essCertIDv2
}

type cmsIssuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type cmsSignerInfo struct {
	Version            int
	SID                cmsIssuerAndSerial
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
}

type cmsEncapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     []byte `asn1:"explicit,tag:0"`
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier `asn1:"set"`
	EncapContentInfo cmsEncapContentInfo
	Certificates     asn1.RawValue   `asn1:"optional"`
	SignerInfos      []cmsSignerInfo `asn1:"set"`
}

type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue
}

type pkiStatusInfo struct {
	Status int
}

type timeStampResp struct {
	Status         pkiStatusInfo
	TimeStampToken asn1.RawValue
}

func contextTag(tag int, content []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: content}
}

// signerInfo is the SignerInfo (issuerAndSerialNumber) of signer.
func signerInfo(signer *x509.Certificate, digest asn1.ObjectIdentifier, attrContent []byte, sigAlg pkix.AlgorithmIdentifier, sig []byte) cmsSignerInfo {
	return cmsSignerInfo{
		Version:            1,
		SID:                cmsIssuerAndSerial{Issuer: asn1.RawValue{FullBytes: signer.RawIssuer}, Serial: signer.SerialNumber},
		DigestAlgorithm:    pkix.AlgorithmIdentifier{Algorithm: digest},
		SignedAttrs:        contextTag(0, attrContent),
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	}
}

// attrSpec is one CMS attribute with one value.
type attrSpec struct {
	oid asn1.ObjectIdentifier
	v   any
}

// signedAttributes encodes list plus the signing-certificate-v2 attribute
// for signer as a DER SET OF in canonical order: content is what goes in
// the SignerInfo's [0] IMPLICIT, set the SET encoding the signature covers.
func signedAttributes(signer *x509.Certificate, list ...attrSpec) (content, set []byte, err error) {
	certHash := crypto.SHA256.New()
	certHash.Write(signer.Raw)
	issuerName, err := asn1.Marshal(contextTag(4, signer.RawIssuer)) // directoryName
	if err != nil {
		return nil, nil, err
	}
	list = append(list, attrSpec{oidAttrSigningCertV2, signingCertificateV2{Certs: []essCertIDv2{{
		CertHash:     certHash.Sum(nil),
		IssuerSerial: issuerSerial{Issuer: []asn1.RawValue{{FullBytes: issuerName}}, Serial: signer.SerialNumber},
	}}}})
	var attrs [][]byte
	for _, a := range list {
		b, err := attribute(a.oid, a.v)
		if err != nil {
			return nil, nil, err
		}
		attrs = append(attrs, b)
	}
	sort.Slice(attrs, func(i, j int) bool { return bytes.Compare(attrs[i], attrs[j]) < 0 })
	content = bytes.Join(attrs, nil)
	set, err = asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: content})
	return content, set, err
}

func attribute(oid asn1.ObjectIdentifier, value any) ([]byte, error) {
	v, err := asn1.Marshal(value)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(struct {
		Type   asn1.ObjectIdentifier
		Values []asn1.RawValue `asn1:"set"`
	}{oid, []asn1.RawValue{{FullBytes: v}}})
}

// timestampToken builds a DER TimeStampResp (status granted) for the given
// imprint, signed by tsa at genTime.
func timestampToken(tsa *Identity, parents []*x509.Certificate, h crypto.Hash, imprint []byte,
	serial, nonce *big.Int, genTime time.Time, withCerts bool) ([]byte, error) {
	name, err := asn1.Marshal(contextTag(4, tsa.Cert.RawSubject)) // directoryName
	if err != nil {
		return nil, err
	}
	info, err := asn1.Marshal(tstInfo{
		Version: 1,
		Policy:  TSAPolicy,
		MessageImprint: tstMessageImprint{
			HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: hashOIDs[h], Parameters: asn1.NullRawValue},
			HashedMessage: imprint,
		},
		SerialNumber: serial,
		GenTime:      genTime.UTC(),
		Accuracy:     tstAccuracy{Seconds: 1},
		Nonce:        nonce,
		TSA:          contextTag(0, name),
	})
	if err != nil {
		return nil, err
	}

	infoHash := crypto.SHA256.New()
	infoHash.Write(info)
	attrContent, attrSet, err := signedAttributes(tsa.Cert,
		attrSpec{oidAttrContentType, oidCTTSTInfo},
		attrSpec{oidAttrSigningTime, genTime.UTC()},
		attrSpec{oidAttrMessageDigest, infoHash.Sum(nil)})
	if err != nil {
		return nil, err
	}
	digest := crypto.SHA256.New()
	digest.Write(attrSet)
	sig, err := tsa.Key.Sign(rand.Reader, digest.Sum(nil), crypto.SHA256)
	if err != nil {
		return nil, err
	}
	var sigAlg pkix.AlgorithmIdentifier
	switch tsa.Key.Public().(type) {
	case *rsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue}
	case *ecdsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}
	default:
		return nil, errors.New("testpki: unsupported TSA key")
	}

	sd := cmsSignedData{
		Version:          3,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{{Algorithm: oidSHA256}},
		EncapContentInfo: cmsEncapContentInfo{EContentType: oidCTTSTInfo, EContent: info},
		SignerInfos:      []cmsSignerInfo{signerInfo(tsa.Cert, oidSHA256, attrContent, sigAlg, sig)},
	}
	if withCerts {
		var certs []byte
		certs = append(certs, tsa.Cert.Raw...)
		for _, c := range parents {
			certs = append(certs, c.Raw...)
		}
		sd.Certificates = contextTag(0, certs)
	}
	sdDER, err := asn1.Marshal(sd)
	if err != nil {
		return nil, err
	}
	token, err := asn1.Marshal(cmsContentInfo{ContentType: oidSignedData, Content: contextTag(0, sdDER)})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(timeStampResp{Status: pkiStatusInfo{Status: 0}, TimeStampToken: asn1.RawValue{FullBytes: token}})
}
