package pdfcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// recorder is a testing.TB that records a Fatalf instead of stopping.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder in its own goroutine (Goexit ends it) and
// returns the failure message, "" when f passed.
func run(t *testing.T, f func(tb testing.TB)) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); f(r) }()
	<-done
	return r.failed
}

func dss(t *testing.T, name string) string {
	p := filepath.Join("..", "..", "..", "shared", "fixtures", "pdf-signatures", "dss", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("DSS corpus missing (shared/ next to the repository): %v", err)
	}
	return p
}

func TestPdfsigCatchesADigestMismatch(t *testing.T) {
	// Signature 2 of this file was edited after signing: pdfsig prints
	// "Digest Mismatch" and still exits 0.
	bad := dss(t, "hello_signed_INCSAVE_signed_EDITED.pdf")
	if msg := run(t, func(tb testing.TB) { Pdfsig(tb, bad, 2) }); msg == "" {
		t.Fatal("Pdfsig passed a file with a digest mismatch")
	}
	if got := PdfsigStatuses(t, bad); len(got) != 2 || got[1] != "Digest Mismatch." {
		t.Fatalf("PdfsigStatuses = %q", got)
	}
	// The wrong number of signatures fails too, and a good file passes.
	good := dss(t, "adbe_ocsp_signed.pdf")
	if msg := run(t, func(tb testing.TB) { Pdfsig(tb, good, 1) }); msg != "" {
		t.Fatalf("Pdfsig on a good file: %s", msg)
	}
	if msg := run(t, func(tb testing.TB) { Pdfsig(tb, good, 2) }); msg == "" {
		t.Fatal("Pdfsig accepted the wrong signature count")
	}
}

func TestQpdfCatchesDamage(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.pdf")
	os.WriteFile(broken, []byte("%PDF-1.7\n1 0 obj\n<</Type/Catalog>>\nendobj\ntrailer<</Root 1 0 R>>\n"), 0o644)
	if msg := run(t, func(tb testing.TB) { Qpdf(tb, broken) }); msg == "" {
		t.Fatal("Qpdf passed a damaged file")
	}
	if msg := run(t, func(tb testing.TB) { Pdfcpu(tb, broken) }); msg == "" {
		t.Fatal("Pdfcpu passed a damaged file")
	}
	good := dss(t, "doc-firmado.pdf")
	if msg := run(t, func(tb testing.TB) { Qpdf(tb, good) }); msg != "" {
		t.Fatalf("Qpdf on a good file: %s", msg)
	}
}
