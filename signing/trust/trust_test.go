package trust

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Fingerprints published in shared/fixtures/trust/README.md.
var wantFP = map[string]string{
	"bundled:rootcag2.pem":     "F0:4B:A4:B4:59:A7:C9:A1:B9:71:AD:9B:1C:B8:33:E6:95:A8:0C:79:AE:A6:3B:17:4B:66:A7:0E:DF:E2:FD:B8",
	"bundled:cpcag2.pem":       "D8:CA:B7:A4:AE:F9:2E:6B:B2:50:9D:7C:61:CE:E7:B4:4F:37:31:B2:D2:10:74:96:35:30:27:7B:36:6F:AE:4B",
	"bundled:vnrca256.pem":     "BA:C8:BF:60:9A:B4:20:A8:EE:17:80:D7:4F:4D:E5:C7:F7:18:49:59:D2:A7:37:5B:0A:75:E4:C2:9F:09:08:E7",
	"bundled:vnpt-ca-sha2.pem": "7D:6B:A5:24:53:17:F9:ED:5D:8B:C7:65:A4:63:4D:26:AC:63:40:D3:6B:9F:58:4D:F3:B5:2D:9C:4A:81:A3:06",
}

func TestBundled(t *testing.T) {
	s, err := Load(context.Background(), Options{SkipUserDir: true})
	if err != nil {
		t.Fatal(err)
	}
	certs := s.Certs()
	if len(certs) != 4 {
		t.Fatalf("got %d certs", len(certs))
	}
	anchors := 0
	for _, c := range certs {
		if want := wantFP[c.Source]; want != c.Fingerprint {
			t.Errorf("%s: fingerprint %s, want %s", c.Source, c.Fingerprint, want)
		}
		if c.Role == RoleAnchor {
			anchors++
		}
	}
	if anchors != 2 {
		t.Errorf("anchors = %d, want 2 (rootcag2, vnrca256)", anchors)
	}
	// the intermediates chain to the bundled roots
	for _, c := range certs {
		if c.Role != RoleIntermediate {
			continue
		}
		at := c.Cert.NotBefore.Add(24 * time.Hour)
		if _, err := s.Verify(c.Cert, nil, at); err != nil {
			t.Errorf("%s does not verify: %v", c.Source, err)
		}
		if _, err := s.Verify(c.Cert, nil, c.Cert.NotAfter.Add(time.Hour)); err == nil {
			t.Errorf("%s verifies after expiry", c.Source)
		}
	}
}

func TestUserDirAndFiles(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("../../assets/trust/vnpt-ca-sha2.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.pem"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(context.Background(), Options{NoBundled: true, UserDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Certs()) != 1 || s.Certs()[0].Role != RoleAnchor {
		t.Fatalf("user cert not an anchor: %+v", s.Certs())
	}
	if _, err := Load(context.Background(), Options{NoBundled: true, SkipUserDir: true, Files: []string{filepath.Join(dir, "missing.pem")}}); err == nil {
		t.Fatal("missing --trust file accepted")
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), Options{NoBundled: true, UserDir: dir}); err == nil {
		t.Fatal("bad PEM accepted")
	}
}
