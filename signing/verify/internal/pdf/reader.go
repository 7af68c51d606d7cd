package pdf

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strconv"
)

// More limits.
const (
	maxSections      = 4096     // xref sections in a file
	maxEntries       = 2 << 20  // xref entries over all sections
	maxRevisions     = 4096     // %%EOF markers considered
	maxRefChain      = 32       // ref → ref → … hops
	maxObjStmObjects = 1 << 20  // objects in one object stream
	maxDecoded       = 64 << 20 // decoded size of one stream
	maxCachedDecoded = 128 << 20
	maxObjects       = 2 << 20 // distinct objects parsed per reader
)

// Entry is one cross-reference entry.
type Entry struct {
	Type   byte // 0 free, 1 in use at Offset, 2 compressed in object stream Stream at Index
	Offset int64
	Gen    int
	Stream int
	Index  int
}

// Section is one cross-reference section (table or stream) and its trailer.
type Section struct {
	Offset  int64
	Entries map[int]Entry
	Trailer Dict
	next    []int64 // XRefStm then Prev
}

// Revision is an %%EOF marker preceded by a startxref.
type Revision struct {
	StartXref int64
	End       int64 // offset just after "%%EOF"
}

// Reader reads objects from a PDF through an io.ReaderAt.
type Reader struct {
	ctx      context.Context
	r        io.ReaderAt
	size     int64
	sections map[int64]*Section
	entries  int
	objects  map[int64]Object // by file offset of "n g obj"
	objstm   map[int][]byte   // decoded object streams by object number (per view origin ignored)
	decoded  int64
	parsed   int
	// TrailingJunkEOF is set when the last %%EOF of the file has no usable
	// startxref (the final revision cannot be located).
	TrailingJunkEOF bool
}

// NewReader prepares a reader; it does not read anything yet.
func NewReader(ctx context.Context, r io.ReaderAt, size int64) *Reader {
	if ctx == nil {
		ctx = context.Background()
	}
	return &Reader{ctx: ctx, r: r, size: size, sections: map[int64]*Section{}, objects: map[int64]Object{}, objstm: map[int][]byte{}}
}

// Size returns the file size.
func (r *Reader) Size() int64 { return r.size }

// ReaderAt returns the underlying reader.
func (r *Reader) ReaderAt() io.ReaderAt { return r.r }

// Err reports the context's error (deadline reached, cancelled).
func (r *Reader) Err() error { return r.ctx.Err() }

func (r *Reader) check() error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	return nil
}

// Revisions finds every "startxref N %%EOF" in the file, in file order.
func (r *Reader) Revisions() ([]Revision, error) {
	var revs []Revision
	const win = 64 << 10
	buf := make([]byte, win+16)
	marker := []byte("%%EOF")
	for off := int64(0); off < r.size; off += win {
		if err := r.check(); err != nil {
			return nil, err
		}
		n, _ := r.r.ReadAt(buf[:min(int64(len(buf)), r.size-off)], off)
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], marker)
			if j < 0 {
				break
			}
			p := int64(i + j)
			i += j + len(marker)
			if p >= win { // belongs to the next window
				break
			}
			eofAt := off + p
			sx, ok := r.startxrefBefore(eofAt)
			if !ok {
				r.TrailingJunkEOF = true
				continue
			}
			r.TrailingJunkEOF = false
			revs = append(revs, Revision{StartXref: sx, End: eofAt + int64(len(marker))})
			if len(revs) > maxRevisions {
				return nil, errf(ErrLimit, "more than %d revisions", maxRevisions)
			}
		}
	}
	if len(revs) == 0 {
		return nil, errf(ErrSyntax, "no startxref/%%%%EOF found")
	}
	return revs, nil
}

func (r *Reader) startxrefBefore(eofAt int64) (int64, bool) {
	start := max(eofAt-1024, 0)
	b := make([]byte, eofAt-start)
	n, _ := r.r.ReadAt(b, start)
	b = b[:n]
	i := bytes.LastIndex(b, []byte("startxref"))
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+len("startxref"):])
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || v < 0 || v >= r.size {
		return 0, false
	}
	// nothing but whitespace/comments between the number and %%EOF
	return v, len(f) == 1 || (len(f) > 1 && bytes.HasPrefix(f[1], []byte("%")))
}

// View is the document as seen through one xref chain (one revision).
type View struct {
	r        *Reader
	Sections []*Section // newest first
	Trailer  Dict
	// Broken is set when an older xref section could not be read; the view
	// then holds only the newer sections.
	Broken bool
	depth  int
}

// Reader returns the reader behind the view.
func (v *View) Reader() *Reader { return v.r }

// ViewAt builds the view for the xref chain starting at startxref.
func (r *Reader) ViewAt(startxref int64) (*View, error) {
	v := &View{r: r}
	seen := map[int64]bool{}
	queue := []int64{startxref}
	for len(queue) > 0 {
		off := queue[0]
		queue = queue[1:]
		if seen[off] {
			continue // loop in /Prev chain
		}
		seen[off] = true
		if len(seen) > maxSections {
			return nil, errf(ErrLimit, "more than %d xref sections", maxSections)
		}
		if err := r.check(); err != nil {
			return nil, err
		}
		sec, err := r.section(off, v)
		if err != nil {
			if len(v.Sections) == 0 {
				return nil, err
			}
			v.Broken = true
			break // keep what we have: older sections are unreadable
		}
		v.Sections = append(v.Sections, sec)
		if v.Trailer == nil {
			v.Trailer = sec.Trailer
		}
		queue = append(sec.next, queue...)
	}
	if v.Trailer == nil {
		return nil, errf(ErrSyntax, "no trailer")
	}
	return v, nil
}

func (r *Reader) section(off int64, v *View) (*Section, error) {
	if s, ok := r.sections[off]; ok {
		return s, nil
	}
	if off < 0 || off >= r.size {
		return nil, errf(ErrSyntax, "xref offset %d outside the file", off)
	}
	if len(r.sections) >= maxSections {
		return nil, errf(ErrLimit, "more than %d xref sections", maxSections)
	}
	s := newSrc(r.r, r.size, off)
	s.skipWS()
	save := s.pos
	var sec *Section
	var err error
	if w := s.word(8); string(w) == "xref" {
		sec, err = r.parseTable(s)
	} else {
		s.pos = save
		sec, err = r.parseXrefStream(s.pos, v)
	}
	if err != nil {
		return nil, err
	}
	sec.Offset = off
	if xs, ok := sec.Trailer.Int("XRefStm"); ok && xs >= 0 && xs < r.size {
		sec.next = append(sec.next, xs)
	}
	if p, ok := sec.Trailer.Int("Prev"); ok && p >= 0 && p < r.size {
		sec.next = append(sec.next, p)
	}
	r.sections[off] = sec
	return sec, nil
}

func (r *Reader) addEntries(n int) error {
	r.entries += n
	if r.entries > maxEntries {
		return errf(ErrLimit, "more than %d xref entries", maxEntries)
	}
	return nil
}

func (r *Reader) parseTable(s *src) (*Section, error) {
	sec := &Section{Entries: map[int]Entry{}}
	for {
		if err := r.check(); err != nil {
			return nil, err
		}
		s.skipWS()
		save := s.pos
		w := s.word(16)
		if string(w) == "trailer" {
			break
		}
		s.pos = save
		start, ok1 := s.readInt()
		count, ok2 := s.readInt()
		if !ok1 || !ok2 || start < 0 || count < 0 || start > 1<<30 || count > maxEntries {
			return nil, errf(ErrSyntax, "bad xref subsection at %d", save)
		}
		if err := r.addEntries(int(count)); err != nil {
			return nil, err
		}
		for i := int64(0); i < count; i++ {
			o, ok1 := s.readInt()
			g, ok2 := s.readInt()
			s.skipWS()
			t, _ := s.next()
			if !ok1 || !ok2 || (t != 'n' && t != 'f') {
				return nil, errf(ErrSyntax, "bad xref entry at %d", s.pos)
			}
			num := int(start + i)
			if _, dup := sec.Entries[num]; dup {
				continue
			}
			if t == 'n' {
				sec.Entries[num] = Entry{Type: 1, Offset: o, Gen: int(g)}
			} else {
				sec.Entries[num] = Entry{Type: 0, Gen: int(g)}
			}
		}
	}
	t, err := s.parseObject(0)
	if err != nil {
		return nil, err
	}
	d, ok := t.(Dict)
	if !ok {
		return nil, errf(ErrSyntax, "trailer is not a dictionary")
	}
	sec.Trailer = d
	return sec, nil
}

func (r *Reader) parseXrefStream(off int64, v *View) (*Section, error) {
	_, o, err := r.parseIndirect(off, -1, v)
	if err != nil {
		return nil, err
	}
	st, ok := o.(*Stream)
	if !ok || st.Dict.Name("Type") != "XRef" {
		return nil, errf(ErrSyntax, "no xref at %d", off)
	}
	data, err := r.decode(st, v)
	if err != nil {
		return nil, err
	}
	wArr, _ := st.Dict.Get("W").(Array)
	if len(wArr) != 3 {
		return nil, errf(ErrSyntax, "bad /W in xref stream")
	}
	var w [3]int
	rowLen := 0
	for i := range 3 {
		x, ok := wArr[i].(int64)
		if !ok || x < 0 || x > 8 {
			return nil, errf(ErrSyntax, "bad /W in xref stream")
		}
		w[i] = int(x)
		rowLen += int(x)
	}
	if rowLen == 0 {
		return nil, errf(ErrSyntax, "bad /W in xref stream")
	}
	var index []int64
	if ia, ok := st.Dict.Get("Index").(Array); ok {
		for _, x := range ia {
			n, ok := x.(int64)
			if !ok {
				return nil, errf(ErrSyntax, "bad /Index in xref stream")
			}
			index = append(index, n)
		}
	} else {
		size, _ := st.Dict.Int("Size")
		index = []int64{0, size}
	}
	sec := &Section{Entries: map[int]Entry{}, Trailer: st.Dict}
	pos := 0
	field := func(n int, def int64) int64 {
		if n == 0 {
			return def
		}
		var x int64
		for i := 0; i < n; i++ {
			x = x<<8 | int64(data[pos+i])
		}
		pos += n
		return x
	}
	for i := 0; i+1 < len(index); i += 2 {
		start, count := index[i], index[i+1]
		if start < 0 || count < 0 || start > 1<<30 || count > maxEntries {
			return nil, errf(ErrSyntax, "bad /Index in xref stream")
		}
		if err := r.addEntries(int(count)); err != nil {
			return nil, err
		}
		for j := int64(0); j < count; j++ {
			if pos+rowLen > len(data) {
				return sec, nil
			}
			t := field(w[0], 1)
			f2 := field(w[1], 0)
			f3 := field(w[2], 0)
			num := int(start + j)
			if _, dup := sec.Entries[num]; dup {
				continue
			}
			switch t {
			case 0:
				sec.Entries[num] = Entry{Type: 0, Gen: int(f3)}
			case 1:
				sec.Entries[num] = Entry{Type: 1, Offset: f2, Gen: int(f3)}
			case 2:
				sec.Entries[num] = Entry{Type: 2, Stream: int(f2), Index: int(f3)}
			}
		}
	}
	return sec, nil
}

// parseIndirect parses "n g obj … endobj" at off.
func (r *Reader) parseIndirect(off int64, wantNum int, v *View) (Ref, Object, error) {
	if off < 0 || off >= r.size {
		return Ref{}, nil, errf(ErrSyntax, "object offset %d outside the file", off)
	}
	r.parsed++
	if r.parsed > maxObjects {
		return Ref{}, nil, errf(ErrLimit, "more than %d objects parsed", maxObjects)
	}
	s := newSrc(r.r, r.size, off)
	num, ok1 := s.readInt()
	gen, ok2 := s.readInt()
	if !ok1 || !ok2 || !s.expectKeyword("obj") {
		return Ref{}, nil, errf(ErrSyntax, "no object at %d", off)
	}
	if wantNum >= 0 && int(num) != wantNum {
		return Ref{}, nil, errf(ErrSyntax, "object %d expected at %d, found %d", wantNum, off, num)
	}
	ref := Ref{Num: int(num), Gen: int(gen)}
	o, err := s.parseObject(0)
	if err != nil {
		return ref, nil, err
	}
	d, isDict := o.(Dict)
	if !isDict {
		return ref, o, nil
	}
	save := s.pos
	if !s.expectKeyword("stream") {
		s.pos = save
		return ref, o, nil
	}
	// EOL after "stream"
	if c, _ := s.peek(); c == '\r' {
		s.pos++
	}
	if c, _ := s.peek(); c == '\n' {
		s.pos++
	}
	st := &Stream{Dict: d, Offset: s.pos, Length: -1}
	length := int64(-1)
	switch l := d.Get("Length").(type) {
	case int64:
		length = l
	case Ref:
		if v != nil && v.depth < 4 {
			v.depth++
			lo, err := v.Get(l)
			v.depth--
			if err == nil {
				if li, ok := lo.(int64); ok {
					length = li
				}
			}
		}
	}
	if length >= 0 && st.Offset+length <= r.size && r.endstreamAt(st.Offset+length) {
		st.Length = length
		return ref, st, nil
	}
	// wrong or missing /Length: look for "endstream"
	n, err := r.findEndstream(st.Offset)
	if err != nil {
		return ref, nil, err
	}
	st.Length = n
	return ref, st, nil
}

func (r *Reader) endstreamAt(p int64) bool {
	b := make([]byte, 32)
	n, _ := r.r.ReadAt(b, p)
	return bytes.HasPrefix(bytes.TrimLeft(b[:n], "\r\n \t\f\x00"), []byte("endstream"))
}

func (r *Reader) findEndstream(from int64) (int64, error) {
	const win = 64 << 10
	buf := make([]byte, win+16)
	for off := from; off < r.size && off-from < maxEndstreamGo; off += win {
		if err := r.check(); err != nil {
			return 0, err
		}
		n, _ := r.r.ReadAt(buf[:min(int64(len(buf)), r.size-off)], off)
		if i := bytes.Index(buf[:n], []byte("endstream")); i >= 0 {
			end := off + int64(i)
			// trim one EOL before endstream
			if end > from {
				var c [2]byte
				k, _ := r.r.ReadAt(c[:], end-2)
				if k == 2 && c[0] == '\r' && c[1] == '\n' && end-2 >= from {
					end -= 2
				} else if c[1] == '\n' || c[1] == '\r' {
					end--
				}
			}
			return end - from, nil
		}
	}
	return 0, errf(ErrSyntax, "stream at %d has no endstream", from)
}

// Lookup finds the entry for object num in the view.
func (v *View) Lookup(num int) (Entry, bool) {
	for _, s := range v.Sections {
		if e, ok := s.Entries[num]; ok {
			return e, true
		}
	}
	return Entry{}, false
}

// Get returns the object referenced by ref (nil when free or missing).
func (v *View) Get(ref Ref) (Object, error) {
	if err := v.r.check(); err != nil {
		return nil, err
	}
	e, ok := v.Lookup(ref.Num)
	if !ok || e.Type == 0 {
		return nil, nil
	}
	if v.depth > 8 {
		return nil, errf(ErrLimit, "object resolution too deep")
	}
	v.depth++
	defer func() { v.depth-- }()
	switch e.Type {
	case 1:
		if o, ok := v.r.objects[e.Offset]; ok {
			return o, nil
		}
		_, o, err := v.r.parseIndirect(e.Offset, ref.Num, v)
		if err != nil {
			return nil, err
		}
		v.r.objects[e.Offset] = o
		return o, nil
	case 2:
		return v.fromObjStm(e.Stream, e.Index, ref.Num)
	}
	return nil, nil
}

func (v *View) fromObjStm(stmNum, index, want int) (Object, error) {
	data, ok := v.r.objstm[stmNum]
	var st *Stream
	so, err := v.Get(Ref{Num: stmNum})
	if err != nil {
		return nil, err
	}
	st, isStream := so.(*Stream)
	if !isStream || st.Dict.Name("Type") != "ObjStm" {
		return nil, errf(ErrSyntax, "object %d is not an object stream", stmNum)
	}
	if !ok {
		data, err = v.r.decode(st, v)
		if err != nil {
			return nil, err
		}
		v.r.decoded += int64(len(data))
		if v.r.decoded > maxCachedDecoded {
			v.r.objstm = map[int][]byte{}
			v.r.decoded = int64(len(data))
		}
		v.r.objstm[stmNum] = data
	}
	n, _ := st.Dict.Int("N")
	first, _ := st.Dict.Int("First")
	if n < 0 || n > maxObjStmObjects || first < 0 || first > int64(len(data)) {
		return nil, errf(ErrSyntax, "bad object stream %d", stmNum)
	}
	br := bytes.NewReader(data)
	s := newSrc(br, int64(len(data)), 0)
	type pair struct{ num, off int64 }
	var found *pair
	for i := int64(0); i < n; i++ {
		num, ok1 := s.readInt()
		off, ok2 := s.readInt()
		if !ok1 || !ok2 {
			break
		}
		if int(num) == want && (found == nil || i == int64(index)) {
			found = &pair{num, off}
			if i == int64(index) {
				break
			}
		}
	}
	if found == nil {
		return nil, errf(ErrNotFound, "object %d not in object stream %d", want, stmNum)
	}
	s = newSrc(br, int64(len(data)), first+found.off)
	return s.parseObject(0)
}

// Resolve follows references until a direct object.
func (v *View) Resolve(o Object) (Object, error) {
	for i := 0; i < maxRefChain; i++ {
		ref, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		var err error
		o, err = v.Get(ref)
		if err != nil {
			return nil, err
		}
	}
	return nil, errf(ErrLimit, "reference chain longer than %d", maxRefChain)
}

// Dict resolves o and returns it as a dictionary (a stream's dictionary too).
func (v *View) Dict(o Object) Dict {
	o, err := v.Resolve(o)
	if err != nil {
		return nil
	}
	switch d := o.(type) {
	case Dict:
		return d
	case *Stream:
		return d.Dict
	}
	return nil
}

// Array resolves o as an array.
func (v *View) Array(o Object) Array {
	o, _ = v.Resolve(o)
	a, _ := o.(Array)
	return a
}

// Root returns the catalog dictionary.
func (v *View) Root() Dict { return v.Dict(v.Trailer.Get("Root")) }

// Nums returns the object numbers defined in the view, sorted.
func (v *View) Nums() []int {
	seen := map[int]bool{}
	for _, s := range v.Sections {
		for n := range s.Entries {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// ReadRaw reads n bytes at off (bounded by maxDecoded).
func (r *Reader) ReadRaw(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || off+n > r.size || n > maxDecoded {
		return nil, errf(ErrLimit, "read of %d bytes at %d out of bounds", n, off)
	}
	b := make([]byte, n)
	if _, err := r.r.ReadAt(b, off); err != nil && err != io.EOF {
		return nil, errf(ErrSyntax, "read failed: %v", err)
	}
	return b, nil
}
