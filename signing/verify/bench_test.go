package verify

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkDSSCorpus verifies the 134 DSS files offline (one op = whole
// corpus), next to poppler's pdfsig on the same files in the same run. It
// also reports the CPU time each side used (this process's, and the
// pdfsig processes'), which depends less on other work on the machine
// than the wall time does.
//
//	go test -run XXX -bench DSSCorpus -benchtime 5x ./signing/verify/
func BenchmarkDSSCorpus(b *testing.B) {
	files := dssFiles(b)
	// one call for the whole corpus, as vanthu verify FILE... does (a
	// worker per CPU)
	b.Run("vanthu", func(b *testing.B) {
		store := testStore(b)
		cpu0 := selfCPU()
		for i := 0; i < b.N; i++ {
			VerifyFiles(context.Background(), files, Options{Trust: store}, func(int, *Result, error) {})
		}
		b.ReportMetric(float64(len(files)), "files/op")
		b.ReportMetric(float64((selfCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	})
	// the same one file after the other
	b.Run("vanthu-serial", func(b *testing.B) {
		store := testStore(b)
		cpu0 := selfCPU()
		for i := 0; i < b.N; i++ {
			for _, f := range files {
				if _, err := VerifyFile(context.Background(), f, Options{Trust: store}); err != nil {
					_ = err // malformed files are expected in the corpus
				}
			}
		}
		b.ReportMetric(float64(len(files)), "files/op")
		b.ReportMetric(float64((selfCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	})
	// the visual check for every intact signature (--visual-all): by
	// default it runs only for those that chain to a trusted root, none here
	b.Run("vanthu-visual-all", func(b *testing.B) {
		store := testStore(b)
		cpu0 := selfCPU()
		for i := 0; i < b.N; i++ {
			VerifyFiles(context.Background(), files, Options{Trust: store, VisualUntrusted: true}, func(int, *Result, error) {})
		}
		b.ReportMetric(float64(len(files)), "files/op")
		b.ReportMetric(float64((selfCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	})
	b.Run("pdfsig", func(b *testing.B) {
		bin, err := exec.LookPath("pdfsig")
		if err != nil {
			b.Fatal("pdfsig not installed: make test installs poppler-utils")
		}
		var cpu time.Duration
		for i := 0; i < b.N; i++ {
			for _, f := range files {
				// -no-ocsp: offline, like our run
				cmd := exec.Command(bin, "-no-ocsp", f)
				_ = cmd.Run()
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
		}
		b.ReportMetric(float64(len(files)), "files/op")
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	})
}
