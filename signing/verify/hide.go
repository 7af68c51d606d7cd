package verify

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"github.com/vanthu/vanthu/signing/pdf"
)

// The visual check draws only what can differ: an annotation that did not
// change between the signed revision and the final file is drawn alike
// in both (when no form-level default changed), so it is left out of both
// renders, and a new one whose area is not compared is left out of the
// final render. They are hidden by an incremental update, in memory, that
// sets the Hidden flag on them; the file itself is never changed.

// hidden returns a reader of the first size bytes of ra followed by an
// update (whose /Prev is prev, and /Root root) that hides the annotations
// hide of view v, and the new size. Annotations that cannot be rewritten
// (unreadable) are drawn.
func hidden(ra io.ReaderAt, size int64, v *pdf.View, hide []int) (io.ReaderAt, int64) {
	if len(hide) == 0 {
		return ra, size
	}
	sort.Ints(hide)
	var b bytes.Buffer
	b.WriteByte('\n')
	offs := map[int]int64{}
	gens := map[int]int{}
	for _, n := range hide {
		e, ok := v.Lookup(n)
		if !ok || e.Type == pdf.EntryFree {
			continue
		}
		o, err := v.Object(n)
		d, isDict := o.(pdf.Dict)
		if err != nil || !isDict {
			continue
		}
		d = d.Clone()
		f, _ := mustResolve(v, d.Get("F")).(int64)
		d["F"] = f | 2 // Hidden
		offs[n] = size + int64(b.Len())
		gens[n] = e.Gen
		if e.Type == pdf.EntryCompressed {
			gens[n] = 0
		}
		fmt.Fprintf(&b, "%d %d obj\n", n, gens[n])
		pdf.Serialize(&b, d)
		b.WriteString("\nendobj\n")
	}
	if len(offs) == 0 {
		return ra, size
	}
	xref := size + int64(b.Len())
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range hide {
		if off, ok := offs[n]; ok {
			fmt.Fprintf(&b, "%d 1\n%010d %05d n \n", n, off-headerShift(v), gens[n])
		}
	}
	maxN := v.MaxNumber() + 1
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root ", maxN)
	pdf.Serialize(&b, v.Trailer.Get("Root"))
	for _, k := range []string{"Encrypt", "ID", "Info"} {
		if x := v.Trailer.Get(k); x != nil {
			fmt.Fprintf(&b, " /%s ", k)
			pdf.Serialize(&b, x)
		}
	}
	fmt.Fprintf(&b, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", v.Revision().StartXRef-headerShift(v), xref-headerShift(v))
	return &joined{a: ra, n: size, b: b.Bytes()}, size + int64(b.Len())
}

// headerShift is the offset the file's offsets count from.
func headerShift(v *pdf.View) int64 {
	_, shift := v.Reader().Header()
	return shift
}

// joined reads the first n bytes of a, then b.
type joined struct {
	a io.ReaderAt
	n int64
	b []byte
}

func (j *joined) ReadAt(p []byte, off int64) (int, error) {
	total := 0
	for len(p) > 0 {
		switch {
		case off < j.n:
			k := int(min(int64(len(p)), j.n-off))
			m, err := j.a.ReadAt(p[:k], off)
			total += m
			if m < k {
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
				return total, err
			}
			p, off = p[k:], off+int64(k)
		case off-j.n < int64(len(j.b)):
			m := copy(p, j.b[off-j.n:])
			total += m
			p, off = p[m:], off+int64(m)
		default:
			return total, io.EOF
		}
	}
	return total, nil
}
