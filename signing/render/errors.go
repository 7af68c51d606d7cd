package render

import (
	"errors"
	"fmt"
)

var (
	// ErrUnreadable: PDFium cannot open the data as a PDF (not a PDF,
	// broken beyond repair).
	ErrUnreadable = errors.New("the file is not a readable PDF")
	// ErrEncrypted: the document needs a password.
	ErrEncrypted = errors.New("the PDF is password protected")
	// ErrTooLarge: the image asked for exceeds Options.MaxPixels.
	ErrTooLarge = errors.New("the page image would be too large")
	// ErrTimeout: PDFium did not finish within Options.Timeout; the
	// instance was killed and replaced.
	ErrTimeout = errors.New("rendering took too long")
	// ErrFailed: PDFium failed while working on an open document (a
	// broken page, an exhausted memory limit, a trap in the module).
	ErrFailed = errors.New("the page could not be rendered")
	// ErrClosed: the Renderer or Document was closed.
	ErrClosed = errors.New("renderer closed")
	// ErrEngine: the PDFium module could not be started.
	ErrEngine = errors.New("the PDF renderer could not be started")
)

// PageError reports a page number outside the document.
type PageError struct {
	Page, Pages int
}

func (e *PageError) Error() string {
	return fmt.Sprintf("page %d does not exist (the document has %d)", e.Page, e.Pages)
}
