package pades

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"hash"
	"io"

	"github.com/vanthu/vanthu/signing/pdf"
)

// output is what Sign wrote: the input followed by the revisions it
// appended. It reads as the output file does (an io.ReaderAt), so the
// next revision is built on it and the result checked through it.
type output struct {
	hash   crypto.Hash
	in     io.ReaderAt
	inSize int64
	head   int64 // offset of the input's newest cross-reference section
	broken bool  // the input's own chain was broken (signed all the same)
	revs   []outRev
}

// outRev is one appended revision.
type outRev struct {
	base   int64 // where it starts in the output
	built  *pdf.Built
	sig    *preparedRevision // nil for the validation data revision
	value  []byte            // the DER the signature's /Contents holds
	before hash.Hash         // hash state of the bytes before the revision
	digest []byte            // the digest its signature covers
}

func (o *output) size() int64 {
	n := o.inSize
	for _, r := range o.revs {
		n += int64(len(r.built.Bytes))
	}
	return n
}

func (o *output) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for len(b) > 0 {
		if off < o.inSize {
			want := b[:min(int64(len(b)), o.inSize-off)]
			k, err := o.in.ReadAt(want, off)
			n += k
			if k < len(want) {
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
				return n, err
			}
			b, off = b[k:], off+int64(k)
			continue
		}
		rel := off - o.inSize
		found := false
		for _, r := range o.revs {
			if p := r.built.Bytes; rel < int64(len(p)) {
				k := copy(b, p[rel:])
				n, b, off, found = n+k, b[k:], off+int64(k), true
				break
			} else {
				rel -= int64(len(p))
			}
		}
		if !found {
			return n, io.EOF
		}
	}
	return n, nil
}

// checkOutput reads the signed file back from ra (size bytes) and checks
// it against what was written: every appended revision is a
// cross-reference section chained to the one before, each signature
// dictionary holds the ByteRange of its revision and the DER that was
// made for it, and the ranges hash, as read from ra, to the digest that
// was signed. The input's own bytes are not hashed again: the hash state
// after them is extended with the revision's bytes read from ra.
func checkOutput(ctx context.Context, ra io.ReaderAt, size int64, o *output) error {
	if err := o.check(ctx, ra, size); err != nil {
		return fmt.Errorf("%w: %w", ErrOutputCheck, err)
	}
	return nil
}

func (o *output) check(ctx context.Context, ra io.ReaderAt, size int64) error {
	if size != o.size() {
		return fmt.Errorf("the file has %d bytes, %d were written", size, o.size())
	}
	rd, err := pdf.Open(ctx, ra, size, pdf.Limits{})
	if err != nil {
		return err
	}
	v, err := rd.Final()
	if err != nil {
		return err
	}
	if v.Broken != nil && !o.broken {
		return v.Broken
	}
	prev := o.head
	for i, rv := range o.revs {
		at := rv.base + int64(rv.built.XRef)
		s, err := rd.Section(at)
		if err != nil {
			return fmt.Errorf("revision %d: %w", i+1, err)
		}
		if s.Prev != prev {
			return fmt.Errorf("revision %d is chained to %d, not to %d", i+1, s.Prev, prev)
		}
		prev = at
	}
	if v.Sections[0].Offset != prev {
		return fmt.Errorf("the last startxref names %d, not the last revision's section %d", v.Sections[0].Offset, prev)
	}
	for i, rv := range o.revs {
		if rv.sig != nil {
			if err := o.checkSignature(v, ra, rv); err != nil {
				return fmt.Errorf("revision %d: %w", i+1, err)
			}
		}
	}
	return nil
}

// checkSignature checks one signature revision in the final view.
func (o *output) checkSignature(v *pdf.View, ra io.ReaderAt, rv outRev) error {
	p := rv.sig
	sd, err := v.ResolveDict(pdf.Ref{Num: p.sigNum})
	if err != nil || sd == nil {
		return fmt.Errorf("signature dictionary %d unreadable: %v", p.sigNum, err)
	}
	end := rv.base + int64(len(rv.built.Bytes))
	gap0, gap1 := rv.base+int64(p.contents[0]), rv.base+int64(p.contents[1])
	want := []int64{0, gap0, gap1, end - gap1}
	br := v.Array(sd.Get("ByteRange"))
	if len(br) != 4 {
		return fmt.Errorf("/ByteRange %v", br)
	}
	for i, x := range br {
		if n, ok := x.(int64); !ok || n != want[i] {
			return fmt.Errorf("/ByteRange %v, want %v", br, want)
		}
	}
	contents, _ := sd.Get("Contents").(pdf.String)
	value := make([]byte, p.contentsCap())
	copy(value, rv.value)
	if !bytes.Equal(contents, value) {
		return fmt.Errorf("/Contents does not hold the signature that was made")
	}
	h, err := cloneHash(rv.before, o.hash.New())
	if err != nil {
		return err
	}
	if err := hashRange(h, ra, rv.base, gap0); err != nil {
		return err
	}
	if err := hashRange(h, ra, gap1, end); err != nil {
		return err
	}
	if !bytes.Equal(h.Sum(nil), rv.digest) {
		return fmt.Errorf("the byte ranges do not hash to the signed digest")
	}
	if p.fieldName != "" {
		cat, _, err := v.Catalog()
		if err != nil {
			return err
		}
		acro, _ := v.ResolveDict(cat["AcroForm"])
		fields, err := v.Fields(acro)
		if err != nil {
			return err
		}
		for _, f := range fields {
			if f.FullName == p.fieldName {
				if r, ok := f.Dict["V"].(pdf.Ref); ok && r.Num == p.sigNum {
					return nil
				}
			}
		}
		return fmt.Errorf("field %q does not hold the signature", p.fieldName)
	}
	return nil
}

func hashRange(h hash.Hash, ra io.ReaderAt, from, to int64) error {
	buf := make([]byte, 64<<10)
	for from < to {
		n := min(int64(len(buf)), to-from)
		k, err := ra.ReadAt(buf[:n], from)
		if int64(k) < n {
			return fmt.Errorf("failed to read the output back: %v", err)
		}
		h.Write(buf[:n])
		from += n
	}
	return nil
}
