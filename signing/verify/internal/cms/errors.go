package cms

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error returned by this package wraps one of them.
var (
	// ErrMalformed means the CMS structure could not be parsed.
	ErrMalformed = errors.New("malformed cms")
	// ErrLimit means a safety limit was exceeded.
	ErrLimit = errors.New("cms safety limit exceeded")
	// ErrUnsupportedAlgorithm means an algorithm is not supported.
	ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")
	// ErrDigestMismatch means the messageDigest attribute does not match.
	ErrDigestMismatch = errors.New("message digest mismatch")
	// ErrBadSignature means the signature value does not verify.
	ErrBadSignature = errors.New("signature value does not verify")
)

func errf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", base, fmt.Sprintf(format, args...))
}
