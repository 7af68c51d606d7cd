package layout

import "errors"

// Errors. Callers test them with errors.Is.
var (
	// ErrMalformed: the file or page could not be read as a PDF.
	ErrMalformed = errors.New("the file is not a readable PDF")
	// ErrEncrypted: the file is encrypted.
	ErrEncrypted = errors.New("the PDF is encrypted")
	// ErrLimit: a page exceeds the extraction limits (operators, glyphs,
	// content size).
	ErrLimit = errors.New("the page is too complex to analyse")
	// ErrNoPage: the page number is outside the document.
	ErrNoPage = errors.New("the page does not exist")
)
