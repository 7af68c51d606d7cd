// Package gui is vanthu's Fyne desktop application: one file per screen
// (screen_*.go: Ký số, Kiểm tra, Cài đặt, the first run), the page preview
// (preview.go) and the PIN dialog (dialog_pin.go). The screens call the
// domain through app/internal/bridge, the same steps as the CLI. Token,
// file and render work runs in goroutines and updates widgets through
// fyne.Do; long work shows progress and can be cancelled. Settings and
// remembered state live in fyne.Preferences (settings.go).
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

	Tabs     *container.AppTabs
	Sign     *signScreen
	Verify   *verifyScreen
	Settings *settingsScreen
	FirstRun *firstRun // set while the first-run offer is shown
}

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
	return u
}

// build makes the screens in the current language.
func (u *ui) build() {
	u.win.SetTitle(u.tr("gui.window_title"))
	u.win.SetIcon(theme.DocumentIcon())
	u.Sign = newSignScreen(u)
	u.Verify = newVerifyScreen(u)
	u.Settings = newSettingsScreen(u)
	u.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(u.tr("gui.tab.sign"), theme.DocumentCreateIcon(), u.Sign.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.verify"), theme.ConfirmIcon(), u.Verify.content),
		container.NewTabItemWithIcon(u.tr("gui.tab.settings"), theme.SettingsIcon(), u.Settings.content),
	)
	u.Tabs.OnSelected = func(t *container.TabItem) { u.log.Printf("tab %d: %s", u.Tabs.SelectedIndex(), t.Text) }
	u.win.SetContent(u.Tabs)
}

// setLanguage switches the window's language at once (the screens are
// built again; the settings tab stays open).
func (u *ui) setLanguage(lang string) {
	u.lang = lang
	useFyneLanguage(lang)
	u.build()
	u.Tabs.SelectIndex(2)
	u.Sign.refreshCerts(nil)
}

func (u *ui) close() {
	u.stop()
	if u.Sign != nil && u.Sign.cancelFn != nil {
		u.Sign.cancelFn()
	}
	done := make(chan struct{})
	go func() { u.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
	}
	if u.rendererVal != nil {
		_ = u.rendererVal.Close()
	}
	if u.logF != nil {
		_ = u.logF.Close()
	}
}

// tr translates for the user.
func (u *ui) tr(key string, args ...any) string { return i18n.T(u.lang, key, args...) }

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
	if u.Tabs.SelectedIndex() == 1 {
		u.Verify.addFiles(files)
		return
	}
	u.Tabs.SelectIndex(0)
	u.Sign.addFiles(files)
}

// shortcuts: Ctrl+O open, Ctrl+S sign, Ctrl+N sign the signed file next
// (approve, then issue), Ctrl+E verify what was signed, Ctrl+1/2/3 tabs,
// PageUp/PageDown turn pages, Ctrl++/- zoom, Esc cancels.
func (u *ui) shortcuts() {
	c := u.win.Canvas()
	add := func(k fyne.KeyName, fn func()) {
		c.AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { fn() })
	}
	add(fyne.KeyO, func() {
		if u.Tabs.SelectedIndex() == 1 {
			u.Verify.openDialog()
			return
		}
		u.Sign.openDialog()
	})
	add(fyne.KeyS, func() { u.Tabs.SelectIndex(0); u.Sign.sign() })
	add(fyne.KeyE, u.verifySigned)
	add(fyne.KeyN, func() { u.Tabs.SelectIndex(0); u.Sign.continueLast() })
	add(fyne.Key1, func() { u.Tabs.SelectIndex(0) })
	add(fyne.Key2, func() { u.Tabs.SelectIndex(1) })
	add(fyne.Key3, func() { u.Tabs.SelectIndex(2) })
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
	if u.Tabs.SelectedIndex() == 1 {
		return previewHolder{u.Verify.Preview}
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
	u.Tabs.SelectIndex(1)
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
