package pdf

import (
	"bytes"
	"fmt"
	"io"
)

// View is the document as a viewer reading one revision sees it: the
// cross-reference chain of that revision's startxref, followed the way
// viewers follow it, and the effective object of every number. Sections,
// Trailer and Broken are read-only.
type View struct {
	r     *Reader
	rev   Revision
	limit int64 // bytes the view may read: the revision's end (the file's for the last)
	// Sections is the chain, newest first, in the order a viewer looks
	// numbers up: a section, then its /XRefStm stream (hybrid files) and
	// that stream's own /Prev chain, then the section's /Prev. A section
	// reached twice is read once.
	Sections []*Section
	// Trailer is the newest section's trailer (or stream dictionary).
	Trailer Dict
	// Broken tells why the chain stops early (an unreadable or
	// out-of-revision section, a /Prev that is not an offset); the view
	// then holds the sections before that point. Viewers would rebuild
	// such a file, so what they show is not what the view holds.
	Broken error
	depth  int
	// looked up: the effective entries of recently looked-up numbers (a
	// chain of many sections is searched once per number)
	looked map[int]lookedUp
}

type lookedUp struct {
	e  Entry
	ok bool
}

// maxLooked bounds the lookup cache of one view.
const maxLooked = 1 << 16

func (r *Reader) newView(rev Revision, limit int64) (*View, error) {
	v := &View{r: r, rev: rev, limit: limit}
	type next struct {
		off     int64
		xrefStm bool // named by /XRefStm: must be a stream
	}
	seen := map[int64]bool{}
	stack := []next{{off: rev.StartXRef}}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if err := r.check(); err != nil {
			return nil, err
		}
		s, err := r.Section(n.off)
		if err == nil && s.End > limit {
			err = errf(ErrSyntax, "cross-reference section at %d lies beyond the revision", n.off)
		}
		if err == nil && n.xrefStm && !s.Stream {
			err = errf(ErrSyntax, "/XRefStm %d names no cross-reference stream", n.off)
		}
		if seen[n.off] {
			if err != nil && v.Broken == nil {
				v.Broken = err
			}
			continue // a loop, or a section named twice: read once
		}
		seen[n.off] = true
		if err != nil {
			if len(v.Sections) == 0 {
				return nil, err
			}
			if v.Broken == nil {
				v.Broken = err
			}
			continue
		}
		v.Sections = append(v.Sections, s)
		if v.Trailer == nil {
			v.Trailer = s.Trailer
		}
		if s.PrevErr != nil && v.Broken == nil {
			v.Broken = s.PrevErr
		}
		// depth first: the /XRefStm chain before the /Prev chain
		switch {
		case s.Prev >= 0 && s.Prev == r.shift:
			// "/Prev 0", a known writer bug: the older sections exist
			// but are not chained. Viewers rebuild such files; the
			// view goes on with the sections the file's earlier
			// startxref markers name, newest first, and says it is
			// broken.
			if v.Broken == nil {
				v.Broken = fmt.Errorf("%w: %w in the section at %d", ErrSyntax, ErrUnchained, s.Offset)
			}
			if revs, err := r.Revisions(); err == nil {
				for _, rv := range revs {
					if rv.End <= limit && rv.StartXRef != s.Offset {
						stack = append(stack, next{off: rv.StartXRef})
					}
				}
			}
		case s.Prev >= 0:
			stack = append(stack, next{off: s.Prev})
		}
		if s.XRefStm >= 0 {
			stack = append(stack, next{off: s.XRefStm, xrefStm: true})
		}
	}
	return v, nil
}

// Reader returns the reader behind the view.
func (v *View) Reader() *Reader { return v.r }

// Revision returns the revision the view reads (Index -1 for the view
// Final returns before the file is scanned).
func (v *View) Revision() Revision { return v.rev }

// Limit returns the end of the bytes the view reads.
func (v *View) Limit() int64 { return v.limit }

// Reaches reports whether s is in the view's chain.
func (v *View) Reaches(s *Section) bool {
	for _, x := range v.Sections {
		if x == s {
			return true
		}
	}
	return false
}

// Encrypted reports whether any trailer of the chain names /Encrypt.
func (v *View) Encrypted() bool {
	for _, s := range v.Sections {
		if s.Trailer.Get("Encrypt") != nil {
			return true
		}
	}
	return false
}

// MaxNumber returns the highest object number any section of the chain
// defines.
func (v *View) MaxNumber() int {
	m := 0
	for _, s := range v.Sections {
		m = max(m, s.MaxNumber())
	}
	return m
}

// Lookup returns the effective entry of object num: the first section of
// the chain that defines it.
func (v *View) Lookup(num int) (Entry, bool) {
	if len(v.Sections) <= 2 {
		return v.lookup(num)
	}
	if x, ok := v.looked[num]; ok {
		return x.e, x.ok
	}
	e, ok := v.lookup(num)
	if v.looked == nil || len(v.looked) >= maxLooked {
		v.looked = map[int]lookedUp{}
	}
	v.looked[num] = lookedUp{e: e, ok: ok}
	return e, ok
}

func (v *View) lookup(num int) (Entry, bool) {
	for _, s := range v.Sections {
		if e, ok := s.Lookup(num); ok {
			return e, true
		}
	}
	return Entry{}, false
}

// Location is where the effective object of a number is. Two views of the
// same file with equal Locations for a number show the same object, as the
// same bytes are read; only a stream's /Length (when it is a reference)
// and an object stream's dictionary values may differ, and those are
// objects of their own whose Locations then differ too.
type Location struct {
	Type   byte  // EntryFree (free, null or undefined), EntryInUse, EntryCompressed
	Offset int64 // in use: of "n g obj"; compressed: of the object stream, as this view resolves its number (-1 when that is not an object in the file)
	Gen    int   // in use
	Index  int   // compressed
}

// Location returns where the effective object of num is.
func (v *View) Location(num int) Location {
	e, ok := v.Lookup(num)
	if !ok {
		return Location{}
	}
	switch e.Type {
	case EntryInUse:
		return Location{Type: EntryInUse, Offset: e.Offset, Gen: e.Gen}
	case EntryCompressed:
		l := Location{Type: EntryCompressed, Offset: -1, Index: e.Index}
		if se, ok := v.Lookup(e.Stream); ok && se.Type == EntryInUse {
			l.Offset = se.Offset
		}
		return l
	}
	return Location{}
}

// Object returns the effective object of num, whatever its generation
// (nil when free or undefined).
func (v *View) Object(num int) (Object, error) {
	e, ok := v.Lookup(num)
	if !ok || e.Type == EntryFree {
		return nil, nil
	}
	return v.Get(Ref{Num: num, Gen: e.Gen})
}

// Get returns the object ref points to: nil when it is free, undefined, or
// of another generation (as viewers read such references).
func (v *View) Get(ref Ref) (Object, error) {
	if err := v.r.check(); err != nil {
		return nil, err
	}
	e, ok := v.Lookup(ref.Num)
	if !ok || e.Type == EntryFree {
		return nil, nil
	}
	if v.depth > 8 {
		return nil, errf(ErrLimit, "object resolution too deep")
	}
	v.depth++
	defer func() { v.depth-- }()
	switch e.Type {
	case EntryInUse:
		if e.Gen != ref.Gen {
			return nil, nil
		}
		return v.inFile(ref.Num, e.Offset)
	case EntryCompressed:
		if ref.Gen != 0 {
			return nil, nil
		}
		return v.compressed(ref.Num, e)
	}
	return nil, nil
}

// inFile returns the object at off, which must be object num. Objects are
// parsed once, as the whole file holds them, and kept by offset; a view
// only accepts one that ends within its revision.
func (v *View) inFile(num int, off int64) (Object, error) {
	if off >= v.limit {
		return nil, errf(ErrSyntax, "object %d at %d lies beyond the revision", num, off)
	}
	key := objKey{off: off, idx: -1}
	c, ok := v.r.objs.get(key)
	if !ok {
		ind, err := v.r.parseIndirect(off, v.r.size)
		if err != nil {
			return nil, err
		}
		c = cached{obj: ind.obj, num: ind.ref.Num, end: ind.end, lenRef: ind.lenRef}
		size := ind.end - off
		if st, ok := ind.obj.(*Stream); ok {
			size = st.Offset - off // the data is not kept
		}
		v.r.objs.put(key, c, size, v.r.lim.MaxCache)
	}
	if c.num != num {
		return nil, errf(ErrSyntax, "object %d expected at %d, found %d", num, off, c.num)
	}
	if c.end > v.limit {
		return nil, errf(ErrSyntax, "object %d at %d runs beyond the revision", num, off)
	}
	st, isStream := c.obj.(*Stream)
	if !isStream || c.lenRef == nil {
		return c.obj, nil
	}
	// an indirect /Length is read in this view
	cp := *st
	cp.Length = -1
	if lo, err := v.Get(*c.lenRef); err == nil {
		if n, ok := lo.(int64); ok && n >= 0 && cp.Offset+n <= v.limit && v.r.endstreamAt(cp.Offset+n, v.limit) {
			cp.Length = n
		}
	}
	if cp.Length < 0 {
		n, err := v.r.findEndstream(cp.Offset, v.limit)
		if err != nil {
			return nil, err
		}
		cp.Length = n
	}
	return &cp, nil
}

// compressed returns object num from its object stream.
func (v *View) compressed(num int, e Entry) (Object, error) {
	se, ok := v.Lookup(e.Stream)
	if !ok || se.Type != EntryInUse {
		return nil, errf(ErrSyntax, "object stream %d of object %d is not an object in the file", e.Stream, num)
	}
	so, err := v.inFile(e.Stream, se.Offset)
	if err != nil {
		return nil, err
	}
	st, ok := so.(*Stream)
	if !ok || st.Dict.Name("Type") != "ObjStm" {
		return nil, errf(ErrSyntax, "object %d is not an object stream", e.Stream)
	}
	key := objKey{off: se.Offset, idx: int32(min(e.Index, 1<<30)), ln: st.Length}
	if c, ok := v.r.objs.get(key); ok {
		return c.obj, nil
	}
	os, err := v.objStream(st, se.Offset)
	if err != nil {
		return nil, err
	}
	if e.Index >= len(os.nums) {
		return nil, errf(ErrSyntax, "object stream %d has no index %d", e.Stream, e.Index)
	}
	if os.nums[e.Index] != num {
		return nil, errf(ErrSyntax, "object stream %d holds object %d at index %d, not %d", e.Stream, os.nums[e.Index], e.Index, num)
	}
	start := os.first + os.offs[e.Index]
	if start < 0 || start >= int64(len(os.data)) {
		return nil, errf(ErrSyntax, "object %d outside its object stream", num)
	}
	v.r.parsed++
	if v.r.parsed > v.r.lim.MaxObjects {
		return nil, errf(ErrLimit, "more than %d objects parsed", v.r.lim.MaxObjects)
	}
	o, err := bytesSrc(os.data, start, &v.r.lim).parseObject(0)
	if err != nil {
		return nil, err
	}
	if _, isStream := o.(*Stream); isStream {
		return nil, errf(ErrSyntax, "stream in object stream %d", e.Stream)
	}
	v.r.objs.put(key, cached{obj: o}, 64, v.r.lim.MaxCache)
	return o, nil
}

// objStm is a decoded object stream.
type objStm struct {
	data  []byte
	first int64
	nums  []int
	offs  []int64
}

// objStream decodes the object stream st found at off. Decoded streams are
// kept by their place in the file (offset and length), never by object
// number: a later revision that redefines the number names another
// stream.
func (v *View) objStream(st *Stream, off int64) (*objStm, error) {
	key := stmKey{off: off, ln: st.Length}
	if os, ok := v.r.stms.get(key); ok {
		return os, nil
	}
	n, okN := v.Resolve(st.Dict.Get("N"))
	first, okF := v.Resolve(st.Dict.Get("First"))
	nn, ok1 := n.(int64)
	ff, ok2 := first.(int64)
	if okN != nil || okF != nil || !ok1 || !ok2 || nn < 0 || nn > int64(v.r.lim.MaxObjStm) || ff < 0 {
		return nil, errf(ErrSyntax, "bad object stream at %d", off)
	}
	data, err := v.Decode(st)
	if err != nil {
		return nil, err
	}
	if ff > int64(len(data)) {
		return nil, errf(ErrSyntax, "bad object stream at %d", off)
	}
	os := &objStm{data: data, first: ff}
	s := bytesSrc(data[:ff], 0, &v.r.lim)
	for range nn {
		num, ok1 := s.readInt()
		o, ok2 := s.readInt()
		if !ok1 || !ok2 || num < 0 || o < 0 || num > int64(v.r.lim.MaxObjectNumber) {
			break // the objects listed so far are usable
		}
		os.nums = append(os.nums, int(num))
		os.offs = append(os.offs, o)
	}
	v.r.stms.put(key, os, int64(len(data))+16*int64(len(os.nums)), v.r.lim.MaxCache)
	return os, nil
}

// Resolve follows references until a direct object.
func (v *View) Resolve(o Object) (Object, error) {
	for range v.r.lim.MaxRefChain {
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
	return nil, errf(ErrLimit, "reference chain longer than %d", v.r.lim.MaxRefChain)
}

// ResolveDict resolves o to a dictionary (a stream's dictionary for a
// stream); nil without error when it is neither.
func (v *View) ResolveDict(o Object) (Dict, error) {
	o, err := v.Resolve(o)
	if err != nil {
		return nil, err
	}
	switch d := o.(type) {
	case Dict:
		return d, nil
	case *Stream:
		return d.Dict, nil
	}
	return nil, nil
}

// Dict resolves o and returns it as a dictionary (a stream's dictionary
// too); nil when it is neither or cannot be read.
func (v *View) Dict(o Object) Dict {
	d, _ := v.ResolveDict(o)
	return d
}

// Array resolves o as an array (nil otherwise).
func (v *View) Array(o Object) Array {
	o, _ = v.Resolve(o)
	a, _ := o.(Array)
	return a
}

// Root returns the catalog dictionary (nil when unreadable).
func (v *View) Root() Dict { return v.Dict(v.Trailer.Get("Root")) }

// streamFilters lists a stream's filters and their parameters (resolved
// in v when v is not nil; else they must be direct).
func streamFilters(d Dict, v *View) ([]Name, []Dict, error) {
	res := func(o Object) Object {
		if v != nil {
			o, _ = v.Resolve(o)
		}
		return o
	}
	var filters []Name
	var parms []Dict
	switch f := res(d.Get("Filter")).(type) {
	case nil:
	case Name:
		filters = []Name{f}
	case Array:
		for _, x := range f {
			n, ok := res(x).(Name)
			if !ok {
				return nil, nil, errf(ErrSyntax, "bad /Filter")
			}
			filters = append(filters, n)
		}
	default:
		return nil, nil, errf(ErrSyntax, "bad /Filter")
	}
	switch p := res(d.Get("DecodeParms")).(type) {
	case Dict:
		parms = []Dict{p}
	case Array:
		for _, x := range p {
			d, _ := res(x).(Dict)
			parms = append(parms, d)
		}
	}
	return filters, parms, nil
}

// rawReader returns the raw bytes of st.
func (v *View) rawReader(st *Stream) (io.Reader, error) {
	if st.Offset < 0 {
		return bytes.NewReader(st.Data), nil
	}
	if st.Length < 0 || st.Offset+st.Length > v.limit {
		return nil, errf(ErrSyntax, "stream at %d outside the revision", st.Offset)
	}
	return io.NewSectionReader(v.r.ra, st.Offset, st.Length), nil
}

// RawData returns the still-encoded bytes of st (at most MaxStreamLen).
func (v *View) RawData(st *Stream) ([]byte, error) {
	if st.Offset < 0 {
		return st.Data, nil
	}
	if st.Length > v.r.lim.MaxStreamLen {
		return nil, errf(ErrLimit, "stream of %d bytes", st.Length)
	}
	rd, err := v.rawReader(st)
	if err != nil {
		return nil, err
	}
	b := make([]byte, st.Length)
	if _, err := io.ReadFull(rd, b); err != nil {
		return nil, errf(ErrSyntax, "failed to read stream at %d: %v", st.Offset, err)
	}
	return b, nil
}

// Decode returns the data of st with every filter applied but image
// filters (DCT, JPX, JBIG2, CCITTFax), whose data it returns as they
// leave it; DecodeStream tells which are left.
func (v *View) Decode(st *Stream) ([]byte, error) {
	data, _, err := v.DecodeStream(st)
	return data, err
}

// DecodeStream decodes st and returns its data and the image filters left
// applied (with their parameters).
func (v *View) DecodeStream(st *Stream) ([]byte, []Name, error) {
	if st.Offset >= 0 && st.Length > v.r.lim.MaxStreamLen*16 {
		return nil, nil, errf(ErrLimit, "stream of %d bytes", st.Length)
	}
	filters, parms, err := streamFilters(st.Dict, v)
	if err != nil {
		return nil, nil, err
	}
	rd, err := v.rawReader(st)
	if err != nil {
		return nil, nil, err
	}
	data, rest, _, err := v.r.decodeChain(rd, filters, parms, 0)
	return data, rest, err
}

// indirect is an object parsed at an offset.
type indirect struct {
	ref    Ref
	obj    Object
	end    int64 // just after the object (its endobj when present)
	lenRef *Ref  // a stream's indirect /Length, read in each view
}

// parseIndirect parses "n g obj … endobj" at off, reading no byte at or
// after limit.
func (r *Reader) parseIndirect(off, limit int64) (indirect, error) {
	if off < 0 || off >= limit {
		return indirect{}, errf(ErrSyntax, "object offset %d outside the revision", off)
	}
	r.parsed++
	if r.parsed > r.lim.MaxObjects {
		return indirect{}, errf(ErrLimit, "more than %d objects parsed", r.lim.MaxObjects)
	}
	s := newSrc(r.ra, limit, off, &r.lim)
	num, ok1 := s.readInt()
	gen, ok2 := s.readInt()
	if !ok1 || !ok2 || num < 0 || gen < 0 || num > int64(r.lim.MaxObjectNumber) || gen > 1<<20 || !s.expectKeyword("obj") {
		return indirect{}, errf(ErrSyntax, "no object at %d", off)
	}
	ind := indirect{ref: Ref{Num: int(num), Gen: int(gen)}}
	o, err := s.parseObject(0)
	if err != nil {
		return ind, err
	}
	ind.obj = o
	d, isDict := o.(Dict)
	save := s.pos
	if !isDict || !s.expectKeyword("stream") {
		s.pos = save
		ind.end = s.pos
		if s.expectKeyword("endobj") {
			ind.end = s.pos
		}
		return ind, nil
	}
	// one EOL after "stream" (CR LF, LF, or a lone CR)
	if c, _ := s.peek(); c == '\r' {
		s.pos++
	}
	if c, _ := s.peek(); c == '\n' {
		s.pos++
	}
	st := &Stream{Dict: d, Offset: s.pos, Length: -1}
	ind.obj = st
	switch l := d.Get("Length").(type) {
	case int64:
		if l >= 0 && st.Offset+l <= limit && r.endstreamAt(st.Offset+l, limit) {
			st.Length = l
		}
	case Ref:
		ind.lenRef = &l
	}
	if st.Length < 0 && ind.lenRef == nil {
		// a wrong or missing /Length: the data ends at endstream
		n, err := r.findEndstream(st.Offset, limit)
		if err != nil {
			return ind, err
		}
		st.Length = n
	}
	ind.end = st.Offset + max(st.Length, 0)
	if st.Length >= 0 {
		s.pos = ind.end
		if s.expectKeyword("endstream") {
			ind.end = s.pos
			if s.expectKeyword("endobj") {
				ind.end = s.pos
			}
		}
	}
	return ind, nil
}

func (r *Reader) endstreamAt(p, limit int64) bool {
	b := make([]byte, 32)
	n, _ := r.ra.ReadAt(b[:max(0, min(32, limit-p))], p)
	return bytes.HasPrefix(bytes.TrimLeft(b[:n], "\r\n \t\f\x00"), []byte("endstream"))
}

// findEndstream returns the length of the stream data starting at from:
// up to the first "endstream", less the end-of-line before it.
func (r *Reader) findEndstream(from, limit int64) (int64, error) {
	const win = 64 << 10
	buf := make([]byte, win+16)
	for off := from; off < limit && off-from <= r.lim.MaxStreamLen*16; off += win {
		if err := r.check(); err != nil {
			return 0, err
		}
		n, _ := r.ra.ReadAt(buf[:min(int64(len(buf)), limit-off)], off)
		if i := bytes.Index(buf[:n], []byte("endstream")); i >= 0 {
			end := off + int64(i)
			var c [2]byte
			if end-2 >= from {
				if k, _ := r.ra.ReadAt(c[:], end-2); k == 2 && c[0] == '\r' && c[1] == '\n' {
					return end - 2 - from, nil
				}
			}
			if end-1 >= from {
				if k, _ := r.ra.ReadAt(c[:1], end-1); k == 1 && (c[0] == '\n' || c[0] == '\r') {
					return end - 1 - from, nil
				}
			}
			return end - from, nil
		}
	}
	return 0, errf(ErrSyntax, "stream at %d has no endstream", from)
}

// Caches -------------------------------------------------------------------

type objKey struct {
	off int64 // the object's offset, or its object stream's
	idx int32 // index in the object stream, -1 for an object in the file
	ln  int64 // the object stream's length (its decoding depends on it)
}

type cached struct {
	obj    Object
	num    int // the object header's number
	end    int64
	lenRef *Ref
}

// objCache keeps parsed objects by location, forgetting all of them when
// they pass the size budget.
type objCache struct {
	m    map[objKey]cached
	size int64
}

func (c *objCache) get(k objKey) (cached, bool) {
	x, ok := c.m[k]
	return x, ok
}

func (c *objCache) put(k objKey, x cached, size, budget int64) {
	// a parsed object takes a few times its syntax in memory (maps,
	// interfaces): charge for that
	size = 3*size + 256
	if c.m == nil || c.size+size > budget {
		c.m = map[objKey]cached{}
		c.size = 0
	}
	c.m[k] = x
	c.size += size
}

type stmKey struct{ off, ln int64 }

type stmCache struct {
	m    map[stmKey]*objStm
	size int64
}

func (c *stmCache) get(k stmKey) (*objStm, bool) {
	x, ok := c.m[k]
	return x, ok
}

func (c *stmCache) put(k stmKey, x *objStm, size, budget int64) {
	if c.m == nil || c.size+size > budget {
		c.m = map[stmKey]*objStm{}
		c.size = 0
	}
	c.m[k] = x
	c.size += size
}
