package pdf

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error this package returns wraps one of them (or
// the context's error).
var (
	// ErrSyntax: the bytes do not follow the PDF syntax where it matters.
	ErrSyntax = errors.New("malformed pdf")
	// ErrLimit: a safety limit (size, depth, count, ratio) was exceeded.
	ErrLimit = errors.New("pdf safety limit exceeded")
	// ErrNotFound: an object or structure is missing.
	ErrNotFound = errors.New("pdf object not found")
	// ErrUnsupported: a feature (filter, encryption) is not supported.
	ErrUnsupported = errors.New("unsupported pdf feature")
	// ErrUnchained: a section says "/Prev 0" (a known writer bug), so
	// the older sections are found through their startxref markers (see
	// View.Broken); it is wrapped with ErrSyntax.
	ErrUnchained = errors.New("older cross-reference sections not chained (/Prev 0)")
)

func errf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", base, fmt.Sprintf(format, args...))
}
