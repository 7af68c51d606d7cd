// Package timestamp asks an RFC 3161 time-stamping authority for tokens:
// the signature time-stamp of PAdES B-T and the document time-stamp of
// B-LTA.
package timestamp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"net/http"
	"time"

	rfc3161 "github.com/digitorus/timestamp"

	"github.com/vanthu/vanthu/signing/internal/fetch"
)

// Client asks the TSA at URL for tokens.
type Client struct {
	URL  string
	HTTP *fetch.Client
}

// NewClient returns a client for the TSA at url; a nil c is
// http.DefaultClient and a timeout <= 0 is 30 s per request.
func NewClient(url string, c *http.Client, timeout time.Duration) *Client {
	return &Client{URL: url, HTTP: fetch.New(c, timeout)}
}

// Token is a time-stamp token as the TSA returned it.
type Token struct {
	DER          []byte // the TimeStampToken (a CMS SignedData)
	Time         time.Time
	Certificates []*x509.Certificate // certificates the TSA put in the token
}

// Stamp asks for a time-stamp token over digest (computed with h).
func (c *Client) Stamp(ctx context.Context, h crypto.Hash, digest []byte) (*Token, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	url := c.URL
	req := rfc3161.Request{HashAlgorithm: h, HashedMessage: digest, Certificates: true, Nonce: nonce}
	der, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFailed, err)
	}
	body, err := c.HTTP.Do(ctx, http.MethodPost, url, "application/timestamp-query", der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFailed, err)
	}
	ts, err := rfc3161.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("%w: bad response from %s: %v", ErrFailed, url, err)
	}
	if ts.HashAlgorithm != h || !bytes.Equal(ts.HashedMessage, digest) {
		return nil, fmt.Errorf("%w: the token from %s does not cover the requested digest", ErrFailed, url)
	}
	if ts.Nonce != nil && ts.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("%w: the token from %s has the wrong nonce", ErrFailed, url)
	}
	if len(ts.RawToken) == 0 {
		return nil, fmt.Errorf("%w: empty token from %s", ErrFailed, url)
	}
	return &Token{DER: ts.RawToken, Time: ts.Time, Certificates: ts.Certificates}, nil
}

// Probe gets one token over a dummy digest to learn the TSA's token size
// and certificates before the signer is asked to sign, so that an
// unreachable TSA or a token too big for the placeholder fail early.
func (c *Client) Probe(ctx context.Context, h crypto.Hash) (*Token, error) {
	d := h.New()
	d.Write([]byte("vanthu timestamp probe"))
	return c.Stamp(ctx, h, d.Sum(nil))
}
