package axis

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// WriteEdoc writes getEdoc's success answer for the package read from pkg:
// the result fields and the package base64 in "data", streamed (the
// package is never held in memory).
func WriteEdoc(w io.Writer, pkg io.Reader) error {
	if _, err := io.WriteString(w, `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"`); err != nil {
		return err
	}
	enc := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := io.Copy(enc, pkg); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, `"}`)
	return err
}

// Limits of ReadEdoc's small values and nesting.
const (
	maxScalar = 64 << 10
	maxDepth  = 64
)

// ReadEdoc reads a getEdoc answer from r, streaming the package in "data"
// (base64; JSON escapes, line breaks and the URL-safe alphabet allowed)
// into w, at most max bytes, and returns the result fields. The answer is
// a JSON object; its other members are skipped without being kept. For a
// FAIL, nothing may have been written; for an OK without data, the package
// is missing (ErrBadResult).
func ReadEdoc(r io.Reader, w io.Writer, max int64) (Result, int64, error) {
	p := &edocParser{r: bufio.NewReaderSize(r, 64<<10), w: w, max: max}
	res, err := p.object()
	if err != nil {
		return res, p.n, err
	}
	if !p.sawStatus || !p.sawCode || !p.sawDesc {
		return res, p.n, fmt.Errorf("%w: status, ErrorCode and ErrorDesc must all be present", ErrBadResult)
	}
	if res.Err() == nil && !p.sawData {
		return res, p.n, fmt.Errorf("%w: OK without data", ErrBadResult)
	}
	return res, p.n, nil
}

type edocParser struct {
	r                                    *bufio.Reader
	w                                    io.Writer
	max, n                               int64
	sawStatus, sawCode, sawDesc, sawData bool
	chars, out                           []byte
}

func (p *edocParser) bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadResult, fmt.Sprintf(format, args...))
}

func (p *edocParser) next() (byte, error) {
	c, err := p.r.ReadByte()
	if err == io.EOF {
		return 0, p.bad("unexpected end")
	}
	return c, err
}

func (p *edocParser) skipSpace() (byte, error) {
	for {
		c, err := p.next()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
	}
}

func (p *edocParser) object() (Result, error) {
	var res Result
	c, err := p.skipSpace()
	if err != nil {
		return res, err
	}
	if c != '{' {
		return res, p.bad("not a JSON object")
	}
	for first := true; ; first = false {
		c, err := p.skipSpace()
		if err != nil {
			return res, err
		}
		if c == '}' && first {
			break
		}
		if c != '"' {
			return res, p.bad("expected a member name")
		}
		key, err := p.smallString()
		if err != nil {
			return res, err
		}
		if c, err = p.skipSpace(); err != nil || c != ':' {
			return res, p.bad("expected ':' after %q", key)
		}
		if c, err = p.skipSpace(); err != nil {
			return res, err
		}
		switch key {
		case "data":
			if c == '"' {
				p.sawData = true
				if err := p.streamData(); err != nil {
					return res, err
				}
			} else if err := p.skipValue(c, 0); err != nil {
				return res, err
			}
		case "status", "ErrorCode", "ErrorDesc":
			v, err := p.scalar(c)
			if err != nil {
				return res, err
			}
			switch key {
			case "status":
				res.Status, p.sawStatus = v, true
			case "ErrorCode":
				res.ErrorCode, p.sawCode = v, true
			default:
				res.ErrorDesc, p.sawDesc = v, true
			}
		default:
			if err := p.skipValue(c, 0); err != nil {
				return res, err
			}
		}
		if c, err = p.skipSpace(); err != nil {
			return res, err
		}
		if c == '}' {
			break
		}
		if c != ',' {
			return res, p.bad("expected ',' or '}'")
		}
	}
	if c, err := p.skipSpace(); err == nil || c != 0 {
		return res, p.bad("text after the JSON object")
	}
	return res, nil
}

// stringChar reads one character of a JSON string after its opening
// quote: the rune, or done at the closing quote.
func (p *edocParser) stringChar() (r rune, done bool, err error) {
	c, err := p.next()
	if err != nil {
		return 0, false, err
	}
	switch {
	case c == '"':
		return 0, true, nil
	case c < 0x20:
		return 0, false, p.bad("control character in a string")
	case c != '\\':
		if c < utf8.RuneSelf {
			return rune(c), false, nil
		}
		if err := p.r.UnreadByte(); err != nil {
			return 0, false, err
		}
		r, _, err := p.r.ReadRune()
		return r, false, err
	}
	c, err = p.next()
	if err != nil {
		return 0, false, err
	}
	switch c {
	case '"', '\\', '/':
		return rune(c), false, nil
	case 'b':
		return '\b', false, nil
	case 'f':
		return '\f', false, nil
	case 'n':
		return '\n', false, nil
	case 'r':
		return '\r', false, nil
	case 't':
		return '\t', false, nil
	case 'u':
		r1, err := p.hex4()
		if err != nil {
			return 0, false, err
		}
		if utf16.IsSurrogate(r1) {
			if b, _ := p.r.Peek(2); len(b) == 2 && b[0] == '\\' && b[1] == 'u' {
				_, _ = p.r.Discard(2)
				r2, err := p.hex4()
				if err != nil {
					return 0, false, err
				}
				return utf16.DecodeRune(r1, r2), false, nil
			}
			return utf8.RuneError, false, nil
		}
		return r1, false, nil
	}
	return 0, false, p.bad("bad escape \\%c", c)
}

func (p *edocParser) hex4() (rune, error) {
	var b [4]byte
	if _, err := io.ReadFull(p.r, b[:]); err != nil {
		return 0, p.bad("short \\u escape")
	}
	v, err := strconv.ParseUint(string(b[:]), 16, 16)
	if err != nil {
		return 0, p.bad("bad \\u escape")
	}
	return rune(v), nil
}

func (p *edocParser) smallString() (string, error) {
	var b []byte
	for {
		r, done, err := p.stringChar()
		if err != nil {
			return "", err
		}
		if done {
			return string(b), nil
		}
		if len(b) > maxScalar {
			return "", p.bad("string longer than %d bytes", maxScalar)
		}
		b = utf8.AppendRune(b, r)
	}
}

// scalar reads a string, number, boolean or null as text.
func (p *edocParser) scalar(c byte) (string, error) {
	if c == '"' {
		return p.smallString()
	}
	b := []byte{c}
	for {
		n, err := p.r.Peek(1)
		if err != nil || len(n) == 0 || !isLiteralByte(n[0]) {
			break
		}
		if len(b) > 64 {
			return "", p.bad("value too long")
		}
		b = append(b, n[0])
		_, _ = p.r.Discard(1)
	}
	s := string(b)
	switch {
	case s == "null":
		return "", nil
	case s == "true" || s == "false":
		return s, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return "", p.bad("bad value %q", s)
	}
	return s, nil
}

func isLiteralByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// skipValue skips the value starting with c, keeping nothing.
func (p *edocParser) skipValue(c byte, depth int) error {
	switch c {
	case '"':
		for {
			_, done, err := p.stringChar()
			if err != nil || done {
				return err
			}
		}
	case '{', '[':
		if depth >= maxDepth {
			return p.bad("nested deeper than %d", maxDepth)
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		for first := true; ; first = false {
			c, err := p.skipSpace()
			if err != nil {
				return err
			}
			if c == closer && first {
				return nil
			}
			if closer == '}' {
				if c != '"' {
					return p.bad("expected a member name")
				}
				if err := p.skipValue('"', depth+1); err != nil {
					return err
				}
				if c, err = p.skipSpace(); err != nil || c != ':' {
					return p.bad("expected ':'")
				}
				if c, err = p.skipSpace(); err != nil {
					return err
				}
			}
			if err := p.skipValue(c, depth+1); err != nil {
				return err
			}
			if c, err = p.skipSpace(); err != nil {
				return err
			}
			if c == closer {
				return nil
			}
			if c != ',' {
				return p.bad("expected ','")
			}
		}
	}
	_, err := p.scalar(c)
	return err
}

// streamData decodes the base64 string value into p.w, in chunks.
func (p *edocParser) streamData() error {
	p.chars = make([]byte, 0, 64<<10)
	for {
		// Fast path: a run of plain base64 characters in the buffer.
		if buf, _ := p.r.Peek(p.r.Buffered()); len(buf) > 0 {
			i := 0
			for i < len(buf) && isBase64Byte(buf[i]) {
				i++
			}
			if i > 0 {
				if err := p.addChars(buf[:i]); err != nil {
					return err
				}
				_, _ = p.r.Discard(i)
				continue
			}
		}
		r, done, err := p.stringChar()
		if err != nil {
			return err
		}
		if done {
			break
		}
		switch {
		case r == '\r' || r == '\n' || r == ' ' || r == '\t' || r == '=':
			continue // line breaks of MIME base64; padding (the end is decoded by its length)
		case r == '-':
			r = '+'
		case r == '_':
			r = '/'
		}
		if r >= utf8.RuneSelf || !isBase64Byte(byte(r)) {
			return p.bad("data is not base64")
		}
		if err := p.addChars([]byte{byte(r)}); err != nil {
			return err
		}
	}
	if len(p.chars)%4 == 1 {
		return p.bad("data is not base64 (truncated)")
	}
	if err := p.decode(len(p.chars)); err != nil {
		return err
	}
	return p.flush()
}

// base64Bytes marks the characters of the standard alphabet.
var base64Bytes = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = true
	}
	return t
}()

func isBase64Byte(c byte) bool { return base64Bytes[c] }

func (p *edocParser) addChars(b []byte) error {
	p.chars = append(p.chars, b...)
	if len(p.chars) >= 48<<10 {
		return p.decode(len(p.chars) / 4 * 4)
	}
	return nil
}

// decode decodes the first n pending characters (a multiple of 4, or
// all at the end) and writes them out.
func (p *edocParser) decode(n int) error {
	if n == 0 {
		return nil
	}
	need := base64.RawStdEncoding.DecodedLen(n)
	if p.n+int64(len(p.out))+int64(need) > p.max {
		return fmt.Errorf("%w: the package is larger than %d bytes", ErrTooLarge, p.max)
	}
	if cap(p.out) < need {
		p.out = make([]byte, 0, need)
	}
	m, err := base64.RawStdEncoding.Decode(p.out[:need], p.chars[:n])
	if err != nil {
		return p.bad("data is not base64")
	}
	p.out = p.out[:m]
	rest := copy(p.chars, p.chars[n:])
	p.chars = p.chars[:rest]
	return p.flush()
}

func (p *edocParser) flush() error {
	if len(p.out) == 0 {
		return nil
	}
	m, err := p.w.Write(p.out)
	p.n += int64(m)
	p.out = p.out[:0]
	return err
}
