package pdf

import (
	"bufio"
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"context"
	"encoding/ascii85"
	"errors"
	"io"

	tifflzw "golang.org/x/image/tiff/lzw"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// imageFilters are passed through: their data is image data that only an
// image decoder reads, and Decode stops before the first of them.
var imageFilters = map[Name]bool{
	"DCTDecode": true, "DCT": true, "JPXDecode": true, "JBIG2Decode": true,
	"CCITTFaxDecode": true, "CCF": true,
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decodeChain decodes raw through filters (with their parameters). It
// returns the data and the image filters it left applied. hint, when
// positive, is the expected decoded size.
func (r *Reader) decodeChain(raw io.Reader, filters []Name, parms []Dict, hint int64) ([]byte, []Name, []Dict, error) {
	defer func() { r.zBusy = false }()
	cr := &countingReader{r: raw}
	var rd io.Reader = cr
	for i, f := range filters {
		var p Dict
		if i < len(parms) {
			p = parms[i]
		}
		if imageFilters[f] {
			rest := append([]Name(nil), filters[i:]...)
			var rp []Dict
			if i < len(parms) {
				rp = append(rp, parms[i:]...)
			}
			data, err := r.readDecoded(rd, cr, hint)
			return data, rest, rp, err
		}
		next, err := r.filterReader(f, rd, p)
		if err != nil {
			return nil, nil, nil, err
		}
		rd = next
	}
	data, err := r.readDecoded(rd, cr, hint)
	return data, nil, nil, err
}

func (r *Reader) filterReader(f Name, rd io.Reader, p Dict) (io.Reader, error) {
	switch f {
	case "FlateDecode", "Fl":
		zr, err := r.inflater(rd)
		if err != nil {
			return nil, errf(ErrSyntax, "bad flate data: %v", err)
		}
		return predictor(zr, p)
	case "LZWDecode", "LZW":
		early, ok := p.Int("EarlyChange")
		if !ok {
			early = 1
		}
		var lr io.Reader
		if early == 0 {
			lr = lzw.NewReader(bufio.NewReader(rd), lzw.MSB, 8)
		} else {
			lr = tifflzw.NewReader(bufio.NewReader(rd), tifflzw.MSB, 8)
		}
		return predictor(lr, p)
	case "ASCIIHexDecode", "AHx":
		return &asciiHexReader{r: bufio.NewReader(rd)}, nil
	case "ASCII85Decode", "A85":
		return ascii85.NewDecoder(&ascii85Body{r: bufio.NewReader(rd)}), nil
	case "RunLengthDecode", "RL":
		return &runLengthReader{r: bufio.NewReader(rd)}, nil
	case "Crypt":
		if n := p.Name("Name"); n == "" || n == "Identity" {
			return rd, nil
		}
		return nil, errf(ErrUnsupported, "encrypted stream (Crypt filter %s)", p.Name("Name"))
	}
	return nil, errf(ErrUnsupported, "filter %s", f)
}

// inflater returns a zlib reader of rd: the reader's own one, reset, when
// no other decoding uses it (its 32 KiB window is not allocated again for
// every stream), else a new one.
func (r *Reader) inflater(rd io.Reader) (io.Reader, error) {
	br := bufio.NewReader(rd)
	if r.zBusy {
		return zlib.NewReader(br)
	}
	if r.zr == nil {
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, err
		}
		r.zr, r.zBusy = zr, true
		return zr, nil
	}
	if err := r.zr.(zlib.Resetter).Reset(br, nil); err != nil {
		return nil, err
	}
	r.zBusy = true
	return r.zr, nil
}

// readDecoded reads a decoded stream with the size, ratio, total and time
// limits. A stream whose data breaks off after some output (a truncated
// or corrupt tail) gives what was decoded, as viewers show.
func (r *Reader) readDecoded(rd io.Reader, raw *countingReader, hint int64) ([]byte, error) {
	var out bytes.Buffer
	if hint > 0 {
		out.Grow(int(min(hint, r.lim.MaxDecoded) + 1))
	}
	_, err := out.ReadFrom(&limitedReader{r: r, rd: rd, raw: raw})
	if err == nil {
		return out.Bytes(), nil
	}
	var le limitError
	if errors.As(err, &le) {
		return nil, le.err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	if out.Len() > 0 {
		return out.Bytes(), nil
	}
	if errors.Is(err, ErrSyntax) || errors.Is(err, ErrUnsupported) {
		return nil, err
	}
	return nil, errf(ErrSyntax, "bad stream data: %v", err)
}

// limitedReader applies the decoded size, ratio, total and time limits
// to a decoding chain.
type limitedReader struct {
	r   *Reader
	rd  io.Reader
	raw *countingReader
	n   int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if err := l.r.check(); err != nil {
		return 0, err
	}
	lim := &l.r.lim
	if int64(len(p)) > lim.MaxDecoded-l.n+1 {
		p = p[:lim.MaxDecoded-l.n+1]
	}
	n, err := l.rd.Read(p)
	l.n += int64(n)
	l.r.decoded += int64(n)
	switch {
	case l.n > lim.MaxDecoded:
		return n, limitError{errf(ErrLimit, "stream decodes to more than %d bytes", lim.MaxDecoded)}
	case l.n > ratioFloor && l.n > l.raw.n*lim.MaxRatio:
		return n, limitError{errf(ErrLimit, "stream expands more than %d times", lim.MaxRatio)}
	case l.r.decoded > lim.MaxTotalDecoded:
		return n, limitError{errf(ErrLimit, "more than %d decoded bytes in the file", lim.MaxTotalDecoded)}
	}
	return n, err
}

// limitError carries a limit error through io.Reader chains.
type limitError struct{ err error }

func (e limitError) Error() string { return e.err.Error() }

// Predictors ----------------------------------------------------------------

func predictor(rd io.Reader, p Dict) (io.Reader, error) {
	pred, _ := p.Int("Predictor")
	if pred <= 1 {
		return rd, nil
	}
	cols, ok := p.Int("Columns")
	if !ok {
		cols = 1
	}
	colors, ok := p.Int("Colors")
	if !ok {
		colors = 1
	}
	bpc, ok := p.Int("BitsPerComponent")
	if !ok {
		bpc = 8
	}
	if cols <= 0 || cols > 1<<20 || colors <= 0 || colors > 32 {
		return nil, errf(ErrSyntax, "bad predictor parameters")
	}
	switch bpc {
	case 1, 2, 4, 8, 16:
	default:
		return nil, errf(ErrSyntax, "bad predictor parameters")
	}
	rowLen := int((cols*colors*bpc + 7) / 8)
	bpp := int((colors*bpc + 7) / 8)
	switch {
	case pred == 2:
		return &tiffReader{r: rd, row: make([]byte, rowLen), colors: int(colors), bpc: int(bpc)}, nil
	case pred >= 10 && pred <= 15:
		return &pngReader{r: rd, row: make([]byte, rowLen+1), prev: make([]byte, rowLen), bpp: bpp}, nil
	}
	return nil, errf(ErrUnsupported, "predictor %d", pred)
}

// pngReader undoes the PNG predictors row by row (each row starts with its
// filter type byte).
type pngReader struct {
	r       io.Reader
	row     []byte // filter byte + row
	prev    []byte
	bpp     int
	pending []byte
	err     error
}

func (p *pngReader) Read(b []byte) (int, error) {
	for len(p.pending) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		n, err := io.ReadFull(p.r, p.row)
		if n <= 1 {
			if err == nil || err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			p.err = err
			continue
		}
		if err == io.ErrUnexpectedEOF {
			p.err = io.EOF // a short last row: what it has is decoded
		} else if err != nil {
			p.err = err
		}
		cur := p.row[1:n]
		if !pdfsyntax.UndoPNGRow(p.row[0], cur, p.prev[:len(cur)], p.bpp) {
			p.err = errf(ErrSyntax, "unknown PNG filter type %d", p.row[0])
			continue
		}
		copy(p.prev, cur)
		p.pending = cur
	}
	n := copy(b, p.pending)
	p.pending = p.pending[n:]
	return n, nil
}

// tiffReader undoes TIFF predictor 2 (horizontal differencing).
type tiffReader struct {
	r       io.Reader
	row     []byte
	colors  int
	bpc     int
	pending []byte
	err     error
}

func (t *tiffReader) Read(b []byte) (int, error) {
	for len(t.pending) == 0 {
		if t.err != nil {
			return 0, t.err
		}
		n, err := io.ReadFull(t.r, t.row)
		if n == 0 {
			if err == nil || err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			t.err = err
			continue
		}
		if err == io.ErrUnexpectedEOF {
			t.err = io.EOF
		} else if err != nil {
			t.err = err
		}
		cur := t.row[:n]
		undoTIFFRow(cur, t.colors, t.bpc)
		t.pending = cur
	}
	n := copy(b, t.pending)
	t.pending = t.pending[n:]
	return n, nil
}

// undoTIFFRow adds each sample to the one colors samples before it.
func undoTIFFRow(row []byte, colors, bpc int) {
	switch bpc {
	case 8:
		for i := colors; i < len(row); i++ {
			row[i] += row[i-colors]
		}
	case 16:
		for i := 2 * colors; i+1 < len(row); i += 2 {
			v := uint16(row[i])<<8 | uint16(row[i+1])
			p := uint16(row[i-2*colors])<<8 | uint16(row[i-2*colors+1])
			v += p
			row[i], row[i+1] = byte(v>>8), byte(v)
		}
	default: // 1, 2 or 4 bits per sample
		mask := byte(1<<bpc - 1)
		samples := len(row) * 8 / bpc
		get := func(k int) byte {
			bit := k * bpc
			return row[bit/8] >> (8 - bpc - bit%8) & mask
		}
		set := func(k int, v byte) {
			bit := k * bpc
			sh := 8 - bpc - bit%8
			row[bit/8] = row[bit/8]&^(mask<<sh) | (v&mask)<<sh
		}
		for k := colors; k < samples; k++ {
			set(k, get(k)+get(k-colors))
		}
	}
}

// ASCIIHexDecode, ASCII85Decode, RunLengthDecode -----------------------------

type asciiHexReader struct {
	r    *bufio.Reader
	done bool
}

func (a *asciiHexReader) Read(b []byte) (int, error) {
	n := 0
	var hi byte
	half := false
	for n < len(b) && !a.done {
		c, err := a.r.ReadByte()
		if err == io.EOF || c == '>' {
			a.done = true
			break
		}
		if err != nil {
			return n, err
		}
		if pdfsyntax.IsWhite(c) {
			continue
		}
		v, ok := pdfsyntax.Unhex(c)
		if !ok {
			return n, errf(ErrSyntax, "bad ASCIIHex data")
		}
		if half {
			b[n] = hi<<4 | v
			n++
		} else {
			hi = v
		}
		half = !half
	}
	if half && n < len(b) {
		// an odd final digit is followed by 0 (the loop only stops
		// between digits when b is full)
		b[n] = hi << 4
		n++
	}
	if n == 0 && a.done {
		return 0, io.EOF
	}
	return n, nil
}

// ascii85Body ends the ASCII85 data at its "~>" end marker (and drops a
// leading "<~").
type ascii85Body struct {
	r       *bufio.Reader
	started bool
	done    bool
}

func (a *ascii85Body) Read(b []byte) (int, error) {
	if !a.started {
		a.started = true
		if p, err := a.r.Peek(2); err == nil && string(p) == "<~" {
			a.r.Discard(2)
		}
	}
	n := 0
	for n < len(b) && !a.done {
		c, err := a.r.ReadByte()
		if err != nil || c == '~' {
			a.done = true
			break
		}
		b[n] = c
		n++
	}
	if n == 0 && a.done {
		return 0, io.EOF
	}
	return n, nil
}

type runLengthReader struct {
	r       *bufio.Reader
	pending []byte
	buf     [128]byte
	done    bool
}

func (l *runLengthReader) Read(b []byte) (int, error) {
	for len(l.pending) == 0 {
		if l.done {
			return 0, io.EOF
		}
		c, err := l.r.ReadByte()
		if err != nil || c == 128 {
			l.done = true
			continue
		}
		if c < 128 {
			k, _ := io.ReadFull(l.r, l.buf[:int(c)+1])
			l.pending = l.buf[:k]
			if k < int(c)+1 {
				l.done = true
			}
			continue
		}
		v, err := l.r.ReadByte()
		if err != nil {
			l.done = true
			continue
		}
		k := 257 - int(c)
		for i := range k {
			l.buf[i] = v
		}
		l.pending = l.buf[:k]
	}
	n := copy(b, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}
