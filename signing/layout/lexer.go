package layout

import (
	"bytes"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
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

func (l *lexer) skipWhite() { l.pos = pdfsyntax.SkipWhite(l.b, l.pos) }

// regular reads a run of regular characters.
func (l *lexer) regular() []byte {
	tok, end := pdfsyntax.Regular(l.b, l.pos)
	l.pos = end
	return tok
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
			return operand{k: kName, s: pdfsyntax.DecodeName(l.regular())}
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

// literal reads a literal string after its "(" (an unterminated one ends
// the stream).
func (l *lexer) literal() []byte {
	out, end, _ := pdfsyntax.Literal(l.b, l.pos)
	l.pos = end
	return out
}

// hex reads a hexadecimal string after its "<"; bad digits are skipped.
func (l *lexer) hex() []byte {
	out, end, _, _ := pdfsyntax.Hex(l.b, l.pos)
	l.pos = end
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
	if l.pos < len(l.b) && pdfsyntax.IsWhite(l.b[l.pos]) {
		l.pos++
	}
	for i := l.pos; i+1 < len(l.b); i++ {
		if l.b[i] == 'E' && l.b[i+1] == 'I' && (i == 0 || pdfsyntax.IsWhite(l.b[i-1])) &&
			(i+2 >= len(l.b) || pdfsyntax.IsWhite(l.b[i+2]) || pdfsyntax.IsDelim(l.b[i+2])) {
			l.pos = i + 2
			return
		}
	}
	l.pos = len(l.b)
}
