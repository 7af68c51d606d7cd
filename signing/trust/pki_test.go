package trust

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpki"
)

func TestVerifyWithTestPKI(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	p := testpki.New(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, p.Root.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(t.Context(), Options{SkipUserDir: true, Files: []string{root}})
	if err != nil {
		t.Fatal(err)
	}
	leaf := p.Leader.Cert
	chains, err := s.Verify(leaf, p.Leader.Chain, time.Now())
	if err != nil || len(chains[0]) != 3 {
		t.Fatalf("chain: %v %v", chains, err)
	}
	if _, err := s.Verify(leaf, nil, time.Now()); !errors.Is(err, ErrUntrusted) && err == nil {
		t.Fatalf("chain without the intermediate: %v", err)
	}
	if _, err := s.Verify(leaf, p.Leader.Chain, leaf.NotAfter.Add(time.Hour)); !errors.Is(err, ErrExpired) {
		t.Fatalf("after expiry: %v", err)
	}
	bundled, _ := Load(t.Context(), Options{SkipUserDir: true})
	if _, err := bundled.Verify(leaf, p.Leader.Chain, time.Now()); !errors.Is(err, ErrUntrusted) {
		t.Fatalf("test PKI trusted by the bundled roots: %v", err)
	}
}
