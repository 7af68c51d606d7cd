package edxml

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Digest algorithm of the attachment References (XML Encryption's SHA-256 URI,
// as XML-DSig 1.1 uses it).
const digestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

// signEnvelope signs the envelope (prefix + sigSpace + suffix, the
// Signature element going between prefix and sigSpace) and the
// attachments, returning the serialised Signature element.
func signEnvelope(prefix, suffix []byte, atts []Attachment, signer crypto.Signer, chain []*x509.Certificate) ([]byte, error) {
	if len(chain) == 0 {
		return nil, fmt.Errorf("%w: no signer certificate", ErrIncomplete)
	}
	if err := checkKey(chain[0].PublicKey); err != nil {
		return nil, err
	}
	if !samePublicKey(chain[0].PublicKey, signer.Public()) {
		return nil, fmt.Errorf("%w: the certificate is not the signer's", ErrIncomplete)
	}
	unsigned := make([]byte, 0, len(prefix)+len(sigSpace)+len(suffix))
	unsigned = append(append(append(unsigned, prefix...), sigSpace...), suffix...)
	env, err := envelopeElement(unsigned, nil)
	if err != nil {
		return nil, fmt.Errorf("failed to read back the envelope: %w", err)
	}
	certs := make([][]byte, len(chain))
	for i, c := range chain {
		certs[i] = c.Raw
	}
	ctx, err := dsig.NewSigningContext(signer, certs)
	if err != nil {
		return nil, fmt.Errorf("failed to set up signing: %w", err)
	}
	ctx.Hash = crypto.SHA256
	ctx.Prefix = ""
	canon := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	ctx.Canonicalizer = canon
	c14n, err := canon.Canonicalize(env)
	if err != nil {
		return nil, fmt.Errorf("failed to canonicalise the envelope: %w", err)
	}
	envDigest := sha256.Sum256(c14n)

	sig := etree.NewElement(dsig.SignatureTag)
	sig.CreateAttr("xmlns", dsig.Namespace)
	si := sig.CreateElement(dsig.SignedInfoTag)
	si.CreateElement(dsig.CanonicalizationMethodTag).CreateAttr(dsig.AlgorithmAttr, string(canon.Algorithm()))
	si.CreateElement(dsig.SignatureMethodTag).CreateAttr(dsig.AlgorithmAttr, ctx.GetSignatureMethodIdentifier())
	ref := si.CreateElement(dsig.ReferenceTag)
	ref.CreateAttr(dsig.URIAttr, "")
	tr := ref.CreateElement(dsig.TransformsTag)
	tr.CreateElement(dsig.TransformTag).CreateAttr(dsig.AlgorithmAttr, string(dsig.EnvelopedSignatureAltorithmId))
	tr.CreateElement(dsig.TransformTag).CreateAttr(dsig.AlgorithmAttr, string(canon.Algorithm()))
	ref.CreateElement(dsig.DigestMethodTag).CreateAttr(dsig.AlgorithmAttr, ctx.GetDigestAlgorithmIdentifier())
	ref.CreateElement(dsig.DigestValueTag).SetText(base64.StdEncoding.EncodeToString(envDigest[:]))
	for _, a := range atts {
		r := si.CreateElement(dsig.ReferenceTag)
		r.CreateAttr(dsig.URIAttr, a.ContentID)
		r.CreateElement(dsig.DigestMethodTag).CreateAttr(dsig.AlgorithmAttr, digestSHA256)
		r.CreateElement(dsig.DigestValueTag).SetText(base64.StdEncoding.EncodeToString(a.SHA256))
	}
	// KeyInfo is signed too (Reference URI="#KeyInfo"), so that no byte of
	// the envelope, certificates included, can change unnoticed.
	keyInfo := sig.CreateElement(dsig.KeyInfoTag)
	keyInfo.CreateAttr("Id", keyInfoID)
	x509Data := keyInfo.CreateElement(dsig.X509DataTag)
	for _, c := range certs {
		x509Data.CreateElement(dsig.X509CertificateTag).SetText(base64.StdEncoding.EncodeToString(c))
	}
	kiDigest, err := digestKeyInfo(keyInfo)
	if err != nil {
		return nil, err
	}
	kr := si.CreateElement(dsig.ReferenceTag)
	kr.CreateAttr(dsig.URIAttr, "#"+keyInfoID)
	kr.CreateElement(dsig.TransformsTag).CreateElement(dsig.TransformTag).CreateAttr(dsig.AlgorithmAttr, string(canon.Algorithm()))
	kr.CreateElement(dsig.DigestMethodTag).CreateAttr(dsig.AlgorithmAttr, digestSHA256)
	kr.CreateElement(dsig.DigestValueTag).SetText(base64.StdEncoding.EncodeToString(kiDigest))

	canonSI, err := canonicalSignedInfo(si)
	if err != nil {
		return nil, err
	}
	value, err := ctx.SignString(string(canonSI))
	if err != nil {
		return nil, fmt.Errorf("failed to sign the package: %w", err)
	}
	if pub, ok := signer.Public().(*ecdsa.PublicKey); ok {
		if value, err = ecdsaDERToRaw(value, pub); err != nil {
			return nil, fmt.Errorf("failed to sign the package: %w", err)
		}
	}
	sv := etree.NewElement(dsig.SignatureValueTag)
	sv.SetText(base64.StdEncoding.EncodeToString(value))
	sig.InsertChildAt(keyInfo.Index(), sv)
	doc := etree.NewDocument()
	doc.SetRoot(sig)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, fmt.Errorf("failed to write the signature: %w", err)
	}
	return out, nil
}

// envelopeElement parses the envelope bytes inside a root carrying the
// root's namespace declarations (the writer's default one when rootNS is
// nil) and returns the envelope detached, with every namespace in scope
// declared on it, as the canonicaliser needs.
func envelopeElement(raw []byte, rootNS []etree.Attr) (*etree.Element, error) {
	var b bytes.Buffer
	b.WriteString("<edXML")
	if rootNS == nil {
		rootNS = []etree.Attr{{Key: "xmlns", Value: Namespace}}
	}
	for _, a := range rootNS {
		name := a.Key
		if a.Space != "" {
			name = a.Space + ":" + a.Key
		}
		b.WriteString(" " + name + `="`)
		b.WriteString(escapeAttr(a.Value))
		b.WriteString(`"`)
	}
	b.WriteString(">")
	b.Write(raw)
	b.WriteString("</edXML>")
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b.Bytes()); err != nil {
		return nil, err
	}
	kids := doc.Root().ChildElements()
	if len(kids) != 1 {
		return nil, fmt.Errorf("%w: the envelope does not read back as one element", ErrStructure)
	}
	ctx, err := etreeutils.NSBuildParentContext(kids[0])
	if err != nil {
		return nil, err
	}
	return etreeutils.NSDetatch(ctx, kids[0])
}

func escapeAttr(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

const keyInfoID = "KeyInfo"

// digestKeyInfo is the SHA-256 of the exclusive canonical form of KeyInfo
// in its Signature.
func digestKeyInfo(ki *etree.Element) ([]byte, error) {
	c, err := canonicalSignedInfo(ki)
	if err != nil {
		return nil, fmt.Errorf("failed to canonicalise KeyInfo: %w", err)
	}
	sum := sha256.Sum256(c)
	return sum[:], nil
}

// canonicalSignedInfo is the exclusive canonical form of SignedInfo in its
// Signature, the bytes the signature value covers.
func canonicalSignedInfo(si *etree.Element) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(si)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, si)
	if err != nil {
		return nil, err
	}
	return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
}

// checkKey refuses keys below RSA 2048 / ECDSA P-256 (DOMAIN §4).
func checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: RSA key of %d bits (at least 2048)", ErrAlgorithm, k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return fmt.Errorf("%w: ECDSA key of %d bits (at least 256)", ErrAlgorithm, k.Curve.Params().BitSize)
		}
	default:
		return fmt.Errorf("%w: key type %T", ErrAlgorithm, pub)
	}
	return nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	e, ok := a.(equaler)
	return ok && e.Equal(b)
}

// XML-DSig writes ECDSA signatures as r||s (RFC 4050); crypto.Signer and
// x509 use ASN.1 DER.
func ecdsaDERToRaw(der []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("bad ECDSA signature encoding")
	}
	size := (pub.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

func ecdsaRawToDER(raw []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(raw) != 2*size {
		return nil, fmt.Errorf("%w: ECDSA signature of %d bytes, want %d", ErrSignatureInvalid, len(raw), 2*size)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:size]), new(big.Int).SetBytes(raw[size:])})
}
