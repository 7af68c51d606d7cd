package edxml

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// randomSource is a reproducible attachment of n pseudo-random bytes,
// generated on each open (never held in memory).
func randomSource(name string, n int64) AttachmentSource {
	return AttachmentSource{Name: name, ContentType: "application/pdf", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.LimitReader(rand.New(rand.NewSource(42)), n)), nil
	}}
}

// heapPeak samples the heap in use until stop is called.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkParseVerify parses and verifies a signed package with one
// attachment of 5 and of 50 MB (contents to io.Discard): throughput and the
// peak heap, which must not grow with the attachment.
func BenchmarkParseVerify(b *testing.B) {
	p := sharedPKI(b)
	opts := verifyOpts(b)
	for _, size := range []int64{5 << 20, 50 << 20} {
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			name := filepath.Join(b.TempDir(), "big.edxml")
			if err := WriteFile(context.Background(), name, sampleDocument(), []AttachmentSource{randomSource("big.pdf", size)}, p.Org.Key, p.Org.ChainWithLeaf(), WriteOptions{}); err != nil {
				b.Fatal(err)
			}
			st, _ := os.Stat(name)
			lim := Limits{MaxPackageSize: 128 << 20}
			b.SetBytes(st.Size())
			b.ReportAllocs()
			runtime.GC()
			stop := heapPeak()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f, err := os.Open(name)
				if err != nil {
					b.Fatal(err)
				}
				pkg, err := Parse(context.Background(), f, Options{Limits: lim})
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Verify(context.Background(), pkg, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkWrite signs and writes a package with a 50 MB attachment.
func BenchmarkWrite(b *testing.B) {
	p := sharedPKI(b)
	src := randomSource("big.pdf", 50<<20)
	b.SetBytes(50 << 20)
	b.ReportAllocs()
	runtime.GC()
	stop := heapPeak()
	for i := 0; i < b.N; i++ {
		if err := Write(context.Background(), io.Discard, sampleDocument(), []AttachmentSource{src}, p.Org.Key, p.Org.ChainWithLeaf()); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
}

// BenchmarkReadHeader routes a package with a 50 MB attachment.
func BenchmarkReadHeader(b *testing.B) {
	p := sharedPKI(b)
	name := filepath.Join(b.TempDir(), "big.edxml")
	if err := WriteFile(context.Background(), name, sampleDocument(), []AttachmentSource{randomSource("big.pdf", 50<<20)}, p.Org.Key, p.Org.ChainWithLeaf(), WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(name)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, _ := os.Open(name)
		if _, err := ReadHeader(context.Background(), f, Options{Limits: Limits{MaxPackageSize: 128 << 20}}); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
