package bridge

import (
	"context"
	"crypto/x509"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/signing/verify"
)

// VerifyOptions configure a verify run.
type VerifyOptions struct {
	Verify verify.Options
	// DemoRoot, when set, is trusted too — and every signature that chains
	// to it is reported as a demo signature (Verdict.Demo), never as a
	// legally valid one.
	DemoRoot *x509.Certificate
}

// Verdict is the verifier's result for one file with what the front ends
// add: which signatures are demo signatures, and the overall answer.
type Verdict struct {
	*verify.Result
	Demo []bool // per Result.Signatures
}

// OK: at least one signature, and every signature valid, trusted and with
// no disallowed change after it (what `vanthu verify` exits 0 for). Demo
// signatures are never OK.
func (v *Verdict) OK() bool {
	r := v.Result
	if r == nil || r.Status != verify.StatusValid {
		return false
	}
	n := 0
	for i, s := range r.Signatures {
		if s.Kind == verify.KindSignature {
			n++
		}
		if s.Status != verify.StatusValid || !s.Trusted || s.ModifiedAfter == verify.ModDisallowed || v.Demo[i] {
			return false
		}
	}
	return n > 0
}

// Verify checks the signatures of the file. The error is the verifier's
// (verify.ErrRead for a file that cannot be read; the Verdict is still
// returned when the file could be analysed in part).
func Verify(ctx context.Context, name string, opts VerifyOptions) (*Verdict, error) {
	vo := opts.withDemoRoot(ctx)
	res, err := verify.VerifyFile(ctx, name, vo)
	return opts.verdict(res), err
}

// VerifyFiles verifies the files in parallel (verify.VerifyFiles: a worker
// per CPU) and calls fn with each file's Verdict in the order of names.
func VerifyFiles(ctx context.Context, names []string, opts VerifyOptions, fn func(i int, v *Verdict, err error)) {
	vo := opts.withDemoRoot(ctx)
	verify.VerifyFiles(ctx, names, vo, func(i int, res *verify.Result, err error) {
		fn(i, opts.verdict(res), err)
	})
}

func (opts VerifyOptions) withDemoRoot(ctx context.Context) verify.Options {
	vo := opts.Verify
	if opts.DemoRoot != nil && vo.Trust != nil {
		vo.Trust = withDemoRoot(ctx, vo.Trust, opts.DemoRoot)
	}
	return vo
}

// verdict adds to res which signatures are demo signatures.
func (opts VerifyOptions) verdict(res *verify.Result) *Verdict {
	v := &Verdict{Result: res}
	if res != nil {
		v.Demo = make([]bool, len(res.Signatures))
		for i, s := range res.Signatures {
			chain := append([]*x509.Certificate{s.SignerCert}, s.Chain...)
			v.Demo[i] = demo.IsDemoChain(chain) || (opts.DemoRoot != nil && containsCert(chain, opts.DemoRoot))
		}
	}
	return v
}

func containsCert(chain []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range chain {
		if x != nil && x.Equal(c) {
			return true
		}
	}
	return false
}
