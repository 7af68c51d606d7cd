// Package fetch does the bounded HTTP requests of a signing run (RFC 3161
// time-stamps, OCSP, CRLs, AIA certificates): one timeout per request and
// a cap on the size of every answer.
package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxBody is the largest answer accepted.
const MaxBody = 4 << 20

// Client does the network calls of one signing run.
type Client struct {
	client  *http.Client
	timeout time.Duration
}

// New returns a client; a nil c is http.DefaultClient and a timeout <= 0
// is 30 s.
func New(c *http.Client, timeout time.Duration) *Client {
	if c == nil {
		c = http.DefaultClient
	}
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	return &Client{client: c, timeout: timeout}
}

// Do runs one HTTP request with the client's timeout and returns the body
// of a 200 response (bounded).
func (f *Client) Do(ctx context.Context, method, url, ctype string, body []byte) ([]byte, error) {
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
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxBody {
		return nil, fmt.Errorf("%s answered more than %d bytes", url, MaxBody)
	}
	return b, nil
}
