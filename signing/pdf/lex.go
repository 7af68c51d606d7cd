package pdf

import (
	"bytes"
	"io"
	"math"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

const (
	firstChunk   = 2 << 10
	chunkSize    = 16 << 10
	maxNumberLen = 256
)

// src reads bytes from an io.ReaderAt through a small window, never past
// limit (the end of the revision a View reads, or of a decoded buffer).
type src struct {
	r      io.ReaderAt
	limit  int64
	buf    []byte
	bufOff int64
	pos    int64
	elems  int
	lim    *Limits
}

func newSrc(r io.ReaderAt, limit, pos int64, lim *Limits) *src {
	return &src{r: r, limit: limit, pos: pos, lim: lim}
}

// bytesSrc parses from an in-memory buffer (decoded object streams).
func bytesSrc(b []byte, pos int64, lim *Limits) *src {
	return &src{buf: b, limit: int64(len(b)), pos: pos, lim: lim}
}

func (s *src) fill() bool {
	if s.pos < 0 || s.pos >= s.limit {
		return false
	}
	if s.pos >= s.bufOff && s.pos < s.bufOff+int64(len(s.buf)) {
		return true
	}
	if s.r == nil {
		return false
	}
	// most objects are small: the first window is small, later ones big
	n := int64(firstChunk)
	if s.buf != nil {
		n = chunkSize
	}
	if s.pos+n > s.limit {
		n = s.limit - s.pos
	}
	if cap(s.buf) < int(n) {
		s.buf = make([]byte, n)
	}
	s.buf = s.buf[:n]
	m, err := s.r.ReadAt(s.buf, s.pos)
	if m <= 0 && err != nil {
		s.buf = s.buf[:0]
		return false
	}
	s.buf = s.buf[:m]
	s.bufOff = s.pos
	return true
}

func (s *src) peek() (byte, bool) {
	if !s.fill() {
		return 0, false
	}
	return s.buf[s.pos-s.bufOff], true
}

func (s *src) next() (byte, bool) {
	c, ok := s.peek()
	if ok {
		s.pos++
	}
	return c, ok
}

// ensure returns at least n buffered bytes from pos on (fewer at the
// limit), reading a bigger window when needed.
func (s *src) ensure(n int) []byte {
	w := s.window()
	if w == nil || len(w) >= n || s.r == nil || s.pos+int64(len(w)) >= s.limit {
		return w
	}
	m := min(int64(n), s.limit-s.pos)
	buf := make([]byte, m)
	k, _ := s.r.ReadAt(buf, s.pos)
	if k <= len(w) {
		return w
	}
	s.buf, s.bufOff = buf[:k], s.pos
	return s.buf
}

// window returns the buffered bytes from pos on (at least one when not at
// the end).
func (s *src) window() []byte {
	if !s.fill() {
		return nil
	}
	return s.buf[s.pos-s.bufOff:]
}

func (s *src) skipWS() {
	for {
		w := s.window()
		if w == nil {
			return
		}
		i := 0
		for i < len(w) && pdfsyntax.IsWhite(w[i]) {
			i++
		}
		s.pos += int64(i)
		if i == len(w) {
			continue
		}
		if w[i] != '%' {
			return
		}
		// a comment runs to the end of the line, maybe across windows
		s.pos++
		for {
			w := s.window()
			if w == nil {
				return
			}
			if j := bytes.IndexAny(w, "\r\n"); j >= 0 {
				s.pos += int64(j)
				break
			}
			s.pos += int64(len(w))
		}
	}
}

// word reads a run of regular characters (at most limit). The result may
// alias the window: callers use it before reading on.
func (s *src) word(limit int) []byte {
	var b []byte
	for {
		w := s.window()
		if w == nil {
			return b
		}
		tok, end := pdfsyntax.Regular(w, 0)
		if len(b)+len(tok) > limit {
			tok = tok[:limit-len(b)]
			end = len(tok)
		}
		s.pos += int64(end)
		if b == nil && (end < len(w) || len(tok) == limit) {
			return tok // within the window: no copy
		}
		b = append(b, tok...)
		if end < len(w) || len(b) >= limit {
			return b
		}
	}
}

// expectKeyword skips white space and consumes kw when it is the next
// token.
func (s *src) expectKeyword(kw string) bool {
	save := s.pos
	s.skipWS()
	w := s.word(len(kw) + 1)
	if string(w) == kw {
		return true
	}
	s.pos = save
	return false
}

// readInt reads a decimal integer token.
func (s *src) readInt() (int64, bool) {
	s.skipWS()
	w := s.word(maxNumberLen)
	if len(w) == 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(w), 10, 64)
	return v, err == nil
}

// parseObject parses one direct object (a reference "n g R" counts as
// one).
func (s *src) parseObject(depth int) (Object, error) {
	if depth > s.lim.MaxDepth {
		return nil, errf(ErrLimit, "nesting deeper than %d at %d", s.lim.MaxDepth, s.pos)
	}
	s.elems++
	if s.elems > s.lim.MaxElements {
		return nil, errf(ErrLimit, "more than %d elements in one object", s.lim.MaxElements)
	}
	s.skipWS()
	c, ok := s.peek()
	if !ok {
		return nil, errf(ErrSyntax, "unexpected end of data at %d", s.pos)
	}
	switch {
	case c == '/':
		s.pos++
		return s.parseName()
	case c == '(':
		s.pos++
		return s.parseLiteral()
	case c == '<':
		s.pos++
		if c2, _ := s.peek(); c2 == '<' {
			s.pos++
			return s.parseDict(depth)
		}
		return s.parseHex()
	case c == '[':
		s.pos++
		arr := Array{}
		for {
			s.skipWS()
			c, ok := s.peek()
			if !ok {
				return nil, errf(ErrSyntax, "unterminated array")
			}
			if c == ']' {
				s.pos++
				return arr, nil
			}
			o, err := s.parseObject(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, o)
		}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return s.parseNumberOrRef()
	default:
		start := s.pos
		w := s.word(16)
		switch string(w) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if len(w) == 0 {
			s.pos++ // a stray delimiter such as ")" or "}"
		}
		return nil, errf(ErrSyntax, "unexpected token %q at %d", w, start)
	}
}

// parseName reads a name (its "/" read). A name is never cut: one longer
// than MaxNameLen (decoded; the token may be three times that with #xx
// escapes) is an error.
func (s *src) parseName() (Name, error) {
	raw := s.word(3*s.lim.MaxNameLen + 1)
	n := pdfsyntax.DecodeName(raw)
	if len(raw) > 3*s.lim.MaxNameLen || len(n) > s.lim.MaxNameLen {
		return "", errf(ErrLimit, "name longer than %d bytes", s.lim.MaxNameLen)
	}
	return Name(n), nil
}

func (s *src) parseLiteral() (Object, error) {
	// decode within a window that grows until the string closes (up to
	// the string limit)
	for n := 0; ; n = max(4*n, 64<<10) {
		w := s.window()
		if n > 0 {
			w = s.ensure(n)
		}
		if w == nil {
			return nil, errf(ErrSyntax, "unterminated string")
		}
		out, end, closed := pdfsyntax.Literal(w, 0)
		if closed {
			if len(out) > s.lim.MaxStringLen {
				return nil, errf(ErrLimit, "string longer than %d bytes", s.lim.MaxStringLen)
			}
			s.pos += int64(end)
			return String(out), nil
		}
		if n > 0 && len(w) < n {
			return nil, errf(ErrSyntax, "unterminated string")
		}
		if n > s.lim.MaxStringLen {
			return nil, errf(ErrLimit, "string longer than %d bytes", s.lim.MaxStringLen)
		}
	}
}

func (s *src) parseHex() (Object, error) {
	// most strings end within a 64 KiB window: decode them in one go
	w := s.window()
	if w != nil && bytes.IndexByte(w, '>') < 0 {
		w = s.ensure(64 << 10)
	}
	if w != nil {
		if i := bytes.IndexByte(w, '>'); i >= 0 {
			out, end, _, bad := pdfsyntax.Hex(w[:i+1], 0)
			if bad >= 0 {
				s.pos += int64(bad)
				return nil, errf(ErrSyntax, "bad hex digit at %d", s.pos)
			}
			s.pos += int64(end)
			return String(out), nil
		}
	}
	out := []byte{}
	var hi byte
	half := false
	for {
		win := s.window()
		if win == nil {
			return nil, errf(ErrSyntax, "unterminated hex string")
		}
		for i, c := range win {
			if c == '>' {
				s.pos += int64(i) + 1
				if half {
					out = append(out, hi<<4)
				}
				return String(out), nil
			}
			if pdfsyntax.IsWhite(c) {
				continue
			}
			v, ok := pdfsyntax.Unhex(c)
			if !ok {
				s.pos += int64(i)
				return nil, errf(ErrSyntax, "bad hex digit at %d", s.pos)
			}
			if half {
				out = append(out, hi<<4|v)
			} else {
				hi = v
			}
			half = !half
		}
		s.pos += int64(len(win))
		if len(out) > s.lim.MaxStringLen {
			return nil, errf(ErrLimit, "hex string longer than %d bytes", s.lim.MaxStringLen)
		}
	}
}

func (s *src) parseDict(depth int) (Object, error) {
	d := Dict{}
	for {
		s.skipWS()
		c, ok := s.peek()
		if !ok {
			return nil, errf(ErrSyntax, "unterminated dictionary")
		}
		if c == '>' {
			s.pos++
			if c2, _ := s.peek(); c2 == '>' {
				s.pos++
			}
			return d, nil
		}
		if c != '/' {
			return nil, errf(ErrSyntax, "dictionary key expected at %d", s.pos)
		}
		s.pos++
		k, err := s.parseName()
		if err != nil {
			return nil, err
		}
		v, err := s.parseObject(depth + 1)
		if err != nil {
			return nil, err
		}
		if v != nil {
			d[k] = v
		}
	}
}

func (s *src) parseNumberOrRef() (Object, error) {
	start := s.pos
	w := s.word(maxNumberLen + 1)
	if len(w) > maxNumberLen {
		return nil, errf(ErrSyntax, "number longer than %d characters at %d", maxNumberLen, start)
	}
	if bytes.IndexByte(w, '.') >= 0 || bytes.ContainsAny(w, "eExXpPnNiI_") {
		if bytes.ContainsAny(w, "eExXpPnNiI_") {
			// PDF numbers have no exponent (nor hex, Inf, NaN):
			// such junk reads as 0, as for "--1" or "1.2.3"
			return float64(0), nil
		}
		f, err := strconv.ParseFloat(string(bytes.TrimLeft(w, "+")), 64)
		if err != nil {
			return float64(0), nil
		}
		return realInRange(f, start)
	}
	i, err := strconv.ParseInt(string(w), 10, 64)
	if err != nil {
		if len(w) == 0 {
			s.pos++
			return nil, errf(ErrSyntax, "bad number at %d", start)
		}
		// an integer too big for int64 is a real; junk like "--1" is 0
		if digits := bytes.TrimLeft(w, "+-"); len(w)-len(digits) <= 1 && len(digits) > 0 && len(bytes.Trim(digits, "0123456789")) == 0 {
			if f, err := strconv.ParseFloat(string(bytes.TrimLeft(w, "+")), 64); err == nil {
				return realInRange(f, start)
			}
		}
		return float64(0), nil
	}
	// a reference "n g R"
	save := s.pos
	s.skipWS()
	if c, ok := s.peek(); ok && c >= '0' && c <= '9' && i >= 0 {
		g := s.word(maxNumberLen)
		if gen, err := strconv.ParseInt(string(g), 10, 32); err == nil {
			s.skipWS()
			if c, ok := s.peek(); ok && c == 'R' {
				s.pos++
				if n, ok := s.peek(); !ok || pdfsyntax.IsWhite(n) || pdfsyntax.IsDelim(n) {
					if i < 1<<31 {
						return Ref{Num: int(i), Gen: int(gen)}, nil
					}
				}
			}
		}
	}
	s.pos = save
	return i, nil
}

// maxReal bounds the magnitude of real numbers (ISO 32000's
// implementation limit is about 3.4 × 10^38), so that every number read
// is written back in a form that reads back.
const maxReal = 1e38

func realInRange(f float64, at int64) (Object, error) {
	if math.IsNaN(f) || math.Abs(f) > maxReal {
		return nil, errf(ErrSyntax, "number out of range at %d", at)
	}
	return f, nil
}

// ParseObject parses one direct object from b with the default limits. It
// is the entry point for fuzzing and for small buffers.
func ParseObject(b []byte) (Object, error) {
	lim := DefaultLimits
	return bytesSrc(b, 0, &lim).parseObject(0)
}
