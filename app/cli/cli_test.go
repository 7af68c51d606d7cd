package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/internal/testrender"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
)

func TestMain(m *testing.M) {
	testrender.UseTempCache()
	testscript.Main(m, map[string]func(){
		"vanthu": func() { os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
		// vanthu-demo-create DIR makes the desktop app's demo key store in
		// the data folder DIR.
		"vanthu-demo-create": func() {
			if _, err := demo.Create(os.Args[1]); err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
				os.Exit(1)
			}
		},
		// vanthu-tamper IN OUT changes the first page's text "Trang 1" to
		// "Trang 9": one byte inside the first signed revision.
		"vanthu-tamper": func() {
			b, err := os.ReadFile(os.Args[1])
			if err == nil && !bytes.Contains(b, []byte("(Trang 1)")) {
				err = os.ErrNotExist
			}
			if err == nil {
				err = os.WriteFile(os.Args[2], bytes.Replace(b, []byte("(Trang 1)"), []byte("(Trang 9)"), 1), 0o644)
			}
			if err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
				os.Exit(1)
			}
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script. Each script gets its
// own SoftHSM2 token "UBND Đắk Lắk" with the leader's (CKA_ID 01), the
// director's (02), the specialist's (03) and the organisation's (04, the
// seal certificate "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK") keys and certificates
// and the CA certificate, the role fixtures of writeRoleFixtures, and these
// variables:
//
//	SOFTHSM_MODULE  the SoftHSM2 module path
//	PINPROXY        a module that forwards to SoftHSM2 with a 3-try PIN counter
//	TOKEN_PIN       the token's PIN
//	LEADER_SERIAL   the leader certificate's serial in hex
//	TSA_URL         the test PKI's RFC 3161 time-stamping server
//	DSS             shared/fixtures/pdf-signatures/dss (EU DSS test files)
//
// and $WORK/root.pem, the test PKI's root certificate.
//
// VANTHU_LANG is en unless a script sets it.
func TestScripts(t *testing.T) {
	p := testpki.New(t)
	hsm := softhsmtest.NewEnv(t) // only to build the proxy against the module
	proxy := softhsmtest.NewPINProxy(t, hsm, 3)
	dss, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "fixtures", "pdf-signatures", "dss"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dss); err != nil {
		t.Fatalf("the DSS test files are missing (../shared next to the repository): %v", err)
	}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			env, err := softhsmtest.NewEnvDir(filepath.Join(e.WorkDir, "hsm"))
			if err != nil {
				return err
			}
			tok, err := env.InitToken("UBND Đắk Lắk")
			if err != nil {
				return err
			}
			for _, imp := range []struct {
				id    *testpki.Identity
				ckaID byte
				label string
			}{{p.Leader, 1, "Nguyễn Văn Ánh"}, {p.Director, 2, "Lê Thị Hồng Nhung"}, {p.Specialist, 3, "Trần Thị Bích Ngọc"}, {p.Org, 4, "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"}} {
				if err := tok.Import(imp.id.Cert, imp.id.Key, []byte{imp.ckaID}, imp.label, softhsmtest.ImportOptions{}); err != nil {
					return err
				}
			}
			if err := tok.ImportCA(p.Intermediate.Cert, []byte{0xca}, "CA G2"); err != nil {
				return err
			}
			e.Setenv("SOFTHSM2_CONF", env.Conf)
			e.Setenv("SOFTHSM_MODULE", env.Module)
			e.Setenv("PINPROXY", proxy.Module)
			e.Setenv("VANTHU_PINPROXY_TARGET", env.Module)
			e.Setenv("VANTHU_PINPROXY_STATE", filepath.Join(e.WorkDir, "pin-failures"))
			e.Setenv("VANTHU_PINPROXY_TRIES", "3")
			e.Setenv("TOKEN_PIN", tok.PIN)
			e.Setenv("TSA_URL", p.TSAURL)
			e.Setenv("HUB_ADDR", freeAddr(t))
			e.Setenv("AXIS_ADDR", freeAddr(t))
			if err := os.WriteFile(filepath.Join(e.WorkDir, "root.pem"), p.Root.CertPEM(), 0o644); err != nil {
				return err
			}
			if err := writeRoleFixtures(e.WorkDir); err != nil {
				return err
			}
			e.Setenv("DSS", dss)
			e.Setenv("LONG_TEXT", longText(4096))
			e.Setenv("LEADER_SERIAL", strings.ToLower(p.Leader.Cert.SerialNumber.Text(16)))
			e.Setenv("VANTHU_LANG", "en")
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("XDG_CACHE_HOME", testrender.CacheDir()) // the renderer's compiled code, shared
			e.Setenv("LANG", "en_US.UTF-8")
			return nil
		},
	})
}

// longText is at least n bytes of Vietnamese, PDF syntax and escapes, cut
// at a character boundary.
func longText(n int) string {
	var b strings.Builder
	for b.Len() < n {
		b.WriteString("Đồng ý ban hành (see /Contents <ref>) \\ ")
	}
	return b.String()
}

// writeRoleFixtures writes the documents and images of the role scripts
// into dir: congvan.pdf (a Nghị định 30 letter signed for the committee by
// Nguyễn Văn Ánh, one page), scan.pdf (the same, scanned: images only),
// chuky.png (a blue signature), condau.png (a red seal), opaque.png (a
// signature on white, no transparency) and notpng.png (not an image).
func writeRoleFixtures(dir string) error {
	doc, _, err := rolestest.Default().PDF(rolestest.TJ)
	if err != nil {
		return err
	}
	scan, err := rolestest.ScannedPDF(context.Background(), doc, dir, 72)
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{
		"congvan.pdf": doc, "scan.pdf": scan,
		"chuky.png": rolestest.SignaturePNG(600, 240), "condau.png": rolestest.SealPNG(500),
		"opaque.png": rolestest.OpaquePNG(300, 120), "notpng.png": []byte("GIF89a not a png"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	for _, f := range []string{"scan-src.pdf", "scan-1.png"} {
		os.Remove(filepath.Join(dir, f))
	}
	return nil
}

// TestExitCodes checks the CLI's exit codes directly: 0 success, 1 a
// failure of the work, 2 usage errors.
func TestExitCodes(t *testing.T) {
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"version"}, exitOK, ""},
		{[]string{"help"}, exitOK, ""},
		{[]string{"frobnicate"}, exitUsage, `vanthu: error: unknown command "frobnicate"`},
		{[]string{"token"}, exitUsage, "vanthu: error: usage: vanthu token"},
		{[]string{"token", "bogus"}, exitUsage, "unknown token command"},
		{[]string{"token", "list", "--no-such-flag"}, exitUsage, "flag provided but not defined"},
		{[]string{"token", "list", "extra"}, exitUsage, "unexpected arguments: extra"},
		{[]string{"token", "list", "--module", "/nonexistent/libx.so"}, exitFailure, "PKCS#11 module not found: /nonexistent/libx.so"},
		{[]string{"verify"}, exitUsage, "vanthu: error:"},
		{[]string{"verify", "--offline", "/nonexistent/a.pdf"}, exitUsage, "vanthu: error: cannot read /nonexistent/a.pdf"},
		{[]string{"verify", "--bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"sign"}, exitUsage, "vanthu: error:"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
			if k == "VANTHU_LANG" {
				return "en"
			}
			return ""
		}}
		code := e.dispatch(c.args)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errb.String())
		}
		if c.err != "" && !strings.Contains(errb.String(), c.err) {
			t.Errorf("%v: stderr %q does not contain %q", c.args, errb.String(), c.err)
		}
		if c.code == exitUsage && !strings.Contains(errb.String(), "cannot read") && !strings.Contains(errb.String(), "vanthu: hint: ") {
			t.Errorf("%v: usage error without a hint: %q", c.args, errb.String())
		}
	}
}

// freeAddr is a loopback address that was free a moment ago, for a
// script's hub.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
