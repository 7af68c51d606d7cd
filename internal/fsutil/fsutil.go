// Package fsutil writes files atomically (temporary file, fsync, rename),
// for the exchange's keys, certificates, configuration and packages.
package fsutil

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes data to name atomically with mode perm.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	return Write(name, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write writes name atomically: fn writes to a temporary file in the same
// folder, which is synced and renamed over name only if fn succeeds.
func Write(name string, perm os.FileMode, fn func(w io.Writer) error) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("failed to create folder: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return fmt.Errorf("failed to create file: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("failed to set file mode: %w", err)
	}
	if err := fn(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("failed to write %s: %w", name, err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
