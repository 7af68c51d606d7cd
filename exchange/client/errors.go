package client

import (
	"errors"
	"fmt"
)

// Errors of the client. Errors from the hub come as *HubError, which
// wraps the sentinel that matches its code.
var (
	ErrForbidden       = errors.New("client: the hub refused: not allowed for this agency")
	ErrNotFound        = errors.New("client: not found")
	ErrTooLarge        = errors.New("client: package larger than the hub accepts")
	ErrTooMany         = errors.New("client: too many recipients for the hub")
	ErrRateLimited     = errors.New("client: the hub asks to slow down")
	ErrRefused         = errors.New("client: the hub refused the package")
	ErrUnknownAgency   = errors.New("client: unknown or revoked agency")
	ErrConflict        = errors.New("client: message ID already used for another package")
	ErrUnreachable     = errors.New("client: hub unreachable")
	ErrHub             = errors.New("client: hub error")
	ErrNotEnrolled     = errors.New("client: this installation is not enrolled with a hub")
	ErrBadConfig       = errors.New("client: configuration invalid")
	ErrNotSigned       = errors.New("client: the file is not a validly signed PDF")
	ErrUnsignedRefused = errors.New("client: official documents must be signed; unsigned sending is refused")
	ErrNoRecipient     = errors.New("client: no recipient")
	ErrState           = errors.New("client: not possible in the document's state")
	ErrDuplicate       = errors.New("client: the document is already in the outbox")
	// ErrCertRefused means the hub refused this installation's connection
	// certificate in the TLS handshake (revoked, expired or unknown).
	ErrCertRefused = errors.New("client: the hub refused this installation's certificate")
	// ErrTampered means a downloaded package is not the one the hub listed.
	ErrTampered = errors.New("client: package changed on the way")
)

// HubError is an error answer of the hub.
type HubError struct {
	Status  int
	Code    string
	Message string
	err     error
}

func (e *HubError) Error() string {
	return fmt.Sprintf("%v (HTTP %d %s: %s)", e.err, e.Status, e.Code, e.Message)
}

func (e *HubError) Unwrap() error { return e.err }

// Temporary reports whether a retry later may succeed (server errors,
// rate limiting).
func (e *HubError) Temporary() bool { return e.Status >= 500 || e.Status == 429 }
