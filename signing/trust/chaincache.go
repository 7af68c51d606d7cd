package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"sync"
	"time"
)

// Building and checking a chain costs a few signature checks (RSA for most
// CAs); a hub verifies the same few signers' chains for every package and
// document. The store keeps the chains it found for a leaf and the extra
// intermediates offered with it, and answers again from them while every
// certificate of those chains is valid at the time asked about, for at most
// chainCacheAge. Failures are never kept, and adding a certificate to the
// store forgets everything.

const (
	chainCacheAge     = 10 * time.Minute
	chainCacheEntries = 1024
)

type chainCache struct {
	mu      sync.Mutex
	entries map[[32]byte]cachedChains
}

type cachedChains struct {
	chains              [][]*x509.Certificate
	notBefore, notAfter time.Time // when every certificate of chains is valid
	until               time.Time // forgotten after
}

func chainKey(leaf *x509.Certificate, extra []*x509.Certificate) [32]byte {
	h := sha256.New()
	for _, c := range append([]*x509.Certificate{leaf}, extra...) {
		sum := sha256.Sum256(c.Raw)
		h.Write(sum[:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *chainCache) get(key [32]byte, at time.Time) ([][]*x509.Certificate, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	switch {
	case !ok:
		return nil, false
	case !time.Now().Before(e.until):
		delete(c.entries, key)
		return nil, false
	case at.Before(e.notBefore) || at.After(e.notAfter):
		return nil, false
	}
	return copyChains(e.chains), true
}

func (c *chainCache) put(key [32]byte, chains [][]*x509.Certificate) {
	e := cachedChains{chains: copyChains(chains), until: time.Now().Add(chainCacheAge)}
	for i, chain := range chains {
		for j, cert := range chain {
			if (i == 0 && j == 0) || cert.NotBefore.After(e.notBefore) {
				e.notBefore = cert.NotBefore
			}
			if (i == 0 && j == 0) || cert.NotAfter.Before(e.notAfter) {
				e.notAfter = cert.NotAfter
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= chainCacheEntries {
		c.entries = map[[32]byte]cachedChains{}
	}
	c.entries[key] = e
}

func (c *chainCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
}

// copyChains copies the slices (not the certificates), so no caller can
// change what the cache keeps.
func copyChains(chains [][]*x509.Certificate) [][]*x509.Certificate {
	out := make([][]*x509.Certificate, len(chains))
	for i, c := range chains {
		out[i] = append([]*x509.Certificate(nil), c...)
	}
	return out
}
