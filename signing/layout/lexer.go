package layout

import (
	"bytes"
	"strconv"
)

// kind of a content-stream token or operand.
type kind uint8

const (
	kEOF kind = iota
	kNum
	kName
	kStr
	kArr
	kDict // a dictionary operand (its contents are not kept)
	kKeyword
	kOp
)

// operand is one value on the operand stack.
type operand struct {
	k   kind
	num float64
	s   []byte // string bytes, name or keyword/operator text
	arr []operand
}

const (
	maxNesting  = 16      // array / dictionary nesting in content streams
	maxArrayLen = 1 << 16 // elements of one array operand
)

// lexer tokenises content streams and CMaps.
type lexer struct {
	b   []byte
	pos int
}

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *lexer) skipWhite() {
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		if isWhite(c) {
			l.pos++
			continue
		}
		if c == '%' {
			for l.pos < len(l.b) && l.b[l.pos] != '\n' && l.b[l.pos] != '\r' {
				l.pos++
			}
			continue
		}
		return
	}
}

// regular reads a run of regular characters.
func (l *lexer) regular() []byte {
	start := l.pos
	for l.pos < len(l.b) && !isWhite(l.b[l.pos]) && !isDelim(l.b[l.pos]) {
		l.pos++
	}
	return l.b[start:l.pos]
}

// next returns the next operand or operator. Operators come back as kOp,
// true/false/null as kKeyword. Unparseable bytes are skipped.
func (l *lexer) next(depth int) operand {
	for {
		l.skipWhite()
		if l.pos >= len(l.b) {
			return operand{k: kEOF}
		}
		c := l.b[l.pos]
		switch {
		case c == '/':
			l.pos++
			return operand{k: kName, s: decodeName(l.regular())}
		case c == '(':
			l.pos++
			return operand{k: kStr, s: l.literal()}
		case c == '<':
			if l.pos+1 < len(l.b) && l.b[l.pos+1] == '<' {
				l.pos += 2
				l.skipDict(depth + 1)
				return operand{k: kDict}
			}
			l.pos++
			return operand{k: kStr, s: l.hex()}
		case c == '[':
			l.pos++
			return l.array(depth + 1)
		case c == ']' || c == '>' || c == ')' || c == '{' || c == '}':
			l.pos++
			if c == ']' {
				return operand{k: kOp, s: []byte("]")}
			}
			if c == '>' && l.pos < len(l.b) && l.b[l.pos] == '>' {
				l.pos++
				return operand{k: kOp, s: []byte(">>")}
			}
			continue
		case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
			tok := l.regular()
			if len(tok) == 0 { // a lone delimiter-adjacent sign
				l.pos++
				continue
			}
			f, err := strconv.ParseFloat(string(tok), 64)
			if err != nil {
				f = parseLoose(tok)
			}
			return operand{k: kNum, num: f}
		default:
			tok := l.regular()
			if len(tok) == 0 {
				l.pos++
				continue
			}
			switch string(tok) {
			case "true", "false", "null":
				return operand{k: kKeyword, s: tok}
			}
			return operand{k: kOp, s: tok}
		}
	}
}

// parseLoose reads numbers such as "--5" or "1.2.3" the way viewers do:
// as much of a number as makes sense, else 0.
func parseLoose(tok []byte) float64 {
	neg := false
	i := 0
	for i < len(tok) && (tok[i] == '-' || tok[i] == '+') {
		if tok[i] == '-' {
			neg = !neg
		}
		i++
	}
	j := i
	dot := false
	for j < len(tok) && (tok[j] >= '0' && tok[j] <= '9' || (tok[j] == '.' && !dot)) {
		if tok[j] == '.' {
			dot = true
		}
		j++
	}
	f, err := strconv.ParseFloat(string(tok[i:j]), 64)
	if err != nil {
		return 0
	}
	if neg {
		f = -f
	}
	return f
}

func decodeName(b []byte) []byte {
	if bytes.IndexByte(b, '#') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			h, ok1 := unhex(b[i+1])
			lo, ok2 := unhex(b[i+2])
			if ok1 && ok2 {
				out = append(out, h<<4|lo)
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

func unhex(c byte) (byte, bool) {
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

// literal reads a literal string after its "(".
func (l *lexer) literal() []byte {
	var out []byte
	depth := 1
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out
			}
		case '\\':
			if l.pos >= len(l.b) {
				return out
			}
			e := l.b[l.pos]
			l.pos++
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
				if l.pos < len(l.b) && l.b[l.pos] == '\n' {
					l.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.pos < len(l.b) && l.b[l.pos] >= '0' && l.b[l.pos] <= '7'; k++ {
						v = v*8 + int(l.b[l.pos]-'0')
						l.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// hex reads a hexadecimal string after its "<".
func (l *lexer) hex() []byte {
	var out []byte
	var hi byte
	half := false
	for l.pos < len(l.b) {
		c := l.b[l.pos]
		l.pos++
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

// array reads an array after its "[".
func (l *lexer) array(depth int) operand {
	a := operand{k: kArr}
	for {
		if depth > maxNesting {
			l.skipTo(']')
			return a
		}
		o := l.next(depth)
		switch o.k {
		case kEOF:
			return a
		case kOp:
			if len(o.s) == 1 && o.s[0] == ']' {
				return a
			}
			continue // operators inside arrays are ignored
		}
		if len(a.arr) < maxArrayLen {
			a.arr = append(a.arr, o)
		}
	}
}

// skipDict skips a dictionary after its "<<".
func (l *lexer) skipDict(depth int) {
	for {
		if depth > maxNesting {
			l.skipTo('>')
			return
		}
		o := l.next(depth)
		if o.k == kEOF {
			return
		}
		if o.k == kOp && string(o.s) == ">>" {
			return
		}
	}
}

func (l *lexer) skipTo(c byte) {
	i := bytes.IndexByte(l.b[l.pos:], c)
	if i < 0 {
		l.pos = len(l.b)
		return
	}
	l.pos += i + 1
}

// skipInlineImage skips an inline image's data after "ID": up to the
// first "EI" that stands between white space and white space (or the end).
func (l *lexer) skipInlineImage() {
	if l.pos < len(l.b) && isWhite(l.b[l.pos]) {
		l.pos++
	}
	for i := l.pos; i+1 < len(l.b); i++ {
		if l.b[i] == 'E' && l.b[i+1] == 'I' && (i == 0 || isWhite(l.b[i-1])) &&
			(i+2 >= len(l.b) || isWhite(l.b[i+2]) || isDelim(l.b[i+2])) {
			l.pos = i + 2
			return
		}
	}
	l.pos = len(l.b)
}
