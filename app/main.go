// Package app is the front end of vanthu: the Fyne desktop application
// (app/gui) and the command-line interface (app/cli). Only app and its
// sub-packages import Fyne or translate text for users (app/internal/i18n).
package app

import (
	"os"

	"github.com/vanthu/vanthu/app/cli"
	"github.com/vanthu/vanthu/app/gui"
)

// Main runs vanthu with the given arguments (without the program name) and
// returns the process exit code. With no arguments it opens the desktop
// window; otherwise it runs the CLI.
func Main(args []string) int {
	if len(args) == 0 {
		return gui.Run()
	}
	return cli.Run(args, os.Stdin, os.Stdout, os.Stderr)
}
