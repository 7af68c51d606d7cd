// Package peakrss runs part of a test binary's work in a child process
// and reports the child's peak resident set size, so that memory
// benchmarks measure the work alone, not the test harness, its fixtures
// or the garbage of earlier iterations.
//
// A package's TestMain calls Main with its child functions; a benchmark
// calls Run, which starts the test binary again with the child's name in
// the environment. When its work is done the child reads VmHWM, the
// kernel's high-water mark of its resident memory, from /proc/self/status
// and reports it on its last line of output. (getrusage and wait4 are no
// use here: Linux keeps the larger of the parent's resident size at the
// fork and the child's own in ru_maxrss.)
package peakrss

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

const (
	envVar = "VANTHU_PEAKRSS_CHILD"
	marker = "peakrss: VmHWM bytes "
)

// Main runs the child named by the environment and exits, or, in a
// normal run, the tests.
func Main(m *testing.M, children map[string]func() error) {
	if name := os.Getenv(envVar); name != "" {
		fn := children[name]
		if fn == nil {
			fmt.Fprintf(os.Stderr, "peakrss: unknown child %q\n", name)
			os.Exit(3)
		}
		if err := fn(); err != nil {
			fmt.Fprintf(os.Stderr, "peakrss: %s: %v\n", name, err)
			os.Exit(1)
		}
		hwm, err := highWater()
		if err != nil {
			fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("\n%s%d\n", marker, hwm)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Result is one child run.
type Result struct {
	PeakRSS int64 // bytes
	Elapsed time.Duration
	Output  []byte
}

// Run runs child name with env added to the environment and fails tb when
// it fails.
func Run(tb testing.TB, name string, env ...string) Result {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(append(os.Environ(), envVar+"="+name), env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r := Result{Elapsed: time.Since(start), Output: out}
	if err != nil {
		tb.Fatalf("child %s: %v\n%s", name, err, out)
	}
	i := bytes.LastIndex(out, []byte(marker))
	if i < 0 {
		tb.Fatalf("child %s did not report its peak memory:\n%s", name, out)
	}
	rss, err := strconv.ParseInt(string(bytes.TrimSpace(out[i+len(marker):])), 10, 64)
	if err != nil {
		tb.Fatalf("child %s: %v", name, err)
	}
	r.PeakRSS = rss
	r.Output = out[:i]
	return r
}

// Bench runs child name b.N times as the benchmark's operation, reports
// the highest peak resident memory in MB as "peak-RSS-MB", and fails the
// benchmark when it passes limit bytes.
func Bench(b *testing.B, name string, limit int64, env ...string) {
	b.Helper()
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		peak = max(peak, Run(b, name, env...).PeakRSS)
	}
	b.StopTimer()
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MB")
	if peak > limit {
		b.Errorf("peak resident memory %.1f MB, the limit is %.1f MB", float64(peak)/(1<<20), float64(limit)/(1<<20))
	}
}
