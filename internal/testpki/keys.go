package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// KeyType names a key algorithm and size.
type KeyType string

// Supported key types.
const (
	RSA1024 KeyType = "RSA-1024" // weak: for tests that expect it refused
	RSA2048 KeyType = "RSA-2048"
	RSA4096 KeyType = "RSA-4096"
	ECP256  KeyType = "ECDSA-P256"
	ECP384  KeyType = "ECDSA-P384"
)

// GenerateKey creates a fresh software key of type kt (RSA2048 when empty).
func GenerateKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case RSA1024:
		return rsa.GenerateKey(rand.Reader, 1024)
	case RSA2048, "":
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	case ECP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	return nil, fmt.Errorf("testpki: unsupported key type %q", kt)
}

// keyTypeOf reports the KeyType of a public key, or "" if unknown.
func keyTypeOf(pub crypto.PublicKey) KeyType {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch k.N.BitLen() {
		case 1024:
			return RSA1024
		case 2048:
			return RSA2048
		case 4096:
			return RSA4096
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ECP256
		case elliptic.P384():
			return ECP384
		}
	}
	return ""
}

// Process-wide key cache: each (name, key type) pair is generated at most
// once per process and shared by every PKI.
type cachedKey struct {
	once sync.Once
	key  crypto.Signer
	err  error
}

var (
	keyCacheMu sync.Mutex
	keyCache   = map[string]*cachedKey{}
)

// SharedKey returns the process-wide key called name of type kt, generating
// it on first use. When dir is not empty the key is also loaded from / saved
// to dir/<name>-<kt>.pem (PKCS#8) so that later processes can reuse it.
func SharedKey(name string, kt KeyType, dir string) (crypto.Signer, error) {
	if kt == "" {
		kt = RSA2048
	}
	id := name + "|" + string(kt)
	keyCacheMu.Lock()
	ck, ok := keyCache[id]
	if !ok {
		ck = &cachedKey{}
		keyCache[id] = ck
	}
	keyCacheMu.Unlock()
	ck.once.Do(func() {
		ck.key, ck.err = loadOrGenerate(name, kt, dir)
	})
	return ck.key, ck.err
}

func loadOrGenerate(name string, kt KeyType, dir string) (crypto.Signer, error) {
	if dir == "" {
		return GenerateKey(kt)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.pem", name, kt))
	if data, err := os.ReadFile(path); err == nil {
		if k, err := parseKeyPEM(data); err == nil && keyTypeOf(k.Public()) == kt {
			return k, nil
		}
		// Corrupt or mismatching cache entry: regenerate and overwrite.
	}
	k, err := GenerateKey(kt)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return k, nil // cache is best effort
	}
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return k, nil
	}
	_ = pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if tmp.Close() == nil {
		_ = os.Rename(tmp.Name(), path)
	}
	_ = os.Remove(tmp.Name())
	return k, nil
}

func parseKeyPEM(data []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("testpki: no PKCS#8 PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("testpki: key is not a crypto.Signer")
	}
	return s, nil
}
