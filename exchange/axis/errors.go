package axis

import (
	"errors"
	"fmt"
)

// Errors of the protocol. Verify and SpoolPackage wrap them with the
// detail a caller needs to fix its request.
var (
	// ErrNotSigned: the request lacks the SDK's signature headers or they
	// are malformed.
	ErrNotSigned = errors.New("axis: request not signed as the axis SDKs sign")
	// ErrUnknownSystem: no active system has the request's system ID.
	ErrUnknownSystem = errors.New("axis: unknown or revoked system ID")
	// ErrBadSignature: XroadVnpt-hash-header is not the HMAC of the
	// sign-header under the system's secret.
	ErrBadSignature = errors.New("axis: XroadVnpt-hash-header does not match the system's secret")
	// ErrHeaderMismatch: the headers sent differ from the signed ones.
	ErrHeaderMismatch = errors.New("axis: headers differ from XroadVnpt-sign-header")
	// ErrBadHashFile: the package's SHA-256 is not the declared hash-file.
	ErrBadHashFile = errors.New("axis: the package does not match hash-file")
	// ErrBadBody: the sendEdoc body holds no package.
	ErrBadBody = errors.New("axis: no package in the request body")
	// ErrTooLarge: the package exceeds the limit.
	ErrTooLarge = errors.New("axis: package larger than the limit")
	// ErrBadResult: an answer is not the axis's result shape.
	ErrBadResult = errors.New("axis: answer is not an axis result")
	// ErrBadValue: a header value or filter cannot be read.
	ErrBadValue = errors.New("axis: invalid value")
)

// Failure is a FAIL answer of an axis service.
type Failure struct {
	Code string // ErrorCode
	Desc string // ErrorDesc
}

func (f *Failure) Error() string {
	return fmt.Sprintf("axis: FAIL %s: %s", f.Code, f.Desc)
}
