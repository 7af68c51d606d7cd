package gui

import (
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/signing/roles"
)

// firstRun is the offer shown when no token driver with a certificate is
// found and no demo exists: create the demo key store and open the sample
// letter, so a new user can sign and verify within a minute.
type firstRun struct {
	d      dialog.Dialog
	Text   *widget.Label
	Create *widget.Button
	Later  *widget.Button
}

// maybeFirstRun shows the first-run offer when there is nothing to sign
// with.
func (u *ui) maybeFirstRun() {
	if len(u.Sign.choices) > 0 || demo.Exists(u.dataDir()) {
		return
	}
	f := &firstRun{}
	f.Text = widget.NewLabel(u.tr("gui.firstrun.text", demo.PIN))
	f.Text.Wrapping = fyne.TextWrapWord
	f.Create = widget.NewButton(u.tr("gui.firstrun.create"), func() {
		f.d.Hide()
		u.FirstRun = nil
		u.createDemo(u.openSample)
	})
	f.Create.Importance = widget.HighImportance
	f.Later = widget.NewButton(u.tr("gui.firstrun.later"), func() {
		f.d.Hide()
		u.FirstRun = nil
		u.set.SetFirstRunDone()
		u.Tabs.SelectIndex(2)
	})
	body := container.NewVBox(f.Text, container.NewHBox(f.Later, f.Create))
	f.d = dialog.NewCustomWithoutButtons(u.tr("gui.firstrun.title"), body, u.win)
	f.d.Resize(fyne.NewSize(560, 0))
	u.FirstRun = f
	f.d.Show()
	u.log.Printf("first run: no certificate found, demo offered")
}

// createDemo makes the demo store in a goroutine (three RSA keys, about a
// second), then lists it and runs then.
func (u *ui) createDemo(then func()) {
	u.Sign.Status.SetText(u.tr("gui.demo.creating"))
	u.bg.Go(func() {
		_, err := demo.Create(u.dataDir())
		uiDo(func() {
			if err != nil {
				u.showError("demo", err)
				return
			}
			u.log.Printf("demo key store created in %s", demo.Dir(u.dataDir()))
			u.set.SetFirstRunDone()
			u.Settings.refresh()
			u.Sign.Status.SetText(u.tr("gui.demo.created", demo.PIN))
			u.Sign.refreshCerts(then)
		})
	})
}

// openSample copies the bundled sample letter to the demo folder and opens
// it on the Sign screen in the approve role.
func (u *ui) openSample() {
	dir := filepath.Join(demo.Dir(u.dataDir()), "van-ban-mau")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		u.showError("sample", err)
		return
	}
	path := filepath.Join(dir, "cong-van-mau.pdf")
	if err := os.WriteFile(path, assets.SampleLetter, 0o600); err != nil {
		u.showError("sample", err)
		return
	}
	u.Tabs.SelectIndex(0)
	if u.Sign.Number.Text == "" {
		u.Sign.Number.SetText("01") // the sample letter's number when it is issued
	}
	u.Sign.selectRole(string(roles.Approve))
	u.Sign.addFiles([]string{path})
}
