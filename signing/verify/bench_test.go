package verify

import (
	"context"
	"os/exec"
	"testing"
)

// BenchmarkDSSCorpus verifies the 134 DSS files offline (one op = whole
// corpus), next to poppler's pdfsig on the same files in the same run.
//
//	go test -run XXX -bench DSSCorpus -benchtime 5x ./signing/verify/
func BenchmarkDSSCorpus(b *testing.B) {
	files := dssFiles(b)
	b.Run("vanthu", func(b *testing.B) {
		store := testStore(b)
		for i := 0; i < b.N; i++ {
			for _, f := range files {
				if _, err := VerifyFile(context.Background(), f, Options{Trust: store}); err != nil {
					_ = err // malformed files are expected in the corpus
				}
			}
		}
		b.ReportMetric(float64(len(files)), "files/op")
	})
	b.Run("pdfsig", func(b *testing.B) {
		bin, err := exec.LookPath("pdfsig")
		if err != nil {
			b.Fatal("pdfsig not installed: make test installs poppler-utils")
		}
		for i := 0; i < b.N; i++ {
			for _, f := range files {
				// -no-ocsp: offline, like our run
				_ = exec.Command(bin, "-no-ocsp", f).Run()
			}
		}
		b.ReportMetric(float64(len(files)), "files/op")
	})
}
