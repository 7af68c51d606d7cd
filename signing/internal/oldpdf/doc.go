package oldpdf

import (
	"fmt"
)

// Catalog returns the document catalog and its reference.
func (f *File) Catalog() (Dict, Ref, error) {
	ref, _ := f.Trailer["Root"].(Ref)
	d, err := f.ResolveDict(ref)
	if err != nil {
		return nil, ref, fmt.Errorf("failed to read catalog: %w", err)
	}
	if d == nil {
		return nil, ref, fmt.Errorf("catalog %v is not a dictionary: %w", ref, ErrSyntax)
	}
	return d, ref, nil
}

// Encrypted reports whether the trailer names an /Encrypt dictionary.
func (f *File) Encrypted() bool {
	_, ok := f.Trailer["Encrypt"]
	return ok
}

// PageCount returns the page tree's /Count.
func (f *File) PageCount() (int, error) {
	cat, _, err := f.Catalog()
	if err != nil {
		return 0, err
	}
	root, err := f.ResolveDict(cat["Pages"])
	if err != nil || root == nil {
		return 0, fmt.Errorf("failed to read page tree: %w", ErrSyntax)
	}
	n, _ := root.Int("Count")
	return int(n), nil
}

// Page returns the reference and dictionary of page n (1-based), walking
// only the path from the root to that page.
func (f *File) Page(n int) (Ref, Dict, error) {
	cat, _, err := f.Catalog()
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
		d, err := f.ResolveDict(ref)
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
		ko, err := f.Resolve(kids)
		if err != nil {
			return Ref{}, nil, err
		}
		arr, _ := ko.(Array)
		found := false
		for _, k := range arr {
			kd, err := f.ResolveDict(k)
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
	Type     Name // inherited /FT
}

// Fields walks the AcroForm field tree (bounded) and returns its terminal
// fields. Widgets merged with their field count as the field itself.
func (f *File) Fields(acro Dict) ([]Field, error) {
	if acro == nil {
		return nil, nil
	}
	fo, err := f.Resolve(acro["Fields"])
	if err != nil {
		return nil, err
	}
	arr, _ := fo.(Array)
	var out []Field
	seen := map[Ref]bool{}
	var walk func(o Object, parent string, ft Name, depth int) error
	walk = func(o Object, parent string, ft Name, depth int) error {
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
		d, err := f.ResolveDict(o)
		if err != nil || d == nil {
			return err
		}
		name := parent
		if t, ok := d["T"].(String); ok {
			if name != "" {
				name += "."
			}
			name += DecodeText(t.Value)
		}
		if t := d.Name("FT"); t != "" {
			ft = t
		}
		kids, _ := f.Resolve(d["Kids"])
		ka, _ := kids.(Array)
		hasFieldKids := false
		for _, k := range ka {
			kd, err := f.ResolveDict(k)
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

// DecodeText decodes a PDF text string (UTF-16BE with BOM, UTF-8 with BOM
// or PDFDocEncoding treated as Latin-1).
func DecodeText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		b = b[2:]
		rs := make([]rune, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u := rune(b[i])<<8 | rune(b[i+1])
			if u >= 0xd800 && u < 0xdc00 && i+3 < len(b) {
				l := rune(b[i+2])<<8 | rune(b[i+3])
				u = 0x10000 + (u-0xd800)<<10 + (l - 0xdc00)
				i += 2
			}
			rs = append(rs, u)
		}
		return string(rs)
	}
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return string(b[3:])
	}
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}
