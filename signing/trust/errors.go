package trust

import "errors"

// Sentinel errors of the trust store.
var (
	// ErrUntrusted means no chain leads to a trust anchor.
	ErrUntrusted = errors.New("certificate does not chain to a trusted root")
	// ErrExpired means a certificate of the chain is not valid at the time asked.
	ErrExpired = errors.New("certificate not valid at the given time")
	// ErrInvalidChain means a chain exists but is invalid (constraints, usage, signature).
	ErrInvalidChain = errors.New("invalid certificate chain")
	// ErrChainIncomplete means CompleteChain found no issuer for some
	// certificate before a self-signed one; the partial chain is returned.
	ErrChainIncomplete = errors.New("certificate chain incomplete")
	// ErrBadPEM means a PEM file holds no usable certificate.
	ErrBadPEM = errors.New("no certificate in PEM data")
)
