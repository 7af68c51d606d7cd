package ltv

import "errors"

// Sentinel errors. Callers test them with errors.Is.
var (
	// ErrUnavailable: OCSP/CRL data for a certificate could not be had.
	ErrUnavailable = errors.New("revocation data is unavailable")
	// ErrRevoked: a certificate of the chain is revoked.
	ErrRevoked = errors.New("a certificate in the chain is revoked")
)
