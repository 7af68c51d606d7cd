package axis

import (
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
)

// PartName is the multipart part that carries a sendEdoc package.
const PartName = "file_doc"

// crlf ends the Java SDK 2.0.1's sendEdoc body.
const crlf = "\r\n"

// PackageBody is a sendEdoc body as the Java SDK 2.0.1 sends it: the
// package bytes, then CRLF (Content-Type application/octet-stream).
func PackageBody(pkg io.Reader) io.Reader {
	return io.MultiReader(pkg, strings.NewReader(crlf))
}

// PackageBodySize is the length of PackageBody for a package of size bytes.
func PackageBodySize(size int64) int64 { return size + int64(len(crlf)) }

// Spooled is a sendEdoc package received into a temporary file.
type Spooled struct {
	f      *os.File
	Size   int64
	SHA256 string // lowercase hex
}

// Reader reads the package from its start.
func (s *Spooled) Reader() io.ReadSeeker {
	return io.NewSectionReader(s.f, 0, s.Size)
}

// Close removes the temporary file.
func (s *Spooled) Close() error {
	err := s.f.Close()
	_ = os.Remove(s.f.Name())
	return err
}

// SpoolPackage reads the package of a sendEdoc request into a temporary
// file in dir and checks it against hashFile (which must be set): the
// body of an octet-stream (or any non-multipart) request, or the file_doc
// part of a multipart/form-data one. A body that ends in CRLF is the
// package without it when that matches hash-file (the Java SDK appends
// CRLF), else the whole body. At most max bytes of package are read.
func SpoolPackage(r *http.Request, dir string, max int64, hashFile string) (*Spooled, error) {
	if strings.TrimSpace(hashFile) == "" {
		return nil, fmt.Errorf("%w: %s%s is required: the package's SHA-256", ErrBadHashFile, Prefix, KeyHashFile)
	}
	body, err := packageReader(r)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "axis-*.pkg")
	if err != nil {
		return nil, fmt.Errorf("failed to spool package: %w", err)
	}
	sp := &Spooled{f: f}
	ok := false
	defer func() {
		if !ok {
			_ = sp.Close()
		}
	}()
	hw := &tailHasher{h: sha256.New()}
	n, err := io.Copy(io.MultiWriter(f, hw), io.LimitReader(body, max+int64(len(crlf))+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
		}
		return nil, fmt.Errorf("failed to receive package: %w", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: the body is empty", ErrBadBody)
	}
	if n > max+int64(len(crlf)) {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	head, full := hw.sums()
	switch {
	case string(hw.tail[:hw.n]) == crlf && MatchHashFile(hashFile, head):
		sp.Size, sp.SHA256 = n-int64(len(crlf)), hex.EncodeToString(head)
	case MatchHashFile(hashFile, full):
		sp.Size, sp.SHA256 = n, hex.EncodeToString(full)
	default:
		return nil, fmt.Errorf("%w: SHA-256 of the package is %s (hash-file form %s), the request declares %q",
			ErrBadHashFile, hex.EncodeToString(full), HashFile(full), clip(hashFile))
	}
	if sp.Size > max {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, sp.Size, max)
	}
	if err := f.Truncate(sp.Size); err != nil {
		return nil, fmt.Errorf("failed to spool package: %w", err)
	}
	ok = true
	return sp, nil
}

// packageReader finds the package in the body.
func packageReader(r *http.Request) (io.Reader, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(mt, "multipart/form-data") {
		return r.Body, nil
	}
	if params["boundary"] == "" {
		return nil, fmt.Errorf("%w: multipart body without a boundary", ErrBadBody)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: the multipart body has no part %q", ErrBadBody, PartName)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadBody, err)
		}
		if p.FormName() == PartName {
			return p, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(p, 1<<20))
	}
}

// tailHasher hashes what it is given except the last two bytes, which it
// holds back, so that both the SHA-256 of everything and that of
// everything but a trailing CRLF are known at the end.
type tailHasher struct {
	h    hash.Hash
	tail [2]byte
	n    int
}

func (t *tailHasher) Write(p []byte) (int, error) {
	total := len(p)
	if total == 0 {
		return 0, nil
	}
	if len(p) >= 2 {
		t.h.Write(t.tail[:t.n])
		t.h.Write(p[:len(p)-2])
		t.n = copy(t.tail[:], p[len(p)-2:])
		return total, nil
	}
	// One byte: it becomes the newest of the held back ones.
	if t.n == 2 {
		t.h.Write(t.tail[:1])
		t.tail[0] = t.tail[1]
		t.n = 1
	}
	t.tail[t.n] = p[0]
	t.n++
	return total, nil
}

// sums are the digest without the held back bytes, and with them.
func (t *tailHasher) sums() (head, full []byte) {
	head = t.h.Sum(nil)
	state, err := t.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic(err) // crypto/sha256 always marshals its state
	}
	c := sha256.New()
	if err := c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
		panic(err)
	}
	c.Write(t.tail[:t.n])
	return head, c.Sum(nil)
}
