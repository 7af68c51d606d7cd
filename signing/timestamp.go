package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
)

const maxHTTPBody = 4 << 20

// fetcher does the network calls of one signing run.
type fetcher struct {
	client  *http.Client
	timeout time.Duration
}

func newFetcher(opts *Options) *fetcher {
	c := opts.HTTPClient
	if c == nil {
		c = http.DefaultClient
	}
	t := opts.Timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	return &fetcher{client: c, timeout: t}
}

// do runs one HTTP request with the fetcher's timeout and returns the body
// of a 200 response (bounded).
func (f *fetcher) do(ctx context.Context, method, url, ctype string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered HTTP %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxHTTPBody {
		return nil, fmt.Errorf("%s answered more than %d bytes", url, maxHTTPBody)
	}
	return b, nil
}

// timestampDigest asks the TSA at url for a time-stamp token over digest
// (computed with h). It returns the DER TimeStampToken and its parsed form.
func (f *fetcher) timestampDigest(ctx context.Context, url string, h crypto.Hash, digest []byte) ([]byte, *timestamp.Timestamp, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, nil, err
	}
	req := timestamp.Request{HashAlgorithm: h, HashedMessage: digest, Certificates: true, Nonce: nonce}
	der, err := req.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrTimestamp, err)
	}
	body, err := f.do(ctx, http.MethodPost, url, "application/timestamp-query", der)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrTimestamp, err)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: bad response from %s: %v", ErrTimestamp, url, err)
	}
	if ts.HashAlgorithm != h || !bytes.Equal(ts.HashedMessage, digest) {
		return nil, nil, fmt.Errorf("%w: the token from %s does not cover the requested digest", ErrTimestamp, url)
	}
	if ts.Nonce != nil && ts.Nonce.Cmp(nonce) != 0 {
		return nil, nil, fmt.Errorf("%w: the token from %s has the wrong nonce", ErrTimestamp, url)
	}
	if len(ts.RawToken) == 0 {
		return nil, nil, fmt.Errorf("%w: empty token from %s", ErrTimestamp, url)
	}
	return ts.RawToken, ts, nil
}

// probeTimestamp gets one token over a dummy digest to learn the TSA's
// token size and certificates before the token is asked to sign, so that
// an unreachable TSA or a token too big for the placeholder fail early.
func (f *fetcher) probeTimestamp(ctx context.Context, url string, h crypto.Hash) (int, *timestamp.Timestamp, error) {
	d := h.New()
	d.Write([]byte("vanthu timestamp probe"))
	tok, ts, err := f.timestampDigest(ctx, url, h, d.Sum(nil))
	if err != nil {
		return 0, nil, err
	}
	return len(tok), ts, nil
}
