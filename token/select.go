package token

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
)

// Selection says which module, token and certificate to use. Empty fields
// mean "the only one there is".
type Selection struct {
	Module string // module path; "" = $VANTHU_PKCS11_MODULE, then known modules
	Token  string // token label
	Cert   string // CKA_ID or serial number, hex
}

// Handle is an open, logged-in token with the chosen certificate's signer.
// One Handle serves a whole batch; Close logs out and finalises.
type Handle struct {
	Module  *Module
	Session *Session
	Token   TokenInfo
	Cert    Certificate
	Signer  *Signer
	// Chain is the signer's certificate followed by the CA certificates
	// found on the token that issue it, in order.
	Chain []*x509.Certificate
}

// Close logs out and releases the module.
func (h *Handle) Close() error {
	if h == nil || h.Module == nil {
		return nil
	}
	return h.Module.Close()
}

// OpenSigner loads the module, finds the token, logs in once and returns the
// signer for the selected certificate.
func OpenSigner(ctx context.Context, sel Selection, pins PINSource, lopts LoginOptions, getenv func(string) string) (*Handle, error) {
	path, err := Choose(sel.Module, getenv)
	if err != nil {
		return nil, err
	}
	m, err := Open(path)
	if err != nil {
		return nil, err
	}
	h, err := openSigner(ctx, m, sel, pins, lopts)
	if err != nil {
		_ = m.Close()
		return nil, err
	}
	return h, nil
}

func openSigner(ctx context.Context, m *Module, sel Selection, pins PINSource, lopts LoginOptions) (*Handle, error) {
	toks, err := m.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	ti, err := PickToken(toks, sel.Token)
	if err != nil {
		return nil, err
	}
	s, err := m.OpenSession(ctx, ti.SlotID)
	if err != nil {
		return nil, err
	}
	if err := s.Login(ctx, pins, lopts); err != nil {
		return nil, err
	}
	certs, err := s.Certificates(ctx)
	if err != nil {
		return nil, err
	}
	c, err := PickCertificate(certs, sel.Cert, time.Now())
	if err != nil {
		return nil, err
	}
	signer, err := s.Signer(ctx, c)
	if err != nil {
		return nil, err
	}
	return &Handle{Module: m, Session: s, Token: s.Token(), Cert: c, Signer: signer, Chain: BuildChain(c.X509, certs)}, nil
}

// PickToken returns the token with the given label, or the only initialised
// token when label is empty.
func PickToken(all []TokenInfo, label string) (TokenInfo, error) {
	var toks []TokenInfo
	for _, t := range all {
		if t.Flags.Initialized {
			toks = append(toks, t)
		}
	}
	if len(toks) == 0 {
		return TokenInfo{}, ErrNoToken
	}
	if label == "" {
		if len(toks) == 1 {
			return toks[0], nil
		}
		names := make([]string, len(toks))
		for i, t := range toks {
			names[i] = t.Label
		}
		return TokenInfo{}, fmt.Errorf("failed to choose a token among %s: %w", strings.Join(names, ", "), ErrAmbiguous)
	}
	for _, t := range toks {
		if t.Label == label {
			return t, nil
		}
	}
	return TokenInfo{}, fmt.Errorf("failed to find token %q: %w", label, ErrNoToken)
}

// PickCertificate returns the certificate matching sel (CKA_ID or serial in
// hex). With sel empty it returns the only certificate that has a private
// key, preferring one valid at now when several have keys.
func PickCertificate(certs []Certificate, sel string, now time.Time) (Certificate, error) {
	if sel != "" {
		for _, c := range certs {
			if c.Matches(sel) {
				if !c.HasPrivateKey {
					return c, fmt.Errorf("failed to use certificate %q: %w", c.X509.Subject.CommonName, ErrNoPrivateKey)
				}
				return c, nil
			}
		}
		return Certificate{}, fmt.Errorf("failed to find certificate %s: %w", sel, ErrCertNotFound)
	}
	var withKey, valid []Certificate
	for _, c := range certs {
		if !c.HasPrivateKey {
			continue
		}
		withKey = append(withKey, c)
		if c.ValidAt(now) {
			valid = append(valid, c)
		}
	}
	switch {
	case len(withKey) == 0 && len(certs) > 0:
		return Certificate{}, fmt.Errorf("failed to find a certificate with a private key: %w", ErrNoPrivateKey)
	case len(withKey) == 0:
		return Certificate{}, ErrCertNotFound
	case len(withKey) == 1:
		return withKey[0], nil
	case len(valid) == 1:
		return valid[0], nil
	}
	return Certificate{}, fmt.Errorf("failed to choose among %d certificates: %w", len(withKey), ErrAmbiguous)
}

// BuildChain returns leaf followed by the certificates from pool that issue
// it, one after another, as far as they go (stopping at a self-signed one).
func BuildChain(leaf *x509.Certificate, pool []Certificate) []*x509.Certificate {
	chain := []*x509.Certificate{leaf}
	cur := leaf
	for range 8 {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
			break
		}
		var next *x509.Certificate
		for _, c := range pool {
			if c.X509 == nil || c.X509.Equal(cur) || !c.X509.IsCA {
				continue
			}
			if bytes.Equal(c.X509.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c.X509) == nil {
				next = c.X509
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain
}
