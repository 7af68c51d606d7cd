package edxml

import (
	"bufio"
	"context"
	"io"
)

// byteReader feeds the XML decoder one byte at a time (so it never reads
// ahead of the token it returns), counts and bounds what is read, can hand
// a byte back, records the envelope's bytes, and bounds each token.
type byteReader struct {
	ctx      context.Context
	br       *bufio.Reader
	lim      Limits
	n        int64 // bytes delivered (net of pushback)
	raw      int64 // of which read directly by the parser (attachment contents)
	pushed   int   // pushed-back byte, -1 none
	last     [2]byte
	capture  []byte // envelope bytes while capturing
	capOn    bool
	budget   int64 // bytes left for the current token; <0 means unlimited
	nextTick int64
	progress func(int64)
	err      error
	srcErr   error // an error of the underlying reader (not EOF)
}

func newByteReader(ctx context.Context, r io.Reader, lim Limits, progress func(int64)) *byteReader {
	br := bufio.NewReaderSize(r, 64<<10)
	// A UTF-8 byte order mark is allowed before the XML declaration.
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		br.Discard(3)
	}
	return &byteReader{ctx: ctx, br: br, lim: lim, pushed: -1, budget: -1, nextTick: 1 << 20, progress: progress}
}

func (b *byteReader) ReadByte() (byte, error) {
	if b.err != nil {
		return 0, b.err
	}
	var c byte
	if b.pushed >= 0 {
		c = byte(b.pushed)
		b.pushed = -1
	} else {
		var err error
		c, err = b.br.ReadByte()
		if err != nil {
			if err != io.EOF {
				b.srcErr = err
			}
			return 0, err
		}
	}
	if err := b.count(1); err != nil {
		return 0, err
	}
	if b.budget >= 0 {
		b.budget--
		if b.budget < 0 {
			b.err = ErrTextTooLarge
			return 0, b.err
		}
	}
	if b.capOn {
		if int64(len(b.capture)) >= b.lim.MaxEnvelopeSize {
			b.err = ErrEnvelopeTooLarge
			return 0, b.err
		}
		b.capture = append(b.capture, c)
	}
	b.last[0], b.last[1] = b.last[1], c
	return c, nil
}

// count adds n delivered bytes, enforcing the package size and checking
// for cancellation now and then.
func (b *byteReader) count(n int64) error {
	b.n += n
	if b.n > b.lim.MaxPackageSize {
		b.err = ErrTooLarge
		return b.err
	}
	if b.n >= b.nextTick {
		b.nextTick = b.n + 1<<20
		if err := b.ctx.Err(); err != nil {
			b.err = err
			return err
		}
		if b.progress != nil {
			b.progress(b.n)
		}
	}
	return nil
}

// unread hands c back: the next ReadByte returns it again.
func (b *byteReader) unread(c byte) {
	b.pushed = int(c)
	b.n--
	b.raw--
}

// startCapture begins recording the envelope. pending is the byte the
// decoder has read but not yet consumed (the '<' after text), if any.
func (b *byteReader) startCapture(pending bool) {
	b.capture = b.capture[:0]
	if pending {
		b.capture = append(b.capture, b.last[1])
	}
	b.capOn = true
}

func (b *byteReader) stopCapture() []byte {
	b.capOn = false
	out := b.capture
	b.capture = nil
	return out
}

// readRaw reads attachment text up to (not including) the next '<', which
// is handed back for the decoder, passing it to fn in chunks.
func (b *byteReader) readRaw(fn func([]byte) error) error {
	if b.err != nil {
		return b.err
	}
	if b.pushed >= 0 {
		// Never happens after a start tag; keep the reader honest anyway.
		c := byte(b.pushed)
		b.pushed = -1
		if err := b.count(1); err != nil {
			return err
		}
		b.raw++
		if c == '<' {
			b.unread(c)
			return nil
		}
		if err := fn([]byte{c}); err != nil {
			return err
		}
	}
	for {
		chunk, err := b.br.ReadSlice('<')
		if len(chunk) > 0 {
			if cerr := b.count(int64(len(chunk))); cerr != nil {
				return cerr
			}
			b.raw += int64(len(chunk))
			end := len(chunk)
			found := chunk[end-1] == '<'
			if found {
				end--
			}
			if end > 0 {
				if ferr := fn(chunk[:end]); ferr != nil {
					return ferr
				}
			}
			if found {
				b.last[0], b.last[1] = 0, '<'
				b.unread('<')
				return nil
			}
		}
		switch err {
		case nil, bufio.ErrBufferFull:
			continue
		case io.EOF:
			return io.ErrUnexpectedEOF
		default:
			b.srcErr = err
			return err
		}
	}
}

// Read makes byteReader an io.Reader; the XML decoder only uses ReadByte.
func (b *byteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c, err := b.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	return 1, nil
}
