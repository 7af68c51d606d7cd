package registerhub_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/register/registertest"
	"github.com/vanthu/vanthu/exchange/registerhub"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestSendThroughHub: documents sent through a real hub (mutual TLS, edXML
// packages, the clients' outboxes) appear in the registers by themselves —
// the sender's outgoing entries with the verdicts of the PDFs they carried
// (reviewed, approved and issued: both valid; approved only: organisation
// signature missing), the recipients' incoming entries with their arrival —
// and the recipients' acceptances and refusals arrive as receipts, a recall
// as a recall.
func TestSendThroughHub(t *testing.T) {
	env := exchangetest.Shared(t)
	// The documents: reviewed, approved and issued / approved only, signed
	// now with the exchange's test PKI.
	files, err := registertest.SignAll(t.TempDir(), env.PKI, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	files.Verify.Now = nil
	ctx := context.Background()
	var reg *register.Register
	var hook *registerhub.Hook
	var rp *report.Reporter
	d := env.InitDir(t, "", hub.Limits{})
	h := env.ServeDirHook(t, d, func(db *store.DB) hub.Hook {
		var err error
		if hook, rp, err = registerhub.New(ctx, db, env.Codec, register.VerifyWith(files.Verify), t.TempDir(), report.Options{}); err != nil {
			t.Fatal(err)
		}
		reg = hook.Register
		return hook
	}, func(h *hub.Hub) { hook.Attach(h, rp, nil) })
	admin := register.Actor{Admin: true, Name: "test"}
	for _, u := range [][3]string{{"H40.01", "UBND huyện Yên Thành", ""}, {"H40.01.VP", "Văn phòng", "H40.01"}, {"H40.01.X01", "UBND xã Hợp Thành", "H40.01"}} {
		if _, err := reg.AddUnit(ctx, admin, u[0], u[1], u[2]); err != nil {
			t.Fatal(err)
		}
	}
	a, b := env.AddAgency(t, h, "H40.01.VP", "Văn phòng"), env.AddAgency(t, h, "H40.01.X01", "UBND xã Hợp Thành")
	ca, cb := env.Client(t, a), env.Client(t, b)
	day := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	docs := []client.OutgoingDocument{
		{Path: files.Full, DocumentID: "H40.01.VP,2026/11/21,123/UBND-VP", Number: "123", Notation: "UBND-VP", Date: day, Subject: "V/v chữ ký số", Type: "Công văn"},
		{Path: files.ApproveOnly, DocumentID: "H40.01.VP,2026/11/21,124/UBND-VP", Number: "124", Notation: "UBND-VP", Date: day, Subject: "V/v họp", Type: "Công văn"},
	}
	res, err := ca.QueueDocuments(ctx, docs, []wire.Organization{{Code: "H40.01.X01"}}, a.Signer, nil)
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("queue: %+v %v", res, err)
	}
	deliver(t, ca)
	registered(t, h)
	out, err := reg.ListOutgoing(ctx, admin, register.Filter{Unit: "H40.01.VP"})
	if err != nil || len(out) != 2 {
		t.Fatalf("outgoing: %+v %v", out, err)
	}
	if out[0].Number != "123/UBND-VP" {
		out[0], out[1] = out[1], out[0]
	}
	if o := out[0]; o.Number != "123/UBND-VP" || o.Approve != register.SigValid || o.Issue != register.SigValid || o.Source != register.SourceExchange ||
		o.Channel != register.Electronic || o.Type != "Công văn" || o.Subject != "V/v chữ ký số" {
		t.Fatalf("first: %+v", o)
	}
	if o := out[1]; o.Approve != register.SigValid || o.Issue != register.SigMissing {
		t.Fatalf("second: %+v", o)
	}
	// A hub process that did not see the package arrive (another process
	// on the same database, or after a restart) reads it back from the
	// store: the same entry, the same verdicts.
	other, err := store.Open(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	hook2, _, err := registerhub.New(ctx, other, env.Codec, register.VerifyWith(files.Verify), t.TempDir(), report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hook2.Packages = h.Hub.OpenPackage
	ev := hub.SentEvent{From: "H40.01.VP", To: []string{"H40.01.X01"}, DocumentID: docs[0].DocumentID}
	var at int64
	if err := h.DB.QueryRow(ctx, "SELECT id, sha256, created_at FROM message WHERE document_id = ? AND kind = 'edoc'", ev.DocumentID).Scan(&ev.MessageID, &ev.SHA256, &at); err != nil {
		t.Fatal(err)
	}
	ev.At = time.UnixMicro(at)
	if err := hook2.Sent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	again, err := hook2.Register.ListOutgoing(ctx, admin, register.Filter{Unit: "H40.01.VP"})
	if err != nil || len(again) != 1 {
		t.Fatalf("registered from the stored package: %+v %v", again, err)
	}
	if o := again[0]; o.Number != "123/UBND-VP" || o.Approve != register.SigValid || o.Issue != register.SigValid || o.Type != "Công văn" || o.Subject != "V/v chữ ký số" {
		t.Fatalf("registered from the stored package: %+v", o)
	}
	in, err := reg.ListIncoming(ctx, admin, register.Filter{Unit: "H40.01.X01"})
	if err != nil || len(in) != 2 || in[0].Sender != "H40.01.VP" || in[0].Receipt != "" || in[0].ArrivedAt.IsZero() {
		t.Fatalf("incoming: %+v %v", in, err)
	}
	// B accepts one and refuses the other; the receipts reach the registers.
	if _, err := cb.Sync(ctx, client.SyncOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	inbox, _ := cb.Inbox(ctx, false)
	if len(inbox) != 2 {
		t.Fatalf("B's inbox: %+v", inbox)
	}
	for _, dd := range inbox {
		ans := client.Answer{Accept: true, AcceptInvalid: true}
		if dd.DocumentID == docs[1].DocumentID {
			ans = client.Answer{Reason: "Thiếu chữ ký số của cơ quan"}
		}
		if _, err := cb.Receive(ctx, dd.ID, ans, b.Signer); err != nil {
			t.Fatal(err)
		}
	}
	before := time.Now()
	deliver(t, cb)
	registered(t, h)
	in, _ = reg.ListIncoming(ctx, admin, register.Filter{Unit: "H40.01.X01"})
	codes := map[string]string{}
	for _, x := range in {
		codes[x.Number] = x.Receipt
		if x.ReceiptAt.IsZero() || x.ReceiptAt.Before(x.ArrivedAt) || x.ReceiptAt.After(time.Now()) || x.ReceiptAt.Before(before.Add(-time.Minute)) {
			t.Fatalf("receipt time: %+v", x)
		}
	}
	if codes["123/UBND-VP"] != "03" || codes["124/UBND-VP"] != "02" {
		t.Fatalf("receipts: %v", codes)
	}
	o, _ := reg.Outgoing(ctx, admin, out[0].ID)
	if len(o.Recipients) != 1 || o.Recipients[0].Status != "03" {
		t.Fatalf("recipient status: %+v", o.Recipients)
	}
	// A recalls the first; B accepts the recall.
	if _, err := ca.Recall(ctx, docs[0].DocumentID, "Ban hành nhầm", a.Signer); err != nil {
		t.Fatal(err)
	}
	deliver(t, ca)
	registered(t, h)
	if o, _ := reg.Outgoing(ctx, admin, out[0].ID); o.Recall != register.RecallRequested {
		t.Fatalf("recall asked: %+v", o.Recall)
	}
	if _, err := cb.Sync(ctx, client.SyncOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	inbox, _ = cb.Inbox(ctx, false)
	for _, dd := range inbox {
		if dd.DocumentID == docs[0].DocumentID {
			if _, err := cb.Receive(ctx, dd.ID, client.Answer{Accept: true, AcceptInvalid: true}, b.Signer); err != nil {
				t.Fatal(err)
			}
		}
	}
	deliver(t, cb)
	registered(t, h)
	if o, _ := reg.Outgoing(ctx, admin, out[0].ID); o.Recall != register.RecallAccepted {
		t.Fatalf("recall: %+v (inbox %+v)", o.Recall, inbox)
	}
	// The registers' API on the hub, as the agency of the client
	// certificate: the office reads its report, not the commune's register.
	get := func(a *exchangetest.Agency, path string) (int, []byte) {
		t.Helper()
		cert, cas, err := client.LoadTLS(a.ConfigDir)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		for _, c := range cas {
			pool.AddCert(c)
		}
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}}}
		resp, err := hc.Get(h.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, body
	}
	code, body := get(a, "/v1/report?unit=H40.01.VP&period=nd09:2026-12")
	var rep report.Report
	if code != 200 || json.Unmarshal(body, &rep) != nil || rep.Unit.Counts.Sent != 2 || rep.Unit.Counts.Exchanged != 1 || rep.Unit.Counts.Recalled != 1 {
		t.Fatalf("report over the hub: %d %s", code, body)
	}
	if code, body := get(a, "/v1/register/incoming?unit=H40.01.X01"); code != http.StatusForbidden {
		t.Fatalf("office reads the commune's register: %d %s", code, body)
	}
	if code, body := get(b, "/v1/register/incoming?unit=H40.01.X01"); code != 200 || !strings.Contains(string(body), `"receipt":"03"`) {
		t.Fatalf("commune's register: %d %s", code, body)
	}
}

// registered waits until the hub has handed every queued event to the
// registers (they are registered after the send is answered).
func registered(t *testing.T, h *exchangetest.Hub) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Hub.WaitHooks(ctx); err != nil {
		t.Fatal(err)
	}
}

func deliver(t *testing.T, c *client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sum, err := c.Deliver(ctx, client.DeliverOptions{Wait: true}, nil)
	if err != nil || sum.Failed != 0 || sum.Pending != 0 {
		t.Fatalf("deliver: %+v %v", sum, err)
	}
}
