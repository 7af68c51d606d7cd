package timestamp

import "errors"

// ErrFailed: the time-stamping authority could not be used (unreachable,
// an error answer, or a token that does not match the request).
var ErrFailed = errors.New("time-stamping failed")
