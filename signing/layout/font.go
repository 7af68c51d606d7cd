package layout

import (
	"strings"

	"github.com/vanthu/vanthu/signing/pdf"
)

// font is what the interpreter needs of a font resource.
type font struct {
	name    string
	italic  bool
	bold    bool
	simple  bool  // one byte per code
	enc     *cmap // Type0: the encoding CMap (codespace, CIDs); nil = Identity (2 bytes)
	toUni   *cmap // ToUnicode, nil if none
	simpEnc [256]string
	widths  map[uint32]float64 // code (simple) or CID (Type0) → width in glyph units
	dw      float64            // default width
	scale   float64            // glyph units → text space (0.001, or Type3 FontMatrix)
	type3   bool
}

const maxWidths = 1 << 16

func num(o pdf.Object) (float64, bool) {
	switch v := o.(type) {
	case pdf.Integer:
		return float64(v), true
	case pdf.Real:
		return float64(v), true
	}
	return 0, false
}

// stripSubset removes a subset tag ("ABCDEF+Times-Roman").
func stripSubset(n string) string {
	if len(n) > 7 && n[6] == '+' {
		return n[7:]
	}
	return n
}

// loadFont reads a font dictionary. It never fails: what cannot be read
// falls back to defaults (1-byte codes, Latin-1 text, 0.5 em widths).
func (x *extractor) loadFont(o pdf.Object) *font {
	if r, ok := o.(pdf.Ref); ok {
		if f, ok := x.fonts[r]; ok {
			return f
		}
		f := x.readFont(o)
		if len(x.fonts) < 4096 {
			x.fonts[r] = f
		}
		return f
	}
	return x.readFont(o)
}

func (x *extractor) readFont(o pdf.Object) *font {
	f := &font{simple: true, dw: 500, scale: 0.001, widths: map[uint32]float64{}}
	f.simpEnc = baseEncoding("WinAnsiEncoding")
	d, err := x.f.ResolveDict(o)
	if err != nil || d == nil {
		return f
	}
	f.name = stripSubset(string(d.Name("BaseFont")))
	lname := strings.ToLower(f.name)
	f.italic = strings.Contains(lname, "italic") || strings.Contains(lname, "oblique")
	f.bold = strings.Contains(lname, "bold")
	sub := d.Name("Subtype")
	if tu, err := x.f.Resolve(d["ToUnicode"]); err == nil {
		if s, ok := tu.(*pdf.Stream); ok {
			if data, err := x.streamData(s); err == nil {
				f.toUni = parseCMap(data)
			}
		}
	}
	descr := d
	if sub == "Type0" {
		f.simple = false
		f.dw = 1000
		if da, err := x.f.Resolve(d["DescendantFonts"]); err == nil {
			if arr, ok := da.(pdf.Array); ok && len(arr) > 0 {
				if cd, err := x.f.ResolveDict(arr[0]); err == nil && cd != nil {
					descr = cd
					if v, ok := num(cd["DW"]); ok {
						f.dw = v
					}
					x.readCIDWidths(f, cd["W"])
				}
			}
		}
		switch e := d["Encoding"].(type) {
		case pdf.Name:
			// Identity-H/V and the predefined 2-byte CMaps: 2-byte codes,
			// CID = code for Identity (others have no width mapping here).
		default:
			if s, err := x.f.Resolve(e); err == nil {
				if st, ok := s.(*pdf.Stream); ok {
					if data, err := x.streamData(st); err == nil {
						f.enc = parseCMap(data)
						if len(f.enc.spaces) == 0 {
							f.enc.spaces = []codespace{{n: 2, lo: 0, hi: 0xffff}}
						}
					}
				}
			}
		}
	} else {
		if sub == "Type3" {
			f.type3 = true
			if m, err := x.f.Resolve(d["FontMatrix"]); err == nil {
				if arr, ok := m.(pdf.Array); ok && len(arr) == 6 {
					if v, ok := num(arr[0]); ok && v != 0 {
						f.scale = v
					}
				}
			}
			f.dw = 0
		}
		first, _ := num(d["FirstChar"])
		if w, err := x.f.Resolve(d["Widths"]); err == nil {
			if arr, ok := w.(pdf.Array); ok {
				for i, e := range arr {
					if i >= 256 {
						break
					}
					if v, ok := num(e); ok {
						f.widths[uint32(int(first)+i)] = v
					} else if v, err := x.f.Resolve(e); err == nil {
						if n, ok := num(v); ok {
							f.widths[uint32(int(first)+i)] = n
						}
					}
				}
			}
		}
		x.readSimpleEncoding(f, d["Encoding"])
	}
	if fd, err := x.f.ResolveDict(descr["FontDescriptor"]); err == nil && fd != nil {
		if fl, ok := fd.Int("Flags"); ok && fl&64 != 0 {
			f.italic = true
		}
		if a, ok := num(fd["ItalicAngle"]); ok && a != 0 {
			f.italic = true
		}
		if mw, ok := num(fd["MissingWidth"]); ok && mw > 0 && f.simple {
			f.dw = mw
		}
		if strings.Contains(strings.ToLower(string(fd.Name("FontName"))), "bold") {
			f.bold = true
		}
	}
	return f
}

func (x *extractor) readSimpleEncoding(f *font, e pdf.Object) {
	o, err := x.f.Resolve(e)
	if err != nil {
		return
	}
	switch v := o.(type) {
	case pdf.Name:
		f.simpEnc = baseEncoding(string(v))
	case pdf.Dict:
		if b := v.Name("BaseEncoding"); b != "" {
			f.simpEnc = baseEncoding(string(b))
		}
		diffs, err := x.f.Resolve(v["Differences"])
		if err != nil {
			return
		}
		arr, _ := diffs.(pdf.Array)
		code := -1
		for _, d := range arr {
			switch t := d.(type) {
			case pdf.Integer:
				code = int(t)
			case pdf.Name:
				if code >= 0 && code < 256 {
					if s, ok := glyphText(string(t)); ok {
						f.simpEnc[code] = s
					} else {
						f.simpEnc[code] = ""
					}
				}
				code++
			}
		}
	}
}

// readCIDWidths reads a CIDFont's /W array.
func (x *extractor) readCIDWidths(f *font, o pdf.Object) {
	wo, err := x.f.Resolve(o)
	if err != nil {
		return
	}
	arr, _ := wo.(pdf.Array)
	for i := 0; i < len(arr) && len(f.widths) < maxWidths; {
		c1, ok := num(arr[i])
		if !ok || i+1 >= len(arr) {
			return
		}
		next, _ := x.f.Resolve(arr[i+1])
		if list, ok := next.(pdf.Array); ok {
			for k, w := range list {
				if v, ok := num(w); ok && len(f.widths) < maxWidths {
					f.widths[uint32(int(c1)+k)] = v
				}
			}
			i += 2
			continue
		}
		if i+2 >= len(arr) {
			return
		}
		c2, ok1 := num(arr[i+1])
		w, ok2 := num(arr[i+2])
		if !ok1 || !ok2 || c2 < c1 {
			return
		}
		for c := c1; c <= c2 && len(f.widths) < maxWidths; c++ {
			f.widths[uint32(c)] = w
		}
		i += 3
	}
}

// decode splits a shown string into codes; for each it returns the code,
// its byte length, its text and its width in text space units (per unit
// of font size).
func (f *font) each(s []byte, fn func(code uint32, n int, text string, w float64)) {
	for i := 0; i < len(s); {
		n := 1
		if !f.simple {
			if f.enc != nil {
				n = f.enc.codeLen(s[i:])
			} else {
				n = 2
			}
		}
		if i+n > len(s) {
			n = len(s) - i
		}
		code := bytesToCode(s[i : i+n])
		i += n
		var text string
		known := false
		if f.toUni != nil {
			text, known = f.toUni.uni[code]
		}
		if !known && f.simple && code < 256 {
			text = f.simpEnc[code]
		}
		wkey := code
		if !f.simple && f.enc != nil {
			wkey = f.enc.cidOf(code)
		}
		w, ok := f.widths[wkey]
		if !ok {
			w = f.dw
		}
		fn(code, n, text, w*f.scale)
	}
}
