// Package testrender points the PDF renderer's compilation cache (which
// the verifier's visual check uses) at one directory under the system's
// temporary directory for tests: compiled once per machine, shared by
// every test process, never in the user's home.
package testrender

import (
	"os"
	"path/filepath"
)

// CacheDir is the compilation cache directory tests share.
func CacheDir() string { return filepath.Join(os.TempDir(), "vanthu-test-cache") }

// UseTempCache makes os.UserCacheDir (and so the renderer's default cache)
// return CacheDir's parent layout for this process. Call it from TestMain
// before anything renders.
func UseTempCache() {
	_ = os.Setenv("XDG_CACHE_HOME", CacheDir())
}
