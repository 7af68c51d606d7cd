package roles

import (
	"os"
	"testing"

	"github.com/vanthu/vanthu/internal/testrender"
)

// TestMain keeps the renderer the verifier's visual check starts out of
// the user's cache directory.
func TestMain(m *testing.M) {
	testrender.UseTempCache()
	os.Exit(m.Run())
}
