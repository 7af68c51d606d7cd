//go:build windows

package console

import (
	"os"
	"syscall"
)

const attachParentProcess = ^uint32(0) // ATTACH_PARENT_PROCESS

var procAttachConsole = syscall.NewLazyDLL("kernel32.dll").NewProc("AttachConsole")

func attachParent() bool {
	missing := func(h int) bool {
		fd, err := syscall.GetStdHandle(h)
		if err != nil || fd == 0 || fd == syscall.InvalidHandle {
			return true
		}
		_, err = syscall.GetFileType(fd)
		return err != nil
	}
	in, out, errOut := missing(syscall.STD_INPUT_HANDLE), missing(syscall.STD_OUTPUT_HANDLE), missing(syscall.STD_ERROR_HANDLE)
	if !in && !out && !errOut {
		return false
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return false // started from Explorer, or the parent has no console
	}
	if out || errOut {
		if f, err := os.OpenFile("CONOUT$", os.O_RDWR, 0); err == nil {
			if out {
				os.Stdout = f
			}
			if errOut {
				os.Stderr = f
			}
		}
	}
	if in {
		if f, err := os.OpenFile("CONIN$", os.O_RDWR, 0); err == nil {
			os.Stdin = f
		}
	}
	return true
}
