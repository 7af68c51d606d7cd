// Package pdf is a small, bounded PDF object and cross-reference reader used
// by the signature verifier. It reads through an io.ReaderAt, never loads
// the whole file, and caps every structure it builds (nesting, string and
// stream sizes, reference chains, xref sections) so that hostile input ends
// with an error in bounded time and memory.
package pdf

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
)

// Object is one of: nil (null), bool, int64, float64, Name, String, Array,
// Dict, Ref, *Stream.
type Object any

// Name is a PDF name without the leading slash.
type Name string

// String is a PDF string (literal or hexadecimal), already decoded.
type String []byte

// Ref is an indirect reference.
type Ref struct {
	Num int
	Gen int
}

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary.
type Dict map[Name]Object

// Stream is a stream object; its data is not loaded, only located.
type Stream struct {
	Dict   Dict
	Offset int64 // first byte of the raw data in the file
	Length int64 // raw length
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

// Canonical writes a canonical serialization of o, used to compare objects
// across revisions. Streams are represented by their dictionary plus a
// caller-supplied data digest (see Reader.StreamDigest); here only the
// dictionary is written.
func Canonical(buf *bytes.Buffer, o Object, depth int) {
	if depth > maxDepth {
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
