// Package testpki builds a realistic, self-contained test PKI that mirrors
// the Vietnamese government CA hierarchy (Ban Cơ yếu Chính phủ): a root CA,
// an issuing CA for state agencies, a time-stamping authority, a delegated
// OCSP responder and ready-made staff/organisation certificates, together
// with loopback OCSP, CRL, CA-issuers and RFC 3161 TSA HTTP servers.
//
// The core does not import package testing, so it can also be used by demo
// programs; New and MustIssue (tb.go) are thin helpers for tests.
//
// Keys of the fixed identities are generated once per process and shared by
// all PKIs; certificates (random serials) are issued per PKI.
package testpki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Names of the fixed hierarchy.
const (
	GovOrganization    = "Ban Cơ yếu Chính phủ"
	RootCommonName     = "TEST RootCA chuyên dùng Chính phủ G2"
	CACommonName       = "TEST CA phục vụ các cơ quan Nhà nước G2"
	TSACommonName      = "TEST TSA chuyên dùng Chính phủ"
	OCSPCommonName     = "TEST OCSP CA phục vụ các cơ quan Nhà nước G2"
	DefaultProvince    = "Đắk Lắk"
	DefaultLocality    = "Buôn Ma Thuột"
	DefaultLeaderOrg   = "Ủy ban nhân dân tỉnh Đắk Lắk"
	DefaultSealOrg     = "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"
	DefaultDirectorOrg = "Sở Nội vụ tỉnh Đắk Lắk"
)

// Test OIDs (private enterprise arc 99999, not registered to anybody real).
var (
	// TSAPolicy is the policy OID put into every time-stamp token.
	TSAPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}
	// PolicyPersonal is the certificate policy of personal (staff) certificates.
	PolicyPersonal = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2, 1}
	// PolicyOrganisation is the certificate policy of organisation (seal) certificates.
	PolicyOrganisation = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 2, 2}
	// PolicyCA is the policy asserted by the CA certificates (anyPolicy).
	PolicyCA = asn1.ObjectIdentifier{2, 5, 29, 32, 0}

	// OIDDocumentSigning is Microsoft's document-signing EKU, added to the
	// default leaf EKUs.
	OIDDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 12}

	oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidTitle        = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidUID          = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidOCSPNoCheck  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	oidExtKeyUsage  = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidEKUTimeStamp = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
)

// CRL reason codes (RFC 5280 5.3.1) for Revoke.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonCACompromise         = 2
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
	ReasonCertificateHold      = 6
)

// Identity is a certificate with its software private key.
type Identity struct {
	Cert  *x509.Certificate
	Key   crypto.Signer       // nil when issued for an external public key (Spec.PublicKey)
	Chain []*x509.Certificate // issuers from the intermediate up to and including the root; leaf excluded
}

// CertPEM returns the certificate PEM-encoded.
func (id *Identity) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: id.Cert.Raw})
}

// KeyPKCS8PEM returns the private key as PKCS#8 PEM, or nil if there is no
// exportable software key.
func (id *Identity) KeyPKCS8PEM() []byte {
	if id.Key == nil {
		return nil
	}
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// ChainWithLeaf returns leaf, intermediate, root.
func (id *Identity) ChainWithLeaf() []*x509.Certificate {
	out := make([]*x509.Certificate, 0, 1+len(id.Chain))
	out = append(out, id.Cert)
	return append(out, id.Chain...)
}

// Spec describes a certificate to issue from the intermediate CA.
type Spec struct {
	CommonName, Organization, OrganizationalUnit, Locality, Province, Email, Title string

	// UserID, when set, is put in the subject as UID (0.9.2342.19200300.100.1.1),
	// as the real CA does with e.g. "CCCD:066090001234".
	UserID string

	Key                 KeyType   // default RSA2048
	NotBefore, NotAfter time.Time // default now-1h .. now+2y (clock-relative)
	KeyUsage            x509.KeyUsage
	// ExtKeyUsage defaults to emailProtection, clientAuth (+ document signing
	// 1.3.6.1.4.1.311.10.3.12) when both ExtKeyUsage and UnknownExtKeyUsage are nil.
	ExtKeyUsage        []x509.ExtKeyUsage
	UnknownExtKeyUsage []asn1.ObjectIdentifier
	// Policies defaults to PolicyPersonal (PolicyOrganisation for Organisation).
	Policies []asn1.ObjectIdentifier

	Organisation     bool // organisation (seal) certificate: subject has no person, CN = organisation name
	NoRevocationInfo bool // omit AIA/CRL DP

	// KeyID, when set, makes the private key process-wide: every Spec with the
	// same KeyID and Key type gets the same key (saves keygen time).
	KeyID string
	// PublicKey, when set, certifies this externally held key (e.g. one
	// generated on a PKCS#11 token); Identity.Key is then nil.
	PublicKey crypto.PublicKey
}

// Option configures NewPKI.
type Option func(*config)

type config struct {
	now       func() time.Time
	keyCache  string
	freshKeys bool
}

// WithClock makes every "now" computation (certificate validity, OCSP, CRL
// and TSA times) use now instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithKeyCache caches the keys of the fixed identities on disk (PKCS#8 PEM)
// in dir so that repeated runs skip key generation.
func WithKeyCache(dir string) Option {
	return func(c *config) { c.keyCache = dir }
}

// WithFreshKeys gives this PKI its own newly generated keys instead of the
// process-wide ones (slower: one RSA-4096 root plus the other roles). Use it
// for "untrusted CA" tests: by default every PKI in a process shares keys and
// names, so chains of one PKI also verify against another PKI's root.
func WithFreshKeys() Option {
	return func(c *config) { c.freshKeys = true }
}

// Service identifies one of the loopback servers.
type Service int

// Services for SetDelay, SetDown and Hits.
const (
	ServiceOCSP Service = iota
	ServiceCRL
	ServiceTSA
	ServiceCAIssuers
	numServices
)

func (s Service) String() string {
	switch s {
	case ServiceOCSP:
		return "OCSP"
	case ServiceCRL:
		return "CRL"
	case ServiceTSA:
		return "TSA"
	case ServiceCAIssuers:
		return "CAIssuers"
	}
	return fmt.Sprintf("Service(%d)", int(s))
}

type serviceState struct {
	delay atomic.Int64 // time.Duration
	down  atomic.Bool
	hits  atomic.Int64
}

type revocation struct {
	serial *big.Int
	at     time.Time
	reason int
}

// PKI is a running test PKI. All methods are safe for concurrent use.
type PKI struct {
	Root, Intermediate, TSA, OCSPSigner *Identity

	BaseURL            string // http://127.0.0.1:PORT
	OCSPURL            string // OCSP responder (intermediate-issued certs via OCSPSigner, the intermediate via the root)
	CRLURL             string // CRL of the intermediate CA (leaf revocation)
	IntermediateCRLURL string // CRL of the root CA (covers the intermediate)
	TSAURL             string // RFC 3161 time-stamping
	CAIssuersURL       string // intermediate certificate, DER
	RootCertURL        string // root certificate, DER

	// ready-made identities
	Leader     *Identity // "Nguyễn Văn Ánh", Chủ tịch, Ủy ban nhân dân tỉnh Đắk Lắk / Văn phòng, RSA-2048
	Director   *Identity // "Lê Thị Hồng Nhung", Giám đốc, Sở Nội vụ tỉnh Đắk Lắk, RSA-4096
	Specialist *Identity // "Trần Thị Bích Ngọc", Chuyên viên, ECDSA P-256
	Org        *Identity // organisation certificate "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK", RSA-2048
	Expired    *Identity // "Phạm Quốc Hùng", valid 2 years ago to 1 month ago
	Revoked    *Identity // "Hoàng Minh Đức", revoked 24 h ago (keyCompromise)
	WrongUsage *Identity // "Vũ Thị Lan", KeyUsage keyEncipherment only

	cfg      config
	ln       net.Listener
	srv      *http.Server
	services [numServices]serviceState
	closed   sync.Once
	closeErr error

	mu          sync.Mutex
	issued      map[string]*x509.Certificate // by serial (intermediate-issued)
	revokedCA   map[string]revocation        // revoked by the intermediate
	revokedRoot map[string]revocation        // revoked by the root
	crlNumCA    int64
	crlNumRoot  int64
	tsaSerial   atomic.Int64
	keys        map[string]crypto.Signer // fixed-role keys, read-only after NewPKI
}

// Roles of the process-wide keys of the fixed identities.
var fixedKeys = []struct {
	role string
	kt   KeyType
}{
	{"root", RSA4096},
	{"ca", RSA2048},
	{"tsa", RSA2048},
	{"ocsp", RSA2048},
	{"leader", RSA2048},
	{"director", RSA4096},
	{"specialist", ECP256},
	{"org", RSA2048},
	{"expired", RSA2048},
	{"revoked", RSA2048},
	{"wrongusage", RSA2048},
}

func (c *config) roleKey(role string, kt KeyType) (crypto.Signer, error) {
	if c.freshKeys {
		return GenerateKey(kt)
	}
	return SharedKey("testpki-"+role, kt, c.keyCache)
}

// NewPKI generates the hierarchy and starts the OCSP, CRL, CA-issuers and
// TSA HTTP servers on 127.0.0.1. Call Close when done.
func NewPKI(opts ...Option) (*PKI, error) {
	p := &PKI{
		issued:      map[string]*x509.Certificate{},
		revokedCA:   map[string]revocation{},
		revokedRoot: map[string]revocation{},
	}
	p.cfg.now = time.Now
	for _, o := range opts {
		o(&p.cfg)
	}

	// Generate (or fetch) the fixed keys in parallel.
	var wg sync.WaitGroup
	errs := make([]error, len(fixedKeys))
	keys := make([]crypto.Signer, len(fixedKeys))
	for i := range fixedKeys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = p.cfg.roleKey(fixedKeys[i].role, fixedKeys[i].kt)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	p.keys = map[string]crypto.Signer{}
	for i, f := range fixedKeys {
		p.keys[f.role] = keys[i]
	}

	// Servers must listen before certificates embed their URLs.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testpki: listen: %w", err)
	}
	p.ln = ln
	p.BaseURL = "http://" + ln.Addr().String()
	p.OCSPURL = p.BaseURL + "/ocsp"
	p.CRLURL = p.BaseURL + "/crl/ca-g2.crl"
	p.IntermediateCRLURL = p.BaseURL + "/crl/root-g2.crl"
	p.TSAURL = p.BaseURL + "/tsa"
	p.CAIssuersURL = p.BaseURL + "/certs/ca-g2.cer"
	p.RootCertURL = p.BaseURL + "/certs/root-g2.cer"

	if err := p.buildHierarchy(); err != nil {
		ln.Close()
		return nil, err
	}
	if err := p.buildIdentities(); err != nil {
		ln.Close()
		return nil, err
	}

	p.srv = &http.Server{Handler: p.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// Close stops the servers (in-flight requests are aborted).
func (p *PKI) Close() error {
	p.closed.Do(func() {
		if p.srv != nil {
			p.closeErr = p.srv.Close()
		} else if p.ln != nil {
			p.closeErr = p.ln.Close()
		}
	})
	return p.closeErr
}

func (p *PKI) now() time.Time { return p.cfg.now() }

func randomSerial() (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	b[0] = b[0]&0x7f | 0x40 // positive, always 16 bytes
	return new(big.Int).SetBytes(b), nil
}

func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	h := sha1.Sum(info.PublicKey.Bytes) // RFC 5280 4.2.1.2 method (1)
	return h[:], nil
}

// create signs tmpl for pub with parent/parentKey (self-signed when parent is nil).
func create(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	if tmpl.SubjectKeyId == nil {
		if tmpl.SubjectKeyId, err = subjectKeyID(pub); err != nil {
			return nil, err
		}
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, fmt.Errorf("testpki: create certificate %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// policies converts OIDs for x509.Certificate.Policies (Go >= 1.24 encodes
// Policies, not PolicyIdentifiers).
func policies(oids ...asn1.ObjectIdentifier) ([]x509.OID, error) {
	out := make([]x509.OID, 0, len(oids))
	for _, o := range oids {
		ints := make([]uint64, len(o))
		for i, v := range o {
			if v < 0 {
				return nil, fmt.Errorf("testpki: bad policy OID %v", o)
			}
			ints[i] = uint64(v)
		}
		x, err := x509.OIDFromInts(ints)
		if err != nil {
			return nil, fmt.Errorf("testpki: bad policy OID %v: %w", o, err)
		}
		out = append(out, x)
	}
	return out, nil
}

func mustPolicies(oids ...asn1.ObjectIdentifier) []x509.OID {
	p, err := policies(oids...)
	if err != nil {
		panic(err)
	}
	return p
}

func govName(cn string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{GovOrganization}, Country: []string{"VN"}}
}

func (p *PKI) buildHierarchy() error {
	now := p.now()
	// CA validity starts well in the past so that Expired (2 years ago)
	// can be verified at a time inside its validity.
	caStart := now.AddDate(-5, 0, 0)

	rootKey := p.keys["root"]
	root, err := create(&x509.Certificate{
		Subject:               govName(RootCommonName),
		NotBefore:             caStart,
		NotAfter:              caStart.AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}, rootKey.Public(), nil, rootKey)
	if err != nil {
		return err
	}
	p.Root = &Identity{Cert: root, Key: rootKey, Chain: []*x509.Certificate{}}

	caKey := p.keys["ca"]
	ca, err := create(&x509.Certificate{
		Subject:               govName(CACommonName),
		NotBefore:             caStart,
		NotAfter:              caStart.AddDate(15, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		OCSPServer:            []string{p.OCSPURL},
		IssuingCertificateURL: []string{p.RootCertURL},
		CRLDistributionPoints: []string{p.IntermediateCRLURL},
		Policies:              mustPolicies(PolicyCA),
	}, caKey.Public(), root, rootKey)
	if err != nil {
		return err
	}
	p.Intermediate = &Identity{Cert: ca, Key: caKey, Chain: []*x509.Certificate{root}}
	chain := []*x509.Certificate{ca, root}

	tsaKey := p.keys["tsa"]
	tsaEKU, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidEKUTimeStamp})
	tsa, err := create(&x509.Certificate{
		Subject:               govName(TSACommonName),
		NotBefore:             now.AddDate(-3, 0, 0),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
		OCSPServer:            []string{p.OCSPURL},
		IssuingCertificateURL: []string{p.CAIssuersURL},
		CRLDistributionPoints: []string{p.CRLURL},
		Policies:              mustPolicies(PolicyOrganisation),
		// RFC 3161 2.3: the EKU must be critical and contain only timeStamping.
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: tsaEKU}},
	}, tsaKey.Public(), ca, caKey)
	if err != nil {
		return err
	}
	p.TSA = &Identity{Cert: tsa, Key: tsaKey, Chain: chain}

	ocspKey := p.keys["ocsp"]
	ocspCert, err := create(&x509.Certificate{
		Subject:               govName(OCSPCommonName),
		NotBefore:             now.AddDate(-3, 0, 0),
		NotAfter:              now.AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		BasicConstraintsValid: true,
		ExtraExtensions:       []pkix.Extension{{Id: oidOCSPNoCheck, Value: []byte{0x05, 0x00}}},
	}, ocspKey.Public(), ca, caKey)
	if err != nil {
		return err
	}
	p.OCSPSigner = &Identity{Cert: ocspCert, Key: ocspKey, Chain: chain}

	p.mu.Lock()
	for _, c := range []*x509.Certificate{tsa, ocspCert} {
		p.issued[c.SerialNumber.String()] = c
	}
	p.mu.Unlock()
	return nil
}

func (p *PKI) buildIdentities() error {
	now := p.now()
	type def struct {
		dst  **Identity
		role string
		spec Spec
	}
	defs := []def{
		{&p.Leader, "leader", Spec{
			CommonName: "Nguyễn Văn Ánh", Title: "Chủ tịch",
			Organization: DefaultLeaderOrg, OrganizationalUnit: "Văn phòng",
			Email: "nvanh@daklak.gov.vn", UserID: "CCCD:066080001234",
		}},
		{&p.Director, "director", Spec{
			CommonName: "Lê Thị Hồng Nhung", Title: "Giám đốc",
			Organization: DefaultDirectorOrg, OrganizationalUnit: "Ban Giám đốc",
			Email: "lthnhung@daklak.gov.vn", Key: RSA4096, UserID: "CCCD:066185005678",
		}},
		{&p.Specialist, "specialist", Spec{
			CommonName: "Trần Thị Bích Ngọc", Title: "Chuyên viên",
			Organization: DefaultDirectorOrg, OrganizationalUnit: "Phòng Công chức, viên chức",
			Email: "ttbngoc@daklak.gov.vn", Key: ECP256,
		}},
		{&p.Org, "org", Spec{
			CommonName: DefaultSealOrg, Organization: DefaultSealOrg,
			Email: "ubnd@daklak.gov.vn", Organisation: true,
		}},
		{&p.Expired, "expired", Spec{
			CommonName: "Phạm Quốc Hùng", Title: "Phó Chủ tịch",
			Organization: DefaultLeaderOrg, OrganizationalUnit: "Văn phòng",
			Email:     "pqhung@daklak.gov.vn",
			NotBefore: now.AddDate(-2, 0, 0), NotAfter: now.AddDate(0, -1, 0),
		}},
		{&p.Revoked, "revoked", Spec{
			CommonName: "Hoàng Minh Đức", Title: "Phó Giám đốc",
			Organization: DefaultDirectorOrg, OrganizationalUnit: "Ban Giám đốc",
			Email: "hmduc@daklak.gov.vn",
		}},
		{&p.WrongUsage, "wrongusage", Spec{
			CommonName: "Vũ Thị Lan", Title: "Văn thư",
			Organization: DefaultLeaderOrg, OrganizationalUnit: "Văn phòng",
			Email: "vtlan@daklak.gov.vn", KeyUsage: x509.KeyUsageKeyEncipherment,
		}},
	}
	for _, d := range defs {
		id, err := p.issue(d.spec, p.keys[d.role])
		if err != nil {
			return err
		}
		*d.dst = id
	}
	p.Revoke(p.Revoked.Cert, now.Add(-24*time.Hour), ReasonKeyCompromise)
	return nil
}

// Issue issues a certificate from the intermediate CA. A fresh key is
// generated unless Spec.KeyID or Spec.PublicKey is set.
func (p *PKI) Issue(spec Spec) (*Identity, error) {
	if spec.PublicKey != nil {
		return p.issue(spec, nil)
	}
	var key crypto.Signer
	var err error
	if spec.KeyID != "" {
		key, err = SharedKey("spec-"+spec.KeyID, spec.Key, "")
	} else {
		key, err = GenerateKey(spec.Key)
	}
	if err != nil {
		return nil, err
	}
	return p.issue(spec, key)
}

func (p *PKI) issue(spec Spec, key crypto.Signer) (*Identity, error) {
	pub := spec.PublicKey
	if pub == nil {
		pub = key.Public()
	}
	now := p.now()
	if spec.CommonName == "" && spec.Organisation {
		spec.CommonName = spec.Organization
	}
	if spec.CommonName == "" {
		return nil, errors.New("testpki: Spec.CommonName is required")
	}
	if spec.Province == "" {
		spec.Province = DefaultProvince
	}
	if spec.Locality == "" {
		spec.Locality = DefaultLocality
	}
	if spec.NotBefore.IsZero() {
		spec.NotBefore = now.Add(-time.Hour)
	}
	if spec.NotAfter.IsZero() {
		spec.NotAfter = now.AddDate(2, 0, 0)
	}
	if spec.KeyUsage == 0 {
		spec.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	}
	if spec.ExtKeyUsage == nil && spec.UnknownExtKeyUsage == nil {
		spec.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth}
		spec.UnknownExtKeyUsage = []asn1.ObjectIdentifier{OIDDocumentSigning}
	}
	if spec.Policies == nil {
		if spec.Organisation {
			spec.Policies = []asn1.ObjectIdentifier{PolicyOrganisation}
		} else {
			spec.Policies = []asn1.ObjectIdentifier{PolicyPersonal}
		}
	}

	name := pkix.Name{
		CommonName: spec.CommonName,
		Country:    []string{"VN"},
		Province:   []string{spec.Province},
		Locality:   []string{spec.Locality},
	}
	if spec.Organization != "" {
		name.Organization = []string{spec.Organization}
	}
	if spec.OrganizationalUnit != "" {
		name.OrganizationalUnit = []string{spec.OrganizationalUnit}
	}
	if spec.Title != "" && !spec.Organisation {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidTitle, Value: spec.Title})
	}
	if spec.UserID != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oidUID, Value: spec.UserID})
	}
	if spec.Email != "" {
		// emailAddress is an IA5String (RFC 5280 appendix A.1).
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{
			Type:  oidEmailAddress,
			Value: asn1.RawValue{Tag: asn1.TagIA5String, Class: asn1.ClassUniversal, Bytes: []byte(spec.Email)},
		})
	}

	var err error
	tmpl := &x509.Certificate{
		Subject:               name,
		NotBefore:             spec.NotBefore,
		NotAfter:              spec.NotAfter,
		KeyUsage:              spec.KeyUsage,
		ExtKeyUsage:           spec.ExtKeyUsage,
		UnknownExtKeyUsage:    spec.UnknownExtKeyUsage,
		BasicConstraintsValid: true,
	}
	if tmpl.Policies, err = policies(spec.Policies...); err != nil {
		return nil, err
	}
	if spec.Email != "" {
		tmpl.EmailAddresses = []string{spec.Email}
	}
	if !spec.NoRevocationInfo {
		tmpl.OCSPServer = []string{p.OCSPURL}
		tmpl.IssuingCertificateURL = []string{p.CAIssuersURL}
		tmpl.CRLDistributionPoints = []string{p.CRLURL}
	}
	cert, err := create(tmpl, pub, p.Intermediate.Cert, p.Intermediate.Key)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.issued[cert.SerialNumber.String()] = cert
	p.mu.Unlock()
	return &Identity{Cert: cert, Key: key, Chain: []*x509.Certificate{p.Intermediate.Cert, p.Root.Cert}}, nil
}

// Revoke marks cert as revoked at the given time with the given RFC 5280
// reason code. It affects OCSP answers and the next CRL immediately.
// Certificates issued by the root (the intermediate) go to the root's CRL.
func (p *PKI) Revoke(cert *x509.Certificate, at time.Time, reason int) {
	r := revocation{serial: new(big.Int).Set(cert.SerialNumber), at: at, reason: reason}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.issuedByRoot(cert) {
		p.revokedRoot[r.serial.String()] = r
	} else {
		p.revokedCA[r.serial.String()] = r
	}
}

func (p *PKI) issuedByRoot(cert *x509.Certificate) bool {
	return bytes.Equal(cert.RawIssuer, p.Root.Cert.RawSubject) &&
		bytes.Equal(cert.AuthorityKeyId, p.Root.Cert.SubjectKeyId)
}

// RootPool returns a new pool holding the root certificate.
func (p *PKI) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root.Cert)
	return pool
}

// IntermediatePool returns a new pool holding the intermediate certificate.
func (p *PKI) IntermediatePool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Intermediate.Cert)
	return pool
}

// VerifyOptions returns x509.VerifyOptions for this PKI at time t (the
// clock's now when t is zero), accepting any EKU.
func (p *PKI) VerifyOptions(t time.Time) x509.VerifyOptions {
	if t.IsZero() {
		t = p.now()
	}
	return x509.VerifyOptions{
		Roots:         p.RootPool(),
		Intermediates: p.IntermediatePool(),
		CurrentTime:   t,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
}

// Now returns the PKI clock's current time.
func (p *PKI) Now() time.Time { return p.now() }

// SetDelay makes the service wait d before answering (0 disables).
func (p *PKI) SetDelay(service Service, d time.Duration) {
	if s := p.service(service); s != nil {
		s.delay.Store(int64(d))
	}
}

// SetDown makes the service answer HTTP 503 while down is true.
func (p *PKI) SetDown(service Service, down bool) {
	if s := p.service(service); s != nil {
		s.down.Store(down)
	}
}

// Hits returns the number of requests the service received (including
// requests answered 503 or aborted during a delay).
func (p *PKI) Hits(service Service) int {
	if s := p.service(service); s != nil {
		return int(s.hits.Load())
	}
	return 0
}

func (p *PKI) service(s Service) *serviceState {
	if s < 0 || s >= numServices {
		return nil
	}
	return &p.services[s]
}
