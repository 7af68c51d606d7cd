// Package b64 decodes base64 text as it streams in: whitespace is skipped,
// anything else outside the standard alphabet is refused, padding may only
// end the text, and the decoded size is bounded. Nothing is buffered beyond
// one chunk, whatever the length of the text.
package b64

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// Errors.
var (
	ErrInvalid  = errors.New("invalid base64")
	ErrTooLarge = errors.New("decoded content larger than the limit")
)

const chunk = 16 << 10 // characters per decode step, a multiple of 4

var enc = base64.StdEncoding.Strict()

// Decoder is an io.Writer that takes base64 text and writes the decoded
// bytes to its sink. Close checks the end of the text.
type Decoder struct {
	w       io.Writer // nil: validate and count only
	max     int64
	buf     []byte // pending alphabet characters (and final padding)
	out     []byte
	pad     int   // '=' seen
	chars   int64 // alphabet characters and padding seen
	decoded int64
	err     error
}

// NewDecoder returns a decoder writing to w (nil: only check and count)
// that fails with ErrTooLarge once more than max bytes decode.
func NewDecoder(w io.Writer, max int64) *Decoder {
	d := &Decoder{w: w, max: max, buf: make([]byte, 0, chunk)}
	if w != nil {
		d.out = make([]byte, enc.DecodedLen(chunk))
	}
	return d
}

// Size is the number of bytes decoded so far (an estimate from the text
// length when the decoder has no sink).
func (d *Decoder) Size() int64 {
	if d.w == nil {
		return d.chars/4*3 - int64(d.pad)
	}
	return d.decoded
}

// Write takes more base64 text.
func (d *Decoder) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	i := 0
	for i < len(p) {
		if d.pad == 0 {
			// Fast path: a run of alphabet characters, copied in bulk.
			j := i
			for j < len(p) && class[p[j]] == alpha {
				j++
			}
			for i < j {
				n := copy(d.buf[len(d.buf):cap(d.buf)], p[i:j])
				d.buf = d.buf[:len(d.buf)+n]
				d.chars += int64(n)
				i += n
				if len(d.buf) == cap(d.buf) {
					if err := d.flush(); err != nil {
						return i, err
					}
				}
			}
			if i == len(p) {
				break
			}
		}
		c := p[i]
		switch class[c] {
		case space:
			i++
			continue
		case pad:
			d.pad++
			if d.pad > 2 {
				return i, d.fail(fmt.Errorf("%w: more than two padding characters", ErrInvalid))
			}
		case alpha:
			return i, d.fail(fmt.Errorf("%w: data after padding at character %d", ErrInvalid, d.chars))
		default:
			return i, d.fail(fmt.Errorf("%w: character %q at %d", ErrInvalid, c, d.chars))
		}
		d.chars++
		d.buf = append(d.buf, c)
		i++
		if len(d.buf) == cap(d.buf) {
			if err := d.flush(); err != nil {
				return i, err
			}
		}
	}
	return len(p), nil
}

// Close checks that the text ended on a whole quantum.
func (d *Decoder) Close() error {
	if d.err != nil {
		return d.err
	}
	if d.chars%4 != 0 {
		return d.fail(fmt.Errorf("%w: %d characters is not a multiple of 4", ErrInvalid, d.chars))
	}
	return d.flush()
}

func (d *Decoder) flush() error {
	if len(d.buf) == 0 {
		return nil
	}
	if d.w == nil {
		d.buf = d.buf[:0]
		if d.Size() > d.max {
			return d.fail(ErrTooLarge)
		}
		return nil
	}
	m, err := enc.Decode(d.out, d.buf)
	if err != nil {
		return d.fail(fmt.Errorf("%w: %v", ErrInvalid, err))
	}
	d.buf = d.buf[:0]
	if d.decoded+int64(m) > d.max {
		return d.fail(ErrTooLarge)
	}
	d.decoded += int64(m)
	if _, err := d.w.Write(d.out[:m]); err != nil {
		return d.fail(err)
	}
	return nil
}

func (d *Decoder) fail(err error) error {
	d.err = err
	return err
}

// Character classes.
const (
	invalid = iota
	alpha
	space
	pad
)

var class = func() (t [256]byte) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = alpha, alpha
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = alpha
	}
	t['+'], t['/'] = alpha, alpha
	t[' '], t['\t'], t['\r'], t['\n'] = space, space, space, space
	t['='] = pad
	return t
}()
