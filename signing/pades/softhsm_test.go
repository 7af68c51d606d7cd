//go:build cgo

package pades

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/token"
)

// TestBatchWithSoftHSM signs a batch of files with a real PKCS#11 token
// (SoftHSM2): one login and one signer for every file of the batch, for an
// RSA-2048 and an ECDSA P-256 key, at B-T; each output is checked with
// qpdf, pdfcpu and pdfsig.
func TestBatchWithSoftHSM(t *testing.T) {
	p := sharedPKI(t)
	tok := softhsmtest.NewToken(t, "Van thu")
	tok.MustImport(t, p.Leader.Cert, p.Leader.Key, []byte{1}, "leader", softhsmtest.ImportOptions{})
	tok.MustImport(t, p.Specialist.Cert, p.Specialist.Key, []byte{3}, "specialist", softhsmtest.ImportOptions{})
	if err := tok.ImportCA(p.Intermediate.Cert, []byte{0xca}, "CA G2"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{"01", "03"} {
		t.Run(id, func(t *testing.T) {
			h, err := token.OpenSigner(ctx, token.Selection{Module: tok.Env.Module, Token: tok.Label, Cert: id},
				token.StaticPIN(tok.PIN), token.LoginOptions{}, os.Getenv)
			if err != nil {
				t.Fatalf("OpenSigner: %v", err)
			}
			defer h.Close()
			chain := h.Chain
			if top := chain[len(chain)-1]; !bytes.Equal(top.RawIssuer, top.RawSubject) || top.CheckSignatureFrom(top) != nil {
				chain = append(chain, p.Root.Cert)
			}
			in, out := t.TempDir(), t.TempDir()
			var jobs []Job
			for i := 0; i < 5; i++ {
				src := filepath.Join(in, fmt.Sprintf("%d.pdf", i))
				os.WriteFile(src, simplePDF("1.7", 1+i%3, i%2 == 0), 0o644)
				jobs = append(jobs, Job{In: src, Out: filepath.Join(out, fmt.Sprintf("%d.pdf", i))})
			}
			opts := Options{Signer: h.Signer, Chain: chain, Level: LevelBT, TSAURL: p.TSAURL, Reason: "Ký số hàng loạt"}
			for _, r := range SignBatch(ctx, jobs, opts, nil) {
				if r.Err != nil {
					t.Fatalf("%s: %v", r.Job.In, r.Err)
				}
				checkAll(t, r.Job.Out, 1)
			}
		})
	}
}

// BenchmarkBatch1000SoftHSM signs 1,000 files in one batch with one login
// on a SoftHSM2 token (RSA-2048, B-B) and reports files per second.
func BenchmarkBatch1000SoftHSM(b *testing.B) {
	p := sharedPKI(b)
	tok := softhsmtest.NewToken(b, "batch")
	tok.MustImport(b, p.Leader.Cert, p.Leader.Key, []byte{1}, "leader", softhsmtest.ImportOptions{})
	ctx := context.Background()
	h, err := token.OpenSigner(ctx, token.Selection{Module: tok.Env.Module, Token: tok.Label, Cert: "01"},
		token.StaticPIN(tok.PIN), token.LoginOptions{}, os.Getenv)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	dir := b.TempDir()
	src := simplePDF("1.7", 2, true)
	jobs := make([]Job, 1000)
	for i := range jobs {
		in := filepath.Join(dir, fmt.Sprintf("%04d.pdf", i))
		os.WriteFile(in, src, 0o644)
		jobs[i] = Job{In: in, Out: filepath.Join(dir, fmt.Sprintf("%04d.signed.pdf", i))}
	}
	opts := Options{Signer: h.Signer, Chain: append(h.Chain, p.Root.Cert)}
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		for _, r := range SignBatch(ctx, jobs, opts, nil) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		b.ReportMetric(float64(len(jobs))/time.Since(start).Seconds(), "files/s")
	}
}
