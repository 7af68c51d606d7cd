package register

import (
	"context"
	"errors"
	"sync"

	"github.com/vanthu/vanthu/exchange/store"
)

// Event is one event of the exchange for RecordAll: a send or a status.
type Event struct {
	Sent   *Sent
	Status *StatusUpdate
}

func (e Event) documentID() string {
	if e.Sent != nil {
		return e.Sent.DocumentID
	}
	if e.Status != nil {
		return e.Status.DocumentID
	}
	return ""
}

const (
	// recordVerifiers is how many documents RecordAll verifies at once.
	recordVerifiers = 4
	// recordPerTx is how many events RecordAll writes in one transaction
	// (on SQLite the other writers wait meanwhile).
	recordPerTx = 16
)

// RecordAll records events as RecordSent and RecordStatus do, in order:
// the documents are verified first, a few at a time, then the events are
// written a handful per transaction. It returns one error per event. When
// a transaction fails, its events are written one by one, so a bad event
// holds back only the later events of its own document (ErrHeldBack).
func (r *Register) RecordAll(ctx context.Context, evs []Event) []error {
	errs := make([]error, len(evs))
	type prepared struct {
		ev Sent
		as Assessment
	}
	sent := make([]prepared, len(evs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, recordVerifiers)
	for i, e := range evs {
		switch {
		case e.Sent != nil:
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				sent[i].ev, sent[i].as, errs[i] = r.prepareSent(ctx, *e.Sent)
			}()
		case e.Status != nil:
			if _, _, _, err := ParseDocumentID(e.Status.DocumentID); err != nil {
				errs[i] = err
			}
		default:
			errs[i] = errors.New("register: empty event")
		}
	}
	wg.Wait()
	apply := func(tx *store.Tx, i int) error {
		if evs[i].Sent != nil {
			return r.recordSent(ctx, tx, sent[i].ev, sent[i].as)
		}
		return r.recordStatus(ctx, tx, *evs[i].Status)
	}
	failed := map[string]bool{} // documents with an event not recorded
	for start := 0; start < len(evs); start += recordPerTx {
		part := make([]int, 0, recordPerTx)
		for i := start; i < min(start+recordPerTx, len(evs)); i++ {
			doc := evs[i].documentID()
			switch {
			case failed[doc]:
				errs[i] = ErrHeldBack
			case errs[i] != nil:
				failed[doc] = true
			default:
				part = append(part, i)
			}
		}
		if len(part) == 0 {
			continue
		}
		err := r.db.Tx(ctx, func(tx *store.Tx) error {
			for _, i := range part {
				if err := apply(tx, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			continue
		}
		for _, i := range part { // one by one, to find the bad ones
			doc := evs[i].documentID()
			if failed[doc] {
				errs[i] = ErrHeldBack
				continue
			}
			if errs[i] = r.db.Tx(ctx, func(tx *store.Tx) error { return apply(tx, i) }); errs[i] != nil {
				failed[doc] = true
			}
		}
	}
	return errs
}
