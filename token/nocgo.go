//go:build !cgo

package token

import (
	"context"
	"crypto"
	"io"
)

// Module is unavailable without cgo; every operation returns ErrNoCgo.
type Module struct{}

// Session is unavailable without cgo.
type Session struct{}

// Signer is unavailable without cgo.
type Signer struct{}

// Open returns ErrNoCgo: PKCS#11 modules are C libraries.
func Open(path string) (*Module, error) {
	if err := checkModuleFile(path); err != nil {
		return nil, err
	}
	return nil, &ModuleError{Path: path, Err: ErrModuleNotLoadable, Reason: ErrNoCgo.Error()}
}

func (m *Module) Path() string                                { return "" }
func (m *Module) Info() (string, string, error)               { return "", "", ErrNoCgo }
func (m *Module) Close() error                                { return nil }
func (m *Module) Tokens(context.Context) ([]TokenInfo, error) { return nil, ErrNoCgo }
func (m *Module) OpenSession(context.Context, uint) (*Session, error) {
	return nil, ErrNoCgo
}

func (s *Session) Token() TokenInfo                                     { return TokenInfo{} }
func (s *Session) Refresh(context.Context) (TokenInfo, error)           { return TokenInfo{}, ErrNoCgo }
func (s *Session) SupportsPSS() bool                                    { return false }
func (s *Session) LoggedIn() bool                                       { return false }
func (s *Session) Login(context.Context, PINSource, LoginOptions) error { return ErrNoCgo }
func (s *Session) Close() error                                         { return nil }
func (s *Session) Certificates(context.Context) ([]Certificate, error) {
	return nil, ErrNoCgo
}
func (s *Session) Signer(context.Context, Certificate) (*Signer, error) { return nil, ErrNoCgo }

func (k *Signer) Public() crypto.PublicKey { return nil }
func (k *Signer) Certificate() Certificate { return Certificate{} }
func (k *Signer) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNoCgo
}
func (k *Signer) SignContext(context.Context, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, ErrNoCgo
}
