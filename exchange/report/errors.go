package report

import "errors"

var (
	// ErrBadRequest: the request is incomplete (no unit, no period).
	ErrBadRequest = errors.New("report: invalid request")
	// ErrWrite: the output file could not be written.
	ErrWrite = errors.New("report: failed to write the report")
)
