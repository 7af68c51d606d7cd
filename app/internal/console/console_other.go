//go:build !windows

package console

func attachParent() bool { return false }
