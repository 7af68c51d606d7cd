package axisclient

import (
	"errors"
	"fmt"
)

// ErrCredentials means the service refused this system's ID or secret
// (ErrorCode 401); a send it refuses fails until the configuration is
// fixed (vanthu outbox --retry then).
var ErrCredentials = errors.New("axisclient: the axis refused this system's ID or secret")

// ErrNoSecret means the configuration folder holds no secret.
var ErrNoSecret = errors.New("axisclient: no system secret configured (vanthu enroll --axis … --secret-file F)")

// Error is a FAIL answer (or an unreadable one) of the axis service. It
// wraps the client error that matches it, so the client's retry and
// refusal rules apply (client.Temporary for ErrUnreachable).
type Error struct {
	Op     string
	HTTP   int
	Code   string // ErrorCode
	Desc   string // ErrorDesc
	target error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v (axis %s: HTTP %d, ErrorCode %s: %s)", e.target, e.Op, e.HTTP, e.Code, e.Desc)
}

func (e *Error) Unwrap() error { return e.target }
