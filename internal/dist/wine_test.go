package dist

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/internal/winetest"
	"github.com/vanthu/vanthu/signing/pades"
)

// TestWindowsCLIUnderWine runs the Windows package's CLI under Wine, in a
// fresh prefix: its version, the verdicts of verify on a document the
// project signs here (valid, invalid once altered, indeterminate without
// the root), and module discovery on a Windows folder layout.
func TestWindowsCLIUnderWine(t *testing.T) {
	m := readMeta(t)
	exe := windowsExe(t, m)
	w := winetest.New(t)
	dir := t.TempDir()
	// What the test's own environment may hold must not reach the program.
	base := []string{"VANTHU_LANG=en", "VANTHU_PKCS11_MODULE=", "LANG=C.UTF-8", "LC_ALL=", "LANGUAGE="}

	t.Run("version", func(t *testing.T) {
		r := w.Run(t, dir, exe, []string{"version"}, base...)
		if want := "vanthu " + m.Details.Version + "\n"; r.Code != 0 || r.Stdout != want || r.Stderr != "" {
			t.Errorf("vanthu.exe version: exit %d, stdout %q (want %q), stderr %q", r.Code, r.Stdout, want, r.Stderr)
		}
		r = w.Run(t, dir, exe, []string{"frobnicate"}, base...)
		if r.Code != 2 || !onlyVanthuLines(r.Stderr) {
			t.Errorf("vanthu.exe frobnicate: exit %d, stderr %q", r.Code, r.Stderr)
		}
	})

	t.Run("verify", func(t *testing.T) {
		p := testpki.New(t)
		signed := signFixture(t, p)
		tampered := bytes.Replace(signed, []byte("72 700 200 20 re"), []byte("72 709 200 20 re"), 1)
		if bytes.Equal(tampered, signed) {
			t.Fatal("the fixture has no page content to alter")
		}
		for name, b := range map[string][]byte{"signed.pdf": signed, "tampered.pdf": tampered, "root.pem": p.Root.CertPEM()} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		signer := p.Leader.Cert.Subject.CommonName
		cases := []struct {
			args   []string
			code   int
			status string
		}{
			{[]string{"verify", "--offline", "--trust", "root.pem", "signed.pdf"}, 0, "signed.pdf: VALID"},
			{[]string{"verify", "--offline", "--trust", "root.pem", "tampered.pdf"}, 1, "tampered.pdf: INVALID"},
			{[]string{"verify", "--offline", "signed.pdf"}, 1, "signed.pdf: INDETERMINATE"},
		}
		for _, c := range cases {
			r := w.Run(t, dir, exe, c.args, base...)
			if r.Code != c.code || !strings.HasPrefix(r.Stdout, c.status) || r.Stderr != "" {
				t.Errorf("vanthu.exe %s: exit %d (want %d), stderr %q, stdout:\n%s", strings.Join(c.args, " "), r.Code, c.code, r.Stderr, r.Stdout)
			}
			if !strings.Contains(r.Stdout, signer) {
				t.Errorf("vanthu.exe %s does not name the signer %q:\n%s", strings.Join(c.args, " "), signer, r.Stdout)
			}
		}
		// The same verdict as data, and in Vietnamese.
		r := w.Run(t, dir, exe, []string{"verify", "--offline", "--trust", "root.pem", "--json", "signed.pdf"}, base...)
		var res struct {
			Status     string `json:"status"`
			Signatures []struct {
				Status  string `json:"status"`
				Level   string `json:"level"`
				Trusted bool   `json:"trusted"`
				Intact  bool   `json:"intact"`
			} `json:"signatures"`
		}
		if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
			t.Fatalf("verify --json: %v\n%s", err, r.Stdout)
		}
		if res.Status != "valid" || len(res.Signatures) != 1 || s0(res.Signatures).Level != "B-LT" || !s0(res.Signatures).Trusted || !s0(res.Signatures).Intact {
			t.Errorf("verify --json: %+v", res)
		}
		r = w.Run(t, dir, exe, []string{"verify", "--offline", "--trust", "root.pem", "signed.pdf"}, append(base, "VANTHU_LANG=vi")...)
		if r.Code != 0 || !strings.HasPrefix(r.Stdout, "signed.pdf: HỢP LỆ") {
			t.Errorf("VANTHU_LANG=vi: exit %d, stdout:\n%s", r.Code, r.Stdout)
		}
	})

	t.Run("token modules", func(t *testing.T) {
		amd64, i386 := winetest.MachineAMD64, winetest.Machine386
		for path, machine := range map[string]uint16{
			`C:\windows\system32\eps2003csp11.dll`:                            amd64,
			`C:\windows\syswow64\viettel-ca_v6.dll`:                           i386,
			`C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll`: amd64,
			`C:\Program Files (x86)\CA2\PKCS11\CA2_csp11.dll`:                 i386,
		} {
			if err := winetest.WriteDLL(w.Path(path), machine); err != nil {
				t.Fatal(err)
			}
		}
		r := w.Run(t, dir, exe, []string{"token", "modules", "--json"}, base...)
		var got []struct {
			Path, Vendor, Source, Problem string
			Found                         bool
		}
		if err := json.Unmarshal([]byte(r.Stdout), &got); err != nil || r.Code != 0 {
			t.Fatalf("token modules --json: exit %d, %v\n%s%s", r.Code, err, r.Stdout, r.Stderr)
		}
		want := map[string]struct{ vendor, problem string }{
			`c:\windows\system32\eps2003csp11.dll`:                            {"Feitian ePass2003", ""},
			`c:\windows\syswow64\viettel-ca_v6.dll`:                           {"Viettel-CA", "built for 386"},
			`c:\program files\opensc project\opensc\pkcs11\opensc-pkcs11.dll`: {"OpenSC", ""},
			`c:\program files (x86)\ca2\pkcs11\ca2_csp11.dll`:                 {"CA2 (Nacencomm)", "built for 386"},
		}
		for _, c := range got {
			wc, ok := want[strings.ToLower(c.Path)]
			if !ok {
				t.Errorf("unexpected module %+v", c)
				continue
			}
			delete(want, strings.ToLower(c.Path))
			if c.Vendor != wc.vendor || !c.Found || c.Source != "known" || (wc.problem == "") != (c.Problem == "") || !strings.Contains(c.Problem, wc.problem) {
				t.Errorf("module %+v, want vendor %q, problem %q", c, wc.vendor, wc.problem)
			}
		}
		for p := range want {
			t.Errorf("vanthu.exe did not find %s:\n%s", p, r.Stdout)
		}
	})
}

func s0[T any](s []T) T { return s[0] }

// signFixture signs a one-page PDF at B-LT as the test PKI's leader, the
// way the product signs (time-stamp and revocation data from the test
// PKI's servers on loopback).
func signFixture(t *testing.T, p *testpki.PKI) []byte {
	t.Helper()
	in := testpdf.Plain(1)
	opts := pades.Options{Signer: p.Leader.Key, Chain: p.Leader.ChainWithLeaf(), Level: pades.LevelBLT, TSAURL: p.TSAURL, Timeout: 10 * time.Second}
	var out bytes.Buffer
	if _, err := pades.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, opts); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.Bytes()
}
