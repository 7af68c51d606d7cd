package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/vanthu/vanthu/signing/verify/internal/cms"
)

// TestWeakAlgorithms covers the key sizes and hashes the end-to-end tests
// (enginetest) cannot make with the test PKI: an EC key under 256 bits.
func TestWeakAlgorithms(t *testing.T) {
	cert := func(curve elliptic.Curve) *x509.Certificate {
		k, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	sha256 := asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	ecdsaSHA256 := asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	ecdsaSHA1 := asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	si := func(sig asn1.ObjectIdentifier) *cms.SignerInfo {
		return &cms.SignerInfo{DigestAlg: pkix.AlgorithmIdentifier{Algorithm: sha256}, SigAlg: pkix.AlgorithmIdentifier{Algorithm: sig}}
	}
	for _, tc := range []struct {
		name    string
		si      *cms.SignerInfo
		cert    *x509.Certificate
		imprint crypto.Hash
		want    []string
	}{
		{"P-256 SHA-256", si(ecdsaSHA256), cert(elliptic.P256()), 0, nil},
		{"P-224", si(ecdsaSHA256), cert(elliptic.P224()), 0, []string{"ECDSA-224"}},
		{"SHA-1 signature hash", si(ecdsaSHA1), cert(elliptic.P256()), 0, []string{"SHA-1"}},
		{"SHA-1 imprint", si(ecdsaSHA256), cert(elliptic.P384()), crypto.SHA1, []string{"SHA-1"}},
	} {
		got := weakAlgorithms(tc.si, tc.cert, tc.imprint)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i, p := range got {
			if p.Code != CodeAlgorithmWeak || p.Severity != problemSevIndet || p.Params["algorithm"] != tc.want[i] {
				t.Errorf("%s: %+v, want %s (indeterminate)", tc.name, p, tc.want[i])
			}
		}
	}
}
