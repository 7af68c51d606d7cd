package proccpu

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestOwnProcess: the CPU this test burns shows in /proc and in rusage,
// alike within the tick of /proc.
func TestOwnProcess(t *testing.T) {
	start := time.Now()
	for x := 0; time.Since(start) < 150*time.Millisecond; x++ {
		_ = x * x
	}
	self := Self()
	proc, err := Process(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if self < 50*time.Millisecond || proc < 30*time.Millisecond {
		t.Fatalf("rusage %v, /proc %v: the busy loop did not count", self, proc)
	}
	if d := self - proc; d < -100*time.Millisecond || d > 100*time.Millisecond {
		t.Fatalf("rusage %v and /proc %v disagree", self, proc)
	}
	tree, err := Tree(os.Getpid())
	if err != nil || tree < proc {
		t.Fatalf("tree %v < process %v (%v)", tree, proc, err)
	}
	if _, err := Process(-1); err == nil {
		t.Fatal("no error for a missing process")
	}
}

// TestTree: an ended child's CPU time counts in its parent's tree.
func TestTree(t *testing.T) {
	before, err := Tree(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	self := Self()
	// A child that burns CPU for a while, then ends (reaped by Run).
	if err := exec.Command("sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").Run(); err != nil {
		t.Fatal(err)
	}
	after, err := Tree(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if grew, own := after-before, Self()-self; grew-own < 50*time.Millisecond {
		t.Fatalf("the tree grew by %v, %v of it this process's: the child's time is missing", grew, own)
	}
}
