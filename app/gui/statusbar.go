package gui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/local"
)

// statusBar is the line at the bottom of the window: the agency the
// window acts as (on the local demo hub, a switch between the demo
// agencies), the hub, whether it can be reached — being offline is a
// normal state, shown here and nowhere else — and what waits in the
// outbox.
type statusBar struct {
	u       *ui
	content fyne.CanvasObject

	Icon   *widget.Icon
	Agency *widget.Label
	Switch *widget.Select // the local hub's demo agencies
	Conn   *widget.Label
	Outbox *widget.Button

	switchBox fyne.CanvasObject
}

func newStatusBar(u *ui) *statusBar {
	b := &statusBar{u: u}
	b.Icon = widget.NewIcon(theme.MediaRecordIcon())
	b.Agency = widget.NewLabel("")
	var opts []string
	for _, a := range local.Demo {
		opts = append(opts, a.Code+" — "+a.Name)
	}
	b.Switch = widget.NewSelect(opts, nil)
	b.Switch.PlaceHolder = u.tr("gui.status.switch")
	b.Switch.OnChanged = func(s string) {
		code, _, _ := strings.Cut(s, " — ")
		if code != "" && code != u.desk.State.Agency.Code && u.desk.State.Local {
			u.switchAgency(code)
		}
	}
	b.Conn = widget.NewLabel(u.tr("gui.status.opening"))
	b.Conn.Truncation = fyne.TextTruncateEllipsis
	b.Outbox = widget.NewButtonWithIcon("", theme.MailSendIcon(), func() { u.showOutbox() })
	b.Outbox.Importance = widget.LowImportance
	b.Outbox.Hide()
	b.switchBox = sized(b.Switch, 310)
	b.switchBox.Hide()
	left := container.NewHBox(b.Icon, b.switchBox, b.Agency)
	b.content = container.NewBorder(widget.NewSeparator(), nil, left, b.Outbox, b.Conn)
	u.desk.onChange = append(u.desk.onChange, b.update)
	return b
}

// update shows the desk's state.
func (b *statusBar) update() {
	u := b.u
	st := u.desk.State
	switch {
	case st.Opening:
		b.Icon.SetResource(theme.ViewRefreshIcon())
		b.Conn.SetText(u.tr("gui.status.opening"))
	case !st.Open:
		b.Icon.SetResource(theme.WarningIcon())
		b.Conn.SetText(u.statusError(st.Err))
	case !st.Online && st.Err == nil:
		b.Icon.SetResource(theme.ViewRefreshIcon())
		b.Conn.SetText(u.tr("gui.status.connecting"))
	case st.Online:
		b.Icon.SetResource(theme.ConfirmIcon())
		text := u.tr("gui.status.online")
		if !st.LastSync.IsZero() {
			text = u.tr("gui.status.online_at", st.LastSync.Format("15:04"))
		}
		b.Conn.SetText(text)
	default:
		b.Icon.SetResource(theme.MediaRecordIcon())
		text := u.tr("gui.status.offline", st.Since.Format("15:04"), u.statusError(st.Err))
		if !st.Next.IsZero() && st.Pending > 0 {
			text += " — " + u.tr("gui.status.retry_at", st.Next.Format("15:04:05"))
		}
		b.Conn.SetText(text)
	}
	switch {
	case st.Open && st.Local: // the switch names the agency
		b.Agency.SetText("·  " + u.tr("gui.status.local_hub"))
	case st.Open:
		b.Agency.SetText(st.Agency.Code + " — " + st.Agency.Name + "  ·  " + st.Hub)
	default:
		b.Agency.SetText("")
	}
	if st.Open && st.Local {
		for _, o := range b.Switch.Options {
			if strings.HasPrefix(o, st.Agency.Code+" — ") && b.Switch.Selected != o {
				b.Switch.SetSelected(o)
			}
		}
		b.Switch.Show()
		b.switchBox.Show()
	} else {
		b.switchBox.Hide()
	}
	switch {
	case st.Pending == 0 && st.Failed == 0:
		b.Outbox.Hide()
	case st.Failed > 0:
		b.Outbox.SetText(u.tr("gui.status.outbox_failed", st.Pending, st.Failed))
		b.Outbox.Show()
	default:
		b.Outbox.SetText(u.tr("gui.status.outbox", st.Pending))
		b.Outbox.Show()
	}
}

// statusError is why the exchange is offline or closed, in one line.
func (u *ui) statusError(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, client.ErrNotEnrolled):
		return u.tr("gui.status.not_enrolled")
	}
	msg, _ := u.explain("", err)
	if i := strings.IndexAny(msg, "\n("); i > 0 {
		msg = strings.TrimSpace(msg[:i])
	}
	return msg
}

// switchAgency makes the window act as another demo agency of the local
// hub (its own outbox and inbox).
func (u *ui) switchAgency(code string) {
	u.log.Printf("exchange: switch to %s", code)
	u.set.SetLocalAgency(code)
	u.desk.reopen()
}

// shortTime is a time of today as 15:04, else as 15:04 02/01.
func shortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	now := time.Now()
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return t.Format("15:04")
	}
	return t.Format("15:04 02/01")
}
