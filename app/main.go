// Package app is the front end of vanthu: the Fyne desktop application
// (app/gui) and the command-line interface (app/cli). Only app and its
// sub-packages import Fyne or translate text for users (app/internal/i18n).
package app

import (
	"os"

	"github.com/vanthu/vanthu/app/cli"
	"github.com/vanthu/vanthu/app/gui"
	"github.com/vanthu/vanthu/app/internal/console"
	// Before Fyne's package init reads the locale (see the package doc).
	_ "github.com/vanthu/vanthu/app/internal/localeenv"
)

// Main runs vanthu with the given arguments (without the program name) and
// returns the process exit code. With no arguments it opens the desktop
// window; otherwise it runs the CLI.
func Main(args []string) int {
	if len(args) == 0 {
		return gui.Run()
	}
	console.AttachParent() // Windows: the GUI-subsystem build started from a shell
	return cli.Run(args, os.Stdin, os.Stdout, os.Stderr)
}
