package verify

import (
	"context"
	"runtime"
	"sync"
)

// VerifyFiles verifies the named files with one worker per CPU
// (GOMAXPROCS, at most one per file) and calls fn with each file's
// VerifyFile result in the order of names, never two calls at once. At
// most two results per worker wait for their turn, so memory does not
// grow with the number of files. Files not started when ctx is cancelled
// get ctx's error.
func VerifyFiles(ctx context.Context, names []string, opts Options, fn func(i int, res *Result, err error)) {
	workers := min(runtime.GOMAXPROCS(0), len(names))
	if workers <= 1 {
		for i, name := range names {
			res, err := verifyOne(ctx, name, opts)
			fn(i, res, err)
		}
		return
	}
	type done struct {
		i   int
		res *Result
		err error
	}
	jobs := make(chan int)
	out := make(chan done, workers)
	slots := make(chan struct{}, 2*workers) // results not yet delivered
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res, err := verifyOne(ctx, names[i], opts)
				out <- done{i, res, err}
			}
		}()
	}
	go func() {
		for i := range names {
			slots <- struct{}{}
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(out)
	}()
	pending := map[int]done{}
	next := 0
	for d := range out {
		pending[d.i] = d
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			fn(p.i, p.res, p.err)
			<-slots
			next++
		}
	}
}

func verifyOne(ctx context.Context, name string, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return &Result{File: name, Status: StatusInvalid, Signatures: []Signature{}, Problems: []Problem{}}, err
	}
	return VerifyFile(ctx, name, opts)
}
