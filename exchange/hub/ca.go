package hub

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// CA is the hub's certificate authority: it issues the hub's server and
// status-signing certificates and the agencies' client certificates. Its
// certificates are trusted only for connections to this hub.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Validity of what the CA issues.
const (
	caValidity     = 20 * 365 * 24 * time.Hour
	clientValidity = 2 * 365 * 24 * time.Hour
	serverValidity = 5 * 365 * 24 * time.Hour
)

// NewCA makes a CA with a fresh ECDSA P-256 key.
func NewCA(name string, now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name + " — CA", Organization: []string{name}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	cert, err := sign(tmpl, key.Public(), nil, key)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

// sign issues tmpl for pub, signed by parent (self-signed when nil).
func sign(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, key crypto.Signer) (*x509.Certificate, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = sn
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("failed to issue certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// IssueServer issues the hub's TLS server certificate for hosts (names or
// IP addresses; localhost and 127.0.0.1 are always added).
func (ca *CA) IssueServer(pub crypto.PublicKey, hosts []string, now time.Time) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "vanthu hub", Organization: ca.Cert.Subject.Organization},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(serverValidity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	seen := map[string]bool{}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		h = strings.TrimSpace(h)
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	return sign(tmpl, pub, ca.Cert, ca.Key)
}

// IssueStatusSigner issues the certificate with which the hub signs the
// status 01 packages it emits.
func (ca *CA) IssueStatusSigner(pub crypto.PublicKey, now time.Time) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "vanthu hub status signer", Organization: ca.Cert.Subject.Organization},
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.Add(serverValidity),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	return sign(tmpl, pub, ca.Cert, ca.Key)
}

// IssueClient issues an agency's connection certificate for the key of
// the certificate request csrDER: CN is the agency code, O its name,
// extended key usage client authentication only.
func (ca *CA) IssueClient(csrDER []byte, code, name string, now time.Time, validity time.Duration) (*x509.Certificate, error) {
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCSR, err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: signature: %w", ErrBadCSR, err)
	}
	if err := checkKey(csr.PublicKey); err != nil {
		return nil, err
	}
	if csr.Subject.CommonName != "" && csr.Subject.CommonName != code {
		return nil, fmt.Errorf("%w: the request is for agency %q, not %q", ErrBadCSR, csr.Subject.CommonName, code)
	}
	if validity <= 0 {
		validity = clientValidity
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: code, Organization: []string{name}},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.Add(validity),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	return sign(tmpl, csr.PublicKey, ca.Cert, ca.Key)
}

func checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%w: RSA key of %d bits (at least 2048)", ErrBadCSR, k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return fmt.Errorf("%w: ECDSA key of %d bits (at least 256)", ErrBadCSR, k.Curve.Params().BitSize)
		}
	default:
		return fmt.Errorf("%w: unsupported key type %T", ErrBadCSR, pub)
	}
	return nil
}

// SerialHex is a certificate's serial number as lowercase hex, the form the
// hub stores.
func SerialHex(c *x509.Certificate) string { return hex.EncodeToString(c.SerialNumber.Bytes()) }

// Fingerprint is the SHA-256 of a certificate, hex.
func Fingerprint(c *x509.Certificate) string {
	s := sha256.Sum256(c.Raw)
	return hex.EncodeToString(s[:])
}
