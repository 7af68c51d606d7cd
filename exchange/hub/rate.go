package hub

import (
	"fmt"
	"sync"
	"time"
)

// rateLimiter counts one agency's requests per minute (fixed windows).
// It is per process; behind a load balancer each process enforces it.
type rateLimiter struct {
	limit int
	now   func() time.Time
	mu    sync.Mutex
	win   int64
	count map[string]int
}

func newRateLimiter(limit int, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: limit, now: now, count: map[string]int{}}
}

// allow counts a request of agency and reports whether it is within the
// limit, and if not how long until the window ends.
func (r *rateLimiter) allow(agency string) (time.Duration, error) {
	if r.limit < 0 {
		return 0, nil
	}
	now := r.now()
	win := now.Unix() / 60
	r.mu.Lock()
	defer r.mu.Unlock()
	if win != r.win {
		r.win = win
		clear(r.count)
	}
	r.count[agency]++
	if r.count[agency] > r.limit {
		wait := time.Unix((win+1)*60, 0).Sub(now)
		return wait, fmt.Errorf("%w: more than %d requests a minute", ErrRateLimited, r.limit)
	}
	return 0, nil
}
