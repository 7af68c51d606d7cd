package oldpdf

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// ErrSyntax is returned for malformed PDF syntax.
var ErrSyntax = errors.New("pdf syntax error")

// errShort means the buffer ended before the object did; callers holding
// only a window of the file retry with a bigger window.
var errShort = errors.New("pdf object truncated")

const maxDepth = 64

// parser parses objects from an in-memory window of the file. base is the
// absolute file offset of buf[0]; eof tells whether buf reaches the end of
// the file (so running out of bytes is a syntax error, not errShort).
type parser struct {
	buf  []byte
	pos  int
	base int64
	eof  bool
}

func (p *parser) short() error {
	if p.eof {
		return ErrSyntax
	}
	return errShort
}

func (p *parser) skipWhite() { p.pos = pdfsyntax.SkipWhite(p.buf, p.pos) }

// regular reads a regular token (no delimiters).
func (p *parser) regular() []byte {
	tok, end := pdfsyntax.Regular(p.buf, p.pos)
	p.pos = end
	return tok
}

// ParseObject parses one direct object from b (no "obj" wrapper). It is the
// entry point used by fuzzing and by callers holding small byte slices.
func ParseObject(b []byte) (Object, error) {
	p := &parser{buf: b, eof: true}
	o, err := p.object(0)
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (p *parser) object(depth int) (Object, error) {
	if depth > maxDepth {
		return nil, ErrSyntax
	}
	p.skipWhite()
	if p.pos >= len(p.buf) {
		return nil, p.short()
	}
	c := p.buf[p.pos]
	switch {
	case c == '/':
		p.pos++
		return p.name()
	case c == '(':
		p.pos++
		return p.literal()
	case c == '<':
		if p.pos+1 >= len(p.buf) {
			return nil, p.short()
		}
		if p.buf[p.pos+1] == '<' {
			p.pos += 2
			return p.dict(depth)
		}
		p.pos++
		return p.hex()
	case c == '[':
		p.pos++
		var a Array
		for {
			p.skipWhite()
			if p.pos >= len(p.buf) {
				return nil, p.short()
			}
			if p.buf[p.pos] == ']' {
				p.pos++
				if a == nil {
					a = Array{}
				}
				return a, nil
			}
			o, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, o)
		}
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		tok := p.regular()
		switch string(tok) {
		case "true":
			return Bool(true), nil
		case "false":
			return Bool(false), nil
		case "null":
			return Null{}, nil
		}
		if p.pos >= len(p.buf) && !p.eof {
			return nil, errShort
		}
		return nil, ErrSyntax
	}
}

// number parses a number and, when followed by "G R", a reference.
func (p *parser) number() (Object, error) {
	tok := p.regular()
	if p.pos >= len(p.buf) && !p.eof {
		return nil, errShort
	}
	n, err := parseNumber(tok)
	if err != nil {
		return nil, err
	}
	num, isInt := n.(Integer)
	if !isInt || num < 0 {
		return n, nil
	}
	// Look ahead for "gen R".
	save := p.pos
	p.skipWhite()
	if p.pos < len(p.buf) && p.buf[p.pos] >= '0' && p.buf[p.pos] <= '9' {
		gtok := p.regular()
		p.skipWhite()
		if p.pos < len(p.buf) && p.buf[p.pos] == 'R' && (p.pos+1 == len(p.buf) || pdfsyntax.IsWhite(p.buf[p.pos+1]) || pdfsyntax.IsDelim(p.buf[p.pos+1])) {
			if p.pos+1 == len(p.buf) && !p.eof {
				return nil, errShort
			}
			gen, err := strconv.ParseInt(string(gtok), 10, 64)
			if err == nil && gen >= 0 && gen <= 65535 {
				p.pos++
				return Ref{Num: int64(num), Gen: gen}, nil
			}
		}
		if p.pos >= len(p.buf) && !p.eof {
			return nil, errShort
		}
	} else if p.pos >= len(p.buf) && !p.eof {
		return nil, errShort
	}
	p.pos = save
	return n, nil
}

func parseNumber(tok []byte) (Object, error) {
	if len(tok) == 0 {
		return nil, ErrSyntax
	}
	if i, err := strconv.ParseInt(string(tok), 10, 64); err == nil {
		return Integer(i), nil
	}
	// Reals: digits, one dot, optional sign; tolerate "--1" style junk by
	// rejecting it.
	s := string(tok)
	if bytes.ContainsAny(tok, "eExXpP_") {
		return nil, ErrSyntax
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, ErrSyntax
	}
	return Real(f), nil
}

func (p *parser) name() (Object, error) {
	tok := p.regular()
	if p.pos >= len(p.buf) && !p.eof {
		return nil, errShort
	}
	return Name(pdfsyntax.DecodeName(tok)), nil
}

func (p *parser) literal() (Object, error) {
	out, end, closed := pdfsyntax.Literal(p.buf, p.pos)
	if !closed {
		return nil, p.short()
	}
	p.pos = end
	return String{Value: out}, nil
}

func (p *parser) hex() (Object, error) {
	out, end, closed, bad := pdfsyntax.Hex(p.buf, p.pos)
	if bad >= 0 {
		return nil, ErrSyntax
	}
	if !closed {
		return nil, p.short()
	}
	p.pos = end
	return String{Value: out, Hex: true}, nil
}

func (p *parser) dict(depth int) (Object, error) {
	d := Dict{}
	for {
		p.skipWhite()
		if p.pos+1 >= len(p.buf) {
			return nil, p.short()
		}
		if p.buf[p.pos] == '>' && p.buf[p.pos+1] == '>' {
			p.pos += 2
			return d, nil
		}
		if p.buf[p.pos] != '/' {
			return nil, ErrSyntax
		}
		p.pos++
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, isNull := v.(Null); !isNull {
			d[k.(Name)] = v
		}
	}
}

// expectKeyword skips white space and consumes kw if it is next.
func (p *parser) expectKeyword(kw string) bool {
	p.skipWhite()
	if p.pos+len(kw) > len(p.buf) {
		return false
	}
	if string(p.buf[p.pos:p.pos+len(kw)]) != kw {
		return false
	}
	end := p.pos + len(kw)
	if end < len(p.buf) && !pdfsyntax.IsWhite(p.buf[end]) && !pdfsyntax.IsDelim(p.buf[end]) {
		return false
	}
	p.pos = end
	return true
}

// indirectHeader parses "num gen obj".
func (p *parser) indirectHeader() (Ref, error) {
	p.skipWhite()
	n := p.regular()
	p.skipWhite()
	g := p.regular()
	if p.pos >= len(p.buf) {
		return Ref{}, p.short()
	}
	num, err1 := strconv.ParseInt(string(n), 10, 64)
	gen, err2 := strconv.ParseInt(string(g), 10, 64)
	if err1 != nil || err2 != nil || num < 0 || gen < 0 {
		return Ref{}, ErrSyntax
	}
	if !p.expectKeyword("obj") {
		if p.pos+3 >= len(p.buf) && !p.eof {
			return Ref{}, errShort
		}
		return Ref{}, ErrSyntax
	}
	return Ref{Num: num, Gen: gen}, nil
}

// streamStart is called after a dictionary; if the "stream" keyword
// follows, it returns the offset (relative to buf) of the first data byte.
func (p *parser) streamStart() (int, bool) {
	save := p.pos
	p.skipWhite()
	if p.pos+6 > len(p.buf) || string(p.buf[p.pos:p.pos+6]) != "stream" {
		p.pos = save
		return 0, false
	}
	p.pos += 6
	if p.pos < len(p.buf) && p.buf[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(p.buf) && p.buf[p.pos] == '\n' {
		p.pos++
	}
	return p.pos, true
}
