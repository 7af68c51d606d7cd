package export

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vanthu/vanthu/exchange/report"
)

// WriteAtomic writes a file through fill: into a temporary file next to
// path, synced, then renamed over path, so path is either the old file or
// the complete new one, never half written.
func WriteAtomic(path string, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = fill(tmp); err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%w: %w", report.ErrWrite, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
