// Package console gives the CLI a console on Windows.
//
// The Windows build is a GUI-subsystem program (no console window flashes
// up when a clerk double-clicks it), so when it is started from cmd.exe or
// PowerShell it has no standard handles and the CLI's output would be
// lost. AttachParent attaches it to the console of the shell that started
// it. Handles that are already usable — output redirected to a file or a
// pipe, as in scripts and under Wine — are left as they are. Elsewhere
// AttachParent does nothing.
package console

// AttachParent connects the standard streams that have no handle to the
// parent process's console, if it has one. It reports whether it did.
func AttachParent() bool { return attachParent() }
