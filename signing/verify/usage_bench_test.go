package verify

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/vanthu/vanthu/signing/pdf"
)

// BenchmarkUsage walks the final view of every DSS file (what the change
// analysis adds per file with later revisions), the reader's caches cold.
func BenchmarkUsage(b *testing.B) {
	var datas [][]byte
	for _, f := range dssFiles(b) {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		datas = append(datas, d)
	}
	b.ResetTimer()
	for range b.N {
		for _, d := range datas {
			rd, err := pdf.Open(context.Background(), bytes.NewReader(d), int64(len(d)), pdf.Limits{})
			if err != nil {
				continue
			}
			revs, err := rd.Revisions()
			if err != nil || len(revs) == 0 {
				continue
			}
			v, err := rd.View(len(revs) - 1)
			if err != nil {
				continue
			}
			_, _ = newUsage(v, true)
		}
	}
}
