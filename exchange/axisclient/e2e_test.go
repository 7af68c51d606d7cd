package axisclient_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/pgtest"
)

func TestMain(m *testing.M) {
	if code, ok := exchangetest.Child(); ok {
		os.Exit(code)
	}
	os.Exit(pgtest.Run(m))
}

const (
	codeA = "H29.01"
	codeB = "000.00.00.G22"
	codeC = "H41"
)

var (
	docID      = func(n int) string { return exchangetest.DocID(codeA, n) }
	deliverAll = exchangetest.DeliverAll
	syncInbox  = exchangetest.SyncInbox
	codes      = exchangetest.StatusCodes
)

func docs(paths []string) []client.OutgoingDocument { return exchangetest.Documents(codeA, paths) }

// The acceptance cycle, on SQLite and PostgreSQL: three agencies whose
// installations reach the hub only through its door for the axis SDKs,
// with a system ID and secret each. A sends two documents to B and C; B
// and C list, get, verify, store and acknowledge them; B accepts, C
// refuses one; the statuses (the hub's 01, B's 03, C's 02) come back to A
// as status packages; A recalls one; B gives it back (15, its copy
// deleted), C keeps it (16). The hub's audit trail verifies.
func TestAcceptanceThroughAxisDoor(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			dsn := ""
			if store == "postgres" {
				dsn = pgtest.DSN(t)
			}
			cycle(t, dsn)
		})
	}
}

func cycle(t *testing.T, dsn string) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, dsn, hub.Limits{})
	door := h.ServeAxis(t)
	a := env.AddAxisSystem(t, door, codeA, "Sở Nội vụ", "vxp.h29.01", false)
	b := env.AddAxisSystem(t, door, codeB, "Văn phòng Chính phủ", "", false)
	c := env.AddAxisSystem(t, door, codeC, "UBND tỉnh Nghệ An", "", false)
	ca, cb, cc := env.AxisClient(t, door, a), env.AxisClient(t, door, b), env.AxisClient(t, door, c)
	ctx := context.Background()

	dir, err := ca.Directory(ctx)
	if err != nil || len(dir) != 3 {
		t.Fatalf("directory through the axis: %+v %v", dir, err)
	}
	pdfs := env.SignedPDFs(t, filepath.Join(t.TempDir(), "pdf"), 2, 8<<10)
	res, err := ca.QueueDocuments(ctx, docs(pdfs), []wire.Organization{{Code: codeB}, {Code: codeC}}, a.Signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("queue: %+v", r)
		}
	}
	if sum := deliverAll(t, ca); sum.Sent != 2 {
		t.Fatalf("sent %+v", sum)
	}
	// A delivery the hub stored but whose answer was lost is sent again:
	// the door answers with the first DocId, nothing is doubled.
	if n, _ := ca.Retry(ctx); n != 0 {
		t.Fatalf("retry found %d failed", n)
	}
	for name, cl := range map[string]*client.Client{"B": cb, "C": cc} {
		if s := syncInbox(t, cl); s.Documents != 2 || s.Rejected != 0 {
			t.Fatalf("%s synced %+v", name, s)
		}
		in, _ := cl.Inbox(ctx, false)
		for _, d := range in {
			if d.State != client.InboxNew || d.Verdict.Status != client.VerdictValid || d.From != codeA || len(d.Files) != 1 {
				t.Fatalf("%s: %+v", name, d)
			}
		}
		// Acknowledged: nothing more is listed.
		if s := syncInbox(t, cl); s.Documents != 0 {
			t.Fatalf("%s synced again: %+v", name, s)
		}
	}
	inB, _ := cb.Inbox(ctx, false)
	for _, d := range inB {
		if _, err := cb.Receive(ctx, d.ID, client.Answer{Accept: true, Staff: "Văn thư B"}, b.Signer); err != nil {
			t.Fatal(err)
		}
	}
	inC, _ := cc.Inbox(ctx, false)
	refused := docID(2)
	for _, d := range inC {
		ans := client.Answer{Accept: true}
		if d.DocumentID == refused {
			ans = client.Answer{Reason: "Không đúng thẩm quyền"}
		}
		if _, err := cc.Receive(ctx, d.ID, ans, c.Signer); err != nil {
			t.Fatal(err)
		}
	}
	deliverAll(t, cb)
	deliverAll(t, cc)
	if s := syncInbox(t, ca); s.Statuses != 8 || s.Rejected != 0 {
		t.Fatalf("A synced %+v, want 8 statuses (01 and 03/02 from two recipients for 2 documents)", s)
	}
	for _, d := range []string{docID(1), docID(2)} {
		st, err := ca.Status(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		wantC := "01 03"
		if d == refused {
			wantC = "01 02"
		}
		if got := codes(st.Recipients[codeB]); got != "01 03" {
			t.Fatalf("%s at B: %q", d, got)
		}
		if got := codes(st.Recipients[codeC]); got != wantC {
			t.Fatalf("%s at C: %q, want %q", d, got, wantC)
		}
	}
	// The hub's view through getSentEdocList agrees.
	ds, err := ca.Transport().DocStatus(ctx, refused)
	if err != nil || len(ds.Recipients) != 2 || ds.Recipients[codeC][0].Code != wire.StatusRefused {
		t.Fatalf("DocStatus through the axis: %+v %v", ds, err)
	}

	// A recalls document 1; B accepts, C refuses.
	recalled := docID(1)
	if _, err := ca.Recall(ctx, recalled, "Ban hành nhầm", a.Signer); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, ca)
	syncInbox(t, cb)
	syncInbox(t, cc)
	find := func(cl *client.Client) *client.IncomingDocument {
		in, _ := cl.Inbox(ctx, false)
		for i := range in {
			if in[i].DocumentID == recalled {
				return &in[i]
			}
		}
		return nil
	}
	bDoc, cDoc := find(cb), find(cc)
	if bDoc == nil || bDoc.State != client.InboxRecallRequested || bDoc.RecallReason != "Ban hành nhầm" || cDoc == nil {
		t.Fatalf("B's copy after the recall request: %+v", bDoc)
	}
	if code, err := cb.Receive(ctx, bDoc.ID, client.Answer{Accept: true}, b.Signer); err != nil || code != wire.StatusRecallAccepted {
		t.Fatalf("B accepts the recall: %s %v", code, err)
	}
	if _, err := cc.Receive(ctx, cDoc.ID, client.Answer{Reason: "Đã phân công xử lý"}, c.Signer); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, cb)
	deliverAll(t, cc)
	syncInbox(t, ca)
	for _, f := range bDoc.Files {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Fatalf("B's recalled copy %s still there: %v", f, err)
		}
	}
	st, _ := ca.Status(ctx, recalled)
	if got := codes(st.Recipients[codeB]); got != "01 03 13 15" {
		t.Fatalf("A's history of the recall at B: %q", got)
	}
	if got := codes(st.Recipients[codeC]); got != "01 03 13 16" {
		t.Fatalf("A's history of the recall at C: %q", got)
	}
	var removed int
	if err := h.DB.QueryRow(ctx, "SELECT count(*) FROM delivery WHERE state = 'removed' AND recipient = ?", codeB).Scan(&removed); err != nil || removed != 1 {
		t.Fatalf("B's delivery at the hub after the recall: %d removed %v", removed, err)
	}
	if n, err := h.Hub.VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit: %d %v", n, err)
	}
}
