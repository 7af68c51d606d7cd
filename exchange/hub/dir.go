package hub

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vanthu/vanthu/internal/fsutil"
)

// Files of a hub folder (made by InitDir).
const (
	FileConfig     = "hub.json"
	FileCACert     = "ca.pem"
	FileCAKey      = "ca.key"
	FileServerCert = "server.pem"
	FileServerKey  = "server.key"
	FileSignerCert = "status-signer.pem"
	FileSignerKey  = "status-signer.key"
	FileDatabase   = "hub.db"
)

// DirConfig is hub.json.
type DirConfig struct {
	Name   string   `json:"name"`
	Hosts  []string `json:"hosts"`
	DB     string   `json:"db"` // PostgreSQL address or SQLite path (relative to the folder)
	Listen string   `json:"listen"`
	Limits Limits   `json:"limits"`
	// AxisListen, if set, is where the national axis's document service
	// (exchange/axishub) is served, for e-office systems using the axis
	// SDKs; AxisCert and AxisKey, if set, are its TLS certificate and key
	// (PEM files, relative to the folder; default the hub's server
	// certificate).
	AxisListen string `json:"axis_listen,omitempty"`
	AxisCert   string `json:"axis_cert,omitempty"`
	AxisKey    string `json:"axis_key,omitempty"`
}

// Dir is a loaded hub folder: the CA, the server's TLS certificate and the
// status signer.
type Dir struct {
	Path        string
	Config      DirConfig
	CA          *CA
	Server      tls.Certificate
	Signer      crypto.Signer
	SignerChain []*x509.Certificate
}

// DSN is the database address, with a relative SQLite path resolved.
func (d *Dir) DSN() string {
	if d.Config.DB == "" {
		return filepath.Join(d.Path, FileDatabase)
	}
	if !isAbsOrURL(d.Config.DB) {
		return filepath.Join(d.Path, d.Config.DB)
	}
	return d.Config.DB
}

func isAbsOrURL(s string) bool {
	return filepath.IsAbs(s) || len(s) > 0 && (containsScheme(s) || containsKV(s))
}

func containsScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return i > 1 // "postgres://", "file:"; not "C:" drive letters
		}
		if s[i] == '/' || s[i] == '\\' {
			return false
		}
	}
	return false
}

func containsKV(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '=' {
			return true
		}
	}
	return false
}

// InitDir makes a hub folder: a new CA named name, the server certificate
// for hosts, the status signer and hub.json. It refuses a folder that
// already holds a CA.
func InitDir(dir string, cfg DirConfig, now time.Time) (*Dir, error) {
	if _, err := os.Stat(filepath.Join(dir, FileCAKey)); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyInitialised, dir)
	}
	if cfg.Name == "" {
		cfg.Name = "vanthu hub"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create hub folder: %w", err)
	}
	ca, err := NewCA(cfg.Name, now)
	if err != nil {
		return nil, err
	}
	serverKey, serverCert, err := issueWithKey(func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return ca.IssueServer(pub, cfg.Hosts, now)
	})
	if err != nil {
		return nil, err
	}
	signerKey, signerCert, err := issueWithKey(func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return ca.IssueStatusSigner(pub, now)
	})
	if err != nil {
		return nil, err
	}
	conf, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		data []byte
		perm os.FileMode
	}{
		{FileCAKey, keyPEM(ca.Key), 0o600},
		{FileCACert, certPEM(ca.Cert), 0o644},
		{FileServerKey, keyPEM(serverKey), 0o600},
		{FileServerCert, certPEM(serverCert, ca.Cert), 0o644},
		{FileSignerKey, keyPEM(signerKey), 0o600},
		{FileSignerCert, certPEM(signerCert, ca.Cert), 0o644},
		{FileConfig, append(conf, '\n'), 0o600},
	} {
		if f.data == nil {
			return nil, errors.New("hub: failed to encode key")
		}
		if err := fsutil.WriteFile(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
			return nil, err
		}
	}
	return LoadDir(dir)
}

func issueWithKey(issue func(crypto.PublicKey) (*x509.Certificate, error)) (crypto.Signer, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	cert, err := issue(key.Public())
	return key, cert, err
}

func keyPEM(k crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func certPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// CertPEM encodes certificates as PEM.
func CertPEM(certs ...*x509.Certificate) []byte { return certPEM(certs...) }

// LoadDir loads a hub folder made by InitDir.
func LoadDir(dir string) (*Dir, error) {
	d := &Dir{Path: dir}
	raw, err := os.ReadFile(filepath.Join(dir, FileConfig))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s (run vanthu hub init)", ErrNotInitialised, dir)
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &d.Config); err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", FileConfig, err)
	}
	caCerts, err := readCerts(filepath.Join(dir, FileCACert))
	if err != nil {
		return nil, err
	}
	caKey, err := readKey(filepath.Join(dir, FileCAKey))
	if err != nil {
		return nil, err
	}
	d.CA = &CA{Cert: caCerts[0], Key: caKey}
	if d.Server, err = tls.LoadX509KeyPair(filepath.Join(dir, FileServerCert), filepath.Join(dir, FileServerKey)); err != nil {
		return nil, fmt.Errorf("failed to load the server certificate: %w", err)
	}
	if d.Signer, err = readKey(filepath.Join(dir, FileSignerKey)); err != nil {
		return nil, err
	}
	if d.SignerChain, err = readCerts(filepath.Join(dir, FileSignerCert)); err != nil {
		return nil, err
	}
	return d, nil
}

func readCerts(name string) ([]*x509.Certificate, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("failed to read certificate: %w", err)
	}
	certs, err := ParseCertsPEM(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return certs, nil
}

// ParseCertsPEM parses every certificate in a PEM bundle (at least one).
func ParseCertsPEM(raw []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, raw = pem.Decode(raw)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no certificate in PEM data")
	}
	return out, nil
}

func readKey(name string) (crypto.Signer, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("failed to read key: %w", err)
	}
	return ParseKeyPEM(raw)
}

// ParseKeyPEM parses a PKCS#8 private key.
func ParseKeyPEM(raw []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, errors.New("no PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("key type %T cannot sign", k)
	}
	return s, nil
}

// KeyPEM encodes a private key as PKCS#8 PEM.
func KeyPEM(k crypto.Signer) []byte { return keyPEM(k) }

// OpenHub opens the database of a hub folder (dsn overrides hub.json's)
// and returns the hub.
func (d *Dir) OpenHub(ctx context.Context, cfg Config) (*Hub, error) {
	if cfg.StatusSigner == nil {
		cfg.StatusSigner, cfg.StatusChain = d.Signer, d.SignerChain
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = d.Config.Limits
	}
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = filepath.Join(d.Path, "spool")
	}
	return New(ctx, cfg)
}
