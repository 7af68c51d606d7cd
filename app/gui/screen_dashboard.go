package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// dashboardScreen is "Báo cáo" (being built).
type dashboardScreen struct {
	u       *ui
	content fyne.CanvasObject
}

func newDashboardScreen(u *ui) *dashboardScreen {
	return &dashboardScreen{u: u, content: widget.NewLabel("")}
}

func (d *dashboardScreen) reload() {}
