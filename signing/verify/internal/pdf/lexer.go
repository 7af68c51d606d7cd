package pdf

import (
	"bytes"
	"io"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// Limits applied to every parse.
const (
	maxDepth       = 64       // nesting of arrays and dictionaries
	maxStringLen   = 32 << 20 // one string
	maxElements    = 1 << 20  // elements in one parsed object
	chunkSize      = 16 << 10
	maxNameLen     = 4096
	maxNumberLen   = 64
	maxEndstreamGo = 256 << 20 // how far to look for a missing endstream
)

// src reads bytes from an io.ReaderAt through a small window.
type src struct {
	r      io.ReaderAt
	size   int64
	buf    []byte
	bufOff int64
	pos    int64
	elems  int
}

func newSrc(r io.ReaderAt, size, pos int64) *src {
	return &src{r: r, size: size, pos: pos}
}

func (s *src) fill() bool {
	if s.pos < 0 || s.pos >= s.size {
		return false
	}
	if s.pos >= s.bufOff && s.pos < s.bufOff+int64(len(s.buf)) {
		return true
	}
	n := int64(chunkSize)
	if s.pos+n > s.size {
		n = s.size - s.pos
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

func (s *src) skipWS() {
	for {
		c, ok := s.peek()
		if !ok {
			return
		}
		if pdfsyntax.IsWhite(c) {
			s.pos++
			continue
		}
		if c == '%' {
			for {
				c, ok := s.next()
				if !ok || c == '\n' || c == '\r' {
					break
				}
			}
			continue
		}
		return
	}
}

// word reads a run of regular characters.
func (s *src) word(limit int) []byte {
	var b []byte
	for {
		c, ok := s.peek()
		if !ok || pdfsyntax.IsWhite(c) || pdfsyntax.IsDelim(c) {
			return b
		}
		if len(b) >= limit {
			return b
		}
		b = append(b, c)
		s.pos++
	}
}

// expectKeyword skips whitespace and consumes kw if present.
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

func (s *src) parseObject(depth int) (Object, error) {
	if depth > maxDepth {
		return nil, errf(ErrLimit, "nesting deeper than %d at %d", maxDepth, s.pos)
	}
	s.elems++
	if s.elems > maxElements {
		return nil, errf(ErrLimit, "more than %d elements", maxElements)
	}
	s.skipWS()
	c, ok := s.peek()
	if !ok {
		return nil, errf(ErrSyntax, "unexpected end of file at %d", s.pos)
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
		c2, _ := s.peek()
		if c2 == '<' {
			s.pos++
			return s.parseDict(depth)
		}
		return s.parseHex()
	case c == '[':
		s.pos++
		var arr Array
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
		return nil, errf(ErrSyntax, "unexpected token %q at %d", w, start)
	}
}

func (s *src) parseName() (Object, error) {
	return Name(pdfsyntax.DecodeName(s.word(maxNameLen))), nil
}

func (s *src) parseLiteral() (Object, error) {
	var out []byte
	nest := 1
	for {
		c, ok := s.next()
		if !ok {
			return nil, errf(ErrSyntax, "unterminated string")
		}
		if len(out) > maxStringLen {
			return nil, errf(ErrLimit, "string longer than %d bytes", maxStringLen)
		}
		switch c {
		case '(':
			nest++
		case ')':
			nest--
			if nest == 0 {
				return String(out), nil
			}
		case '\\':
			e, ok := s.next()
			if !ok {
				return nil, errf(ErrSyntax, "unterminated string")
			}
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if n, _ := s.peek(); n == '\n' {
					s.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for i := 0; i < 2; i++ {
						d, ok := s.peek()
						if !ok || d < '0' || d > '7' {
							break
						}
						s.pos++
						v = v*8 + int(d-'0')
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
}

func (s *src) parseHex() (Object, error) {
	var out []byte
	var hi byte
	half := false
	for {
		if !s.fill() {
			return nil, errf(ErrSyntax, "unterminated hex string")
		}
		// fast path over the window
		win := s.buf[s.pos-s.bufOff:]
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
				half = false
			} else {
				hi = v
				half = true
			}
		}
		s.pos += int64(len(win))
		if len(out) > maxStringLen {
			return nil, errf(ErrLimit, "hex string longer than %d bytes", maxStringLen)
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
		k, _ := s.parseName()
		v, err := s.parseObject(depth + 1)
		if err != nil {
			return nil, err
		}
		if v != nil {
			d[k.(Name)] = v
		}
	}
}

func (s *src) number() ([]byte, bool) {
	w := s.word(maxNumberLen)
	if len(w) == 0 {
		return nil, false
	}
	return w, true
}

func (s *src) parseNumberOrRef() (Object, error) {
	start := s.pos
	w, _ := s.number()
	if bytes.IndexByte(w, '.') >= 0 || bytes.ContainsAny(w, "eE") {
		f, err := strconv.ParseFloat(string(bytes.TrimLeft(w, "+")), 64)
		if err != nil {
			// tolerate forms like "--1" or "1.2.3": treat as 0
			return float64(0), nil
		}
		return f, nil
	}
	i, err := strconv.ParseInt(string(w), 10, 64)
	if err != nil {
		if len(w) == 0 {
			return nil, errf(ErrSyntax, "bad number at %d", start)
		}
		return float64(0), nil
	}
	// possible reference "n g R"
	save := s.pos
	s.skipWS()
	if c, ok := s.peek(); ok && c >= '0' && c <= '9' {
		g := s.word(maxNumberLen)
		if gen, err := strconv.ParseInt(string(g), 10, 32); err == nil {
			s.skipWS()
			if c, ok := s.peek(); ok && c == 'R' {
				s.pos++
				if n, ok := s.peek(); !ok || pdfsyntax.IsWhite(n) || pdfsyntax.IsDelim(n) {
					if i >= 0 && i < 1<<31 {
						return Ref{Num: int(i), Gen: int(gen)}, nil
					}
				}
			}
		}
	}
	s.pos = save
	return i, nil
}

// readInt reads an unsigned decimal integer token.
func (s *src) readInt() (int64, bool) {
	s.skipWS()
	w := s.word(maxNumberLen)
	if len(w) == 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(string(w), 10, 64)
	return v, err == nil
}
