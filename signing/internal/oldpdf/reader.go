package oldpdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// Limits that keep hostile files from exhausting memory or looping.
const (
	maxXRefSections = 4096
	maxObjNum       = 1 << 24 // 16.7 M objects
	maxWindow       = 64 << 20
	maxDecoded      = 128 << 20
	maxResolveDepth = 32
)

// Errors reported by the reader.
var (
	ErrNoXRef     = errors.New("cross-reference data not found")
	ErrXRefLoop   = errors.New("cross-reference chain loops or is too long")
	ErrNotFound   = errors.New("object not found")
	ErrNotAStream = errors.New("object is not a stream")
	ErrFilter     = errors.New("unsupported stream filter")
)

// XRefKind is the kind of the newest cross-reference section.
type XRefKind int

// Cross-reference section kinds.
const (
	XRefTable  XRefKind = iota // classic "xref" table (also hybrid files)
	XRefStream                 // cross-reference stream (PDF 1.5+)
)

type entryType uint8

const (
	entFree entryType = iota
	entInUse
	entCompressed
)

type xentry struct {
	typ entryType
	off int64 // file offset (in use) or object stream number (compressed)
	gen int64 // generation (in use) or index in the object stream
}

// File is a parsed PDF file: its cross-reference index and trailer. Objects
// are parsed on demand.
type File struct {
	r       io.ReaderAt
	size    int64
	Version string   // header version, e.g. "1.7"
	Trailer Dict     // trailer of the newest section
	Kind    XRefKind // kind of the newest section
	// StartXRef is the offset of the newest cross-reference section (the
	// value an incremental update writes as /Prev).
	StartXRef int64
	Sections  int // number of cross-reference sections in the chain
	// Repaired is set when the /Prev chain was broken and older sections
	// were found by scanning for startxref.
	Repaired bool

	entries map[int64]xentry
	objstm  map[int64]*objStream
}

type objStream struct {
	data  []byte
	first int
	offs  []int // offsets of the objects (relative to first)
	nums  []int64
}

// Size returns the file size given to Open.
func (f *File) Size() int64 { return f.size }

// Open parses the cross-reference chain of the PDF in r.
func Open(r io.ReaderAt, size int64) (*File, error) {
	f := &File{r: r, size: size, entries: map[int64]xentry{}, objstm: map[int64]*objStream{}}
	head := make([]byte, 1024)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 {
		return nil, fmt.Errorf("not a PDF file: %w", ErrSyntax)
	}
	v := head[i+5:]
	j := 0
	for j < len(v) && j < 4 && (v[j] == '.' || (v[j] >= '0' && v[j] <= '9')) {
		j++
	}
	f.Version = string(v[:j])
	start, err := f.findStartXRef()
	if err != nil {
		return nil, err
	}
	f.StartXRef = start
	seen := map[int64]bool{}
	off := start
	first := true
	for off >= 0 {
		if seen[off] || len(seen) >= maxXRefSections {
			return nil, ErrXRefLoop
		}
		seen[off] = true
		trailer, kind, err := f.readSection(off)
		if err != nil {
			return nil, fmt.Errorf("failed to read cross-reference section at %d: %w", off, err)
		}
		f.Sections++
		if first {
			f.Trailer = trailer
			f.Kind = kind
			first = false
		}
		prev, ok := trailer.Int("Prev")
		if !ok {
			break
		}
		if prev == 0 {
			// "/Prev 0" is a writer bug: the older sections exist but
			// are not chained. Recover them from their startxref lines.
			f.Repaired = true
			f.recoverSections(seen)
			break
		}
		if prev < 0 || prev >= size {
			return nil, fmt.Errorf("cross-reference /Prev %d out of range: %w", prev, ErrSyntax)
		}
		off = prev
	}
	if _, ok := f.Trailer["Root"].(Ref); !ok {
		return nil, fmt.Errorf("trailer has no /Root: %w", ErrSyntax)
	}
	return f, nil
}

func (f *File) findStartXRef() (int64, error) {
	n := int64(4096)
	if n > f.size {
		n = f.size
	}
	tail := make([]byte, n)
	if _, err := f.r.ReadAt(tail, f.size-n); err != nil && err != io.EOF {
		return 0, err
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, ErrNoXRef
	}
	p := &parser{buf: tail[i+9:], eof: true}
	p.skipWhite()
	tok := p.regular()
	off, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil || off <= 0 || off >= f.size {
		return 0, fmt.Errorf("bad startxref: %w", ErrNoXRef)
	}
	return off, nil
}

// window reads up to n bytes at off.
func (f *File) window(off int64, n int) ([]byte, bool, error) {
	if off < 0 || off >= f.size {
		return nil, false, fmt.Errorf("offset %d out of range: %w", off, ErrSyntax)
	}
	eof := false
	if int64(n) >= f.size-off {
		n = int(f.size - off)
		eof = true
	}
	buf := make([]byte, n)
	m, err := f.r.ReadAt(buf, off)
	if m < n {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, false, err
	}
	return buf, eof, nil
}

// parseAt runs fn on a growing window starting at off until it no longer
// needs more bytes.
func (f *File) parseAt(off int64, fn func(p *parser) error) error {
	for n := 4096; ; n *= 4 {
		buf, eof, err := f.window(off, n)
		if err != nil {
			return err
		}
		p := &parser{buf: buf, base: off, eof: eof}
		err = fn(p)
		if err != errShort {
			return err
		}
		if eof || n >= maxWindow {
			return ErrSyntax
		}
	}
}

func (f *File) readSection(off int64) (Dict, XRefKind, error) {
	buf, _, err := f.window(off, 64)
	if err != nil {
		return nil, 0, err
	}
	b := bytes.TrimLeft(buf, " \r\n\t\f\x00")
	if bytes.HasPrefix(b, []byte("xref")) {
		t, err := f.readTable(off + int64(len(buf)-len(b)) + 4)
		if err != nil {
			return nil, 0, err
		}
		if xs, ok := t.Int("XRefStm"); ok {
			if xs > 0 && xs < f.size {
				// Hybrid file: the stream fills in what the table lacks.
				if _, err := f.readXRefStream(xs, true); err != nil {
					return nil, 0, fmt.Errorf("failed to read /XRefStm: %w", err)
				}
			}
		}
		return t, XRefTable, nil
	}
	t, err := f.readXRefStream(off, false)
	return t, XRefStream, err
}

func (f *File) set(num int64, e xentry, override bool) {
	if num < 0 || num > maxObjNum {
		return
	}
	if old, ok := f.entries[num]; ok {
		if !override || old.typ != entFree {
			return
		}
	}
	f.entries[num] = e
}

// tokenReader reads whitespace-separated tokens from a bufio.Reader,
// tracking the absolute offset.
type tokenReader struct {
	br  *bufio.Reader
	off int64
}

func (t *tokenReader) next() ([]byte, int64, error) {
	for {
		c, err := t.br.ReadByte()
		if err != nil {
			return nil, t.off, err
		}
		t.off++
		if pdfsyntax.IsWhite(c) {
			continue
		}
		start := t.off - 1
		tok := []byte{c}
		for len(tok) < 32 {
			c, err := t.br.ReadByte()
			if err != nil {
				break
			}
			if pdfsyntax.IsWhite(c) || pdfsyntax.IsDelim(c) {
				_ = t.br.UnreadByte()
				break
			}
			t.off++
			tok = append(tok, c)
		}
		return tok, start, nil
	}
}

// readTable reads a classic table's subsections starting after "xref" and
// returns the trailer dictionary.
func (f *File) readTable(off int64) (Dict, error) {
	tr := &tokenReader{br: bufio.NewReaderSize(io.NewSectionReader(f.r, off, f.size-off), 32<<10), off: off}
	// Entries of this section; added after the section is complete so
	// that within a section the first definition of a number wins.
	section := map[int64]xentry{}
	for {
		tok, pos, err := tr.next()
		if err != nil {
			return nil, ErrSyntax
		}
		if string(tok) == "trailer" {
			var d Dict
			err := f.parseAt(pos+7, func(p *parser) error {
				o, err := p.object(0)
				if err != nil {
					return err
				}
				dd, ok := o.(Dict)
				if !ok {
					return ErrSyntax
				}
				d = dd
				return nil
			})
			if err != nil {
				return nil, err
			}
			for num, e := range section {
				f.set(num, e, false)
			}
			return d, nil
		}
		start, err1 := strconv.ParseInt(string(tok), 10, 64)
		ctok, _, err := tr.next()
		if err != nil {
			return nil, ErrSyntax
		}
		count, err2 := strconv.ParseInt(string(ctok), 10, 64)
		if err1 != nil || err2 != nil || start < 0 || count < 0 || start+count > maxObjNum {
			return nil, ErrSyntax
		}
		for i := int64(0); i < count; i++ {
			a, _, e1 := tr.next()
			b, _, e2 := tr.next()
			c, _, e3 := tr.next()
			if e1 != nil || e2 != nil || e3 != nil {
				return nil, ErrSyntax
			}
			o, err1 := strconv.ParseInt(string(a), 10, 64)
			g, err2 := strconv.ParseInt(string(b), 10, 64)
			if err1 != nil || err2 != nil {
				return nil, ErrSyntax
			}
			num := start + i
			if _, dup := section[num]; dup {
				continue
			}
			switch string(c) {
			case "n":
				if o == 0 && num != 0 {
					// Some writers mark missing objects "0000000000 n".
					section[num] = xentry{typ: entFree}
				} else {
					section[num] = xentry{typ: entInUse, off: o, gen: g}
				}
			case "f":
				section[num] = xentry{typ: entFree}
			default:
				return nil, ErrSyntax
			}
		}
	}
}

// readXRefStream reads the cross-reference stream at off. fill is true for
// a hybrid file's /XRefStm, whose entries only replace free/missing ones.
func (f *File) readXRefStream(off int64, fill bool) (Dict, error) {
	o, err := f.objectAt(off, Ref{}, 0)
	if err != nil {
		return nil, err
	}
	s, ok := o.(*Stream)
	if !ok || s.Dict.Name("Type") != "XRef" {
		return nil, fmt.Errorf("no cross-reference stream at %d: %w", off, ErrSyntax)
	}
	data, err := f.StreamData(s)
	if err != nil {
		return nil, err
	}
	wa, _ := s.Dict["W"].(Array)
	if len(wa) != 3 {
		return nil, ErrSyntax
	}
	var w [3]int
	row := 0
	for i, v := range wa {
		n, ok := v.(Integer)
		if !ok || n < 0 || n > 8 {
			return nil, ErrSyntax
		}
		w[i] = int(n)
		row += int(n)
	}
	if row == 0 {
		return nil, ErrSyntax
	}
	size, _ := s.Dict.Int("Size")
	idx, _ := s.Dict["Index"].(Array)
	if idx == nil {
		idx = Array{Integer(0), Integer(size)}
	}
	if len(idx)%2 != 0 {
		return nil, ErrSyntax
	}
	field := func(b []byte, def int64) int64 {
		if len(b) == 0 {
			return def
		}
		var v int64
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		return v
	}
	pos := 0
	for i := 0; i < len(idx); i += 2 {
		st, ok1 := idx[i].(Integer)
		cnt, ok2 := idx[i+1].(Integer)
		if !ok1 || !ok2 || st < 0 || cnt < 0 || int64(st)+int64(cnt) > maxObjNum {
			return nil, ErrSyntax
		}
		for k := int64(0); k < int64(cnt); k++ {
			if pos+row > len(data) {
				return nil, ErrSyntax
			}
			r := data[pos : pos+row]
			pos += row
			typ := field(r[:w[0]], 1)
			a := field(r[w[0]:w[0]+w[1]], 0)
			b := field(r[w[0]+w[1]:], 0)
			num := int64(st) + k
			var e xentry
			switch typ {
			case 0:
				e = xentry{typ: entFree}
			case 1:
				e = xentry{typ: entInUse, off: a, gen: b}
			case 2:
				e = xentry{typ: entCompressed, off: a, gen: b}
			default:
				continue // reserved types are ignored
			}
			f.set(num, e, fill)
		}
	}
	return s.Dict, nil
}

// objectAt parses the indirect object at off. want, if non-zero, must match
// the object header.
func (f *File) objectAt(off int64, want Ref, depth int) (Object, error) {
	var obj Object
	var dataOff int64 = -1
	err := f.parseAt(off, func(p *parser) error {
		r, err := p.indirectHeader()
		if err != nil {
			return err
		}
		if !want.IsZero() && r.Num != want.Num {
			return fmt.Errorf("object %v not at offset %d: %w", want, off, ErrSyntax)
		}
		o, err := p.object(0)
		if err != nil {
			return err
		}
		if d, ok := o.(Dict); ok {
			if at, ok := p.streamStart(); ok {
				dataOff = p.base + int64(at)
			} else if p.pos >= len(p.buf) && !p.eof {
				return errShort
			}
			_ = d
		}
		obj = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	if dataOff >= 0 {
		return &Stream{Dict: obj.(Dict), Offset: dataOff}, nil
	}
	return obj, nil
}

// Object returns the object ref points to, or Null{} for free/missing
// objects (as the PDF specification requires).
func (f *File) Object(ref Ref) (Object, error) { return f.object(ref, 0) }

func (f *File) object(ref Ref, depth int) (Object, error) {
	if depth > maxResolveDepth {
		return nil, ErrSyntax
	}
	e, ok := f.entries[ref.Num]
	if !ok || e.typ == entFree {
		return Null{}, nil
	}
	switch e.typ {
	case entInUse:
		if e.off <= 0 || e.off >= f.size {
			return nil, fmt.Errorf("object %v offset out of range: %w", ref, ErrSyntax)
		}
		return f.objectAt(e.off, ref, depth)
	default:
		os, err := f.objStream(e.off, depth)
		if err != nil {
			return nil, fmt.Errorf("failed to read object stream %d: %w", e.off, err)
		}
		i := int(e.gen)
		if i < 0 || i >= len(os.offs) || os.nums[i] != ref.Num {
			// Index mismatch: search by number.
			i = -1
			for k, n := range os.nums {
				if n == ref.Num {
					i = k
					break
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("object %v not in its object stream: %w", ref, ErrNotFound)
			}
		}
		start := os.first + os.offs[i]
		if start < 0 || start > len(os.data) {
			return nil, ErrSyntax
		}
		p := &parser{buf: os.data[start:], eof: true}
		return p.object(0)
	}
}

func (f *File) objStream(num int64, depth int) (*objStream, error) {
	if os, ok := f.objstm[num]; ok {
		return os, nil
	}
	e, ok := f.entries[num]
	if !ok || e.typ != entInUse {
		return nil, ErrNotFound
	}
	o, err := f.objectAt(e.off, Ref{Num: num}, depth+1)
	if err != nil {
		return nil, err
	}
	s, ok := o.(*Stream)
	if !ok {
		return nil, ErrNotAStream
	}
	data, err := f.streamData(s, depth+1)
	if err != nil {
		return nil, err
	}
	n, _ := s.Dict.Int("N")
	first, _ := s.Dict.Int("First")
	if n < 0 || n > maxObjNum || first < 0 || first > int64(len(data)) {
		return nil, ErrSyntax
	}
	os := &objStream{data: data, first: int(first)}
	p := &parser{buf: data[:first], eof: true}
	for i := int64(0); i < n; i++ {
		a, err1 := p.object(0)
		b, err2 := p.object(0)
		if err1 != nil || err2 != nil {
			return nil, ErrSyntax
		}
		an, ok1 := a.(Integer)
		bn, ok2 := b.(Integer)
		if !ok1 || !ok2 || bn < 0 {
			return nil, ErrSyntax
		}
		os.nums = append(os.nums, int64(an))
		os.offs = append(os.offs, int(bn))
	}
	if len(f.objstm) > 8 {
		for k := range f.objstm {
			delete(f.objstm, k)
			break
		}
	}
	f.objstm[num] = os
	return os, nil
}

// Resolve follows o if it is a reference (repeatedly), returning the
// direct object.
func (f *File) Resolve(o Object) (Object, error) {
	for i := 0; i < maxResolveDepth; i++ {
		r, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		var err error
		o, err = f.Object(r)
		if err != nil {
			return nil, err
		}
	}
	return nil, ErrXRefLoop
}

// ResolveDict resolves o and returns it as a dictionary (a stream's
// dictionary for streams); nil if it is neither.
func (f *File) ResolveDict(o Object) (Dict, error) {
	o, err := f.Resolve(o)
	if err != nil {
		return nil, err
	}
	switch v := o.(type) {
	case Dict:
		return v, nil
	case *Stream:
		return v.Dict, nil
	}
	return nil, nil
}

// streamLength resolves /Length.
func (f *File) streamLength(s *Stream, depth int) (int64, bool) {
	switch v := s.Dict["Length"].(type) {
	case Integer:
		return int64(v), v >= 0
	case Ref:
		if depth > 4 {
			return 0, false
		}
		o, err := f.object(v, depth+1)
		if err != nil {
			return 0, false
		}
		n, ok := o.(Integer)
		return int64(n), ok && n >= 0
	}
	return 0, false
}

// RawStreamData returns the still-encoded bytes of s (bounded).
func (f *File) RawStreamData(s *Stream) ([]byte, error) { return f.rawStreamData(s, 0) }

func (f *File) rawStreamData(s *Stream, depth int) ([]byte, error) {
	if s.Offset < 0 {
		return s.Data, nil
	}
	n, ok := f.streamLength(s, depth)
	if ok && s.Offset+n <= f.size && n <= maxDecoded {
		buf, _, err := f.window(s.Offset, int(n))
		if n == 0 {
			return []byte{}, nil
		}
		if err != nil {
			return nil, err
		}
		// Check that endstream follows; if not, fall back to searching.
		tail, _, err := f.window(s.Offset+n, 32)
		if err == nil && bytes.Contains(tail, []byte("endstream")) {
			return buf, nil
		}
	}
	// Fallback: search for "endstream".
	for w := 64 << 10; ; w *= 4 {
		buf, eof, err := f.window(s.Offset, w)
		if err != nil {
			return nil, err
		}
		if i := bytes.Index(buf, []byte("endstream")); i >= 0 {
			d := buf[:i]
			d = bytes.TrimSuffix(d, []byte("\n"))
			d = bytes.TrimSuffix(d, []byte("\r"))
			return d, nil
		}
		if eof || w >= maxDecoded {
			return nil, ErrSyntax
		}
	}
}

// StreamData returns the decoded data of s. Only FlateDecode (with PNG or
// no predictor) is supported, which is all the structural streams need.
func (f *File) StreamData(s *Stream) ([]byte, error) { return f.streamData(s, 0) }

func (f *File) streamData(s *Stream, depth int) ([]byte, error) {
	raw, err := f.rawStreamData(s, depth)
	if err != nil {
		return nil, err
	}
	filters := []Object{}
	switch v := s.Dict["Filter"].(type) {
	case Name:
		filters = append(filters, v)
	case Array:
		filters = v
	}
	var parms []Object
	switch v := s.Dict["DecodeParms"].(type) {
	case Dict:
		parms = []Object{v}
	case Array:
		parms = v
	}
	data := raw
	for i, fo := range filters {
		name, _ := fo.(Name)
		var parm Dict
		if i < len(parms) {
			parm, _ = parms[i].(Dict)
		}
		switch name {
		case "FlateDecode", "Fl":
			data, err = inflate(data)
			if err != nil {
				return nil, err
			}
			data, err = unpredict(data, parm)
			if err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: %s", ErrFilter, name)
		}
	}
	return data, nil
}

func inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("failed to inflate: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxDecoded+1))
	if len(out) > maxDecoded {
		return nil, fmt.Errorf("stream too large: %w", ErrSyntax)
	}
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("failed to inflate: %w", err)
	}
	return out, nil
}

func unpredict(data []byte, parm Dict) ([]byte, error) {
	pred, _ := parm.Int("Predictor")
	if pred < 10 {
		if pred == 2 {
			return nil, fmt.Errorf("%w: TIFF predictor", ErrFilter)
		}
		return data, nil
	}
	cols, ok := parm.Int("Columns")
	if !ok {
		cols = 1
	}
	colors, ok := parm.Int("Colors")
	if !ok {
		colors = 1
	}
	bpc, ok := parm.Int("BitsPerComponent")
	if !ok {
		bpc = 8
	}
	if cols <= 0 || cols > 1<<20 || colors <= 0 || colors > 32 || bpc <= 0 || bpc > 16 {
		return nil, ErrSyntax
	}
	bpp := int((colors*bpc + 7) / 8)
	rowLen := int((cols*colors*bpc + 7) / 8)
	if rowLen <= 0 {
		return nil, ErrSyntax
	}
	out := make([]byte, 0, len(data))
	prev := make([]byte, rowLen)
	cur := make([]byte, rowLen)
	for len(data) > 0 {
		if len(data) < rowLen+1 {
			break
		}
		ft := data[0]
		copy(cur, data[1:rowLen+1])
		data = data[rowLen+1:]
		if !pdfsyntax.UndoPNGRow(ft, cur, prev, bpp) {
			return nil, ErrSyntax
		}
		out = append(out, cur...)
		prev, cur = cur, prev
	}
	return out, nil
}

// MaxObjectNumber returns the highest object number present in the index.
func (f *File) MaxObjectNumber() int64 {
	var m int64
	for n := range f.entries {
		if n > m {
			m = n
		}
	}
	return m
}

// Has reports whether object num is in use.
func (f *File) Has(num int64) bool {
	e, ok := f.entries[num]
	return ok && e.typ != entFree
}

// recoverSections scans the file for "startxref" markers and reads the
// sections they name that the /Prev chain missed, newest first. Errors are
// ignored: this is best-effort recovery.
func (f *File) recoverSections(seen map[int64]bool) {
	var offs []int64
	const chunk = 1 << 20
	buf := make([]byte, chunk+16)
	for pos := int64(0); pos < f.size; pos += chunk {
		n, _ := f.r.ReadAt(buf, pos)
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte("startxref"))
			if j < 0 || i+j >= chunk {
				break
			}
			p := &parser{buf: b[i+j+9:], eof: true}
			p.skipWhite()
			if v, err := strconv.ParseInt(string(p.regular()), 10, 64); err == nil && v > 0 && v < f.size {
				offs = append(offs, v)
			}
			i += j + 9
		}
		if len(offs) > maxXRefSections {
			break
		}
	}
	for i := len(offs) - 1; i >= 0; i-- {
		off := offs[i]
		if seen[off] {
			continue
		}
		seen[off] = true
		if _, _, err := f.readSection(off); err == nil {
			f.Sections++
		}
	}
}
