package testpdf

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/vanthu/vanthu/signing/pdf"
)

// Update appends an incremental update to a PDF the way an attacker (or
// an honest writer) would: new or redefined objects, a classic
// cross-reference section, a trailer with /Prev. Fields left zero take
// the base file's values.
type Update struct {
	base []byte
	objs map[int]obj
	// Prev is the /Prev offset (default: the base's last startxref; -1
	// for none).
	Prev int64
	// XRefStm adds a /XRefStm entry (hybrid files).
	XRefStm int64
	// XRefStmEntries, when set, are written as a cross-reference stream
	// in the update (in-use entries at these offsets) that /XRefStm names.
	XRefStmEntries map[int]int64
	// Root and Info are the trailer's references (default the base's).
	Root, Info string
	// Extra is appended to the trailer dictionary.
	Extra string
	// NoEOF leaves out the %%EOF after startxref.
	NoEOF bool
	// StartXRef overrides the offset written after startxref (-1 leaves
	// the number out).
	StartXRef *int64
	// After is appended after the end of the update.
	After string
	size  int
	final *pdf.View
}

type obj struct {
	gen  int
	body string
	free bool
	raw  bool // body is the whole "n g obj … endobj" text
}

// NewUpdate starts an update of base. It panics on a file the reader
// cannot open: tests build on files they made.
func NewUpdate(base []byte) *Update {
	rd, err := pdf.Open(context.Background(), bytes.NewReader(base), int64(len(base)), pdf.Limits{})
	if err != nil {
		panic(err)
	}
	v, err := rd.Final()
	if err != nil {
		panic(err)
	}
	size, _ := v.Trailer.Int("Size")
	u := &Update{base: base, objs: map[int]obj{}, Prev: v.Revision().StartXRef, XRefStm: -1, size: int(size), final: v}
	if r, ok := v.Trailer.Get("Root").(pdf.Ref); ok {
		u.Root = r.String()
	}
	if r, ok := v.Trailer.Get("Info").(pdf.Ref); ok {
		u.Info = r.String()
	}
	return u
}

// View is the base file's final view (to read the objects to change).
func (u *Update) View() *pdf.View { return u.final }

// Dict returns object num of the base as a dictionary (a stream's
// dictionary), nil if it is neither.
func (u *Update) Dict(num int) pdf.Dict {
	o, _ := u.final.Object(num)
	switch x := o.(type) {
	case pdf.Dict:
		return x.Clone()
	case *pdf.Stream:
		return x.Dict.Clone()
	}
	return nil
}

// Add defines a new object and returns its number.
func (u *Update) Add(body string) int {
	n := u.size
	u.size++
	u.objs[n] = obj{body: body}
	return n
}

// Reserve returns a new object number, to be defined with Set.
func (u *Update) Reserve() int {
	n := u.size
	u.size++
	return n
}

// Set (re)defines object num with generation 0.
func (u *Update) Set(num int, body string) { u.SetGen(num, 0, body) }

// SetGen (re)defines object num with generation gen.
func (u *Update) SetGen(num, gen int, body string) {
	u.objs[num] = obj{gen: gen, body: body}
	if num >= u.size {
		u.size = num + 1
	}
}

// SetDict redefines object num as dictionary d.
func (u *Update) SetDict(num int, d pdf.Dict) { u.Set(num, Serialize(d)) }

// Free marks object num free.
func (u *Update) Free(num int) { u.objs[num] = obj{free: true, gen: 1} }

// Point makes num's entry point at offset off of the file (an object
// already there), writing nothing.
func (u *Update) Point(num int, off int64) {
	u.objs[num] = obj{raw: true, body: fmt.Sprint(off)}
}

// Serialize writes a direct object as PDF syntax.
func Serialize(o pdf.Object) string {
	var b bytes.Buffer
	pdf.Serialize(&b, o)
	return b.String()
}

// Bytes returns the base followed by the update.
func (u *Update) Bytes() []byte {
	var b bytes.Buffer
	b.Write(u.base)
	if len(u.base) > 0 && u.base[len(u.base)-1] != '\n' {
		b.WriteByte('\n')
	}
	nums := make([]int, 0, len(u.objs))
	for n := range u.objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	offs := map[int]int64{}
	for _, n := range nums {
		o := u.objs[n]
		switch {
		case o.free:
		case o.raw:
			var off int64
			fmt.Sscan(o.body, &off)
			offs[n] = off
		default:
			offs[n] = int64(b.Len())
			fmt.Fprintf(&b, "%d %d obj\n%s\nendobj\n", n, o.gen, o.body)
		}
	}
	if len(u.XRefStmEntries) > 0 {
		u.XRefStm = u.xrefStream(&b)
	}
	xref := int64(b.Len())
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		o := u.objs[n]
		if o.free {
			fmt.Fprintf(&b, "%d 1\n0000000000 %05d f \n", n, o.gen)
			continue
		}
		fmt.Fprintf(&b, "%d 1\n%010d %05d n \n", n, offs[n], o.gen)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %s", u.size, u.Root)
	if u.Info != "" {
		fmt.Fprintf(&b, " /Info %s", u.Info)
	}
	if u.Prev >= 0 {
		fmt.Fprintf(&b, " /Prev %d", u.Prev)
	}
	if u.XRefStm >= 0 {
		fmt.Fprintf(&b, " /XRefStm %d", u.XRefStm)
	}
	fmt.Fprintf(&b, " %s>>\nstartxref\n", u.Extra)
	switch {
	case u.StartXRef == nil:
		fmt.Fprintf(&b, "%d\n", xref)
	case *u.StartXRef >= 0:
		fmt.Fprintf(&b, "%d\n", *u.StartXRef)
	}
	if !u.NoEOF {
		b.WriteString("%%EOF\n")
	}
	b.WriteString(u.After)
	return b.Bytes()
}

// Offset returns where object num's definition starts in the base, as its
// final view has it (-1 when it is not an object in the file).
func (u *Update) Offset(num int) int64 {
	l := u.final.Location(num)
	if l.Type != pdf.EntryInUse {
		return -1
	}
	return l.Offset
}

// xrefStream writes XRefStmEntries as a cross-reference stream object
// and returns its offset.
func (u *Update) xrefStream(b *bytes.Buffer) int64 {
	nums := make([]int, 0, len(u.XRefStmEntries))
	for n := range u.XRefStmEntries {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	var rows bytes.Buffer
	var index string
	for _, n := range nums {
		off := u.XRefStmEntries[n]
		index += fmt.Sprintf("%d 1 ", n)
		rows.Write([]byte{1, byte(off >> 24), byte(off >> 16), byte(off >> 8), byte(off), 0, 0})
	}
	num := u.size
	u.size++
	at := int64(b.Len())
	fmt.Fprintf(b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%s] /Length %d >>\nstream\n", num, u.size, index, rows.Len())
	b.Write(rows.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	return at
}
