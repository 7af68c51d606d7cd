package hub

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"testing/iotest"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/internal/pgtest"
)

// TestBlobPieces: packages of one piece, of exactly two and of several
// (spooled to disk) read back whole, through Read and through WriteTo.
func TestBlobPieces(t *testing.T) {
	h := queueHub(t, filepath.Join(t.TempDir(), "hub.db"), nil)
	h.spoolPath = t.TempDir()
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{1, 300 << 10, 2 * chunkSize, memSpool + chunkSize/2 + 7} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rnd.Uint32())
		}
		sp, err := h.spool(bytes.NewReader(data), 64<<20)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.db.Tx(ctx, func(tx *store.Tx) error { return putBlob(ctx, tx, sp, 1) }); err != nil {
			t.Fatal(err)
		}
		sum := sp.sha256
		_ = sp.Close()
		if err := iotest.TestReader(h.openBlob(ctx, sum), data); err != nil {
			t.Errorf("%d bytes through Read: %v", size, err)
		}
		var out bytes.Buffer
		if n, err := io.Copy(&out, h.openBlob(ctx, sum)); err != nil || n != int64(size) || !bytes.Equal(out.Bytes(), data) {
			t.Errorf("%d bytes through WriteTo: %d, %v", size, n, err)
		}
	}
}

// TestStoreBeforeDurability checks the two facts storeBefore's reasoning
// rests on, on PostgreSQL: only storeBefore's own transaction commits
// without waiting for the disk (SET LOCAL ends with it, so the referencing
// write on the same connection waits as every other does), and a write
// that refers to a package which is not stored — as if the server had
// lost the transaction committed ahead — fails instead of committing a
// message without its package.
func TestStoreBeforeDurability(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	queueHub(t, dsn, nil) // migrates the schema
	one, err := store.Open(ctx, dsn, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = one.Close() })
	h := &Hub{db: one} // one connection: the write reuses storeBefore's
	syncCommit := func(q store.Querier) string {
		t.Helper()
		var v string
		if err := q.QueryRow(ctx, "SHOW synchronous_commit").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	pkg := &memBlob{data: []byte("package"), sha: "stored-ahead"}
	var inside string
	if err := h.storeBefore(ctx, func(tx *store.Tx) error {
		inside = syncCommit(tx)
		return putMemBlobs(ctx, tx, []*memBlob{pkg}, 1)
	}); err != nil {
		t.Fatal(err)
	}
	if inside != "off" {
		t.Fatalf("synchronous_commit %q while storing ahead, want off", inside)
	}
	refer := func(sha string) error {
		return one.Tx(ctx, func(tx *store.Tx) error {
			if v := syncCommit(tx); v != "on" {
				t.Fatalf("synchronous_commit %q in the referencing write, want on", v)
			}
			_, err := tx.Exec(ctx, `INSERT INTO message (sender, client_id, kind, document_id, sha256, size, created_at)
				VALUES ('H29', ?, 'edoc', 'd', ?, 7, 1)`, "c-"+sha, sha)
			return err
		})
	}
	if err := refer(pkg.sha); err != nil {
		t.Fatalf("write referring to the package stored ahead: %v", err)
	}
	if err := refer("lost"); err == nil {
		t.Fatal("a message referring to a package that is not stored was committed")
	}
	var n int
	if err := one.QueryRow(ctx, "SELECT count(*) FROM message WHERE sha256 = 'lost'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d messages without their package (%v)", n, err)
	}
}
