package client_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

func docID(n int) string { return exchangetest.DocID(codeA, n) }

func docs(paths []string) []client.OutgoingDocument { return exchangetest.Documents(codeA, paths) }

func deliverAll(t *testing.T, c *client.Client) client.DeliverSummary {
	return exchangetest.DeliverAll(t, c)
}

func syncInbox(t *testing.T, c *client.Client) client.SyncSummary {
	return exchangetest.SyncInbox(t, c)
}

// TestEndToEnd: A batch-sends 20 signed PDFs to B and C; B accepts all, C
// refuses one with a reason; A sees 01, 03 and 02 per recipient; A recalls
// one; B accepts the recall and B's copy is gone. Every status A holds
// came as a verified, signed status package.
func TestEndToEnd(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b, c := env.AddAgency(t, h, codeA, "Sở Nội vụ"), env.AddAgency(t, h, codeB, "Văn phòng Chính phủ"), env.AddAgency(t, h, codeC, "UBND tỉnh Nghệ An")
	ca, cb, cc := env.Client(t, a), env.Client(t, b), env.Client(t, c)
	ctx := context.Background()

	pdfs := env.SignedPDFs(t, filepath.Join(t.TempDir(), "pdf"), 20, 20<<10)
	var stages []string
	res, err := ca.QueueDocuments(ctx, docs(pdfs), []wire.Organization{{Code: codeB}, {Code: codeC}}, a.Signer,
		func(p client.QueueProgress) { stages = append(stages, p.Stage) })
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.Skipped {
			t.Fatalf("queue %s: %+v", r.File, r)
		}
	}
	if n := strings.Count(strings.Join(stages, " "), "queued"); n != 20 {
		t.Fatalf("progress reported %d queued, want 20: %v", n, stages)
	}
	if sum := deliverAll(t, ca); sum.Sent != 20 {
		t.Fatalf("sent %d packages, want 20", sum.Sent)
	}
	for name, cl := range map[string]*client.Client{"B": cb, "C": cc} {
		if s := syncInbox(t, cl); s.Documents != 20 || s.Rejected != 0 {
			t.Fatalf("%s synced %+v", name, s)
		}
		in, err := cl.Inbox(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range in {
			if d.State != client.InboxNew || d.Verdict.Status != client.VerdictValid || len(d.Files) != 1 {
				t.Fatalf("%s: %+v", name, d)
			}
		}
	}
	inB, _ := cb.Inbox(ctx, false)
	for _, d := range inB {
		if _, err := cb.Receive(ctx, d.ID, client.Answer{Accept: true}, b.Signer); err != nil {
			t.Fatal(err)
		}
	}
	inC, _ := cc.Inbox(ctx, false)
	for i, d := range inC {
		ans := client.Answer{Accept: i != 4}
		if i == 4 {
			ans.Reason = "Không đúng thẩm quyền"
		}
		if _, err := cc.Receive(ctx, d.ID, ans, c.Signer); err != nil {
			t.Fatal(err)
		}
	}
	deliverAll(t, cb)
	deliverAll(t, cc)
	if s := syncInbox(t, ca); s.Statuses != 80 || s.Rejected != 0 {
		t.Fatalf("A synced %+v, want 80 statuses (01 and 03/02 from two recipients for 20 documents)", s)
	}
	for i := 1; i <= 20; i++ {
		st, err := ca.Status(ctx, docID(i))
		if err != nil {
			t.Fatal(err)
		}
		wantC := "01 03"
		if i == inCIndex(inC, 4) {
			wantC = "01 02"
		}
		if got := codes(st.Recipients[codeB]); got != "01 03" {
			t.Fatalf("%s at B: %q", docID(i), got)
		}
		if got := codes(st.Recipients[codeC]); got != wantC {
			t.Fatalf("%s at C: %q, want %q", docID(i), got, wantC)
		}
	}
	// The hub's history agrees.
	ds, err := ca.Transport().DocStatus(ctx, inC[4].DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if last := ds.Recipients[codeC][len(ds.Recipients[codeC])-1]; last.Code != wire.StatusRefused || last.Description != "Không đúng thẩm quyền" {
		t.Fatalf("hub history of C: %+v", ds.Recipients[codeC])
	}

	// A recalls document 7; B accepts, C refuses.
	recalled := docID(7)
	if _, err := ca.Recall(ctx, recalled, "Ban hành nhầm", a.Signer); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, ca)
	syncInbox(t, cb)
	syncInbox(t, cc)
	var bDoc, cDoc *client.IncomingDocument
	for _, pair := range []struct {
		cl  *client.Client
		dst **client.IncomingDocument
	}{{cb, &bDoc}, {cc, &cDoc}} {
		in, _ := pair.cl.Inbox(ctx, false)
		for i := range in {
			if in[i].DocumentID == recalled {
				*pair.dst = &in[i]
			}
		}
	}
	if bDoc == nil || bDoc.State != client.InboxRecallRequested || bDoc.RecallReason != "Ban hành nhầm" {
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
	after, _ := cb.IncomingByID(ctx, bDoc.ID)
	if after.State != client.InboxRemoved || len(after.Files) != 0 {
		t.Fatalf("B's record after the recall: %+v", after)
	}
	st, _ := ca.Status(ctx, recalled)
	if got := codes(st.Recipients[codeB]); got != "01 03 13 15" {
		t.Fatalf("A's history of the recall at B: %q", got)
	}
	if got := codes(st.Recipients[codeC]); got != "01 03 13 16" && got != "01 02 13 16" {
		t.Fatalf("A's history of the recall at C: %q", got)
	}
	for _, cl := range []*client.Client{ca, cb} {
		log, _ := cl.Log(ctx, recalled)
		if !hasAction(log, "recall.accepted") {
			t.Fatalf("recall acceptance not logged: %+v", log)
		}
	}
	if n, err := h.Hub.VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit: %d %v", n, err)
	}
}

func inCIndex(in []client.IncomingDocument, i int) int {
	var n int
	fmt.Sscanf(strings.Split(in[i].DocumentID, ",")[2], "%d/", &n)
	return n
}

func codes(es []wire.StatusEntry) string { return exchangetest.StatusCodes(es) }

func hasAction(log []client.LogEntry, action string) bool {
	for _, e := range log {
		if e.Action == action {
			return true
		}
	}
	return false
}

// An update and a replacement of a sent document travel like the original,
// each with its business type, and are answered on their own.
func TestUpdateAndReplace(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B")
	ca, cb := env.Client(t, a), env.Client(t, b)
	ctx := context.Background()
	pdf := env.SignedPDFs(t, filepath.Join(t.TempDir(), "pdf"), 1, 4<<10)[0]
	base := docs([]string{pdf})[0]
	to := []wire.Organization{{Code: codeB}}
	for _, bt := range []int{wire.BusinessNew, wire.BusinessUpdate, wire.BusinessReplace} {
		d := base
		d.BusinessType, d.ReplacesID = bt, base.DocumentID
		res, err := ca.QueueDocuments(ctx, []client.OutgoingDocument{d}, to, a.Signer, nil)
		if err != nil || res[0].Err != nil || res[0].Skipped {
			t.Fatalf("business type %d: %v %+v", bt, err, res)
		}
	}
	again, _ := ca.QueueDocuments(ctx, []client.OutgoingDocument{base}, to, a.Signer, nil)
	if !again[0].Skipped {
		t.Fatal("the original was queued twice")
	}
	deliverAll(t, ca)
	syncInbox(t, cb)
	in, _ := cb.Inbox(ctx, false)
	if len(in) != 3 || in[0].BusinessType != 0 || in[1].BusinessType != 2 || in[2].BusinessType != 3 {
		t.Fatalf("B's inbox: %+v", in)
	}
	for _, d := range in {
		if d.DocumentID != base.DocumentID || d.Verdict.Status != client.VerdictValid {
			t.Fatalf("%+v", d)
		}
		if _, err := cb.Receive(ctx, d.ID, client.Answer{Accept: true}, b.Signer); err != nil {
			t.Fatal(err)
		}
	}
	deliverAll(t, cb)
	syncInbox(t, ca)
	st, _ := ca.Status(ctx, base.DocumentID)
	if got := codes(st.Recipients[codeB]); strings.Count(got, "01") != 3 || strings.Count(got, "03") != 3 {
		t.Fatalf("A's history: %q", got)
	}
}
