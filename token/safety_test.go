//go:build cgo

package token_test

import (
	"context"
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/token"
)

// alwaysAuthFixture is a token behind the PIN proxy (3 tries) holding the
// specialist's key with CKA_ALWAYS_AUTHENTICATE.
func alwaysAuthFixture(t *testing.T) (*fixture, *softhsmtest.PINProxy) {
	t.Helper()
	p := testpki.New(t)
	env := softhsmtest.NewEnv(t)
	tok, err := env.InitToken("always-auth")
	if err != nil {
		t.Fatal(err)
	}
	tok.MustImport(t, p.Specialist.Cert, p.Specialist.Key, idSpecialist, "ec", softhsmtest.ImportOptions{AlwaysAuthenticate: true})
	proxy := softhsmtest.NewPINProxy(t, env, 3)
	return &fixture{pki: p, tok: tok, mod: openModule(t, proxy.Module)}, proxy
}

func alwaysAuthSigner(t *testing.T, f *fixture, pins token.PINSource, opts token.LoginOptions) *token.Signer {
	t.Helper()
	s := f.session(t)
	if err := s.Login(context.Background(), pins, opts); err != nil {
		t.Fatal(err)
	}
	c := certByID(t, s, idSpecialist)
	if !c.AlwaysAuthenticate {
		t.Fatal("CKA_ALWAYS_AUTHENTICATE not read")
	}
	signer, err := s.Signer(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// TestWrongContextSpecificPINNeverRetried: a wrong per-signature PIN is a
// *PINError; the session never asks the PIN source again, so a batch that
// keeps signing cannot burn the remaining tries.
func TestWrongContextSpecificPINNeverRetried(t *testing.T) {
	f, proxy := alwaysAuthFixture(t)
	pins := &countingPIN{pin: f.tok.PIN, ctxPIN: "999999"}
	signer := alwaysAuthSigner(t, f, pins, token.LoginOptions{})
	d := digestOf(crypto.SHA256, "văn bản")
	for i := range 3 {
		_, err := signer.Sign(nil, d, crypto.SHA256)
		var pe *token.PINError
		if !errors.As(err, &pe) || !errors.Is(err, token.ErrPINIncorrect) {
			t.Fatalf("signature %d with a wrong context-specific PIN: %v, want *PINError wrapping ErrPINIncorrect", i, err)
		}
	}
	if n := pins.ctx.Load(); n != 1 {
		t.Errorf("context-specific PIN asked %d times, want 1", n)
	}
	if n := proxy.Failures(); n != 1 {
		t.Errorf("the token counted %d wrong PINs, want 1", n)
	}
}

// TestContextSpecificLoginChecksFlags: before a per-signature login the
// token's flags are read again: at the final try nothing is attempted
// without the explicit confirmation, a locked token is refused, and the
// PIN is not asked in either case.
func TestContextSpecificLoginChecksFlags(t *testing.T) {
	f, proxy := alwaysAuthFixture(t)
	d := digestOf(crypto.SHA256, "tờ trình")
	pins := &countingPIN{pin: f.tok.PIN}
	signer := alwaysAuthSigner(t, f, pins, token.LoginOptions{})
	proxy.SetFailures(t, 2) // wrong PINs typed elsewhere since the login
	if _, err := signer.Sign(nil, d, crypto.SHA256); !errors.Is(err, token.ErrPINFinalTry) {
		t.Fatalf("final try without confirmation: %v, want ErrPINFinalTry", err)
	}
	if pins.ctx.Load() != 0 || proxy.Failures() != 2 {
		t.Fatalf("final try: PIN asked %d times, failures %d", pins.ctx.Load(), proxy.Failures())
	}
	proxy.SetFailures(t, 3)
	if _, err := signer.Sign(nil, d, crypto.SHA256); !errors.Is(err, token.ErrPINLocked) {
		t.Fatalf("locked token: %v, want ErrPINLocked", err)
	}
	if pins.ctx.Load() != 0 {
		t.Fatal("PIN asked for a locked token")
	}

	// confirmed at login: the final try is made, and the right PIN resets the counter
	proxy.SetFailures(t, 0)
	confirmed := &countingPIN{pin: f.tok.PIN}
	signer = alwaysAuthSigner(t, f, confirmed, token.LoginOptions{ConfirmFinalTry: true})
	proxy.SetFailures(t, 2)
	sig, err := signer.Sign(nil, d, crypto.SHA256)
	if err != nil {
		t.Fatalf("confirmed final try: %v", err)
	}
	verify(t, signer.Public(), crypto.SHA256, d, sig, crypto.SHA256)
	if confirmed.ctx.Load() != 1 || proxy.Failures() != 0 {
		t.Fatalf("confirmed final try: asked %d, failures %d", confirmed.ctx.Load(), proxy.Failures())
	}
}

// TestInitializeOncePerLibraryFile: the same module file opened through a
// symbolic link and another spelling of its path is one library: one
// C_Initialize, and closing one Module does not finalise the library
// under the others.
func TestInitializeOncePerLibraryFile(t *testing.T) {
	p := testpki.New(t)
	env := softhsmtest.NewEnv(t)
	tok, err := env.InitToken("one-library")
	if err != nil {
		t.Fatal(err)
	}
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, idLeader, "leader", softhsmtest.ImportOptions{})
	proxy := softhsmtest.NewPINProxy(t, env, 3)
	link := filepath.Join(t.TempDir(), "vendor-pkcs11.so")
	if err := os.Symlink(proxy.Module, link); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(proxy.Module), ".", "..", filepath.Base(filepath.Dir(proxy.Module)), filepath.Base(proxy.Module))
	m1, err := token.Open(proxy.Module)
	if err != nil {
		t.Fatal(err)
	}
	m2 := openModule(t, link)
	m3, err := token.Open(other)
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := proxy.InitCalls(); i != 1 {
		t.Fatalf("C_Initialize called %d times for one library file, want 1", i)
	}
	f := &fixture{pki: p, tok: tok, mod: m2}
	s := f.loggedIn(t)
	signer, err := s.Signer(context.Background(), certByID(t, s, idLeader))
	if err != nil {
		t.Fatal(err)
	}
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m3.Close(); err != nil {
		t.Fatal(err)
	}
	if _, fin := proxy.InitCalls(); fin != 0 {
		t.Fatalf("C_Finalize called while a Module still uses the library")
	}
	if _, err := signer.Sign(nil, randomDigest(t, 32), crypto.SHA256); err != nil {
		t.Fatalf("signing after another Module of the same file was closed: %v", err)
	}
	if err := m2.Close(); err != nil {
		t.Fatal(err)
	}
	if i, fin := proxy.InitCalls(); i != 1 || fin != 1 {
		t.Fatalf("C_Initialize/C_Finalize = %d/%d after the last Close, want 1/1", i, fin)
	}
}

// TestClosingOneSessionKeepsOthersLoggedIn: a PKCS#11 login belongs to the
// token, not to a session; closing one session must not log out another
// one that is still signing.
func TestClosingOneSessionKeepsOthersLoggedIn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s1 := f.loggedIn(t)
	s2 := f.loggedIn(t)
	signer, err := s2.Signer(ctx, certByID(t, s2, idLeader))
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Sign(nil, randomDigest(t, 32), crypto.SHA256); err != nil {
		t.Fatalf("signing after another session on the token was closed: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	// the last session closed: the token is logged out
	s3 := f.session(t)
	for _, c := range mustCerts(t, s3) {
		if c.HasPrivateKey {
			t.Fatal("still logged in after the last session was closed")
		}
	}
}

func mustCerts(t *testing.T, s *token.Session) []token.Certificate {
	t.Helper()
	certs, err := s.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return certs
}
