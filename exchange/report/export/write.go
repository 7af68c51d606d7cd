package export

import (
	"fmt"
	"io"

	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/internal/fsutil"
)

// WriteAtomic writes a report file through fill (internal/fsutil: a
// temporary file next to path, synced, renamed over path), so path is
// either the old file or the complete new one, never half written.
func WriteAtomic(path string, fill func(w io.Writer) error) error {
	if err := fsutil.Write(path, 0o644, fill); err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	return nil
}
