package verify

import (
	"os"
	"testing"

	"github.com/vanthu/vanthu/internal/testrender"
)

func TestMain(m *testing.M) {
	testrender.UseTempCache()
	os.Exit(m.Run())
}
