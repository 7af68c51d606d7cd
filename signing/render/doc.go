// Package render draws the pages of a PDF into images, for the desktop
// preview and for the verifier's visual comparison of revisions.
//
// It runs PDFium compiled to WebAssembly (github.com/klippa-app/go-pdfium in
// webassembly mode, on the wazero runtime): pure Go, no C library, and
// PDFium's memory is a sandbox, so a hostile file can make it fail but not
// corrupt the process. Compiling the 5.8 MB module to machine code takes a
// few seconds; the result is kept in a compilation cache on disk
// (os.UserCacheDir()/vanthu/pdfium by default, Options.CacheDir), after
// which a Renderer starts in well under a second.
//
// Concurrency: a Renderer holds one PDFium instance behind a lock; every
// call on any of its Documents takes that lock, so Renderers and Documents
// are safe for concurrent use and calls run one at a time. (PDFium itself is
// not thread-safe, and one instance keeps memory bounded; open several
// Renderers for parallel work — they share the compiled module.)
//
// Every call is bounded: by its context and by Options.Timeout. When a call
// overruns, the PDFium instance is killed (the WebAssembly execution is
// interrupted) and replaced; open Documents are reopened from their bytes
// on their next use. Images are capped at Options.MaxPixels and PDFium's
// memory at Options.MaxMemory.
//
// Pages are numbered from 1. Rectangles are in PDF user space (points,
// origin at the bottom left, as in the signing packages); Box values are
// fractions of the displayed page from its top-left corner, so they are the
// same at every zoom and take the page's rotation into account.
package render
