package pdfsyntax

import (
	"bytes"
	"testing"
)

// TestUndoPNGRow encodes rows with each filter by hand and checks that
// undoing gives the raw bytes back.
func TestUndoPNGRow(t *testing.T) {
	prev := []byte{10, 20, 30, 40, 50, 60}
	raw := []byte{13, 17, 35, 200, 5, 61}
	const bpp = 2
	encode := func(ft byte) []byte {
		enc := make([]byte, len(raw))
		for i := range raw {
			var left, upLeft byte
			if i >= bpp {
				left, upLeft = raw[i-bpp], prev[i-bpp]
			}
			up := prev[i]
			switch ft {
			case 0:
				enc[i] = raw[i]
			case 1:
				enc[i] = raw[i] - left
			case 2:
				enc[i] = raw[i] - up
			case 3:
				enc[i] = raw[i] - byte((int(left)+int(up))/2)
			case 4:
				enc[i] = raw[i] - paeth(left, up, upLeft)
			}
		}
		return enc
	}
	for ft := byte(0); ft <= 4; ft++ {
		cur := encode(ft)
		if !UndoPNGRow(ft, cur, prev, bpp) || !bytes.Equal(cur, raw) {
			t.Errorf("filter %d: got %v, want %v", ft, cur, raw)
		}
	}
	cur := []byte{1, 2, 3, 4, 5, 6}
	if UndoPNGRow(5, cur, prev, bpp) || !bytes.Equal(cur, []byte{1, 2, 3, 4, 5, 6}) {
		t.Error("unknown filter type accepted or row changed")
	}
	if paeth(10, 20, 15) != 15 || paeth(10, 20, 0) != 20 || paeth(5, 5, 5) != 5 {
		t.Error("paeth")
	}
}
