//go:build cgo

package token_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/token"
)

// Fixed CKA_IDs of the objects newFixture imports.
var (
	idLeader     = []byte{0x01}
	idDirector   = []byte{0x02}
	idSpecialist = []byte{0x03}
	idCA         = []byte{0xca}
)

const fixtureLabel = "UBND Đắk Lắk" // UTF-8, 15 bytes: within CKA_LABEL's 32

type fixture struct {
	pki *testpki.PKI
	tok *softhsmtest.Token
	mod *token.Module
}

// newFixture creates a SoftHSM2 token with the leader's RSA-2048, the
// director's RSA-4096 and the specialist's ECDSA P-256 keys and
// certificates, plus the intermediate CA certificate, and opens the module.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	p := testpki.New(t)
	tok := softhsmtest.NewToken(t, fixtureLabel)
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, idLeader, "Nguyễn Văn Ánh", softhsmtest.ImportOptions{})
	tok.MustImport(t, p.Director.Cert, p.Director.Key, idDirector, "Lê Thị Hồng Nhung", softhsmtest.ImportOptions{})
	tok.MustImport(t, p.Specialist.Cert, p.Specialist.Key, idSpecialist, "Trần Thị Bích Ngọc", softhsmtest.ImportOptions{})
	if err := tok.ImportCA(p.Intermediate.Cert, idCA, "CA G2"); err != nil {
		t.Fatal(err)
	}
	return &fixture{pki: p, tok: tok, mod: openModule(t, tok.Env.Module)}
}

func openModule(t *testing.T, path string) *token.Module {
	t.Helper()
	m, err := token.Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// session opens a session on the fixture's token (not logged in).
func (f *fixture) session(t *testing.T) *token.Session {
	t.Helper()
	ctx := context.Background()
	toks, err := f.mod.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ti, err := token.PickToken(toks, f.tok.Label)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.mod.OpenSession(ctx, ti.SlotID)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// loggedIn opens a session and logs in with the right PIN.
func (f *fixture) loggedIn(t *testing.T) *token.Session {
	t.Helper()
	s := f.session(t)
	if err := s.Login(context.Background(), token.StaticPIN(f.tok.PIN), token.LoginOptions{}); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return s
}

func certByID(t *testing.T, s *token.Session, id []byte) token.Certificate {
	t.Helper()
	certs, err := s.Certificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		if string(c.ID) == string(id) {
			return c
		}
	}
	t.Fatalf("no certificate with CKA_ID %x among %d", id, len(certs))
	return token.Certificate{}
}

// countingPIN is a PIN source that counts how often it is asked.
type countingPIN struct {
	pin    string
	ctxPIN string // the context-specific PIN when it differs ("" = pin)
	calls  atomic.Int32
	ctx    atomic.Int32 // context-specific requests
}

func (c *countingPIN) PIN(_ context.Context, req token.PINRequest) (string, error) {
	c.calls.Add(1)
	if req.ContextSpecific {
		c.ctx.Add(1)
		if c.ctxPIN != "" {
			return c.ctxPIN, nil
		}
	}
	return c.pin, nil
}

// verify checks sig over digest with the public key.
func verify(t *testing.T, pub crypto.PublicKey, h crypto.Hash, digest, sig []byte, opts crypto.SignerOpts) {
	t.Helper()
	switch pk := pub.(type) {
	case *rsa.PublicKey:
		var err error
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			err = rsa.VerifyPSS(pk, h, digest, sig, pss)
		} else {
			err = rsa.VerifyPKCS1v15(pk, h, digest, sig)
		}
		if err != nil {
			t.Fatalf("RSA signature does not verify: %v", err)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pk, digest, sig) {
			t.Fatalf("ECDSA signature does not verify")
		}
	default:
		t.Fatalf("unexpected key %T", pub)
	}
}

func digestOf(h crypto.Hash, msg string) []byte {
	hh := h.New()
	hh.Write([]byte(msg))
	return hh.Sum(nil)
}

func randomDigest(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func withTimeout(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("operation did not finish within %v (hang)", d)
	}
}
