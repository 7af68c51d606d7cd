package gui

import (
	"context"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/token"
)

// pinDialog asks for a token's PIN. It shows the token's PIN state (tries
// used, final try) and, at the final try, makes the user tick an explicit
// confirmation before OK does anything. It is asked once per login; a wrong
// PIN ends the run with a message and is never retried by itself.
type pinDialog struct {
	u *ui
	d dialog.Dialog

	Title   *widget.Label
	Warning *widget.Label
	Entry   *widget.Entry
	Confirm *widget.Check // only at the final try
	OK      *widget.Button
	Cancel  *widget.Button

	finalTry bool
	done     chan pinAnswer
	once     sync.Once
}

type pinAnswer struct {
	pin string
	ok  bool
}

// newPINDialog builds (and shows) the dialog for token t; the answer comes
// on done.
func newPINDialog(u *ui, t token.TokenInfo, finalTry bool) *pinDialog {
	p := &pinDialog{u: u, finalTry: finalTry || t.Flags.PINFinalTry, done: make(chan pinAnswer, 1)}
	p.Title = widget.NewLabelWithStyle(u.tr("gui.pin.prompt", t.Label), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.Warning = widget.NewLabel(i18n.PINWarning(u.lang, t.Flags))
	p.Warning.Wrapping = fyne.TextWrapWord
	p.Entry = widget.NewPasswordEntry()
	p.Entry.SetPlaceHolder(u.tr("gui.pin.placeholder"))
	p.Confirm = widget.NewCheck(u.tr("gui.pin.confirm_final"), func(bool) { p.updateOK() })
	p.OK = widget.NewButton(u.tr("gui.ok"), p.submit)
	p.OK.Importance = widget.HighImportance
	p.Cancel = widget.NewButton(u.tr("gui.cancel"), func() { p.answer(pinAnswer{}) })
	p.Entry.OnChanged = func(string) { p.updateOK() }
	p.Entry.OnSubmitted = func(string) { p.submit() }
	items := []fyne.CanvasObject{p.Title}
	if p.Warning.Text != "" {
		items = append(items, p.Warning)
	}
	if p.finalTry {
		p.Warning.SetText(u.tr("gui.pin.final_try"))
		items = append(items, p.Confirm)
	} else {
		p.Confirm.Hide()
	}
	if t.Flags.ProtectedAuthPath {
		p.Entry.Hide()
		items = append(items, widget.NewLabel(u.tr("gui.pin.pinpad")))
	}
	items = append(items, p.Entry, container.NewHBox(p.Cancel, p.OK))
	p.d = dialog.NewCustomWithoutButtons(u.tr("gui.pin.title"), container.NewVBox(items...), u.win)
	p.d.Resize(fyne.NewSize(440, 0))
	p.updateOK()
	p.d.Show()
	u.win.Canvas().Focus(p.Entry)
	u.log.Printf("PIN dialog for %q (final try %v)", t.Label, p.finalTry)
	return p
}

func (p *pinDialog) updateOK() {
	if (p.Entry.Text == "" && p.Entry.Visible()) || (p.finalTry && !p.Confirm.Checked) {
		p.OK.Disable()
		return
	}
	p.OK.Enable()
}

// submit answers with the PIN, unless the final try is not confirmed.
func (p *pinDialog) submit() {
	if p.finalTry && !p.Confirm.Checked {
		p.Warning.SetText(p.u.tr("gui.pin.final_try_needs_confirm"))
		return
	}
	if p.Entry.Visible() && p.Entry.Text == "" {
		return
	}
	p.answer(pinAnswer{pin: p.Entry.Text, ok: true})
}

func (p *pinDialog) answer(a pinAnswer) {
	p.once.Do(func() {
		p.done <- a
		p.d.Hide()
	})
}

// pinAsker is the desktop's way of logging in (bridge.Unlock): the PIN
// dialog, shown from the UI thread while the sign run waits.
type pinAsker struct {
	u      *ui
	mu     sync.Mutex
	cached *pinAnswer // the PIN typed in the final-try dialog, for the one attempt
	// shown is called with each dialog (tests drive it).
	shown func(*pinDialog)
}

func (a *pinAsker) unlock() bridge.Unlock {
	return bridge.Unlock{
		PINs: token.PINFunc(a.pin),
		// At the final try the dialog itself asks for the confirmation; the
		// PIN typed there is used for the one attempt.
		AskFinalTry: func(ctx context.Context, t token.TokenInfo) bool {
			ans, err := a.ask(ctx, t, true)
			if err != nil || !ans.ok {
				return false
			}
			a.mu.Lock()
			a.cached = &ans
			a.mu.Unlock()
			return true
		},
	}
}

func (a *pinAsker) pin(ctx context.Context, req token.PINRequest) (string, error) {
	a.mu.Lock()
	c := a.cached
	a.cached = nil
	a.mu.Unlock()
	if c != nil {
		return c.pin, nil
	}
	ans, err := a.ask(ctx, req.Token, false)
	if err != nil {
		return "", err
	}
	if !ans.ok {
		return "", context.Canceled
	}
	if ans.pin == "" && !req.Token.Flags.ProtectedAuthPath {
		return "", token.ErrPINRequired
	}
	return ans.pin, nil
}

// ask shows the dialog on the UI thread and waits for the answer (or ctx).
func (a *pinAsker) ask(ctx context.Context, t token.TokenInfo, finalTry bool) (pinAnswer, error) {
	ch := make(chan *pinDialog, 1)
	uiDo(func() {
		d := newPINDialog(a.u, t, finalTry)
		if a.shown != nil {
			a.shown(d)
		}
		ch <- d
	})
	var d *pinDialog
	select {
	case d = <-ch:
	case <-ctx.Done():
		return pinAnswer{}, ctx.Err()
	}
	select {
	case ans := <-d.done:
		return ans, nil
	case <-ctx.Done():
		uiDo(func() { d.answer(pinAnswer{}) })
		return pinAnswer{}, ctx.Err()
	}
}
