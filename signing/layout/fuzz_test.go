package layout

import (
	"bytes"
	"context"
	"testing"

	"github.com/vanthu/vanthu/signing/pdf"
)

// FuzzContent interprets arbitrary content streams with the fonts of the
// operator test page (a simple font, a Type0 font with a ToUnicode CMap,
// a /Differences font, forms and images): no panic, bounded work.
func FuzzContent(f *testing.F) {
	for _, s := range []string{
		"BT /F1 10 Tf 100 700 Td (Hello) Tj ET",
		"BT /F2 12 Tf 1 0 0 1 100 350 Tm <010101020103> Tj [<0105> -300 <0106>] TJ ET",
		"BT /F3 10 Tf 12 TL (ABC) ' 1 2 (DEF) \" T* ET",
		"q 2 0 0 2 0 0 cm /Fm1 Do Q /Loop Do BI /W 1 /H 1 ID \x00 EI",
		"[[[[(x)]]]] TJ << /A [1 2] >> BDC EMC",
	} {
		f.Add([]byte(s))
	}
	base := onePage("")
	file, err := pdf.OpenFinal(context.Background(), bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	_, pd, err := file.Page(1)
	if err != nil {
		f.Fatal(err)
	}
	doc := &Doc{f: file, opts: Options{MaxOps: 200000, MaxGlyphs: 20000, MaxContentBytes: 1 << 20}.withDefaults()}
	res, _ := file.ResolveDict(doc.inherited(pd, "Resources"))
	f.Fuzz(func(t *testing.T, content []byte) {
		x := &extractor{ctx: context.Background(), f: file, opts: doc.opts, fonts: map[pdf.Ref]*font{}, forms: map[pdf.Ref]bool{}}
		_ = x.run(content, res, identity, 0)
		lines := buildLines(x.glyphs)
		if len(x.glyphs) > doc.opts.MaxGlyphs {
			t.Fatalf("%d glyphs", len(x.glyphs))
		}
		for _, l := range lines {
			if l.Text == "" || len(l.Words) == 0 {
				t.Fatalf("empty line %+v", l)
			}
		}
	})
}

// FuzzCMap parses arbitrary CMaps and decodes with them.
func FuzzCMap(f *testing.F) {
	f.Add([]byte("1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0101> <0110> <0102> <1EAF> endbfchar 1 beginbfrange <0103> <0104> <006B> endbfrange"))
	f.Add([]byte("1 beginbfrange <00> <FF> [<0041> <0042>] endbfrange 1 begincidrange <8140> <817F> 100 endcidrange"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := parseCMap(data)
		fo := &font{simple: false, enc: m, toUni: m, widths: map[uint32]float64{}, dw: 1000, scale: 0.001}
		n := 0
		fo.each(data, func(code uint32, k int, text string, w float64) {
			if k < 1 || k > 4 {
				t.Fatalf("code length %d", k)
			}
			n++
		})
		if n > len(data) {
			t.Fatalf("%d codes from %d bytes", n, len(data))
		}
	})
}
