package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
)

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzVerify feeds whole files (ByteRange, xref, CMS and diff paths).
// Run with -fuzzminimizetime 1x: minimising large interesting inputs
// otherwise stalls the worker for a minute each.
func FuzzVerify(f *testing.F) {
	for _, n := range []string{"pades-bes.pdf", "pdf-byterange-overlap.pdf", "siwa.pdf", "pades-lta-copied-doctst.pdf"} {
		if b, err := os.ReadFile(filepath.Join(dssDir, n)); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, b := range hostileCasesSmall() {
		f.Add(b)
	}
	f.Add(testpdf.Plain(1))
	store := testStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		res, _ := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), Options{Trust: store, MaxDuration: 2 * time.Second})
		if res == nil {
			t.Fatal("nil result")
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("took %v", time.Since(start))
		}
		if res.Status == StatusValid {
			t.Fatal("fuzzed input valid against the bundled roots")
		}
	})
}

func hostileCasesSmall() [][]byte {
	var out [][]byte
	for name, b := range hostileCases(false) {
		if len(b) < 64<<10 && name != "many eofs" {
			out = append(out, b)
		}
	}
	return out
}
