// Package app is the front end of vanthu: the Fyne desktop application and
// the command-line interface. It is the only package that imports Fyne or
// translates text for users.
package app

import (
	"io"
	"os"
)

// Main runs vanthu with the given arguments (without the program name) and
// returns the process exit code. With no arguments it opens the desktop
// window; otherwise it runs the CLI.
func Main(args []string) int {
	if len(args) == 0 {
		return runGUI()
	}
	return runCLI(args, os.Stdin, os.Stdout, os.Stderr)
}

// env is what a CLI command sees of the process: standard streams and
// environment lookups, injectable for tests.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}
