package pdf

import (
	"bytes"
	"compress/lzw"
	"context"
	"encoding/ascii85"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// streamFile writes one stream object 2 with the given dictionary entries
// and raw data, and returns the decoded data.
func decodeWith(t *testing.T, lim Limits, dict string, raw []byte) ([]byte, []Name, error) {
	t.Helper()
	f := newFile()
	e := map[int]xent{0: {typ: 'f', gen: 65535}}
	e[1] = inUse(f.obj(1, 0, "<< /Type /Catalog >>"))
	e[2] = inUse(f.stream(2, dict, raw))
	f.startxref(f.table(e, "/Size 3 /Root 1 0 R"), true)
	r, err := Open(context.Background(), bytes.NewReader(f.bytes()), int64(f.b.Len()), lim)
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.Final()
	if err != nil {
		t.Fatal(err)
	}
	o, err := v.Object(2)
	if err != nil {
		t.Fatal(err)
	}
	return v.DecodeStream(o.(*Stream))
}

func TestFilters(t *testing.T) {
	text := []byte(strings.Repeat("Ủy ban nhân dân tỉnh Đắk Lắk ", 40))
	a85 := make([]byte, ascii85.MaxEncodedLen(len(text)))
	a85 = append(a85[:ascii85.Encode(a85, text)], "~>"...)
	var gif bytes.Buffer
	w := lzw.NewWriter(&gif, lzw.MSB, 8)
	w.Write(text)
	w.Close()
	ahx := []byte(strings.ToUpper(hex.EncodeToString(text[:31])) + "\n>") // odd digit count below
	cases := []struct {
		name, dict string
		raw, want  []byte
	}{
		{"ASCIIHex", "/Filter /ASCIIHexDecode", []byte("48 65 6C6c 6\n>"), []byte("Hel\x6c\x60")},
		{"ASCIIHex long", "/Filter /AHx", ahx, text[:31]},
		{"ASCII85", "/Filter /ASCII85Decode", a85, text},
		{"ASCII85 z and <~", "/Filter /A85", []byte("<~z!!~>"), []byte{0, 0, 0, 0, 0}},
		// ISO 32000-1 7.4.4.2: 45 45 45 45 45 65 45 45 45 66 encodes to
		// 80 0B 60 50 22 0C 0C 85 01 with EarlyChange 1 (the default)
		{"LZW spec example", "/Filter /LZWDecode", []byte{0x80, 0x0B, 0x60, 0x50, 0x22, 0x0C, 0x0C, 0x85, 0x01}, []byte{45, 45, 45, 45, 45, 65, 45, 45, 45, 66}},
		{"LZW EarlyChange 0", "/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>", gif.Bytes(), text},
		{"RunLength", "/Filter /RunLengthDecode", []byte{2, 'a', 'b', 'c', 253, 'x', 0, 'y', 128, 'z'}, []byte("abcxxxxy")},
		{"Flate", "/Filter /FlateDecode", deflate(text), text},
		{"chain A85 Flate", "/Filter [/ASCII85Decode /FlateDecode]", a85Of(deflate(text)), text},
		{"chain with null parms", "/Filter [/AHx /Fl] /DecodeParms [null null]", []byte(hex.EncodeToString(deflate(text)) + ">"), text},
		{"PNG Up predictor", "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 3 >>", deflate(pngUp([]byte("abcdefghi"), 3)), []byte("abcdefghi")},
		{"TIFF predictor", "/Filter /FlateDecode /DecodeParms << /Predictor 2 /Columns 3 /Colors 1 >>", deflate([]byte{10, 1, 1, 20, 2, 2}), []byte{10, 11, 12, 20, 22, 24}},
		{"TIFF predictor 16 bit", "/Filter /FlateDecode /DecodeParms << /Predictor 2 /Columns 2 /BitsPerComponent 16 >>", deflate([]byte{1, 0, 0, 5}), []byte{1, 0, 1, 5}},
		{"TIFF predictor 4 bit", "/Filter /FlateDecode /DecodeParms << /Predictor 2 /Columns 4 /BitsPerComponent 4 >>", deflate([]byte{0x11, 0x11}), []byte{0x12, 0x34}},
		{"no filter", "", text, text},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rest, err := decodeWith(t, Limits{}, c.dict, c.raw)
			if err != nil || len(rest) != 0 {
				t.Fatalf("%v, rest %v", err, rest)
			}
			if !bytes.Equal(got, c.want) {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

func a85Of(b []byte) []byte {
	out := make([]byte, ascii85.MaxEncodedLen(len(b)))
	return append(out[:ascii85.Encode(out, b)], "~>"...)
}

// pngUp encodes rows of n bytes with the PNG Up filter.
func pngUp(b []byte, n int) []byte {
	var out []byte
	prev := make([]byte, n)
	for i := 0; i < len(b); i += n {
		out = append(out, 2)
		for k := 0; k < n; k++ {
			out = append(out, b[i+k]-prev[k])
		}
		prev = b[i : i+n]
	}
	return out
}

func TestImageFiltersPassThrough(t *testing.T) {
	jpeg := []byte("\xff\xd8\xff\xe0 not really a jpeg")
	got, rest, err := decodeWith(t, Limits{}, "/Filter [/ASCIIHexDecode /DCTDecode]", []byte(hex.EncodeToString(jpeg)+">"))
	if err != nil || !bytes.Equal(got, jpeg) || !slices.Equal(rest, []Name{"DCTDecode"}) {
		t.Fatalf("%q %v %v", got, rest, err)
	}
	for _, f := range []string{"JPXDecode", "JBIG2Decode", "CCITTFaxDecode"} {
		got, rest, err := decodeWith(t, Limits{}, "/Filter /"+f, jpeg)
		if err != nil || !bytes.Equal(got, jpeg) || len(rest) != 1 {
			t.Fatalf("%s: %q %v %v", f, got, rest, err)
		}
	}
}

func TestFilterLimits(t *testing.T) {
	zeros := make([]byte, 8<<20)
	if _, _, err := decodeWith(t, Limits{MaxDecoded: 1 << 20}, "/Filter /FlateDecode", deflate(zeros)); !errors.Is(err, ErrLimit) {
		t.Fatalf("bomb: %v", err)
	}
	// Flate over Flate expands 8 MiB from a few hundred bytes
	if _, _, err := decodeWith(t, Limits{}, "/Filter [/FlateDecode /FlateDecode]", deflate(deflate(zeros))); !errors.Is(err, ErrLimit) {
		t.Fatalf("ratio: %v", err)
	}
	// one Flate layer of the same data stays under the ratio
	if got, _, err := decodeWith(t, Limits{}, "/Filter /FlateDecode", deflate(zeros)); err != nil || len(got) != len(zeros) {
		t.Fatalf("plain: %d %v", len(got), err)
	}
	for _, c := range []struct{ dict, raw string }{
		{"/Filter /NoSuchDecode", "x"},
		{"/Filter /Crypt /DecodeParms << /Name /StdCF >>", "x"},
		{"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 0 >>", string(deflate([]byte("x")))},
		{"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 1 >>", string(deflate([]byte{9, 1}))},
		{"/Filter /ASCIIHexDecode", "4g>"},
		{"/Filter /FlateDecode", "not flate"},
		{"/Filter 5", "x"},
	} {
		if _, _, err := decodeWith(t, Limits{}, c.dict, []byte(c.raw)); err == nil {
			t.Errorf("%s accepted", c.dict)
		}
	}
	// a truncated Flate stream gives what it holds
	z := deflate(bytes.Repeat([]byte("0123456789"), 1000))
	got, _, err := decodeWith(t, Limits{}, "/Filter /FlateDecode", z[:len(z)/2])
	if err != nil || len(got) == 0 || !bytes.HasPrefix(bytes.Repeat([]byte("0123456789"), 1000), got) {
		t.Fatalf("truncated: %d %v", len(got), err)
	}
}

func TestParseObjectLimits(t *testing.T) {
	for _, c := range []string{
		strings.Repeat("[", 100) + strings.Repeat("]", 100),
		strings.Repeat("<</A ", 100),
		"(unterminated",
		"<4142",
		"<41 4x>",
		"<< /A 1 /B >>",
		"<< 1 2 >>",
		"foo",
	} {
		if _, err := ParseObject([]byte(c)); err == nil {
			t.Errorf("%.20q accepted", c)
		}
	}
	o, err := ParseObject([]byte("<< /A [1 2.5 -3 true null /N#20x <414243> (a\\(b\\)\\101) 12 0 R] /B null >>"))
	if err != nil {
		t.Fatal(err)
	}
	d := o.(Dict)
	a := d["A"].(Array)
	want := fmt.Sprint(Array{int64(1), 2.5, int64(-3), true, nil, Name("N x"), String("ABC"), String("a(b)A"), Ref{12, 0}})
	if fmt.Sprint(a) != want || len(d) != 1 {
		t.Fatalf("%v", d)
	}
}

// TestBigIntegers: an integer too big for int64 reads as a real, and the
// writer's output of it reads back the same (found by FuzzParseObject).
func TestBigIntegers(t *testing.T) {
	for in, want := range map[string]Object{
		"10000000000000000000":  1e19,
		"-10000000000000000000": -1e19,
		"--1":                   float64(0),
		"0x10":                  float64(0),
		"1e5":                   float64(0),
		"NaN":                   nil, // not a number token: an error
		"12345678901234567890123456789012345678.5": 1.2345678901234568e37,
	} {
		got, err := ParseObject([]byte(in))
		if (want == nil) != (err != nil) || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"1" + strings.Repeat("0", 40), "-" + strings.Repeat("9", 50) + ".5"} {
		if _, err := ParseObject([]byte(in)); err == nil {
			t.Errorf("%s accepted", in)
		}
	}
}

// TestLongTokens: names and numbers are never cut short: a name longer
// than the limit, or a number of hundreds of digits, is an error, and a
// name at the limit written back reads back (found by FuzzParseObject).
func TestLongTokens(t *testing.T) {
	if _, err := ParseObject([]byte("/" + strings.Repeat("A", 4097))); !errors.Is(err, ErrLimit) {
		t.Fatalf("long name: %v", err)
	}
	if _, err := ParseObject([]byte(strings.Repeat("1", 300))); err == nil {
		t.Fatal("a 300-digit number accepted")
	}
	n := Name(strings.Repeat("\x15", 4096))
	var b bytes.Buffer
	Serialize(&b, n)
	if o, err := ParseObject(b.Bytes()); err != nil || o != n {
		t.Fatalf("%d-byte name with escapes: %v", len(n), err)
	}
}
