package edxml

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error returned by this package wraps one of them
// (test with errors.Is); most also come as an *Error with the element path.
var (
	// ErrMalformed means the input is not well-formed XML (or not UTF-8).
	ErrMalformed = errors.New("edxml: not well-formed XML")
	// ErrDoctype means the input has a DOCTYPE, entity declaration or other
	// directive; edXML never needs one, and refusing it stops entity attacks.
	ErrDoctype = errors.New("edxml: DOCTYPE and entity declarations are not allowed")
	// ErrNamespace means an element is not in the edXML namespace
	// (http://www.mic.gov.vn/TBT/QCVN_102_2016) where it must be.
	ErrNamespace = errors.New("edxml: element in the wrong namespace")
	// ErrStructure means elements are missing, repeated or out of place.
	ErrStructure = errors.New("edxml: unexpected package structure")
	// ErrInvalidValue means an element's value is not valid (enumeration,
	// date, number, status code).
	ErrInvalidValue = errors.New("edxml: invalid value")
	// ErrTooDeep means elements are nested deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("edxml: elements nested too deeply")
	// ErrTooLarge means the package is larger than Limits.MaxPackageSize.
	ErrTooLarge = errors.New("edxml: package larger than the size limit")
	// ErrEnvelopeTooLarge means the envelope (everything but the attachment
	// contents) is larger than Limits.MaxEnvelopeSize.
	ErrEnvelopeTooLarge = errors.New("edxml: envelope larger than the size limit")
	// ErrTextTooLarge means one tag or text value is larger than Limits.MaxTextSize.
	ErrTextTooLarge = errors.New("edxml: element text larger than the size limit")
	// ErrTooMany means more elements, recipients or attachments than the limits allow.
	ErrTooMany = errors.New("edxml: too many elements")
	// ErrAttachmentTooLarge means an attachment decodes to more than
	// Limits.MaxAttachmentSize bytes.
	ErrAttachmentTooLarge = errors.New("edxml: attachment larger than the size limit")
	// ErrInvalidBase64 means an attachment's content is not valid base64.
	ErrInvalidBase64 = errors.New("edxml: attachment content is not valid base64")
	// ErrAttachmentName means an AttachmentName is empty, a path (../x,
	// C:\x, /x) or holds control characters.
	ErrAttachmentName = errors.New("edxml: unsafe attachment name")
	// ErrContentID means the manifest and the attachments do not match: a
	// duplicate, missing or unknown ContentId, or differing metadata.
	ErrContentID = errors.New("edxml: manifest and attachments do not match")
	// ErrDocumentID means a DocumentId is not OrganId,yyyy/MM/dd,Number/Notation.
	ErrDocumentID = errors.New("edxml: invalid DocumentId")
	// ErrAgencyCode means an agency code is in neither the new
	// (Quyết định 20/2020) nor the old (NNN.NN.NN.XNN) form.
	ErrAgencyCode = errors.New("edxml: invalid agency code")
	// ErrIncomplete means a package given to Write lacks a required field.
	ErrIncomplete = errors.New("edxml: package incomplete")
	// ErrAttachmentChanged means an attachment's content differed between
	// the digest pass and the encoding pass of Write.
	ErrAttachmentChanged = errors.New("edxml: attachment changed while writing")

	// ErrUnsigned means the package carries no XML-DSig signature.
	ErrUnsigned = errors.New("edxml: package is not signed")
	// ErrNotParsed means Verify was given a package read with ReadHeader
	// (attachments not digested); use Parse.
	ErrNotParsed = errors.New("edxml: package attachments were not read")
	// ErrSignatureInvalid means the signature does not match the envelope or
	// an attachment, or its shape is not the one this package signs.
	ErrSignatureInvalid = errors.New("edxml: signature not valid")
	// ErrAlgorithm means a weak or unsupported algorithm or key.
	ErrAlgorithm = errors.New("edxml: algorithm or key not accepted")
	// ErrSignerUntrusted means the signer certificate does not chain to the
	// trust store, is expired or not meant for signing.
	ErrSignerUntrusted = errors.New("edxml: signer certificate not trusted")
	// ErrSignerMismatch means the signer's organisation is not the
	// package's From organisation.
	ErrSignerMismatch = errors.New("edxml: signer is not the sending organisation")
)

// Error locates a failure in a package: the element path (e.g.
// "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId") and, when
// known, the line. It wraps one of the sentinel errors.
type Error struct {
	Path string
	Line int
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	s := e.Err.Error()
	if e.Path != "" {
		s += " at " + e.Path
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(sentinel error, path string, line int, format string, args ...any) error {
	msg := strings.TrimPrefix(fmt.Sprintf(format, args...), sentinel.Error()+": ")
	return &Error{Path: path, Line: line, Msg: msg, Err: sentinel}
}
