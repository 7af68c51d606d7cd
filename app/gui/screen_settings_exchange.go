package gui

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
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
	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/internal/fsutil"
)

// exchangeSettings is the Settings screen's exchange section: the local
// demo hub (the default, with its two demo agencies) or an agency's hub —
// its address and the enrolment: the connection key made on this machine,
// the certificate request for the hub administrator (shown, copied or
// saved), the issued certificate imported — and the unit the registers
// and the dashboard show.
type exchangeSettings struct {
	u       *ui
	content fyne.CanvasObject

	Mode        *widget.RadioGroup
	LocalAgency *widget.Select
	HubURL      *widget.Entry
	Code        *widget.Entry
	Name        *widget.Entry
	MakeRequest *widget.Button
	ShowRequest *widget.Button
	Install     *widget.Button
	UseHub      *widget.Button
	AxisURL     *widget.Entry
	SystemID    *widget.Entry
	Secret      *widget.Entry
	UseAxis     *widget.Button
	State       *widget.Label
	Unit        *widget.Entry

	idBox   *fyne.Container // agency code and name (hub, axis)
	hubBox  *fyne.Container
	axisBox *fyne.Container
	csr     []byte        // the last request made or found
	request dialog.Dialog // the request shown
}

// Modes of the exchange settings.
const (
	modeLocal = iota
	modeHub
	modeAxis
)

func newExchangeSettings(u *ui) *exchangeSettings {
	e := &exchangeSettings{u: u}
	modes := []string{u.tr("gui.xset.mode.local"), u.tr("gui.xset.mode.hub"), u.tr("gui.xset.mode.axis")}
	e.Mode = widget.NewRadioGroup(modes, func(string) { e.modeChanged(e.mode()) })
	var opts []string
	for _, a := range local.Demo {
		opts = append(opts, a.Code+" — "+a.Name)
	}
	e.LocalAgency = widget.NewSelect(opts, func(s string) {
		code, _, _ := strings.Cut(s, " — ")
		if code != "" && code != u.desk.State.Agency.Code && u.desk.State.Local {
			u.switchAgency(code)
		}
	})
	e.HubURL = widget.NewEntry()
	e.HubURL.SetPlaceHolder("https://truc.example.gov.vn:8443")
	e.Code = widget.NewEntry()
	e.Code.SetPlaceHolder("H40.01")
	e.Name = widget.NewEntry()
	e.Name.SetPlaceHolder(u.tr("gui.xset.name_placeholder"))
	e.MakeRequest = widget.NewButtonWithIcon(u.tr("gui.xset.make_request"), theme.ContentAddIcon(), e.makeRequest)
	e.ShowRequest = widget.NewButtonWithIcon(u.tr("gui.xset.show_request"), theme.DocumentIcon(), e.showRequest)
	e.Install = widget.NewButtonWithIcon(u.tr("gui.xset.install"), theme.FolderOpenIcon(), e.installDialog)
	e.UseHub = widget.NewButtonWithIcon(u.tr("gui.xset.use_hub"), theme.ConfirmIcon(), e.useHub)
	e.AxisURL = widget.NewEntry()
	e.AxisURL.SetPlaceHolder("https://truclienthong.example.gov.vn/edoc")
	e.SystemID = widget.NewEntry()
	e.SystemID.SetPlaceHolder("000.00.00.H40")
	e.Secret = widget.NewPasswordEntry()
	e.Secret.SetPlaceHolder(u.tr("gui.xset.secret_placeholder"))
	e.UseAxis = widget.NewButtonWithIcon(u.tr("gui.xset.use_axis"), theme.ConfirmIcon(), e.useAxis)
	e.State = widget.NewLabel("")
	e.State.Wrapping = fyne.TextWrapWord
	e.Unit = widget.NewEntry()
	e.Unit.SetPlaceHolder(u.tr("gui.xset.unit_placeholder"))
	e.Unit.SetText(u.set.ReportUnit())
	e.Unit.OnChanged = func(v string) { u.set.SetReportUnit(v) }

	row := func(key string, w fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewLabel(u.tr(key)), nil, w)
	}
	e.hubBox = container.NewVBox(row("gui.xset.hub_url", e.HubURL),
		container.NewHBox(e.MakeRequest, e.ShowRequest, e.Install, e.UseHub))
	e.axisBox = container.NewVBox(row("gui.xset.axis_url", e.AxisURL), row("gui.xset.system_id", e.SystemID),
		row("gui.xset.secret", e.Secret), container.NewHBox(e.UseAxis))
	e.idBox = container.NewVBox(row("gui.xset.code", e.Code), row("gui.xset.name", e.Name))
	e.content = container.NewVBox(e.Mode, row("gui.xset.local_agency", e.LocalAgency), e.idBox, e.hubBox, e.axisBox, e.State,
		row("gui.xset.unit", e.Unit))
	e.load()
	u.desk.onChange = append(u.desk.onChange, e.deskChanged)
	return e
}

// load shows the saved configuration.
func (e *exchangeSettings) load() {
	u := e.u
	dir := u.configDir()
	cfg, err := client.LoadConfig(dir)
	if err != nil && !errors.Is(err, client.ErrNotEnrolled) {
		u.log.Printf("exchange settings: %v", err)
	}
	if cfg != nil {
		e.Code.SetText(cfg.Agency)
		e.Name.SetText(cfg.AgencyName)
		if cfg.Hub != "" {
			e.HubURL.SetText(cfg.Hub)
		}
		e.AxisURL.SetText(cfg.Axis)
		e.SystemID.SetText(cfg.SystemID)
	}
	if e.HubURL.Text == "" {
		e.HubURL.SetText(u.set.p.String(prefHubURL))
	}
	if b, err := os.ReadFile(filepath.Join(dir, client.FileCSR)); err == nil {
		e.csr = b
	}
	switch {
	case cfg != nil && cfg.Axis != "":
		e.Mode.SetSelected(e.Mode.Options[modeAxis])
	case cfg != nil && cfg.Hub != "":
		e.Mode.SetSelected(e.Mode.Options[modeHub])
	default:
		e.Mode.SetSelected(e.Mode.Options[modeLocal])
	}
	e.showState()
}

// mode is the mode chosen.
func (e *exchangeSettings) mode() int {
	for i, o := range e.Mode.Options {
		if o == e.Mode.Selected {
			return i
		}
	}
	return modeLocal
}

// prefHubURL keeps the hub address while the local hub is used.
const prefHubURL = "exchange_hub_url"

func (e *exchangeSettings) modeChanged(mode int) {
	e.hubBox.Hide()
	e.axisBox.Hide()
	e.idBox.Show()
	e.LocalAgency.Disable()
	switch mode {
	case modeHub:
		e.hubBox.Show()
	case modeAxis:
		e.axisBox.Show()
	default:
		e.idBox.Hide()
		e.LocalAgency.Enable()
		e.useLocal()
	}
	e.showState()
}

// useLocal switches to the local demo hub (an enrolment is kept for
// later).
func (e *exchangeSettings) useLocal() {
	u := e.u
	dir := u.configDir()
	cfg, err := client.LoadConfig(dir)
	if err != nil || cfg.Hub == "" && cfg.Axis == "" {
		return // already local
	}
	if cfg.Hub != "" {
		u.set.p.SetString(prefHubURL, cfg.Hub)
	}
	cfg.Hub, cfg.Axis = "", ""
	if err := client.SaveConfig(dir, cfg); err != nil {
		u.showError("exchange settings", err)
		return
	}
	u.log.Printf("exchange: use the local hub")
	u.desk.reopen()
}

// checkHub reads the hub address and agency the user typed.
func (e *exchangeSettings) checkHub() (url, code, name string, err error) {
	url = strings.TrimRight(strings.TrimSpace(e.HubURL.Text), "/")
	code = strings.ToUpper(strings.TrimSpace(e.Code.Text))
	name = strings.TrimSpace(e.Name.Text)
	if !strings.HasPrefix(url, "https://") || len(url) <= len("https://") {
		return "", "", "", &bridge.UsageError{Key: "gui.xset.bad_url", Args: []any{url}}
	}
	if !hub.ValidAgencyCode(code) {
		return "", "", "", &bridge.UsageError{Key: "enroll.bad_code", Args: []any{code}}
	}
	return url, code, name, nil
}

// makeRequest makes the connection key (kept on this machine) and the
// certificate request, and shows the request.
func (e *exchangeSettings) makeRequest() {
	u := e.u
	url, code, name, err := e.checkHub()
	if err != nil {
		u.showError("enroll", err)
		return
	}
	csr, err := client.Enroll(u.configDir(), url, code, name)
	if err != nil {
		u.showError("enroll", err)
		return
	}
	u.log.Printf("exchange: connection key and request made for %s at %s", code, url)
	e.csr = csr
	e.showState()
	e.showRequest()
}

// showRequest shows the certificate request to copy or save for the hub
// administrator.
func (e *exchangeSettings) showRequest() {
	u := e.u
	if len(e.csr) == 0 {
		u.showError("enroll", &bridge.UsageError{Key: "gui.xset.no_request"})
		return
	}
	text := widget.NewMultiLineEntry()
	text.SetText(string(e.csr))
	text.Wrapping = fyne.TextWrapOff
	text.SetMinRowsVisible(10)
	text.TextStyle = fyne.TextStyle{Monospace: true}
	note := widget.NewLabel(u.tr("gui.xset.request_note", filepath.Join(u.configDir(), client.FileKey)))
	note.Wrapping = fyne.TextWrapWord
	var d dialog.Dialog
	copyBtn := widget.NewButtonWithIcon(u.tr("gui.xset.copy"), theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(string(e.csr))
	})
	saveBtn := widget.NewButtonWithIcon(u.tr("gui.xset.save_request"), theme.DocumentSaveIcon(), func() { e.saveRequest() })
	closeBtn := widget.NewButton(u.tr("gui.close"), func() { d.Hide() })
	body := container.NewBorder(note, container.NewHBox(copyBtn, saveBtn, closeBtn), nil, nil, text)
	d = dialog.NewCustomWithoutButtons(u.tr("gui.xset.request_title"), body, u.win)
	d.Resize(fyne.NewSize(700, 460))
	e.request = d
	d.Show()
}

func (e *exchangeSettings) saveRequest() {
	u := e.u
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		if err := e.writeRequest(path); err != nil {
			u.showError("enroll", err)
		}
	}, u.win)
	d.SetFileName(strings.ToLower(bridge.SafeName(strings.ToUpper(e.Code.Text))) + ".csr")
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// writeRequest saves the request as path (atomically).
func (e *exchangeSettings) writeRequest(path string) error {
	return fsutil.WriteFile(path, e.csr, 0o644)
}

func (e *exchangeSettings) installDialog() {
	u := e.u
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		e.installFile(path)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// installFile installs the bundle the hub administrator returned and
// connects to the hub.
func (e *exchangeSettings) installFile(path string) {
	u := e.u
	raw, err := os.ReadFile(path)
	if err != nil {
		u.showError("enroll", err)
		return
	}
	cert, err := client.Install(u.configDir(), raw)
	if err != nil {
		u.showError("enroll", err)
		return
	}
	u.log.Printf("exchange: certificate %s installed for %s", hub.SerialHex(cert), cert.Subject.CommonName)
	e.showState()
	e.useHub()
}

// useHub connects to the configured hub.
func (e *exchangeSettings) useHub() {
	u := e.u
	url, code, name, err := e.checkHub()
	if err != nil {
		u.showError("exchange settings", err)
		return
	}
	dir := u.configDir()
	cfg, err := client.LoadConfig(dir)
	if err != nil || cfg.Agency != code {
		u.showError("exchange settings", &bridge.UsageError{Key: "gui.xset.enroll_first", Args: []any{code}})
		return
	}
	if _, _, err := client.LoadTLS(dir); err != nil {
		u.showError("exchange settings", err)
		return
	}
	cfg.Hub, cfg.Axis = url, ""
	if name != "" {
		cfg.AgencyName = name
	}
	if err := client.SaveConfig(dir, cfg); err != nil {
		u.showError("exchange settings", err)
		return
	}
	u.log.Printf("exchange: use the hub %s as %s", url, code)
	u.desk.reopen()
	e.showState()
}

// useAxis connects to a national axis document service (the national
// axis, a provincial platform, or a hub's axis door) with the system ID and
// secret its operator gave.
func (e *exchangeSettings) useAxis() {
	u := e.u
	code := strings.ToUpper(strings.TrimSpace(e.Code.Text))
	if code == "" {
		code = strings.TrimSpace(e.SystemID.Text)
	}
	if !hub.ValidAgencyCode(code) {
		u.showError("exchange settings", &bridge.UsageError{Key: "enroll.bad_code", Args: []any{code}})
		return
	}
	if e.Secret.Text == "" {
		u.showError("exchange settings", &bridge.UsageError{Key: "gui.xset.need_secret"})
		return
	}
	err := axisclient.Enroll(u.configDir(), axisclient.EnrollOptions{Endpoint: e.AxisURL.Text, SystemID: e.SystemID.Text,
		Secret: []byte(e.Secret.Text), Agency: code, AgencyName: strings.TrimSpace(e.Name.Text)})
	if err != nil {
		u.showError("exchange settings", err)
		return
	}
	e.Secret.SetText("")
	u.log.Printf("exchange: use the axis service %s as %s", strings.TrimSpace(e.AxisURL.Text), code)
	u.desk.reopen()
	e.showState()
}

// showState says where the installation stands.
func (e *exchangeSettings) showState() {
	u := e.u
	switch e.mode() {
	case modeLocal:
		e.State.SetText(u.tr("gui.xset.state.local"))
		return
	case modeAxis:
		if cfg, err := client.LoadConfig(u.configDir()); err == nil && cfg.Axis != "" {
			e.State.SetText(u.tr("gui.xset.state.axis", cfg.Axis, cfg.SystemID, cfg.Agency))
		} else {
			e.State.SetText(u.tr("gui.xset.state.axis_none"))
		}
		return
	}
	dir := u.configDir()
	cert, err := installedCert(dir)
	switch {
	case err == nil:
		e.State.SetText(u.tr("gui.xset.state.enrolled", cert.Subject.CommonName, hub.SerialHex(cert), cert.NotAfter.Local().Format("02/01/2006")))
	case len(e.csr) > 0:
		e.State.SetText(u.tr("gui.xset.state.requested"))
	default:
		e.State.SetText(u.tr("gui.xset.state.none"))
	}
}

// installedCert is the connection certificate installed in dir.
func installedCert(dir string) (*x509.Certificate, error) {
	raw, err := os.ReadFile(filepath.Join(dir, client.FileCert))
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, client.ErrBadConfig
	}
	return x509.ParseCertificate(b.Bytes)
}

// deskChanged shows the agency the window acts as.
func (e *exchangeSettings) deskChanged() {
	st := e.u.desk.State
	if !st.Open || !st.Local {
		return
	}
	for _, o := range e.LocalAgency.Options {
		if strings.HasPrefix(o, st.Agency.Code+" — ") && e.LocalAgency.Selected != o {
			e.LocalAgency.SetSelected(o)
		}
	}
}
