package cms

import "errors"

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrUnsupported: the hash or key algorithm is not one this package
	// signs with (SHA-256/384/512; RSA or ECDSA keys).
	ErrUnsupported = errors.New("unsupported algorithm")
	// ErrBadSignature: the signer produced a signature that does not verify
	// against the certificate (wrong key or faulty token).
	ErrBadSignature = errors.New("the token returned an invalid signature")
)
