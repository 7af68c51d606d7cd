package pades

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/internal/peakrss"
	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/internal/testrender"
)

func TestMain(m *testing.M) {
	testrender.UseTempCache()
	peakrss.Main(m, map[string]func() error{"sign": childSign})
}

// childSign signs $VANTHU_IN to $VANTHU_OUT with the key and chain in the
// PEM file $VANTHU_KEYS, at $VANTHU_LEVEL (with $VANTHU_TSA).
func childSign() error {
	pemData, err := os.ReadFile(os.Getenv("VANTHU_KEYS"))
	if err != nil {
		return err
	}
	var o Options
	for len(pemData) > 0 {
		var blk *pem.Block
		if blk, pemData = pem.Decode(pemData); blk == nil {
			break
		}
		switch blk.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
			if err != nil {
				return err
			}
			signer, ok := k.(crypto.Signer)
			if !ok {
				return fmt.Errorf("key %T cannot sign", k)
			}
			o.Signer = signer
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return err
			}
			o.Chain = append(o.Chain, c)
		}
	}
	o.Level, o.TSAURL = Level(os.Getenv("VANTHU_LEVEL")), os.Getenv("VANTHU_TSA")
	res, err := SignFile(context.Background(), os.Getenv("VANTHU_IN"), os.Getenv("VANTHU_OUT"), o)
	if err != nil {
		return err
	}
	fmt.Printf("signed %s: %d bytes, %d revisions\n", res.FieldName, res.OutputSize, res.Revisions)
	return nil
}

// writeKeys writes id's private key and chain as PEM for a child.
func writeKeys(tb testing.TB, id *testpki.Identity) string {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(id.Key)
	if err != nil {
		tb.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	for _, c := range id.ChainWithLeaf() {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	p := filepath.Join(tb.TempDir(), "keys.pem")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkSignMillionObjects signs a generated 1,000,000-object PDF (a
// tagged document: 1,000 pages and a structure tree of about 997,000
// elements; classic table, or cross-reference stream with object
// streams) through SignFile in a child process, and reports the child's
// peak resident memory (the goal is at most 64 MB).
//
//	go test -p 1 -run '^$' -bench SignMillionObjects -benchtime 3x ./signing/pades
func BenchmarkSignMillionObjects(b *testing.B) {
	p := sharedPKI(b)
	keys := writeKeys(b, p.Leader)
	for _, c := range []struct {
		name   string
		stream bool
		level  Level
	}{{"table/B-B", false, LevelBB}, {"stream/B-B", true, LevelBB}, {"table/B-LTA", false, LevelBLTA}, {"stream/B-LTA", true, LevelBLTA}} {
		b.Run(c.name, func(b *testing.B) {
			in := testpdf.ManyFile(b, 1_000_000, 1000, c.stream)
			st, _ := os.Stat(in)
			out := filepath.Join(b.TempDir(), "signed.pdf")
			peakrss.Bench(b, "sign", 64<<20, "VANTHU_IN="+in, "VANTHU_OUT="+out, "VANTHU_KEYS="+keys,
				"VANTHU_LEVEL="+string(c.level), "VANTHU_TSA="+p.TSAURL)
			b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
		})
	}
}
