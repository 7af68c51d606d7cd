// Package pdf is a small, allocation-conscious PDF reader and incremental
// writer used by the signing engine. It reads a file through io.ReaderAt,
// walks the cross-reference chain (classic tables, cross-reference streams,
// hybrid files, object streams) and parses only the objects asked for, so
// memory does not grow with the size of the file's content streams.
//
// Every function that parses untrusted bytes returns an error
// instead of panicking.
package oldpdf

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// Object is any PDF object: Null, Bool, Integer, Real, String, Name, Array,
// Dict, Ref or *Stream.
type Object interface{ isObject() }

// Null is the PDF null object.
type Null struct{}

// Bool is a PDF boolean.
type Bool bool

// Integer is a PDF integer.
type Integer int64

// Real is a PDF real number.
type Real float64

// String is a PDF string (literal or hexadecimal; Hex only affects output).
type String struct {
	Value []byte
	Hex   bool
}

// Name is a PDF name without the leading slash, decoded (#xx resolved).
type Name string

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary keyed by decoded names.
type Dict map[Name]Object

// Ref is an indirect reference "Num Gen R".
type Ref struct {
	Num int64
	Gen int64
}

// Stream is a stream object: its dictionary and where its raw (still
// encoded) data starts in the file. Data is only set for streams built in
// memory (for writing) or decoded from object streams.
type Stream struct {
	Dict   Dict
	Offset int64 // absolute file offset of the first data byte, -1 if in memory
	Data   []byte
}

func (Null) isObject()    {}
func (Bool) isObject()    {}
func (Integer) isObject() {}
func (Real) isObject()    {}
func (String) isObject()  {}
func (Name) isObject()    {}
func (Array) isObject()   {}
func (Dict) isObject()    {}
func (Ref) isObject()     {}
func (*Stream) isObject() {}

// IsZero reports whether r is the zero reference (no object).
func (r Ref) IsZero() bool { return r.Num == 0 && r.Gen == 0 }

func (r Ref) String() string { return fmt.Sprintf("%d %d R", r.Num, r.Gen) }

// Clone returns a shallow copy of d (values are shared).
func (d Dict) Clone() Dict {
	c := make(Dict, len(d)+2)
	for k, v := range d {
		c[k] = v
	}
	return c
}

// Name returns d[key] as a name, or "".
func (d Dict) Name(key Name) Name {
	n, _ := d[key].(Name)
	return n
}

// Int returns d[key] as an integer and whether it is one.
func (d Dict) Int(key Name) (int64, bool) {
	switch v := d[key].(type) {
	case Integer:
		return int64(v), true
	case Real:
		return int64(v), true
	}
	return 0, false
}

// Serialize appends the PDF syntax for o to buf.
func Serialize(buf *bytes.Buffer, o Object) {
	switch v := o.(type) {
	case nil, Null:
		buf.WriteString("null")
	case Bool:
		if v {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case Integer:
		buf.WriteString(strconv.FormatInt(int64(v), 10))
	case Real:
		buf.WriteString(FormatReal(float64(v)))
	case String:
		writeString(buf, v)
	case Name:
		writeName(buf, v)
	case Array:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(' ')
			}
			Serialize(buf, e)
		}
		buf.WriteByte(']')
	case Dict:
		writeDict(buf, v)
	case Ref:
		fmt.Fprintf(buf, "%d %d R", v.Num, v.Gen)
	case *Stream:
		d := v.Dict.Clone()
		d["Length"] = Integer(len(v.Data))
		writeDict(buf, d)
		buf.WriteString("\nstream\n")
		buf.Write(v.Data)
		buf.WriteString("\nendstream")
	default:
		buf.WriteString("null")
	}
}

func writeDict(buf *bytes.Buffer, d Dict) {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	// Type first, for readability.
	for i, k := range keys {
		if k == "Type" && i > 0 {
			copy(keys[1:i+1], keys[:i])
			keys[0] = "Type"
		}
	}
	buf.WriteString("<<")
	for _, k := range keys {
		writeName(buf, Name(k))
		buf.WriteByte(' ')
		Serialize(buf, d[Name(k)])
	}
	buf.WriteString(">>")
}

// FormatReal formats f without exponent, trimming trailing zeros: with at
// most 4 decimals when that reads back as the same number, else with as
// many digits as it takes. A number read from a file and written back is
// thus unchanged (a page's /MediaBox [0 0 595.303937007874 …] rewritten
// with 4 decimals would be a changed page to validators).
func FormatReal(f float64) string {
	s := strconv.FormatFloat(f, 'f', 4, 64)
	if back, err := strconv.ParseFloat(s, 64); err == nil && back != f {
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	if bytes.IndexByte([]byte(s), '.') >= 0 {
		for s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		s = trimDot(s)
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func trimDot(s string) string {
	if s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

func writeName(buf *bytes.Buffer, n Name) {
	buf.WriteByte('/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < 0x21 || c > 0x7e || c == '#' || pdfsyntax.IsDelim(c) {
			fmt.Fprintf(buf, "#%02X", c)
		} else {
			buf.WriteByte(c)
		}
	}
}

func writeString(buf *bytes.Buffer, s String) {
	if s.Hex {
		buf.WriteByte('<')
		const hx = "0123456789ABCDEF"
		for _, c := range s.Value {
			buf.WriteByte(hx[c>>4])
			buf.WriteByte(hx[c&15])
		}
		buf.WriteByte('>')
		return
	}
	buf.WriteByte('(')
	for _, c := range s.Value {
		switch c {
		case '(', ')', '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case '\r':
			buf.WriteString(`\r`)
		case '\n':
			buf.WriteString(`\n`)
		default:
			buf.WriteByte(c)
		}
	}
	buf.WriteByte(')')
}

// TextString encodes s as a PDF text string: PDFDocEncoding-compatible
// ASCII as is, anything else as UTF-16BE with a byte-order mark.
func TextString(s string) String {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || (s[i] < 0x20 && s[i] != '\n' && s[i] != '\r' && s[i] != '\t') {
			ascii = false
			break
		}
	}
	if ascii {
		return String{Value: []byte(s)}
	}
	out := []byte{0xfe, 0xff}
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			out = append(out, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return String{Value: out, Hex: true}
}
