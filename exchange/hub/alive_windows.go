//go:build windows

package hub

import "os"

// processAlive reports whether a process with this ID runs on this
// machine (an ID reused since counts as alive: the caller then waits).
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid) // opens the process: fails when there is none
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
