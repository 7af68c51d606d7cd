package hub

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"time"
)

// A client sends several requests on one connection, each checked against
// the database again (a certificate revoked while its connection is open
// is refused at once). The answer for a certificate is kept for
// authAge: a revocation made by another hub process reaches requests on
// connections already open here within that time; one made by this
// process, and every new handshake, at once.
const authAge = 2 * time.Second

type authCache struct {
	mu      sync.Mutex
	entries map[[32]byte]authEntry // by the certificate's SHA-256
}

type authEntry struct {
	code  string
	until time.Time
}

// authenticateRequest is Authenticate for a request on an open
// connection.
func (h *Hub) authenticateRequest(ctx context.Context, cert *x509.Certificate) (string, error) {
	// Kept by the whole certificate, not its serial: an answer is reused
	// only for the very certificate Authenticate checked (its name too).
	key, now := sha256.Sum256(cert.Raw), time.Now()
	h.auth.mu.Lock()
	e, ok := h.auth.entries[key]
	h.auth.mu.Unlock()
	if ok && now.Before(e.until) && !h.now().After(cert.NotAfter) {
		return e.code, nil
	}
	code, err := h.Authenticate(ctx, cert)
	if err != nil {
		return "", err
	}
	h.auth.mu.Lock()
	defer h.auth.mu.Unlock()
	if h.auth.entries == nil || len(h.auth.entries) > 10000 {
		h.auth.entries = map[[32]byte]authEntry{}
	}
	h.auth.entries[key] = authEntry{code: code, until: now.Add(authAge)}
	return code, nil
}

// forgetAuth drops every kept answer (after a revocation).
func (h *Hub) forgetAuth() {
	h.auth.mu.Lock()
	defer h.auth.mu.Unlock()
	h.auth.entries = nil
}
