package cms

// berToDER rewrites a BER encoding with indefinite lengths into definite
// lengths so that encoding/asn1 can read it. Constructed strings are left
// constructed (encoding/asn1 does not need them merged for RawValue
// parsing; octet strings we need are handled by octets()). It returns the
// re-encoded first element and ignores trailing bytes (PDF /Contents is
// zero-padded).
func berToDER(b []byte) ([]byte, error) {
	out, _, err := berElem(b, 0)
	return out, err
}

const maxBERDepth = 64

func berElem(b []byte, depth int) (out []byte, n int, err error) {
	if depth > maxBERDepth {
		return nil, 0, errf(ErrMalformed, "BER nesting too deep")
	}
	if len(b) < 2 {
		return nil, 0, errf(ErrMalformed, "truncated BER")
	}
	i := 1
	if b[0]&0x1f == 0x1f { // high tag number
		for {
			if i >= len(b) {
				return nil, 0, errf(ErrMalformed, "truncated BER tag")
			}
			c := b[i]
			i++
			if c&0x80 == 0 {
				break
			}
			if i > 6 {
				return nil, 0, errf(ErrMalformed, "BER tag too long")
			}
		}
	}
	tag := b[:i]
	constructed := b[0]&0x20 != 0
	if i >= len(b) {
		return nil, 0, errf(ErrMalformed, "truncated BER length")
	}
	l := int(b[i])
	i++
	if l == 0x80 {
		if !constructed {
			return nil, 0, errf(ErrMalformed, "indefinite primitive")
		}
		var content []byte
		for {
			if i+2 > len(b) {
				return nil, 0, errf(ErrMalformed, "unterminated indefinite length")
			}
			if b[i] == 0 && b[i+1] == 0 {
				i += 2
				break
			}
			sub, m, err := berElem(b[i:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			content = append(content, sub...)
			i += m
		}
		return encodeTLV(tag, content), i, nil
	}
	if l&0x80 != 0 {
		k := l & 0x7f
		if k > 4 || i+k > len(b) {
			return nil, 0, errf(ErrMalformed, "bad BER length")
		}
		l = 0
		for j := 0; j < k; j++ {
			l = l<<8 | int(b[i+j])
		}
		i += k
	}
	if l < 0 || i+l > len(b) {
		return nil, 0, errf(ErrMalformed, "BER length beyond data")
	}
	body := b[i : i+l]
	if !constructed {
		return encodeTLV(tag, body), i + l, nil
	}
	var content []byte
	for j := 0; j < len(body); {
		sub, m, err := berElem(body[j:], depth+1)
		if err != nil {
			return nil, 0, err
		}
		content = append(content, sub...)
		j += m
	}
	return encodeTLV(tag, content), i + l, nil
}

func encodeTLV(tag, content []byte) []byte {
	out := append([]byte{}, tag...)
	l := len(content)
	switch {
	case l < 0x80:
		out = append(out, byte(l))
	case l < 0x100:
		out = append(out, 0x81, byte(l))
	case l < 0x10000:
		out = append(out, 0x82, byte(l>>8), byte(l))
	case l < 0x1000000:
		out = append(out, 0x83, byte(l>>16), byte(l>>8), byte(l))
	default:
		out = append(out, 0x84, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
	}
	return append(out, content...)
}
