package hub

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/vanthu/vanthu/exchange/store"
)

// The hub's writes go through one writer per process that commits
// whatever is waiting together ("group commit"): every request still gets
// its answer only after its own changes are durable, but one fsync serves
// many requests, and one failing request never undoes another's.

// maxBatch caps the requests of one commit.
const maxBatch = 64

type writeJob struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *store.Tx, audit *auditLog) error
	err  error
	done chan error
}

type writer struct {
	jobs chan *writeJob
	stop chan struct{}
	done chan struct{}
}

func (h *Hub) startWriter() {
	h.w = &writer{jobs: make(chan *writeJob), stop: make(chan struct{}), done: make(chan struct{})}
	go h.writeLoop()
}

// Close stops the hub's register worker and writer; requests after it
// fail.
func (h *Hub) Close() {
	h.stopHooks()
	select {
	case <-h.w.stop:
	default:
		close(h.w.stop)
		<-h.w.done
	}
}

// write runs fn in the next group commit and returns once it is durable
// (or failed). fn runs with the audit chain locked and may run more than
// once (when the database asks for a retry); it must have no effects
// outside the transaction.
func (h *Hub) write(ctx context.Context, fn func(ctx context.Context, tx *store.Tx, audit *auditLog) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case h.w.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-h.w.stop:
		return fmt.Errorf("hub: closed")
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// know whether its change was committed.
	return <-j.done
}

func (h *Hub) writeLoop() {
	defer close(h.w.done)
	for {
		var first *writeJob
		select {
		case <-h.w.stop:
			return
		case first = <-h.w.jobs:
		}
		batch := []*writeJob{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case j := <-h.w.jobs:
				batch = append(batch, j)
			default:
				break drain
			}
		}
		h.commitBatch(batch)
	}
}

// errJobFailed aborts a group commit when one request fails; the others
// run again without it.
var errJobFailed = errors.New("hub: a request of the batch failed")

// commitBatch runs the batch in one transaction. A request that fails is
// answered with its error and the transaction runs again without it, so
// no request sees another's failure (failures are rare: requests are
// checked before they are queued).
func (h *Hub) commitBatch(batch []*writeJob) {
	live := batch
	for len(live) > 0 {
		var failed *writeJob
		err := h.db.Tx(context.Background(), func(tx *store.Tx) error {
			failed = nil
			audit, err := h.lockAudit(context.Background(), tx)
			if err != nil {
				return err
			}
			start := audit.seq
			for _, j := range live {
				j.err = j.ctx.Err()
				if j.err == nil {
					j.err = j.fn(j.ctx, tx, audit)
				}
				if j.err != nil {
					if store.IsRetryable(j.err) {
						return j.err // the whole batch runs again
					}
					failed = j
					return errJobFailed
				}
			}
			return audit.flush(context.Background(), tx, start)
		})
		if errors.Is(err, errJobFailed) && failed != nil {
			failed.done <- failed.err
			live = slices.DeleteFunc(live, func(j *writeJob) bool { return j == failed })
			continue
		}
		for _, j := range live {
			j.done <- err
		}
		return
	}
}
