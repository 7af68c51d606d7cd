package testpki

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// New creates a PKI for a test: NewPKI, Close on cleanup, Fatal on error.
// Safe for parallel tests.
func New(tb testing.TB, opts ...Option) *PKI {
	tb.Helper()
	p, err := NewPKI(opts...)
	if err != nil {
		tb.Fatalf("testpki.NewPKI: %v", err)
	}
	tb.Cleanup(func() { _ = p.Close() })
	return p
}

// MustIssue is Issue that fails the test on error.
func (p *PKI) MustIssue(tb testing.TB, spec Spec) *Identity {
	tb.Helper()
	id, err := p.Issue(spec)
	if err != nil {
		tb.Fatalf("testpki.Issue(%q): %v", spec.CommonName, err)
	}
	return id
}

var shared struct {
	once sync.Once
	pki  *PKI
	err  error
}

// Shared returns one PKI for the whole test binary (key generation is
// expensive on a shared machine), with keys cached on disk across runs in
// os.TempDir()/vanthu-testpki-keys. It is never closed: its servers live
// as long as the test binary. Tests that inject failures or move the clock
// use New instead.
func Shared(tb testing.TB) *PKI {
	tb.Helper()
	shared.once.Do(func() {
		shared.pki, shared.err = NewPKI(WithKeyCache(filepath.Join(os.TempDir(), "vanthu-testpki-keys")))
	})
	if shared.err != nil {
		tb.Fatalf("testpki: %v", shared.err)
	}
	return shared.pki
}
