package token

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// digestAlgorithmOIDs are the hash algorithm identifiers used in a PKCS#1
// v1.5 DigestInfo.
var digestAlgorithmOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA224: {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// digestInfo builds the DER DigestInfo that CKM_RSA_PKCS signs:
// SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING digest }.
func digestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	oid, ok := digestAlgorithmOIDs[h]
	if !ok {
		return nil, fmt.Errorf("failed to build DigestInfo for hash %v: %w", h, ErrUnsupportedKey)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("failed to build DigestInfo: digest is %d bytes, %v needs %d: %w", len(digest), h, h.Size(), ErrUnsupportedKey)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1NULL()
		})
		b.AddASN1OctetString(digest)
	})
	return b.Bytes()
}

// ecdsaRawToDER converts the r‖s output of CKM_ECDSA to an ASN.1
// ECDSA-Sig-Value.
func ecdsaRawToDER(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("failed to decode ECDSA signature of %d bytes: %w", len(raw), ErrUnsupportedKey)
	}
	n := len(raw) / 2
	r := new(big.Int).SetBytes(raw[:n])
	s := new(big.Int).SetBytes(raw[n:])
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.Bytes()
}
