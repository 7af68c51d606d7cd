package revcache_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/revcache"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/verify"
)

// counting counts the requests that reach the network.
type counting struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// TestVerifyTwice: verifying the same signed PDF twice online asks the
// test PKI's responders once; both verdicts are the same.
func TestVerifyTwice(t *testing.T) {
	env := exchangetest.Shared(t)
	path := env.SignedPDFs(t, t.TempDir(), 1, 20<<10)[0]
	net := &counting{base: http.DefaultTransport}
	client := &http.Client{Transport: &revcache.Transport{Base: net}, Timeout: 10 * time.Second}
	opts := verify.Options{Trust: env.Trust, Online: true, HTTPClient: client}
	first, err := verify.VerifyFile(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	asked := net.n.Load()
	if asked == 0 || first.Status != verify.StatusValid {
		t.Fatalf("first verification: %s after %d requests", first.Status, asked)
	}
	second, err := verify.VerifyFile(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	if net.n.Load() != asked || second.Status != first.Status {
		t.Fatalf("second verification: %s after %d more requests", second.Status, net.n.Load()-asked)
	}
}

// TestWhatIsKept: an OCSP response or a CRL is kept until its next update,
// at most MaxAge; one without a next update, an error answer and anything
// else are asked for every time.
func TestWhatIsKept(t *testing.T) {
	env := exchangetest.Shared(t)
	p := env.PKI
	good, err := p.CraftOCSP(testpki.OCSPSpec{Cert: p.Leader.Cert, NextUpdate: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	noNext, err := p.CraftOCSP(testpki.OCSPSpec{Cert: p.Leader.Cert, NoNextUpdate: true})
	if err != nil {
		t.Fatal(err)
	}
	crl, err := p.CraftCRL(testpki.CRLSpec{})
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{"/good": good, "/nonext": noNext, "/crl": crl, "/other": []byte("hello")}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/fail" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(bodies[r.URL.Path])
	}))
	defer srv.Close()
	now := time.Now()
	tr := &revcache.Transport{MaxAge: 10 * time.Minute, Now: func() time.Time { return now }}
	c := &http.Client{Transport: tr}
	ask := func(path string, body []byte) []byte {
		t.Helper()
		resp, err := c.Post(srv.URL+path, "application/ocsp-request", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	for _, tc := range []struct {
		path string
		want int64 // requests that reach the server for three asks
	}{{"/good", 1}, {"/crl", 1}, {"/nonext", 3}, {"/other", 3}, {"/fail", 3}} {
		before := hits.Load()
		for range 3 {
			if got := ask(tc.path, []byte("req")); tc.path != "/fail" && !bytes.Equal(got, bodies[tc.path]) {
				t.Fatalf("%s: answer changed", tc.path)
			}
		}
		if n := hits.Load() - before; n != tc.want {
			t.Errorf("%s: %d requests reached the server, want %d", tc.path, n, tc.want)
		}
	}
	// Another request body is another question.
	before := hits.Load()
	ask("/good", []byte("other req"))
	if hits.Load() != before+1 {
		t.Error("a different request was answered from the cache")
	}
	// Past MaxAge (before the response's next update) it is asked again.
	now = now.Add(11 * time.Minute)
	before = hits.Load()
	ask("/good", []byte("req"))
	if hits.Load() != before+1 {
		t.Error("an answer was kept beyond MaxAge")
	}
}
