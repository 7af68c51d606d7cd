// Package pdfsyntax holds the lexical rules of PDF (ISO 32000-2 §7.2–7.3)
// shared by the object parser of signing/pdf and the content-stream lexer
// of signing/layout: character classes, comments, regular tokens,
// names with #xx escapes, literal strings with their escapes and nesting,
// and hexadecimal strings. Callers decide what a malformed token means to
// them (a syntax error for the reader, a skipped token for text
// extraction); these functions only report what they found.
package pdfsyntax

import "bytes"

// IsWhite reports whether c is PDF white space.
func IsWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

// IsDelim reports whether c is a PDF delimiter.
func IsDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// Unhex returns the value of the hexadecimal digit c.
func Unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// SkipWhite returns the position of the first byte at or after pos that is
// neither white space nor inside a comment.
func SkipWhite(b []byte, pos int) int {
	for pos < len(b) {
		c := b[pos]
		if IsWhite(c) {
			pos++
			continue
		}
		if c == '%' {
			for pos < len(b) && b[pos] != '\n' && b[pos] != '\r' {
				pos++
			}
			continue
		}
		break
	}
	return pos
}

// Regular returns the run of regular characters starting at pos and the
// position after it.
func Regular(b []byte, pos int) ([]byte, int) {
	start := pos
	for pos < len(b) && !IsWhite(b[pos]) && !IsDelim(b[pos]) {
		pos++
	}
	return b[start:pos], pos
}

// DecodeName resolves the #xx escapes of a name token (without its "/").
// A "#" not followed by two hex digits is kept as is. The token itself is
// returned when it has no escapes.
func DecodeName(tok []byte) []byte {
	if bytes.IndexByte(tok, '#') < 0 {
		return tok
	}
	out := make([]byte, 0, len(tok))
	for i := 0; i < len(tok); i++ {
		if tok[i] == '#' && i+2 < len(tok) {
			h, ok1 := Unhex(tok[i+1])
			l, ok2 := Unhex(tok[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|l)
				i += 2
				continue
			}
		}
		out = append(out, tok[i])
	}
	return out
}

// Literal decodes a literal string whose opening "(" is just before pos:
// balanced parentheses, the escapes \n \r \t \b \f \( \) \\, octal \ddd and
// line continuations. It returns the string, the position after the closing
// ")" and whether that ")" was found; when it was not, out holds what was
// decoded up to the end of b and end is len(b). out is never nil when
// closed is true.
func Literal(b []byte, pos int) (out []byte, end int, closed bool) {
	out = []byte{}
	depth := 1
	for pos < len(b) {
		c := b[pos]
		pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out, pos, true
			}
		case '\\':
			if pos >= len(b) {
				return out, pos, false
			}
			e := b[pos]
			pos++
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
				if pos < len(b) && b[pos] == '\n' {
					pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && pos < len(b) && b[pos] >= '0' && b[pos] <= '7'; k++ {
						v = v*8 + int(b[pos]-'0')
						pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return out, pos, false
}

// hexClass maps a byte to its hexadecimal value (0–15), hexWhite for white
// space, or hexOther.
var hexClass = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= '0' && c <= '9':
			t[i] = c - '0'
		case c >= 'a' && c <= 'f':
			t[i] = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			t[i] = c - 'A' + 10
		case IsWhite(c):
			t[i] = hexWhite
		default:
			t[i] = hexOther
		}
	}
	return t
}()

const (
	hexWhite = 16
	hexOther = 17
)

// Hex decodes a hexadecimal string whose opening "<" is just before pos.
// White space is ignored and an odd final digit is followed by 0. It
// returns the bytes, the position after the closing ">", whether that ">"
// was found, and the position of the first byte that is neither a hex digit
// nor white space (-1 when there is none; such bytes are skipped).
func Hex(b []byte, pos int) (out []byte, end int, closed bool, bad int) {
	bad = -1
	n := len(b) - pos
	if i := bytes.IndexByte(b[pos:], '>'); i >= 0 {
		n = i
	}
	out = make([]byte, 0, n/2+1)
	var hi byte
	half := false
	for pos < len(b) {
		// fast path: two digits in a row
		if !half && pos+1 < len(b) {
			x, y := hexClass[b[pos]], hexClass[b[pos+1]]
			if x < 16 && y < 16 {
				out = append(out, x<<4|y)
				pos += 2
				continue
			}
		}
		c := b[pos]
		pos++
		if c == '>' {
			closed = true
			break
		}
		v := hexClass[c]
		if v >= 16 {
			if v == hexOther && bad < 0 {
				bad = pos - 1
			}
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half && closed {
		out = append(out, hi<<4)
	}
	return out, pos, closed, bad
}
