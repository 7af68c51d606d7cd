package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vanthu/vanthu/internal/fsutil"
)

// Files of the client's configuration folder.
const (
	FileConfig = "exchange.json"
	FileKey    = "connection.key" // the agency's connection key: never leaves the machine
	FileCSR    = "connection.csr"
	FileCert   = "connection.pem"
	FileHubCA  = "hub-ca.pem"
)

// Config is the client's configuration (exchange.json in the user's config
// folder).
type Config struct {
	// Hub is the hub's address (https://host:port); empty means the
	// local, in-process hub in the data folder.
	Hub        string `json:"hub,omitempty"`
	Agency     string `json:"agency"`
	AgencyName string `json:"agency_name,omitempty"`
	// Axis, instead of Hub, is the endpoint of a national axis document
	// service (the national axis, a provincial platform or a hub's axis
	// door), reached with SystemID and the secret kept beside this file
	// (exchange/axisclient).
	Axis          string `json:"axis,omitempty"`
	SystemID      string `json:"system_id,omitempty"`
	AxisAllowHTTP bool   `json:"axis_allow_http,omitempty"`
}

// LoadConfig reads dir/exchange.json; a missing file is ErrNotEnrolled.
func LoadConfig(dir string) (*Config, error) {
	raw, err := os.ReadFile(filepath.Join(dir, FileConfig))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	var c Config
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadConfig, FileConfig, err)
	}
	return &c, nil
}

// SaveConfig writes dir/exchange.json atomically.
func SaveConfig(dir string, c *Config) error {
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return fsutil.WriteFile(filepath.Join(dir, FileConfig), append(raw, '\n'), 0o600)
}

// Enroll starts an enrolment: it makes the agency's connection key (ECDSA
// P-256, file mode 0600, kept in dir) and a certificate request for the
// hub administrator, and records the hub and agency in exchange.json. It
// returns the request in PEM. An existing key is kept (a second enrolment
// asks again for the same key).
func Enroll(dir, hubURL, code, name string) ([]byte, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, fmt.Errorf("%w: agency code is empty", ErrBadConfig)
	}
	if hubURL != "" && !strings.HasPrefix(hubURL, "https://") {
		return nil, fmt.Errorf("%w: hub address %q must start with https://", ErrBadConfig, hubURL)
	}
	keyPath := filepath.Join(dir, FileKey)
	key, err := loadKey(keyPath)
	if errors.Is(err, os.ErrNotExist) {
		k, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		der, merr := x509.MarshalPKCS8PrivateKey(k)
		if merr != nil {
			return nil, merr
		}
		if err := fsutil.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		key, err = k, nil
	}
	if err != nil {
		return nil, err
	}
	subj := pkix.Name{CommonName: code}
	if name != "" {
		subj.Organization = []string{name}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subj}, key)
	if err != nil {
		return nil, fmt.Errorf("failed to make the certificate request: %w", err)
	}
	csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	if err := fsutil.WriteFile(filepath.Join(dir, FileCSR), csr, 0o644); err != nil {
		return nil, err
	}
	if err := SaveConfig(dir, &Config{Hub: hubURL, Agency: code, AgencyName: name}); err != nil {
		return nil, err
	}
	return csr, nil
}

func loadKey(path string) (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, fmt.Errorf("%w: %s holds no key", ErrBadConfig, path)
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadConfig, path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: %s: unexpected key type %T", ErrBadConfig, path, k)
	}
	return ek, nil
}

// Install completes an enrolment with the bundle the hub administrator
// returned (the agency's certificate, then the hub's CA certificate): the
// certificate must be for this installation's key and agency.
func Install(dir string, bundle []byte) (*x509.Certificate, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for rest := bundle; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
			}
			certs = append(certs, c)
		}
	}
	if len(certs) < 2 {
		return nil, fmt.Errorf("%w: the bundle must hold the agency's certificate and the hub's CA certificate", ErrBadConfig)
	}
	leaf, ca := certs[0], certs[len(certs)-1]
	key, err := loadKey(filepath.Join(dir, FileKey))
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(leaf.PublicKey) {
		return nil, fmt.Errorf("%w: the certificate is not for this installation's connection key", ErrBadConfig)
	}
	if leaf.Subject.CommonName != cfg.Agency {
		return nil, fmt.Errorf("%w: the certificate is for agency %q, this installation is %q", ErrBadConfig, leaf.Subject.CommonName, cfg.Agency)
	}
	if err := leaf.CheckSignatureFrom(ca); err != nil {
		return nil, fmt.Errorf("%w: the certificate is not issued by the bundled hub CA: %w", ErrBadConfig, err)
	}
	if err := fsutil.WriteFile(filepath.Join(dir, FileCert), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), 0o644); err != nil {
		return nil, err
	}
	if err := fsutil.WriteFile(filepath.Join(dir, FileHubCA), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o644); err != nil {
		return nil, err
	}
	if len(leaf.Subject.Organization) > 0 && cfg.AgencyName == "" {
		cfg.AgencyName = leaf.Subject.Organization[0]
		if err := SaveConfig(dir, cfg); err != nil {
			return nil, err
		}
	}
	return leaf, nil
}

// LoadTLS loads the installed connection certificate, its key and the
// hub's CA.
func LoadTLS(dir string) (tls.Certificate, []*x509.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, FileCert), filepath.Join(dir, FileKey))
	if errors.Is(err, os.ErrNotExist) {
		return tls.Certificate{}, nil, fmt.Errorf("%w: no connection certificate installed (vanthu enroll --install)", ErrNotEnrolled)
	}
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, FileHubCA))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("%w: hub CA: %w", ErrNotEnrolled, err)
	}
	var cas []*x509.Certificate
	for rest := raw; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return tls.Certificate{}, nil, fmt.Errorf("%w: hub CA: %w", ErrBadConfig, err)
		}
		cas = append(cas, c)
	}
	return cert, cas, nil
}

// Dial is NewHTTPTransport from an enrolled configuration folder.
func Dial(dir string) (*HTTPTransport, *Config, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Hub == "" {
		return nil, cfg, fmt.Errorf("%w: no hub address configured", ErrNotEnrolled)
	}
	cert, cas, err := LoadTLS(dir)
	if err != nil {
		return nil, cfg, err
	}
	t, err := NewHTTPTransport(cfg.Hub, cert, cas)
	return t, cfg, err
}
