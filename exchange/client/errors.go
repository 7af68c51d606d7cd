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
	// ErrNoFile means the document's signed file is not kept on this
	// machine (sent or received by another installation, recalled, or no
	// file was registered).
	ErrNoFile = errors.New("client: the document's file is not on this machine")
	// ErrPaperOnly means the document went on paper only: there is no
	// electronic file to open.
	ErrPaperOnly = errors.New("client: the document was sent on paper only; there is no electronic file")
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

// errorCodes name the errors an outbox entry can wait or fail for.
var errorCodes = []struct {
	err  error
	code string
}{
	{ErrCertRefused, "cert_refused"}, {ErrUnreachable, "unreachable"}, {ErrRateLimited, "rate_limited"},
	{ErrForbidden, "forbidden"}, {ErrTooLarge, "too_large"}, {ErrTooMany, "too_many"},
	{ErrUnknownAgency, "unknown_agency"}, {ErrConflict, "conflict"}, {ErrRefused, "refused"},
	{ErrNotFound, "not_found"}, {ErrTampered, "tampered"}, {ErrHub, "hub"},
}

// ErrorCode is a short, stable name for why a send failed or waits
// ("unreachable", "refused", "rate_limited" …; "other" for the rest, ""
// for nil): what OutboxEntry.ErrorCode keeps for the front ends.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	for _, e := range errorCodes {
		if errors.Is(err, e.err) {
			return e.code
		}
	}
	var he *HubError
	if errors.As(err, &he) && he.Temporary() {
		return "hub"
	}
	return "other"
}
