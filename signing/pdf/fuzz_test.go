package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func seedFiles() [][]byte {
	var out [][]byte
	f, _, x0 := base()
	out = append(out, append([]byte{}, f.bytes()...))
	update(f, x0, false)
	out = append(out, append([]byte{}, f.bytes()...))
	out = append(out, objStmFile())
	out = append(out, xrefStreamPredictorFile())
	for _, n := range []string{"pades-bes.pdf", "pdf-byterange-overlap.pdf", "siwa.pdf"} {
		if b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "pdf-signatures", "dss", n)); err == nil && len(b) < 64<<10 {
			out = append(out, b)
		}
	}
	return out
}

// FuzzReader walks what the verifier and the signer read: revisions,
// trailing bytes, every view, objects and streams, and the changes
// between consecutive views. It checks that revisions tile the file and
// that Diff lists exactly the numbers whose Location differs.
func FuzzReader(f *testing.F) {
	for _, b := range seedFiles() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start := time.Now()
		defer func() {
			if el := time.Since(start); el > 5*time.Second {
				t.Fatalf("took %v", el)
			}
		}()
		r, err := Open(ctx, bytes.NewReader(data), int64(len(data)), Limits{MaxDecoded: 4 << 20, MaxCache: 4 << 20})
		if err != nil {
			return
		}
		if v, err := r.Final(); err == nil {
			walk(v, 200)
		}
		revs, err := r.Revisions()
		if err != nil {
			return
		}
		var end int64
		for i, rv := range revs {
			if rv.Start != end || rv.End <= rv.Start || rv.End > int64(len(data)) {
				t.Fatalf("revision %d %+v after %d", i, rv, end)
			}
			end = rv.End
		}
		if s, _ := r.Trailing(); s != end {
			t.Fatalf("trailing from %d, last revision ends at %d", s, end)
		}
		var prev *View
		for i := range min(len(revs), 8) {
			v, err := r.View(i)
			if err != nil {
				prev = nil
				continue
			}
			walk(v, 200)
			if prev != nil {
				checkDiff(t, prev, v)
			}
			prev = v
		}
	})
}

func walk(v *View, n int) {
	for num := range min(v.MaxNumber()+1, n) {
		o, err := v.Object(num)
		if err != nil {
			continue
		}
		if st, ok := o.(*Stream); ok {
			_, _ = v.Decode(st)
		}
		var b bytes.Buffer
		Canonical(&b, o, 0)
	}
	_ = v.Root()
}

// checkDiff compares Diff with a brute-force comparison of every number.
func checkDiff(t *testing.T, a, b *View) {
	got := map[int]bool{}
	if err := b.Diff(a, func(n int) bool { got[n] = true; return true }); err != nil {
		return
	}
	top := max(a.MaxNumber(), b.MaxNumber())
	if top > 100000 {
		return
	}
	for n := 0; n <= top; n++ {
		if d := a.Location(n) != b.Location(n); d != got[n] {
			t.Fatalf("Diff says %v for %d, locations %+v and %+v", got[n], n, a.Location(n), b.Location(n))
		}
	}
}

// xrefStreamPredictorFile: catalog 1 in object stream 2, cross-reference
// stream 3 with the PNG Up predictor.
func xrefStreamPredictorFile() []byte {
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

func TestXRefStreamWithPredictor(t *testing.T) {
	r := open(t, xrefStreamPredictorFile())
	revisions(t, r, 1)
	v := view(t, r, 0)
	root := v.Root()
	if root.Name("Type") != "Catalog" {
		t.Fatalf("root %v", root)
	}
	if s, _ := root.Get("Name").(String); string(s) != "caf\xe9" {
		t.Errorf("literal string %q", s)
	}
	arr, _ := root.Get("Arr").(Array)
	if len(arr) != 7 || arr[0] != int64(1) || arr[1] != 2.5 || arr[2] != int64(-3) || arr[3] != true || arr[4] != nil || arr[5] != Name("N x") {
		t.Errorf("array %#v", arr)
	}
}

// TestFuzzSeeds runs the fuzz walk over the seeds (and the kept corpus is
// run by FuzzReader itself in every go test).
func TestFuzzSeeds(t *testing.T) {
	for i, b := range seedFiles() {
		r := open(t, b)
		if _, err := r.Revisions(); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
}
