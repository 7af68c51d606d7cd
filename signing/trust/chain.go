package trust

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/digitorus/pkcs7"
)

const (
	maxChainLen       = 10
	defaultAIATimeout = 10 * time.Second
	defaultAIAMax     = 1 << 20
)

// ChainOptions controls CompleteChain.
type ChainOptions struct {
	// Fetch allows downloading missing issuers from the certificates'
	// authority information access (caIssuers) URLs.
	Fetch bool
	// HTTPClient does the downloads (default: one with Timeout).
	HTTPClient *http.Client
	// Timeout bounds each download (default 10 s).
	Timeout time.Duration
	// MaxBytes bounds each download (default 1 MiB).
	MaxBytes int64
	// Now chooses between several possible issuers: one valid now wins
	// (default time.Now).
	Now func() time.Time
}

// CompleteChain returns leaf followed by its issuers, each verified by
// signature, up to a self-signed certificate or as far as they can be
// found: among candidates (e.g. the certificates on the token), the store's
// certificates (bundled roots and intermediates, the user's trust folder,
// extra files) and, with opts.Fetch, the caIssuers of each certificate. It
// decides nothing about trust: Verify does. When no self-signed certificate
// ends the chain the partial chain is returned with ErrChainIncomplete.
func (s *Store) CompleteChain(ctx context.Context, leaf *x509.Certificate, candidates []*x509.Certificate, opts ChainOptions) ([]*x509.Certificate, error) {
	if leaf == nil {
		return nil, errors.New("failed to complete a chain: no certificate")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	pool := append([]*x509.Certificate{}, candidates...)
	for _, c := range s.certs {
		pool = append(pool, c.Cert)
	}
	chain := []*x509.Certificate{leaf}
	for cur := leaf; len(chain) < maxChainLen && !isSelfSigned(cur); {
		issuer := pickIssuer(cur, pool, chain, now())
		if issuer == nil && opts.Fetch {
			fetched := fetchIssuers(ctx, cur, opts)
			pool = append(pool, fetched...)
			issuer = pickIssuer(cur, fetched, chain, now())
		}
		if err := ctx.Err(); err != nil {
			return chain, err
		}
		if issuer == nil {
			return chain, fmt.Errorf("%w: no issuer found for %q", ErrChainIncomplete, cur.Subject.CommonName)
		}
		chain = append(chain, issuer)
		cur = issuer
	}
	if !isSelfSigned(chain[len(chain)-1]) {
		return chain, fmt.Errorf("%w: chain too long", ErrChainIncomplete)
	}
	return chain, nil
}

// pickIssuer returns the certificate of pool that signed c and is not in
// the chain yet, preferring one valid at now, then the latest to expire.
func pickIssuer(c *x509.Certificate, pool, chain []*x509.Certificate, now time.Time) *x509.Certificate {
	var best *x509.Certificate
	for _, p := range pool {
		if p == nil || !bytes.Equal(p.RawSubject, c.RawIssuer) || inChain(p, chain) {
			continue
		}
		if len(c.AuthorityKeyId) > 0 && len(p.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId) {
			continue
		}
		if c.CheckSignatureFrom(p) != nil {
			continue
		}
		if best == nil || better(p, best, now) {
			best = p
		}
	}
	return best
}

func better(a, b *x509.Certificate, now time.Time) bool {
	va := !now.Before(a.NotBefore) && !now.After(a.NotAfter)
	vb := !now.Before(b.NotBefore) && !now.After(b.NotAfter)
	if va != vb {
		return va
	}
	return a.NotAfter.After(b.NotAfter)
}

func inChain(c *x509.Certificate, chain []*x509.Certificate) bool {
	for _, x := range chain {
		if bytes.Equal(x.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// fetchIssuers downloads the caIssuers of c (DER, PEM or a PKCS #7
// certs-only bundle), each within the time and size limits; failures
// yield nothing.
func fetchIssuers(ctx context.Context, c *x509.Certificate, opts ChainOptions) []*x509.Certificate {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultAIATimeout
	}
	limit := opts.MaxBytes
	if limit <= 0 {
		limit = defaultAIAMax
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	var out []*x509.Certificate
	for _, u := range c.IssuingCertificateURL {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			continue
		}
		b, err := download(ctx, client, u, timeout, limit)
		if err != nil {
			continue
		}
		out = append(out, parseIssuers(b)...)
	}
	return out
}

func download(ctx context.Context, client *http.Client, url string, timeout time.Duration, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errors.New("response too large")
	}
	return b, nil
}

func parseIssuers(b []byte) []*x509.Certificate {
	if c, err := x509.ParseCertificate(b); err == nil {
		return []*x509.Certificate{c}
	}
	if certs, err := ParsePEM(b); err == nil {
		return certs
	}
	if p7, err := pkcs7.Parse(b); err == nil {
		return p7.Certificates
	}
	return nil
}
