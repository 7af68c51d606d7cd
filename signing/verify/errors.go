package verify

import "errors"

// Sentinel errors. Verify returns a Result together with one of these when
// the file could not be analysed at all.
var (
	// ErrRead means the file could not be opened or read.
	ErrRead = errors.New("failed to read file")
	// ErrMalformed means the file is not a PDF the verifier can parse.
	ErrMalformed = errors.New("malformed pdf")
	// ErrLimit means a safety limit (time, size, nesting) was reached.
	ErrLimit = errors.New("safety limit reached")
	// ErrNoTrustStore means Options.Trust was nil.
	ErrNoTrustStore = errors.New("no trust store given")
)
