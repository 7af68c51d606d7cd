// Package trust holds the certificates vanthu trusts: the bundled
// Vietnamese roots, roots the user adds, and (only when asked) the operating
// system's store. It builds and checks chains at a given time.
package trust

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vanthu/vanthu/assets"
)

// Role says how a certificate is used.
type Role string

// Roles.
const (
	RoleAnchor       Role = "anchor"       // trust anchor
	RoleIntermediate Role = "intermediate" // chain-building helper, not trusted by itself
)

// Cert is one certificate known to the store.
type Cert struct {
	Cert        *x509.Certificate
	Role        Role
	Source      string // "bundled:<file>", a file path, or "system"
	Fingerprint string // SHA-256, upper-case hex with colons
}

// Options controls Load.
type Options struct {
	// NoBundled skips the roots shipped in assets.
	NoBundled bool
	// UserDir is the user trust directory; empty means DefaultUserDir().
	// Set SkipUserDir to ignore it.
	UserDir     string
	SkipUserDir bool
	// Files are extra PEM files (e.g. --trust flags); every certificate in
	// them is a trust anchor.
	Files []string
	// System also trusts the operating system's store.
	System bool
}

// Store is a set of anchors and helpers. The zero value is not usable; use
// New or Load.
type Store struct {
	certs  []Cert
	seen   map[[32]byte]bool
	system *x509.CertPool
	chains chainCache // chains found before (chaincache.go)
}

// New returns an empty store.
func New() *Store { return &Store{seen: map[[32]byte]bool{}} }

// DefaultUserDir is os.UserConfigDir()/vanthu/trust.
func DefaultUserDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("failed to find the user config dir: %w", err)
	}
	return filepath.Join(d, "vanthu", "trust"), nil
}

// Load builds a store from the bundled roots, the user directory (missing
// is fine) and opts.Files (missing is an error).
func Load(ctx context.Context, opts Options) (*Store, error) {
	s := New()
	if !opts.NoBundled {
		if err := s.AddBundled(); err != nil {
			return nil, err
		}
	}
	if !opts.SkipUserDir {
		dir := opts.UserDir
		if dir == "" {
			d, err := DefaultUserDir()
			if err == nil {
				dir = d
			}
		}
		if dir != "" {
			entries, err := os.ReadDir(dir)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("failed to read trust dir %s: %w", dir, err)
			}
			for _, e := range entries {
				if e.IsDir() || !(strings.HasSuffix(e.Name(), ".pem") || strings.HasSuffix(e.Name(), ".crt") || strings.HasSuffix(e.Name(), ".cer")) {
					continue
				}
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				if err := s.AddFile(filepath.Join(dir, e.Name())); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, f := range opts.Files {
		if err := s.AddFile(f); err != nil {
			return nil, err
		}
	}
	if opts.System {
		p, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("failed to load the system trust store: %w", err)
		}
		s.system = p
	}
	return s, nil
}

// AddBundled adds the roots shipped in assets.TrustRoots: self-signed
// certificates as anchors, the others as helpers.
func (s *Store) AddBundled() error {
	entries, err := fs.ReadDir(assets.TrustRoots, "trust")
	if err != nil {
		return fmt.Errorf("failed to read bundled roots: %w", err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(assets.TrustRoots, path.Join("trust", e.Name()))
		if err != nil {
			return fmt.Errorf("failed to read bundled root %s: %w", e.Name(), err)
		}
		certs, err := ParsePEM(b)
		if err != nil {
			return fmt.Errorf("failed to parse bundled root %s: %w", e.Name(), err)
		}
		for _, c := range certs {
			role := RoleIntermediate
			if isSelfSigned(c) {
				role = RoleAnchor
			}
			s.Add(c, role, "bundled:"+e.Name())
		}
	}
	return nil
}

// AddFile adds every certificate of a PEM (or DER) file as an anchor.
func (s *Store) AddFile(name string) error {
	b, err := os.ReadFile(name)
	if err != nil {
		return fmt.Errorf("failed to read trust file: %w", err)
	}
	certs, err := ParsePEM(b)
	if err != nil {
		return fmt.Errorf("failed to parse trust file %s: %w", name, err)
	}
	for _, c := range certs {
		s.Add(c, RoleAnchor, name)
	}
	return nil
}

// Add adds one certificate. Adding the same certificate twice keeps the
// first role unless the new role is anchor.
func (s *Store) Add(c *x509.Certificate, role Role, source string) {
	s.chains.forget()
	fp := sha256.Sum256(c.Raw)
	if s.seen[fp] {
		if role == RoleAnchor {
			for i := range s.certs {
				if bytes.Equal(s.certs[i].Cert.Raw, c.Raw) {
					s.certs[i].Role = RoleAnchor
				}
			}
		}
		return
	}
	s.seen[fp] = true
	s.certs = append(s.certs, Cert{Cert: c, Role: role, Source: source, Fingerprint: Fingerprint(c)})
}

// Certs lists the store's certificates, anchors first.
func (s *Store) Certs() []Cert {
	out := append([]Cert(nil), s.certs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Role == RoleAnchor && out[j].Role != RoleAnchor })
	return out
}

// IsAnchor reports whether c is one of the store's anchors.
func (s *Store) IsAnchor(c *x509.Certificate) bool {
	for _, x := range s.certs {
		if x.Role == RoleAnchor && bytes.Equal(x.Cert.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// Verify builds a chain from leaf to an anchor, using the store's helpers
// and extraIntermediates, with every certificate valid at the time at. It
// returns the chains found (leaf first). Key usage is not checked here.
func (s *Store) Verify(leaf *x509.Certificate, extraIntermediates []*x509.Certificate, at time.Time) ([][]*x509.Certificate, error) {
	key := chainKey(leaf, extraIntermediates)
	if chains, ok := s.chains.get(key, at); ok {
		return chains, nil
	}
	chains, err := s.verify(leaf, extraIntermediates, at)
	if err == nil {
		s.chains.put(key, chains)
	}
	return chains, err
}

func (s *Store) verify(leaf *x509.Certificate, extraIntermediates []*x509.Certificate, at time.Time) ([][]*x509.Certificate, error) {
	roots := x509.NewCertPool()
	inter := x509.NewCertPool()
	n := 0
	for _, c := range s.certs {
		if c.Role == RoleAnchor {
			roots.AddCert(c.Cert)
			n++
		} else {
			inter.AddCert(c.Cert)
		}
	}
	for _, c := range extraIntermediates {
		inter.AddCert(c)
	}
	pools := []*x509.CertPool{}
	if n > 0 {
		pools = append(pools, roots)
	}
	if s.system != nil {
		pools = append(pools, s.system)
	}
	if len(pools) == 0 {
		return nil, ErrUntrusted
	}
	var firstErr error
	for _, p := range pools {
		chains, err := leaf.Verify(x509.VerifyOptions{
			Roots:         p,
			Intermediates: inter,
			CurrentTime:   at,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err == nil {
			return chains, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, classify(firstErr)
}

func classify(err error) error {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		if inv.Reason == x509.Expired {
			return fmt.Errorf("%w: %v", ErrExpired, err)
		}
		return fmt.Errorf("%w: %v", ErrInvalidChain, err)
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	return fmt.Errorf("%w: %v", ErrInvalidChain, err)
}

// ParsePEM parses every CERTIFICATE block; raw DER is accepted too.
func ParsePEM(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("failed to parse certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		if c, err := x509.ParseCertificate(b); err == nil {
			return []*x509.Certificate{c}, nil
		}
		return nil, ErrBadPEM
	}
	return out, nil
}

// Fingerprint returns the SHA-256 fingerprint as AA:BB:….
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	var b strings.Builder
	for i, x := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", x)
	}
	return b.String()
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}
