package stamp

import (
	"errors"
	"fmt"
)

// Errors. Callers test them with errors.Is.
var (
	// ErrNotPNG: the data is not a PNG image.
	ErrNotPNG = errors.New("the image is not a PNG file")
	// ErrNoTransparency: the PNG has no alpha channel or no transparent
	// background.
	ErrNoTransparency = errors.New("the image has no transparent background")
	// ErrEmpty: the PNG has (almost) nothing drawn on it.
	ErrEmpty = errors.New("the image is empty (fully transparent)")
	// ErrSize: the image's pixel or byte size is outside the accepted range.
	ErrSize = errors.New("the image size is not acceptable")
	// ErrNotFound: no image is stored for that owner.
	ErrNotFound = errors.New("no image is stored for that owner")
	// ErrBadOwner: the owner name is empty or has no letters or digits.
	ErrBadOwner = errors.New("the owner name is not usable")
	// ErrBadKind: the kind is neither signature nor seal.
	ErrBadKind = errors.New("unknown image kind (use signature or seal)")
)

// SizeError details ErrSize.
type SizeError struct {
	What     string // "bytes", "width", "height", "pixels"
	Got      int
	Min, Max int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("%v: %s %d is outside %d..%d", ErrSize, e.What, e.Got, e.Min, e.Max)
}

// Unwrap returns ErrSize.
func (e *SizeError) Unwrap() error { return ErrSize }
