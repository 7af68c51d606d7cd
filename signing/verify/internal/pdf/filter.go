package pdf

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"io"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
)

// Decode returns the decoded data of st, at most maxDecoded bytes.
func (v *View) Decode(st *Stream) ([]byte, error) { return v.r.decode(st, v) }

func (r *Reader) decode(st *Stream, v *View) ([]byte, error) {
	if st.Length > maxDecoded {
		return nil, errf(ErrLimit, "stream of %d bytes", st.Length)
	}
	raw, err := r.ReadRaw(st.Offset, st.Length)
	if err != nil {
		return nil, err
	}
	var filters []Name
	var parms []Dict
	res := func(o Object) Object {
		if v != nil {
			o, _ = v.Resolve(o)
		}
		return o
	}
	switch f := res(st.Dict.Get("Filter")).(type) {
	case Name:
		filters = []Name{f}
	case Array:
		for _, x := range f {
			if n, ok := res(x).(Name); ok {
				filters = append(filters, n)
			}
		}
	}
	switch p := res(st.Dict.Get("DecodeParms")).(type) {
	case Dict:
		parms = []Dict{p}
	case Array:
		for _, x := range p {
			d, _ := res(x).(Dict)
			parms = append(parms, d)
		}
	}
	data := raw
	for i, f := range filters {
		var p Dict
		if i < len(parms) {
			p = parms[i]
		}
		switch f {
		case "FlateDecode", "Fl":
			data, err = inflate(data)
			if err != nil {
				return nil, err
			}
			data, err = unpredict(data, p)
			if err != nil {
				return nil, err
			}
		case "ASCIIHexDecode", "AHx":
			t := bytes.Map(func(c rune) rune {
				if c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' {
					return -1
				}
				return c
			}, data)
			t, _, _ = bytes.Cut(t, []byte(">"))
			if len(t)%2 == 1 {
				t = append(t, '0')
			}
			out := make([]byte, len(t)/2)
			if _, err := hex.Decode(out, t); err != nil {
				return nil, errf(ErrSyntax, "bad ASCIIHex data")
			}
			data = out
		default:
			return nil, errf(ErrUnsupported, "filter %s", f)
		}
	}
	return data, nil
}

func inflate(b []byte) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, errf(ErrSyntax, "bad flate data: %v", err)
	}
	defer zr.Close()
	var out bytes.Buffer
	n, err := io.Copy(&out, io.LimitReader(zr, maxDecoded+1))
	if n > maxDecoded {
		return nil, errf(ErrLimit, "stream decodes to more than %d bytes", maxDecoded)
	}
	if err != nil && out.Len() == 0 {
		return nil, errf(ErrSyntax, "bad flate data: %v", err)
	}
	// a truncated tail is tolerated, as readers commonly do
	return out.Bytes(), nil
}

func unpredict(b []byte, p Dict) ([]byte, error) {
	if p == nil {
		return b, nil
	}
	pred, _ := p.Int("Predictor")
	if pred < 10 {
		if pred == 2 {
			return nil, errf(ErrUnsupported, "TIFF predictor")
		}
		return b, nil
	}
	cols, ok := p.Int("Columns")
	if !ok {
		cols = 1
	}
	colors, ok := p.Int("Colors")
	if !ok {
		colors = 1
	}
	bpc, ok := p.Int("BitsPerComponent")
	if !ok {
		bpc = 8
	}
	if cols <= 0 || cols > 1<<20 || colors <= 0 || colors > 32 || bpc <= 0 || bpc > 16 {
		return nil, errf(ErrSyntax, "bad predictor parameters")
	}
	bpp := int((colors*bpc + 7) / 8)
	row := int((cols*colors*bpc + 7) / 8)
	prev := make([]byte, row)
	var out []byte
	for i := 0; i+1 <= len(b); i += row + 1 {
		ft := b[i]
		end := min(i+1+row, len(b))
		cur := make([]byte, row)
		copy(cur, b[i+1:end])
		pdfsyntax.UndoPNGRow(ft, cur, prev, bpp) // an unknown filter type leaves the row as it is
		out = append(out, cur...)
		prev = cur
	}
	return out, nil
}
