// Package proccpu reads the CPU time processes have used, from Linux's
// /proc, so benchmarks can tell the hub's, the clients' and the database
// server's share of a run apart.
package proccpu

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's times (USER_HZ, 100 on
// Linux).
const clockTick = 10 * time.Millisecond

// ErrNoProc means the process's figures could not be read.
var ErrNoProc = errors.New("proccpu: process not found")

// Self is the user and system CPU time of this process.
func Self() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Process is the user and system CPU time of process pid.
func Process(pid int) (time.Duration, error) {
	st, err := stat(pid)
	if err != nil {
		return 0, err
	}
	return st.cpu, nil
}

// Tree is the CPU time of process pid and all its descendants, live or
// ended (a server and the workers it forked; PostgreSQL's backends leave
// the server's process group, so the tree is followed by parent).
func Tree(pid int) (time.Duration, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	all := map[int]procStat{}
	for _, d := range dirs {
		p, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if st, err := stat(p); err == nil {
			all[p] = st
		}
	}
	if _, ok := all[pid]; !ok {
		return 0, fmt.Errorf("%w: %d", ErrNoProc, pid)
	}
	var total time.Duration
	for p, st := range all {
		for q := p; ; q = all[q].ppid {
			if q == pid {
				total += st.cpu + st.children // ended children count in their parent's
				break
			}
			if _, ok := all[q]; !ok || q <= 1 {
				break
			}
		}
	}
	return total, nil
}

type procStat struct {
	ppid     int
	cpu      time.Duration // the process's own
	children time.Duration // of its ended, reaped children
}

// stat reads the fields of /proc/<pid>/stat after the command name, which
// may itself hold spaces and parentheses.
func stat(pid int) (procStat, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, fmt.Errorf("%w: %d", ErrNoProc, pid)
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("%w: %d: unreadable stat", ErrNoProc, pid)
	}
	// After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt
	// cminflt majflt cmajflt utime stime cutime cstime …
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("%w: %d: short stat", ErrNoProc, pid)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
	return procStat{ppid: int(n(1)), cpu: time.Duration(n(11)+n(12)) * clockTick,
		children: time.Duration(n(13)+n(14)) * clockTick}, nil
}
