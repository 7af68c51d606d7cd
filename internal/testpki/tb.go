package testpki

import "testing"

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
