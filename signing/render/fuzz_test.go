package render

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpdf"
)

var (
	fuzzOnce     sync.Once
	fuzzRenderer *Renderer
	fuzzErr      error
)

// FuzzRender: any bytes open as a document or fail with an error of this
// package, and any page opened renders or fails cleanly, in bounded time.
func FuzzRender(f *testing.F) {
	f.Add(testpdf.Plain(1))
	f.Add(widgetPDF(90))
	f.Add(textPDF(2))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj trailer << /Root 1 0 R >>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzOnce.Do(func() {
			fuzzRenderer, fuzzErr = New(context.Background(), Options{CacheDir: cacheDir, Timeout: 2 * time.Second, MaxPixels: 2_000_000})
		})
		if fuzzErr != nil {
			t.Fatal(fuzzErr)
		}
		ctx := context.Background()
		d, err := fuzzRenderer.Open(ctx, data)
		if err != nil {
			if !errors.Is(err, ErrUnreadable) && !errors.Is(err, ErrEncrypted) && !errors.Is(err, ErrTimeout) {
				t.Fatalf("open: unexpected error %v", err)
			}
			return
		}
		defer d.Close()
		for p := 1; p <= min(d.Pages(), 2); p++ {
			if _, err := d.Render(ctx, p, 20); err != nil {
				var pe *PageError
				if !errors.Is(err, ErrFailed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrTimeout) && !errors.As(err, &pe) {
					t.Fatalf("render: unexpected error %v", err)
				}
			}
			if _, err := d.Widgets(ctx, p); err != nil && !errors.Is(err, ErrFailed) && !errors.Is(err, ErrTimeout) {
				t.Fatalf("widgets: unexpected error %v", err)
			}
		}
	})
}
