// Package gui is vanthu's Fyne desktop application: one file per screen
// (screen_*.go); work runs in goroutines and updates widgets through fyne.Do.
package gui

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/vanthu/vanthu/app/internal/appinfo"
	"github.com/vanthu/vanthu/app/internal/i18n"
)

// Run opens the desktop window and blocks until it is closed; it returns
// the process exit code.
func Run() int {
	a := fyneapp.NewWithID(appinfo.ID)
	lang := i18n.Language(guiGetenv)
	w := a.NewWindow("vanthu")
	w.SetContent(newHome(a, lang).content)
	w.Resize(fyne.NewSize(900, 600))
	w.ShowAndRun()
	return 0
}
