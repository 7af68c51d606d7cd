package bridge

import (
	"errors"
	"fmt"
)

// UsageError is a request that cannot be carried out as given (a missing
// input, outputs that collide, a level without its TSA …). Key names the
// message in the catalogues (assets/translations), Args fill it.
type UsageError struct {
	Key  string
	Args []any
}

func (e *UsageError) Error() string {
	return fmt.Sprintf("%s %v", e.Key, e.Args)
}

func usage(key string, args ...any) error { return &UsageError{Key: key, Args: args} }

// ImageMissingError: a role needs the signer's signature image or the
// organisation's seal, and none is stored for Owner.
type ImageMissingError struct {
	Kind  string // "signature" or "seal"
	Owner string
}

func (e *ImageMissingError) Error() string {
	return fmt.Sprintf("no %s image stored for %s", e.Kind, e.Owner)
}

// ErrTrust: the trust store (bundled roots, the user's, --trust files)
// could not be loaded.
var ErrTrust = errors.New("failed to load the trust store")
