package attacktest

import (
	"fmt"
	"testing"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/verify"
)

// control is an honest change after a signature: the first signature
// must stay valid with modified_after = mod and the visual check's
// result visual.
type control struct {
	name    string
	doc     testpdf.Options
	certify int
	level   pades.Level // of the first signature (default B-B)
	change  func(t *testing.T, signed []byte, l testpdf.Layout) []byte
	mod     verify.Modification
	visual  verify.VisualCheck
}

// fill sets the "amount" field to s with a matching appearance.
func fill(s string) func(t *testing.T, b []byte, l testpdf.Layout) []byte {
	return func(t *testing.T, b []byte, l testpdf.Layout) []byte {
		return update(b, func(u *testpdf.Update) {
			ap := u.Add(testpdf.FieldAppearance(s, l.Font))
			d := u.Dict(l.Field)
			d["V"] = pdf.String(s)
			d["AP"] = pdf.Dict{"N": pdf.Ref{Num: ap}}
			u.SetDict(l.Field, d)
		})
	}
}

// note adds a sticky note at the top right of the page.
func note(t *testing.T, b []byte, l testpdf.Layout) []byte {
	return update(b, func(u *testpdf.Update) {
		a := u.Add("<< /Type /Annot /Subtype /Text /F 4 /Rect [540 800 560 820] /Contents (Đã xem) /Name /Comment >>")
		u.SetDict(l.Page, pageWith(u, l, a))
	})
}

func controls() []control {
	second := func(mod func(*pades.Options)) func(t *testing.T, b []byte, l testpdf.Layout) []byte {
		return func(t *testing.T, b []byte, l testpdf.Layout) []byte {
			return sign(t, b, sharedPKI(t).Director, mod)
		}
	}
	return []control{
		{name: "second invisible signature", change: second(nil), mod: verify.ModAllowed, visual: verify.VisualNotNeeded},
		{name: "second visible signature", change: second(visible(300, 100, 200, 60)), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "visible signature over the amount", change: second(visible(60, 700, 300, 60)), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "visible signature after P=2", certify: 2, change: second(visible(300, 100, 200, 60)), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "B-LT then B-LTA second signature", change: second(func(o *pades.Options) {
			visible(300, 100, 200, 60)(o)
			o.Level = pades.LevelBLTA
		}), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "document time-stamp and validation data under P=1", certify: 1, level: pades.LevelBLTA,
			change: func(t *testing.T, b []byte, l testpdf.Layout) []byte { return b }, mod: verify.ModAllowed, visual: verify.VisualNotNeeded},
		{name: "B-LT", level: pades.LevelBLT,
			change: func(t *testing.T, b []byte, l testpdf.Layout) []byte { return b }, mod: verify.ModAllowed, visual: verify.VisualNotNeeded},
		{name: "form filled", doc: testpdf.Options{Field: true}, change: fill("2000"), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "form filled under P=2", doc: testpdf.Options{Field: true}, certify: 2, change: fill("2000"), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "comment under P=3", certify: 3, change: note, mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "empty invisible signature field", change: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
			return update(b, func(u *testpdf.Update) {
				f := u.Reserve()
				u.Set(f, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Later) /F 132 /P %d 0 R /Rect [0 0 0 0] >>", l.Page))
				n, d := withField(u, l, f)
				u.SetDict(n, d)
				u.SetDict(l.Page, pageWith(u, l, f))
			})
		}, mod: verify.ModAllowed, visual: verify.VisualNotNeeded},
		{name: "document information updated", change: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
			return update(b, func(u *testpdf.Update) {
				u.Info = fmt.Sprintf("%d 0 R", u.Add("<< /Producer (vanthu) /ModDate (D:20261121) >>"))
			})
		}, mod: verify.ModAllowed, visual: verify.VisualNotNeeded},
		{name: "page rewritten unchanged", change: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
			return update(b, func(u *testpdf.Update) { u.SetDict(l.Page, u.Dict(l.Page)) })
		}, mod: verify.ModNone, visual: verify.VisualNotNeeded},
		{name: "white space after %%EOF", change: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
			return append(append([]byte{}, b...), "\r\n  \n"...)
		}, mod: verify.ModNone, visual: verify.VisualNotNeeded},
		{name: "object streams, second visible signature", doc: testpdf.Options{Compressed: true}, change: second(visible(300, 100, 200, 60)), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "older unsigned revisions, second visible signature", doc: testpdf.Options{History: true}, change: second(visible(300, 100, 200, 60)), mod: verify.ModAllowed, visual: verify.VisualSame},
		{name: "tagged document, second visible signature", doc: testpdf.Options{Struct: true}, change: second(visible(300, 100, 200, 60)), mod: verify.ModAllowed, visual: verify.VisualSame},
	}
}

func TestControls(t *testing.T) {
	p := sharedPKI(t)
	for _, c := range controls() {
		t.Run(c.name, func(t *testing.T) {
			doc, l := testpdf.Build(c.doc)
			signed := sign(t, doc, p.Leader, func(o *pades.Options) {
				o.Certify = c.certify
				if c.level != "" {
					o.Level = c.level
				}
			})
			res := check(t, c.change(t, signed, l))
			s := res.Signatures[0]
			if res.Status != verify.StatusValid || s.Status != verify.StatusValid || s.ModifiedAfter != c.mod || s.Visual != c.visual {
				t.Fatalf("want valid, modified_after %s, visual %s:\n%s", c.mod, c.visual, describe(res))
			}
		})
	}
}

// TestPermissions: what a certification or the approval-only default
// forbids is reported as such.
func TestPermissions(t *testing.T) {
	p := sharedPKI(t)
	for _, c := range []struct {
		name    string
		doc     testpdf.Options
		certify int
		change  func(t *testing.T, b []byte, l testpdf.Layout) []byte
		code    string
		kind    string
	}{
		{"form filled under P=1", testpdf.Options{Field: true}, 1, fill("2000"), verify.CodeDocMDPForbids, verify.ChangeFormFill},
		{"comment under P=2", testpdf.Options{}, 2, note, verify.CodeDocMDPForbids, verify.ChangeOverlay},
		{"comment without certification", testpdf.Options{}, 0, note, verify.CodeModified, verify.ChangeOverlay},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, l := testpdf.Build(c.doc)
			signed := sign(t, doc, p.Leader, certify(c.certify))
			res := check(t, c.change(t, signed, l))
			if res.Signatures[0].Status != verify.StatusInvalid || !hasProblem(res, 0, c.code, c.kind) {
				t.Fatalf("want invalid with %s/%s:\n%s", c.code, c.kind, describe(res))
			}
		})
	}
}
