package bridge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/verify"
	"github.com/vanthu/vanthu/token"
)

func noEnv(string) string { return "" }

// TestDemoRolesOnSample signs the bundled sample letter with the demo store
// in the order of Nghị định 30 (review, approve, issue) and a copy of the
// result, as the first-run demo does, and verifies: every signature valid
// and trusted through the demo root, every one a demo signature, so the
// file is never "OK".
func TestDemoRolesOnSample(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, err := demo.Create(data)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	in := filepath.Join(work, "cong-van.pdf")
	if err := os.WriteFile(in, assets.SampleLetter, 0o644); err != nil {
		t.Fatal(err)
	}
	ts, err := LoadTrust(ctx, nil, filepath.Join(data, "trust"), false)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(cert string, req *RoleRequest) *roles.Report {
		t.Helper()
		s, err := OpenSigner(ctx, token.Selection{Module: demo.Module, Cert: cert}, Unlock{PINs: token.StaticPIN(demo.PIN)}, OpenOptions{DataDir: data, Getenv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if !s.Demo {
			t.Fatal("the demo signer is not marked as demo")
		}
		req.Level, req.DataDir, req.Trust, req.Place = pades.LevelBB, data, ts, roles.Place{Auto: true}
		rep, err := SignRole(ctx, s, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Role, err)
		}
		return rep
	}
	personal, org := st.Certificates()[0].IDHex(), st.Certificates()[1].IDHex()
	out1, out2, out3, out4 := filepath.Join(work, "1.pdf"), filepath.Join(work, "2.pdf"), filepath.Join(work, "3.pdf"), filepath.Join(work, "4.pdf")
	sign(personal, &RoleRequest{Role: roles.Review, In: in, Out: out1})
	rep := sign(personal, &RoleRequest{Role: roles.Approve, In: out1, Out: out2})
	if rep.Placement == nil || rep.Placement.How != roles.HowAuto || rep.Placement.Found == "" {
		t.Errorf("approve placement on the sample: %+v", rep.Placement)
	}
	rep = sign(org, &RoleRequest{Role: roles.Issue, In: out2, Out: out3, SealMM: 36, Number: "123", Date: time.Date(2026, 11, 21, 0, 0, 0, 0, roles.Vietnam)})
	if rep.Number == nil || rep.Number.Text == "" || rep.Date == nil {
		t.Errorf("issue on the sample: number %+v, date %+v", rep.Number, rep.Date)
	}
	sign(org, &RoleRequest{Role: roles.Copy, In: out3, Out: out4, CopyKind: roles.CopySaoY})
	pdfcheck.Qpdf(t, out4)
	pdfcheck.Pdfsig(t, out4, 4)

	v, err := Verify(ctx, out4, VerifyOptions{Verify: verify.Options{Trust: ts}, DemoRoot: st.Root()})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Signatures) != 4 {
		t.Fatalf("%d signatures, want 4", len(v.Signatures))
	}
	for i, s := range v.Signatures {
		if s.Status != verify.StatusValid || !s.Trusted || !v.Demo[i] {
			t.Errorf("%s: status %s trusted %v demo %v, problems %+v", s.Field, s.Status, s.Trusted, v.Demo[i], s.Problems)
		}
	}
	if v.OK() {
		t.Error("a file signed only with the demo store counts as OK")
	}
	// Without the demo root, the same file is not trusted.
	v, _ = Verify(ctx, out4, VerifyOptions{Verify: verify.Options{Trust: ts}})
	for _, s := range v.Signatures {
		if s.Trusted {
			t.Errorf("%s is trusted without the demo root", s.Field)
		}
	}
}

// TestDemoPINRules: the demo store refuses like a token — wrong PIN counted
// and never retried, the final try only when confirmed, locked at the end.
func TestDemoPINRules(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if _, err := demo.Create(data); err != nil {
		t.Fatal(err)
	}
	asked := 0
	wrong := token.PINFunc(func(context.Context, token.PINRequest) (string, error) { asked++; return "000000", nil })
	open := func(u Unlock) error {
		s, err := OpenSigner(ctx, token.Selection{Module: demo.Module}, u, OpenOptions{DataDir: data, Getenv: noEnv})
		s.Close()
		return err
	}
	for i := 1; i < demo.MaxTries-1; i++ {
		var pe *token.PINError
		if err := open(Unlock{PINs: wrong}); !errors.As(err, &pe) || !errors.Is(err, token.ErrPINIncorrect) {
			t.Fatalf("try %d: err = %v", i, err)
		}
		if asked != i {
			t.Fatalf("try %d: PIN asked %d times", i, asked)
		}
	}
	// One try left: the 4th wrong PIN reports the final try.
	var pe *token.PINError
	if err := open(Unlock{PINs: wrong}); !errors.As(err, &pe) || !pe.FinalTry {
		t.Fatalf("4th wrong PIN: err = %v, want incorrect with FinalTry", err)
	}
	// The final try is refused without confirmation, and the PIN is not asked.
	before := asked
	refused := false
	err := open(Unlock{PINs: wrong, AskFinalTry: func(context.Context, token.TokenInfo) bool { refused = true; return false }})
	if !errors.Is(err, token.ErrPINFinalTry) || !refused || asked != before {
		t.Fatalf("final try without confirmation: err %v, asked %v, PIN asked %d more", err, refused, asked-before)
	}
	// Confirmed and correct: unlocked again.
	if err := open(Unlock{PINs: token.StaticPIN(demo.PIN), AskFinalTry: func(context.Context, token.TokenInfo) bool { return true }}); err != nil {
		t.Fatal(err)
	}
	st, _ := demo.Open(data)
	if f := st.Info().Flags; f.PINCountLow || f.PINFinalTry {
		t.Errorf("after a good PIN: flags %+v", f)
	}
}
