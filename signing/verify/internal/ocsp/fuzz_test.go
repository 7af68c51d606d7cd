package ocsp

import (
	"crypto/x509"
	"testing"
)

// FuzzParse checks that decoding never panics and that what it returns is
// usable by the callers' checks.
func FuzzParse(f *testing.F) {
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x00})
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x06})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			return
		}
		c := &x509.Certificate{}
		_ = r.IdentifiesResponder(c)
		for i := range r.Singles {
			if r.Singles[i].Serial == nil {
				t.Fatal("single response without serial")
			}
			_ = r.Singles[i].Names(&x509.Certificate{SerialNumber: r.Singles[i].Serial}, c)
		}
	})
}
