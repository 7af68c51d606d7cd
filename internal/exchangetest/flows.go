package exchangetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
)

// DocID is the n-th test document of agency code:
// code,2026/03/10,n/UBND-VP.
func DocID(code string, n int) string { return fmt.Sprintf("%s,2026/03/10,%d/UBND-VP", code, n) }

// Documents describes the signed PDFs at paths as agency code's
// documents 1, 2, … of 10 March 2026.
func Documents(code string, paths []string) []client.OutgoingDocument {
	out := make([]client.OutgoingDocument, len(paths))
	for i, p := range paths {
		out[i] = client.OutgoingDocument{Path: p, DocumentID: DocID(code, i+1), Number: fmt.Sprint(i + 1), Notation: "UBND-VP",
			Date: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Subject: fmt.Sprintf("Văn bản thử %d", i+1), Type: "Công văn"}
	}
	return out
}

// DeliverAll delivers c's outbox, retrying for up to 30 s; anything failed
// or left pending fails the test.
func DeliverAll(tb testing.TB, c *client.Client) client.DeliverSummary {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sum, err := c.Deliver(ctx, client.DeliverOptions{Wait: true}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if sum.Failed != 0 || sum.Pending != 0 {
		out, _ := c.Outbox(ctx, true)
		tb.Fatalf("deliver: %+v %+v", sum, out)
	}
	return sum
}

// SyncInbox receives what is queued for c, once.
func SyncInbox(tb testing.TB, c *client.Client) client.SyncSummary {
	tb.Helper()
	sum, err := c.Sync(context.Background(), client.SyncOptions{}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return sum
}

// StatusCodes is a history's codes, space-separated ("01 03").
func StatusCodes(es []wire.StatusEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Code)
	}
	return strings.Join(out, " ")
}

// RecordingHook is a hub.Hook that keeps what it is told.
type RecordingHook struct {
	mu       sync.Mutex
	sent     []hub.SentEvent
	statuses []hub.StatusEvent
}

var _ hub.Hook = (*RecordingHook)(nil)

// Sent records ev.
func (r *RecordingHook) Sent(_ context.Context, ev hub.SentEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, ev)
	return nil
}

// Status records ev.
func (r *RecordingHook) Status(_ context.Context, ev hub.StatusEvent) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.statuses = append(r.statuses, ev)
	return nil
}

// Events returns what was recorded so far.
func (r *RecordingHook) Events() ([]hub.SentEvent, []hub.StatusEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hub.SentEvent(nil), r.sent...), append([]hub.StatusEvent(nil), r.statuses...)
}
