//go:build !windows

package hub

import (
	"errors"
	"os"
	"syscall"
)

// processAlive reports whether a process with this ID runs on this
// machine (an ID reused since counts as alive: the caller then waits).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
