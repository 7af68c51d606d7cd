package hub

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/pgtest"
)

// noCodec stands for the codec: the register queue never reads packages.
type noCodec struct{}

func (noCodec) WriteDocument(context.Context, io.Writer, wire.Document, crypto.Signer, []*x509.Certificate) (wire.Route, error) {
	return wire.Route{}, errors.New("not here")
}

func (noCodec) WriteStatus(context.Context, io.Writer, wire.Status, crypto.Signer, []*x509.Certificate) (wire.Route, error) {
	return wire.Route{}, errors.New("not here")
}

func (noCodec) Inspect(context.Context, io.ReaderAt, int64) (*wire.Route, error) {
	return nil, errors.New("not here")
}

func (noCodec) Read(context.Context, io.ReaderAt, int64, wire.Sink) (*wire.Incoming, error) {
	return nil, errors.New("not here")
}

// scriptedHook records what it is handed; fail decides, per call, whether
// it fails; block makes it wait for the end of its context instead.
type scriptedHook struct {
	mu    sync.Mutex
	got   []string
	fail  func(what string) bool
	block bool
}

func (s *scriptedHook) take(ctx context.Context, what string) error {
	if s.block {
		<-ctx.Done()
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil && s.fail(what) {
		return fmt.Errorf("refused %s", what)
	}
	s.got = append(s.got, what)
	return nil
}

func (s *scriptedHook) Sent(ctx context.Context, ev SentEvent) error {
	return s.take(ctx, "sent "+ev.DocumentID)
}

func (s *scriptedHook) Status(ctx context.Context, ev StatusEvent) error {
	return s.take(ctx, "status "+ev.Code+" "+ev.DocumentID)
}

func (s *scriptedHook) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

// batchHook is scriptedHook taking a round at a time, holding back the
// later events of a document whose event failed, as the registers do.
type batchHook struct{ *scriptedHook }

func (b batchHook) Events(ctx context.Context, evs []Event) []error {
	errs := make([]error, len(evs))
	failed := map[string]bool{}
	for i, ev := range evs {
		if failed[ev.DocumentID()] {
			errs[i] = ErrHeldBack
			continue
		}
		if ev.Sent != nil {
			errs[i] = b.Sent(ctx, *ev.Sent)
		} else {
			errs[i] = b.Status(ctx, *ev.Status)
		}
		if errs[i] != nil {
			failed[ev.DocumentID()] = true
		}
	}
	return errs
}

func queueStores(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "hub.db")) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgtest.DSN(t)) })
}

func queueHub(t *testing.T, dsn string, hook Hook) *Hub {
	t.Helper()
	ctx := context.Background()
	db, err := OpenDB(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(ctx, Config{DB: db, Codec: noCodec{}, StatusSigner: key, Hook: hook})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// queue writes the events of a document package and of a status package
// the way Send does, in its transaction.
func queue(t *testing.T, h *Hub, routes ...wire.Route) {
	t.Helper()
	ctx := context.Background()
	for i, r := range routes {
		res := &wire.SendResult{MessageID: int64(i + 1), DocumentID: r.DocumentID, SHA256: "00", At: time.Now()}
		if err := h.write(ctx, func(ctx context.Context, tx *store.Tx, _ *auditLog) error {
			return h.queueHook(ctx, tx, res, &r)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func sent(doc string) wire.Route {
	return wire.Route{Kind: wire.KindDocument, From: "A", To: []string{"B"}, DocumentID: doc}
}

func status(doc, code string) wire.Route {
	return wire.Route{Kind: wire.KindStatus, From: "B", To: []string{"A"}, DocumentID: doc, StatusCode: code}
}

func waitHooks(t *testing.T, h *Hub) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.WaitHooks(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestHookQueueSurvivesStop: events queued with their sends and not yet
// taken by the hook when the hub stops (as after a crash) reach the hook
// of the next hub process on the same database, each document's in order.
func TestHookQueueSurvivesStop(t *testing.T) {
	queueStores(t, func(t *testing.T, dsn string) {
		first := queueHub(t, dsn, &scriptedHook{block: true})
		queue(t, first, sent("D1"), sent("D2"), status("D1", "03"), status("D2", "02"))
		time.Sleep(50 * time.Millisecond) // let the blocked hook hold them
		first.Close()
		if n, _, err := first.HookBacklog(context.Background()); err != nil || n != 4 {
			t.Fatalf("backlog after stop: %d, %v", n, err)
		}
		hook := &scriptedHook{}
		next := queueHub(t, dsn, hook)
		waitHooks(t, next)
		got := hook.seen()
		if len(got) != 4 {
			t.Fatalf("hook got %q", got)
		}
		for _, pair := range [][2]string{{"sent D1", "status 03 D1"}, {"sent D2", "status 02 D2"}} {
			if slices.Index(got, pair[0]) > slices.Index(got, pair[1]) || !slices.Contains(got, pair[1]) {
				t.Errorf("out of order: %q", got)
			}
		}
	})
}

// TestHookQueueSetsAsideFailures: a failing event is retried, holds back
// the later events of its document meanwhile (not those of others), and
// is set aside after hookMaxAttempts so the queue moves on.
func TestHookQueueSetsAsideFailures(t *testing.T) {
	defer func(d time.Duration) { hookRetryMin = d }(hookRetryMin)
	hookRetryMin = time.Millisecond
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch=%v", batch), func(t *testing.T) { setsAside(t, batch) })
	}
}

func setsAside(t *testing.T, batch bool) {
	queueStores(t, func(t *testing.T, dsn string) {
		var mu sync.Mutex
		var tries int
		var statusEarly bool
		hook := &scriptedHook{}
		var asHook Hook = hook
		if batch {
			asHook = batchHook{hook}
		}
		hook.fail = func(what string) bool {
			mu.Lock()
			defer mu.Unlock()
			if what == "status 03 D1" && tries < hookMaxAttempts {
				statusEarly = true
			}
			if what == "sent D1" {
				tries++
				return true
			}
			return false
		}
		h := queueHub(t, dsn, asHook)
		queue(t, h, sent("D1"), sent("D2"), status("D1", "03"))
		waitHooks(t, h)
		got := hook.seen()
		if !slices.Equal(got, []string{"sent D2", "status 03 D1"}) {
			t.Errorf("hook got %q", got)
		}
		if tries != hookMaxAttempts || statusEarly {
			t.Errorf("%d attempts (want %d); status before the send was set aside: %v", tries, hookMaxAttempts, statusEarly)
		}
		pending, failed, err := h.HookBacklog(context.Background())
		if err != nil || pending != 0 || failed != 1 {
			t.Errorf("backlog %d pending, %d set aside, %v", pending, failed, err)
		}
	})
}

// TestHookQueueOneProcessAtATime: while one hub process holds the queue,
// another leaves it alone; when the first stops, the other takes it.
func TestHookQueueOneProcessAtATime(t *testing.T) {
	queueStores(t, func(t *testing.T, dsn string) {
		first := queueHub(t, dsn, &scriptedHook{block: true})
		queue(t, first, sent("D1"))
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			var holder string
			if err := first.db.QueryRow(context.Background(), "SELECT holder FROM hook_lease").Scan(&holder); err != nil {
				t.Fatal(err)
			}
			if holder == first.hooks.holder {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first process did not take the queue")
			}
		}
		hook := &scriptedHook{}
		second := queueHub(t, dsn, hook)
		time.Sleep(300 * time.Millisecond)
		if got := hook.seen(); len(got) != 0 {
			t.Fatalf("the second process took events the first holds: %q", got)
		}
		first.Close()
		waitHooks(t, second)
		if got := hook.seen(); !slices.Equal(got, []string{"sent D1"}) {
			t.Fatalf("hook got %q", got)
		}
	})
}

// TestHookQueueDeadHolder: a lease left by a process of this machine that
// is gone (SIGKILLed) is taken at once, not when it runs out; one of a
// live process, or of another machine, is left to run out.
func TestHookQueueDeadHolder(t *testing.T) {
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	for _, tc := range []struct {
		holder string
		taken  bool
	}{
		{fmt.Sprintf("%s/%d/gone", host, dead.Process.Pid), true},
		{fmt.Sprintf("%s/%d/alive", host, os.Getppid()), false},
		{fmt.Sprintf("other-machine/%d/x", dead.Process.Pid), false},
	} {
		dsn := filepath.Join(t.TempDir(), "hub.db")
		hook := &scriptedHook{}
		h := queueHub(t, dsn, hook)
		if _, err := h.db.Exec(context.Background(), "UPDATE hook_lease SET holder = ?, until = ?", tc.holder, micros(time.Now().Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		queue(t, h, sent("D1"))
		time.Sleep(300 * time.Millisecond)
		if got := len(hook.seen()) == 1; got != tc.taken {
			t.Errorf("lease of %s: taken %v, want %v", tc.holder, got, tc.taken)
		}
	}
}
