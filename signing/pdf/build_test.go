package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"sort"
	"testing"
)

// fileBuilder writes crafted PDF files byte by byte, so that tests can
// build every cross-reference trick a viewer accepts.
type fileBuilder struct {
	b bytes.Buffer
}

func newFile() *fileBuilder {
	f := &fileBuilder{}
	f.b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return f
}

func (f *fileBuilder) off() int64 { return int64(f.b.Len()) }

func (f *fileBuilder) raw(s string) *fileBuilder { f.b.WriteString(s); return f }

// obj writes "num gen obj body endobj" and returns its offset.
func (f *fileBuilder) obj(num, gen int, body string) int64 {
	o := f.off()
	fmt.Fprintf(&f.b, "%d %d obj\n%s\nendobj\n", num, gen, body)
	return o
}

// stream writes a stream object with the given dictionary entries and
// (raw) data; /Length is direct.
func (f *fileBuilder) stream(num int, dict string, data []byte) int64 {
	o := f.off()
	fmt.Fprintf(&f.b, "%d 0 obj\n<< %s /Length %d >>\nstream\n", num, dict, len(data))
	f.b.Write(data)
	f.b.WriteString("\nendstream\nendobj\n")
	return o
}

// xent is a cross-reference entry to write.
type xent struct {
	typ       byte // 'n', 'f' for tables; 0,1,2 for streams
	off       int64
	gen       int
	stm, idx  int
	streamTyp int
}

func inUse(off int64) xent { return xent{typ: 'n', off: off, streamTyp: 1} }

func compressedIn(stm, idx int) xent { return xent{streamTyp: 2, stm: stm, idx: idx} }

// table writes a classic section for entries (grouped into subsections)
// and its trailer, and returns the offset of "xref".
func (f *fileBuilder) table(entries map[int]xent, trailer string) int64 {
	o := f.off()
	f.b.WriteString("xref\n")
	nums := make([]int, 0, len(entries))
	for n := range entries {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		fmt.Fprintf(&f.b, "%d %d\n", nums[i], j-i+1)
		for k := i; k <= j; k++ {
			e := entries[nums[k]]
			t := e.typ
			if t == 0 {
				t = 'n'
			}
			fmt.Fprintf(&f.b, "%010d %05d %c\r\n", e.off, e.gen, t)
		}
		i = j + 1
	}
	fmt.Fprintf(&f.b, "trailer\n<< %s >>\n", trailer)
	return o
}

// xrefStream writes a cross-reference stream object num for entries
// (including its own entry when entries has it) and returns its offset.
func (f *fileBuilder) xrefStream(num int, entries map[int]xent, dict string) int64 {
	o := f.off()
	nums := make([]int, 0, len(entries)+1)
	if _, ok := entries[num]; !ok {
		entries[num] = xent{streamTyp: 1, off: o}
	}
	for n := range entries {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	var idx []string
	var data []byte
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		idx = append(idx, fmt.Sprintf("%d %d", nums[i], j-i+1))
		for k := i; k <= j; k++ {
			e := entries[nums[k]]
			switch e.streamTyp {
			case 1:
				data = append(data, 1, byte(e.off>>24), byte(e.off>>16), byte(e.off>>8), byte(e.off), byte(e.gen))
			case 2:
				data = append(data, 2, byte(e.stm>>24), byte(e.stm>>16), byte(e.stm>>8), byte(e.stm), byte(e.idx))
			default:
				data = append(data, 0, 0, 0, 0, 0, 0)
			}
		}
		i = j + 1
	}
	z := deflate(data)
	fmt.Fprintf(&f.b, "%d 0 obj\n<< /Type /XRef /W [1 4 1] /Index [%s] /Filter /FlateDecode %s /Length %d >>\nstream\n",
		num, joinSp(idx), dict, len(z))
	f.b.Write(z)
	f.b.WriteString("\nendstream\nendobj\n")
	return o
}

// objStm writes an object stream num holding objs (number → body).
func (f *fileBuilder) objStm(num int, objs [][2]string) int64 {
	var head, body bytes.Buffer
	for _, o := range objs {
		fmt.Fprintf(&head, "%s %d ", o[0], body.Len())
		body.WriteString(o[1])
		body.WriteString("\n")
	}
	data := append(head.Bytes(), body.Bytes()...)
	z := deflate(data)
	return f.stream(num, fmt.Sprintf("/Type /ObjStm /N %d /First %d /Filter /FlateDecode", len(objs), head.Len()), z)
}

func (f *fileBuilder) startxref(off int64, eof bool) {
	fmt.Fprintf(&f.b, "startxref\n%d\n", off)
	if eof {
		f.b.WriteString("%%EOF\n")
	}
}

func (f *fileBuilder) bytes() []byte { return f.b.Bytes() }

func joinSp(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w := zlib.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func open(t testing.TB, data []byte) *Reader {
	t.Helper()
	r, err := Open(context.Background(), bytes.NewReader(data), int64(len(data)), Limits{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

func revisions(t testing.TB, r *Reader, want int) []Revision {
	t.Helper()
	revs, err := r.Revisions()
	if err != nil {
		t.Fatalf("Revisions: %v", err)
	}
	if len(revs) != want {
		t.Fatalf("%d revisions, want %d: %+v (ignored %+v)", len(revs), want, revs, r.Ignored())
	}
	return revs
}

func view(t testing.TB, r *Reader, i int) *View {
	t.Helper()
	v, err := r.View(i)
	if err != nil {
		t.Fatalf("View(%d): %v", i, err)
	}
	return v
}

// text returns the /T string of object num in v ("" when absent).
func text(t testing.TB, v *View, num int) string {
	t.Helper()
	o, err := v.Object(num)
	if err != nil {
		t.Fatalf("object %d: %v", num, err)
	}
	d, _ := o.(Dict)
	s, _ := d.Get("T").(String)
	return string(s)
}

func diff(t testing.TB, old, nw *View) []int {
	t.Helper()
	var out []int
	if err := nw.Diff(old, func(n int) bool { out = append(out, n); return true }); err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return out
}

// base writes the first revision: catalog 1, pages 2, page 3, and
// object 4 with /T (A); classic table.
func base() (*fileBuilder, map[int]xent, int64) {
	f := newFile()
	e := map[int]xent{0: {typ: 'f', gen: 65535}}
	e[1] = inUse(f.obj(1, 0, "<< /Type /Catalog /Pages 2 0 R >>"))
	e[2] = inUse(f.obj(2, 0, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"))
	e[3] = inUse(f.obj(3, 0, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"))
	e[4] = inUse(f.obj(4, 0, "<< /T (A) >>"))
	x := f.table(e, "/Size 5 /Root 1 0 R")
	f.startxref(x, true)
	return f, e, x
}
