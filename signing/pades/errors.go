package pades

import (
	"errors"
	"fmt"

	"github.com/vanthu/vanthu/signing/cms"
	"github.com/vanthu/vanthu/signing/ltv"
	"github.com/vanthu/vanthu/signing/timestamp"
)

// Sentinel errors. Callers test them with errors.Is; messages are lower
// case and wrapped as "failed to …: %w" on the way up.
var (
	// ErrEncrypted: the input is encrypted; vanthu does not sign those.
	ErrEncrypted = errors.New("the PDF is encrypted; remove the password protection before signing")
	// ErrMalformed: the input could not be parsed as a PDF.
	ErrMalformed = errors.New("the file is not a readable PDF")
	// ErrCertified: the document is certified with DocMDP P=1 (no changes).
	ErrCertified = errors.New("the document is certified with no changes allowed")
	// ErrCertifyNotFirst: certification was asked for a document that is
	// already signed.
	ErrCertifyNotFirst = errors.New("only the first signature of a document can certify it")
	// ErrFieldLocked: a FieldMDP lock forbids signing the target field or
	// any further change.
	ErrFieldLocked = errors.New("the signature field is locked by an earlier signature")
	// ErrFieldExists: the requested field name exists and cannot be signed.
	ErrFieldExists = errors.New("a form field with that name already exists and is not an empty signature field")
	// ErrPlaceholderTooSmall: the CMS would not fit the reserved space.
	ErrPlaceholderTooSmall = errors.New("the signature does not fit the reserved space")
	// ErrBadOptions: the options are inconsistent (missing signer, chain,
	// unknown level, …).
	ErrBadOptions = errors.New("invalid signing options")
	// ErrBatchStopped: the file was not signed because an earlier file of
	// the batch failed with a token error that would fail every file (see
	// StopsBatch).
	ErrBatchStopped = errors.New("not signed: the batch stopped at a token error")
	// ErrKeyMismatch: the signer's public key is not the leaf certificate's.
	ErrKeyMismatch = errors.New("the signing key does not match the certificate")
	// ErrTimestamp: the time-stamping authority could not be used.
	ErrTimestamp = timestamp.ErrFailed
	// ErrRevocation: OCSP/CRL data needed for B-LT/B-LTA could not be had.
	ErrRevocation = ltv.ErrUnavailable
	// ErrRevoked: a certificate of the chain is revoked.
	ErrRevoked = ltv.ErrRevoked
	// ErrCertExpired: the signer certificate is not valid at signing time.
	ErrCertExpired = errors.New("the signing certificate is expired or not yet valid")
	// ErrOutputCheck: the signed file did not read back as it was
	// written (a bug, or a disk that lost data); it is not kept.
	ErrOutputCheck = errors.New("the signed file did not read back as written")
	// ErrBadSignature: the signer produced a signature that does not verify
	// against the certificate (wrong key or faulty token).
	ErrBadSignature = cms.ErrBadSignature
)

// PageError reports a page number outside the document.
type PageError struct {
	Page, Pages int
}

func (e *PageError) Error() string {
	return fmt.Sprintf("page %d does not exist (the document has %d pages)", e.Page, e.Pages)
}

// FileError ties an error to one input file of a batch.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }
