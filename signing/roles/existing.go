package roles

import (
	"math"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pdf"
)

// existingSig is a signature field found in the document.
type existingSig struct {
	Field   string
	Role    Role // from vanthu's field name; "" for other names
	Signed  bool
	Widgets []widget // visible widgets
}

type widget struct {
	Page int
	Rect appearance.Rect
}

func (e existingSig) visible() bool { return len(e.Widgets) > 0 }

// inspectFields lists the document's signature fields with their visible
// widgets.
func inspectFields(f *pdf.View) ([]existingSig, error) {
	cat, _, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	acro, err := f.ResolveDict(cat["AcroForm"])
	if err != nil {
		return nil, err
	}
	fields, err := f.Fields(acro)
	if err != nil {
		return nil, err
	}
	pageNo := map[pdf.Ref]int{}
	pagesKnown := false
	pageOf := func(o pdf.Object) int {
		ref, ok := o.(pdf.Ref)
		if !ok {
			return 0
		}
		if !pagesKnown {
			pagesKnown = true
			n, _ := f.PageCount()
			for i := 1; i <= n && i <= 5000; i++ {
				if r, _, err := f.Page(i); err == nil {
					pageNo[r] = i
				}
			}
		}
		return pageNo[ref]
	}
	var out []existingSig
	for _, fl := range fields {
		if fl.Type != "Sig" {
			continue
		}
		e := existingSig{Field: fl.FullName, Role: roleOfField(fl.FullName)}
		if v, err := f.ResolveDict(fl.Dict["V"]); err == nil && v != nil {
			e.Signed = true
		}
		widgets := []pdf.Dict{}
		if fl.Dict.Name("Subtype") == "Widget" {
			widgets = append(widgets, fl.Dict)
		}
		if k, err := f.Resolve(fl.Dict["Kids"]); err == nil {
			arr, _ := k.(pdf.Array)
			for i, kid := range arr {
				if i >= 64 {
					break
				}
				if kd, err := f.ResolveDict(kid); err == nil && kd != nil && kd.Name("Subtype") == "Widget" {
					widgets = append(widgets, kd)
				}
			}
		}
		for _, w := range widgets {
			r, ok := rectOf(f, w["Rect"])
			if !ok || r.W < 1 || r.H < 1 {
				continue
			}
			if fl, ok := w.Int("F"); ok && fl&(1|2|32) != 0 { // invisible, hidden, no view
				continue
			}
			e.Widgets = append(e.Widgets, widget{Page: pageOf(w["P"]), Rect: r})
		}
		out = append(out, e)
	}
	return out, nil
}

func rectOf(f *pdf.View, o pdf.Object) (appearance.Rect, bool) {
	v, err := f.Resolve(o)
	if err != nil {
		return appearance.Rect{}, false
	}
	arr, ok := v.(pdf.Array)
	if !ok || len(arr) != 4 {
		return appearance.Rect{}, false
	}
	var n [4]float64
	for i, e := range arr {
		switch x := e.(type) {
		case pdf.Integer:
			n[i] = float64(x)
		case pdf.Real:
			n[i] = float64(x)
		default:
			return appearance.Rect{}, false
		}
	}
	x0, x1 := math.Min(n[0], n[2]), math.Max(n[0], n[2])
	y0, y1 := math.Min(n[1], n[3]), math.Max(n[1], n[3])
	return appearance.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}, true
}
