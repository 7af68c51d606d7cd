package render

import (
	"context"
	"testing"
)

// BenchmarkFirstPage50 is what the desktop preview does when a document is
// opened: open a 50-page text document and render its first page at the
// preview's 96 dpi (a warm Renderer: PDFium already compiled and started).
func BenchmarkFirstPage50(b *testing.B) {
	r := newRenderer(b, Options{})
	data := textPDF(50)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		d, err := r.Open(ctx, data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Render(ctx, 1, 96); err != nil {
			b.Fatal(err)
		}
		_ = d.Close()
	}
}

// BenchmarkRendererStartCached is the cost of a new Renderer (a new
// process's first preview) once the compiled module is in the cache.
func BenchmarkRendererStartCached(b *testing.B) {
	dir := b.TempDir()
	r0, err := New(context.Background(), Options{CacheDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	_ = r0.Close()
	// Drop the in-process cache so each round reads the disk like a new
	// process does.
	for b.Loop() {
		cachesMu.Lock()
		delete(caches, dir)
		cachesMu.Unlock()
		r, err := New(context.Background(), Options{CacheDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		d, err := r.Open(context.Background(), textPDF(1))
		if err != nil {
			b.Fatal(err)
		}
		_ = d.Close()
		_ = r.Close()
	}
}
