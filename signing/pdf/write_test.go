package pdf

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"
	"unicode/utf8"
)

// TestFormatRealRoundTrip: numbers read from a file are written back as
// the same number (LibreOffice writes MediaBox values with 15 digits);
// computed ones get at most 4 decimals when that is exact.
func TestFormatRealRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{595.303937007874, "595.303937007874"},
		{841.889763779528, "841.889763779528"},
		{595.28, "595.28"},
		{12, "12"},
		{-0.5, "-0.5"},
		{0.00001, "0.00001"},
		{1.0 / 3, "0.3333333333333333"},
	} {
		got := FormatReal(c.in)
		if got != c.want {
			t.Errorf("FormatReal(%v) = %q, want %q", c.in, got, c.want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != c.in {
			t.Errorf("FormatReal(%v) = %q reads back as %v", c.in, got, back)
		}
	}
}

// TestSerializeStrings: any bytes come back as they were written, and
// text strings carry Vietnamese as UTF-16.
func TestSerializeStrings(t *testing.T) {
	for _, s := range []string{"plain", "a (b) c \\ d", "unbalanced ((( )", "see /Contents <00>", "\x00\xff\r\n", "Nguyễn Văn Ánh"} {
		var b bytes.Buffer
		Serialize(&b, Dict{"S": String(s), "T": TextString(s)})
		o, err := ParseObject(b.Bytes())
		if err != nil {
			t.Fatalf("%q: %v (%s)", s, err, b.Bytes())
		}
		d := o.(Dict)
		if string(d["S"].(String)) != s || (utf8.ValidString(s) && DecodeText(d["T"].(String)) != s) {
			t.Fatalf("%q came back as %q / %q", s, d["S"], DecodeText(d["T"].(String)))
		}
	}
}

// FuzzParseObject: the object parser never panics, and what it parses
// serializes to syntax that parses back to the same serialization (the
// writer relies on Serialize of parsed dictionaries).
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		"<</Type /Page /Kids [1 0 R 2 0 R] /Count 2>>",
		"(a \\(nested\\) string\\n\\101) ",
		"<48656C6C6F>", "[1 2.5 -3 +4 .5 true false null /N#20ame]",
		"<</A <</B [<</C (x)>>]>>>>", "12 0 R", "1 0", "/",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseObject(b)
		if err != nil {
			return
		}
		var s1 bytes.Buffer
		Serialize(&s1, o)
		o2, err := ParseObject(s1.Bytes())
		if err != nil {
			t.Fatalf("re-parse of %q failed: %v", s1.Bytes(), err)
		}
		var s2 bytes.Buffer
		Serialize(&s2, o2)
		if !bytes.Equal(s1.Bytes(), s2.Bytes()) {
			t.Fatalf("round trip differs:\n%q\n%q", s1.Bytes(), s2.Bytes())
		}
	})
}

// FuzzUpdate: opening arbitrary bytes and walking what the signer reads
// (catalog, page tree, form fields) never panics or loops, and when it
// works an incremental update built on it re-opens with the new objects
// reachable.
func FuzzUpdate(f *testing.F) {
	for _, s := range seedPDFs() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := OpenFinal(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		cat, root, err := pf.Catalog()
		if err != nil || root.IsZero() {
			return
		}
		_, _ = pf.PageCount()
		_, _, _ = pf.Page(1)
		acro, _ := pf.ResolveDict(cat["AcroForm"])
		_, _ = pf.Fields(acro)
		all := withMarker(t, b, pf, cat, root)
		pf2, err := OpenFinal(context.Background(), bytes.NewReader(all), int64(len(all)))
		if err != nil {
			t.Fatalf("re-open after update: %v", err)
		}
		cat2, _, err := pf2.Catalog()
		if err != nil {
			t.Fatalf("catalog after update: %v", err)
		}
		m, err := pf2.ResolveDict(cat2["VanthuMarker"])
		if err != nil || m == nil || m.Name("Marker") != "vanthu" {
			t.Fatalf("new object unreachable: %v %v", m, err)
		}
	})
}

// withMarker appends to b (whose final view is pf) an update that adds a
// marker object to the catalog.
func withMarker(t *testing.T, b []byte, pf *View, cat Dict, root Ref) []byte {
	t.Helper()
	u := NewUpdate(pf)
	r := u.Alloc()
	u.Set(r, Dict{"Marker": Name("vanthu")})
	nc := cat.Clone()
	nc["VanthuMarker"] = r
	u.Set(root, nc)
	bu, err := u.Build()
	if err != nil {
		t.Fatal(err)
	}
	return append(bytes.Clone(b), bu.Bytes...)
}

// seedPDFs are small files of every cross-reference shape.
func seedPDFs() [][]byte {
	classic := "%PDF-1.4\n1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type /Pages /Kids [3 0 R] /Count 1>>\nendobj\n3 0 obj\n<</Type /Page /Parent 2 0 R /MediaBox [0 0 10 10]>>\nendobj\n"
	var b bytes.Buffer
	b.WriteString(classic)
	offs := []int{9, 0, 0}
	offs[1] = bytes.Index(b.Bytes(), []byte("2 0 obj"))
	offs[2] = bytes.Index(b.Bytes(), []byte("3 0 obj"))
	x := b.Len()
	b.WriteString("xref\n0 4\n0000000000 65535 f \n")
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size 4 /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", x)
	out := [][]byte{b.Bytes()}
	// Same objects with a cross-reference stream.
	var s bytes.Buffer
	s.WriteString(classic)
	xs := s.Len()
	data := []byte{0, 0, 0, 0xff, 1, 0, 9, 0, 1, byte(offs[1] >> 8), byte(offs[1]), 0, 1, byte(offs[2] >> 8), byte(offs[2]), 0, 1, byte(xs >> 8), byte(xs), 0}
	fmt.Fprintf(&s, "4 0 obj\n<</Type /XRef /Size 5 /W [1 2 1] /Root 1 0 R /Length %d>>\nstream\n", len(data))
	s.Write(data)
	fmt.Fprintf(&s, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xs)
	out = append(out, s.Bytes())
	return out
}

// TestUpdateReopens: an update on each seed (and on a file with bytes
// before its header) re-opens with the new object, and its offsets are in
// the file's own convention.
func TestUpdateReopens(t *testing.T) {
	seeds := seedPDFs()
	seeds = append(seeds, append([]byte("JUNK BEFORE\n"), seeds[0]...))
	for i, s := range seeds {
		pf, err := OpenFinal(context.Background(), bytes.NewReader(s), int64(len(s)))
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if _, _, err := pf.Page(1); err != nil {
			t.Fatalf("seed %d page: %v", i, err)
		}
		cat, root, _ := pf.Catalog()
		rd := open(t, withMarker(t, s, pf, cat, root))
		revisions(t, rd, 2)
		v := view(t, rd, 1)
		if m := v.Dict(v.Root().Get("VanthuMarker")); m.Name("Marker") != "vanthu" || v.Broken != nil {
			t.Fatalf("seed %d: marker %v, broken %v", i, m, v.Broken)
		}
		if v.Sections[0].Stream != pf.Sections[0].Stream {
			t.Fatalf("seed %d: cross-reference kind changed", i)
		}
	}
}
