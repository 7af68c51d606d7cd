package pdf

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
)

// Reader reads one PDF file through an io.ReaderAt. It is not safe for
// concurrent use.
type Reader struct {
	ctx     context.Context
	ra      io.ReaderAt
	size    int64
	lim     Limits
	header  int64 // offset of "%PDF-"
	shift   int64 // added to every offset the file states
	version string

	sections map[int64]*Section
	secErr   map[int64]error
	entries  int
	indexMem int64
	decoded  int64
	parsed   int
	blocks   map[int64][]byte
	scratch  []byte        // 64 KiB for row checks and scans
	zr       io.ReadCloser // a zlib reader reused by decodeChain
	zBusy    bool          // zr is in use
	objs     objCache
	stms     stmCache

	scanned  bool
	scanErr  error
	revs     []Revision
	ignored  []Marker
	trailEnd int64
	final    *Marker // the last startxref in the file (backward search)
}

// Revision is one revision of the file: the bytes from the end of the
// previous one up to a "startxref N" marker (and the %%EOF after it, if
// any) whose offset names a readable cross-reference section lying before
// the marker. Revisions are found the way viewers find them: by their
// startxref, with or without %%EOF.
type Revision struct {
	Index     int
	Start     int64 // first byte (0 for the first revision)
	End       int64 // just after "%%EOF", or after the startxref number when there is none
	StartXRef int64 // offset of the revision's newest section (header shift applied)
	EOF       bool  // the marker ends with %%EOF
	Marker    int64 // offset of the "startxref" keyword
}

// Marker is a "startxref" keyword found in the file, with the offset it
// names, or a %%EOF with no startxref before it (Keyword "%%EOF").
type Marker struct {
	Keyword   string
	Offset    int64 // of the keyword
	End       int64 // just after %%EOF, or after the number
	StartXRef int64 // -1 when no number follows
	EOF       bool
	Err       error // why it is not a revision
}

// Open prepares a reader for the PDF in ra (size bytes): it finds the
// %PDF- header (within the first 1024 bytes; bytes before it are kept)
// and decides whether the file's offsets count from the start of the file
// or, as some writers have it, from the header. Nothing else is read yet.
func Open(ctx context.Context, ra io.ReaderAt, size int64, lim Limits) (*Reader, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	r := &Reader{ctx: ctx, ra: ra, size: size, lim: lim.withDefaults(),
		sections: map[int64]*Section{}, secErr: map[int64]error{}, blocks: map[int64][]byte{}}
	head := make([]byte, min(size, 1024))
	n, err := ra.ReadAt(head, 0)
	if n == 0 && err != nil && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 {
		return nil, errf(ErrSyntax, "no %%PDF- header")
	}
	r.header = int64(i)
	v := head[i+5:]
	j := 0
	for j < len(v) && j < 4 && (v[j] == '.' || (v[j] >= '0' && v[j] <= '9')) {
		j++
	}
	r.version = string(v[:j])
	if r.header > 0 {
		r.chooseShift()
	}
	return r, nil
}

// chooseShift: with bytes before the header, offsets may count from the
// header. The last startxref decides: if its section is only found at
// header + offset, every offset of the file is read that way.
func (r *Reader) chooseShift() {
	m, err := r.lastStartxref()
	if err != nil || m.StartXRef < 0 {
		return
	}
	defer func() {
		// forget what the probes read: offsets depend on the shift
		r.entries, r.indexMem, r.final = 0, 0, nil
		clear(r.blocks)
	}()
	if _, err := r.parseSection(m.StartXRef); err == nil {
		return
	}
	r.shift = r.header
	if _, err := r.parseSection(m.StartXRef + r.header); err != nil {
		r.shift = 0
	}
}

// Size returns the file size.
func (r *Reader) Size() int64 { return r.size }

// ReaderAt returns the underlying reader.
func (r *Reader) ReaderAt() io.ReaderAt { return r.ra }

// Version returns the header's version ("1.7").
func (r *Reader) Version() string { return r.version }

// Header returns the offset of "%PDF-" (0 unless bytes precede it) and
// the shift added to the file's offsets (0, or Header when the file counts
// its offsets from the header).
func (r *Reader) Header() (at, shift int64) { return r.header, r.shift }

// Limits returns the limits in force.
func (r *Reader) Limits() Limits { return r.lim }

// Err reports the context's error (deadline reached, cancelled).
func (r *Reader) Err() error { return r.ctx.Err() }

func (r *Reader) check() error { return r.ctx.Err() }

// Section returns the cross-reference section at off (parsed once).
func (r *Reader) Section(off int64) (*Section, error) {
	if s, ok := r.sections[off]; ok {
		return s, nil
	}
	if err, ok := r.secErr[off]; ok {
		return nil, err
	}
	if len(r.sections)+len(r.secErr) >= r.lim.MaxSections {
		return nil, errf(ErrLimit, "more than %d cross-reference sections", r.lim.MaxSections)
	}
	s, err := r.parseSection(off)
	if err != nil {
		if r.ctx.Err() == nil {
			r.secErr[off] = err
		}
		return nil, err
	}
	r.sections[off] = s
	return s, nil
}

// Revisions scans the file for its revisions (once) and returns them in
// file order.
func (r *Reader) Revisions() ([]Revision, error) {
	if !r.scanned {
		r.scanErr = r.scan()
		if r.scanErr == nil || r.ctx.Err() == nil {
			r.scanned = true
		}
	}
	return r.revs, r.scanErr
}

// Ignored returns the markers that do not end a revision: startxref
// keywords without a number or whose offset names no readable section
// before them, and %%EOF comments without a startxref. Their bytes lie
// inside the next revision or in the trailing bytes.
func (r *Reader) Ignored() []Marker {
	_, _ = r.Revisions()
	return r.ignored
}

// Trailing returns the bytes after the last revision, [start, Size()), and
// whether they hold anything but white space. Viewers read such bytes
// (an update without a startxref is found by repairing the file), so they
// are a change nobody signed.
func (r *Reader) Trailing() (start int64, junk bool) {
	if _, err := r.Revisions(); err != nil && len(r.revs) == 0 {
		return 0, r.size > 0
	}
	start = r.trailEnd
	const win = 64 << 10
	if r.scratch == nil {
		r.scratch = make([]byte, win)
	}
	buf := r.scratch[:win]
	for off := start; off < r.size; off += win {
		n, _ := r.ra.ReadAt(buf[:min(win, r.size-off)], off)
		for _, c := range buf[:n] {
			if !isSpace(c) {
				return start, true
			}
		}
	}
	return start, false
}

// scan finds every startxref marker and %%EOF in the file.
func (r *Reader) scan() error {
	const win = 64 << 10
	const over = 16
	buf := make([]byte, win+over)
	var markers []Marker
	eofs := 0
	lastEOF := int64(-1) // last %%EOF already attached to a startxref
	for off := int64(0); off < r.size; off += win {
		if err := r.check(); err != nil {
			return err
		}
		n, _ := r.ra.ReadAt(buf[:min(int64(len(buf)), r.size-off)], off)
		b := buf[:n]
		for _, kw := range []string{"startxref", "%%EOF"} {
			for i := 0; ; {
				j := bytes.Index(b[i:], []byte(kw))
				if j < 0 || i+j >= win {
					break
				}
				at := off + int64(i+j)
				i += j + len(kw)
				if kw == "startxref" {
					markers = append(markers, r.marker(at))
					if len(markers) > r.lim.MaxRevisions {
						return errf(ErrLimit, "more than %d startxref markers", r.lim.MaxRevisions)
					}
				} else {
					markers = append(markers, Marker{Keyword: "%%EOF", Offset: at, End: at + 5, StartXRef: -1, EOF: true})
					eofs++
					if eofs > 4*r.lim.MaxRevisions {
						return errf(ErrLimit, "more than %d %%%%EOF markers", 4*r.lim.MaxRevisions)
					}
				}
			}
		}
	}
	sortMarkers(markers)
	var prevEnd int64
	for _, m := range markers {
		if err := r.check(); err != nil {
			return err
		}
		if m.Keyword == "%%EOF" {
			if m.Offset > lastEOF {
				m.Err = errf(ErrSyntax, "%%%%EOF without startxref at %d", m.Offset)
				r.ignored = append(r.ignored, m)
			}
			continue
		}
		if m.EOF {
			lastEOF = m.End - 5
		}
		if m.Err == nil {
			m.Err = r.validMarker(m)
		}
		if m.Err != nil {
			r.ignored = append(r.ignored, m)
			continue
		}
		r.revs = append(r.revs, Revision{Index: len(r.revs), Start: prevEnd, End: m.End, StartXRef: m.StartXRef, EOF: m.EOF, Marker: m.Offset})
		prevEnd = m.End
	}
	r.trailEnd = prevEnd
	if len(r.revs) == 0 {
		return errf(ErrSyntax, "no startxref naming a cross-reference section")
	}
	return nil
}

func sortMarkers(m []Marker) {
	slices.SortStableFunc(m, func(a, b Marker) int { return cmp.Compare(a.Offset, b.Offset) })
}

// validMarker reports why the section m names does not make a revision.
func (r *Reader) validMarker(m Marker) error {
	s, err := r.Section(m.StartXRef)
	if err != nil {
		return err
	}
	if s.End > m.Offset {
		return errf(ErrSyntax, "startxref at %d names a section that does not end before it", m.Offset)
	}
	return nil
}

// marker reads the number after the "startxref" keyword at at, and the
// %%EOF that may follow it.
func (r *Reader) marker(at int64) Marker {
	m := Marker{Keyword: "startxref", Offset: at, StartXRef: -1}
	b := make([]byte, 96)
	n, _ := r.ra.ReadAt(b, at+9)
	b = b[:n]
	p := 0
	for p < len(b) && isSpace(b[p]) {
		p++
	}
	q := p
	for q < len(b) && b[q] >= '0' && b[q] <= '9' {
		q++
	}
	v, err := strconv.ParseInt(string(b[p:q]), 10, 64)
	if err != nil || q == p || (q < len(b) && !isSpace(b[q]) && b[q] != '%') {
		m.End = at + 9
		m.Err = errf(ErrSyntax, "startxref at %d has no offset", at)
		return m
	}
	m.StartXRef = v + r.shift
	m.End = at + 9 + int64(q)
	e := q
	for e < len(b) && isSpace(b[e]) {
		e++
	}
	if bytes.HasPrefix(b[e:], []byte("%%EOF")) {
		m.EOF = true
		m.End = at + 9 + int64(e) + 5
	}
	return m
}

// lastStartxref finds the last "startxref" of the file, searching
// backwards from the end as viewers do.
func (r *Reader) lastStartxref() (Marker, error) {
	if r.final != nil {
		return *r.final, nil
	}
	const win = 4096
	buf := make([]byte, win+16)
	for end := r.size; end > 0; end -= win {
		if err := r.check(); err != nil {
			return Marker{}, err
		}
		start := max(end-win, 0)
		n, _ := r.ra.ReadAt(buf[:min(end+16, r.size)-start], start)
		if i := bytes.LastIndex(buf[:n], []byte("startxref")); i >= 0 {
			m := r.marker(start + int64(i))
			r.final = &m
			return m, nil
		}
	}
	return Marker{}, errf(ErrSyntax, "no startxref in the file")
}

// View returns the view of revision i (see Revisions).
func (r *Reader) View(i int) (*View, error) {
	revs, err := r.Revisions()
	if i < 0 || i >= len(revs) {
		if err != nil {
			return nil, err
		}
		return nil, errf(ErrNotFound, "no revision %d", i)
	}
	limit := revs[i].End
	if i == len(revs)-1 {
		limit = r.size // viewers read the whole file
	}
	return r.newView(revs[i], limit)
}

// Final returns the view a viewer opens: the chain of the last startxref
// of the file, found searching backwards from the end (the whole file is
// not scanned). It fails when that startxref names no readable section;
// a viewer would then rebuild the cross-reference data by itself.
func (r *Reader) Final() (*View, error) {
	m, err := r.lastStartxref()
	if err != nil {
		return nil, err
	}
	if m.Err != nil {
		return nil, m.Err
	}
	if err := r.validMarker(m); err != nil {
		return nil, err
	}
	rev := Revision{Index: -1, End: m.End, StartXRef: m.StartXRef, EOF: m.EOF, Marker: m.Offset}
	if r.scanned && len(r.revs) > 0 && r.revs[len(r.revs)-1].Marker == m.Offset {
		rev = r.revs[len(r.revs)-1]
	}
	return r.newView(rev, r.size)
}

// OpenFinal opens ra with the default limits and returns Final's view:
// what the signer and the text layout read.
func OpenFinal(ctx context.Context, ra io.ReaderAt, size int64) (*View, error) {
	r, err := Open(ctx, ra, size, Limits{})
	if err != nil {
		return nil, err
	}
	return r.Final()
}
