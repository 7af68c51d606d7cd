package pades

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// TestExtraWidgets: a signature whose field has three widgets in /Kids
// (the visible appearance on page 2, two more on page 1), signed after an
// approval signature. Validators accept it, each page lists its widgets,
// and the project's verifier sees only allowed changes after the first
// signature.
func TestExtraWidgets(t *testing.T) {
	p := sharedPKI(t)
	first, _ := signBytes(t, simplePDF("1.7", 2, true), optsFor(p.Leader))

	box := func(page int, x, y float64) *appearance.Appearance {
		return &appearance.Appearance{Page: page, Rect: appearance.Rect{X: x, Y: y, W: 120, H: 20},
			Content: []byte("BT 0 g /F1 10 Tf 2 6 Td (So: 123/UBND-VP) Tj ET"),
			Fonts:   map[string]*appearance.Font{"F1": {BaseFont: "Times-Roman"}}}
	}
	o := optsFor(p.Org)
	o.FieldName = "Issue1"
	o.Visible = box(2, 300, 100)
	o.Widgets = []*appearance.Appearance{box(1, 60, 700), box(1, 300, 700)}
	out := filepath.Join(t.TempDir(), "issued.pdf")
	if _, err := SignFile(context.Background(), first, out, o); err != nil {
		t.Fatal(err)
	}
	checkAll(t, out, 2)

	f := openOut(t, out)
	fl, ok := fieldNames(t, f)["Issue1"]
	if !ok {
		t.Fatal("no Issue1 field")
	}
	kids, _ := f.Resolve(fl.Dict["Kids"])
	arr, _ := kids.(pdf.Array)
	if len(arr) != 3 || fl.Dict["V"] == nil || fl.Dict["Subtype"] != nil {
		t.Fatalf("field: %v", fl.Dict)
	}
	for _, k := range arr {
		kd, _ := f.ResolveDict(k)
		if kd.Name("Subtype") != "Widget" || kd["AP"] == nil || kd["Parent"] != nil || kd["T"] != nil {
			t.Fatalf("kid widget: %v", kd)
		}
	}
	for page, want := range map[int]int{1: 4, 2: 1} { // page 1 also has the text field and the first signature
		_, pd, err := f.Page(page)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := f.Resolve(pd["Annots"])
		if arr, _ := a.(pdf.Array); len(arr) != want {
			t.Fatalf("page %d: %d annotations, want %d", page, len(arr), want)
		}
	}

	ts := trust.New()
	ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
	res, err := verify.VerifyFile(context.Background(), out, verify.Options{Trust: ts, Online: true})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.MarshalIndent(res, "", "  ")
	if res.Status != verify.StatusValid || len(res.Signatures) != 2 || res.Signatures[0].ModifiedAfter == verify.ModDisallowed {
		t.Fatalf("verifier: %s", j)
	}

	// Extra widgets cannot fill an existing empty field.
	o.FieldName = "ChuyenVien"
	if _, err := SignFile(context.Background(), writeTemp(t, "f.pdf", formWithSigFields("")), filepath.Join(t.TempDir(), "x.pdf"), o); err == nil {
		t.Fatal("extra widgets on an existing field were accepted")
	}
	// A widget on a page that does not exist.
	o.FieldName = ""
	o.Widgets = []*appearance.Appearance{box(7, 10, 10)}
	var pe *PageError
	if _, err := SignFile(context.Background(), first, filepath.Join(t.TempDir(), "y.pdf"), o); err == nil || !asPageError(err, &pe) || pe.Page != 7 {
		t.Fatalf("widget on page 7: %v", err)
	}
}

func asPageError(err error, pe **PageError) bool {
	e, ok := err.(*PageError)
	if ok {
		*pe = e
	}
	return ok
}
