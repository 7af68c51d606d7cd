package hub_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/edxmlcodec"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/pgtest"
	"github.com/vanthu/vanthu/internal/testpki"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// org is a sending organisation's signing key (the token's organisation
// key in the product), issued by the test PKI.
type org struct {
	code  string
	key   crypto.Signer
	chain []*x509.Certificate
}

func newOrg(t testing.TB, code string) *org {
	t.Helper()
	env := exchangetest.Shared(t)
	id, err := env.PKI.Issue(testpki.Spec{CommonName: code, Organization: code, Organisation: true, KeyID: "org-" + code, Key: testpki.ECP256})
	if err != nil {
		t.Fatal(err)
	}
	return &org{code: code, key: id.Key, chain: id.ChainWithLeaf()}
}

// theCodec reads and writes edXML; the test root also stands for the hub
// CA (the hub's status signer is issued by it here).
func theCodec(t testing.TB) *edxmlcodec.Codec {
	env := exchangetest.Shared(t)
	return &edxmlcodec.Codec{Trust: env.Trust, HubTrust: env.Trust}
}

func (o *org) document(t testing.TB, docID string, body []byte, to ...string) []byte {
	t.Helper()
	doc := wire.Document{From: wire.Organization{Code: o.code}, DocumentID: docID, Subject: "Về việc thử " + docID,
		Files: []wire.File{{Name: "vb.pdf", ContentType: "application/pdf", Size: int64(len(body)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }}}}
	for _, c := range to {
		doc.To = append(doc.To, wire.Organization{Code: c})
	}
	var buf bytes.Buffer
	if _, err := theCodec(t).WriteDocument(context.Background(), &buf, doc, o.key, o.chain); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (o *org) status(t testing.TB, docID, to, code, desc string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := theCodec(t).WriteStatus(context.Background(), &buf, wire.Status{From: wire.Organization{Code: o.code},
		To: wire.Organization{Code: to}, DocumentID: docID, Code: code, Description: desc}, o.key, o.chain); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	codeA = "H29.01"
	codeB = "000.00.00.G22"
	codeC = "H41"
)

type fixture struct {
	h       *hub.Hub
	a, b, c *org
	hook    *exchangetest.RecordingHook
}

// stores runs fn on both stores: the conformance suite.
func stores(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "hub.db")
			if name == "postgres" {
				dsn = pgtest.DSN(t)
			}
			fn(t, newFixture(t, dsn))
		})
	}
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	signer := newOrg(t, "hub")
	f := &fixture{a: newOrg(t, codeA), b: newOrg(t, codeB), c: newOrg(t, codeC), hook: &exchangetest.RecordingHook{}}
	f.h, err = hub.New(ctx, hub.Config{DB: db, Codec: theCodec(t), StatusSigner: signer.key, StatusChain: signer.chain,
		Hook: f.hook, SpoolDir: t.TempDir(), Limits: hub.Limits{MaxPackageSize: 1 << 20, MaxRecipients: 3}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.h.Close)
	for _, a := range []wire.Agency{{Code: codeA, Name: "Sở A"}, {Code: codeB, Name: "Văn phòng Chính phủ"}, {Code: codeC, Name: "UBND Nghệ An", Parent: ""}} {
		if err := f.h.AddAgency(ctx, "admin:test", a); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) send(t *testing.T, caller, clientID string, pkg []byte) (*wire.SendResult, error) {
	t.Helper()
	return f.h.Send(context.Background(), hub.SendRequest{Caller: caller, ClientID: clientID, Body: bytes.NewReader(pkg)})
}

func (f *fixture) mustSend(t *testing.T, caller, clientID string, pkg []byte) *wire.SendResult {
	t.Helper()
	res, err := f.send(t, caller, clientID, pkg)
	if err != nil {
		t.Fatalf("send %s: %v", clientID, err)
	}
	return res
}

func (f *fixture) inbox(t *testing.T, code string) []wire.InboxItem {
	t.Helper()
	items, err := f.h.Inbox(context.Background(), code, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// receive fetches, reads (verifying) and acknowledges every item of code's inbox.
func (f *fixture) receive(t *testing.T, code string) []*wire.Incoming {
	t.Helper()
	ctx := context.Background()
	var out []*wire.Incoming
	var ids []int64
	for _, it := range f.inbox(t, code) {
		out = append(out, f.fetch(t, code, it.DeliveryID))
		ids = append(ids, it.DeliveryID)
	}
	if err := f.h.Ack(ctx, code, ids); err != nil {
		t.Fatal(err)
	}
	return out
}

// fetch fetches and reads (verifying) one of code's deliveries.
func (f *fixture) fetch(t *testing.T, code string, delivery int64) *wire.Incoming {
	t.Helper()
	ctx := context.Background()
	p, err := f.h.Fetch(ctx, code, delivery)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(p.Body)
	if err != nil {
		t.Fatal(err)
	}
	in, err := theCodec(t).Read(ctx, bytes.NewReader(raw), int64(len(raw)), nil)
	if err != nil {
		t.Fatalf("delivery %d does not verify: %v", delivery, err)
	}
	return in
}

func TestConformanceSendReceiveStatuses(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		doc := codeA + ",2026/03/01,12/UBND-VP"
		res := f.mustSend(t, codeA, "m1", f.a.document(t, doc, []byte("%PDF-1.7 thử"), codeB, codeC))
		if res.Duplicate || len(res.Recipients) != 2 {
			t.Fatalf("first send: %+v", res)
		}
		for _, code := range []string{codeB, codeC} {
			got := f.receive(t, code)
			if len(got) != 1 || got[0].DocumentID != doc || got[0].From != codeA {
				t.Fatalf("%s received %+v", code, got)
			}
			if again := f.inbox(t, code); len(again) != 0 {
				t.Fatalf("%s: acknowledged delivery still listed: %+v", code, again)
			}
		}
		// A gets two signed status 01 packages from the hub.
		st := f.receive(t, codeA)
		if len(st) != 2 || st[0].StatusCode != wire.StatusArrived || st[1].StatusCode != wire.StatusArrived {
			t.Fatalf("A's statuses: %+v", st)
		}
		f.mustSend(t, codeB, "s1", f.b.status(t, doc, codeA, wire.StatusAccepted, "Đã vào sổ"))
		f.mustSend(t, codeC, "s1", f.c.status(t, doc, codeA, wire.StatusRefused, "Sai thẩm quyền"))
		st = f.receive(t, codeA)
		if len(st) != 2 {
			t.Fatalf("A got %d statuses, want 2", len(st))
		}
		ds, err := f.h.DocStatus(ctx, codeA, doc)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{codeB: ",01,03", codeC: ",01,02"}
		for to, codes := range want {
			var got []string
			for _, e := range ds.Recipients[to] {
				got = append(got, e.Code)
			}
			if strings.Join(got, ",") != codes {
				t.Errorf("%s history %q, want %q", to, strings.Join(got, ","), codes)
			}
		}
		if ds.Recipients[codeC][2].Description != "Sai thẩm quyền" {
			t.Errorf("refusal reason lost: %+v", ds.Recipients[codeC][2])
		}
		if _, err := f.h.DocStatus(ctx, codeB, doc); !errors.Is(err, hub.ErrNotFound) {
			t.Errorf("B read A's document history: %v", err)
		}
		if n, err := f.h.VerifyAudit(ctx); err != nil || n < 10 {
			t.Errorf("audit: %d entries, %v", n, err)
		}
		if err := f.h.WaitHooks(ctx); err != nil {
			t.Fatal(err)
		}
		if sent, statuses := f.hook.Events(); len(sent) != 1 || len(statuses) != 2 {
			t.Errorf("hook saw %d sends and %d statuses", len(sent), len(statuses))
		}
	})
}

func TestConformanceIdempotentSend(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		doc := codeA + ",2026/03/01,13/UBND-VP"
		pkg := f.a.document(t, doc, []byte("%PDF x"), codeB)
		first := f.mustSend(t, codeA, "retry-1", pkg)
		var wg sync.WaitGroup
		results := make([]*wire.SendResult, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := f.send(t, codeA, "retry-1", pkg)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			}()
		}
		wg.Wait()
		for _, r := range results {
			if r == nil || !r.Duplicate || r.MessageID != first.MessageID || r.SHA256 != first.SHA256 {
				t.Fatalf("retry answered %+v, first %+v", r, first)
			}
		}
		if n := len(f.inbox(t, codeB)); n != 1 {
			t.Fatalf("B holds %d copies, want 1", n)
		}
		other := f.a.document(t, codeA+",2026/03/01,14/UBND-VP", []byte("%PDF y"), codeB)
		if _, err := f.send(t, codeA, "retry-1", other); !errors.Is(err, hub.ErrConflict) {
			t.Fatalf("reuse of a message ID for another package: %v", err)
		}
		// Same package bytes under another ID are stored once.
		f.mustSend(t, codeA, "retry-2", pkg)
		var blobs int
		if err := f.h.DB().QueryRow(context.Background(), "SELECT count(*) FROM blob").Scan(&blobs); err != nil || blobs != 1 {
			t.Fatalf("%d stored packages, want 1 (%v)", blobs, err)
		}
	})
}

func TestConformanceRecall(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		doc := codeA + ",2026/03/02,20/UBND-VP"
		f.mustSend(t, codeA, "d", f.a.document(t, doc, []byte("%PDF r"), codeB, codeC))
		// C may not ask for A's document back, nor may B answer a recall nobody asked for.
		if _, err := f.send(t, codeC, "r", f.c.status(t, doc, codeB, wire.StatusRecallRequest, "x")); !errors.Is(err, hub.ErrRecallNotAllowed) {
			t.Fatalf("C recalled A's document: %v", err)
		}
		if _, err := f.send(t, codeB, "a0", f.b.status(t, doc, codeA, wire.StatusRecallAccepted, "")); !errors.Is(err, hub.ErrRecallNotAllowed) {
			t.Fatalf("answer without a recall: %v", err)
		}
		// Recall to both; B accepts before fetching, C refuses.
		var buf bytes.Buffer
		if _, err := theCodec(t).WriteStatus(ctx, &buf, wire.Status{From: wire.Organization{Code: codeA}, To: wire.Organization{Code: codeB},
			DocumentID: doc, Code: wire.StatusRecallRequest, Description: "Ban hành nhầm"}, f.a.key, f.a.chain); err != nil {
			t.Fatal(err)
		}
		f.mustSend(t, codeA, "recall-b", buf.Bytes())
		f.mustSend(t, codeA, "recall-c", f.a.status(t, doc, codeC, wire.StatusRecallRequest, "Ban hành nhầm"))
		items := f.inbox(t, codeB)
		if len(items) != 2 || items[1].StatusCode != wire.StatusRecallRequest {
			t.Fatalf("B's inbox: %+v", items)
		}
		f.mustSend(t, codeB, "ans", f.b.status(t, doc, codeA, wire.StatusRecallAccepted, "Đồng ý"))
		f.mustSend(t, codeC, "ans", f.c.status(t, doc, codeA, wire.StatusRecallRefused, "Đã xử lý"))
		for _, it := range f.inbox(t, codeB) {
			if it.Kind == wire.KindDocument {
				t.Fatalf("B's copy still queued after the accepted recall: %+v", it)
			}
		}
		if _, err := f.h.Fetch(ctx, codeB, items[0].DeliveryID); !errors.Is(err, hub.ErrNotFound) {
			t.Fatalf("B fetched the recalled document: %v", err)
		}
		if got := len(f.inbox(t, codeC)); got != 2 {
			t.Fatalf("C's inbox has %d items, want the document and the recall", got)
		}
		entries, err := f.h.AuditEntries(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var removed bool
		for _, e := range entries {
			removed = removed || (e.Action == hub.ActRemoved && e.Actor == codeB)
		}
		if !removed {
			t.Fatal("the removal of B's copy is not in the audit trail")
		}
	})
}

func TestConformanceAccessAndLimits(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		doc := codeA + ",2026/03/03,30/UBND-VP"
		f.mustSend(t, codeA, "x", f.a.document(t, doc, []byte("%PDF a"), codeC))
		items := f.inbox(t, codeC)
		if _, err := f.h.Fetch(ctx, codeB, items[0].DeliveryID); !errors.Is(err, hub.ErrForbidden) {
			t.Fatalf("B fetched C's delivery: %v", err)
		}
		if err := f.h.Ack(ctx, codeB, []int64{items[0].DeliveryID}); !errors.Is(err, hub.ErrForbidden) {
			t.Fatalf("B acknowledged C's delivery: %v", err)
		}
		if _, err := f.send(t, codeB, "y", f.a.document(t, codeA+",2026/03/03,31/UBND-VP", []byte("x"), codeC)); !errors.Is(err, hub.ErrForbidden) {
			t.Fatalf("B sent as A: %v", err)
		}
		if _, err := f.send(t, codeA, "z", f.a.document(t, codeA+",2026/03/03,32/UBND-VP", []byte("x"), "H99")); !errors.Is(err, hub.ErrUnknownAgency) {
			t.Fatalf("unknown recipient: %v", err)
		}
		big := bytes.Repeat([]byte("x"), 1<<20)
		if _, err := f.send(t, codeA, "big", f.a.document(t, codeA+",2026/03/03,33/UBND-VP", big, codeB)); !errors.Is(err, hub.ErrTooLarge) {
			t.Fatalf("oversized package: %v", err)
		}
		if err := f.h.AddAgency(ctx, "admin", wire.Agency{Code: "H30", Name: "D"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.send(t, codeA, "many", f.a.document(t, codeA+",2026/03/03,34/UBND-VP", []byte("x"), codeB, codeC, "H30", "H30", codeB)); err != nil {
			t.Fatalf("duplicates in To must collapse: %v", err)
		}
		if err := f.h.AddAgency(ctx, "admin", wire.Agency{Code: "H31", Name: "E"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.send(t, codeA, "toomany", f.a.document(t, codeA+",2026/03/03,35/UBND-VP", []byte("x"), codeB, codeC, "H30", "H31")); !errors.Is(err, hub.ErrTooManyRecipients) {
			t.Fatalf("4 recipients with a limit of 3: %v", err)
		}
		tampered := f.a.document(t, codeA+",2026/03/03,36/UBND-VP", []byte("%PDF t"), codeB)
		tampered[len(tampered)-1] ^= 1
		if _, err := f.send(t, codeA, "t1", tampered); !errors.Is(err, hub.ErrBadPackage) {
			t.Fatalf("tampered attachment: %v", err)
		}
		env := f.a.document(t, codeA+",2026/03/03,37/UBND-VP", []byte("%PDF t"), codeB)
		i := bytes.Index(env, []byte("37/UBND"))
		env[i] = '8'
		if _, err := f.send(t, codeA, "t2", env); !errors.Is(err, hub.ErrBadPackage) {
			t.Fatalf("tampered envelope: %v", err)
		}
		if err := f.h.AddAgency(ctx, "admin", wire.Agency{Code: codeA, Name: "again"}); !errors.Is(err, hub.ErrAgencyExists) {
			t.Fatalf("duplicate agency: %v", err)
		}
		if err := f.h.AddAgency(ctx, "admin", wire.Agency{Code: "bad code", Name: "x"}); !errors.Is(err, hub.ErrBadRequest) {
			t.Fatalf("bad code: %v", err)
		}
	})
}

func TestConformanceLongPollWakes(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		done := make(chan time.Duration, 1)
		go func() {
			start := time.Now()
			items, err := f.h.Inbox(ctx, codeB, 0, 10*time.Second)
			if err != nil || len(items) != 1 {
				t.Errorf("long-poll: %v %+v", err, items)
			}
			done <- time.Since(start)
		}()
		time.Sleep(300 * time.Millisecond)
		sent := time.Now()
		f.mustSend(t, codeA, "lp", f.a.document(t, codeA+",2026/03/04,1/UBND-VP", []byte("%PDF"), codeB))
		select {
		case d := <-done:
			if since := time.Since(sent); since > 3*time.Second { // the long-poll waits 10 s unless woken
				t.Fatalf("arrival seen after %v (waited %v)", since, d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("long-poll not woken")
		}
	})
}

func TestConformanceAuditTamperEvident(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.mustSend(t, codeA, "a", f.a.document(t, codeA+",2026/03/05,1/UBND-VP", []byte("%PDF"), codeB))
		f.receive(t, codeB)
		n, err := f.h.VerifyAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		db := f.h.DB()
		if _, err := db.Exec(ctx, "UPDATE audit SET actor = 'H41' WHERE seq = 4"); err != nil {
			t.Fatal(err)
		}
		var ae *hub.AuditError
		if _, err := f.h.VerifyAudit(ctx); !errors.As(err, &ae) || ae.Seq != 4 {
			t.Fatalf("changed entry: %v", err)
		}
		if _, err := db.Exec(ctx, "DELETE FROM audit WHERE seq = 4"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.h.VerifyAudit(ctx); !errors.As(err, &ae) || ae.Seq != 4 {
			t.Fatalf("removed entry: %v", err)
		}
		if _, err := db.Exec(ctx, fmt.Sprintf("DELETE FROM audit WHERE seq >= %d", 4)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.h.VerifyAudit(ctx); !errors.Is(err, hub.ErrAuditBroken) {
			t.Fatalf("truncated trail (had %d entries): %v", n, err)
		}
	})
}

// TestConformanceAckMany acknowledges more documents at once than one
// statement of status 01 packages holds, with a status among them: every
// document gets its own status 01, in the inbox and in the history, and
// the status none.
func TestConformanceAckMany(t *testing.T) {
	stores(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const n = 130
		docs := map[string]bool{}
		for i := range n {
			doc := fmt.Sprintf("%s,2026/03/06,%d/UBND-VP", codeA, i+1)
			docs[doc] = true
			f.mustSend(t, codeA, fmt.Sprintf("m%d", i), f.a.document(t, doc, []byte("%PDF "+doc), codeB))
		}
		first := codeA + ",2026/03/06,1/UBND-VP"
		f.mustSend(t, codeA, "recall", f.a.status(t, first, codeB, wire.StatusRecallRequest, "Ban hành nhầm"))
		items := f.inbox(t, codeB)
		if len(items) != n+1 {
			t.Fatalf("B's inbox has %d items, want %d", len(items), n+1)
		}
		ids := make([]int64, len(items))
		for i, it := range items {
			ids[i] = it.DeliveryID
		}
		if err := f.h.Ack(ctx, codeB, ids); err != nil {
			t.Fatal(err)
		}
		if err := f.h.Ack(ctx, codeB, ids); err != nil {
			t.Fatalf("second acknowledgement: %v", err)
		}
		st := f.inbox(t, codeA)
		if len(st) != n {
			t.Fatalf("A got %d statuses, want %d", len(st), n)
		}
		seen := map[string]bool{}
		for i, it := range st {
			if it.Kind != wire.KindStatus || it.StatusCode != wire.StatusArrived || it.From != codeB || !docs[it.DocumentID] || seen[it.DocumentID] {
				t.Fatalf("status %d: %+v", i, it)
			}
			seen[it.DocumentID] = true
			if i%50 != 0 && i != n-1 {
				continue
			}
			if in := f.fetch(t, codeA, it.DeliveryID); in.DocumentID != it.DocumentID || in.StatusCode != wire.StatusArrived {
				t.Fatalf("status package %d for %s: %+v", i, it.DocumentID, in)
			}
		}
		for doc := range docs {
			ds, err := f.h.DocStatus(ctx, codeA, doc)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range ds.Recipients[codeB] {
				got = append(got, e.Code)
			}
			want := ",01"
			if doc == first {
				want = ",13,01"
			}
			if strings.Join(got, ",") != want {
				t.Fatalf("%s history %q, want %q", doc, strings.Join(got, ","), want)
			}
		}
		if _, err := f.h.VerifyAudit(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
