package client_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/pgtest"
)

// sameFileDocs makes n documents that share one signed PDF (the documents
// differ by ID; signing 200 files would only slow the test down).
func sameFileDocs(t *testing.T, env *exchangetest.Env, n int) []client.OutgoingDocument {
	pdf := env.SignedPDFs(t, filepath.Join(t.TempDir(), "pdf"), 1, 4<<10)[0]
	paths := make([]string, n)
	for i := range paths {
		paths[i] = pdf
	}
	return docs(paths)
}

// holdsEachOnce checks that code's hub inbox holds every document of
// want exactly once.
func holdsEachOnce(t *testing.T, tr client.Transport, code string, n int) {
	t.Helper()
	items, err := tr.Inbox(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, it := range items {
		if it.Kind == wire.KindDocument {
			seen[it.DocumentID]++
		}
	}
	for i := 1; i <= n; i++ {
		if seen[docID(i)] != 1 {
			t.Fatalf("%s holds %s %d times", code, docID(i), seen[docID(i)])
		}
	}
	if len(seen) != n {
		t.Fatalf("%s holds %d documents, want %d", code, len(seen), n)
	}
}

func transport(t testing.TB, a *exchangetest.Agency, url string) *client.HTTPTransport {
	t.Helper()
	cert, cas, err := client.LoadTLS(a.ConfigDir)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := client.NewHTTPTransport(url, cert, cas)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// The hub process, keeping the registers as `vanthu hub serve` does, is
// SIGKILLed in the middle of a 200-document batch and restarted: every
// recipient then holds every document exactly once, and the registers hold
// every send and every arrival exactly once (those accepted but not yet
// registered when the hub died included).
func TestFaultHubKilledMidBatch(t *testing.T) {
	env := exchangetest.Shared(t)
	d := env.InitDir(t, "", hub.Limits{})
	addr := exchangetest.FreeAddr(t)
	h := env.AdminHub(t, d, "https://"+addr)
	a, b, c := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B"), env.AddAgency(t, h, codeC, "Sở C")
	reg, err := register.Open(context.Background(), register.Config{DB: h.DB})
	if err != nil {
		t.Fatal(err)
	}
	admin := register.Actor{Admin: true, Name: "test"}
	for _, u := range []string{codeA, codeB, codeC} {
		if _, err := reg.AddUnit(context.Background(), admin, u, "Sở "+u, ""); err != nil {
			t.Fatal(err)
		}
	}
	served := exchangetest.HubProcess{Dir: d.Path, Addr: addr, Registers: true}
	proc := env.StartHub(t, served)
	ca := env.Client(t, a)
	ctx := context.Background()
	if _, err := ca.QueueDocuments(ctx, sameFileDocs(t, env, 200), []wire.Organization{{Code: codeB}, {Code: codeC}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	killAt := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		dctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		_, err := ca.Deliver(dctx, client.DeliverOptions{Wait: true}, func(p client.DeliverProgress) {
			if p.State == client.OutboxSent && sent.Add(1) == 60 {
				close(killAt)
			}
		})
		done <- err
	}()
	<-killAt
	proc.Kill()
	t.Logf("hub killed after %d sends", sent.Load())
	time.Sleep(300 * time.Millisecond)
	pending, _, err := h.Hub.HookBacklog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sends waited for the registers when the hub died", pending)
	env.StartHub(t, served)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	left, _ := ca.Outbox(ctx, false)
	if len(left) != 0 {
		t.Fatalf("outbox not drained: %+v", left[0])
	}
	holdsEachOnce(t, transport(t, b, "https://"+addr), codeB, 200)
	holdsEachOnce(t, transport(t, c, "https://"+addr), codeC, 200)
	if _, err := hub.VerifyAudit(ctx, h.DB); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := h.Hub.WaitHooks(wctx); err != nil {
		t.Fatal(err)
	}
	if _, failed, err := h.Hub.HookBacklog(ctx); err != nil || failed != 0 {
		t.Fatalf("register events set aside: %d, %v", failed, err)
	}
	registeredOnce(t, reg, codeA, 200, func(f register.Filter) ([]string, error) {
		out, err := reg.ListOutgoing(ctx, admin, f)
		var ids []string
		for _, o := range out {
			ids = append(ids, o.DocumentID)
		}
		return ids, err
	})
	for _, code := range []string{codeB, codeC} {
		registeredOnce(t, reg, code, 200, func(f register.Filter) ([]string, error) {
			in, err := reg.ListIncoming(ctx, admin, f)
			var ids []string
			for _, x := range in {
				ids = append(ids, x.DocumentID)
			}
			return ids, err
		})
	}
}

// registeredOnce checks that unit's register (as list reads it) holds the
// documents 1…n once each.
func registeredOnce(t *testing.T, reg *register.Register, unit string, n int, list func(register.Filter) ([]string, error)) {
	t.Helper()
	ids, err := list(register.Filter{Unit: unit, Limit: 10 * n})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
	}
	for i := 1; i <= n; i++ {
		if seen[docID(i)] != 1 {
			t.Fatalf("%s's register holds %s %d times (%d entries)", unit, docID(i), seen[docID(i)], len(ids))
		}
	}
	if len(ids) != n {
		t.Fatalf("%s's register holds %d entries, want %d", unit, len(ids), n)
	}
}

// The sending client is SIGKILLed mid-batch and run again with the same
// batch: its outbox resumes and nothing doubles.
func TestFaultClientKilledMidBatch(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B")
	spec := exchangetest.SendSpec{ConfigDir: a.ConfigDir, DataDir: a.DataDir, KeyPEM: a.Org.KeyPKCS8PEM(),
		To: []string{codeB}, Docs: sameFileDocs(t, env, 200)}
	for _, c := range a.Signer.Chain {
		spec.ChainDER = append(spec.ChainDER, c.Raw)
	}
	first := env.StartSendProcess(t, spec)
	deadline := time.Now().Add(30 * time.Second)
	for first.Stdout.Count("sent ") < 40 {
		if time.Now().After(deadline) {
			t.Fatal("the sending client made no progress")
		}
		time.Sleep(5 * time.Millisecond)
	}
	first.Kill()
	t.Logf("client killed after %d sends", first.Stdout.Count("sent "))
	second := env.StartSendProcess(t, spec)
	if err := second.Wait(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	if n := second.Stdout.Count("queued "); n >= 200 {
		t.Fatalf("the re-run queued %d documents again: the outbox did not resume", n)
	}
	holdsEachOnce(t, transport(t, b, h.URL), codeB, 200)
}

// The hub is unreachable for a while: the outbox holds the packages,
// says why, and drains once the hub is back.
func TestFaultHubUnreachable(t *testing.T) {
	env := exchangetest.Shared(t)
	d := env.InitDir(t, "", hub.Limits{})
	addr := exchangetest.FreeAddr(t)
	h := env.AdminHub(t, d, "https://"+addr)
	a, b := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B")
	ca := env.Client(t, a)
	ctx := context.Background()
	if _, err := ca.QueueDocuments(ctx, sameFileDocs(t, env, 10), []wire.Organization{{Code: codeB}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	sum, err := ca.Deliver(ctx, client.DeliverOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 0 || sum.Retried != 10 || sum.Pending != 10 {
		t.Fatalf("offline pass: %+v", sum)
	}
	waiting, _ := ca.Outbox(ctx, false)
	if len(waiting) != 10 || waiting[0].LastError == "" || waiting[0].ErrorCode != "unreachable" || waiting[0].Attempts == 0 {
		t.Fatalf("outbox while offline: %+v", waiting[0])
	}
	done := make(chan client.DeliverSummary, 1)
	go func() {
		s, err := ca.Deliver(ctx, client.DeliverOptions{Wait: true}, nil)
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	time.Sleep(500 * time.Millisecond)
	env.StartHubProcess(t, d.Path, addr, "")
	select {
	case s := <-done:
		if s.Sent != 10 || s.Pending != 0 {
			t.Fatalf("after the hub came back: %+v", s)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("outbox did not drain")
	}
	holdsEachOnce(t, transport(t, b, "https://"+addr), codeB, 10)
}

// Two hub processes share one PostgreSQL: a package sent through one is
// seen by a long-poll on the other within a second, fetched and
// acknowledged there, and the status 01 reaches the sender through the
// first.
func TestTwoHubProcessesOnePostgres(t *testing.T) {
	env := exchangetest.Shared(t)
	d := env.InitDir(t, pgtest.DSN(t), hub.Limits{})
	addr1, addr2 := exchangetest.FreeAddr(t), exchangetest.FreeAddr(t)
	h := env.AdminHub(t, d, "https://"+addr1)
	a, b := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B")
	env.StartHubProcess(t, d.Path, addr1, "")
	env.StartHubProcess(t, d.Path, addr2, "")
	ta, tb := transport(t, a, "https://"+addr1), transport(t, b, "https://"+addr2)
	ctx := context.Background()
	got := make(chan []wire.InboxItem, 1)
	go func() {
		items, err := tb.Inbox(ctx, 0, 10*time.Second)
		if err != nil {
			t.Error(err)
		}
		got <- items
	}()
	time.Sleep(500 * time.Millisecond)
	ca := env.Client(t, a)
	if _, err := ca.QueueDocuments(ctx, sameFileDocs(t, env, 1), []wire.Organization{{Code: codeB}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	sentAt := time.Now()
	deliverAll(t, ca)
	var items []wire.InboxItem
	select {
	case items = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the other hub process never woke its long-poll")
	}
	if since := time.Since(sentAt); since > 3*time.Second || len(items) != 1 { // unwoken, 5 s and more
		t.Fatalf("seen after %v: %+v", since, items)
	}
	f, err := os.CreateTemp(t.TempDir(), "pkg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := tb.Fetch(ctx, items[0], f); err != nil {
		t.Fatal(err)
	}
	if err := tb.Ack(ctx, []int64{items[0].DeliveryID}); err != nil {
		t.Fatal(err)
	}
	st, err := ta.Inbox(ctx, 0, 5*time.Second)
	if err != nil || len(st) != 1 || st[0].StatusCode != wire.StatusArrived {
		t.Fatalf("A's status through the first hub: %+v %v", st, err)
	}
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
