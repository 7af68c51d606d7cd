package pdf

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// Serialize appends the PDF syntax for o to buf. Strings are written as
// literals when they are printable ASCII, else in hexadecimal; a stream is
// written with its Data and a /Length that matches it.
func Serialize(buf *bytes.Buffer, o Object) {
	switch v := o.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case int64:
		buf.WriteString(strconv.FormatInt(v, 10))
	case int:
		buf.WriteString(strconv.Itoa(v))
	case float64:
		buf.WriteString(FormatReal(v))
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
		d["Length"] = int64(len(v.Data))
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
		if s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		s = "0"
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
	printable := true
	for _, c := range s {
		if c < 0x20 || c > 0x7e {
			printable = false
			break
		}
	}
	if !printable {
		const hx = "0123456789ABCDEF"
		buf.WriteByte('<')
		for _, c := range s {
			buf.WriteByte(hx[c>>4])
			buf.WriteByte(hx[c&15])
		}
		buf.WriteByte('>')
		return
	}
	buf.WriteByte('(')
	for _, c := range s {
		if c == '(' || c == ')' || c == '\\' {
			buf.WriteByte('\\')
		}
		buf.WriteByte(c)
	}
	buf.WriteByte(')')
}

// TextString encodes s as a PDF text string: printable ASCII as is,
// anything else as UTF-16BE with a byte-order mark.
func TextString(s string) String {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		return String(s)
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
	return String(out)
}
