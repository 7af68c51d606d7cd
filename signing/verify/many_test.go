package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/internal/peakrss"
	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/internal/testrender"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/trust"
)

func TestMain(m *testing.M) {
	testrender.UseTempCache()
	peakrss.Main(m, map[string]func() error{"verify": childVerify})
}

// childVerify verifies $VANTHU_IN offline against the bundled roots and
// the root in $VANTHU_ROOT; the file must be valid.
func childVerify() error {
	store, err := trust.Load(context.Background(), trust.Options{SkipUserDir: true, Files: []string{os.Getenv("VANTHU_ROOT")}})
	if err != nil {
		return err
	}
	res, err := VerifyFile(context.Background(), os.Getenv("VANTHU_IN"), Options{Trust: store})
	if err != nil {
		return err
	}
	if res.Status != StatusValid {
		return fmt.Errorf("%s: %+v", res.Status, res)
	}
	fmt.Printf("%s: %s, %d signatures, %d revisions\n", res.File, res.Status, len(res.Signatures), res.Revisions)
	return nil
}

// BenchmarkVerifyMillionObjects verifies, offline and in a child process,
// a generated 1,000,000-object PDF (1,000 pages and a structure tree of
// about 997,000 elements; classic table, or cross-reference stream with
// object streams) signed at B-LTA (signature, DSS and document time-stamp
// revisions, so the changes after the signature are analysed), and
// reports the child's peak resident memory (the goal is at most 64 MB).
//
//	go test -p 1 -run '^$' -bench VerifyMillionObjects -benchtime 3x ./signing/verify
func BenchmarkVerifyMillionObjects(b *testing.B) {
	p, err := testpki.NewPKI(testpki.WithKeyCache(filepath.Join(os.TempDir(), "vanthu-testpki-keys")))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	root := filepath.Join(b.TempDir(), "root.pem")
	if err := os.WriteFile(root, p.Root.CertPEM(), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		stream bool
	}{{"table", false}, {"stream", true}} {
		b.Run(c.name, func(b *testing.B) {
			in := testpdf.ManyFile(b, 1_000_000, 1000, c.stream)
			signed := filepath.Join(b.TempDir(), "signed.pdf")
			o := pades.Options{Signer: p.Leader.Key, Chain: p.Leader.ChainWithLeaf(), Level: pades.LevelBLTA, TSAURL: p.TSAURL}
			if _, err := pades.SignFile(context.Background(), in, signed, o); err != nil {
				b.Fatal(err)
			}
			st, _ := os.Stat(signed)
			peakrss.Bench(b, "verify", 64<<20, "VANTHU_IN="+signed, "VANTHU_ROOT="+root)
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
		})
	}
}
