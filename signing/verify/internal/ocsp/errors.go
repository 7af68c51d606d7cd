package ocsp

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error returned by this package wraps one of them.
var (
	// ErrMalformed means the bytes are not an OCSP response this package can read.
	ErrMalformed = errors.New("malformed ocsp response")
	// ErrNotSuccessful means the responder answered with an error status
	// (malformedRequest, tryLater, unauthorized, …) instead of a response.
	ErrNotSuccessful = errors.New("ocsp responder returned an error status")
	// ErrLimit means a safety limit was exceeded.
	ErrLimit = errors.New("ocsp safety limit exceeded")
)

func errf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", base, fmt.Sprintf(format, args...))
}
