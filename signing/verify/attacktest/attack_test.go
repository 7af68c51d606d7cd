package attacktest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/verify"
)

// attack is one crafted file: a document, signed (certified when certify
// > 0), then changed by tamper; the verifier must call it invalid with
// the problem code (and change kind) that names its class.
type attack struct {
	name    string
	doc     testpdf.Options
	certify int
	tamper  func(t *testing.T, signed []byte, l testpdf.Layout) []byte
	code    string
	kind    string
}

const (
	modified = verify.CodeModified
	forbids  = verify.CodeDocMDPForbids
)

var pay9 = testpdf.Line(1, "PAY 9000000")

// update returns an update of b prepared by f.
func update(b []byte, f func(u *testpdf.Update)) []byte {
	u := testpdf.NewUpdate(b)
	f(u)
	return u.Bytes()
}

// coverAll is the appearance of a widget that paints the page white and
// writes the attacker's amount.
func coverAll(font int) string {
	return testpdf.Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >>", font),
		"1 g 0 0 595 842 re f "+pay9)
}

// pageWith returns the page dictionary of b with extra annotations.
func pageWith(u *testpdf.Update, l testpdf.Layout, annots ...int) pdf.Dict {
	d := u.Dict(l.Page)
	arr := append(pdf.Array{}, u.View().Array(d.Get("Annots"))...)
	for _, a := range annots {
		arr = append(arr, pdf.Ref{Num: a})
	}
	d["Annots"] = arr
	return d
}

// pageWithout returns the page dictionary of b without annotations.
func pageWithout(u *testpdf.Update, l testpdf.Layout, annots ...int) pdf.Dict {
	d := u.Dict(l.Page)
	var arr pdf.Array
	for _, x := range u.View().Array(d.Get("Annots")) {
		if r, ok := x.(pdf.Ref); ok && slices.Contains(annots, r.Num) {
			continue
		}
		arr = append(arr, x)
	}
	d["Annots"] = arr
	return d
}

// withField returns the catalog with the AcroForm listing an extra field.
func withField(u *testpdf.Update, l testpdf.Layout, field int) (int, pdf.Dict) {
	v := u.View()
	cat := u.Dict(l.Catalog)
	afObj := cat.Get("AcroForm")
	af := v.Dict(afObj).Clone()
	fields := append(pdf.Array{}, v.Array(af.Get("Fields"))...)
	fields = append(fields, pdf.Ref{Num: field})
	af["Fields"] = fields
	if r, ok := afObj.(pdf.Ref); ok {
		return r.Num, af
	}
	cat["AcroForm"] = af
	return l.Catalog, cat
}

func attacks() []attack {
	return []attack{
		// --- incremental saving: what the signer saw is replaced
		{name: "content stream replaced", code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.Set(l.Content, testpdf.Stream("", pay9)) })
			}},
		{name: "font remapped", code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				// the code of "1" now draws a nine: PAY 9000
				return update(b, func(u *testpdf.Update) {
					u.Set(l.Font, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [49 /nine] >> >>")
				})
			}},
		{name: "contents array grown", code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					extra := u.Add(testpdf.Stream("", "1 g 60 740 300 40 re f 0 g "+pay9))
					d := u.Dict(l.Page)
					d["Contents"] = pdf.Array{pdf.Ref{Num: l.Content}, pdf.Ref{Num: extra}}
					u.SetDict(l.Page, d)
				})
			}},
		{name: "page added", code: modified, kind: verify.ChangePages,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					c := u.Add(testpdf.Stream("", pay9))
					pg := u.Add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >> >> >>", l.Pages, c, l.Font))
					u.Set(l.Pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R %d 0 R] /Count 2 >>", l.Page, pg))
				})
			}},
		{name: "page rotated", code: modified, kind: verify.ChangePage,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					d := u.Dict(l.Page)
					d["Rotate"] = pdf.Integer(180)
					u.SetDict(l.Page, d)
				})
			}},
		{name: "open action added", code: modified, kind: verify.ChangeCatalog,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					d := u.Dict(l.Catalog)
					d["OpenAction"] = pdf.Dict{"S": pdf.Name("JavaScript"), "JS": pdf.String("app.alert(1)")}
					u.SetDict(l.Catalog, d)
				})
			}},
		{name: "undefined object the page draws filled in", doc: testpdf.Options{Dangling: true}, code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					u.Set(l.Late, testpdf.Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 400 40] /Resources << /Font << /F1 %d 0 R >> >>", l.Font),
						"BT /F1 24 Tf 0 10 Td (PAY 9000000) Tj ET"))
				})
			}},
		{name: "indirect length shortened", doc: testpdf.Options{LengthRef: true, Lines: []string{"PAY 1000", "NOT PAYABLE"}}, code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				// the content stream now ends after its first line
				return update(b, func(u *testpdf.Update) { u.Set(l.Length, fmt.Sprint(len(testpdf.Line(1, "PAY 1000")))) })
			}},
		{name: "object freed", code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.Free(l.Content) })
			}},
		{name: "generation bumped", code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				// "4 0 R" no longer resolves: the page is blank
				return update(b, func(u *testpdf.Update) { u.SetGen(l.Content, 1, testpdf.Stream("", testpdf.Line(1, "PAY 1000"))) })
			}},

		// --- signature wrapping and spoofing
		{name: "signature dictionary replaced", code: modified, kind: verify.ChangeSignatureAltered,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				_, v := sigRef(t, b)
				return update(b, func(u *testpdf.Update) {
					d := u.Dict(v.Num)
					d["Reason"] = pdf.String("Đã duyệt chi 9000000")
					u.SetDict(v.Num, d)
				})
			}},
		{name: "copied signature in a covering field", code: modified, kind: verify.ChangeBadSignature,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				_, v := sigRef(t, b)
				return update(b, func(u *testpdf.Update) {
					copied := u.Add(testpdf.Serialize(u.Dict(v.Num)))
					ap := u.Add(coverAll(l.Font))
					f := u.Reserve()
					u.Set(f, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Copy) /V %d 0 R /F 4 /P %d 0 R /Rect [0 0 595 842] /AP << /N %d 0 R >> >>", copied, l.Page, ap))
					n, d := withField(u, l, f)
					u.SetDict(n, d)
					u.SetDict(l.Page, pageWith(u, l, f))
				})
			}},

		// --- shadow attacks: hide, replace, hide-and-replace
		{name: "shadow hide: cover annotation removed", doc: testpdf.Options{Hidden: "PAY 9000000"}, code: modified, kind: verify.ChangeAnnotationGone,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.SetDict(l.Page, pageWithout(u, l, l.Cover)) })
			}},
		{name: "shadow hide under P=3: cover annotation removed", doc: testpdf.Options{Hidden: "PAY 9000000"}, certify: 3, code: verify.CodeVisualMismatch,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.SetDict(l.Page, pageWithout(u, l, l.Cover)) })
			}},
		{name: "shadow hide under P=3: cover annotation made transparent", doc: testpdf.Options{Hidden: "PAY 9000000"}, certify: 3, code: verify.CodeVisualMismatch,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					r := testpdf.LineRect(3)
					u.Set(l.CoverAP, testpdf.Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %g %g]", r[2]-r[0], r[3]-r[1]), "0 0 1 RG 0 0 2 2 re S"))
				})
			}},
		{name: "shadow hide: covering field filled transparent", doc: testpdf.Options{HiddenField: "PAY 9000000"}, code: verify.CodeVisualMismatch,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					d := u.Dict(l.Note)
					d["V"] = pdf.String("ok")
					ap := u.Add(testpdf.Stream("/Type /XObject /Subtype /Form /BBox [0 0 334 34]", ""))
					d["AP"] = pdf.Dict{"N": pdf.Ref{Num: ap}}
					u.SetDict(l.Note, d)
				})
			}},
		{name: "shadow replace via overlay: a field nobody saw filled over the amount", doc: testpdf.Options{OverField: true}, code: verify.CodeVisualMismatch,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					r := testpdf.LineRect(1)
					d := u.Dict(l.Memo)
					d["V"] = pdf.String("see above")
					ap := u.Add(testpdf.Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %g %g] /Resources << /Font << /F1 %d 0 R >> >>", r[2]-r[0], r[3]-r[1], l.Font),
						fmt.Sprintf("1 g 0 0 %g %g re f BT 0 g /F1 24 Tf 6 8 Td (PAY 9000000) Tj ET", r[2]-r[0], r[3]-r[1])))
					d["AP"] = pdf.Dict{"N": pdf.Ref{Num: ap}}
					u.SetDict(l.Memo, d)
				})
			}},
		{name: "shadow replace: appearance rewritten, value kept", doc: testpdf.Options{Field: true}, code: modified, kind: verify.ChangeAppearance,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.Set(l.FieldAP, testpdf.FieldAppearance("9000000", l.Font)) })
			}},
		{name: "shadow replace: appearance swapped, value kept", doc: testpdf.Options{Field: true}, code: modified, kind: verify.ChangeAppearance,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					ap := u.Add(testpdf.FieldAppearance("9000000", l.Font))
					d := u.Dict(l.Field)
					d["AP"] = pdf.Dict{"N": pdf.Ref{Num: ap}}
					u.SetDict(l.Field, d)
				})
			}},
		{name: "shadow hide-and-replace: entry points at the older definition", doc: testpdf.Options{History: true}, code: modified, kind: verify.ChangeXrefReverted,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				first := revisionSection(t, b, 0)
				return update(b, func(u *testpdf.Update) { u.Point(l.Content, first[l.Content].Offset) })
			}},

		// --- cross-reference tricks
		{name: "/Prev skips to the first section, signature kept", doc: testpdf.Options{History: true}, code: modified, kind: verify.ChangeXrefReverted,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				revs := revisions(t, b)
				signedSec := revisionSection(t, b, -1)
				return update(b, func(u *testpdf.Update) {
					u.Prev = revs[0].StartXRef
					for n, e := range signedSec {
						if n != 0 && e.Type == pdf.EntryInUse {
							u.Point(n, e.Offset)
						}
					}
				})
			}},
		{name: "/XRefStm brings back the older definition", doc: testpdf.Options{History: true}, code: modified, kind: verify.ChangeXrefReverted,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				first := revisionSection(t, b, 0)
				u := testpdf.NewUpdate(b)
				u.XRefStmEntries = map[int]int64{l.Content: first[l.Content].Offset}
				return u.Bytes()
			}},
		{name: "signed section dropped from the chain", doc: testpdf.Options{History: true}, code: modified, kind: verify.ChangeXrefReverted,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				// the new section keeps every signed object but the page,
				// which falls back to its unsigned version (no widget)
				revs := revisions(t, b)
				signedSec := revisionSection(t, b, -1)
				return update(b, func(u *testpdf.Update) {
					u.Prev = revs[1].StartXRef
					for n, e := range signedSec {
						if n != 0 && n != l.Page && e.Type == pdf.EntryInUse {
							u.Point(n, e.Offset)
						}
					}
				})
			}},
		{name: "object stream redefined", doc: testpdf.Options{Compressed: true}, code: modified, kind: verify.ChangePageContent,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					v := u.View()
					var head, body strings.Builder
					for i, n := range []int{l.Catalog, l.Pages, l.Page, l.Font} {
						o, _ := v.Object(n)
						s := testpdf.Serialize(o)
						if n == l.Font {
							s = "<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold >>"
						}
						_ = i
						fmt.Fprintf(&head, "%d %d ", n, body.Len())
						body.WriteString(s + "\n")
					}
					u.Set(l.ObjStm, testpdf.Stream(fmt.Sprintf("/Type /ObjStm /N 4 /First %d", head.Len()), head.String()+body.String()))
				})
			}},
		{name: "chain broken", code: modified, kind: verify.ChangeXrefBroken,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					u.Prev = 7
					u.Set(l.Content, testpdf.Stream("", pay9))
				})
			}},

		// --- self-declared types: judged by use, not by /Type
		{name: "page content calls itself /Metadata", doc: testpdf.Options{ContentType: "Metadata"}, code: modified, kind: verify.ChangeDisguised,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.Set(l.Content, testpdf.Stream("/Type /Metadata /Subtype /XML", pay9)) })
			}},
		{name: "page content calls itself /XRef", doc: testpdf.Options{ContentType: "XRef"}, code: modified, kind: verify.ChangeDisguised,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.Set(l.Content, testpdf.Stream("/Type /XRef", pay9)) })
			}},
		{name: "page content reachable from the structure tree", doc: testpdf.Options{Struct: true}, code: modified, kind: verify.ChangeDisguised,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) { u.Set(l.Content, testpdf.Stream("", pay9)) })
			}},
		{name: "page content listed as validation data", doc: testpdf.Options{DSS: true}, code: modified, kind: verify.ChangeDisguised,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					u.Set(l.Content, testpdf.Stream("", pay9))
					u.Set(l.DSS, fmt.Sprintf("<< /Type /DSS /Certs [%d 0 R] >>", l.Content))
				})
			}},
		{name: "appearance stream reassigned to a new field", doc: testpdf.Options{Field: true}, code: modified, kind: verify.ChangeReassigned,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					u.Set(l.FieldAP, testpdf.FieldAppearance("9000000", l.Font))
					f := u.Reserve()
					u.Set(f, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Later) /F 4 /P %d 0 R /Rect [0 0 0 0] /AP << /N %d 0 R >> >>", l.Page, l.FieldAP))
					n, d := withField(u, l, f)
					u.SetDict(n, d)
					u.SetDict(l.Page, pageWith(u, l, f))
				})
			}},

		// --- overlays
		{name: "unsigned signature field covering the page", code: modified, kind: verify.ChangeOverlay,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					ap := u.Add(coverAll(l.Font))
					f := u.Reserve()
					u.Set(f, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Sig /T (Empty) /F 4 /P %d 0 R /Rect [0 0 595 842] /AP << /N %d 0 R >> >>", l.Page, ap))
					n, d := withField(u, l, f)
					u.SetDict(n, d)
					u.SetDict(l.Page, pageWith(u, l, f))
				})
			}},
		{name: "widget of no field covering the page", code: modified, kind: verify.ChangeOverlay,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					ap := u.Add(coverAll(l.Font))
					w := u.Add(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /F 4 /P %d 0 R /Rect [0 0 595 842] /AP << /N %d 0 R >> >>", l.Page, ap))
					u.SetDict(l.Page, pageWith(u, l, w))
				})
			}},
		{name: "text field covering the amount", code: modified, kind: verify.ChangeOverlay,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					r := testpdf.LineRect(1)
					ap := u.Add(testpdf.Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %g %g] /Resources << /Font << /F1 %d 0 R >> >>", r[2]-r[0], r[3]-r[1], l.Font),
						fmt.Sprintf("1 g 0 0 %g %g re f BT 0 g /F1 24 Tf 6 8 Td (PAY 9000000) Tj ET", r[2]-r[0], r[3]-r[1])))
					f := u.Reserve()
					u.Set(f, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount2) /V (9000000) /F 4 /P %d 0 R /Rect [%g %g %g %g] /AP << /N %d 0 R >> >>", l.Page, r[0], r[1], r[2], r[3], ap))
					n, d := withField(u, l, f)
					u.SetDict(n, d)
					u.SetDict(l.Page, pageWith(u, l, f))
				})
			}},
		{name: "free text annotation over the amount", code: modified, kind: verify.ChangeOverlay,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					r := testpdf.LineRect(1)
					a := u.Add(fmt.Sprintf("<< /Type /Annot /Subtype /FreeText /F 4 /Rect [%g %g %g %g] /Contents (PAY 9000000) /DA (/Helv 24 Tf 0 g) >>", r[0], r[1], r[2], r[3]))
					u.SetDict(l.Page, pageWith(u, l, a))
				})
			}},
		{name: "square annotation under P=2", certify: 2, code: forbids, kind: verify.ChangeOverlay,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					a := u.Add("<< /Type /Annot /Subtype /Square /F 4 /Rect [0 0 595 842] /IC [1 1 1] >>")
					u.SetDict(l.Page, pageWith(u, l, a))
				})
			}},

		// --- updates without %%EOF, data after the last %%EOF
		{name: "update without %%EOF", code: modified, kind: verify.ChangeNoEOF,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					u.NoEOF = true
					u.Set(l.Content, testpdf.Stream("", pay9))
				})
			}},
		{name: "harmless-looking update without %%EOF", code: modified, kind: verify.ChangeNoEOF,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					u.NoEOF = true
					u.Info = fmt.Sprintf("%d 0 R", u.Add("<< /Producer (x) >>"))
				})
			}},
		{name: "objects appended after %%EOF without startxref", code: verify.CodeUnsignedData,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return append(append([]byte{}, b...), fmt.Sprintf("%d 0 obj\n%s\nendobj\n", l.Content, testpdf.Stream("", pay9))...)
			}},
		{name: "update whose startxref names nothing", code: verify.CodeUnsignedData,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					bogus := int64(3)
					u.StartXRef = &bogus
					u.Set(l.Content, testpdf.Stream("", pay9))
				})
			}},
		{name: "update with startxref but no number", code: verify.CodeUnsignedData,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return update(b, func(u *testpdf.Update) {
					none := int64(-1)
					u.StartXRef = &none
					u.Set(l.Content, testpdf.Stream("", pay9))
				})
			}},
		{name: "text after %%EOF", code: verify.CodeUnsignedData,
			tamper: func(t *testing.T, b []byte, l testpdf.Layout) []byte {
				return append(append([]byte{}, b...), "\n% trailing words a viewer ignores, but nobody signed\n"...)
			}},
	}
}

func TestAttacks(t *testing.T) {
	p := sharedPKI(t)
	for _, a := range attacks() {
		t.Run(a.name, func(t *testing.T) {
			doc, l := testpdf.Build(a.doc)
			signed := sign(t, doc, p.Leader, certify(a.certify))
			base := check(t, signed)
			if base.Status != verify.StatusValid {
				t.Fatalf("the signed file is not valid before the attack:\n%s", describe(base))
			}
			res := check(t, a.tamper(t, signed, l))
			if res.Status != verify.StatusInvalid {
				t.Fatalf("status %s, want invalid:\n%s", res.Status, describe(res))
			}
			if !hasProblem(res, 0, a.code, a.kind) {
				t.Fatalf("no problem %s/%s:\n%s", a.code, a.kind, describe(res))
			}
		})
	}
}
