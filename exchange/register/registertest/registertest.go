// Package registertest makes the signed documents the register and report
// tests register: real PDFs signed in the roles of signing/roles with the
// test PKI (internal/testpki), at a fixed time, so that signing/verify
// decides their verdicts.
package registertest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/internal/pgtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// SignedAt is when every fixture is signed: 21 November 2026, 14:30:15 in
// Vietnam (inside the report period nd09:2026-12, 15/11–14/12/2026).
var SignedAt = time.Date(2026, 11, 21, 14, 30, 15, 0, calendar.Vietnam)

// Files are the fixture documents, with what verifies them.
type Files struct {
	PKI    *testpki.PKI
	Trust  *trust.Store
	Verify verify.Options
	Dir    string
	// Plain is the unsigned letter (both verdicts missing).
	Plain string
	// Full is reviewed by the specialist (Trần Thị Bích Ngọc), approved by
	// the leader (Nguyễn Văn Ánh) and issued by the organisation: both
	// verdicts valid.
	Full string
	// ApproveOnly carries the leader's signature alone (approve valid,
	// issue missing).
	ApproveOnly string
	// UntrustedIssue is ApproveOnly issued with a self-signed organisation
	// certificate (approve valid, issue indeterminate: chain_untrusted).
	UntrustedIssue string
	// Tampered is Full with one byte of its first revision (the binary
	// comment of the header, covered by every signature) changed: both
	// invalid.
	Tampered string

	at time.Time
}

// New signs the fixtures into a temporary folder of tb.
func New(tb testing.TB) *Files {
	tb.Helper()
	f, closeFn, err := Make(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeFn)
	return f
}

// Make signs the fixtures into dir; close stops the test PKI's servers
// (OCSP, CRL), which verification needs until then. For TestMain, where no
// testing.TB exists yet.
func Make(dir string) (f *Files, closeFn func(), err error) {
	keys := filepath.Join(os.TempDir(), "vanthu-testpki-keys")
	p, err := testpki.NewPKI(testpki.WithKeyCache(keys), testpki.WithClock(func() time.Time { return SignedAt }))
	if err != nil {
		return nil, nil, fmt.Errorf("registertest: %w", err)
	}
	stop := func() { _ = p.Close() }
	if f, err = SignAll(dir, p, SignedAt); err != nil {
		stop()
		return nil, nil, err
	}
	return f, stop, nil
}

// SignAll signs the fixtures into dir with the identities of p at time
// at (p's clock must agree): Make's files, for a PKI made elsewhere.
func SignAll(dir string, p *testpki.PKI, at time.Time) (f *Files, err error) {
	ts := trust.New()
	ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
	f = &Files{PKI: p, Trust: ts, Dir: dir, at: at,
		Verify: verify.Options{Trust: ts, Online: true, Now: func() time.Time { return at.Add(time.Hour) }}}
	doc, _, err := rolestest.Default().PDF(rolestest.TJ)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(doc, []byte("%PDF-1.7\n%\xe2")) {
		return nil, errors.New("registertest: the letter does not start with the binary comment to tamper with")
	}
	key, cert, err := selfSignedOrg()
	if err != nil {
		return nil, err
	}
	steps := []struct {
		dst  *string
		name string
		in   *string
		role roles.Role
		key  crypto.Signer
		ch   []*x509.Certificate
	}{
		{&f.ApproveOnly, "approve-only.pdf", &f.Plain, roles.Approve, p.Leader.Key, p.Leader.ChainWithLeaf()},
		{&f.UntrustedIssue, "untrusted-issue.pdf", &f.ApproveOnly, roles.Issue, key, []*x509.Certificate{cert}},
		{new(string), "reviewed.pdf", &f.Plain, roles.Review, p.Specialist.Key, p.Specialist.ChainWithLeaf()},
	}
	if f.Plain, err = f.write("plain.pdf", doc); err != nil {
		return nil, err
	}
	var reviewed, approved string
	steps[2].dst = &reviewed
	for _, s := range steps {
		if *s.dst, err = f.sign(*s.in, s.name, s.role, s.key, s.ch); err != nil {
			return nil, err
		}
	}
	if approved, err = f.sign(reviewed, "approved.pdf", roles.Approve, p.Leader.Key, p.Leader.ChainWithLeaf()); err != nil {
		return nil, err
	}
	if f.Full, err = f.sign(approved, "full.pdf", roles.Issue, p.Org.Key, p.Org.ChainWithLeaf()); err != nil {
		return nil, err
	}
	full, err := os.ReadFile(f.Full)
	if err != nil {
		return nil, err
	}
	full[10] ^= 0x01 // a byte of the binary comment: every signature covers it
	if f.Tampered, err = f.write("tampered.pdf", full); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *Files) write(name string, b []byte) (string, error) {
	p := filepath.Join(f.Dir, name)
	return p, os.WriteFile(p, b, 0o644)
}

// RoleRequest is the request of role for the key and chain, at SignedAt,
// with the test signature and seal images; issue writes the number
// "123/UBND-VP".
func (f *Files) RoleRequest(role roles.Role, key crypto.Signer, chain []*x509.Certificate) roles.Request {
	now := f.at
	req := roles.Request{
		Role:    role,
		Options: pades.Options{Signer: key, Chain: chain, Now: func() time.Time { return now }},
		Place:   roles.Place{Auto: true},
		Fonts:   roles.Fonts{Regular: assets.SerifRegular, Italic: assets.SerifItalic},
		Verify:  f.Verify,
	}
	switch role {
	case roles.Approve:
		req.Signature = rolestest.SignaturePNG(600, 240)
	case roles.Issue:
		req.Seal, req.SealMM, req.Number = rolestest.SealPNG(500), 36, "123/UBND-VP"
		req.Date = f.at
	}
	return req
}

func (f *Files) sign(in, out string, role roles.Role, key crypto.Signer, chain []*x509.Certificate) (string, error) {
	dst := filepath.Join(f.Dir, out)
	if _, err := roles.SignFile(context.Background(), in, dst, f.RoleRequest(role, key, chain)); err != nil {
		return "", fmt.Errorf("registertest: %s %s: %w", role, out, err)
	}
	return dst, nil
}

// selfSignedOrg is an organisation certificate no trust store knows.
func selfSignedOrg() (crypto.Signer, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	name := "ỦY BAN NHÂN DÂN PHƯỜNG GIẢ"
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: name, Organization: []string{name}, Country: []string{"VN"}},
		NotBefore: time.Now().AddDate(-5, 0, 0), NotAfter: time.Now().AddDate(5, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// RunTests is the TestMain of a package that registers the fixtures: it
// signs them into a temporary folder, stores them in *files, runs the tests
// through pgtest.Run (a real PostgreSQL for the tests that ask for one)
// and removes everything; it returns the exit code.
func RunTests(m *testing.M, files **Files) int {
	dir, err := os.MkdirTemp("", "registertest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	f, closeFn, err := Make(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer closeFn()
	*files = f
	return pgtest.Run(m)
}
