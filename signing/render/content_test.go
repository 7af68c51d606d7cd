package render

import (
	"context"
	"testing"
)

// TestRenderContent: without annotations the signature's red box is not
// drawn, the page content (the blue bar) is.
func TestRenderContent(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx := context.Background()
	d, err := r.Open(ctx, widgetPDF(0))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	with, err := d.Render(ctx, 1, 72)
	if err != nil {
		t.Fatal(err)
	}
	without, err := d.RenderContent(ctx, 1, 72)
	if err != nil {
		t.Fatal(err)
	}
	if with.Bounds() != without.Bounds() {
		t.Fatalf("sizes %v and %v", with.Bounds(), without.Bounds())
	}
	// the widget Sig1 at 300,100 150×50 (y from the top: 842-125)
	if !isRed(with, 375, 842-125) || !isWhite(without, 375, 842-125) {
		t.Errorf("widget pixel: %v with annotations, %v without", with.RGBAAt(375, 842-125), without.RGBAAt(375, 842-125))
	}
	// the blue bar at 72,700 200×20
	if !isBlue(without, 100, 842-710) {
		t.Errorf("page content missing without annotations: %v", without.RGBAAt(100, 842-710))
	}
}
