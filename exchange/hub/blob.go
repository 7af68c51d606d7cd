package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/vanthu/vanthu/exchange/store"
)

// chunkSize is the size of one stored piece of a package: packages are
// kept in the database in pieces, so neither writing nor reading one ever
// holds more than a piece in memory.
const chunkSize = 1 << 20

// spooled is an incoming package while it is checked: in memory up to
// memSpool bytes, on disk beyond.
type spooled struct {
	r      io.ReaderAt
	mem    []byte // the package when it is held in memory
	buf    *bytes.Buffer
	f      *os.File
	size   int64
	sha256 string
}

// memSpool is the largest package kept in memory while it is checked.
const memSpool = 2 << 20

// spoolBufs keeps the memory of packages checked before for the next ones.
var spoolBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *spooled) Close() error {
	if s.buf != nil {
		if s.buf.Cap() <= 2*memSpool+1024 {
			spoolBufs.Put(s.buf)
		}
		s.buf, s.mem, s.r = nil, nil, nil
	}
	if s.f == nil {
		return nil
	}
	name := s.f.Name()
	err := s.f.Close()
	_ = os.Remove(name)
	return err
}

// spool reads r, hashing it, into memory or (past memSpool) a temporary
// file, and refuses more than max bytes.
func (h *Hub) spool(r io.Reader, max int64) (*spooled, error) {
	hash := sha256.New()
	lr := io.LimitReader(r, max+1)
	mem := spoolBufs.Get().(*bytes.Buffer)
	mem.Reset()
	s := &spooled{buf: mem}
	n, err := io.CopyN(io.MultiWriter(mem, hash), lr, memSpool+1)
	switch {
	case err == io.EOF:
		s.mem = mem.Bytes()
		s.r = bytes.NewReader(s.mem)
	case err != nil:
		_ = s.Close()
		return nil, receiveError(err, max)
	default:
		f, ferr := os.CreateTemp(h.spoolDir(), "incoming-*.pkg")
		if ferr != nil {
			_ = s.Close()
			return nil, fmt.Errorf("failed to spool package: %w", ferr)
		}
		s.f, s.r = f, f
		if _, err := f.Write(mem.Bytes()); err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("failed to spool package: %w", err)
		}
		spoolBufs.Put(mem) // on disk from here on
		s.buf = nil
		m, err := io.Copy(io.MultiWriter(f, hash), lr)
		if err != nil {
			_ = s.Close()
			return nil, receiveError(err, max)
		}
		n += m
	}
	if n > max {
		_ = s.Close()
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	if n == 0 {
		_ = s.Close()
		return nil, fmt.Errorf("%w: empty body", ErrBadPackage)
	}
	s.size, s.sha256 = n, hex.EncodeToString(hash.Sum(nil))
	return s, nil
}

func receiveError(err error, max int64) error {
	var mbe *maxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return fmt.Errorf("failed to receive package: %w", err)
}

func (h *Hub) spoolDir() string { return h.spoolPath }

// maxBytesError stands for http.MaxBytesError without importing net/http
// here; the HTTP layer converts.
type maxBytesError struct{}

func (*maxBytesError) Error() string { return "request body too large" }

// putBlob stores the spooled package under its SHA-256 unless a package
// with that hash is already stored.
func putBlob(ctx context.Context, tx *store.Tx, s *spooled, at int64) error {
	r, err := tx.Exec(ctx, "INSERT INTO blob (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING", s.sha256, s.size, at)
	if err != nil {
		return fmt.Errorf("failed to store package: %w", err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return err // stored before: the same bytes are kept once
	}
	var buf []byte
	for seq, off := 0, int64(0); off < s.size; seq++ {
		var piece []byte
		if s.mem != nil {
			piece = s.mem[off:min(off+chunkSize, s.size)]
		} else {
			if buf == nil {
				buf = make([]byte, chunkSize)
			}
			m, err := s.r.ReadAt(buf, off)
			if m == 0 && err != nil {
				return fmt.Errorf("failed to read spooled package: %w", err)
			}
			piece = buf[:m]
		}
		if _, err := tx.Exec(ctx, "INSERT INTO blob_chunk (sha256, seq, data) VALUES (?, ?, ?)", s.sha256, seq, piece); err != nil {
			return fmt.Errorf("failed to store package: %w", err)
		}
		off += int64(len(piece))
	}
	return nil
}

// storeBefore runs fn, which stores packages on PostgreSQL ahead of the
// write that will refer to them, in a transaction of its own committed
// without waiting for the disk (synchronous_commit off). That loses
// nothing: the write that refers to the packages starts after this commit
// and commits with a wait for the disk, and PostgreSQL's log reaches the
// disk in order, so once the write is durable, so is every transaction
// committed before it — these packages included. Should the server stop
// in between, only packages nothing refers to yet are lost, and their
// sends were not answered; should it restart before the write runs, the
// write fails on message.sha256's foreign key instead of committing a
// message without its package (TestStoreBeforeDurability). This relies on
// the server's own synchronous_commit being on (its default).
func (h *Hub) storeBefore(ctx context.Context, fn func(tx *store.Tx) error) error {
	return h.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit TO OFF"); err != nil {
			return err
		}
		return fn(tx)
	})
}

// blobReader streams a stored package piece by piece (a package whose
// pieces are all missing reads as empty), through one buffer.
type blobReader struct {
	ctx  context.Context
	db   *store.DB
	sha  string
	seq  int
	data []byte // the current piece
	off  int    // read of it so far
	done bool
}

// OpenPackage reads a stored package by its SHA-256 (SentEvent.SHA256),
// for a Hook that needs the package itself (the registers verify the
// signed document it carries).
func (h *Hub) OpenPackage(ctx context.Context, sha256 string) io.Reader {
	return h.openBlob(ctx, sha256)
}

func (h *Hub) openBlob(ctx context.Context, sha string) io.Reader {
	return &blobReader{ctx: ctx, db: h.db, sha: sha}
}

func (b *blobReader) Read(p []byte) (int, error) {
	for b.off == len(b.data) {
		if err := b.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

// WriteTo writes the rest of the package to w, a piece at a time (io.Copy
// uses it). Each piece is copied out of the database first, so a slow
// reader never holds a connection.
func (b *blobReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if b.off == len(b.data) {
			if err := b.next(); err == io.EOF {
				return total, nil
			} else if err != nil {
				return total, err
			}
		}
		n, err := w.Write(b.data[b.off:])
		b.off += n
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
}

// pieceBufs keeps the buffers of packages read to the end for the next.
var pieceBufs = sync.Pool{New: func() any { return new([]byte) }}

// next reads the next piece into b.data, or reports io.EOF (and gives the
// buffer back).
func (b *blobReader) next() error {
	if b.data == nil {
		b.data = (*pieceBufs.Get().(*[]byte))[:0]
	}
	if b.done {
		buf := b.data[:0]
		pieceBufs.Put(&buf)
		b.data, b.off = nil, 0
		return io.EOF
	}
	rows, err := b.db.Query(b.ctx, "SELECT data FROM blob_chunk WHERE sha256 = ? AND seq = ?", b.sha, b.seq)
	if err != nil {
		return fmt.Errorf("failed to read stored package: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return fmt.Errorf("failed to read stored package: %w", err)
		}
		b.done = true
		return b.next()
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return fmt.Errorf("failed to read stored package: %w", err)
	}
	b.data, b.off = append(b.data[:0], raw...), 0
	b.seq++
	// Every piece but the last is full (putBlob): a short one ends the
	// package without asking for the next.
	b.done = len(b.data) < chunkSize
	return rows.Close()
}
