package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOneRevision(t *testing.T) {
	f, _, x := base()
	r := open(t, f.bytes())
	revs := revisions(t, r, 1)
	if revs[0].StartXRef != x || !revs[0].EOF || revs[0].Start != 0 || revs[0].End != int64(len(f.bytes()))-1 {
		t.Fatalf("revision %+v", revs[0])
	}
	v := view(t, r, 0)
	if v.Root().Name("Type") != "Catalog" || text(t, v, 4) != "A" {
		t.Fatalf("root %v, 4 = %q", v.Root(), text(t, v, 4))
	}
	if _, junk := r.Trailing(); junk {
		t.Fatal("trailing junk in a clean file")
	}
	fv, err := r.Final()
	if err != nil || fv.Sections[0] != v.Sections[0] {
		t.Fatalf("Final: %v", err)
	}
	if n := len(v.Sections[0].runs); n != 1 || v.Sections[0].kind != kindTable {
		t.Fatalf("a regular table is not read in place: %d runs, kind %d", n, v.Sections[0].kind)
	}
}

// update appends a revision that redefines object 4 as /T (B) and adds
// object 5, with a classic section chained to prev.
func update(f *fileBuilder, prev int64, eof bool) int64 {
	e := map[int]xent{4: inUse(f.obj(4, 0, "<< /T (B) >>")), 5: inUse(f.obj(5, 0, "<< /T (new) >>"))}
	x := f.table(e, fmt.Sprintf("/Size 6 /Root 1 0 R /Prev %d", prev))
	f.startxref(x, eof)
	return x
}

func TestIncrementalUpdate(t *testing.T) {
	f, _, x0 := base()
	update(f, x0, true)
	r := open(t, f.bytes())
	revs := revisions(t, r, 2)
	v0, v1 := view(t, r, 0), view(t, r, 1)
	if text(t, v0, 4) != "A" || text(t, v1, 4) != "B" || text(t, v1, 3) != "" {
		t.Fatalf("4: %q then %q", text(t, v0, 4), text(t, v1, 4))
	}
	if o, _ := v0.Object(5); o != nil {
		t.Fatal("the first revision sees the update's object")
	}
	if got := diff(t, v0, v1); !slices.Equal(got, []int{4, 5}) {
		t.Fatalf("changed %v", got)
	}
	if !v1.Reaches(v0.Sections[0]) || len(v1.Sections) != 2 {
		t.Fatal("the update's chain does not reach the first section")
	}
	if revs[1].Start != revs[0].End {
		t.Fatalf("revisions do not tile the file: %+v", revs)
	}
}

// TestUpdateWithoutEOF: an update that ends at its startxref number, with
// no %%EOF, is a revision (viewers use it).
func TestUpdateWithoutEOF(t *testing.T) {
	f, _, x0 := base()
	update(f, x0, false)
	r := open(t, f.bytes())
	revs := revisions(t, r, 2)
	if revs[1].EOF || revs[1].End != int64(f.b.Len())-1 {
		t.Fatalf("revision %+v of %d bytes", revs[1], f.b.Len())
	}
	if v := view(t, r, 1); text(t, v, 4) != "B" {
		t.Fatal("the update is not read")
	}
	if fv, err := r.Final(); err != nil || text(t, fv, 4) != "B" {
		t.Fatalf("Final: %v", err)
	}
}

// TestDataAfterLastEOF: objects and a section appended without any
// startxref belong to no revision; they are trailing bytes a viewer
// reads when it repairs the file.
func TestDataAfterLastEOF(t *testing.T) {
	f, _, x0 := base()
	end := f.off()
	f.obj(4, 0, "<< /T (B) >>")
	f.table(map[int]xent{4: inUse(end)}, fmt.Sprintf("/Size 5 /Root 1 0 R /Prev %d", x0))
	r := open(t, f.bytes())
	revisions(t, r, 1)
	start, junk := r.Trailing()
	if !junk || start != end-1 {
		t.Fatalf("trailing %d %v, want junk from %d", start, junk, end-1)
	}
	if v := view(t, r, 0); text(t, v, 4) != "A" {
		t.Fatal("view changed")
	}
	// whitespace only after %%EOF is not junk
	r = open(t, append(append([]byte{}, f.bytes()[:end]...), " \r\n\x00\t\n"...))
	if _, junk := r.Trailing(); junk {
		t.Fatal("white space counted as junk")
	}
}

// TestStartxrefNotAtEnd: a startxref followed by more than a kilobyte of
// junk and no %%EOF is still the last revision; the junk is trailing.
func TestStartxrefNotAtEnd(t *testing.T) {
	f, _, x0 := base()
	x1 := update(f, x0, false)
	f.raw(strings.Repeat("junk ", 400))
	r := open(t, f.bytes())
	revs := revisions(t, r, 2)
	if revs[1].StartXRef != x1 {
		t.Fatal("wrong last revision")
	}
	if _, junk := r.Trailing(); !junk {
		t.Fatal("junk after the last startxref not reported")
	}
	if fv, err := r.Final(); err != nil || text(t, fv, 4) != "B" {
		t.Fatalf("Final: %v", err)
	}
}

// TestBogusStartxref: a last startxref naming no section is ignored (a
// viewer would rebuild the file) and counts as trailing junk.
func TestBogusStartxref(t *testing.T) {
	f, _, _ := base()
	f.raw("startxref\n12345\n%%EOF\n")
	r := open(t, f.bytes())
	revisions(t, r, 1)
	if ig := r.Ignored(); len(ig) != 1 || ig[0].StartXRef != 12345 || ig[0].Err == nil {
		t.Fatalf("ignored %+v", ig)
	}
	if _, junk := r.Trailing(); !junk {
		t.Fatal("bogus marker not trailing junk")
	}
	if _, err := r.Final(); err == nil {
		t.Fatal("Final accepted a bogus last startxref")
	}
}

// TestPrevBringsBackOlderDefinition: a later section whose /Prev skips the
// signed revision brings back the first revision's object 4.
func TestPrevBringsBackOlderDefinition(t *testing.T) {
	f, _, x0 := base()
	update(f, x0, true) // signed: 4 = B
	e := map[int]xent{6: inUse(f.obj(6, 0, "<< >>"))}
	x2 := f.table(e, fmt.Sprintf("/Size 7 /Root 1 0 R /Prev %d", x0))
	f.startxref(x2, true)
	r := open(t, f.bytes())
	revisions(t, r, 3)
	signed, final := view(t, r, 1), view(t, r, 2)
	if text(t, final, 4) != "A" {
		t.Fatalf("4 = %q, want the older definition A", text(t, final, 4))
	}
	if final.Reaches(signed.Sections[0]) {
		t.Fatal("the chain reaches the skipped section")
	}
	if got := diff(t, signed, final); !slices.Equal(got, []int{4, 5, 6}) {
		t.Fatalf("changed %v, want [4 5 6]", got)
	}
}

// TestXRefStmBringsBackOlderDefinition: a hybrid section's /XRefStm names
// an old cross-reference stream whose entry for 4 comes before the
// signed section's.
func TestXRefStmBringsBackOlderDefinition(t *testing.T) {
	f := newFile()
	e := map[int]xent{0: {}}
	e[1] = xent{streamTyp: 1, off: f.obj(1, 0, "<< /Type /Catalog /Pages 2 0 R >>")}
	e[2] = xent{streamTyp: 1, off: f.obj(2, 0, "<< /Type /Pages /Kids [] /Count 0 >>")}
	e[4] = xent{streamTyp: 1, off: f.obj(4, 0, "<< /T (A) >>")}
	xs0 := f.xrefStream(3, e, "/Size 5 /Root 1 0 R")
	f.startxref(xs0, true)
	// signed revision: 4 = B, chained to the stream
	e1 := map[int]xent{4: inUse(f.obj(4, 0, "<< /T (B) >>"))}
	x1 := f.table(e1, fmt.Sprintf("/Size 5 /Root 1 0 R /Prev %d", xs0))
	f.startxref(x1, true)
	// attack: a hybrid section naming the old stream as /XRefStm
	e2 := map[int]xent{6: inUse(f.obj(6, 0, "<< >>"))}
	x2 := f.table(e2, fmt.Sprintf("/Size 7 /Root 1 0 R /Prev %d /XRefStm %d", x1, xs0))
	f.startxref(x2, true)
	r := open(t, f.bytes())
	revisions(t, r, 3)
	signed, final := view(t, r, 1), view(t, r, 2)
	if text(t, signed, 4) != "B" || text(t, final, 4) != "A" {
		t.Fatalf("4 = %q then %q", text(t, signed, 4), text(t, final, 4))
	}
	if len(final.Sections) != 3 || final.Sections[1] != signed.Sections[1] {
		t.Fatalf("chain order: %d sections", len(final.Sections))
	}
	if got := diff(t, signed, final); !slices.Equal(got, []int{4, 6}) {
		t.Fatalf("changed %v", got)
	}
}

// TestReorderedChain: the same sections reached in another order give
// other effective objects; Diff compares every number then.
func TestReorderedChain(t *testing.T) {
	f, _, x0 := base()
	x1 := update(f, x0, true)
	// a section that defines nothing new and chains to x0 first, then x1
	// through a hybrid /XRefStm is not possible (x1 is a table), so: a
	// section whose /Prev is x0 and whose only entry re-adds object 5.
	e := map[int]xent{5: inUse(f.obj(5, 0, "<< /T (new) >>"))}
	x2 := f.table(e, fmt.Sprintf("/Size 6 /Root 1 0 R /Prev %d", x0))
	f.startxref(x2, true)
	_ = x1
	r := open(t, f.bytes())
	revisions(t, r, 3)
	if got := diff(t, view(t, r, 1), view(t, r, 2)); !slices.Equal(got, []int{4, 5}) {
		t.Fatalf("changed %v", got)
	}
}

func TestLoopsAndDuplicates(t *testing.T) {
	f, e, _ := base()
	// a section whose /Prev is itself and whose /XRefStm names it too
	x := f.off()
	f.table(map[int]xent{4: e[4]}, fmt.Sprintf("/Size 5 /Root 1 0 R /Prev %d /XRefStm %d", x, x))
	f.startxref(x, true)
	r := open(t, f.bytes())
	revisions(t, r, 2)
	v := view(t, r, 1)
	if len(v.Sections) != 1 {
		t.Fatalf("%d sections", len(v.Sections))
	}
	if v.Broken == nil {
		t.Fatal("a /XRefStm that is no stream does not break the chain")
	}
	// one section defining 4 twice: the first definition wins
	f2 := newFile()
	a := f2.obj(1, 0, "<< /Type /Catalog >>")
	b1 := f2.obj(4, 0, "<< /T (first) >>")
	b2 := f2.obj(4, 0, "<< /T (second) >>")
	x2 := f2.off()
	fmt.Fprintf(&f2.b, "xref\n0 2\n0000000000 65535 f\r\n%010d 00000 n\r\n4 1\n%010d 00000 n\r\n4 1\n%010d 00000 n\r\ntrailer\n<< /Size 5 /Root 1 0 R >>\n", a, b1, b2)
	f2.startxref(x2, true)
	r = open(t, f2.bytes())
	revisions(t, r, 1)
	if got := text(t, view(t, r, 0), 4); got != "first" {
		t.Fatalf("4 = %q", got)
	}
}

// objStmFile: revision 0 keeps object 4 in object stream 10; revision 1
// redefines object 10 (another stream) without touching 4's entry.
func objStmFile() []byte {
	f := newFile()
	e := map[int]xent{0: {}}
	e[1] = xent{streamTyp: 1, off: f.obj(1, 0, "<< /Type /Catalog /Pages 2 0 R >>")}
	e[2] = xent{streamTyp: 1, off: f.obj(2, 0, "<< /Type /Pages /Kids [] /Count 0 >>")}
	e[10] = xent{streamTyp: 1, off: f.objStm(10, [][2]string{{"4", "<< /T (A) >>"}, {"5", "(five)"}})}
	e[4], e[5] = compressedIn(10, 0), compressedIn(10, 1)
	xs0 := f.xrefStream(3, e, "/Size 11 /Root 1 0 R")
	f.startxref(xs0, true)
	e1 := map[int]xent{10: {streamTyp: 1, off: f.objStm(10, [][2]string{{"4", "<< /T (B) >>"}, {"5", "(five)"}})}}
	xs1 := f.xrefStream(11, e1, fmt.Sprintf("/Size 12 /Root 1 0 R /Prev %d", xs0))
	f.startxref(xs1, true)
	return f.bytes()
}

// TestObjStmRedefined: decoded object streams are kept by position; the
// later revision's object 4 comes from the new stream.
func TestObjStmRedefined(t *testing.T) {
	r := open(t, objStmFile())
	revisions(t, r, 2)
	v0, v1 := view(t, r, 0), view(t, r, 1)
	if text(t, v0, 4) != "A" || text(t, v1, 4) != "B" || text(t, v0, 4) != "A" {
		t.Fatalf("4 = %q then %q", text(t, v0, 4), text(t, v1, 4))
	}
	if e0, _ := v0.Lookup(4); e0 != (Entry{Type: EntryCompressed, Stream: 10}) {
		t.Fatalf("entry %+v", e0)
	}
	if v0.Location(4) == v1.Location(4) {
		t.Fatal("same location for objects in different streams")
	}
	if got := diff(t, v0, v1); !slices.Equal(got, []int{4, 5, 10, 11}) {
		t.Fatalf("changed %v, want [4 5 10 11]", got)
	}
}

// TestIndirectLengthPerView: a stream whose /Length is a reference reads
// as long as each view says.
func TestIndirectLengthPerView(t *testing.T) {
	f := newFile()
	e := map[int]xent{0: {typ: 'f', gen: 65535}}
	e[1] = inUse(f.obj(1, 0, "<< /Type /Catalog >>"))
	e[2] = inUse(f.off())
	f.raw("2 0 obj\n<< /Length 3 0 R >>\nstream\nshort\nendstream longer part\nendstream\nendobj\n")
	e[3] = inUse(f.obj(3, 0, "5"))
	x0 := f.table(e, "/Size 4 /Root 1 0 R")
	f.startxref(x0, true)
	x1 := f.table(map[int]xent{3: inUse(f.obj(3, 0, "27"))}, fmt.Sprintf("/Size 4 /Root 1 0 R /Prev %d", x0))
	_ = x1
	f.startxref(x1, true)
	r := open(t, f.bytes())
	revisions(t, r, 2)
	read := func(v *View) string {
		o, err := v.Object(2)
		if err != nil {
			t.Fatal(err)
		}
		b, err := v.Decode(o.(*Stream))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if a, b := read(view(t, r, 0)), read(view(t, r, 1)); a != "short" || b != "short\nendstream longer part" {
		t.Fatalf("%q then %q", a, b)
	}
	if got := diff(t, view(t, r, 0), view(t, r, 1)); !slices.Equal(got, []int{3}) {
		t.Fatalf("changed %v", got)
	}
}

func TestHybridFile(t *testing.T) {
	f := newFile()
	cat := f.obj(1, 0, "<< /Type /Catalog /Pages 2 0 R >>")
	pages := f.obj(2, 0, "<< /Type /Pages /Kids [] /Count 0 >>")
	stm := f.objStm(5, [][2]string{{"4", "<< /T (in stream) >>"}})
	xs := f.xrefStream(6, map[int]xent{4: compressedIn(5, 0), 5: {streamTyp: 1, off: stm}}, "/Size 7")
	x := f.table(map[int]xent{0: {typ: 'f', gen: 65535}, 1: inUse(cat), 2: inUse(pages)}, fmt.Sprintf("/Size 7 /Root 1 0 R /XRefStm %d", xs))
	f.startxref(x, true)
	r := open(t, f.bytes())
	revisions(t, r, 1)
	v := view(t, r, 0)
	if text(t, v, 4) != "in stream" || len(v.Sections) != 2 || !v.Sections[1].Stream {
		t.Fatalf("hybrid: %q, %d sections", text(t, v, 4), len(v.Sections))
	}
}

func TestBytesBeforeHeader(t *testing.T) {
	f, _, _ := base()
	junk := []byte("GARBAGE BEFORE THE HEADER\n")
	// offsets counted from the header
	rel := append(append([]byte{}, junk...), f.bytes()...)
	r := open(t, rel)
	if at, shift := r.Header(); at != int64(len(junk)) || shift != at {
		t.Fatalf("header at %d, shift %d", at, shift)
	}
	revisions(t, r, 1)
	if text(t, view(t, r, 0), 4) != "A" {
		t.Fatal("object not found with relative offsets")
	}
	// offsets counted from the start of the file
	g := newFile()
	g.b.Reset()
	g.b.Write(junk)
	g.b.WriteString("%PDF-1.7\n")
	e := map[int]xent{0: {typ: 'f', gen: 65535}}
	e[1] = inUse(g.obj(1, 0, "<< /Type /Catalog >>"))
	e[4] = inUse(g.obj(4, 0, "<< /T (abs) >>"))
	g.startxref(g.table(e, "/Size 5 /Root 1 0 R"), true)
	r = open(t, g.bytes())
	if _, shift := r.Header(); shift != 0 {
		t.Fatalf("shift %d for absolute offsets", shift)
	}
	revisions(t, r, 1)
	if text(t, view(t, r, 0), 4) != "abs" {
		t.Fatal("object not found with absolute offsets")
	}
}

// TestSectionBeyondRevision: a revision's chain may not read bytes after
// the revision's end (the last revision's may: viewers read it all).
func TestSectionBeyondRevision(t *testing.T) {
	f, e, _ := base()
	data := f.bytes()
	// revision 0's trailer names, through /Prev, a section that the next
	// revision appends
	i := bytes.Index(data, []byte("/Root 1 0 R"))
	later := len(data) + 40
	g := &fileBuilder{}
	g.b.Write(data[:i])
	fmt.Fprintf(&g.b, "/Root 1 0 R /Prev %010d", later)
	g.b.Write(data[i+len("/Root 1 0 R"):])
	for g.b.Len() < later {
		g.b.WriteByte('\n')
	}
	x1 := g.table(map[int]xent{4: e[4]}, "/Size 5 /Root 1 0 R")
	g.startxref(x1, true)
	r := open(t, g.bytes())
	revisions(t, r, 2)
	if v := view(t, r, 0); v.Broken == nil {
		t.Fatal("a section after the revision's end is read")
	}
	if v := view(t, r, 1); v.Broken != nil {
		t.Fatalf("last revision: %v", v.Broken)
	}
}

func TestGenerationsAndHeaders(t *testing.T) {
	f := newFile()
	e := map[int]xent{0: {typ: 'f', gen: 65535}}
	e[1] = inUse(f.obj(1, 0, "<< /Type /Catalog >>"))
	e[4] = xent{typ: 'n', off: f.obj(4, 2, "<< /T (gen2) >>"), gen: 2}
	e[5] = inUse(f.obj(6, 0, "<< /T (six) >>")) // the entry of 5 points at object 6
	f.startxref(f.table(e, "/Size 7 /Root 1 0 R"), true)
	r := open(t, f.bytes())
	revisions(t, r, 1)
	v := view(t, r, 0)
	if o, _ := v.Get(Ref{Num: 4, Gen: 0}); o != nil {
		t.Fatal("a reference of another generation resolved")
	}
	if o, _ := v.Get(Ref{Num: 4, Gen: 2}); o == nil {
		t.Fatal("the right generation did not resolve")
	}
	if _, err := v.Object(5); !errors.Is(err, ErrSyntax) {
		t.Fatalf("wrong object header: %v", err)
	}
}

func TestIrregularTables(t *testing.T) {
	f := newFile()
	a := f.obj(1, 0, "<< /Type /Catalog >>")
	b := f.obj(2, 0, "<< /T (two) >>")
	x := f.off()
	// 19-byte rows, then rows written as loose tokens
	fmt.Fprintf(&f.b, "xref\n0 3\n0000000000 65535 f\n%010d 00000 n\n%010d 00000 n\n", a, b)
	fmt.Fprintf(&f.b, "7 2\n%d 0 n %d   0  n\ntrailer\n<< /Size 9 /Root 1 0 R >>\n", a, b)
	f.startxref(x, true)
	r := open(t, f.bytes())
	revisions(t, r, 1)
	v := view(t, r, 0)
	if text(t, v, 2) != "two" {
		t.Fatal("19-byte rows not read")
	}
	var nums []int
	for n := range v.Sections[0].Entries() {
		nums = append(nums, n)
	}
	if !slices.Equal(nums, []int{0, 1, 2, 7, 8}) {
		t.Fatalf("entries %v", nums)
	}
	if e, _ := v.Lookup(8); e.Offset != b {
		t.Fatalf("entry 8 %+v", e)
	}
}

func TestHostileStructures(t *testing.T) {
	cases := map[string][]byte{
		"deep nesting":  []byte("%PDF-1.7\n1 0 obj\n" + strings.Repeat("[", 100000) + "\nendobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n100017\n%%EOF\n"),
		"many markers":  []byte("%PDF-1.7\n" + strings.Repeat("startxref\n9\n%%EOF\n", 5000)),
		"many eofs":     []byte("%PDF-1.7\n" + strings.Repeat("%%EOF\n", 20000)),
		"huge count":    []byte("%PDF-1.7\nxref\n0 99999999\n0000000000 65535 f\r\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"),
		"no header":     []byte("xref\n0 1\n0000000000 65535 f\r\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n"),
		"empty":         {},
		"prev negative": []byte("%PDF-1.7\nxref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Prev -5 >>\nstartxref\n9\n%%EOF\n"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			r, err := Open(ctx, bytes.NewReader(data), int64(len(data)), Limits{})
			if err == nil {
				if _, err = r.Revisions(); err == nil {
					var v *View
					if v, err = r.View(0); err == nil {
						for n := 0; n < 10; n++ {
							_, _ = v.Object(n)
						}
					}
				}
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
			t.Logf("%v", err)
		})
	}
}

func TestContextStopsWork(t *testing.T) {
	f, _, _ := base()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := Open(ctx, bytes.NewReader(f.bytes()), int64(f.b.Len()), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Revisions(); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan: %v", err)
	}
}

// TestPrevZero: "/Prev 0" (a writer bug) breaks the chain; the view goes
// on with the sections earlier startxref markers name and says so.
func TestPrevZero(t *testing.T) {
	f, _, x0 := base()
	_ = x0
	x1 := update(f, 0, true)
	r := open(t, f.bytes())
	revisions(t, r, 2)
	v, err := r.Final()
	if err != nil {
		t.Fatal(err)
	}
	if v.Broken == nil || len(v.Sections) != 2 || v.Sections[0].Offset != x1 {
		t.Fatalf("broken %v, %d sections", v.Broken, len(v.Sections))
	}
	if text(t, v, 3) != "" || v.Root() == nil || text(t, v, 4) != "B" {
		t.Fatal("objects of the unchained section not found")
	}
}
