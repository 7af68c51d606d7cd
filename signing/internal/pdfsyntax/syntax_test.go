package pdfsyntax

import (
	"bytes"
	"testing"
)

func TestLiteral(t *testing.T) {
	cases := []struct {
		in     string
		want   string
		rest   string
		closed bool
	}{
		{`abc) x`, "abc", " x", true},
		{`a(b)c) x`, "a(b)c", " x", true},
		{`\n\r\t\b\f\(\)\\) `, "\n\r\t\b\f()\\", " ", true},
		{`\101\0617\7) `, "A17\x07", " ", true},
		{"a\\\r\nb\\\nc) ", "abc", " ", true},
		{`\q) `, "q", " ", true},
		{`) `, "", " ", true},
		{`abc`, "abc", "", false},
		{`abc\`, "abc", "", false},
		{`Nguy\341\273\205n)`, "Nguyễn", "", true},
	}
	for _, c := range cases {
		out, end, closed := Literal([]byte(c.in), 0)
		if string(out) != c.want || c.in[end:] != c.rest || closed != c.closed {
			t.Errorf("Literal(%q) = %q, rest %q, closed %v; want %q, %q, %v", c.in, out, c.in[end:], closed, c.want, c.rest, c.closed)
		}
		if closed && out == nil {
			t.Errorf("Literal(%q): nil string", c.in)
		}
	}
}

func TestHex(t *testing.T) {
	cases := []struct {
		in     string
		want   []byte
		rest   string
		closed bool
		bad    int
	}{
		{"48 65\n6c>x", []byte("Hel"), "x", true, -1},
		{"486>", []byte{0x48, 0x60}, "", true, -1},
		{">", []byte{}, "", true, -1},
		{"4g8>", []byte{0x48}, "", true, 1},
		{"4865", []byte("He"), "", false, -1},
	}
	for _, c := range cases {
		out, end, closed, bad := Hex([]byte(c.in), 0)
		if !bytes.Equal(out, c.want) || c.in[end:] != c.rest || closed != c.closed || bad != c.bad {
			t.Errorf("Hex(%q) = %x, rest %q, closed %v, bad %d; want %x, %q, %v, %d", c.in, out, c.in[end:], closed, bad, c.want, c.rest, c.closed, c.bad)
		}
	}
}

func TestNameAndTokens(t *testing.T) {
	if got := string(DecodeName([]byte("A#20B#2f#zz#4"))); got != "A B/#zz#4" {
		t.Errorf("DecodeName = %q", got)
	}
	b := []byte("  % comment\r\n\t/Name#20x[")
	pos := SkipWhite(b, 0)
	if b[pos] != '/' {
		t.Fatalf("SkipWhite stopped at %q", b[pos:])
	}
	tok, end := Regular(b, pos+1)
	if string(tok) != "Name#20x" || b[end] != '[' {
		t.Errorf("Regular = %q, next %q", tok, b[end:])
	}
	if SkipWhite([]byte("% only a comment"), 0) != 16 {
		t.Error("SkipWhite over a trailing comment")
	}
}

// FuzzStrings checks that the decoders never read past their input, always
// advance, and report consistent positions.
func FuzzStrings(f *testing.F) {
	for _, s := range []string{"abc)", `a(b\)c)`, `\101\`, "48 6>", "4g>", "(((", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, end, closed := Literal(b, 0)
		if end < 0 || end > len(b) || (closed && (end == 0 || b[end-1] != ')')) || len(out) > len(b) {
			t.Fatalf("Literal: end %d closed %v len %d of %d", end, closed, len(out), len(b))
		}
		h, end, closed, bad := Hex(b, 0)
		if end < 0 || end > len(b) || (closed && b[end-1] != '>') || len(h) > len(b)/2+1 || bad >= end {
			t.Fatalf("Hex: end %d closed %v bad %d", end, closed, bad)
		}
		if p := SkipWhite(b, 0); p < 0 || p > len(b) {
			t.Fatalf("SkipWhite: %d", p)
		}
		if len(DecodeName(b)) > len(b) {
			t.Fatal("DecodeName grew")
		}
	})
}
