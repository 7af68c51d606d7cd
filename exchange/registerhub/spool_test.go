package registerhub

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestSpool: small contents stay in memory, large ones move to a temporary
// file that Close removes; both read back whole.
func TestSpool(t *testing.T) {
	for _, size := range []int{1000, memSpool + 12345} {
		dir := t.TempDir()
		want := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		s := &spool{dir: dir, pattern: "t-*"}
		for rest := want; len(rest) > 0; {
			k := min(len(rest), 100000)
			if n, err := s.Write(rest[:k]); err != nil || n != k {
				t.Fatalf("write: %d, %v", n, err)
			}
			rest = rest[k:]
		}
		got, err := io.ReadAll(io.NewSectionReader(s.ReaderAt(), 0, s.Size()))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: read back %d, %v", size, len(got), err)
		}
		files, _ := os.ReadDir(dir)
		if inFile := size > memSpool; (len(files) == 1) != inFile {
			t.Fatalf("%d bytes: %d files in the spool folder", size, len(files))
		}
		s.Close()
		if files, _ := os.ReadDir(dir); len(files) != 0 {
			t.Fatalf("%d bytes: %d files left after Close", size, len(files))
		}
	}
}
