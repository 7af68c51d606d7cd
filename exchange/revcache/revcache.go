// Package revcache keeps the OCSP responses and CRLs that online signature
// verification (signing/verify with Online) fetches, so a hub registering
// hundreds of documents signed by the same people asks each responder once
// per certificate, not once per document.
//
// Only the download is saved: the cached bytes are handed back exactly as
// the responder sent them, and the verifier checks them again each time
// (signature, responder, times). An answer is kept until the next update it
// announces, at most MaxAge; an answer without a next update, an error or
// anything that is not an OCSP response or a CRL is never kept.
package revcache

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"io"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

const (
	// DefaultMaxAge caps how long an answer is kept.
	DefaultMaxAge = 10 * time.Minute
	// maxEntries bounds the cache; when full, expired answers are dropped,
	// and if none has expired, all of them.
	maxEntries = 4096
	// maxBody is the largest answer kept (a large CRL is fetched again).
	maxBody = 8 << 20
	// maxRequest is the largest request body looked at (OCSP requests are
	// a few hundred bytes).
	maxRequest = 64 << 10
)

// Transport is an http.RoundTripper that keeps revocation answers.
type Transport struct {
	// Base does the requests (default http.DefaultTransport).
	Base http.RoundTripper
	// MaxAge caps how long an answer is kept (default DefaultMaxAge).
	MaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]entry
}

type entry struct {
	body   []byte
	header http.Header
	until  time.Time
}

// Client is an http.Client with a Transport and the timeout, for
// verify.Options.HTTPClient.
func Client(timeout time.Duration) *http.Client {
	return &http.Client{Transport: &Transport{}, Timeout: timeout}
}

// RoundTrip answers from the cache when it can, else asks Base and keeps
// the answer when it is a revocation answer with a next update.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxRequest+1))
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	if len(body) > maxRequest || (req.Method != http.MethodGet && req.Method != http.MethodPost) {
		return t.base().RoundTrip(req)
	}
	sum := sha256.Sum256(body)
	key := req.Method + " " + req.URL.String() + " " + hex.EncodeToString(sum[:])
	now := t.now()
	if e, ok := t.get(key, now); ok {
		return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: e.header.Clone(), Body: io.NopCloser(bytes.NewReader(e.body)), ContentLength: int64(len(e.body)), Request: req}, nil
	}
	resp, err := t.base().RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	if len(data) > maxBody { // too large to keep: hand it on whole
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(data), resp.Body), resp.Body}
		return resp, nil
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if next := nextUpdate(data); next.After(now) {
		t.put(key, entry{body: data, header: resp.Header.Clone(), until: minTime(next, now.Add(t.maxAge()))}, now)
	}
	return resp, nil
}

// nextUpdate is the next update an OCSP response or a CRL announces (zero
// for anything else, or none announced).
func nextUpdate(data []byte) time.Time {
	if r, err := ocsp.ParseResponse(data, nil); err == nil {
		return r.NextUpdate
	}
	if crl, err := x509.ParseRevocationList(data); err == nil {
		return crl.NextUpdate
	}
	return time.Time{}
}

func (t *Transport) get(key string, now time.Time) (entry, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[key]
	if ok && !now.Before(e.until) {
		delete(t.entries, key)
		return entry{}, false
	}
	return e, ok
}

func (t *Transport) put(key string, e entry, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil {
		t.entries = map[string]entry{}
	}
	if len(t.entries) >= maxEntries {
		for k, old := range t.entries {
			if !now.Before(old.until) {
				delete(t.entries, k)
			}
		}
		if len(t.entries) >= maxEntries {
			clear(t.entries)
		}
	}
	t.entries[key] = e
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) maxAge() time.Duration {
	if t.MaxAge > 0 {
		return t.MaxAge
	}
	return DefaultMaxAge
}

func (t *Transport) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
