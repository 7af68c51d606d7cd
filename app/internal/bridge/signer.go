package bridge

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/token"
)

// Unlock says how a login gets its PIN and what it may do at the token's
// final try.
type Unlock struct {
	// PINs gives the PIN (asked once; a wrong PIN is never retried).
	PINs token.PINSource
	// ConfirmFinalTry allows a login at the final try up front (the CLI's
	// --confirm-final-try).
	ConfirmFinalTry bool
	// AskFinalTry, when the token reports its final try and nothing was
	// confirmed up front, asks the user; true makes the one attempt.
	AskFinalTry func(ctx context.Context, t token.TokenInfo) bool
	// Warn is told the token's state before the login (count low, final
	// try, locked, PIN to be changed) so it can be shown first.
	Warn func(t token.TokenInfo)
}

// Signer is an unlocked key with its certificate chain: what a sign run
// needs. Close it when the run is over (it logs out).
type Signer struct {
	Key   crypto.Signer
	Chain []*x509.Certificate // leaf first
	Token token.TokenInfo
	// Demo: the key is the demo store's, and its signatures are marked
	// "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"; DemoRoot is the demo root to trust for
	// them (issue checks the approval with it).
	Demo     bool
	DemoRoot *x509.Certificate
	close    func()
}

// Cert is the signer's certificate.
func (s *Signer) Cert() *x509.Certificate { return s.Chain[0] }

// Close logs out and releases the token.
func (s *Signer) Close() {
	if s != nil && s.close != nil {
		s.close()
		s.close = nil
	}
}

// DataDir is where vanthu keeps the user's data (images, the demo store,
// the log): the given folder, else $VANTHU_DATA_DIR, else
// os.UserConfigDir()/vanthu.
func DataDir(given string, getenv func(string) string) (string, error) {
	if given != "" {
		return given, nil
	}
	if d := getenv("VANTHU_DATA_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("failed to find the user config dir: %w", err)
	}
	return filepath.Join(d, "vanthu"), nil
}

// OpenOptions say where a signer is opened from.
type OpenOptions struct {
	DataDir string              // the data folder (the demo store lives there)
	Getenv  func(string) string // for $VANTHU_PKCS11_MODULE and the known modules
	// TrustDir is the user's trust folder the chain is completed from
	// ("" = trust.DefaultUserDir()).
	TrustDir string
	// Warnf is told, as a catalogue key and its arguments, what the user
	// should know of the opening (an unreadable trust folder, an
	// incomplete chain).
	Warnf func(key string, args ...any)
}

// OpenSigner opens the token (or, with sel.Module == demo.Module, the demo
// store of the data folder), logs in once under the rules of u and returns
// the signer of the selected certificate, with the chain its signatures
// embed (see SigningChain).
func OpenSigner(ctx context.Context, sel token.Selection, u Unlock, o OpenOptions) (*Signer, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Warnf == nil {
		o.Warnf = func(string, ...any) {}
	}
	if sel.Module == demo.Module {
		return openDemo(ctx, sel, u, o.DataDir)
	}
	path, err := token.Choose(sel.Module, o.Getenv)
	if err != nil {
		return nil, err
	}
	m, err := token.Open(path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Signer, error) {
		_ = m.Close()
		return nil, err
	}
	toks, err := m.Tokens(ctx)
	if err != nil {
		return fail(err)
	}
	ti, err := token.PickToken(toks, sel.Token)
	if err != nil {
		return fail(err)
	}
	if u.Warn != nil {
		u.Warn(ti)
	}
	s, err := m.OpenSession(ctx, ti.SlotID)
	if err != nil {
		return fail(err)
	}
	if err := Login(ctx, u, ti, func(opts token.LoginOptions) error { return s.Login(ctx, u.PINs, opts) }); err != nil {
		return fail(err)
	}
	certs, err := s.Certificates(ctx)
	if err != nil {
		return fail(err)
	}
	c, err := token.PickCertificate(certs, sel.Cert, time.Now())
	if err != nil {
		return fail(err)
	}
	key, err := s.Signer(ctx, c)
	if err != nil {
		return fail(err)
	}
	chain := SigningChain(ctx, c.X509, certs, o.TrustDir, o.Warnf)
	return &Signer{Key: key, Chain: chain, Token: s.Token(), close: func() { _ = m.Close() }}, nil
}

// Login makes one login attempt through do; at the final try it asks (AskFinalTry)
// and, when confirmed, makes the one attempt that may lock the token.
func Login(ctx context.Context, u Unlock, ti token.TokenInfo, do func(token.LoginOptions) error) error {
	err := do(token.LoginOptions{ConfirmFinalTry: u.ConfirmFinalTry})
	if errors.Is(err, token.ErrPINFinalTry) && !u.ConfirmFinalTry && u.AskFinalTry != nil && u.AskFinalTry(ctx, ti) {
		err = do(token.LoginOptions{ConfirmFinalTry: true})
	}
	return err
}

func openDemo(ctx context.Context, sel token.Selection, u Unlock, dataDir string) (*Signer, error) {
	st, err := demo.Open(dataDir)
	if err != nil {
		return nil, err
	}
	ti := st.Info()
	if u.Warn != nil {
		u.Warn(ti)
	}
	if err := Login(ctx, u, ti, func(opts token.LoginOptions) error { return st.Login(ctx, u.PINs, opts) }); err != nil {
		return nil, err
	}
	key, chain, err := st.Signer(sel.Cert)
	if err != nil {
		return nil, err
	}
	return &Signer{Key: key, Chain: chain, Token: st.Info(), Demo: true, DemoRoot: st.Root()}, nil
}
