package trust

import (
	"errors"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpki"
)

// TestChainCache: a chain found once is found again without checking it
// anew (the same chains, copies), but never outside the validity of its
// certificates; a failure is not kept; adding a certificate forgets.
func TestChainCache(t *testing.T) {
	p := testpki.New(t)
	s := storeWithRoot(p)
	leaf, extra := p.Leader.Cert, p.Leader.Chain
	if _, err := s.Verify(leaf, extra, leaf.NotAfter.Add(time.Hour)); !errors.Is(err, ErrExpired) {
		t.Fatalf("after expiry: %v", err)
	}
	first, err := s.Verify(leaf, extra, time.Now())
	if err != nil || len(first) != 1 || len(first[0]) != 3 {
		t.Fatalf("a failure was kept, or the chain is wrong: %v %v", first, err)
	}
	first[0][0] = nil // a caller changing what it got
	again, err := s.Verify(leaf, extra, time.Now())
	if err != nil || len(again) != 1 || again[0][0] != leaf || len(s.chains.entries) != 1 {
		t.Fatalf("second answer %v %v (%d kept)", again, err, len(s.chains.entries))
	}
	if _, err := s.Verify(leaf, extra, leaf.NotAfter.Add(time.Hour)); !errors.Is(err, ErrExpired) {
		t.Fatalf("a kept chain served after expiry: %v", err)
	}
	if _, err := s.Verify(leaf, extra, leaf.NotBefore.Add(-time.Hour)); err == nil {
		t.Fatal("a kept chain served before validity")
	}
	if _, err := s.Verify(leaf, nil, time.Now()); err == nil {
		t.Fatal("the chain kept with its intermediate served without it")
	}
	// The intermediate becomes an anchor: the shorter chain is found.
	s.Add(p.Intermediate.Cert, RoleAnchor, "test")
	if len(s.chains.entries) != 0 {
		t.Fatal("adding a certificate kept old chains")
	}
	chains, err := s.Verify(leaf, nil, time.Now())
	if err != nil || len(chains[0]) != 2 {
		t.Fatalf("after adding the intermediate as anchor: %v %v", chains, err)
	}
}
