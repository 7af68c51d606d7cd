package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestVerifyFilesKeepsOrder: the results come in the order of the names,
// each the same as VerifyFile's, and a cancelled run reports the context.
func TestVerifyFilesKeepsOrder(t *testing.T) {
	files := dssFiles(t)[:24]
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pdf")
	junk := filepath.Join(dir, "junk.pdf")
	os.WriteFile(junk, []byte("not a pdf"), 0o644)
	names := append(append([]string{}, files...), missing, junk)
	store := testStore(t)
	var got []string
	VerifyFiles(context.Background(), names, Options{Trust: store}, func(i int, res *Result, err error) {
		if i != len(got) {
			t.Fatalf("result %d delivered after %d", i, len(got))
		}
		want, werr := VerifyFile(context.Background(), names[i], Options{Trust: store})
		if (err == nil) != (werr == nil) || (res == nil) != (want == nil) || (res != nil && res.Status != want.Status) {
			t.Fatalf("%s: %v %v, VerifyFile says %v %v", names[i], res, err, want, werr)
		}
		got = append(got, fmt.Sprint(i))
	})
	if len(got) != len(names) {
		t.Fatalf("%d results for %d files", len(got), len(names))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n := 0
	VerifyFiles(ctx, files, Options{Trust: store}, func(i int, res *Result, err error) {
		if !errors.Is(err, context.Canceled) || res == nil {
			t.Fatalf("%d: %v", i, err)
		}
		n++
	})
	if n != len(files) {
		t.Fatalf("%d results", n)
	}
}
