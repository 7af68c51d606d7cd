package axis

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"testing"
)

// The package streams both ways: the memory a getEdoc answer or a
// sendEdoc body takes does not grow with the package (compare B/op at 1
// and 16 MB).
func BenchmarkReadEdoc(b *testing.B) {
	for _, size := range []int{1 << 20, 16 << 20} {
		pkg := make([]byte, size)
		rand.New(rand.NewSource(1)).Read(pkg)
		var answer bytes.Buffer
		if err := WriteEdoc(&answer, bytes.NewReader(pkg)); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := ReadEdoc(bytes.NewReader(answer.Bytes()), io.Discard, int64(size)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSpoolPackage(b *testing.B) {
	for _, size := range []int{1 << 20, 16 << 20} {
		pkg := make([]byte, size)
		rand.New(rand.NewSource(1)).Read(pkg)
		body := append(append([]byte{}, pkg...), '\r', '\n')
		hf := HashFileOf(pkg)
		dir := b.TempDir()
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				sp, err := SpoolPackage(bodyRequest(bytes.NewReader(body), "application/octet-stream"), dir, int64(size), hf)
				if err != nil {
					b.Fatal(err)
				}
				sp.Close()
			}
		})
	}
}
