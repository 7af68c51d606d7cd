package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
)

// The header a clerk fills (signer, priority, due date, steering) reaches
// the recipient's inbox; after accepting, the recipient reports 04, 05 and
// 06 in order — never backwards, nothing after 06, nothing before the
// document is accepted — and the sender's history shows them.
func TestHeaderAndProgress(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b := env.AddAgency(t, h, codeA, "Sở Nội vụ"), env.AddAgency(t, h, codeB, "Văn phòng Chính phủ")
	ca, cb := env.Client(t, a), env.Client(t, b)
	ctx := context.Background()
	pdf := env.SignedPDFs(t, filepath.Join(t.TempDir(), "pdf"), 1, 4<<10)[0]
	d := docs([]string{pdf})[0]
	d.Priority, d.Steering = 2, wire.SteeringDirectiveReport
	d.Signer = wire.Signer{Competence: "KT. GIÁM ĐỐC", Position: "Phó Giám đốc", FullName: "Trần Thị Bình"}
	d.DueDate = time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	if _, err := ca.QueueDocuments(ctx, []client.OutgoingDocument{d}, []wire.Organization{{Code: codeB}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, ca)
	syncInbox(t, cb)
	in, _ := cb.Inbox(ctx, false)
	if len(in) != 1 {
		t.Fatalf("inbox: %+v", in)
	}
	got := in[0].Header
	if got.Priority != 2 || got.Steering != 2 || got.Signer != d.Signer || got.Number != "1" || got.Notation != "UBND-VP" ||
		got.Type != "Công văn" || got.DueDate.Format(time.DateOnly) != "2026-03-20" || got.Date.Format(time.DateOnly) != "2026-03-10" ||
		got.SenderName == "" {
		t.Fatalf("header at the recipient: %+v", got)
	}
	id := in[0].ID
	if err := cb.ReportProgress(ctx, id, wire.StatusAssigned, "", "", b.Signer); !errors.Is(err, client.ErrState) {
		t.Fatalf("progress before accepting: %v", err)
	}
	if _, err := cb.Receive(ctx, id, client.Answer{Accept: true}, b.Signer); err != nil {
		t.Fatal(err)
	}
	if err := cb.ReportProgress(ctx, id, wire.StatusAccepted, "", "", b.Signer); !errors.Is(err, client.ErrState) {
		t.Fatalf("03 as progress: %v", err)
	}
	for _, code := range []string{wire.StatusAssigned, wire.StatusInProgress} {
		if err := cb.ReportProgress(ctx, id, code, "Phòng Tổng hợp", "Lê Văn C", b.Signer); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
	}
	if err := cb.ReportProgress(ctx, id, wire.StatusAssigned, "", "", b.Signer); !errors.Is(err, client.ErrState) {
		t.Fatalf("back to 04 after 05: %v", err)
	}
	if err := cb.ReportProgress(ctx, id, wire.StatusDone, "", "", b.Signer); err != nil {
		t.Fatal(err)
	}
	if err := cb.ReportProgress(ctx, id, wire.StatusDone, "", "", b.Signer); !errors.Is(err, client.ErrState) {
		t.Fatalf("06 twice: %v", err)
	}
	if after, _ := cb.IncomingByID(ctx, id); after.Progress != wire.StatusDone || after.State != client.InboxAccepted {
		t.Fatalf("after 06: %+v", after)
	}
	deliverAll(t, cb)
	syncInbox(t, ca)
	st, _ := ca.Status(ctx, d.DocumentID)
	if c := codes(st.Recipients[codeB]); c != "01 03 04 05 06" {
		t.Fatalf("sender's history: %q", c)
	}
	if e := st.Recipients[codeB][3]; e.Description != "Phòng Tổng hợp" {
		t.Fatalf("04's description: %+v", e)
	}
}

func TestErrorCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""}, {client.ErrUnreachable, "unreachable"}, {&client.HubError{Status: 503}, "hub"}, {&client.HubError{Status: 400}, "other"},
		{errors.Join(errors.New("x"), client.ErrRefused), "refused"}, {errors.New("boom"), "other"},
	} {
		if got := client.ErrorCode(c.err); got != c.want {
			t.Errorf("ErrorCode(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
