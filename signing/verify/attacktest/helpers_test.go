// Package attacktest attacks the verifier's change analysis and visual
// check the way the published PDF-signature research does (incremental
// saving, signature wrapping, shadow attacks, cross-reference tricks,
// self-declared types, overlays, updates without %%EOF and data after it)
// with incremental updates written on top of real signed files, and
// checks the honest controls next to them.
package attacktest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/internal/testrender"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

func TestMain(m *testing.M) {
	testrender.UseTempCache()
	os.Exit(m.Run())
}

var (
	pkiOnce sync.Once
	pkiErr  error
	thePKI  *testpki.PKI
)

// sharedPKI is one test PKI for the whole package (its servers stay up
// until the process ends).
func sharedPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	pkiOnce.Do(func() { thePKI, pkiErr = testpki.NewPKI() })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return thePKI
}

func store(p *testpki.PKI) *trust.Store {
	s := trust.New()
	s.Add(p.Root.Cert, trust.RoleAnchor, "testpki")
	return s
}

// sign signs in at B-B with id (a certification when certify > 0).
func sign(t *testing.T, in []byte, id *testpki.Identity, mod func(*pades.Options)) []byte {
	t.Helper()
	p := sharedPKI(t)
	opts := pades.Options{Signer: id.Key, Chain: id.ChainWithLeaf(), Level: pades.LevelBB, TSAURL: p.TSAURL, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&opts)
	}
	var out bytes.Buffer
	if _, err := pades.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out, opts); err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out.Bytes()
}

func certify(p int) func(*pades.Options) { return func(o *pades.Options) { o.Certify = p } }

// visible makes the signature visible at rect (x, y, w, h) on page 1.
func visible(x, y, w, h float64) func(*pades.Options) {
	return func(o *pades.Options) {
		o.Visible = &appearance.Appearance{Page: 1, Rect: appearance.Rect{X: x, Y: y, W: w, H: h},
			Content: []byte(fmt.Sprintf("0 0 1 RG 2 w 1 1 %g %g re S", w-2, h-2))}
	}
}

func check(t *testing.T, b []byte) *verify.Result {
	t.Helper()
	p := sharedPKI(t)
	res, err := verify.Verify(context.Background(), bytes.NewReader(b), int64(len(b)),
		verify.Options{Trust: store(p), Online: true, FetchTimeout: 5 * time.Second})
	if err != nil && res == nil {
		t.Fatalf("verify: %v", err)
	}
	return res
}

func describe(r *verify.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "file %s %v\n", r.Status, r.Problems)
	for _, s := range r.Signatures {
		fmt.Fprintf(&b, "  %s %s %s rev=%d intact=%v mod=%s visual=%s\n", s.Field, s.Kind, s.Status, s.Revision, s.Intact, s.ModifiedAfter, s.Visual)
		for _, ch := range s.Changes {
			fmt.Fprintf(&b, "    change rev %d %s objects %v areas %d\n", ch.Revision, ch.Class, ch.Objects, len(ch.Areas))
			for _, p := range ch.Problems {
				fmt.Fprintf(&b, "      %s %s %v\n", p.Severity, p.Code, p.Params)
			}
		}
		for _, p := range s.Problems {
			fmt.Fprintf(&b, "    problem %s %s %v\n", p.Severity, p.Code, p.Params)
		}
	}
	return b.String()
}

// hasProblem: the signature (or the file) has a problem with code and,
// when kind is not empty, that change kind.
func hasProblem(r *verify.Result, sig int, code, kind string) bool {
	match := func(ps []verify.Problem) bool {
		for _, p := range ps {
			if p.Code == code && (kind == "" || p.Params["kind"] == kind) {
				return true
			}
		}
		return false
	}
	if match(r.Problems) {
		return true
	}
	if sig >= len(r.Signatures) {
		return false
	}
	s := r.Signatures[sig]
	if match(s.Problems) {
		return true
	}
	for _, ch := range s.Changes {
		if match(ch.Problems) {
			return true
		}
	}
	return false
}

// sigRef returns the /V reference of the first signature field of b.
func sigRef(t *testing.T, b []byte) (field int, val pdf.Ref) {
	t.Helper()
	u := testpdf.NewUpdate(b)
	v := u.View()
	af := v.Dict(v.Root().Get("AcroForm"))
	for _, f := range v.Array(af.Get("Fields")) {
		d := v.Dict(f)
		if d.Name("FT") == "Sig" {
			if r, ok := d.Get("V").(pdf.Ref); ok {
				return f.(pdf.Ref).Num, r
			}
		}
	}
	t.Fatal("no signature field")
	return 0, pdf.Ref{}
}

// revisionSection returns the entries of the newest cross-reference
// section of revision i of b.
func revisionSection(t *testing.T, b []byte, i int) map[int]pdf.Entry {
	t.Helper()
	rd, err := pdf.Open(context.Background(), bytes.NewReader(b), int64(len(b)), pdf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if i < 0 {
		revs, _ := rd.Revisions()
		i += len(revs)
	}
	v, err := rd.View(i)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]pdf.Entry{}
	for n, e := range v.Sections[0].Entries() {
		out[n] = e
	}
	return out
}

func revisions(t *testing.T, b []byte) []pdf.Revision {
	t.Helper()
	rd, err := pdf.Open(context.Background(), bytes.NewReader(b), int64(len(b)), pdf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	revs, err := rd.Revisions()
	if err != nil {
		t.Fatal(err)
	}
	return revs
}
