package hub

import "errors"

// Errors of the hub. The HTTP layer maps each to a status code and a
// wire.Error code.
var (
	ErrForbidden          = errors.New("hub: not allowed for this agency")
	ErrNotFound           = errors.New("hub: not found")
	ErrTooLarge           = errors.New("hub: package larger than the limit")
	ErrTooManyRecipients  = errors.New("hub: too many recipients")
	ErrRateLimited        = errors.New("hub: too many requests")
	ErrBadPackage         = errors.New("hub: package refused")
	ErrBadRequest         = errors.New("hub: bad request")
	ErrUnknownAgency      = errors.New("hub: unknown or revoked agency")
	ErrConflict           = errors.New("hub: message ID already used for another package")
	ErrRecallNotAllowed   = errors.New("hub: this status does not answer a document of these agencies")
	ErrRouteMismatch      = errors.New("hub: the recipients asked for are not the package's")
	ErrAgencyExists       = errors.New("hub: agency already registered")
	ErrBadCSR             = errors.New("hub: certificate request refused")
	ErrCertificate        = errors.New("hub: client certificate not accepted")
	ErrAuditBroken        = errors.New("hub: audit trail does not verify")
	ErrNotInitialised     = errors.New("hub: hub folder not initialised")
	ErrAlreadyInitialised = errors.New("hub: hub folder already initialised")
	// ErrHeldBack is a BatchHook's answer for an event left for later
	// behind an earlier event of its document that failed.
	ErrHeldBack = errors.New("hub: held back behind an earlier event of the document")
)
