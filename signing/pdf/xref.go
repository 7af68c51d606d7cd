package pdf

import (
	"io"
	"iter"
	"slices"
	"sort"
)

// Entry types.
const (
	EntryFree       byte = 0 // free, or a null entry (reserved type, offset 0)
	EntryInUse      byte = 1 // an object at Offset
	EntryCompressed byte = 2 // object Index of the object stream numbered Stream
)

// Entry is one cross-reference entry as its section states it.
type Entry struct {
	Type   byte
	Offset int64 // in use: offset of "n g obj" in the file (header shift applied)
	Gen    int   // in use: generation
	Stream int   // compressed: number of the object stream
	Index  int   // compressed: index in the object stream
}

// Section is one cross-reference section: a classic table with its
// trailer, or a cross-reference stream with its dictionary. Sections are
// parsed once per Reader and shared by every View whose chain reaches
// them, so two Views reach the same section exactly when they hold the
// same *Section.
type Section struct {
	Offset  int64 // the "xref" keyword or the stream's "n g obj"
	End     int64 // just after the trailer dictionary, or the stream object
	Stream  bool  // a cross-reference stream (else a classic table)
	Trailer Dict  // the trailer dictionary, or the stream's dictionary
	// Prev and XRefStm are the offsets the trailer names (header shift
	// applied), -1 when absent. PrevErr tells why a present /Prev or
	// /XRefStm cannot be followed (not an integer, outside the file).
	Prev, XRefStm int64
	PrevErr       error

	r      *Reader
	runs   []run // ascending, disjoint
	kind   int
	rows   []byte // decoded rows of a stream
	w      [3]int
	packed []uint64
	size   int          // entries
	stms   map[int]bool // object streams compressed entries name (lazy)
}

const (
	kindTable  = iota // rows read from the file on demand
	kindStream        // rows decoded in memory
	kindPacked        // entries packed in memory
)

type run struct {
	start, count int
	pos          int64 // table: offset of the first row; stream: offset in rows; packed: index
	width        int   // table or stream row width
}

// Len returns the number of entries the section defines.
func (s *Section) Len() int { return s.size }

// MaxNumber returns the highest object number the section defines (-1 if
// none).
func (s *Section) MaxNumber() int {
	if len(s.runs) == 0 {
		return -1
	}
	r := s.runs[len(s.runs)-1]
	return r.start + r.count - 1
}

// Lookup returns the section's entry for object num.
func (s *Section) Lookup(num int) (Entry, bool) {
	i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].start > num }) - 1
	if i < 0 {
		return Entry{}, false
	}
	rn := s.runs[i]
	k := num - rn.start
	if k >= rn.count {
		return Entry{}, false
	}
	return s.entry(rn, k), true
}

func (s *Section) entry(rn run, k int) Entry {
	switch s.kind {
	case kindTable:
		var row [21]byte
		b := row[:rn.width]
		if !s.r.readRow(rn.pos+int64(k)*int64(rn.width), b) {
			return Entry{}
		}
		e, _ := s.r.tableEntry(b)
		return e
	case kindStream:
		p := rn.pos + int64(k)*int64(rn.width)
		return s.r.streamEntry(s.rows[p:p+int64(rn.width)], s.w)
	}
	return unpack(s.packed[rn.pos+int64(k)])
}

// objStreams returns the numbers of the object streams the section's
// compressed entries name (computed once; none for classic tables).
func (s *Section) objStreams() map[int]bool {
	if s.stms != nil {
		return s.stms
	}
	s.stms = map[int]bool{}
	if s.kind == kindTable {
		return s.stms
	}
	for _, e := range s.Entries() {
		if e.Type == EntryCompressed {
			s.stms[e.Stream] = true
		}
	}
	return s.stms
}

// Entries yields the section's entries in ascending object number.
func (s *Section) Entries() iter.Seq2[int, Entry] {
	return func(yield func(int, Entry) bool) {
		for _, rn := range s.runs {
			if s.kind == kindTable {
				stop := false
				// rows are read in large blocks, not kept
				buf := make([]byte, min(64<<10, rn.count*rn.width)/rn.width*rn.width)
				per := len(buf) / rn.width
				for k := 0; k < rn.count && !stop; k += per {
					n := min(per, rn.count-k)
					if m, _ := s.r.ra.ReadAt(buf[:n*rn.width], rn.pos+int64(k)*int64(rn.width)); m < n*rn.width {
						return
					}
					for i := range n {
						e, _ := s.r.tableEntry(buf[i*rn.width : (i+1)*rn.width])
						if !yield(rn.start+k+i, e) {
							stop = true
							break
						}
					}
				}
				if stop {
					return
				}
				continue
			}
			for k := 0; k < rn.count; k++ {
				if !yield(rn.start+k, s.entry(rn, k)) {
					return
				}
			}
		}
	}
}

// Packed entries: type in bits 62–63; in use: offset in bits 17–61, gen
// in 0–16; compressed: stream number in bits 30–61, index in 0–29.
func pack(e Entry) uint64 {
	switch e.Type {
	case EntryInUse:
		return 1<<62 | uint64(e.Offset)<<17 | uint64(e.Gen)&(1<<17-1)
	case EntryCompressed:
		return 2<<62 | uint64(e.Stream)<<30 | uint64(e.Index)&(1<<30-1)
	}
	return 0
}

func unpack(v uint64) Entry {
	switch v >> 62 {
	case 1:
		return Entry{Type: EntryInUse, Offset: int64(v >> 17 & (1<<45 - 1)), Gen: int(v & (1<<17 - 1))}
	case 2:
		return Entry{Type: EntryCompressed, Stream: int(v >> 30 & (1<<32 - 1)), Index: int(v & (1<<30 - 1))}
	}
	return Entry{}
}

// sane turns entries a viewer treats as null into free ones.
func (r *Reader) sane(e Entry) Entry {
	switch e.Type {
	case EntryInUse:
		if e.Offset <= 0 || e.Offset >= 1<<45 || e.Gen >= 1<<17 {
			return Entry{}
		}
	case EntryCompressed:
		if e.Stream <= 0 || e.Stream > r.lim.MaxObjectNumber || e.Index < 0 || e.Index >= 1<<30 {
			return Entry{}
		}
	default:
		return Entry{}
	}
	return e
}

// tableEntry parses a classic row "oooooooooo ggggg n".
func (r *Reader) tableEntry(b []byte) (Entry, bool) {
	if len(b) < 18 || b[10] != ' ' || b[16] != ' ' {
		return Entry{}, false
	}
	var off int64
	for _, c := range b[:10] {
		if c < '0' || c > '9' {
			return Entry{}, false
		}
		off = off*10 + int64(c-'0')
	}
	gen := 0
	for _, c := range b[11:16] {
		if c < '0' || c > '9' {
			return Entry{}, false
		}
		gen = gen*10 + int(c-'0')
	}
	for _, c := range b[18:] {
		if !isSpace(c) {
			return Entry{}, false
		}
	}
	switch b[17] {
	case 'n':
		return r.sane(Entry{Type: EntryInUse, Offset: off + r.shift, Gen: gen}), true
	case 'f':
		return Entry{Gen: gen}, true
	}
	return Entry{}, false
}

func (r *Reader) streamEntry(row []byte, w [3]int) Entry {
	field := func(b []byte, def uint64) uint64 {
		if len(b) == 0 {
			return def
		}
		var v uint64
		for _, c := range b {
			v = v<<8 | uint64(c)
		}
		return v
	}
	t := field(row[:w[0]], 1)
	a := field(row[w[0]:w[0]+w[1]], 0)
	b := field(row[w[0]+w[1]:], 0)
	const big = 1 << 62
	switch t {
	case 0:
		return Entry{Gen: int(min(b, 1<<20))}
	case 1:
		if a >= big || b >= big {
			return Entry{}
		}
		return r.sane(Entry{Type: EntryInUse, Offset: int64(a) + r.shift, Gen: int(b)})
	case 2:
		if a >= big || b >= big {
			return Entry{}
		}
		return r.sane(Entry{Type: EntryCompressed, Stream: int(a), Index: int(b)})
	}
	return Entry{} // reserved types are null references
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// readRow reads one classic row through the block cache.
func (r *Reader) readRow(pos int64, b []byte) bool {
	const bs = 4096
	for len(b) > 0 {
		blk := pos / bs
		data, ok := r.blocks[blk]
		if !ok {
			if len(r.blocks) >= 256 {
				clear(r.blocks)
			}
			data = make([]byte, bs)
			n, _ := r.ra.ReadAt(data, blk*bs)
			data = data[:n]
			r.blocks[blk] = data
		}
		i := int(pos - blk*bs)
		if i >= len(data) {
			return false
		}
		n := copy(b, data[i:])
		b = b[n:]
		pos += int64(n)
	}
	return true
}

// parseSection reads the cross-reference section at off.
func (r *Reader) parseSection(off int64) (*Section, error) {
	if off < 0 || off >= r.size {
		return nil, errf(ErrSyntax, "cross-reference offset %d outside the file", off)
	}
	s := newSrc(r.ra, r.size, off, &r.lim)
	s.skipWS()
	start := s.pos
	var sec *Section
	var err error
	if w := s.word(8); string(w) == "xref" {
		sec, err = r.parseTable(s)
	} else {
		sec, err = r.parseXRefStream(start)
	}
	if err != nil {
		return nil, err
	}
	sec.Offset = off
	sec.r = r
	sec.Prev, sec.XRefStm = -1, -1
	for _, k := range []string{"Prev", "XRefStm"} {
		x, present := sec.Trailer[Name(k)]
		if !present || (k == "XRefStm" && sec.Stream) {
			continue
		}
		n, ok := x.(int64)
		if !ok || n < 0 || n+r.shift >= r.size {
			sec.PrevErr = errf(ErrSyntax, "/%s %v is not an offset in the file", k, x)
			continue
		}
		if k == "Prev" {
			sec.Prev = n + r.shift
		} else {
			sec.XRefStm = n + r.shift
		}
	}
	r.entries += sec.size
	if r.entries > r.lim.MaxEntries {
		return nil, errf(ErrLimit, "more than %d cross-reference entries", r.lim.MaxEntries)
	}
	return sec, nil
}

func (r *Reader) indexBytes(n int64) error {
	r.indexMem += n
	if r.indexMem > r.lim.MaxIndex {
		return errf(ErrLimit, "more than %d bytes of cross-reference data", r.lim.MaxIndex)
	}
	return nil
}

// parseTable reads a classic table; s is just after "xref".
func (r *Reader) parseTable(s *src) (*Section, error) {
	sec := &Section{r: r, kind: kindTable}
	type sub struct {
		run
		packed bool // entries in packed (irregular rows), else rows in the file
	}
	var subs []sub
	var packed []uint64
	irregular := false
	for {
		if err := r.check(); err != nil {
			return nil, err
		}
		s.skipWS()
		save := s.pos
		if w := s.word(16); string(w) == "trailer" {
			break
		}
		s.pos = save
		first, ok1 := s.readInt()
		count, ok2 := s.readInt()
		if !ok1 || !ok2 || first < 0 || count < 0 || first+count > int64(r.lim.MaxObjectNumber)+1 || count > int64(r.lim.MaxEntries) {
			return nil, errf(ErrSyntax, "bad cross-reference subsection at %d", save)
		}
		sec.size += int(count)
		if sec.size > r.lim.MaxEntries {
			return nil, errf(ErrLimit, "more than %d cross-reference entries", r.lim.MaxEntries)
		}
		if count == 0 {
			continue
		}
		s.skipWS()
		rowsAt := s.pos
		if w, ok := r.regularRows(rowsAt, int(count)); ok {
			subs = append(subs, sub{run: run{start: int(first), count: int(count), pos: rowsAt, width: w}})
			s.pos = rowsAt + int64(w)*count
			continue
		}
		// irregular rows: read them as tokens
		irregular = true
		if err := r.indexBytes(8 * count); err != nil {
			return nil, err
		}
		subs = append(subs, sub{run: run{start: int(first), count: int(count), pos: int64(len(packed))}, packed: true})
		for range count {
			o, ok1 := s.readInt()
			g, ok2 := s.readInt()
			s.skipWS()
			t, _ := s.next()
			if !ok1 || !ok2 || (t != 'n' && t != 'f') {
				return nil, errf(ErrSyntax, "bad cross-reference entry at %d", s.pos)
			}
			e := Entry{Gen: int(min(g, 1<<20))}
			if t == 'n' {
				e = r.sane(Entry{Type: EntryInUse, Offset: o + r.shift, Gen: int(min(g, 1<<20))})
			}
			packed = append(packed, pack(e))
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
	sec.End = s.pos
	runs := make([]run, len(subs))
	for i, sb := range subs {
		runs[i] = sb.run
	}
	if !irregular && ascendingDisjoint(runs) {
		sec.runs = runs
		return sec, nil
	}
	// Irregular, unordered or overlapping subsections: pack every entry.
	err = r.packEntries(sec, func(add func(int, Entry)) {
		for _, sb := range subs {
			for k := 0; k < sb.count; k++ {
				if sb.packed {
					add(sb.start+k, unpack(packed[sb.pos+int64(k)]))
				} else {
					add(sb.start+k, sec.entry(sb.run, k))
				}
			}
		}
	})
	return sec, err
}

func ascendingDisjoint(runs []run) bool {
	for i := 1; i < len(runs); i++ {
		if runs[i].start < runs[i-1].start+runs[i-1].count {
			return false
		}
	}
	return true
}

// regularRows checks that count rows at pos all have one width (19, 20
// or 21 bytes: "oooooooooo ggggg n" and one to three white-space bytes),
// which lets the table be read in place.
func (r *Reader) regularRows(pos int64, count int) (int, bool) {
	var head [21]byte
	n, _ := r.ra.ReadAt(head[:], pos)
	if n < 19 {
		return 0, false
	}
	if _, ok := r.tableEntry(head[:18]); !ok {
		return 0, false
	}
	w := 18
	for w < n && w < 21 && isSpace(head[w]) {
		w++
	}
	if w == 18 {
		return 0, false
	}
	if count == 1 {
		return w, true
	}
	if pos+int64(w)*int64(count) > r.size {
		return 0, false
	}
	ok := true
	err := r.eachRow(pos, count, w, func(k int, row []byte) bool {
		if _, good := r.tableEntry(row); !good {
			ok = false
		}
		return ok
	})
	return w, ok && err == nil
}

// eachRow reads count rows of w bytes at pos in large reads through the
// reader's scratch buffer.
func (r *Reader) eachRow(pos int64, count, w int, fn func(k int, row []byte) bool) error {
	if r.scratch == nil {
		r.scratch = make([]byte, 64<<10)
	}
	per := len(r.scratch) / w
	for k := 0; k < count; {
		if err := r.check(); err != nil {
			return err
		}
		n := min(per, count-k)
		buf := r.scratch[:n*w]
		if m, err := r.ra.ReadAt(buf, pos+int64(k)*int64(w)); m < len(buf) {
			return errf(ErrSyntax, "cross-reference rows cut short: %v", err)
		}
		for i := range n {
			if !fn(k+i, buf[i*w:(i+1)*w]) {
				return nil
			}
		}
		k += n
	}
	return nil
}

// parseXRefStream reads the cross-reference stream object at off. Its
// /Length, /Filter and /DecodeParms must be direct: the index that would
// resolve them is what is being read.
func (r *Reader) parseXRefStream(off int64) (*Section, error) {
	ind, err := r.parseIndirect(off, r.size)
	if err != nil {
		return nil, err
	}
	st, ok := ind.obj.(*Stream)
	if !ok || st.Dict.Name("Type") != "XRef" {
		return nil, errf(ErrSyntax, "no cross-reference section at %d", off)
	}
	if ind.lenRef != nil {
		// an indirect /Length: the stream ends at its endstream keyword
		n, err := r.findEndstream(st.Offset, r.size)
		if err != nil {
			return nil, err
		}
		st.Length = n
	}
	wArr, _ := st.Dict.Get("W").(Array)
	if len(wArr) != 3 {
		return nil, errf(ErrSyntax, "bad /W in cross-reference stream")
	}
	sec := &Section{r: r, Stream: true, kind: kindStream, Trailer: st.Dict, End: ind.end}
	rowLen := 0
	for i := range 3 {
		x, ok := wArr[i].(int64)
		if !ok || x < 0 || x > 8 {
			return nil, errf(ErrSyntax, "bad /W in cross-reference stream")
		}
		sec.w[i] = int(x)
		rowLen += int(x)
	}
	if rowLen == 0 {
		return nil, errf(ErrSyntax, "bad /W in cross-reference stream")
	}
	var index []int64
	if ia, ok := st.Dict.Get("Index").(Array); ok {
		for _, x := range ia {
			n, ok := x.(int64)
			if !ok {
				return nil, errf(ErrSyntax, "bad /Index in cross-reference stream")
			}
			index = append(index, n)
		}
	} else {
		size, _ := st.Dict.Int("Size")
		index = []int64{0, size}
	}
	// the rows the /Index asks for: the decoded size to expect, within
	// the index budget and what the raw data can expand to
	var want int64
	for i := 1; i < len(index); i += 2 {
		want += min(max(index[i], 0), int64(r.lim.MaxObjectNumber)+1) * int64(rowLen)
	}
	if want > r.lim.MaxIndex-r.indexMem {
		return nil, errf(ErrLimit, "more than %d bytes of cross-reference data", r.lim.MaxIndex)
	}
	want = min(want, st.Length*r.lim.MaxRatio)
	filters, parms, err := streamFilters(st.Dict, nil)
	if err != nil {
		return nil, err
	}
	data, rest, _, err := r.decodeChain(io.NewSectionReader(r.ra, st.Offset, st.Length), filters, parms, want)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, errf(ErrSyntax, "cross-reference stream with filter %s", rest[0])
	}
	rows := int64(len(data) / rowLen)
	var runs []run
	var at int64
	for i := 0; i+1 < len(index); i += 2 {
		first, count := index[i], index[i+1]
		if first < 0 || count < 0 || first+count > int64(r.lim.MaxObjectNumber)+1 {
			return nil, errf(ErrSyntax, "bad /Index in cross-reference stream")
		}
		count = min(count, rows-at) // a short stream defines what it holds
		if count <= 0 {
			break
		}
		runs = append(runs, run{start: int(first), count: int(count), pos: at * int64(rowLen), width: rowLen})
		at += count
		sec.size += int(count)
	}
	if err := r.indexBytes(at * int64(rowLen)); err != nil {
		return nil, err
	}
	sec.rows = data[:at*int64(rowLen)]
	if ascendingDisjoint(runs) {
		sec.runs = runs
		return sec, nil
	}
	err = r.packEntries(sec, func(add func(int, Entry)) {
		for _, rn := range runs {
			for k := 0; k < rn.count; k++ {
				add(rn.start+k, sec.entry(rn, k))
			}
		}
	})
	return sec, err
}

// packEntries makes sec a packed section from entries given in file
// order, the first definition of a number winning (as viewers read a
// section that defines a number twice).
func (r *Reader) packEntries(sec *Section, each func(add func(int, Entry))) error {
	if err := r.indexBytes(16 * int64(sec.size)); err != nil {
		return err
	}
	type ent struct {
		num int
		v   uint64
	}
	ents := make([]ent, 0, sec.size)
	each(func(num int, e Entry) { ents = append(ents, ent{num: num, v: pack(e)}) })
	slices.SortStableFunc(ents, func(a, b ent) int { return a.num - b.num })
	sec.kind = kindPacked
	sec.rows = nil
	sec.runs = nil
	sec.packed = make([]uint64, 0, len(ents))
	for i, e := range ents {
		if i > 0 && ents[i-1].num == e.num {
			continue // the stable sort keeps the first definition first
		}
		if n := len(sec.runs); n > 0 && sec.runs[n-1].start+sec.runs[n-1].count == e.num {
			sec.runs[n-1].count++
		} else {
			sec.runs = append(sec.runs, run{start: e.num, count: 1, pos: int64(len(sec.packed))})
		}
		sec.packed = append(sec.packed, e.v)
	}
	sec.size = len(sec.packed)
	return nil
}
