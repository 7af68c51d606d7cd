package trust

import (
	"bytes"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpki"
)

func storeWithRoot(p *testpki.PKI) *Store {
	s := New()
	s.Add(p.Root.Cert, RoleAnchor, "test")
	return s
}

func chainIs(t *testing.T, got []*x509.Certificate, want ...*x509.Certificate) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("chain of %d, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, want[i].Raw) {
			t.Fatalf("chain[%d] = %q, want %q", i, got[i].Subject.CommonName, want[i].Subject.CommonName)
		}
	}
}

// TestCompleteChain: a leaf alone (as on a token that holds only the
// leaf) is completed from the token's other certificates, the store's
// intermediates, or the caIssuers URL, and ends at the root.
func TestCompleteChain(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	p := testpki.New(t)
	ctx := t.Context()
	leaf := p.Leader.Cert

	// from the candidates (the token's CA certificate)
	got, err := storeWithRoot(p).CompleteChain(ctx, leaf, []*x509.Certificate{p.Director.Cert, p.Intermediate.Cert}, ChainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chainIs(t, got, leaf, p.Intermediate.Cert, p.Root.Cert)

	// from the store (bundled intermediates, the user's trust folder)
	s := storeWithRoot(p)
	s.Add(p.Intermediate.Cert, RoleIntermediate, "test")
	got, err = s.CompleteChain(ctx, leaf, nil, ChainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chainIs(t, got, leaf, p.Intermediate.Cert, p.Root.Cert)

	// nothing known offline: the partial chain and ErrChainIncomplete
	got, err = storeWithRoot(p).CompleteChain(ctx, leaf, nil, ChainOptions{})
	if !errors.Is(err, ErrChainIncomplete) {
		t.Fatalf("offline without the intermediate: %v", err)
	}
	chainIs(t, got, leaf)

	// online: the intermediate from its caIssuers URL, then the root from the store
	before := p.Hits(testpki.ServiceCAIssuers)
	got, err = storeWithRoot(p).CompleteChain(ctx, leaf, nil, ChainOptions{Fetch: true})
	if err != nil {
		t.Fatal(err)
	}
	chainIs(t, got, leaf, p.Intermediate.Cert, p.Root.Cert)
	if p.Hits(testpki.ServiceCAIssuers) != before+1 {
		t.Errorf("caIssuers asked %d times, want once", p.Hits(testpki.ServiceCAIssuers)-before)
	}
	// and the root too when the store has neither
	got, err = New().CompleteChain(ctx, leaf, nil, ChainOptions{Fetch: true})
	if err != nil {
		t.Fatal(err)
	}
	chainIs(t, got, leaf, p.Intermediate.Cert, p.Root.Cert)
}

// TestCompleteChainRefusesLookAlikes: an issuer with the right name but
// another key is never put in the chain.
func TestCompleteChainRefusesLookAlikes(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	p := testpki.New(t)
	fake, err := testpki.LookAlike(p.Intermediate.Cert, testpki.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	got, err := storeWithRoot(p).CompleteChain(t.Context(), p.Leader.Cert, []*x509.Certificate{fake.Cert, p.Intermediate.Cert}, ChainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chainIs(t, got, p.Leader.Cert, p.Intermediate.Cert, p.Root.Cert)
	got, err = storeWithRoot(p).CompleteChain(t.Context(), p.Leader.Cert, []*x509.Certificate{fake.Cert}, ChainOptions{})
	if !errors.Is(err, ErrChainIncomplete) || len(got) != 1 {
		t.Fatalf("look-alike issuer accepted: %d certificates, %v", len(got), err)
	}
}

// TestCompleteChainFetchLimits: a caIssuers server that is slow or sends
// too much yields nothing, in bounded time.
func TestCompleteChainFetchLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	p := testpki.New(t)
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat(p.Intermediate.CertPEM(), 1000))
	}))
	defer huge.Close()
	leaf := p.MustIssue(t, testpki.Spec{CommonName: "Hồ Văn Dài", Organization: "Sở Công Thương"}).Cert
	leaf.IssuingCertificateURL = []string{huge.URL}
	got, err := storeWithRoot(p).CompleteChain(t.Context(), leaf, nil, ChainOptions{Fetch: true, MaxBytes: 64 << 10})
	if !errors.Is(err, ErrChainIncomplete) || len(got) != 1 {
		t.Fatalf("oversized caIssuers answer used: %d certificates, %v", len(got), err)
	}
	// the same answer within the limit is used (PEM, several copies)
	got, err = storeWithRoot(p).CompleteChain(t.Context(), leaf, nil, ChainOptions{Fetch: true, MaxBytes: 4 << 20})
	if err != nil || len(got) != 3 {
		t.Fatalf("caIssuers PEM answer: %d certificates, %v", len(got), err)
	}

	p.SetDelay(testpki.ServiceCAIssuers, 5*time.Second)
	defer p.SetDelay(testpki.ServiceCAIssuers, 0)
	start := time.Now()
	got, err = storeWithRoot(p).CompleteChain(t.Context(), p.Leader.Cert, nil, ChainOptions{Fetch: true, Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrChainIncomplete) || len(got) != 1 {
		t.Fatalf("slow caIssuers: %d certificates, %v", len(got), err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("slow caIssuers took %v", el)
	}
}
