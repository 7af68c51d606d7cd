package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// TestSignLeafOnlyToken: a token that holds only the signer's certificate
// (no CA certificate) still gives signatures that chain: vanthu sign embeds
// the issuers it finds in the user's trust folder or at the caIssuers URL.
// Each output verifies as trusted offline with only the root in the trust
// store, from the certificates embedded in the signature alone (B-B: no DSS).
func TestSignLeafOnlyToken(t *testing.T) {
	p := testpki.New(t)
	tok := softhsmtest.NewToken(t, "Chỉ có chứng thư")
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, []byte{1}, "Nguyễn Văn Ánh", softhsmtest.ImportOptions{})
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config) // the user's trust folder: config/vanthu/trust
	t.Setenv("HOME", t.TempDir())
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, testpdf.Plain(1), 0o644); err != nil {
		t.Fatal(err)
	}
	root := trust.New()
	root.Add(p.Root.Cert, trust.RoleAnchor, "test")
	sign := func(out string, extra ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string {
			switch k {
			case "VANTHU_PIN":
				return tok.PIN
			case "VANTHU_LANG":
				return "en"
			}
			return ""
		}}
		args := append([]string{"sign", "--module", tok.Env.Module}, extra...)
		if code := e.dispatch(append(args, "-o", out, in)); code != exitOK {
			t.Fatalf("vanthu sign: exit %d\n%s", code, stderr.String())
		}
		return stderr.String()
	}
	check := func(out string, want verify.Status) {
		t.Helper()
		res, err := verify.VerifyFile(context.Background(), out, verify.Options{Trust: root})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Signatures[0]
		if !s.Trusted || len(s.Chain) != 3 || s.Status != want {
			t.Fatalf("%s: trusted %v, chain of %d, status %s, want trusted, 3, %s: %v", filepath.Base(out), s.Trusted, len(s.Chain), s.Status, want, s.Problems)
		}
	}

	// online: the intermediate from the caIssuers URL
	out := filepath.Join(dir, "aia.pdf")
	sign(out)
	check(out, verify.StatusIndeterminate) // B-B offline: trusted, revocation unknown

	// offline (caIssuers down): the intermediate from the user's trust folder
	p.SetDown(testpki.ServiceCAIssuers, true)
	defer p.SetDown(testpki.ServiceCAIssuers, false)
	out = filepath.Join(dir, "folder.pdf")
	if w := sign(out); !strings.Contains(w, "could not be completed") {
		t.Fatalf("no warning for an incomplete chain: %q", w)
	}
	if res, _ := verify.VerifyFile(context.Background(), out, verify.Options{Trust: root}); res.Signatures[0].Trusted {
		t.Fatal("trusted without the intermediate: the test does not test the chain")
	}
	trustDir := filepath.Join(config, "vanthu", "trust")
	if err := os.MkdirAll(trustDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(trustDir, "ca-g2.pem"), p.Intermediate.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(dir, "folder2.pdf")
	sign(out)
	check(out, verify.StatusIndeterminate)

	// and a complete long-term signature is valid offline
	p.SetDown(testpki.ServiceCAIssuers, false)
	out = filepath.Join(dir, "lt.pdf")
	sign(out, "--level", "B-LT", "--tsa", p.TSAURL)
	check(out, verify.StatusValid)
}
