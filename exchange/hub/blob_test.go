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
