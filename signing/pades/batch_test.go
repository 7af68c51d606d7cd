package pades

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/internal/testpki"
)

// TestBatchFailureContinues: a bad file in the middle is reported and the
// other files are signed; progress reports every file.
func TestBatchFailureContinues(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	outDir := t.TempDir()
	var jobs []Job
	for i, b := range [][]byte{simplePDF("1.7", 1, true), []byte("not a pdf at all"), simplePDF("1.4", 2, false)} {
		in := filepath.Join(dir, string(rune('a'+i))+".pdf")
		os.WriteFile(in, b, 0o644)
		jobs = append(jobs, Job{In: in, Out: filepath.Join(outDir, string(rune('a'+i))+".pdf")})
	}
	finished := 0
	res := SignBatch(context.Background(), jobs, optsFor(p.Leader), func(bp BatchProgress) {
		if bp.Finished {
			finished++
		}
	})
	if finished != 3 {
		t.Fatalf("%d finished reports", finished)
	}
	if res[0].Err != nil || res[2].Err != nil {
		t.Fatalf("good files failed: %v, %v", res[0].Err, res[2].Err)
	}
	var fe *FileError
	if !errors.As(res[1].Err, &fe) || !errors.Is(res[1].Err, ErrMalformed) {
		t.Fatalf("bad file: %v", res[1].Err)
	}
	checkAll(t, jobs[0].Out, 1)
	checkAll(t, jobs[2].Out, 1)
	if _, err := os.Stat(jobs[1].Out); !os.IsNotExist(err) {
		t.Fatal("output written for the failed file")
	}
}

// TestBatchCancel: cancelling during the second file stops the batch; the
// first output is complete, the others do not exist and no temporary file
// is left in the output directory.
func TestBatchCancel(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	outDir := t.TempDir()
	big := bigPDF(t, 8<<20) // several progress callbacks per file
	var jobs []Job
	for i := 0; i < 4; i++ {
		in := filepath.Join(dir, string(rune('a'+i))+".pdf")
		os.WriteFile(in, big, 0o644)
		jobs = append(jobs, Job{In: in, Out: filepath.Join(outDir, string(rune('a'+i))+".pdf")})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := SignBatch(ctx, jobs, optsFor(p.Specialist), func(bp BatchProgress) {
		if bp.Index == 1 && !bp.Finished && bp.Done > 0 && bp.Done < bp.Size {
			cancel()
		}
	})
	if res[0].Err != nil {
		t.Fatalf("first file: %v", res[0].Err)
	}
	for i := 1; i < 4; i++ {
		if !errors.Is(res[i].Err, context.Canceled) {
			t.Fatalf("file %d: %v", i, res[i].Err)
		}
	}
	ents, _ := os.ReadDir(outDir)
	if len(ents) != 1 || ents[0].Name() != "a.pdf" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("output dir holds %v", names)
	}
	pdfcheck.Qpdf(t, jobs[0].Out)
	pdfcheck.Pdfsig(t, jobs[0].Out, 1)
}

// TestBatchSharesPreflight: a B-LT batch probes the TSA and fetches the
// chain's revocation data once, not once per file; every output is valid.
func TestBatchSharesPreflight(t *testing.T) {
	p := freshPKI(t)
	dir, outDir := t.TempDir(), t.TempDir()
	var jobs []Job
	for i := 0; i < 4; i++ {
		in := filepath.Join(dir, string(rune('a'+i))+".pdf")
		os.WriteFile(in, simplePDF("1.7", 1, i%2 == 0), 0o644)
		jobs = append(jobs, Job{In: in, Out: filepath.Join(outDir, string(rune('a'+i))+".pdf")})
	}
	o := optsFor(p.Leader)
	o.Level, o.TSAURL = LevelBLT, p.TSAURL
	tsa0, ocsp0 := p.Hits(testpki.ServiceTSA), p.Hits(testpki.ServiceOCSP)
	for _, r := range SignBatch(context.Background(), jobs, o, nil) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		checkAll(t, r.Job.Out, 1)
		checkDSS(t, openOut(t, r.Job.Out))
	}
	tsa, ocsp := p.Hits(testpki.ServiceTSA)-tsa0, p.Hits(testpki.ServiceOCSP)-ocsp0
	if tsa != 1+len(jobs) {
		t.Fatalf("TSA hits = %d, want %d (one probe + one per file)", tsa, 1+len(jobs))
	}
	if ocsp > 4 {
		t.Fatalf("OCSP hits = %d for the batch; revocation data is not shared", ocsp)
	}
}
