package hub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// The Hook (the registers) is told of accepted packages through a durable
// queue: the event is written in the same transaction as the send, and a
// worker hands queued events to the hook after the send has been answered.
// So a slow hook (verifying the PDF a package carries, looking up its
// revocation online) never delays a send, and a crash between the send and
// its registration only delays the registration: the next hub process
// takes the event from the queue. Events reach the hook at least once
// (the hook must be idempotent, as exchange/register is), in queue order
// for each document; one hub process at a time (the one holding the
// lease) works the queue.

// hookEvent is one queued event: a document package's SentEvent or a
// status package's StatusEvents.
type hookEvent struct {
	Sent     *SentEvent    `json:"sent,omitempty"`
	Statuses []StatusEvent `json:"statuses,omitempty"`
}

// hookChannel wakes the hook worker when an event is queued.
const hookChannel = "hub_hook"

const (
	hookBatch       = 64               // events taken per round
	hookParallel    = 4                // documents handed to the hook at once
	hookLease       = 30 * time.Second // how long a process keeps the queue without renewing
	hookMaxAttempts = 5                // failures before an event is set aside
	hookTimeout     = 2 * time.Minute  // one event's time in the hook
	hookIdle        = 5 * time.Second  // look again this often without a notification
	hookElsewhere   = time.Second      // look this often while another process holds the queue
	// hookGather is the pause after a notification before the queue is
	// read, so the events of a busy moment go to the hook together.
	hookGather = 50 * time.Millisecond
)

// hookRetryMin is the first pause after a failed round (doubling to a
// minute).
var hookRetryMin = time.Second

// errHookSkipped marks an event left for a later round because an earlier
// event of its document failed.
var errHookSkipped = errors.New("hub: an earlier event of the document failed")

// queueHook records the hook's event for an accepted package in tx.
func (h *Hub) queueHook(ctx context.Context, tx *store.Tx, res *wire.SendResult, r *wire.Route) error {
	if h.hook == nil {
		return nil
	}
	raw, err := json.Marshal(hookEventOf(res, r))
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO hook_queue (document_id, event, created_at) VALUES (?, ?, ?)",
		r.DocumentID, string(raw), micros(res.At)); err != nil {
		return fmt.Errorf("failed to queue the register event: %w", err)
	}
	return tx.Notify(ctx, hookChannel, "")
}

func hookEventOf(res *wire.SendResult, r *wire.Route) hookEvent {
	if r.Kind == wire.KindDocument {
		return hookEvent{Sent: &SentEvent{MessageID: res.MessageID, From: r.From, To: r.To, DocumentID: r.DocumentID,
			BusinessType: r.BusinessType, Subject: r.Subject, SHA256: res.SHA256, Signed: true, At: res.At}}
	}
	var ev hookEvent
	for _, to := range r.To {
		s := StatusEvent{DocumentID: r.DocumentID, DocSender: to, Recipient: r.From, Code: r.StatusCode,
			Description: r.Description, By: r.From, At: res.At}
		if r.StatusCode == wire.StatusRecallRequest {
			s.DocSender, s.Recipient = r.From, to
		}
		ev.Statuses = append(ev.Statuses, s)
	}
	return ev
}

type hookWorker struct {
	holder string
	until  time.Time // of the lease this process holds (worker only)
	stop   chan struct{}
	done   chan struct{}
}

func (h *Hub) startHooks() {
	if h.hook == nil {
		return
	}
	host, _ := os.Hostname()
	var id [6]byte
	_, _ = rand.Read(id[:])
	h.hooks = &hookWorker{holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(id[:])),
		stop: make(chan struct{}), done: make(chan struct{})}
	go h.hookLoop()
}

// stopHooks ends the worker and gives up the lease, so another process
// can take the queue at once.
func (h *Hub) stopHooks() {
	if h.hooks == nil {
		return
	}
	select {
	case <-h.hooks.stop:
		return
	default:
	}
	close(h.hooks.stop)
	<-h.hooks.done
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = h.write(ctx, func(ctx context.Context, tx *store.Tx, _ *auditLog) error {
		_, err := tx.Exec(ctx, "UPDATE hook_lease SET holder = '', until = 0 WHERE id = 1 AND holder = ?", h.hooks.holder)
		return err
	})
}

func (h *Hub) hookLoop() {
	defer close(h.hooks.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-h.hooks.stop
		cancel()
	}()
	sub, err := h.db.Subscribe(hookChannel, "")
	if err != nil {
		h.log.Error("register queue: cannot subscribe", "err", err)
		return
	}
	defer sub.Close()
	var backoff time.Duration
	for {
		more, wait, err := h.hookRound(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			h.log.Warn("register queue", "err", err)
			backoff = min(max(2*backoff, hookRetryMin), time.Minute)
			if !sleep(ctx, backoff) {
				return
			}
			continue
		case more:
			backoff = 0
			continue
		case wait > 0: // another process holds the queue
			if !sleep(ctx, wait) {
				return
			}
			continue
		}
		backoff = 0
		t := time.NewTimer(hookIdle)
		select {
		case <-ctx.Done():
		case <-sub.C:
			sleep(ctx, hookGather)
		case <-t.C:
		}
		t.Stop()
	}
}

// sleep pauses for d unless ctx ends first (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

type queuedHook struct {
	id       int64
	doc      string
	attempts int
	ev       hookEvent
}

// hookRound hands the oldest queued events to the hook. more reports a
// full round (look again at once); wait, when another process holds the
// queue, is the pause before the next look.
func (h *Hub) hookRound(ctx context.Context) (more bool, wait time.Duration, err error) {
	evs, err := h.queuedHooks(ctx)
	if err != nil || len(evs) == 0 {
		return false, 0, err
	}
	held, err := h.takeHookLease(ctx)
	if err != nil || !held {
		return false, hookElsewhere, err
	}
	results := h.runHooks(ctx, evs)
	if ctx.Err() != nil {
		return false, 0, ctx.Err()
	}
	return len(evs) == hookBatch, 0, h.settleHooks(ctx, evs, results)
}

func (h *Hub) queuedHooks(ctx context.Context) ([]queuedHook, error) {
	rows, err := h.db.Query(ctx, `SELECT id, document_id, event, attempts FROM hook_queue
		WHERE failed_at IS NULL ORDER BY id LIMIT ?`, hookBatch)
	if err != nil {
		return nil, fmt.Errorf("failed to read the register queue: %w", err)
	}
	defer rows.Close()
	var out []queuedHook
	for rows.Next() {
		var q queuedHook
		var raw string
		if err := rows.Scan(&q.id, &q.doc, &raw, &q.attempts); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(raw), &q.ev); err != nil {
			return nil, fmt.Errorf("register queue entry %d: %w", q.id, err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// deadHolder reports whether holder names a process of this machine that
// is gone (killed before it gave the queue up): its lease need not run out.
func deadHolder(holder string) bool {
	host, rest, _ := strings.Cut(holder, "/")
	pidText, _, _ := strings.Cut(rest, "/")
	pid, err := strconv.Atoi(pidText)
	me, _ := os.Hostname()
	return err == nil && host == me && pid > 0 && pid != os.Getpid() && !processAlive(pid)
}

// takeOver is the holder whose lease may be taken before it runs out (a
// dead process of this machine), or "" (never a holder: free leases are
// taken anyway).
func takeOver(holder string) string {
	if holder != "" && deadHolder(holder) {
		return holder
	}
	return ""
}

// takeHookLease takes or renews the queue for this process, unless another
// process holds it.
func (h *Hub) takeHookLease(ctx context.Context) (bool, error) {
	now := h.now()
	if h.hooks.until.Sub(now) > hookLease/2 {
		return true, nil // held, and for a while yet: no need to write
	}
	var holder string
	var until int64
	if err := h.db.QueryRow(ctx, "SELECT holder, until FROM hook_lease WHERE id = 1").Scan(&holder, &until); err != nil {
		return false, fmt.Errorf("failed to read the register queue's holder: %w", err)
	}
	if holder != "" && holder != h.hooks.holder && until >= micros(now) && !deadHolder(holder) {
		return false, nil
	}
	var held bool
	err := h.write(ctx, func(ctx context.Context, tx *store.Tx, _ *auditLog) error {
		r, err := tx.Exec(ctx, `UPDATE hook_lease SET holder = ?, until = ?
			WHERE id = 1 AND (holder = ? OR holder = '' OR until < ? OR holder = ?)`,
			h.hooks.holder, micros(now.Add(hookLease)), h.hooks.holder, micros(now), takeOver(holder))
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		held = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("failed to take the register queue: %w", err)
	}
	h.hooks.until = time.Time{}
	if held {
		h.hooks.until = now.Add(hookLease)
	}
	return held, nil
}

// runHooks hands evs to the hook: the documents in parallel, the events of
// one document in order, stopping at its first failure; or all of them at
// once to a BatchHook.
func (h *Hub) runHooks(ctx context.Context, evs []queuedHook) []error {
	if bh, ok := h.hook.(BatchHook); ok {
		return h.runBatch(ctx, bh, evs)
	}
	var docs []string
	byDoc := map[string][]int{}
	for i, q := range evs {
		if _, ok := byDoc[q.doc]; !ok {
			docs = append(docs, q.doc)
		}
		byDoc[q.doc] = append(byDoc[q.doc], i)
	}
	results := make([]error, len(evs))
	sem := make(chan struct{}, hookParallel)
	var wg sync.WaitGroup
	for _, d := range docs {
		idx := byDoc[d]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			for k, i := range idx {
				if results[i] = h.deliverHook(ctx, evs[i].ev); results[i] != nil {
					for _, j := range idx[k+1:] {
						results[j] = errHookSkipped
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	return results
}

// deliverHook hands one event to the hook. Documents are registered in
// parallel, so two may insert the same new row (their sender's unit, a
// signer's certificate) at once: the one that loses sees the other's row
// when it runs again.
// runBatch hands a round's events to a BatchHook in one call (a status
// package's statuses each as an event) and maps the answers back.
func (h *Hub) runBatch(ctx context.Context, bh BatchHook, evs []queuedHook) []error {
	var flat []Event
	var owner []int
	for i, q := range evs {
		if q.ev.Sent != nil {
			sent := *q.ev.Sent
			if a, ok := h.arrived.take(sent.MessageID); ok {
				sent.Document, sent.Files = a.doc, a.files
			}
			flat, owner = append(flat, Event{Sent: &sent}), append(owner, i)
		}
		for j := range q.ev.Statuses {
			flat, owner = append(flat, Event{Status: &q.ev.Statuses[j]}), append(owner, i)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, hookTimeout*time.Duration(max(1, len(flat)/hookParallel)))
	defer cancel()
	answers := bh.Events(ctx, flat)
	results := make([]error, len(evs))
	if len(answers) != len(flat) {
		for i := range results {
			results[i] = fmt.Errorf("hub: the hook answered %d events of %d", len(answers), len(flat))
		}
		return results
	}
	for k, err := range answers {
		switch i := owner[k]; {
		case err == nil:
		case errors.Is(err, ErrHeldBack):
			if results[i] == nil {
				results[i] = errHookSkipped
			}
		case results[i] == nil || errors.Is(results[i], errHookSkipped):
			results[i] = err
		}
	}
	return results
}

func (h *Hub) deliverHook(ctx context.Context, ev hookEvent) error {
	ctx, cancel := context.WithTimeout(ctx, hookTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := h.callHook(ctx, ev)
		if err == nil || attempt == 3 || !store.IsUniqueViolation(err) {
			return err
		}
	}
}

func (h *Hub) callHook(ctx context.Context, ev hookEvent) error {
	if ev.Sent != nil {
		sent := *ev.Sent
		if a, ok := h.arrived.take(sent.MessageID); ok {
			sent.Document, sent.Files = a.doc, a.files
		}
		return h.hook.Sent(ctx, sent)
	}
	for _, s := range ev.Statuses {
		if err := h.hook.Status(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// settleHooks removes the events the hook took and counts the failures;
// an event that failed hookMaxAttempts times is set aside (kept, with its
// error, and logged) so the queue moves on.
func (h *Hub) settleHooks(ctx context.Context, evs []queuedHook, results []error) error {
	var done []any
	var failed []queuedHook
	var errs []error
	for i, q := range evs {
		switch err := results[i]; {
		case err == nil:
			done = append(done, q.id)
		case errors.Is(err, errHookSkipped):
		default:
			failed, errs = append(failed, q), append(errs, err)
			if q.attempts+1 >= hookMaxAttempts {
				h.log.Error("register queue: event set aside", "document", q.doc, "entry", q.id, "err", err)
			}
		}
	}
	now := micros(h.now())
	err := h.write(ctx, func(ctx context.Context, tx *store.Tx, _ *auditLog) error {
		for i, q := range failed {
			var aside any
			if q.attempts+1 >= hookMaxAttempts {
				aside = now
			}
			if _, err := tx.Exec(ctx, "UPDATE hook_queue SET attempts = attempts + 1, last_error = ?, failed_at = ? WHERE id = ?",
				truncate(errs[i].Error(), 2000), aside, q.id); err != nil {
				return err
			}
		}
		for rest := done; len(rest) > 0; {
			k := min(len(rest), 500)
			if _, err := tx.Exec(ctx, "DELETE FROM hook_queue WHERE id IN (?"+strings.Repeat(", ?", k-1)+")", rest[:k]...); err != nil {
				return err
			}
			rest = rest[k:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("failed to update the register queue: %w", err)
	}
	return errors.Join(errs...)
}

// HookBacklog counts the events waiting for the hook and those set aside
// after repeated failures.
func (h *Hub) HookBacklog(ctx context.Context) (pending, failed int64, err error) {
	err = h.db.QueryRow(ctx, `SELECT count(*) - count(failed_at), count(failed_at) FROM hook_queue`).Scan(&pending, &failed)
	return pending, failed, err
}

// WaitHooks waits until the hook has taken every queued event (those set
// aside excepted), or ctx ends.
func (h *Hub) WaitHooks(ctx context.Context) error {
	for {
		n, _, err := h.HookBacklog(ctx)
		if err != nil || n == 0 {
			return err
		}
		t := time.NewTimer(10 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
