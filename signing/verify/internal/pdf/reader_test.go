package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"testing"
)

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w := zlib.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// buildXrefStreamPDF writes objects 1 (catalog, in an object stream), 2 (the
// object stream) and 3 (the xref stream, PNG Up predictor).
func buildXrefStreamPDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	objstm := "1 0 << /Type /Catalog /Name (caf\\351) /Arr [1 2.5 -3 true null /N#20x <414243>] >>"
	data := deflate([]byte(objstm))
	off2 := b.Len()
	fmt.Fprintf(&b, "2 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length %d /Filter /FlateDecode >>\nstream\n", len(data))
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
	off3 := b.Len()
	rows := [][]byte{
		{0, 0, 0, 0xff},
		{2, 0, 2, 0},
		{1, byte(off2 >> 8), byte(off2), 0},
		{1, byte(off3 >> 8), byte(off3), 0},
	}
	var raw []byte
	prev := make([]byte, 4)
	for _, r := range rows {
		raw = append(raw, 2) // Up
		for i := range r {
			raw = append(raw, r[i]-prev[i])
		}
		prev = r
	}
	xs := deflate(raw)
	fmt.Fprintf(&b, "3 0 obj\n<< /Type /XRef /Size 4 /W [1 2 1] /Root 1 0 R /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >> /Length %d >>\nstream\n", len(xs))
	b.Write(xs)
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", off3)
	return b.Bytes()
}

func TestXrefStreamAndObjectStream(t *testing.T) {
	data := buildXrefStreamPDF()
	r := NewReader(context.Background(), bytes.NewReader(data), int64(len(data)))
	revs, err := r.Revisions()
	if err != nil || len(revs) != 1 {
		t.Fatalf("revisions %v %v", revs, err)
	}
	v, err := r.ViewAt(revs[0].StartXref)
	if err != nil {
		t.Fatal(err)
	}
	root := v.Root()
	if root == nil || root.Name("Type") != "Catalog" {
		t.Fatalf("root %v", root)
	}
	if s, _ := root.Get("Name").(String); string(s) != "caf\xe9" {
		t.Errorf("literal string %q", s)
	}
	arr, _ := root.Get("Arr").(Array)
	if len(arr) != 7 || arr[0] != int64(1) || arr[1] != 2.5 || arr[2] != int64(-3) || arr[3] != true || arr[4] != nil || arr[5] != Name("N x") {
		t.Errorf("array %#v", arr)
	}
	if s, _ := arr[6].(String); string(s) != "ABC" {
		t.Errorf("hex string %q", s)
	}
}

func TestLimits(t *testing.T) {
	deep := []byte("1 0 obj\n" + string(bytes.Repeat([]byte("["), 1000)) + "\nendobj\n")
	r := NewReader(context.Background(), bytes.NewReader(deep), int64(len(deep)))
	if _, _, err := r.parseIndirect(0, 1, nil); err == nil {
		t.Fatal("deep nesting accepted")
	}
	bomb := deflate(make([]byte, maxDecoded+10))
	st := &Stream{Dict: Dict{"Filter": Name("FlateDecode")}, Offset: 0, Length: int64(len(bomb))}
	r = NewReader(context.Background(), bytes.NewReader(bomb), int64(len(bomb)))
	if _, err := r.decode(st, nil); err == nil {
		t.Fatal("decompression bomb accepted")
	}
}
