package cms

import (
	"crypto/x509"
	"testing"
)

// FuzzParse checks that CMS parsing and signature checks never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80, 0x00, 0x00, 0x00, 0x00})
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00})
	f.Add([]byte{0x30, 0x84, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := Parse(b)
		if err != nil {
			return
		}
		for i := range sd.Signers {
			si := &sd.Signers[i]
			_ = si.CheckMessageDigest([]byte{1, 2, 3})
			_, _ = si.SigningTime()
			for _, c := range sd.Certs {
				_ = si.VerifySignature(c, make([]byte, 32))
			}
			_ = si.VerifySignature(&x509.Certificate{}, make([]byte, 32))
		}
		_, _ = ParseTSTInfo(sd.EContent)
	})
}
