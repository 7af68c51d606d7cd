package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/signing/pdf"
)

// signedBase is a one-page document ("PAY 1000", a text field "amount", a
// white square annotation covering "PAY 9000000") signed at B-B: objects
// 1 catalog, 2 pages, 3 page, 4 content, 5 font, 6 and 7 the cover, 8 and
// 9 the field.
const signedBase = "testdata/signed-base.pdf"

// FuzzChanges appends fuzzed bytes — from seeds that are incremental
// updates an attacker or an honest writer would append — to a signed file,
// and checks the change analysis: it ends in bounded time, and whenever
// what the page draws differs from what was signed (page count, geometry,
// content streams, resources — as a separate, simple reading of both
// views finds them), the signature's changes are disallowed.
//
//	go test -run '^$' -fuzz FuzzChanges -parallel 1 -fuzzminimizetime 1x ./signing/verify
func FuzzChanges(f *testing.F) {
	base := mustRead(f, signedBase)
	for _, s := range changeSeeds(base) {
		f.Add(s)
	}
	store := testStore(f)
	f.Fuzz(func(t *testing.T, update []byte) {
		data := append(append([]byte{}, base...), update...)
		start := time.Now()
		res, _ := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), Options{Trust: store, NoVisual: true, MaxDuration: 2 * time.Second})
		if el := time.Since(start); el > 5*time.Second {
			t.Fatalf("took %v", el)
		}
		if res == nil {
			t.Fatal("nil result")
		}
		var s *Signature
		for i := range res.Signatures {
			if res.Signatures[i].Revision == 1 {
				s = &res.Signatures[i]
			}
		}
		if s == nil || s.ModifiedAfter == ModDisallowed || !s.Intact {
			return // gone (a viewer shows no signature), or already refused
		}
		if why := drawnDiffers(base, data); why != "" {
			t.Fatalf("page drawing changed (%s) but modified_after = %s: %+v", why, s.ModifiedAfter, s.Changes)
		}
	})
}

// changeSeeds are updates of base, as appended bytes.
func changeSeeds(base []byte) [][]byte {
	var out [][]byte
	add := func(f func(u *testpdf.Update)) {
		u := testpdf.NewUpdate(base)
		f(u)
		out = append(out, u.Bytes()[len(base):])
	}
	pay9 := testpdf.Line(1, "PAY 9000000")
	add(func(u *testpdf.Update) { u.Set(4, testpdf.Stream("", pay9)) })
	add(func(u *testpdf.Update) {
		u.Set(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [49 /nine] >> >>")
	})
	add(func(u *testpdf.Update) {
		d := u.Dict(3)
		d["Annots"] = pdf.Array{pdf.Ref{Num: 8}}
		u.SetDict(3, d)
	})
	add(func(u *testpdf.Update) {
		ap := u.Add(testpdf.FieldAppearance("2000", 5))
		d := u.Dict(8)
		d["V"] = pdf.String("2000")
		d["AP"] = pdf.Dict{"N": pdf.Ref{Num: ap}}
		u.SetDict(8, d)
	})
	add(func(u *testpdf.Update) {
		d := u.Dict(1)
		d["DSS"] = pdf.Ref{Num: u.Add("<< /Certs [] >>")}
		u.SetDict(1, d)
	})
	add(func(u *testpdf.Update) { u.Prev = 9; u.Set(4, testpdf.Stream("", pay9)) })
	add(func(u *testpdf.Update) {
		u.NoEOF = true
		u.Set(7, testpdf.Stream("/Subtype /Form /BBox [0 0 1 1]", ""))
	})
	add(func(u *testpdf.Update) {
		d := u.Dict(3)
		d["Resources"] = pdf.Dict{"Font": pdf.Dict{"F1": pdf.Ref{Num: u.Add("<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")}}}
		u.SetDict(3, d)
	})
	add(func(u *testpdf.Update) { u.Point(4, 15) })
	add(func(u *testpdf.Update) { u.XRefStmEntries = map[int]int64{4: 15} })
	out = append(out, []byte("\n4 0 obj\n<< /Length 5 >>\nstream\n0 0 m\nendstream\nendobj\n"), []byte("\r\n"))
	return out
}

// drawnDiffers compares what the first revision's pages draw (the signed
// file, base) with the final view of data, without the change analysis:
// page count, inherited geometry, content data and resources, resolved
// deeply. It returns what differs ("" for nothing, or when the final file
// cannot be read as a chain of sections).
func drawnDiffers(base, data []byte) string {
	sig, err := drawing(base, false)
	if err != nil {
		return ""
	}
	fin, err := drawing(data, true)
	if err != nil {
		return ""
	}
	if len(sig) != len(fin) {
		return fmt.Sprintf("%d pages, signed %d", len(fin), len(sig))
	}
	for i := range sig {
		if sig[i] != fin[i] {
			return fmt.Sprintf("page %d", i+1)
		}
	}
	return ""
}

// drawing returns a digest of what each page draws, in the last
// revision's view.
func drawing(b []byte, final bool) ([][32]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rd, err := pdf.Open(ctx, bytes.NewReader(b), int64(len(b)), pdf.Limits{})
	if err != nil {
		return nil, err
	}
	revs, err := rd.Revisions()
	if err != nil || len(revs) == 0 {
		return nil, fmt.Errorf("no revisions: %v", err)
	}
	v, err := rd.View(len(revs) - 1)
	if err != nil {
		return nil, err
	}
	if final && v.Broken != nil {
		return nil, v.Broken
	}
	var out [][32]byte
	budget := 20000
	var walk func(node pdf.Object, inherited pdf.Dict, depth int)
	walk = func(node pdf.Object, inherited pdf.Dict, depth int) {
		d := v.Dict(node)
		if d == nil || depth > 32 || len(out) > 1000 {
			return
		}
		attrs := inherited.Clone()
		for _, k := range []string{"Resources", "MediaBox", "CropBox", "Rotate"} {
			if x := d.Get(k); x != nil {
				attrs[pdf.Name(k)] = x
			}
		}
		if kids, ok := mustResolve(v, d.Get("Kids")).(pdf.Array); ok {
			for _, k := range kids {
				walk(k, attrs, depth+1)
			}
			return
		}
		h := sha256.New()
		var buf bytes.Buffer
		deep(v, attrs, &buf, 0, &budget)
		deep(v, d.Get("Contents"), &buf, 0, &budget)
		for k, x := range d {
			switch k {
			case "Annots", "Parent", "StructParents", "Tabs", "Type", "Resources", "MediaBox", "CropBox", "Rotate", "Contents":
			default:
				fmt.Fprintf(&buf, "/%s ", k)
				deep(v, x, &buf, 0, &budget)
			}
		}
		h.Write(buf.Bytes())
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		out = append(out, sum)
	}
	walk(v.Root().Get("Pages"), pdf.Dict{}, 0)
	return out, nil
}

// deep writes o with every reference resolved (streams as their
// dictionary and decoded data), within a node budget.
func deep(v *pdf.View, o pdf.Object, buf *bytes.Buffer, depth int, budget *int) {
	if *budget--; *budget < 0 || depth > 24 {
		buf.WriteString("…")
		return
	}
	switch x := o.(type) {
	case pdf.Ref:
		r, err := v.Get(x)
		if err != nil {
			buf.WriteString("!err")
			return
		}
		deep(v, r, buf, depth+1, budget)
	case pdf.Array:
		buf.WriteByte('[')
		for _, e := range x {
			deep(v, e, buf, depth+1, budget)
			buf.WriteByte(' ')
		}
		buf.WriteByte(']')
	case pdf.Dict:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, string(k))
		}
		sortStrings(keys)
		buf.WriteString("<<")
		for _, k := range keys {
			fmt.Fprintf(buf, "/%s ", k)
			deep(v, x[pdf.Name(k)], buf, depth+1, budget)
		}
		buf.WriteString(">>")
	case *pdf.Stream:
		deep(v, x.Dict, buf, depth+1, budget)
		data, err := v.Decode(x)
		if err != nil {
			buf.WriteString("!undecodable")
			return
		}
		fmt.Fprintf(buf, "stream %x", sha256.Sum256(data))
	default:
		pdf.Canonical(buf, o, 0)
	}
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// TestDrawnDiffers: the fuzz oracle sees a replaced content stream and a
// remapped font, not a filled field.
func TestDrawnDiffers(t *testing.T) {
	base := mustRead(t, signedBase)
	seeds := changeSeeds(base)
	for i, want := range []bool{true, true, false, false, false} {
		got := drawnDiffers(base, append(append([]byte{}, base...), seeds[i]...)) != ""
		if got != want {
			t.Errorf("seed %d: differs = %v, want %v", i, got, want)
		}
	}
}
