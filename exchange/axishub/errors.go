package axishub

import "errors"

// Errors of the door. The handler maps them, exchange/axis's and the
// hub's to the axis result codes.
var (
	ErrNotAdmin     = errors.New("axishub: only an admin system may do this")
	ErrBadInput     = errors.New("axishub: bad request")
	ErrUnknownOp    = errors.New("axishub: unknown operation")
	ErrSystemExists = errors.New("axishub: system ID already registered")
	ErrNoSystem     = errors.New("axishub: no such system")
	ErrMasterKey    = errors.New("axishub: master key unusable")
	ErrWeakSecret   = errors.New("axishub: secret too weak")
	ErrThrottled    = errors.New("axishub: too many refused requests from this address")
)
