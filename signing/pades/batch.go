package pades

import (
	"context"
	"errors"

	"github.com/vanthu/vanthu/token"
)

// Job is one file of a batch.
type Job struct {
	In, Out string
}

// JobResult is the outcome of one Job: Result on success, Err otherwise.
type JobResult struct {
	Job    Job
	Result *Result
	Err    error
}

// BatchProgress reports batch progress: the file being worked on (Index,
// 0-based, of Total), its bytes done, and, when Finished, its outcome.
type BatchProgress struct {
	Index, Total int
	Job          Job
	Done, Size   int64 // bytes of the current file processed
	Finished     bool  // the current file is finished (Err says how)
	Err          error
}

// SignBatch signs every job with the same options (one signer, so one
// token login). A failing file is reported in its JobResult and the rest go
// on, except after a token error that would fail every file (StopsBatch: a
// refused PIN, no PIN, the token gone): the remaining jobs then fail with
// ErrBatchStopped without touching the token, so a wrong per-signature PIN
// is never tried twice. After ctx is cancelled the remaining jobs fail with
// ctx.Err(). No partial output is left. The TSA probe and the OCSP/CRL data of the
// signer's chain are fetched once per batch (refreshed every 10 minutes).
// progress may be nil.
func SignBatch(ctx context.Context, jobs []Job, opts Options, progress func(BatchProgress)) []JobResult {
	out := make([]JobResult, len(jobs))
	if opts.shared == nil {
		opts.shared = &preflightCache{}
	}
	stopped := false
	for i, job := range jobs {
		out[i].Job = job
		if err := ctx.Err(); err != nil {
			out[i].Err = err
			continue
		}
		if stopped {
			out[i].Err = &FileError{Path: job.In, Err: ErrBatchStopped}
			if progress != nil {
				progress(BatchProgress{Index: i, Total: len(jobs), Job: job, Finished: true, Err: out[i].Err})
			}
			continue
		}
		o := opts
		if progress != nil {
			o.Progress = func(done, total int64) {
				progress(BatchProgress{Index: i, Total: len(jobs), Job: job, Done: done, Size: total})
			}
		}
		res, err := SignFile(ctx, job.In, job.Out, o)
		if err != nil {
			stopped = StopsBatch(err)
			err = &FileError{Path: job.In, Err: err}
		}
		out[i].Result, out[i].Err = res, err
		if progress != nil {
			progress(BatchProgress{Index: i, Total: len(jobs), Job: job, Finished: true, Err: err})
		}
	}
	return out
}

// StopsBatch reports whether err, from signing one file, would fail every
// other file of a batch with the same signer: the token refused the PIN
// (*token.PINError: wrong, locked, final try), no PIN was given, or the
// token was removed, closed or logged out.
func StopsBatch(err error) bool {
	var pe *token.PINError
	return errors.As(err, &pe) || errors.Is(err, token.ErrPINRequired) || errors.Is(err, token.ErrTokenRemoved) ||
		errors.Is(err, token.ErrClosed) || errors.Is(err, token.ErrNotLoggedIn)
}
