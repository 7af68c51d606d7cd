package appearance

import "errors"

// ErrInvalid: an appearance is inconsistent (empty rectangle, image
// dimensions that do not match its pixels, a font with no program).
var ErrInvalid = errors.New("invalid appearance")
