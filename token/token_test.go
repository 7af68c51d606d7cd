//go:build cgo

package token_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/token"
)

func TestTokensAndCertificates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	toks, err := f.mod.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ti, err := token.PickToken(toks, fixtureLabel)
	if err != nil {
		t.Fatal(err)
	}
	if ti.Manufacturer != "SoftHSM project" || ti.Model == "" || ti.Serial == "" {
		t.Errorf("token info = %+v", ti)
	}
	if !ti.Flags.LoginRequired || !ti.Flags.Initialized || ti.Flags.PINLocked {
		t.Errorf("flags = %+v", ti.Flags)
	}

	s := f.session(t)
	before, err := s.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 4 {
		t.Fatalf("before login: %d certificates, want 4", len(before))
	}
	for _, c := range before {
		if c.HasPrivateKey {
			t.Errorf("%s paired before login; private keys are private objects", c.X509.Subject.CommonName)
		}
	}
	if err := s.Login(ctx, token.StaticPIN(f.tok.PIN), token.LoginOptions{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		cn   string
		org  string
		pair bool
	}{
		string(idLeader):     {"Nguyễn Văn Ánh", testpki.DefaultLeaderOrg, true},
		string(idDirector):   {"Lê Thị Hồng Nhung", testpki.DefaultDirectorOrg, true},
		string(idSpecialist): {"Trần Thị Bích Ngọc", "", true},
		string(idCA):         {"TEST CA phục vụ các cơ quan Nhà nước G2", "Ban Cơ yếu Chính phủ", false},
	}
	certs, err := s.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		w, ok := want[string(c.ID)]
		if !ok {
			t.Errorf("unexpected certificate %x", c.ID)
			continue
		}
		if c.X509.Subject.CommonName != w.cn {
			t.Errorf("CN = %q, want %q", c.X509.Subject.CommonName, w.cn)
		}
		if w.org != "" && (len(c.X509.Subject.Organization) == 0 || c.X509.Subject.Organization[0] != w.org) {
			t.Errorf("O = %q, want %q", c.X509.Subject.Organization, w.org)
		}
		if c.HasPrivateKey != w.pair {
			t.Errorf("%s: HasPrivateKey = %v, want %v", w.cn, c.HasPrivateKey, w.pair)
		}
		if w.pair && c.PairedBy != "id" {
			t.Errorf("%s: PairedBy = %q, want id", w.cn, c.PairedBy)
		}
	}
	leader := certByID(t, s, idLeader)
	chain := token.BuildChain(leader.X509, certs)
	if len(chain) != 2 || chain[1].Subject.CommonName != "TEST CA phục vụ các cơ quan Nhà nước G2" {
		t.Errorf("chain = %d certificates", len(chain))
	}
}

func TestSignEveryKeyType(t *testing.T) {
	f := newFixture(t)
	p384 := f.pki.MustIssue(t, testpki.Spec{CommonName: "Đỗ Thị Mai", Organization: "Sở Tư pháp tỉnh Đắk Lắk", Key: testpki.ECP384})
	f.tok.MustImport(t, p384.Cert, p384.Key, []byte{0x04}, "P-384", softhsmtest.ImportOptions{})
	s := f.loggedIn(t)
	ctx := context.Background()
	if !s.SupportsPSS() {
		t.Fatal("SoftHSM2 offers CKM_RSA_PKCS_PSS; SupportsPSS = false")
	}
	cases := []struct {
		name string
		id   []byte
		opts []crypto.SignerOpts
	}{
		{"RSA-2048", idLeader, []crypto.SignerOpts{crypto.SHA256, crypto.SHA384, crypto.SHA512,
			&rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash},
			&rsa.PSSOptions{Hash: crypto.SHA512, SaltLength: rsa.PSSSaltLengthAuto}}},
		{"RSA-4096", idDirector, []crypto.SignerOpts{crypto.SHA256, crypto.SHA512,
			&rsa.PSSOptions{Hash: crypto.SHA384, SaltLength: 48}}},
		{"ECDSA-P256", idSpecialist, []crypto.SignerOpts{crypto.SHA256, crypto.SHA384, crypto.SHA512}},
		{"ECDSA-P384", []byte{0x04}, []crypto.SignerOpts{crypto.SHA256, crypto.SHA384}},
	}
	for _, tc := range cases {
		c := certByID(t, s, tc.id)
		signer, err := s.Signer(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var _ crypto.Signer = signer
		for _, o := range tc.opts {
			t.Run(fmt.Sprintf("%s/%v/%T", tc.name, o.HashFunc(), o), func(t *testing.T) {
				d := digestOf(o.HashFunc(), "Quyết định số 123/QĐ-UBND")
				sig, err := signer.Sign(nil, d, o)
				if err != nil {
					t.Fatal(err)
				}
				verify(t, c.X509.PublicKey, o.HashFunc(), d, sig, o)
				// A different digest must not verify with that signature.
				bad := digestOf(o.HashFunc(), "Quyết định số 124/QĐ-UBND")
				if pk, ok := c.X509.PublicKey.(*rsa.PublicKey); ok {
					if _, pss := o.(*rsa.PSSOptions); !pss && rsa.VerifyPKCS1v15(pk, o.HashFunc(), bad, sig) == nil {
						t.Fatal("signature verifies for another digest")
					}
				}
			})
		}
	}
	// A digest of the wrong length for the hash is refused before the token.
	c := certByID(t, s, idLeader)
	signer, _ := s.Signer(ctx, c)
	if _, err := signer.Sign(nil, []byte("short"), crypto.SHA256); !errors.Is(err, token.ErrUnsupportedKey) {
		t.Errorf("short digest: err = %v, want ErrUnsupportedKey", err)
	}
}

func TestPairingFallsBackToPublicKey(t *testing.T) {
	p := testpki.New(t)
	tok := softhsmtest.NewToken(t, "pairing")
	// RSA: key under another CKA_ID and no public-key object: paired by the
	// certificate's modulus.
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, []byte{0x10}, "rsa", softhsmtest.ImportOptions{KeyID: []byte{0x99}, NoPublicKey: true})
	// EC: key under another CKA_ID, public-key object present: paired
	// through the public-key object's EC point.
	tok.MustImport(t, p.Specialist.Cert, p.Specialist.Key, []byte{0x11}, "ec", softhsmtest.ImportOptions{KeyID: []byte{0x98}})
	// Certificate with no key at all.
	tok.MustImport(t, p.Director.Cert, nil, []byte{0x12}, "cert only", softhsmtest.ImportOptions{NoKey: true})
	f := &fixture{pki: p, tok: tok, mod: openModule(t, tok.Env.Module)}
	s := f.loggedIn(t)
	ctx := context.Background()

	rsaCert := certByID(t, s, []byte{0x10})
	if !rsaCert.HasPrivateKey || rsaCert.PairedBy != "public-key" {
		t.Fatalf("RSA: HasPrivateKey=%v PairedBy=%q", rsaCert.HasPrivateKey, rsaCert.PairedBy)
	}
	ecCert := certByID(t, s, []byte{0x11})
	if !ecCert.HasPrivateKey || ecCert.PairedBy != "public-key" {
		t.Fatalf("EC: HasPrivateKey=%v PairedBy=%q", ecCert.HasPrivateKey, ecCert.PairedBy)
	}
	for _, c := range []token.Certificate{rsaCert, ecCert} {
		signer, err := s.Signer(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		d := digestOf(crypto.SHA256, "công văn")
		sig, err := signer.Sign(nil, d, crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		verify(t, signer.Public(), crypto.SHA256, d, sig, crypto.SHA256)
	}

	noKey := certByID(t, s, []byte{0x12})
	if noKey.HasPrivateKey {
		t.Fatal("certificate without key reported as paired")
	}
	if _, err := s.Signer(ctx, noKey); !errors.Is(err, token.ErrNoPrivateKey) {
		t.Errorf("Signer(cert only): %v, want ErrNoPrivateKey", err)
	}
	certs, _ := s.Certificates(ctx)
	if _, err := token.PickCertificate(certs, "12", time.Now()); !errors.Is(err, token.ErrNoPrivateKey) {
		t.Errorf("PickCertificate(12): %v, want ErrNoPrivateKey", err)
	}
	if _, err := token.PickCertificate(certs, "", time.Now()); !errors.Is(err, token.ErrAmbiguous) {
		t.Errorf("PickCertificate(\"\") with two keys: %v, want ErrAmbiguous", err)
	}
	serial := rsaCert.X509.SerialNumber.Text(16)
	if c, err := token.PickCertificate(certs, serial, time.Now()); err != nil || string(c.ID) != "\x10" {
		t.Errorf("PickCertificate(serial %s) = %x, %v", serial, c.ID, err)
	}
	if _, err := token.PickCertificate(certs, "abcdef", time.Now()); !errors.Is(err, token.ErrCertNotFound) {
		t.Errorf("PickCertificate(unknown): %v, want ErrCertNotFound", err)
	}
}

func TestWrongPINIsReportedAndNeverRetried(t *testing.T) {
	f := newFixture(t)
	s := f.session(t)
	ctx := context.Background()
	pins := &countingPIN{pin: "000000"}
	err := s.Login(ctx, pins, token.LoginOptions{})
	var pe *token.PINError
	if !errors.As(err, &pe) || !errors.Is(err, token.ErrPINIncorrect) {
		t.Fatalf("Login with wrong PIN: %v, want *PINError wrapping ErrPINIncorrect", err)
	}
	if pe.Locked || pe.FinalTry {
		t.Errorf("one wrong PIN: %+v", pe)
	}
	if !pe.CountLow {
		t.Errorf("SoftHSM2 reports CKF_USER_PIN_COUNT_LOW after a wrong PIN; PINError.CountLow = false")
	}
	if n := pins.calls.Load(); n != 1 {
		t.Errorf("PIN source asked %d times, want exactly 1 (no automatic retry)", n)
	}
	if s.LoggedIn() {
		t.Error("LoggedIn after a wrong PIN")
	}
	// The token is not locked: the right PIN still works.
	if err := s.Login(ctx, token.StaticPIN(f.tok.PIN), token.LoginOptions{}); err != nil {
		t.Fatalf("Login with the right PIN after a wrong one: %v", err)
	}
	if info, _ := s.Refresh(ctx); info.Flags.PINCountLow {
		t.Error("count-low flag still set after a good login")
	}
}

func TestPINFinalTryAndLocked(t *testing.T) {
	p := testpki.New(t)
	env := softhsmtest.NewEnv(t)
	tok, err := env.InitToken("pinpad-less")
	if err != nil {
		t.Fatal(err)
	}
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, idLeader, "leader", softhsmtest.ImportOptions{})
	proxy := softhsmtest.NewPINProxy(t, env, 3)
	f := &fixture{pki: p, tok: tok, mod: openModule(t, proxy.Module)}
	s := f.session(t)
	ctx := context.Background()
	wrong := &countingPIN{pin: "999999"}

	// 1st wrong PIN: tries remain.
	err = s.Login(ctx, wrong, token.LoginOptions{})
	var pe *token.PINError
	if !errors.As(err, &pe) || !errors.Is(err, token.ErrPINIncorrect) || !pe.CountLow || pe.FinalTry {
		t.Fatalf("1st wrong PIN: %v (%+v)", err, pe)
	}
	// 2nd wrong PIN: the token now says "final try".
	err = s.Login(ctx, wrong, token.LoginOptions{})
	if !errors.As(err, &pe) || !errors.Is(err, token.ErrPINIncorrect) || !pe.FinalTry {
		t.Fatalf("2nd wrong PIN: %v (%+v)", err, pe)
	}
	// Without confirmation no attempt is made and the PIN is not asked.
	before := wrong.calls.Load()
	err = s.Login(ctx, wrong, token.LoginOptions{})
	if !errors.Is(err, token.ErrPINFinalTry) {
		t.Fatalf("final try without confirmation: %v, want ErrPINFinalTry", err)
	}
	if wrong.calls.Load() != before || proxy.Failures() != 2 {
		t.Fatalf("final try without confirmation asked the PIN or tried it (calls %d→%d, failures %d)",
			before, wrong.calls.Load(), proxy.Failures())
	}
	// Confirmed, and wrong again: the token locks.
	err = s.Login(ctx, wrong, token.LoginOptions{ConfirmFinalTry: true})
	if !errors.As(err, &pe) || !pe.Locked || !errors.Is(err, token.ErrPINLocked) {
		t.Fatalf("3rd wrong PIN: %v (%+v), want locked", err, pe)
	}
	// Locked: refused at once, even with the right PIN, which is not asked.
	right := &countingPIN{pin: tok.PIN}
	if err := s.Login(ctx, right, token.LoginOptions{ConfirmFinalTry: true}); !errors.Is(err, token.ErrPINLocked) {
		t.Fatalf("login on a locked token: %v, want ErrPINLocked", err)
	}
	if right.calls.Load() != 0 {
		t.Error("PIN asked for a locked token")
	}
	toks, _ := f.mod.Tokens(ctx)
	if ti, err := token.PickToken(toks, ""); err != nil || !ti.Flags.PINLocked {
		t.Errorf("token flags after locking: %+v, %v", ti, err)
	}
}

func TestAlwaysAuthenticateKey(t *testing.T) {
	p := testpki.New(t)
	tok := softhsmtest.NewToken(t, "always-auth")
	tok.MustImport(t, p.Specialist.Cert, p.Specialist.Key, idSpecialist, "ec", softhsmtest.ImportOptions{AlwaysAuthenticate: true})
	f := &fixture{pki: p, tok: tok, mod: openModule(t, tok.Env.Module)}
	s := f.session(t)
	ctx := context.Background()
	pins := &countingPIN{pin: tok.PIN}
	if err := s.Login(ctx, pins, token.LoginOptions{}); err != nil {
		t.Fatal(err)
	}
	c := certByID(t, s, idSpecialist)
	if !c.AlwaysAuthenticate {
		t.Fatal("CKA_ALWAYS_AUTHENTICATE not read")
	}
	signer, err := s.Signer(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		d := digestOf(crypto.SHA256, fmt.Sprint("văn bản ", i))
		sig, err := signer.Sign(nil, d, crypto.SHA256)
		if err != nil {
			t.Fatalf("sign %d: %v", i, err)
		}
		verify(t, c.X509.PublicKey, crypto.SHA256, d, sig, crypto.SHA256)
	}
	if n := pins.ctx.Load(); n != 2 {
		t.Errorf("context-specific PIN asked %d times, want once per signature (2)", n)
	}
}

func TestBatchUsesOneLogin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pins := &countingPIN{pin: f.tok.PIN}
	h, err := token.OpenSigner(ctx, token.Selection{Module: f.tok.Env.Module, Token: fixtureLabel, Cert: "01"}, pins, token.LoginOptions{}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Cert.X509.Subject.CommonName != "Nguyễn Văn Ánh" || len(h.Chain) != 2 {
		t.Fatalf("OpenSigner chose %q with a chain of %d", h.Cert.X509.Subject.CommonName, len(h.Chain))
	}
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := digestOf(crypto.SHA256, fmt.Sprint("tệp ", i))
			sig, err := h.Signer.Sign(nil, d, crypto.SHA256)
			if err == nil {
				err = rsa.VerifyPKCS1v15(h.Cert.X509.PublicKey.(*rsa.PublicKey), crypto.SHA256, d, sig)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if c := pins.calls.Load(); c != 1 {
		t.Errorf("PIN asked %d times for a batch of %d, want 1", c, n)
	}
}

func TestTokenRemovedDuringBatch(t *testing.T) {
	for _, how := range []string{"deleted", "reinitialised"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t)
			s := f.loggedIn(t)
			ctx := context.Background()
			c := certByID(t, s, idLeader)
			signer, err := s.Signer(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if _, err := signer.Sign(nil, randomDigest(t, 32), crypto.SHA256); err != nil {
					t.Fatalf("sign %d before removal: %v", i, err)
				}
			}
			if how == "deleted" {
				err = f.tok.Delete()
			} else {
				err = f.tok.Reinit()
			}
			if err != nil {
				t.Fatal(err)
			}
			var signErr error
			withTimeout(t, 20*time.Second, func() {
				for range 5 {
					if _, signErr = signer.Sign(nil, randomDigest(t, 32), crypto.SHA256); signErr != nil {
						return
					}
				}
			})
			if !errors.Is(signErr, token.ErrTokenRemoved) {
				t.Fatalf("signing after the token was %s: %v, want ErrTokenRemoved", how, signErr)
			}
			// The session can be closed and the module is still usable.
			if err := s.Close(); err != nil {
				t.Errorf("Close after removal: %v", err)
			}
			if _, err := f.mod.Tokens(ctx); err != nil {
				t.Errorf("Tokens after removal: %v", err)
			}
		})
	}
}

func TestContextCancelled(t *testing.T) {
	f := newFixture(t)
	s := f.loggedIn(t)
	signer, err := s.Signer(context.Background(), certByID(t, s, idLeader))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := signer.SignContext(ctx, randomDigest(t, 32), crypto.SHA256); !errors.Is(err, context.Canceled) {
		t.Errorf("SignContext with a cancelled context: %v", err)
	}
}

func BenchmarkSignRSA2048(b *testing.B) {
	p, err := testpki.NewPKI()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	env := softhsmtest.NewEnv(b)
	tok, err := env.InitToken("bench")
	if err != nil {
		b.Fatal(err)
	}
	tok.MustImport(b, p.Leader.Cert, p.Leader.Key, idLeader, "leader", softhsmtest.ImportOptions{})
	ctx := context.Background()
	h, err := token.OpenSigner(ctx, token.Selection{Module: env.Module, Token: "bench"}, token.StaticPIN(tok.PIN), token.LoginOptions{}, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	d := randomDigest(b, 32)
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.Signer.Sign(nil, d, crypto.SHA256); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
}

func TestPINPadLogin(t *testing.T) {
	p := testpki.New(t)
	env := softhsmtest.NewEnv(t)
	tok, err := env.InitToken("pinpad")
	if err != nil {
		t.Fatal(err)
	}
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, idLeader, "leader", softhsmtest.ImportOptions{})
	proxy := softhsmtest.NewPINProxy(t, env, 3)
	t.Setenv("VANTHU_PINPROXY_PINPAD", tok.PIN) // the "user" types it on the pad
	f := &fixture{pki: p, tok: tok, mod: openModule(t, proxy.Module)}
	s := f.session(t)
	if !s.Token().Flags.ProtectedAuthPath {
		t.Fatal("PIN pad flag not read")
	}
	pins := &countingPIN{pin: "must-not-be-used"}
	if err := s.Login(context.Background(), pins, token.LoginOptions{}); err != nil {
		t.Fatalf("PIN-pad login: %v", err)
	}
	if pins.calls.Load() != 0 {
		t.Error("the PIN source was asked although the token has a PIN pad")
	}
	signer, err := s.Signer(context.Background(), certByID(t, s, idLeader))
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf(crypto.SHA256, "ký qua bàn phím PIN")
	sig, err := signer.Sign(nil, d, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	verify(t, signer.Public(), crypto.SHA256, d, sig, crypto.SHA256)
}
