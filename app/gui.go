package app

import (
	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
)

// appID is the application identifier, also in FyneApp.toml.
const appID = "vn.gov.vanthu"

// runGUI opens the desktop window and blocks until it is closed.
func runGUI() int {
	a := fyneapp.NewWithID(appID)
	lang := language(guiGetenv)
	w := a.NewWindow("vanthu")
	w.SetContent(newHome(a, lang).content)
	w.Resize(fyne.NewSize(900, 600))
	w.ShowAndRun()
	return exitOK
}
