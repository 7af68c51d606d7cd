package layout

import (
	"unicode/utf16"
)

const (
	maxCMapEntries = 1 << 18 // code mappings of one CMap
	maxCMapBytes   = 4 << 20
)

// codespace is one codespacerange: codes of n bytes between lo and hi.
type codespace struct {
	n      int
	lo, hi uint32
}

// cmap maps character codes to Unicode text (ToUnicode) or to CIDs
// (an embedded encoding CMap).
type cmap struct {
	spaces []codespace
	uni    map[uint32]string
	cid    map[uint32]uint32
	ranges []cidRange // cidrange entries kept as ranges
}

type cidRange struct {
	lo, hi, cid uint32
}

func bytesToCode(b []byte) uint32 {
	var c uint32
	for _, x := range b {
		c = c<<8 | uint32(x)
	}
	return c
}

// utf16Text decodes a bfchar/bfrange destination (UTF-16BE).
func utf16Text(b []byte) string {
	if len(b)%2 == 1 {
		b = append([]byte{0}, b...)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(u))
}

// parseCMap reads the parts of a CMap that matter here: codespace ranges,
// bfchar/bfrange (Unicode) and cidchar/cidrange (CIDs). Malformed parts are
// skipped; sizes are bounded.
func parseCMap(data []byte) *cmap {
	if len(data) > maxCMapBytes {
		data = data[:maxCMapBytes]
	}
	m := &cmap{uni: map[uint32]string{}}
	l := &lexer{b: data}
	var stack []operand
	entries := 0
	add := func(code uint32, s string) {
		if entries < maxCMapEntries {
			m.uni[code] = s
			entries++
		}
	}
	for {
		o := l.next(0)
		if o.k == kEOF {
			break
		}
		if o.k != kOp {
			if len(stack) < 4096 {
				stack = append(stack, o)
			}
			continue
		}
		switch string(o.s) {
		case "endcodespacerange":
			for i := 0; i+1 < len(stack); i += 2 {
				lo, hi := stack[i], stack[i+1]
				if lo.k != kStr || hi.k != kStr || len(lo.s) == 0 || len(lo.s) > 4 || len(lo.s) != len(hi.s) {
					continue
				}
				m.spaces = append(m.spaces, codespace{n: len(lo.s), lo: bytesToCode(lo.s), hi: bytesToCode(hi.s)})
			}
		case "endbfchar":
			for i := 0; i+1 < len(stack); i += 2 {
				src, dst := stack[i], stack[i+1]
				if src.k != kStr || len(src.s) > 4 {
					continue
				}
				switch dst.k {
				case kStr:
					add(bytesToCode(src.s), utf16Text(dst.s))
				case kName: // a glyph name (allowed in ToUnicode by some producers)
					if s, ok := glyphText(string(dst.s)); ok {
						add(bytesToCode(src.s), s)
					}
				}
			}
		case "endbfrange":
			for i := 0; i+2 < len(stack); i += 3 {
				lo, hi, dst := stack[i], stack[i+1], stack[i+2]
				if lo.k != kStr || hi.k != kStr || len(lo.s) > 4 || len(hi.s) > 4 {
					continue
				}
				a, b := bytesToCode(lo.s), bytesToCode(hi.s)
				if b < a || b-a > 0xffff {
					continue
				}
				switch dst.k {
				case kStr:
					if len(dst.s) == 0 {
						continue
					}
					base := append([]byte(nil), dst.s...)
					for c := a; c <= b && entries < maxCMapEntries; c++ {
						add(c, utf16Text(base))
						// Increment the last byte (with carry into the one
						// before, as most readers do).
						for k := len(base) - 1; k >= 0; k-- {
							base[k]++
							if base[k] != 0 {
								break
							}
						}
					}
				case kArr:
					for k, d := range dst.arr {
						if uint32(k) > b-a {
							break
						}
						if d.k == kStr {
							add(a+uint32(k), utf16Text(d.s))
						}
					}
				}
			}
		case "endcidchar":
			for i := 0; i+1 < len(stack); i += 2 {
				src, dst := stack[i], stack[i+1]
				if src.k == kStr && dst.k == kNum && len(src.s) <= 4 && entries < maxCMapEntries {
					if m.cid == nil {
						m.cid = map[uint32]uint32{}
					}
					m.cid[bytesToCode(src.s)] = uint32(dst.num)
					entries++
				}
			}
		case "endcidrange":
			for i := 0; i+2 < len(stack); i += 3 {
				lo, hi, dst := stack[i], stack[i+1], stack[i+2]
				if lo.k == kStr && hi.k == kStr && dst.k == kNum && len(lo.s) <= 4 && len(hi.s) <= 4 && len(m.ranges) < maxCMapEntries {
					m.ranges = append(m.ranges, cidRange{lo: bytesToCode(lo.s), hi: bytesToCode(hi.s), cid: uint32(dst.num)})
				}
			}
		}
		stack = stack[:0]
	}
	return m
}

// codeLen returns how many bytes of b make up the next code under the
// codespace ranges (1 when none match, as readers do).
func (m *cmap) codeLen(b []byte) int {
	for n := 1; n <= 4 && n <= len(b); n++ {
		c := bytesToCode(b[:n])
		for _, s := range m.spaces {
			if s.n == n && c >= s.lo && c <= s.hi {
				return n
			}
		}
	}
	// No range matches: use the shortest declared length.
	short := 0
	for _, s := range m.spaces {
		if short == 0 || s.n < short {
			short = s.n
		}
	}
	if short == 0 {
		short = 1
	}
	if short > len(b) {
		short = len(b)
	}
	return short
}

// cidOf maps a code to a CID through cidchar/cidrange (identity when the
// CMap has neither).
func (m *cmap) cidOf(code uint32) uint32 {
	if c, ok := m.cid[code]; ok {
		return c
	}
	for _, r := range m.ranges {
		if code >= r.lo && code <= r.hi {
			return r.cid + code - r.lo
		}
	}
	return code
}
