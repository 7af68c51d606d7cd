package edxml

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"golang.org/x/text/unicode/norm"

	"github.com/vanthu/vanthu/signing/trust"
)

// VerifyOptions control Verify.
type VerifyOptions struct {
	// Trust is the trust store the signer must chain to (required).
	Trust *trust.Store
	// Now is the time the certificates must be valid at (default time.Now).
	Now func() time.Time
	// AllowUnmatchedOrganization accepts a signer whose certificate names
	// neither the From agency code nor its name (the result says so). A
	// certificate that names another agency code is always refused.
	AllowUnmatchedOrganization bool
	// AgencyOf, when set, names the agency a signer certificate belongs to
	// (for example the hub's registry of organisation certificates). When it
	// knows the certificate, its answer decides: From/OrganId must equal
	// it. A name match cannot bind an OrganId; this can.
	AgencyOf func(*x509.Certificate) (code string, ok bool)
}

// OrgMatch says how the signer was matched to the From organisation.
type OrgMatch int

// Matches.
const (
	MatchNone     OrgMatch = iota // allowed only with AllowUnmatchedOrganization
	MatchCode                     // the certificate holds From's agency code
	MatchName                     // the certificate's CN or O is From's OrganName or OrganizationInCharge
	MatchRegistry                 // VerifyOptions.AgencyOf names From's agency
)

func (m OrgMatch) String() string {
	switch m {
	case MatchCode:
		return "code"
	case MatchName:
		return "name"
	case MatchRegistry:
		return "registry"
	}
	return "none"
}

// Signer describes a verified package signature.
type Signer struct {
	Certificate     *x509.Certificate
	Chain           []*x509.Certificate // leaf first, to the trust anchor
	SignatureMethod string
	Match           OrgMatch
}

// Verify checks the XML-DSig signature of a package read by Parse:
//   - exactly one ds:Signature, in edXMLHeader, whose SignedInfo uses
//     exclusive (or inclusive 1.0/1.1) canonicalisation, RSA or ECDSA with
//     SHA-256/384/512 (SHA-1 is refused), and holds exactly one Reference
//     URI="" (transforms: enveloped-signature, then a canonicalisation) and
//     one Reference URI="cid:…" per manifest attachment, SHA-256, nothing else;
//   - the signature value over SignedInfo and the envelope digest, with
//     goxmldsig, against the first X509Certificate of KeyInfo;
//   - that certificate chains to opts.Trust at opts.Now (the other
//     X509Certificates may serve as intermediates), has a key usage fit for
//     signing and a key of at least RSA 2048 / ECDSA 256 bits;
//   - each attachment's SHA-256, computed while Parse decoded it, equals its
//     Reference's digest;
//   - the envelope goxmldsig verified reads back to the same model as the
//     one Parse returned (no parser differential);
//   - the signer is the From organisation: if opts.AgencyOf knows the
//     certificate, its agency must be From's OrganId; else a certificate
//     subject attribute holding an agency code must be From's OrganId;
//     otherwise its CN or O must equal From's OrganName or
//     OrganizationInCharge (case, spacing, Unicode form and "UBND"
//     abbreviations aside), unless AllowUnmatchedOrganization. A name
//     match says nothing about OrganId: a hub must also bind the sender
//     (its mutual-TLS identity, or AgencyOf) to From.
//
// Revocation (OCSP/CRL) of the signer is not checked here.
func Verify(ctx context.Context, pkg *Package, opts VerifyOptions) (*Signer, error) {
	if pkg == nil || pkg.env == nil || !pkg.digested {
		return nil, ErrNotParsed
	}
	if opts.Trust == nil {
		return nil, fmt.Errorf("%w: no trust store", ErrSignerUntrusted)
	}
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	env, err := envelopeElement(pkg.env.raw, etreeAttrs(pkg.env.rootNS))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignatureInvalid, err)
	}
	if env.SelectAttr(dsig.DefaultIdAttr) != nil {
		return nil, fmt.Errorf("%w: the envelope has an ID attribute", ErrSignatureInvalid)
	}
	sig, err := findSignature(env)
	if err != nil {
		return nil, err
	}
	method, cidRefs, err := checkSignedInfo(sig, pkg.Attachments)
	if err != nil {
		return nil, err
	}
	certs, err := keyInfoCerts(sig)
	if err != nil {
		return nil, err
	}
	leaf := certs[0]
	if err := checkKey(leaf.PublicKey); err != nil {
		return nil, err
	}
	chains, err := opts.Trust.Verify(leaf, certs[1:], now)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignerUntrusted, err)
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, fmt.Errorf("%w: the certificate's key usage does not allow signing", ErrSignerUntrusted)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); ok {
		if err := ecdsaValueToDER(sig, pub); err != nil {
			return nil, err
		}
	}
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{leaf}})
	vctx.Clock = dsig.NewFakeClockAt(now)
	verified, err := vctx.Validate(env)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSignatureInvalid, err)
	}
	for i, a := range pkg.Attachments {
		if subtle.ConstantTimeCompare(cidRefs[i], a.SHA256) != 1 {
			return nil, fmt.Errorf("%w: attachment %q does not match its signed digest", ErrSignatureInvalid, a.ContentID)
		}
	}
	if err := sameAsSigned(pkg, verified); err != nil {
		return nil, err
	}
	var match OrgMatch
	if code, ok := agencyOf(opts, leaf); ok {
		if code != pkg.From().OrganID {
			return nil, fmt.Errorf("%w: the certificate belongs to %s, the package is from %s", ErrSignerMismatch, code, pkg.From().OrganID)
		}
		match = MatchRegistry
	} else if match, err = matchOrganization(leaf, pkg.From()); err != nil {
		return nil, err
	}
	if match == MatchNone && !opts.AllowUnmatchedOrganization {
		return nil, fmt.Errorf("%w: the certificate (%s) names neither %s nor %q", ErrSignerMismatch, leaf.Subject, pkg.From().OrganID, pkg.From().OrganName)
	}
	return &Signer{Certificate: leaf, Chain: chains[0], SignatureMethod: method, Match: match}, nil
}

func agencyOf(opts VerifyOptions, c *x509.Certificate) (string, bool) {
	if opts.AgencyOf == nil {
		return "", false
	}
	return opts.AgencyOf(c)
}

func etreeAttrs(as []xml.Attr) []etree.Attr {
	out := make([]etree.Attr, 0, len(as))
	for _, a := range as {
		if a.Name.Space == "xmlns" {
			out = append(out, etree.Attr{Space: "xmlns", Key: a.Name.Local, Value: a.Value})
		} else {
			out = append(out, etree.Attr{Key: "xmlns", Value: a.Value})
		}
	}
	return out
}

// findSignature returns the one Signature element, which must be an
// XML-DSig Signature child of edXMLHeader.
func findSignature(env *etree.Element) (*etree.Element, error) {
	var found []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for _, c := range e.ChildElements() {
			if c.Tag == dsig.SignatureTag {
				found = append(found, c)
			}
			walk(c)
		}
	}
	walk(env)
	switch {
	case len(found) == 0:
		return nil, ErrUnsigned
	case len(found) > 1:
		return nil, fmt.Errorf("%w: %d Signature elements", ErrSignatureInvalid, len(found))
	}
	sig := found[0]
	if sig.NamespaceURI() != dsig.Namespace {
		return nil, fmt.Errorf("%w: the Signature element is not XML-DSig (namespace %q)", ErrUnsigned, sig.NamespaceURI())
	}
	if p := sig.Parent(); p == nil || p.Tag != "edXMLHeader" || p.Parent() != env {
		return nil, fmt.Errorf("%w: the Signature is not in edXMLHeader", ErrSignatureInvalid)
	}
	return sig, nil
}

func dsChildren(e *etree.Element, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == dsig.Namespace {
			out = append(out, c)
		}
	}
	return out
}

func dsChild(e *etree.Element, tag string) (*etree.Element, error) {
	c := dsChildren(e, tag)
	if len(c) != 1 {
		return nil, fmt.Errorf("%w: %d %s in %s", ErrSignatureInvalid, len(c), tag, e.Tag)
	}
	return c[0], nil
}

var (
	acceptedC14N = map[string]bool{
		string(dsig.CanonicalXML10ExclusiveAlgorithmId): true,
		string(dsig.CanonicalXML10RecAlgorithmId):       true,
		string(dsig.CanonicalXML11AlgorithmId):          true,
	}
	acceptedMethods = map[string]bool{
		dsig.RSASHA256SignatureMethod: true, dsig.RSASHA384SignatureMethod: true, dsig.RSASHA512SignatureMethod: true,
		dsig.ECDSASHA256SignatureMethod: true, dsig.ECDSASHA384SignatureMethod: true, dsig.ECDSASHA512SignatureMethod: true,
	}
	acceptedDigests = map[string]bool{
		"http://www.w3.org/2001/04/xmlenc#sha256": true, "http://www.w3.org/2001/04/xmldsig-more#sha384": true,
		"http://www.w3.org/2001/04/xmlenc#sha512": true,
	}
)

// checkSignedInfo checks the SignedInfo profile and returns the signature
// method and, per attachment, its signed SHA-256.
func checkSignedInfo(sig *etree.Element, atts []Attachment) (string, [][]byte, error) {
	si, err := dsChild(sig, dsig.SignedInfoTag)
	if err != nil {
		return "", nil, err
	}
	for _, tag := range []string{dsig.SignatureValueTag} {
		if _, err := dsChild(sig, tag); err != nil {
			return "", nil, err
		}
	}
	cm, err := dsChild(si, dsig.CanonicalizationMethodTag)
	if err != nil {
		return "", nil, err
	}
	if a := cm.SelectAttrValue(dsig.AlgorithmAttr, ""); !acceptedC14N[a] {
		return "", nil, fmt.Errorf("%w: canonicalisation %q", ErrAlgorithm, a)
	}
	sm, err := dsChild(si, dsig.SignatureMethodTag)
	if err != nil {
		return "", nil, err
	}
	method := sm.SelectAttrValue(dsig.AlgorithmAttr, "")
	if !acceptedMethods[method] {
		return "", nil, fmt.Errorf("%w: signature method %q", ErrAlgorithm, method)
	}
	index := map[string]int{}
	for i, a := range atts {
		index[a.ContentID] = i
	}
	digests := make([][]byte, len(atts))
	envRefs, keyInfoRefs := 0, 0
	for n, ref := range dsChildren(si, dsig.ReferenceTag) {
		uri := ref.SelectAttrValue(dsig.URIAttr, "\x00")
		dm, err := dsChild(ref, dsig.DigestMethodTag)
		if err != nil {
			return "", nil, err
		}
		alg := dm.SelectAttrValue(dsig.AlgorithmAttr, "")
		dv, err := dsChild(ref, dsig.DigestValueTag)
		if err != nil {
			return "", nil, err
		}
		value, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(dv.Text()), ""))
		if err != nil {
			return "", nil, fmt.Errorf("%w: DigestValue is not base64", ErrSignatureInvalid)
		}
		switch {
		case uri == "":
			if n != 0 {
				return "", nil, fmt.Errorf("%w: the envelope Reference is not the first", ErrSignatureInvalid)
			}
			envRefs++
			if !acceptedDigests[alg] {
				return "", nil, fmt.Errorf("%w: envelope digest %q", ErrAlgorithm, alg)
			}
			if err := checkEnvelopeTransforms(ref); err != nil {
				return "", nil, err
			}
		case strings.HasPrefix(uri, "cid:"):
			i, ok := index[uri]
			if !ok {
				return "", nil, fmt.Errorf("%w: Reference %q is not in the manifest", ErrSignatureInvalid, uri)
			}
			if digests[i] != nil {
				return "", nil, fmt.Errorf("%w: Reference %q twice", ErrSignatureInvalid, uri)
			}
			if alg != digestSHA256 {
				return "", nil, fmt.Errorf("%w: attachment digest %q", ErrAlgorithm, alg)
			}
			if len(dsChildren(ref, dsig.TransformsTag)) > 0 {
				return "", nil, fmt.Errorf("%w: transforms on attachment Reference %q", ErrSignatureInvalid, uri)
			}
			digests[i] = value
		case strings.HasPrefix(uri, "#"):
			keyInfoRefs++
			if err := checkKeyInfoRef(sig, ref, uri, alg, value); err != nil {
				return "", nil, err
			}
		default:
			return "", nil, fmt.Errorf("%w: Reference URI %q", ErrSignatureInvalid, uri)
		}
	}
	if envRefs != 1 || keyInfoRefs > 1 {
		return "", nil, fmt.Errorf("%w: %d References to the envelope", ErrSignatureInvalid, envRefs)
	}
	for i, d := range digests {
		if d == nil {
			return "", nil, fmt.Errorf("%w: attachment %q is not signed", ErrSignatureInvalid, atts[i].ContentID)
		}
	}
	return method, digests, nil
}

func checkEnvelopeTransforms(ref *etree.Element) error {
	ts, err := dsChild(ref, dsig.TransformsTag)
	if err != nil {
		return err
	}
	list := dsChildren(ts, dsig.TransformTag)
	if len(list) != 2 || len(ts.ChildElements()) != 2 ||
		list[0].SelectAttrValue(dsig.AlgorithmAttr, "") != string(dsig.EnvelopedSignatureAltorithmId) ||
		!acceptedC14N[list[1].SelectAttrValue(dsig.AlgorithmAttr, "")] || len(list[1].ChildElements()) != 0 {
		return fmt.Errorf("%w: the envelope Reference's transforms are not enveloped-signature + canonicalisation", ErrSignatureInvalid)
	}
	return nil
}

// checkKeyInfoRef checks a Reference to the Signature's KeyInfo: the one
// element it may point at, exclusive canonicalisation, SHA-256.
func checkKeyInfoRef(sig, ref *etree.Element, uri, alg string, digest []byte) error {
	ki, err := dsChild(sig, dsig.KeyInfoTag)
	if err != nil {
		return err
	}
	if ki.SelectAttrValue("Id", "") != uri[1:] {
		return fmt.Errorf("%w: Reference %q is not the KeyInfo", ErrSignatureInvalid, uri)
	}
	ts, err := dsChild(ref, dsig.TransformsTag)
	if err != nil {
		return err
	}
	list := dsChildren(ts, dsig.TransformTag)
	if len(list) != 1 || len(ts.ChildElements()) != 1 || list[0].SelectAttrValue(dsig.AlgorithmAttr, "") != string(dsig.CanonicalXML10ExclusiveAlgorithmId) || len(list[0].ChildElements()) != 0 {
		return fmt.Errorf("%w: the KeyInfo Reference's transform is not exclusive canonicalisation", ErrSignatureInvalid)
	}
	if alg != digestSHA256 {
		return fmt.Errorf("%w: KeyInfo digest %q", ErrAlgorithm, alg)
	}
	got, err := digestKeyInfo(ki)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, digest) != 1 {
		return fmt.Errorf("%w: KeyInfo does not match its signed digest", ErrSignatureInvalid)
	}
	return nil
}

const maxCerts = 10

func keyInfoCerts(sig *etree.Element) ([]*x509.Certificate, error) {
	ki, err := dsChild(sig, dsig.KeyInfoTag)
	if err != nil {
		return nil, err
	}
	xd, err := dsChild(ki, dsig.X509DataTag)
	if err != nil {
		return nil, err
	}
	els := dsChildren(xd, dsig.X509CertificateTag)
	if len(els) == 0 || len(els) > maxCerts {
		return nil, fmt.Errorf("%w: %d X509Certificate elements", ErrSignatureInvalid, len(els))
	}
	var out []*x509.Certificate
	for _, e := range els {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(e.Text()), ""))
		if err != nil {
			return nil, fmt.Errorf("%w: X509Certificate is not base64", ErrSignatureInvalid)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, fmt.Errorf("%w: X509Certificate: %v", ErrSignatureInvalid, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// ecdsaValueToDER rewrites an r||s SignatureValue as DER for goxmldsig,
// which checks with x509. The SignatureValue is outside every digest.
func ecdsaValueToDER(sig *etree.Element, pub *ecdsa.PublicKey) error {
	sv, err := dsChild(sig, dsig.SignatureValueTag)
	if err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(sv.Text()), ""))
	if err != nil {
		return fmt.Errorf("%w: SignatureValue is not base64", ErrSignatureInvalid)
	}
	der, err := ecdsaRawToDER(raw, pub)
	if err != nil {
		return err
	}
	sv.SetText(base64.StdEncoding.EncodeToString(der))
	return nil
}

// sameAsSigned parses the envelope goxmldsig verified and compares it
// with the model Parse built from the stream.
func sameAsSigned(pkg *Package, verified *etree.Element) error {
	doc := etree.NewDocument()
	doc.SetRoot(verified)
	raw, err := doc.WriteToBytes()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSignatureInvalid, err)
	}
	var b bytes.Buffer
	b.WriteString(`<edXML xmlns="` + Namespace + `">`)
	b.Write(raw)
	b.WriteString(`</edXML>`)
	signed, err := parseEnvelopeOnly(b.Bytes())
	if err != nil {
		return fmt.Errorf("%w: the signed envelope does not read back: %v", ErrSignatureInvalid, err)
	}
	strip := func(as []Attachment) []Attachment {
		out := make([]Attachment, len(as))
		for i, a := range as {
			out[i] = Attachment{ContentID: a.ContentID, Name: a.Name, Description: a.Description, ContentType: a.ContentType}
		}
		return out
	}
	if signed.Kind != pkg.Kind || !reflect.DeepEqual(signed.Header, pkg.Header) || !reflect.DeepEqual(signed.Status, pkg.Status) ||
		!reflect.DeepEqual(signed.Trace, pkg.Trace) || !reflect.DeepEqual(strip(signed.Attachments), strip(pkg.Attachments)) {
		return fmt.Errorf("%w: the signed envelope differs from the one read", ErrSignatureInvalid)
	}
	return nil
}

func parseEnvelopeOnly(b []byte) (*Package, error) {
	p, err := parseWith(context.Background(), bytes.NewReader(b), Options{}, true, true)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// matchOrganization compares the signer certificate with From.
func matchOrganization(cert *x509.Certificate, from Organization) (OrgMatch, error) {
	var codes []string
	for _, n := range cert.Subject.Names {
		s, ok := n.Value.(string)
		if !ok {
			continue
		}
		for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.')
		}) {
			if strings.Contains(tok, ".") && CheckAgencyCode(tok) == nil {
				codes = append(codes, tok)
			}
		}
	}
	if len(codes) > 0 {
		for _, c := range codes {
			if c == from.OrganID {
				return MatchCode, nil
			}
		}
		return MatchNone, fmt.Errorf("%w: the certificate names agency %s, the package is from %s", ErrSignerMismatch, strings.Join(codes, ", "), from.OrganID)
	}
	names := []string{cert.Subject.CommonName}
	names = append(names, cert.Subject.Organization...)
	for _, n := range names {
		nn := normalizeName(n)
		if nn == "" {
			continue
		}
		if nn == normalizeName(from.OrganName) || nn == normalizeName(from.OrganizationInCharge) {
			return MatchName, nil
		}
	}
	return MatchNone, nil
}

// normalizeName folds case, spacing, Unicode form and the usual
// abbreviations so that "UBND TỈNH NGHỆ AN" matches "Ủy ban nhân dân tỉnh Nghệ An".
func normalizeName(s string) string {
	s = strings.ToLower(norm.NFC.String(s))
	s = strings.Join(strings.Fields(s), " ")
	for _, r := range [][2]string{{"uỷ", "ủy"}, {"ubnd", "ủy ban nhân dân"}, {"hđnd", "hội đồng nhân dân"}, {"tp.", "thành phố "}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return strings.Join(strings.Fields(s), " ")
}
