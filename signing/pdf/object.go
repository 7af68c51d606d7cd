package pdf

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf16"
)

// Object is one of: nil (null), bool, int64, float64, Name, String, Array,
// Dict, Ref, *Stream.
type Object any

// Integer and Real are the Go types of PDF numbers, named for writers:
// pdf.Integer(3) is an int64, pdf.Real(0.5) a float64.
type (
	Integer = int64
	Real    = float64
)

// Name is a PDF name without the leading slash, #xx escapes resolved.
type Name string

// String is a PDF string (literal or hexadecimal), decoded.
type String []byte

// Ref is an indirect reference "Num Gen R".
type Ref struct {
	Num int
	Gen int
}

// IsZero reports whether r is the zero reference (no object).
func (r Ref) IsZero() bool { return r.Num == 0 && r.Gen == 0 }

func (r Ref) String() string { return fmt.Sprintf("%d %d R", r.Num, r.Gen) }

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary. Null values are not stored.
type Dict map[Name]Object

// Stream is a stream object. A stream read from a file is located, not
// loaded: Offset is the first byte of its raw data and Length the raw
// length (as resolved in the View that returned it). A stream built in
// memory for writing has Offset -1 and its bytes in Data.
type Stream struct {
	Dict   Dict
	Offset int64
	Length int64
	Data   []byte
}

// Get returns d[k].
func (d Dict) Get(k string) Object { return d[Name(k)] }

// Name returns d[k] as a name ("" when absent or not a name).
func (d Dict) Name(k string) string {
	n, _ := d[Name(k)].(Name)
	return string(n)
}

// Int returns d[k] as an integer.
func (d Dict) Int(k string) (int64, bool) {
	i, ok := d[Name(k)].(int64)
	return i, ok
}

// Clone returns a shallow copy of d (values are shared).
func (d Dict) Clone() Dict {
	c := make(Dict, len(d)+2)
	for k, v := range d {
		c[k] = v
	}
	return c
}

// Number returns o as a float64 when it is an integer or a real.
func Number(o Object) (float64, bool) {
	switch v := o.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// Canonical writes a canonical serialization of o, used to compare objects
// across revisions: dictionary keys sorted, strings in hex, streams as
// their dictionary only (compare their data separately).
func Canonical(buf *bytes.Buffer, o Object, depth int) {
	if depth > DefaultLimits.MaxDepth {
		buf.WriteString("…")
		return
	}
	switch v := o.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case int64:
		buf.WriteString(strconv.FormatInt(v, 10))
	case float64:
		buf.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case Name:
		buf.WriteByte('/')
		buf.WriteString(string(v))
	case String:
		fmt.Fprintf(buf, "<%x>", []byte(v))
	case Ref:
		fmt.Fprintf(buf, "%d %d R", v.Num, v.Gen)
	case Array:
		buf.WriteByte('[')
		for _, e := range v {
			Canonical(buf, e, depth+1)
			buf.WriteByte(' ')
		}
		buf.WriteByte(']')
	case Dict:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, string(k))
		}
		sort.Strings(keys)
		buf.WriteString("<<")
		for _, k := range keys {
			buf.WriteByte('/')
			buf.WriteString(k)
			buf.WriteByte(' ')
			Canonical(buf, v[Name(k)], depth+1)
			buf.WriteByte(' ')
		}
		buf.WriteString(">>")
	case *Stream:
		buf.WriteString("stream")
		Canonical(buf, v.Dict, depth+1)
	}
}

// DecodeText decodes a PDF text string: UTF-16BE with a byte-order mark,
// UTF-8 with a byte-order mark, else PDFDocEncoding (read as Latin-1,
// which it equals for the characters documents use in names and reasons).
func DecodeText(b []byte) string {
	if len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	}
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
