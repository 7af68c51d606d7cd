package pdf

import "fmt"

// Catalog returns the document catalog and its reference.
func (v *View) Catalog() (Dict, Ref, error) {
	ref, _ := v.Trailer["Root"].(Ref)
	d, err := v.ResolveDict(ref)
	if err != nil {
		return nil, ref, fmt.Errorf("failed to read catalog: %w", err)
	}
	if d == nil {
		return nil, ref, fmt.Errorf("catalog %v is not a dictionary: %w", ref, ErrSyntax)
	}
	return d, ref, nil
}

// PageCount returns the page tree's /Count.
func (v *View) PageCount() (int, error) {
	cat, _, err := v.Catalog()
	if err != nil {
		return 0, err
	}
	root, err := v.ResolveDict(cat["Pages"])
	if err != nil || root == nil {
		return 0, fmt.Errorf("failed to read page tree: %w", ErrSyntax)
	}
	n, _ := root.Int("Count")
	return int(n), nil
}

// Page returns the reference and dictionary of page n (1-based), walking
// only the path from the root to that page.
func (v *View) Page(n int) (Ref, Dict, error) {
	cat, _, err := v.Catalog()
	if err != nil {
		return Ref{}, nil, err
	}
	node := cat["Pages"]
	want := n - 1
	if want < 0 {
		return Ref{}, nil, fmt.Errorf("page %d: %w", n, ErrNotFound)
	}
	seen := map[Ref]bool{}
	for steps := 0; steps < 1<<16; steps++ {
		ref, ok := node.(Ref)
		if !ok {
			return Ref{}, nil, fmt.Errorf("page tree node is not a reference: %w", ErrSyntax)
		}
		if seen[ref] {
			return Ref{}, nil, fmt.Errorf("page tree loops: %w", ErrSyntax)
		}
		seen[ref] = true
		d, err := v.ResolveDict(ref)
		if err != nil {
			return Ref{}, nil, err
		}
		if d == nil {
			return Ref{}, nil, fmt.Errorf("page tree node %v: %w", ref, ErrSyntax)
		}
		kids, isNode := d["Kids"]
		if !isNode || d.Name("Type") == "Page" {
			if want == 0 {
				return ref, d, nil
			}
			return Ref{}, nil, fmt.Errorf("page %d: %w", n, ErrNotFound)
		}
		ko, err := v.Resolve(kids)
		if err != nil {
			return Ref{}, nil, err
		}
		arr, _ := ko.(Array)
		found := false
		for _, k := range arr {
			kd, err := v.ResolveDict(k)
			if err != nil {
				return Ref{}, nil, err
			}
			if kd == nil {
				continue
			}
			cnt := int64(1)
			if _, ok := kd["Kids"]; ok && kd.Name("Type") != "Page" {
				cnt, _ = kd.Int("Count")
			}
			if int64(want) < cnt {
				node = k
				found = true
				break
			}
			want -= int(cnt)
		}
		if !found {
			return Ref{}, nil, fmt.Errorf("page %d: %w", n, ErrNotFound)
		}
	}
	return Ref{}, nil, fmt.Errorf("page tree too deep: %w", ErrSyntax)
}

// Field is one terminal form field found by Fields.
type Field struct {
	Ref      Ref
	Dict     Dict
	FullName string
	Type     string // inherited /FT
}

// Fields walks the AcroForm field tree (bounded) and returns its terminal
// fields. Widgets merged with their field count as the field itself.
func (v *View) Fields(acro Dict) ([]Field, error) {
	if acro == nil {
		return nil, nil
	}
	fo, err := v.Resolve(acro["Fields"])
	if err != nil {
		return nil, err
	}
	arr, _ := fo.(Array)
	var out []Field
	seen := map[Ref]bool{}
	var walk func(o Object, parent string, ft string, depth int) error
	walk = func(o Object, parent string, ft string, depth int) error {
		if depth > 32 || len(seen) > 100000 {
			return fmt.Errorf("form field tree too deep: %w", ErrSyntax)
		}
		ref, _ := o.(Ref)
		if !ref.IsZero() {
			if seen[ref] {
				return nil
			}
			seen[ref] = true
		}
		d, err := v.ResolveDict(o)
		if err != nil || d == nil {
			return err
		}
		name := parent
		if t, ok := d["T"].(String); ok {
			if name != "" {
				name += "."
			}
			name += DecodeText(t)
		}
		if t := d.Name("FT"); t != "" {
			ft = t
		}
		kids, _ := v.Resolve(d["Kids"])
		ka, _ := kids.(Array)
		hasFieldKids := false
		for _, k := range ka {
			kd, err := v.ResolveDict(k)
			if err == nil && kd != nil {
				if _, ok := kd["T"]; ok {
					hasFieldKids = true
				}
			}
		}
		if hasFieldKids {
			for _, k := range ka {
				if err := walk(k, name, ft, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		out = append(out, Field{Ref: ref, Dict: d, FullName: name, Type: ft})
		return nil
	}
	for _, o := range arr {
		if err := walk(o, "", "", 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}
