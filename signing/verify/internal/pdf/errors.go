package pdf

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error returned by this package wraps one of them.
var (
	// ErrSyntax means the file does not follow the PDF syntax.
	ErrSyntax = errors.New("malformed pdf")
	// ErrLimit means a safety limit (size, depth, count) was exceeded.
	ErrLimit = errors.New("pdf safety limit exceeded")
	// ErrNotFound means an object or structure is missing.
	ErrNotFound = errors.New("pdf object not found")
	// ErrUnsupported means a feature (filter, encryption) is not supported.
	ErrUnsupported = errors.New("unsupported pdf feature")
)

func errf(base error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", base, fmt.Sprintf(format, args...))
}
