package b64

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzDecoder: fed in any pieces, the decoder agrees with
// encoding/base64's strict decoder on the text without whitespace.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte("QUJD\r\nREVG"), uint8(3))
	f.Add([]byte("QQ=="), uint8(1))
	f.Add([]byte("QR=="), uint8(2))
	f.Add([]byte(" Q U J D "), uint8(5))
	f.Fuzz(func(t *testing.T, in []byte, piece uint8) {
		var out bytes.Buffer
		d := NewDecoder(&out, 1<<20)
		var err error
		step := int(piece)%64 + 1
		for i := 0; i < len(in) && err == nil; i += step {
			_, err = d.Write(in[i:min(i+step, len(in))])
		}
		if err == nil {
			err = d.Close()
		}
		clean := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, string(in))
		want, werr := base64.StdEncoding.Strict().DecodeString(clean)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: decoder %v, encoding/base64 %v", in, err, werr)
		}
		if err == nil && !bytes.Equal(out.Bytes(), want) {
			t.Fatalf("%q: decoded %q, want %q", in, out.Bytes(), want)
		}
	})
}
