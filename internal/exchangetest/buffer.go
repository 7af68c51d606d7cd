package exchangetest

import (
	"bytes"
	"crypto/x509"
	"strings"
	"sync"
)

// lineBuffer collects a child's output, safe for concurrent use.
type lineBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// Contains reports whether the output so far contains s.
func (l *lineBuffer) Contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.b.String(), s)
}

// Count counts lines starting with prefix.
func (l *lineBuffer) Count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.b.String(), "\n") {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

func parseCert(der []byte) (*x509.Certificate, error) { return x509.ParseCertificate(der) }
