package hub

import (
	"context"
	"fmt"

	"github.com/vanthu/vanthu/exchange/store"
)

// The hub's writes go through one writer per process that commits
// whatever is waiting together ("group commit"): every request still gets
// its answer only after its own changes are durable, but one fsync serves
// many requests. Each request runs inside its own savepoint, so one
// request's failure never undoes another's.

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

// Close stops the hub's writer; requests after it fail.
func (h *Hub) Close() {
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

func (h *Hub) commitBatch(batch []*writeJob) {
	err := h.db.Tx(context.Background(), func(tx *store.Tx) error {
		audit, err := h.lockAudit(context.Background(), tx)
		if err != nil {
			return err
		}
		start := audit.seq
		if len(batch) == 1 { // nothing to keep apart
			j := batch[0]
			if j.err = j.ctx.Err(); j.err == nil {
				j.err = j.fn(j.ctx, tx, audit)
			}
			if j.err != nil {
				return j.err
			}
			return audit.flush(context.Background(), tx, start)
		}
		for i, j := range batch {
			j.err = nil
			if err := j.ctx.Err(); err != nil {
				j.err = err
				continue
			}
			sp := fmt.Sprintf("job%d", i)
			if _, err := tx.Exec(context.Background(), "SAVEPOINT "+sp); err != nil {
				return err
			}
			saved := *audit
			if j.err = j.fn(j.ctx, tx, audit); j.err != nil {
				*audit = saved
				if _, err := tx.Exec(context.Background(), "ROLLBACK TO SAVEPOINT "+sp); err != nil {
					return err
				}
				if store.IsRetryable(j.err) {
					return j.err // the whole batch runs again
				}
			}
			if _, err := tx.Exec(context.Background(), "RELEASE SAVEPOINT "+sp); err != nil {
				return err
			}
		}
		return audit.flush(context.Background(), tx, start)
	})
	for _, j := range batch {
		if err != nil && (len(batch) > 1 || j.err == nil) {
			j.done <- err
		} else {
			j.done <- j.err
		}
	}
}
