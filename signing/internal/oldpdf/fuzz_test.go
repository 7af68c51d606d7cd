package oldpdf

import (
	"bytes"
	"testing"
)

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

// FuzzXrefOpen: opening arbitrary bytes as a PDF and walking what the
// signer reads (catalog, page tree, form fields) never panics or loops,
// and when it works an incremental update built on it re-opens with the
// new objects reachable.
func FuzzXrefOpen(f *testing.F) {
	for _, s := range seedPDFs() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		cat, root, err := pf.Catalog()
		if err != nil {
			return
		}
		_, _ = pf.PageCount()
		_, _, _ = pf.Page(1)
		acro, _ := pf.ResolveDict(cat["AcroForm"])
		_, _ = pf.Fields(acro)
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
		all := append(bytes.Clone(b), bu.Bytes...)
		pf2, err := Open(bytes.NewReader(all), int64(len(all)))
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
		b.WriteString(pad10(o) + " 00000 n \n")
	}
	b.WriteString("trailer\n<</Size 4 /Root 1 0 R>>\nstartxref\n" + itoa(x) + "\n%%EOF\n")
	out := [][]byte{b.Bytes()}
	// Same objects with a cross-reference stream.
	var s bytes.Buffer
	s.WriteString(classic)
	xs := s.Len()
	data := []byte{0, 0, 0, 0xff, 1, 0, 9, 0, 1, byte(offs[1] >> 8), byte(offs[1]), 0, 1, byte(offs[2] >> 8), byte(offs[2]), 0, 1, byte(xs >> 8), byte(xs), 0}
	s.WriteString("4 0 obj\n<</Type /XRef /Size 5 /W [1 2 1] /Root 1 0 R /Length " + itoa(len(data)) + ">>\nstream\n")
	s.Write(data)
	s.WriteString("\nendstream\nendobj\nstartxref\n" + itoa(xs) + "\n%%EOF\n")
	out = append(out, s.Bytes())
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	return string(d)
}

func pad10(n int) string {
	s := itoa(n)
	for len(s) < 10 {
		s = "0" + s
	}
	return s
}

// TestSeedPDFsOpen makes sure the seeds are valid (so fuzzing starts from
// files that exercise the update path).
func TestSeedPDFsOpen(t *testing.T) {
	for i, s := range seedPDFs() {
		pf, err := Open(bytes.NewReader(s), int64(len(s)))
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if _, _, err := pf.Page(1); err != nil {
			t.Fatalf("seed %d page: %v", i, err)
		}
	}
}
