// Package gui is vanthu's Fyne desktop application: one file per screen
// (screen_*.go: Ký số, Kiểm tra, Gửi văn bản, Văn bản đến, Sổ văn bản,
// Báo cáo, Cài đặt, the first run), the page preview (preview.go), the PIN
// dialog (dialog_pin.go), the exchange session with its status bar
// (desk.go, statusbar.go). The screens call the domain through
// app/internal/bridge, the same steps as the CLI. Token, file, render and
// network work runs in goroutines and updates widgets through fyne.Do;
// long work shows progress and can be cancelled; being offline is a state
// shown in the status bar. Settings and remembered state live in
// fyne.Preferences (settings.go).
package gui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"github.com/vanthu/vanthu/app/internal/appinfo"
	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/app/internal/localeenv"
	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/signing/render"
)

// Config is what the application takes from its environment (injectable
// for tests).
type Config struct {
	Getenv func(string) string
}

// Run opens the desktop window and blocks until it is closed; it returns
// the process exit code.
func Run() int {
	a := fyneapp.NewWithID(appinfo.ID)
	cfg := Config{Getenv: os.Getenv}
	w := a.NewWindow("vanthu")
	u := newUI(a, w, cfg)
	defer u.close()
	w.SetMaster()
	w.ShowAndRun()
	return 0
}

// ui is the application: its window, settings, log, the shared renderer
// and the screens.
type ui struct {
	app  fyne.App
	win  fyne.Window
	cfg  Config
	set  *settings
	lang string
	log  *log.Logger
	logF *os.File

	bg   sync.WaitGroup  // background work; close waits for it
	ctx  context.Context // ended by close: background work stops waiting
	stop context.CancelFunc

	rendererOnce sync.Once
	rendererCh   chan struct{}
	rendererVal  *render.Renderer
	rendererErr  error

	desk *desk // the exchange: open client, background loop, state

	Tabs      *container.AppTabs
	Sign      *signScreen
	Verify    *verifyScreen
	Send      *sendScreen
	Inbox     *inboxScreen
	Registers *registersScreen
	Dashboard *dashboardScreen
	Settings  *settingsScreen
	Status    *statusBar
	FirstRun  *firstRun // set while the first-run offer is shown
}

// The tabs, in order.
const (
	tabSign = iota
	tabVerify
	tabSend
	tabInbox
	tabRegisters
	tabDashboard
	tabSettings
)

// newUI builds the window's content on w.
func newUI(a fyne.App, w fyne.Window, cfg Config) *ui {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	u := &ui{app: a, win: w, cfg: cfg, rendererCh: make(chan struct{})}
	u.ctx, u.stop = context.WithCancel(context.Background())
	u.set = newSettings(a.Preferences(), cfg.Getenv)
	u.lang = u.set.Language()
	useFyneLanguage(u.lang)
	u.openLog()
	u.log.Printf("start vanthu %s, data folder %s", appinfo.Version, u.dataDir())
	u.desk = newDesk(u)
	u.build()
	ws := u.set.WindowSize()
	w.Resize(ws)
	w.SetOnDropped(u.dropped)
	u.shortcuts()
	w.SetCloseIntercept(func() {
		s := w.Canvas().Size()
		u.set.SetWindowSize(s)
		w.Close()
	})
	u.bg.Go(u.startRenderer)
	u.Sign.refreshCerts(u.maybeFirstRun)
	u.desk.reopen()
	return u
}

// build makes the screens in the current language.
func (u *ui) build() {
	u.win.SetTitle(u.tr("gui.window_title"))
	u.win.SetIcon(theme.DocumentIcon())
	u.desk.onChange = nil
	u.Sign = newSignScreen(u)
	u.Verify = newVerifyScreen(u)
	u.Send = newSendScreen(u)
	u.Inbox = newInboxScreen(u)
	u.Registers = newRegistersScreen(u)
	u.Dashboard = newDashboardScreen(u)
	u.Settings = newSettingsScreen(u)
	u.Status = newStatusBar(u)
	u.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(u.tr("gui.tab.sign"), theme.DocumentCreateIcon(), u.Sign.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.verify"), theme.ConfirmIcon(), u.Verify.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.send"), theme.MailSendIcon(), u.Send.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.inbox"), theme.MailComposeIcon(), u.Inbox.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.registers"), theme.ListIcon(), u.Registers.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.dashboard"), theme.GridIcon(), u.Dashboard.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.settings"), theme.SettingsIcon(), u.Settings.content),
	)
	u.Tabs.OnSelected = func(t *container.TabItem) {
		u.log.Printf("tab %d: %s", u.Tabs.SelectedIndex(), t.Text)
		u.tabShown(u.Tabs.SelectedIndex())
	}
	u.desk.onChange = append(u.desk.onChange, u.updateBadges)
	u.win.SetContent(container.NewBorder(nil, u.Status.content, nil, nil, u.Tabs))
}

// tabShown reloads what a tab shows when the user opens it.
func (u *ui) tabShown(i int) {
	switch i {
	case tabInbox:
		u.Inbox.selectFirst()
	case tabRegisters:
		u.Registers.reload()
	case tabDashboard:
		u.Dashboard.reload()
	}
}

// updateBadges puts the count of what waits in the tab titles.
func (u *ui) updateBadges() {
	st := u.desk.State
	title := func(i int, key string, n int) {
		text := u.tr(key)
		if n > 0 {
			text = u.tr("gui.tab.count", text, n)
		}
		if it := u.Tabs.Items[i]; it.Text != text {
			it.Text = text
			u.Tabs.Refresh()
		}
	}
	title(tabInbox, "gui.tab.inbox", st.NewIn)
	title(tabSend, "gui.tab.send", st.Pending+st.Failed)
}

// setLanguage switches the window's language at once (the screens are
// built again; the settings tab stays open).
func (u *ui) setLanguage(lang string) {
	u.lang = lang
	useFyneLanguage(lang)
	u.build()
	u.Tabs.SelectIndex(tabSettings)
	u.Sign.refreshCerts(nil)
	u.desk.changed()
}

func (u *ui) close() {
	u.stop()
	if u.Sign != nil && u.Sign.cancelFn != nil {
		u.Sign.cancelFn()
	}
	if u.Send != nil && u.Send.cancelFn != nil {
		u.Send.cancelFn()
	}
	done := make(chan struct{})
	go func() { u.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
	}
	u.desk.close()
	if u.rendererVal != nil {
		_ = u.rendererVal.Close()
	}
	if u.logF != nil {
		_ = u.logF.Close()
	}
}

// tr translates for the user.
func (u *ui) tr(key string, args ...any) string { return i18n.T(u.lang, key, args...) }

// fields builds a detail text of "label: value" lines, leaving out the
// empty values.
type fields struct {
	u *ui
	b strings.Builder
}

func (f *fields) add(key, v string) {
	if strings.TrimSpace(v) != "" {
		fmt.Fprintf(&f.b, "%s: %s\n", f.u.tr(key), v)
	}
}

func (f *fields) String() string { return strings.TrimSpace(f.b.String()) }

// dataDir is the data folder (settings, else VANTHU_DATA_DIR, else the
// user config dir/vanthu).
func (u *ui) dataDir() string {
	d, err := bridge.DataDir(u.set.DataDir(), u.cfg.Getenv)
	if err != nil {
		return filepath.Join(os.TempDir(), "vanthu")
	}
	return d
}

// openLog opens vanthu.log in the data folder (details of every error go
// there; the window shows what happened and what to do).
func (u *ui) openLog() {
	dir := u.dataDir()
	_ = os.MkdirAll(dir, 0o700)
	path := filepath.Join(dir, "vanthu.log")
	if st, err := os.Stat(path); err == nil && st.Size() > 4<<20 {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		u.log = log.New(os.Stderr, "vanthu: ", log.LstdFlags)
		return
	}
	u.logF = f
	u.log = log.New(f, "", log.LstdFlags|log.Lmicroseconds)
}

// logPath is the log file shown to the user.
func (u *ui) logPath() string { return filepath.Join(u.dataDir(), "vanthu.log") }

// startRenderer starts PDFium (compiling it on the first run of a machine,
// a few seconds) without holding up the window.
func (u *ui) startRenderer() {
	u.rendererOnce.Do(func() {
		opts := render.Options{CacheDir: u.cfg.Getenv("VANTHU_RENDER_CACHE")}
		u.rendererVal, u.rendererErr = render.New(context.Background(), opts)
		if u.rendererErr != nil {
			u.log.Printf("renderer: %v", u.rendererErr)
		}
		close(u.rendererCh)
	})
}

// renderer waits for the shared renderer.
func (u *ui) renderer(ctx context.Context) (*render.Renderer, error) {
	select {
	case <-u.rendererCh:
		return u.rendererVal, u.rendererErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// showError shows what happened and what to do, and logs the detail.
func (u *ui) showError(what string, err error) {
	msg, hint := u.explain("", err)
	u.log.Printf("%s: %v", what, err)
	text := msg
	if hint != "" {
		text += "\n\n" + hint
	}
	text += "\n\n" + u.tr("gui.error.log", u.logPath())
	d := dialog.NewInformation(u.tr("gui.error.title"), text, u.win)
	d.Show()
}

// explain turns an error into a message and a hint for the window: the
// request errors of the bridge, then the shared sign and token messages
// (with the desktop's own hints where the CLI's name flags).
func (u *ui) explain(role string, err error) (msg, hint string) {
	var ue *bridge.UsageError
	if errors.As(err, &ue) {
		return u.tr(ue.Key, ue.Args...), ""
	}
	var me *bridge.ImageMissingError
	if errors.As(err, &me) {
		if me.Kind == "signature" {
			return u.tr("gui.sign.need_image", me.Owner), u.tr("gui.hint.import_signature", me.Owner)
		}
		return u.tr("gui.sign.need_seal", me.Owner), u.tr("gui.hint.import_seal", me.Owner)
	}
	if errors.Is(err, errNoExchange) {
		return u.tr("gui.exchange.not_open"), u.tr("gui.exchange.hint.not_open")
	}
	if errors.Is(err, errNoOrgCert) {
		return u.tr("gui.exchange.need_org_cert"), u.tr("gui.exchange.hint.need_org_cert")
	}
	if key, hk, ok := i18n.ExchangeKeys(err); ok {
		msg = u.tr(key)
		if hk != "" {
			if g := "gui." + hk; i18n.Has(g) {
				hk = g
			}
			hint = u.tr(hk)
		}
		return msg, hint
	}
	msg, hint = i18n.ExplainSign(u.lang, role, err)
	if k := i18n.HintKey(err); k != "" {
		if g := "gui." + k; i18n.Has(g) {
			hint = u.tr(g)
		}
	}
	return msg, hint
}

// dropped opens PDFs dropped on the window in the current screen.
func (u *ui) dropped(_ fyne.Position, uris []fyne.URI) {
	var files []string
	for _, x := range uris {
		if x.Scheme() == "file" {
			files = append(files, x.Path())
		}
	}
	if len(files) == 0 {
		return
	}
	switch u.Tabs.SelectedIndex() {
	case tabVerify:
		u.Verify.addFiles(files)
		return
	case tabSend:
		u.Send.addFiles(files)
		return
	}
	u.Tabs.SelectIndex(tabSign)
	u.Sign.addFiles(files)
}

// shortcuts: Ctrl+O open, Ctrl+S the screen's signing action (sign; on
// the Send screen send, on the Inbox accept), Ctrl+N sign the signed file
// next (approve, then issue), Ctrl+E verify what was signed, Ctrl+G send
// what was signed, Ctrl+Shift+A act as the next demo agency (local hub),
// Ctrl+1…7 tabs, PageUp/PageDown turn pages, Ctrl++/- zoom, Esc cancels.
func (u *ui) shortcuts() {
	c := u.win.Canvas()
	add := func(k fyne.KeyName, fn func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	add(fyne.KeyO, func() {
		switch u.Tabs.SelectedIndex() {
		case tabVerify:
			u.Verify.openDialog()
		case tabSend:
			u.Send.openDialog()
		default:
			u.Sign.openDialog()
		}
	})
	add(fyne.KeyS, u.mainAction)
	add(fyne.KeyE, u.verifySigned)
	add(fyne.KeyG, u.sendSigned)
	add(fyne.KeyN, func() { u.Tabs.SelectIndex(tabSign); u.Sign.continueLast() })
	for i, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7} {
		add(k, func() { u.Tabs.SelectIndex(i) })
	}
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift},
		func(fyne.Shortcut) { u.nextAgency() })
	add(fyne.KeyEqual, func() { u.current().Preview.zoomBy(1.25) })
	add(fyne.KeyMinus, func() { u.current().Preview.zoomBy(0.8) })
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyPageDown:
			u.current().Preview.turn(1)
		case fyne.KeyPageUp:
			u.current().Preview.turn(-1)
		case fyne.KeyEscape:
			u.Sign.cancel()
			u.Send.cancel()
		case fyne.KeyReturn, fyne.KeyEnter:
			if u.FirstRun != nil { // Enter accepts the first-run offer
				u.FirstRun.Create.OnTapped()
			}
		}
	})
}

// previewHolder is a screen with a preview.
type previewHolder struct{ Preview *preview }

func (u *ui) current() previewHolder {
	switch u.Tabs.SelectedIndex() {
	case tabVerify:
		return previewHolder{u.Verify.Preview}
	case tabInbox:
		return previewHolder{u.Inbox.Preview}
	}
	return previewHolder{u.Sign.Preview}
}

// openPath opens a file or folder with the system's program.
func (u *ui) openPath(path string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		u.showError("open", err)
		return
	}
	if err := u.app.OpenURL(&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}); err != nil {
		u.showError("open "+abs, fmt.Errorf("failed to open %s: %w", abs, err))
	}
}

// verifySigned (Ctrl+E) opens the Verify screen on the files just signed,
// or verifies its list again.
func (u *ui) verifySigned() {
	u.Tabs.SelectIndex(tabVerify)
	var outs []string
	for _, r := range u.Sign.results {
		if r.Err == nil && r.Out != "" {
			outs = append(outs, r.Out)
		}
	}
	if len(outs) > 0 {
		u.Verify.addFiles(outs)
		return
	}
	u.Verify.verifyAll()
}

// signedOutputs are the files the last sign run wrote.
func (u *ui) signedOutputs() []signResult {
	var out []signResult
	for _, r := range u.Sign.results {
		if r.Err == nil && r.Out != "" {
			out = append(out, r)
		}
	}
	return out
}

// sendSigned (Ctrl+G) opens the Send screen with the files just signed,
// the recipient search ready to type in.
func (u *ui) sendSigned() {
	u.Tabs.SelectIndex(tabSend)
	u.Send.Tabs.SelectIndex(0)
	u.Send.takeSigned()
	if len(u.Send.Recipients.Codes()) == 0 {
		u.win.Canvas().Focus(u.Send.Recipients.Search)
	}
}

// mainAction (Ctrl+S) is the current screen's signing action.
func (u *ui) mainAction() {
	switch u.Tabs.SelectedIndex() {
	case tabSend:
		u.Send.Tabs.SelectIndex(0)
		u.Send.send()
	case tabInbox:
		u.Inbox.accept()
	default:
		u.Tabs.SelectIndex(tabSign)
		u.Sign.sign()
	}
}

// nextAgency (Ctrl+Shift+A) acts as the next demo agency of the local hub.
func (u *ui) nextAgency() {
	st := u.desk.State
	if !st.Open || !st.Local {
		return
	}
	for i, a := range local.Demo {
		if a.Code == st.Agency.Code {
			u.switchAgency(local.Demo[(i+1)%len(local.Demo)].Code)
			return
		}
	}
	u.switchAgency(local.Demo[0].Code)
}

// showOutbox opens the Send screen's outbox.
func (u *ui) showOutbox() {
	u.Tabs.SelectIndex(tabSend)
	u.Send.Tabs.SelectIndex(1)
}

// uiDo runs fn on the UI thread (fyne.Do). Tests replace it with a queue
// served by one goroutine, because Fyne's test driver runs fyne.Do inline on
// the calling goroutine.
var uiDo = fyne.Do

// useFyneLanguage makes Fyne's own texts (file dialog, menus) follow
// vanthu's language, whatever the OS locale (app/internal/localeenv), with
// vanthu's Vietnamese catalogue of them (Fyne ships none).
func useFyneLanguage(l string) {
	if err := localeenv.UseLanguage(l); err != nil {
		return
	}
	b, err := fs.ReadFile(assets.Translations, "translations/fyne/base.vi.json")
	if err == nil {
		_ = lang.AddTranslationsForLocale(b, "vi")
	}
}
