package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// registersScreen is "Sổ văn bản" (being built).
type registersScreen struct {
	u       *ui
	content fyne.CanvasObject
}

func newRegistersScreen(u *ui) *registersScreen {
	return &registersScreen{u: u, content: widget.NewLabel("")}
}

func (r *registersScreen) reload() {}
