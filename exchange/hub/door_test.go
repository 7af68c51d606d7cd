package hub_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// The pieces another door (the axis SDKs' service) builds on: choosing
// recipients among the package's, filtered inbox lists and counts, the
// sender's per-recipient list, a recipient's own delivery, and audited
// writes in the hub's group commit.
func TestDoorOperations(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		pkg := f.a.document(t, codeA+",2026/03/10,1/UBND-VP", []byte("%PDF-1.7 thử"), codeB, codeC)
		_, err := f.h.Send(ctx, hub.SendRequest{Caller: codeA, ClientID: "x1", To: []string{"H99"}, Body: bytes.NewReader(pkg)})
		if !errors.Is(err, hub.ErrRouteMismatch) {
			t.Fatalf("a recipient the package does not name: %v", err)
		}
		res, err := f.h.Send(ctx, hub.SendRequest{Caller: codeA, ClientID: "x2", To: []string{codeC}, Body: bytes.NewReader(pkg)})
		if err != nil || len(res.Recipients) != 1 || res.Recipients[0] != codeC {
			t.Fatalf("to C only: %+v %v", res, err)
		}
		if items := f.inbox(t, codeB); len(items) != 0 {
			t.Fatalf("B got %+v", items)
		}
		items, err := f.h.ListInbox(ctx, codeC, hub.InboxFilter{Kind: wire.KindDocument})
		if err != nil || len(items) != 1 {
			t.Fatalf("C's documents: %+v %v", items, err)
		}
		if n, _ := f.h.CountInbox(ctx, codeC, hub.InboxFilter{Kind: wire.KindStatus}); n != 0 {
			t.Fatalf("C's statuses: %d", n)
		}
		if n, _ := f.h.CountInbox(ctx, codeC, hub.InboxFilter{Since: time.Now().Add(time.Hour)}); n != 0 {
			t.Fatalf("C's deliveries queued in an hour: %d", n)
		}
		if n, _ := f.h.CountInbox(ctx, codeC, hub.InboxFilter{Until: time.Now().Add(time.Hour)}); n != 1 {
			t.Fatalf("C's deliveries queued until an hour from now: %d", n)
		}
		id := items[0].DeliveryID
		if _, err := f.h.DeliveryOf(ctx, codeB, id); !errors.Is(err, hub.ErrForbidden) {
			t.Fatalf("B asks for C's delivery: %v", err)
		}
		if _, err := f.h.DeliveryOf(ctx, codeC, id+100); !errors.Is(err, hub.ErrNotFound) {
			t.Fatalf("unknown delivery: %v", err)
		}
		d, err := f.h.DeliveryOf(ctx, codeC, id)
		if err != nil || d.State != "queued" || d.From != codeA || d.Kind != wire.KindDocument {
			t.Fatalf("%+v %v", d, err)
		}
		f.receive(t, codeC)
		sent, err := f.h.ListSent(ctx, codeA, hub.SentFilter{Kind: wire.KindDocument})
		if err != nil || len(sent) != 1 || sent[0].Recipient != codeC || sent[0].State != "acked" || sent[0].LastCode != wire.StatusArrived ||
			sent[0].AckedAt.IsZero() || sent[0].MessageID != res.MessageID {
			t.Fatalf("A's sent list: %+v %v", sent, err)
		}
		if other, _ := f.h.ListSent(ctx, codeA, hub.SentFilter{MessageID: res.MessageID + 99}); len(other) != 0 {
			t.Fatalf("another message: %+v", other)
		}
		before, _ := f.h.VerifyAudit(ctx)
		err = f.h.Update(ctx, func(ctx context.Context, tx *store.Tx, audit hub.AuditFunc) error {
			if err := audit("axis:test", "test.one", "x", map[string]int{"n": 1}); err != nil {
				return err
			}
			return errors.New("undo")
		})
		if err == nil {
			t.Fatal("Update hid fn's error")
		}
		if err := f.h.Audit(ctx, "axis:test", "test.two", "y", nil); err != nil {
			t.Fatal(err)
		}
		after, err := f.h.VerifyAudit(ctx)
		if err != nil || after != before+1 {
			t.Fatalf("audit %d → %d %v: the failed update must leave nothing", before, after, err)
		}
	})
}
