package pades

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// TestCrossCheckWithVerifier: the project's own verifier (signing/verify,
// written independently) finds every level intact, trusted and at the
// level asked for, with the test root as the only anchor.
func TestCrossCheckWithVerifier(t *testing.T) {
	p := sharedPKI(t)
	ts := trust.New()
	ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
	for _, lv := range []Level{LevelBB, LevelBT, LevelBLT, LevelBLTA} {
		t.Run(string(lv), func(t *testing.T) {
			o := optsFor(p.Leader)
			o.Level, o.TSAURL = lv, p.TSAURL
			out, _ := signBytes(t, simplePDF("1.7", 2, true), o)
			res, err := verify.VerifyFile(context.Background(), out, verify.Options{Trust: ts, Online: lv.rank() < 2})
			if err != nil {
				t.Fatal(err)
			}
			j, _ := json.MarshalIndent(res, "", "  ")
			if res.Status != verify.StatusValid || fmt.Sprint(res.Signatures[0].Level) != string(lv) {
				t.Fatalf("verifier: %s", j)
			}
		})
	}
	// Certification P=2, then an approval signature in a new field.
	t.Run("certify-then-approve", func(t *testing.T) {
		o := optsFor(p.Leader)
		o.Certify = 2
		out, _ := signBytes(t, simplePDF("1.7", 1, true), o)
		out2 := out + ".2.pdf"
		if _, err := SignFile(context.Background(), out, out2, optsFor(p.Specialist)); err != nil {
			t.Fatal(err)
		}
		res, err := verify.VerifyFile(context.Background(), out2, verify.Options{Trust: ts, Online: true})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.MarshalIndent(res, "", "  ")
		if res.Status != verify.StatusValid || len(res.Signatures) != 2 || res.Signatures[0].DocMDP != 2 {
			t.Fatalf("verifier: %s", j)
		}
	})
}
