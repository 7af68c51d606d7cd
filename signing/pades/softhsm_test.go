//go:build cgo

package pades

import (
	"bytes"
	"context"
	"errors"
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

// batchPIN gives the right login PIN and, per signature, ctxPIN; it
// counts the per-signature requests.
type batchPIN struct {
	login, ctxPIN string
	ctx           int
}

func (b *batchPIN) PIN(_ context.Context, req token.PINRequest) (string, error) {
	if req.ContextSpecific {
		b.ctx++
		return b.ctxPIN, nil
	}
	return b.login, nil
}

// TestBatchStopsAtPINError: a key that needs its PIN for every signature
// (CKA_ALWAYS_AUTHENTICATE), behind the proxy module's 3-try counter. A
// wrong per-signature PIN fails the first file and stops the batch: the
// PIN is asked once, the token counts one wrong PIN, no output is written
// and every file is reported. With the right PIN every file is signed.
func TestBatchStopsAtPINError(t *testing.T) {
	p := sharedPKI(t)
	env := softhsmtest.NewEnv(t)
	tok, err := env.InitToken("always-auth")
	if err != nil {
		t.Fatal(err)
	}
	tok.MustImport(t, p.Specialist.Cert, p.Specialist.Key, []byte{3}, "specialist", softhsmtest.ImportOptions{AlwaysAuthenticate: true})
	proxy := softhsmtest.NewPINProxy(t, env, 3)
	ctx := context.Background()
	run := func(ctxPIN string) (*batchPIN, []JobResult, []BatchProgress) {
		pins := &batchPIN{login: tok.PIN, ctxPIN: ctxPIN}
		h, err := token.OpenSigner(ctx, token.Selection{Module: proxy.Module, Token: tok.Label, Cert: "03"}, pins, token.LoginOptions{}, os.Getenv)
		if err != nil {
			t.Fatalf("OpenSigner: %v", err)
		}
		defer h.Close()
		in, out := t.TempDir(), t.TempDir()
		var jobs []Job
		for i := 0; i < 3; i++ {
			src := filepath.Join(in, fmt.Sprintf("%d.pdf", i))
			os.WriteFile(src, simplePDF("1.7", 1, false), 0o644)
			jobs = append(jobs, Job{In: src, Out: filepath.Join(out, fmt.Sprintf("%d.pdf", i))})
		}
		var reports []BatchProgress
		res := SignBatch(ctx, jobs, Options{Signer: h.Signer, Chain: p.Specialist.ChainWithLeaf()}, func(bp BatchProgress) {
			if bp.Finished {
				reports = append(reports, bp)
			}
		})
		return pins, res, reports
	}

	pins, res, reports := run("999999")
	var pe *token.PINError
	if !errors.As(res[0].Err, &pe) || !errors.Is(res[0].Err, token.ErrPINIncorrect) || !StopsBatch(res[0].Err) {
		t.Fatalf("first file: %v, want a *token.PINError", res[0].Err)
	}
	for _, r := range res[1:] {
		if !errors.Is(r.Err, ErrBatchStopped) || errors.Is(r.Err, token.ErrPINIncorrect) {
			t.Fatalf("%s: %v, want ErrBatchStopped", r.Job.In, r.Err)
		}
	}
	for _, r := range res {
		if _, err := os.Stat(r.Job.Out); !os.IsNotExist(err) {
			t.Fatalf("%s written although the batch failed", r.Job.Out)
		}
	}
	if pins.ctx != 1 || proxy.Failures() != 1 || len(reports) != 3 {
		t.Fatalf("per-signature PIN asked %d times, token counted %d wrong PINs, %d files reported; want 1, 1, 3",
			pins.ctx, proxy.Failures(), len(reports))
	}

	proxy.SetFailures(t, 0)
	pins, res, _ = run(tok.PIN)
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Job.In, r.Err)
		}
		checkAll(t, r.Job.Out, 1)
	}
	if pins.ctx != 3 {
		t.Fatalf("per-signature PIN asked %d times for 3 files, want 3", pins.ctx)
	}
}
