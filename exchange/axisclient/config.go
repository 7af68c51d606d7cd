package axisclient

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/internal/fsutil"
)

// Files of the client's configuration folder for the axis.
const (
	// FileSecret holds the system's secret (mode 0600).
	FileSecret = "axis.secret"
	// FileCA holds the roots trusted for the endpoint, when it is not
	// publicly trusted (a vanthu hub's CA, which also signs its status 01).
	FileCA = "axis-ca.pem"
)

// EnrollOptions is what Enroll records.
type EnrollOptions struct {
	Endpoint   string
	SystemID   string
	Secret     []byte
	Agency     string // default: the system ID
	AgencyName string
	CAPEM      []byte // optional
	AllowHTTP  bool
}

// Enroll configures the installation in dir for an axis service:
// exchange.json names the endpoint, system ID and agency (a connection to
// a hub, if any, is replaced), the secret goes to axis.secret with mode
// 0600 and the trusted roots, if given, to axis-ca.pem.
func Enroll(dir string, o EnrollOptions) error {
	o.Endpoint, o.SystemID = strings.TrimSpace(o.Endpoint), strings.TrimSpace(o.SystemID)
	if o.Agency = strings.TrimSpace(o.Agency); o.Agency == "" {
		o.Agency = o.SystemID
	}
	u, err := url.Parse(o.Endpoint)
	switch {
	case err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("%w: axis endpoint %q (want https://host[:port][/path])", client.ErrBadConfig, o.Endpoint)
	case u.Scheme == "http" && !o.AllowHTTP:
		return fmt.Errorf("%w: axis endpoint %q is not TLS; packages would travel in the clear", client.ErrBadConfig, o.Endpoint)
	case o.SystemID == "":
		return fmt.Errorf("%w: the system ID is empty", client.ErrBadConfig)
	}
	secret := strings.TrimSpace(string(o.Secret))
	if secret == "" {
		return fmt.Errorf("%w: %w", client.ErrBadConfig, ErrNoSecret)
	}
	if len(o.CAPEM) > 0 {
		if _, err := hub.ParseCertsPEM(o.CAPEM); err != nil {
			return fmt.Errorf("%w: CA file: %w", client.ErrBadConfig, err)
		}
		if err := fsutil.WriteFile(filepath.Join(dir, FileCA), o.CAPEM, 0o644); err != nil {
			return err
		}
	} else if err := os.Remove(filepath.Join(dir, FileCA)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := fsutil.WriteFile(filepath.Join(dir, FileSecret), []byte(secret+"\n"), 0o600); err != nil {
		return err
	}
	return client.SaveConfig(dir, &client.Config{Agency: o.Agency, AgencyName: o.AgencyName, Axis: o.Endpoint,
		SystemID: o.SystemID, AxisAllowHTTP: o.AllowHTTP})
}

// LoadSecret reads dir's axis.secret.
func LoadSecret(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileSecret))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", client.ErrNotEnrolled, ErrNoSecret)
	}
	if err != nil {
		return nil, err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return nil, fmt.Errorf("%w: %w", client.ErrNotEnrolled, ErrNoSecret)
	}
	return []byte(s), nil
}

// LoadCA reads dir's axis-ca.pem; none when the file is missing.
func LoadCA(dir string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(filepath.Join(dir, FileCA))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	certs, err := hub.ParseCertsPEM(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", client.ErrBadConfig, FileCA, err)
	}
	return certs, nil
}

// Dial opens the transport of an installation enrolled with Enroll, its
// document ID map in stateDB.
func Dial(ctx context.Context, dir, stateDB string) (*Transport, *client.Config, error) {
	cfg, err := client.LoadConfig(dir)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Axis == "" {
		return nil, cfg, fmt.Errorf("%w: no axis endpoint configured", client.ErrNotEnrolled)
	}
	secret, err := LoadSecret(dir)
	if err != nil {
		return nil, cfg, err
	}
	cas, err := LoadCA(dir)
	if err != nil {
		return nil, cfg, err
	}
	t, err := New(ctx, Config{Endpoint: cfg.Axis, SystemID: cfg.SystemID, Secret: secret, Agency: cfg.Agency,
		RootCAs: cas, AllowHTTP: cfg.AxisAllowHTTP, StateDB: stateDB})
	return t, cfg, err
}
