package cms

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
)

// verifyRSARaw verifies a PKCS #1 v1.5 signature by hand: it accepts public
// exponents crypto/rsa refuses (> 2^31) and takes the hash from the
// DigestInfo, so a signer that declared one hash in the algorithm
// identifier but used another (seen in the wild) still verifies when the
// signature is genuine. MD5 and unknown hashes are refused.
func verifyRSARaw(pub *rsa.PublicKey, msg []byte, sig []byte) error {
	if pub.N == nil || pub.N.Sign() <= 0 || pub.E < 3 {
		return errf(ErrBadSignature, "bad RSA key")
	}
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) > k || len(sig) < k-8 || k < 128 {
		return errf(ErrBadSignature, "bad RSA signature length")
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return errf(ErrBadSignature, "RSA signature out of range")
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	if em[0] != 0 || em[1] != 1 {
		return errf(ErrBadSignature, "bad PKCS #1 padding")
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	if i < 10 || i >= len(em) || em[i] != 0 {
		return errf(ErrBadSignature, "bad PKCS #1 padding")
	}
	var di struct {
		Alg    pkix.AlgorithmIdentifier
		Digest []byte
	}
	rest, err := asn1.Unmarshal(em[i+1:], &di)
	if err != nil || len(rest) != 0 {
		return errf(ErrBadSignature, "bad DigestInfo")
	}
	h, err := HashFor(di.Alg.Algorithm)
	if err != nil || !h.Available() || h == crypto.MD5 {
		return errf(ErrBadSignature, "DigestInfo hash not acceptable")
	}
	hh := h.New()
	hh.Write(msg)
	if subtle.ConstantTimeCompare(hh.Sum(nil), di.Digest) != 1 || bytes.Equal(di.Digest, nil) {
		return errf(ErrBadSignature, "RSA verification failed")
	}
	return nil
}
