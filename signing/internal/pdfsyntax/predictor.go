package pdfsyntax

// UndoPNGRow reverses one row of the PNG predictors that Flate- and
// LZW-encoded streams use (/Predictor 10–15): filter type ft (0 None, 1 Sub,
// 2 Up, 3 Average, 4 Paeth) is undone on cur in place, given the previous
// decoded row prev (zeros for the first row) and bpp bytes per pixel. It
// reports false for an unknown filter type, leaving cur unchanged; what
// that means (an error, or raw bytes) is the caller's choice, as is the
// handling of a short last row.
func UndoPNGRow(ft byte, cur, prev []byte, bpp int) bool {
	if ft > 4 {
		return false
	}
	for i := range cur {
		var left, upLeft byte
		if i >= bpp {
			left = cur[i-bpp]
			upLeft = prev[i-bpp]
		}
		up := prev[i]
		switch ft {
		case 1:
			cur[i] += left
		case 2:
			cur[i] += up
		case 3:
			cur[i] += byte((int(left) + int(up)) / 2)
		case 4:
			cur[i] += paeth(left, up, upLeft)
		}
	}
	return true
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	if pa <= pb && pa <= pc {
		return a
	}
	if pb <= pc {
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
