package roles

import (
	"errors"
	"fmt"
)

// Errors. Callers test them with errors.Is; the wrapped text gives detail.
var (
	// ErrBadRequest: the request is incomplete or inconsistent (missing
	// image, seal size, number, unknown role or copy kind …).
	ErrBadRequest = errors.New("invalid signing request")
	// ErrNoApproval: issue was asked for a document without an approve
	// signature.
	ErrNoApproval = errors.New("the document carries no signature of the competent person (approve) yet")
	// ErrApprovalInvalid: the document's approve signature does not
	// validate (see ApprovalError for why).
	ErrApprovalInvalid = errors.New("the competent person's signature on the document is not valid")
	// ErrInvalidSignature: some signature of the document is invalid.
	ErrInvalidSignature = errors.New("the document carries an invalid signature")
	// ErrAlreadyIssued: the document already carries an issue signature.
	ErrAlreadyIssued = errors.New("the document has already been issued (it carries an organisation signature)")
	// ErrOrder: the role comes too late (a review after the approval).
	ErrOrder = errors.New("this signature comes too late in the signing order")
	// ErrNotFound: automatic placement found no signer block, "Số:" or
	// date line.
	ErrNotFound = errors.New("the place could not be found automatically")
	// ErrNoRoom: the place was found but there is no room for the image
	// or text.
	ErrNoRoom = errors.New("there is no room at the place found")
	// ErrNumberMismatch: the number's notation differs from the one
	// printed on the document.
	ErrNumberMismatch = errors.New("the number's notation does not match the document")
	// ErrAlreadyFilled: the number or date is already written on the
	// document.
	ErrAlreadyFilled = errors.New("the number or date is already filled in")
	// ErrDateMismatch: the year printed on the document differs from the
	// issue date.
	ErrDateMismatch = errors.New("the issue date does not match the year printed on the document")
	// ErrImage: the signature or seal image is not acceptable (wraps a
	// stamp error).
	ErrImage = errors.New("the image cannot be used")
)

// ApprovalError explains ErrApprovalInvalid.
type ApprovalError struct {
	Field  string
	Status string
	Codes  []string // the verifier's problem codes
}

func (e *ApprovalError) Error() string {
	return fmt.Sprintf("%v: field %q is %s %v", ErrApprovalInvalid, e.Field, e.Status, e.Codes)
}

// Unwrap returns ErrApprovalInvalid.
func (e *ApprovalError) Unwrap() error { return ErrApprovalInvalid }
