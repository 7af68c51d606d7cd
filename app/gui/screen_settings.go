package gui

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/stamp"
	"github.com/vanthu/vanthu/signing/trust"
)

// settingsScreen is "Cài đặt": token modules (found, unusable and why,
// browse), signature and seal images, time-stamping and revocation,
// trusted roots, language, data folder, and the demo.
type settingsScreen struct {
	u       *ui
	content fyne.CanvasObject

	Modules      *widget.Label
	BrowseModule *widget.Button
	ClearModule  *widget.Button
	Owner        *widget.Entry
	ImportSig    *widget.Button
	ImportSeal   *widget.Button
	Images       *widget.Label
	TSA          *widget.Entry
	Online       *widget.Check
	Roots        *widget.Label
	AddRoot      *widget.Button
	Language     *widget.Select
	DataDir      *widget.Entry
	ApplyDataDir *widget.Button
	DemoState    *widget.Label
	DemoCreate   *widget.Button
	DemoReset    *widget.Button
	DemoRemove   *widget.Button
	DemoSample   *widget.Button
	LogPath      *widget.Label
}

func newSettingsScreen(u *ui) *settingsScreen {
	s := &settingsScreen{u: u}
	s.Modules = widget.NewLabel(u.tr("gui.settings.modules_reading"))
	s.Modules.Wrapping = fyne.TextWrapWord
	s.BrowseModule = widget.NewButtonWithIcon(u.tr("gui.settings.browse_module"), theme.FolderOpenIcon(), s.browseModule)
	s.ClearModule = widget.NewButton(u.tr("gui.settings.clear_module"), func() {
		u.set.SetModule("")
		u.Sign.refreshCerts(nil)
	})
	s.Owner = widget.NewEntry()
	s.Owner.SetPlaceHolder(u.tr("gui.settings.owner_placeholder"))
	s.ImportSig = widget.NewButton(u.tr("gui.settings.import_signature"), func() { s.importImage(stamp.KindSignature) })
	s.ImportSeal = widget.NewButton(u.tr("gui.settings.import_seal"), func() { s.importImage(stamp.KindSeal) })
	s.Images = widget.NewLabel("")
	s.Images.Wrapping = fyne.TextWrapWord
	s.TSA = widget.NewEntry()
	s.TSA.SetPlaceHolder("http://…")
	s.TSA.SetText(u.set.TSA())
	s.TSA.OnChanged = func(v string) { u.set.SetTSA(v) }
	s.Online = widget.NewCheck(u.tr("gui.settings.online"), func(on bool) { u.set.SetOnline(on) })
	s.Online.SetChecked(u.set.Online())
	s.Roots = widget.NewLabel("")
	s.Roots.Wrapping = fyne.TextWrapWord
	s.AddRoot = widget.NewButtonWithIcon(u.tr("gui.settings.add_root"), theme.ContentAddIcon(), s.addRoot)
	langs := []string{"Tiếng Việt", "English"}
	s.Language = widget.NewSelect(langs, nil)
	if u.lang == i18n.EN {
		s.Language.SetSelected(langs[1])
	} else {
		s.Language.SetSelected(langs[0])
	}
	s.Language.OnChanged = func(l string) {
		lang := i18n.VI
		if l == langs[1] {
			lang = i18n.EN
		}
		if lang != u.lang {
			u.set.SetLanguage(lang)
			u.setLanguage(lang)
		}
	}
	s.DataDir = widget.NewEntry()
	s.DataDir.SetText(u.dataDir())
	s.ApplyDataDir = widget.NewButton(u.tr("gui.settings.apply"), func() {
		d := strings.TrimSpace(s.DataDir.Text)
		if d == "" {
			return
		}
		if err := os.MkdirAll(d, 0o700); err != nil {
			u.showError("data dir", err)
			return
		}
		u.set.SetDataDir(d)
		s.refresh()
		u.Sign.refreshCerts(nil)
	})
	s.DemoState = widget.NewLabel("")
	s.DemoState.Wrapping = fyne.TextWrapWord
	s.DemoCreate = widget.NewButton(u.tr("gui.demo.create"), func() { u.createDemo(nil) })
	s.DemoReset = widget.NewButton(u.tr("gui.demo.reset"), s.resetDemo)
	s.DemoRemove = widget.NewButton(u.tr("gui.demo.remove"), s.removeDemo)
	s.DemoSample = widget.NewButton(u.tr("gui.demo.open_sample"), func() { u.openSample() })
	s.LogPath = widget.NewLabel(u.tr("gui.settings.log", u.logPath()))
	s.LogPath.Wrapping = fyne.TextWrapWord

	form := container.NewVBox(
		heading(u.tr("gui.settings.tokens")), s.Modules, container.NewHBox(s.BrowseModule, s.ClearModule),
		widget.NewSeparator(),
		heading(u.tr("gui.settings.images")), s.Owner, container.NewHBox(s.ImportSig, s.ImportSeal), s.Images,
		widget.NewSeparator(),
		heading(u.tr("gui.settings.validation")),
		container.NewBorder(nil, nil, widget.NewLabel(u.tr("gui.settings.tsa")), nil, s.TSA), s.Online,
		heading(u.tr("gui.settings.roots")), s.Roots, container.NewHBox(s.AddRoot),
		widget.NewSeparator(),
		heading(u.tr("gui.settings.general")),
		container.NewBorder(nil, nil, widget.NewLabel(u.tr("gui.settings.language")), nil, s.Language),
		container.NewBorder(nil, nil, widget.NewLabel(u.tr("gui.settings.data_dir")), s.ApplyDataDir, s.DataDir),
		s.LogPath,
		widget.NewSeparator(),
		heading(u.tr("gui.settings.demo")), s.DemoState, container.NewHBox(s.DemoCreate, s.DemoSample, s.DemoReset, s.DemoRemove),
	)
	s.content = container.NewVScroll(container.NewPadded(form))
	s.refresh()
	return s
}

// refresh re-reads the images, roots and the demo's state.
func (s *settingsScreen) refresh() {
	u := s.u
	store := &stamp.Store{Dir: u.dataDir()}
	var lines []string
	if es, err := store.List(); err == nil {
		for _, e := range es {
			lines = append(lines, fmt.Sprintf("%s: %s (%d×%d)", u.tr("image.kind."+string(e.Kind)), e.Owner, e.Width, e.Height))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, u.tr("gui.settings.no_images"))
	}
	s.Images.SetText(strings.Join(lines, "\n"))
	lines = nil
	if ts, err := trust.Load(context.Background(), trust.Options{NoBundled: true, UserDir: s.trustDir()}); err == nil {
		for _, c := range ts.Certs() {
			lines = append(lines, c.Cert.Subject.CommonName+"  "+c.Fingerprint[:23]+"…")
		}
	}
	if len(lines) == 0 {
		lines = append(lines, u.tr("gui.settings.no_roots"))
	}
	s.Roots.SetText(strings.Join(lines, "\n"))
	if st, err := demo.Open(u.dataDir()); err == nil {
		info := st.Info()
		state := u.tr("gui.demo.state_ready", demo.PIN)
		if w := i18n.PINWarning(u.lang, info.Flags); w != "" {
			state += "\n⚠ " + w
		}
		s.DemoState.SetText(state)
		s.DemoCreate.Disable()
		s.DemoReset.Enable()
		s.DemoRemove.Enable()
	} else {
		s.DemoState.SetText(u.tr("gui.demo.state_none"))
		s.DemoCreate.Enable()
		s.DemoReset.Disable()
		s.DemoRemove.Disable()
	}
}

func (s *settingsScreen) trustDir() string { return filepath.Join(s.u.dataDir(), "trust") }

// setModules shows the PKCS#11 modules considered and why one is unusable.
func (s *settingsScreen) setModules(mods []bridge.ModuleState) {
	u := s.u
	if len(mods) == 0 {
		s.Modules.SetText(u.tr("gui.settings.no_modules"))
		return
	}
	var lines []string
	for _, m := range mods {
		state := u.tr("gui.settings.module_ok")
		switch {
		case !m.Found:
			state = u.tr("token.module_missing")
		case m.Problem != "":
			state = m.Problem
		case m.Err != nil:
			state, _ = u.explain("", m.Err)
		}
		name := m.Path
		if m.Vendor != "" {
			name += " (" + m.Vendor + ")"
		}
		lines = append(lines, "• "+name+" — "+state)
	}
	s.Modules.SetText(strings.Join(lines, "\n"))
}

func (s *settingsScreen) browseModule() {
	u := s.u
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		u.set.SetModule(path)
		u.Sign.refreshCerts(nil)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".so", ".dll", ".dylib"}))
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// importImage checks a PNG as `vanthu image import` does and stores it for
// the owner (default: the chosen certificate's name).
func (s *settingsScreen) importImage(kind stamp.Kind) {
	u := s.u
	owner := strings.TrimSpace(s.Owner.Text)
	if owner == "" {
		if c := u.Sign.choice(); c != nil {
			owner = c.Cert.Subject.CommonName
		}
	}
	if owner == "" {
		u.showError("image", &bridge.UsageError{Key: "gui.settings.need_owner"})
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		s.importFile(kind, owner, path)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".PNG"}))
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// importFile stores the image file for owner.
func (s *settingsScreen) importFile(kind stamp.Kind, owner, path string) {
	u := s.u
	data, err := os.ReadFile(path)
	if err != nil {
		u.showError("image", err)
		return
	}
	store := &stamp.Store{Dir: u.dataDir()}
	e, err := store.Import(kind, owner, data)
	if err != nil {
		u.showError("image", err)
		return
	}
	msg := u.tr("gui.settings.imported", u.tr("image.kind."+string(kind)), owner, e.Width, e.Height)
	if kind == stamp.KindSignature && e.Ink != stamp.InkBlue {
		msg += "\n⚠ " + u.tr("sign.role.warn.signature_not_blue", u.tr("image.ink."+string(e.Ink)))
	}
	if kind == stamp.KindSeal && e.Ink != stamp.InkRed {
		msg += "\n⚠ " + u.tr("sign.role.warn.seal_not_red", u.tr("image.ink."+string(e.Ink)))
	}
	dialog.NewInformation(u.tr("gui.settings.images"), msg, u.win).Show()
	s.refresh()
	u.Sign.replan()
}

// addRoot adds a trusted root (PEM or DER) to the user's trust folder.
func (s *settingsScreen) addRoot() {
	u := s.u
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		if err := s.addRootFile(path); err != nil {
			u.showError("trust", err)
			return
		}
		s.refresh()
	}, u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// addRootFile copies the certificates of a PEM/DER file into the trust
// folder, one file per certificate named by its fingerprint.
func (s *settingsScreen) addRootFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	certs, err := trust.ParsePEM(b)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.trustDir(), 0o700); err != nil {
		return err
	}
	for _, c := range certs {
		name := strings.ReplaceAll(trust.Fingerprint(c), ":", "")[:16] + ".pem"
		pemData := pemCert(c.Raw)
		if err := os.WriteFile(filepath.Join(s.trustDir(), name), pemData, 0o600); err != nil {
			return err
		}
		s.u.log.Printf("trusted root added: %s (%s)", c.Subject.CommonName, trust.Fingerprint(c))
	}
	return nil
}

func (s *settingsScreen) resetDemo() {
	st, err := demo.Open(s.u.dataDir())
	if err != nil {
		s.u.showError("demo", err)
		return
	}
	if err := st.Reset(); err != nil {
		s.u.showError("demo", err)
		return
	}
	s.refresh()
	s.u.Sign.refreshCerts(nil)
}

func (s *settingsScreen) removeDemo() {
	u := s.u
	dialog.NewConfirm(u.tr("gui.demo.remove"), u.tr("gui.demo.remove_confirm"), func(ok bool) {
		if !ok {
			return
		}
		if err := demo.Remove(u.dataDir()); err != nil {
			u.showError("demo", err)
		}
		s.refresh()
		u.Sign.refreshCerts(nil)
	}, u.win).Show()
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
