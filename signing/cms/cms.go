// Package cms builds the CMS SignedData of a PAdES signature (RFC 5652,
// ETSI EN 319 122-1 CAdES baseline): the signed attributes contentType,
// messageDigest and signing-certificate-v2, the signer's signature over
// them (checked against the certificate before it is used), and the
// detached SignedData with the chain and an optional signature
// time-stamp token as unsigned attribute.
package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"sort"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidData                    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningCertV2       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidAttrSignatureTimeStamp  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidSHA256                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512                  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA256WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSAWithSHA256         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512         = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	tagSet                     = cbasn1.SET
	tagSeq                     = cbasn1.SEQUENCE
	tagCtx0                    = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagCtx1                    = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagCtx4                    = cbasn1.Tag(4).ContextSpecific().Constructed()
	errUnsupportedKeyAlgorithm = fmt.Errorf("%w: key algorithm", ErrUnsupported)
)

// DigestOID returns the OID of the digest algorithm h (SHA-256, SHA-384
// or SHA-512).
func DigestOID(h crypto.Hash) (asn1.ObjectIdentifier, error) {
	switch h {
	case crypto.SHA256:
		return oidSHA256, nil
	case crypto.SHA384:
		return oidSHA384, nil
	case crypto.SHA512:
		return oidSHA512, nil
	}
	return nil, fmt.Errorf("%w: hash %v", ErrUnsupported, h)
}

// SignatureAlgorithm returns the CMS signature algorithm OID, whether it takes NULL
// parameters, and the x509 algorithm used to self-check the result.
func SignatureAlgorithm(pub crypto.PublicKey, h crypto.Hash) (asn1.ObjectIdentifier, bool, x509.SignatureAlgorithm, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		switch h {
		case crypto.SHA256:
			return oidSHA256WithRSA, true, x509.SHA256WithRSA, nil
		case crypto.SHA384:
			return oidSHA384WithRSA, true, x509.SHA384WithRSA, nil
		case crypto.SHA512:
			return oidSHA512WithRSA, true, x509.SHA512WithRSA, nil
		}
	case *ecdsa.PublicKey:
		switch h {
		case crypto.SHA256:
			return oidECDSAWithSHA256, false, x509.ECDSAWithSHA256, nil
		case crypto.SHA384:
			return oidECDSAWithSHA384, false, x509.ECDSAWithSHA384, nil
		case crypto.SHA512:
			return oidECDSAWithSHA512, false, x509.ECDSAWithSHA512, nil
		}
	case ed25519.PublicKey:
		return nil, false, 0, errUnsupportedKeyAlgorithm
	}
	return nil, false, 0, errUnsupportedKeyAlgorithm
}

// maxSignatureSize bounds the DER size of a signature made with pub.
func maxSignatureSize(pub crypto.PublicKey) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return k.Size()
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize + 7) / 8
		return 2*(n+3) + 4
	}
	return 1024
}

func addAlgID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, null bool) {
	b.AddASN1(tagSeq, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if null {
			b.AddASN1NULL()
		}
	})
}

func addAttribute(oid asn1.ObjectIdentifier, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tagSeq, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(tagSet, func(b *cryptobyte.Builder) { b.AddBytes(value) })
	})
	return b.BytesOrPanic()
}

// derSet encodes the elements as a DER SET OF (sorted encodings) with the
// given tag.
func derSet(tag cbasn1.Tag, elems [][]byte) ([]byte, error) {
	s := append([][]byte(nil), elems...)
	sort.Slice(s, func(i, j int) bool { return bytes.Compare(s[i], s[j]) < 0 })
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range s {
			b.AddBytes(e)
		}
	})
	return b.Bytes()
}

// SignedAttributes returns the DER SET of signed attributes: contentType,
// messageDigest and signing-certificate-v2 (no signingTime: PAdES puts the
// claimed time in the signature dictionary's /M).
func SignedAttributes(digest []byte, h crypto.Hash, leaf *x509.Certificate) ([]byte, error) {
	var ct, md, scv2 cryptobyte.Builder
	ct.AddASN1ObjectIdentifier(oidData)
	md.AddASN1OctetString(digest)
	certHash := h.New()
	certHash.Write(leaf.Raw)
	hashOID, err := DigestOID(h)
	if err != nil {
		return nil, err
	}
	scv2.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // SigningCertificateV2
		b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // certs
			b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // ESSCertIDv2
				if h != crypto.SHA256 { // DEFAULT id-sha256 must be omitted in DER
					addAlgID(b, hashOID, false)
				}
				b.AddASN1OctetString(certHash.Sum(nil))
				b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // IssuerSerial
					b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // GeneralNames
						b.AddASN1(tagCtx4, func(b *cryptobyte.Builder) { b.AddBytes(leaf.RawIssuer) })
					})
					b.AddASN1BigInt(leaf.SerialNumber)
				})
			})
		})
	})
	var attrs [][]byte
	for _, a := range []struct {
		oid asn1.ObjectIdentifier
		b   *cryptobyte.Builder
	}{{oidAttrContentType, &ct}, {oidAttrMessageDigest, &md}, {oidAttrSigningCertV2, &scv2}} {
		v, err := a.b.Bytes()
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, addAttribute(a.oid, v))
	}
	return derSet(tagSet, attrs)
}

// contextSigner is implemented by signers that can be cancelled (the
// PKCS#11 token's signer).
type contextSigner interface {
	SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error)
}

// SignAttributes asks the signer to sign the DER signed attributes and
// checks the result against the leaf certificate.
func SignAttributes(ctx context.Context, signer crypto.Signer, leaf *x509.Certificate, h crypto.Hash, attrs []byte) ([]byte, error) {
	_, _, xalg, err := SignatureAlgorithm(leaf.PublicKey, h)
	if err != nil {
		return nil, err
	}
	d := h.New()
	d.Write(attrs)
	var sig []byte
	if cs, ok := signer.(contextSigner); ok {
		sig, err = cs.SignContext(ctx, d.Sum(nil), h)
	} else {
		sig, err = signer.Sign(rand.Reader, d.Sum(nil), h)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to sign with the token: %w", err)
	}
	if err := leaf.CheckSignature(xalg, attrs, sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return sig, nil
}

// Build assembles the detached CMS SignedData ContentInfo.
func Build(chain []*x509.Certificate, h crypto.Hash, attrs, sig, tst []byte) ([]byte, error) {
	leaf := chain[0]
	hashOID, err := DigestOID(h)
	if err != nil {
		return nil, err
	}
	sigOID, sigNull, _, err := SignatureAlgorithm(leaf.PublicKey, h)
	if err != nil {
		return nil, err
	}
	if len(attrs) == 0 || attrs[0] != 0x31 {
		return nil, fmt.Errorf("failed to build CMS: bad signed attributes")
	}
	implicitAttrs := append([]byte{0xa0}, attrs[1:]...)
	var certs [][]byte
	for _, c := range chain {
		certs = append(certs, c.Raw)
	}
	certSet, err := derSet(tagCtx0, certs)
	if err != nil {
		return nil, err
	}
	var unsigned []byte
	if tst != nil {
		unsigned, err = derSet(tagCtx1, [][]byte{addAttribute(oidAttrSignatureTimeStamp, tst)})
		if err != nil {
			return nil, err
		}
	}
	var b cryptobyte.Builder
	b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(tagCtx0, func(b *cryptobyte.Builder) {
			b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1)
				b.AddASN1(tagSet, func(b *cryptobyte.Builder) { addAlgID(b, hashOID, true) })
				b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) })
				b.AddBytes(certSet)
				b.AddASN1(tagSet, func(b *cryptobyte.Builder) {
					b.AddASN1(tagSeq, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(tagSeq, func(b *cryptobyte.Builder) {
							b.AddBytes(leaf.RawIssuer)
							b.AddASN1BigInt(leaf.SerialNumber)
						})
						addAlgID(b, hashOID, true)
						b.AddBytes(implicitAttrs)
						addAlgID(b, sigOID, sigNull)
						b.AddASN1OctetString(sig)
						if unsigned != nil {
							b.AddBytes(unsigned)
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// EstimateSize returns an upper bound of the CMS size for the chain and
// key, plus tstSize bytes for a signature time-stamp token.
func EstimateSize(chain []*x509.Certificate, h crypto.Hash, tstSize int) int {
	n := 512 + 2*h.Size() + maxSignatureSize(chain[0].PublicKey) + len(chain[0].RawIssuer)*2 + 64
	for _, c := range chain {
		n += len(c.Raw) + 8
	}
	if tstSize > 0 {
		n += tstSize + 64
	}
	return n
}
