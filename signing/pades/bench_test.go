package pades

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/pdfcheck"
)

// writeBigPDF streams a valid one-page PDF of about size bytes to path
// (the bulk is one uncompressed image stream), without holding it in
// memory.
func writeBigPDF(tb testing.TB, path string, size int64) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	var off int64
	offs := make([]int64, 6)
	put := func(s string) { n, _ := w.WriteString(s); off += int64(n) }
	put("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	obj := func(n int, body string) { offs[n] = off; put(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", n, body)) }
	obj(1, "<</Type /Catalog /Pages 2 0 R>>")
	obj(2, "<</Type /Pages /Kids [3 0 R] /Count 1>>")
	obj(3, "<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources <</XObject <</Im1 5 0 R>>>> /Contents 4 0 R>>")
	cs := "q 595 0 0 842 0 0 cm /Im1 Do Q"
	obj(4, fmt.Sprintf("<</Length %d>>\nstream\n%s\nendstream", len(cs), cs))
	width := int64(2048)
	height := size / (width * 3)
	if height < 1 {
		height = 1
	}
	n := width * height * 3
	offs[5] = off
	put(fmt.Sprintf("5 0 obj\n<</Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length %d>>\nstream\n", width, height, n))
	buf := make([]byte, 1<<20)
	x := uint32(2463534242)
	for i := range buf {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		buf[i] = byte(x)
	}
	for left := n; left > 0; {
		k := int64(len(buf))
		if left < k {
			k = left
		}
		w.Write(buf[:k])
		off += k
		left -= k
	}
	put("\nendstream\nendobj\n")
	x0 := off
	put("xref\n0 6\n0000000000 65535 f \n")
	for i := 1; i <= 5; i++ {
		put(fmt.Sprintf("%010d 00000 n \n", offs[i]))
	}
	put(fmt.Sprintf("trailer\n<</Size 6 /Root 1 0 R /ID [<01> <01>]>>\nstartxref\n%d\n%%%%EOF\n", x0))
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
}

// heapSampler records the peak HeapAlloc while running.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		var ms runtime.MemStats
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > h.peak.Load() {
				h.peak.Store(ms.HeapAlloc)
			}
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	<-h.done
	return h.peak.Load()
}

// baselineCopy is the floor signing is compared with: read the file,
// SHA-256 it and write it to a new file (synced), like SignFile's I/O.
func baselineCopy(tb testing.TB, in, out string) {
	src, err := os.Open(in)
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(out)
	if err != nil {
		tb.Fatal(err)
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(dst, 256<<10)
	if _, err := io.CopyBuffer(io.MultiWriter(h, bw), src, make([]byte, 1<<20)); err != nil {
		tb.Fatal(err)
	}
	bw.Flush()
	dst.Sync()
	dst.Close()
	_ = h.Sum(nil)
}

var benchSizes = []struct {
	name string
	size int64
}{{"100KB", 100 << 10}, {"10MB", 10 << 20}, {"200MB", 200 << 20}}

// BenchmarkSign signs generated files with software keys (RSA-2048 and
// ECDSA P-256, B-B) through SignFile (atomic write with fsync) and reports
// the peak heap; compare with BenchmarkBaseline.
// Run: go test -run XXX -bench 'Sign|Baseline' -benchtime 3x ./signing/pades
func BenchmarkSign(b *testing.B) {
	p := sharedPKI(b)
	for _, s := range benchSizes {
		dir := b.TempDir()
		in := filepath.Join(dir, "in.pdf")
		writeBigPDF(b, in, s.size)
		out := filepath.Join(dir, "out.pdf")
		for _, k := range []struct {
			name string
			o    Options
		}{{"rsa2048", optsFor(p.Leader)}, {"p256", optsFor(p.Specialist)}} {
			b.Run(s.name+"/"+k.name, func(b *testing.B) {
				b.SetBytes(s.size)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := SignFile(context.Background(), in, out, k.o); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				// Peak heap of one more run, sampled outside the timing
				// (ReadMemStats stops the world).
				hs := startHeapSampler()
				if _, err := SignFile(context.Background(), in, out, k.o); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(hs.Stop())/(1<<20), "peak-heap-MB")
			})
		}
	}
}

// BenchmarkBaseline: read + SHA-256 + write (+fsync) of the same files.
func BenchmarkBaseline(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			dir := b.TempDir()
			in := filepath.Join(dir, "in.pdf")
			writeBigPDF(b, in, s.size)
			out := filepath.Join(dir, "out.pdf")
			b.SetBytes(s.size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				baselineCopy(b, in, out)
			}
		})
	}
}

// BenchmarkBaselineAtomic: the same plus SignFile's durability steps
// (temporary file, fsync, rename, directory fsync).
func BenchmarkBaselineAtomic(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			dir := b.TempDir()
			in := filepath.Join(dir, "in.pdf")
			writeBigPDF(b, in, s.size)
			out := filepath.Join(dir, "out.pdf")
			b.SetBytes(s.size)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tmp := out + ".tmp"
				baselineCopy(b, in, tmp)
				if err := os.Rename(tmp, out); err != nil {
					b.Fatal(err)
				}
				if d, err := os.Open(dir); err == nil {
					d.Sync()
					d.Close()
				}
			}
		})
	}
}

// BenchmarkBatch1000 signs 1,000 small files with one signer.
func BenchmarkBatch1000(b *testing.B) {
	p := sharedPKI(b)
	dir := b.TempDir()
	src := simplePDF("1.7", 2, true)
	var jobs []Job
	for i := 0; i < 1000; i++ {
		in := filepath.Join(dir, fmt.Sprintf("%04d.pdf", i))
		os.WriteFile(in, src, 0o644)
		jobs = append(jobs, Job{In: in, Out: filepath.Join(dir, fmt.Sprintf("%04d.signed.pdf", i))})
	}
	o := optsFor(p.Leader)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, r := range SignBatch(context.Background(), jobs, o, nil) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds())/1000, "ms/file")
	}
}

// TestHeap200MB: a 200 MB PDF signs with under 64 MB of peak heap and the
// result is valid (qpdf and pdfsig).
func TestHeap200MB(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB test skipped in -short mode")
	}
	p := sharedPKI(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "big.pdf")
	writeBigPDF(t, in, 200<<20)
	out := filepath.Join(dir, "big-signed.pdf")
	o := optsFor(p.Director)
	o.Level, o.TSAURL = LevelBLTA, p.TSAURL
	hs := startHeapSampler()
	if _, err := SignFile(context.Background(), in, out, o); err != nil {
		t.Fatal(err)
	}
	peak := hs.Stop()
	t.Logf("peak heap while signing 200 MB at B-LTA: %.1f MB", float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Fatalf("peak heap %d MB", peak>>20)
	}
	pdfcheck.Qpdf(t, out)
	pdfcheck.Pdfsig(t, out, 2)
	checkDocTimestamps(t, out, p)
}
