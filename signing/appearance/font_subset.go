package appearance

import (
	"encoding/binary"
	"errors"
	"sort"
)

var errFontFormat = errors.New("not a TrueType (glyf) font")

type ttTable struct {
	tag  string
	data []byte
}

// parseTTF splits a TrueType font program into its tables.
func parseTTF(b []byte) ([]ttTable, error) {
	if len(b) < 12 {
		return nil, errFontFormat
	}
	v := binary.BigEndian.Uint32(b)
	if v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, errFontFormat
	}
	n := int(binary.BigEndian.Uint16(b[4:]))
	if 12+16*n > len(b) {
		return nil, errFontFormat
	}
	var out []ttTable
	for i := 0; i < n; i++ {
		r := b[12+16*i:]
		off := int64(binary.BigEndian.Uint32(r[8:]))
		l := int64(binary.BigEndian.Uint32(r[12:]))
		if off+l > int64(len(b)) {
			return nil, errFontFormat
		}
		out = append(out, ttTable{tag: string(r[:4]), data: b[off : off+l]})
	}
	return out, nil
}

func findTable(ts []ttTable, tag string) []byte {
	for _, t := range ts {
		if t.tag == tag {
			return t.data
		}
	}
	return nil
}

// glyphOffsets reads loca.
func glyphOffsets(head, loca []byte, numGlyphs int) ([]uint32, error) {
	if len(head) < 54 {
		return nil, errFontFormat
	}
	long := binary.BigEndian.Uint16(head[50:]) == 1
	offs := make([]uint32, numGlyphs+1)
	for i := range offs {
		if long {
			if 4*i+4 > len(loca) {
				return nil, errFontFormat
			}
			offs[i] = binary.BigEndian.Uint32(loca[4*i:])
		} else {
			if 2*i+2 > len(loca) {
				return nil, errFontFormat
			}
			offs[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		}
	}
	return offs, nil
}

// subsetTTF returns a copy of the font where every glyph not in keep (nor
// used by a kept composite glyph, nor .notdef) is empty. Glyph IDs do not
// change, so CIDToGIDMap /Identity stays right. Layout tables that are of
// no use in a PDF are dropped.
func subsetTTF(font []byte, keep map[int]bool) ([]byte, error) {
	ts, err := parseTTF(font)
	if err != nil {
		return nil, err
	}
	head, maxp, loca, glyf := findTable(ts, "head"), findTable(ts, "maxp"), findTable(ts, "loca"), findTable(ts, "glyf")
	if head == nil || maxp == nil || loca == nil || glyf == nil || len(maxp) < 6 {
		return nil, errFontFormat
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	offs, err := glyphOffsets(head, loca, numGlyphs)
	if err != nil {
		return nil, err
	}
	glyph := func(g int) []byte {
		if g < 0 || g >= numGlyphs || offs[g] > offs[g+1] || int(offs[g+1]) > len(glyf) {
			return nil
		}
		return glyf[offs[g]:offs[g+1]]
	}
	// Close keep over composite components.
	want := map[int]bool{0: true}
	var todo []int
	for g := range keep {
		todo = append(todo, g)
	}
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if g < 0 || g >= numGlyphs || (want[g] && g != 0) {
			continue
		}
		want[g] = true
		d := glyph(g)
		if len(d) < 10 || int16(binary.BigEndian.Uint16(d)) >= 0 {
			continue
		}
		p := 10
		for p+4 <= len(d) {
			flags := binary.BigEndian.Uint16(d[p:])
			comp := int(binary.BigEndian.Uint16(d[p+2:]))
			todo = append(todo, comp)
			p += 4
			if flags&0x1 != 0 {
				p += 4
			} else {
				p += 2
			}
			switch {
			case flags&0x8 != 0:
				p += 2
			case flags&0x40 != 0:
				p += 4
			case flags&0x80 != 0:
				p += 8
			}
			if flags&0x20 == 0 {
				break
			}
		}
	}
	var newGlyf []byte
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := 0; g < numGlyphs; g++ {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if want[g] {
			newGlyf = append(newGlyf, glyph(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(len(newGlyf)))
	newHead := append([]byte(nil), head...)
	binary.BigEndian.PutUint16(newHead[50:], 1) // long loca
	binary.BigEndian.PutUint32(newHead[8:], 0)  // checkSumAdjustment, set below
	drop := map[string]bool{"GSUB": true, "GPOS": true, "GDEF": true, "kern": true, "DSIG": true, "hdmx": true,
		"LTSH": true, "VDMX": true, "JSTF": true, "PCLT": true, "BASE": true, "MATH": true, "morx": true, "feat": true}
	var out []ttTable
	for _, t := range ts {
		switch {
		case drop[t.tag]:
		case t.tag == "glyf":
			out = append(out, ttTable{t.tag, newGlyf})
		case t.tag == "loca":
			out = append(out, ttTable{t.tag, newLoca})
		case t.tag == "head":
			out = append(out, ttTable{t.tag, newHead})
		default:
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].tag < out[j].tag })
	return assembleTTF(out), nil
}

func ttChecksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}

func assembleTTF(ts []ttTable) []byte {
	n := len(ts)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	sr := (1 << es) * 16
	hdr := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(hdr, 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	binary.BigEndian.PutUint16(hdr[6:], uint16(sr))
	binary.BigEndian.PutUint16(hdr[8:], uint16(es))
	binary.BigEndian.PutUint16(hdr[10:], uint16(n*16-sr))
	body := []byte{}
	headAt := -1
	for i, t := range ts {
		off := len(hdr) + len(body)
		r := hdr[12+16*i:]
		copy(r, t.tag)
		binary.BigEndian.PutUint32(r[4:], ttChecksum(t.data))
		binary.BigEndian.PutUint32(r[8:], uint32(off))
		binary.BigEndian.PutUint32(r[12:], uint32(len(t.data)))
		if t.tag == "head" {
			headAt = off
		}
		body = append(body, t.data...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	out := append(hdr, body...)
	if headAt >= 0 && headAt+12 <= len(out) {
		binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-ttChecksum(out))
	}
	return out
}
