//go:build !cgo

package token

import (
	"errors"
	"os"
	"testing"
)

func TestNoCgoBuildGivesClearError(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary itself is a real ELF for this architecture.
	_, err = Open(exe)
	if !errors.Is(err, ErrModuleNotLoadable) || !errors.Is(err, ErrModuleNotLoadable) {
		t.Fatalf("Open without cgo = %v", err)
	}
	var me *ModuleError
	if !errors.As(err, &me) || me.Reason != ErrNoCgo.Error() {
		t.Fatalf("Open without cgo: reason %v, want %q", err, ErrNoCgo)
	}
	var m Module
	if _, err := m.Tokens(nil); !errors.Is(err, ErrNoCgo) {
		t.Errorf("Tokens without cgo = %v", err)
	}
}
