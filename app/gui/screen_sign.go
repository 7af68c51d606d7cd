package gui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/render"
	"github.com/vanthu/vanthu/signing/roles"
)

// rolePlain is the Sign screen's choice for a signature outside the
// Nghị định 30 roles.
const rolePlain = "plain"

// signRoles are the choices of the role selector, in signing order.
var signRoles = []string{string(roles.Review), string(roles.Approve), string(roles.Issue), string(roles.Attachment), string(roles.Copy), rolePlain}

// outSuffix names the signed copy by what was done to it.
var outSuffix = map[string]string{
	string(roles.Review): "ra-soat", string(roles.Approve): "ky-duyet", string(roles.Issue): "ban-hanh",
	string(roles.Attachment): "dinh-kem", string(roles.Copy): "ban-sao", rolePlain: "da-ky",
}

// signScreen is "Ký số": the documents, the preview with the placement,
// the role and its fields, the certificate, and the batch run.
type signScreen struct {
	u       *ui
	content fyne.CanvasObject

	Files      *widget.List
	Open       *widget.Button
	Clear      *widget.Button
	Preview    *preview
	Role       *widget.Select
	Number     *widget.Entry
	Date       *widget.Entry
	SealMM     *widget.Entry
	CopyKind   *widget.Select
	Org        *widget.Entry
	Title      *widget.Entry
	Found      *widget.Label
	Cert       *widget.Select
	CertInfo   *widget.Label
	RefreshCrt *widget.Button
	Level      *widget.Select
	SignBtn    *widget.Button
	CancelBtn  *widget.Button
	Progress   *widget.ProgressBar
	Status     *widget.Label
	Results    *fyne.Container

	files    []string
	selected int
	roleKey  string
	fields   *fyne.Container
	choices  []bridge.CertChoice
	manual   map[string]*manualPlace // per file: the box the user drew
	planGen  int
	running  bool
	cancelFn context.CancelFunc
	results  []signResult
	pins     *pinAsker
}

// manualPlace is a box the user drew or moved on a page.
type manualPlace struct {
	Page int
	Box  render.Box
}

// signResult is one file of a finished run.
type signResult struct {
	In, Out string
	Err     error
	Report  *roles.Report
}

func newSignScreen(u *ui) *signScreen {
	s := &signScreen{u: u, selected: -1, manual: map[string]*manualPlace{}}
	s.pins = &pinAsker{u: u}
	s.Preview = newPreview(u)
	s.Preview.onBox = s.boxEdited
	s.Files = widget.NewList(func() int { return len(s.files) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(filepath.Base(s.files[i])) })
	s.Files.OnSelected = func(i widget.ListItemID) { s.selectFile(i) }
	s.Open = widget.NewButtonWithIcon(u.tr("gui.sign.open"), theme.FolderOpenIcon(), s.openDialog)
	s.Clear = widget.NewButtonWithIcon(u.tr("gui.sign.clear"), theme.ContentClearIcon(), s.clearFiles)

	labels := make([]string, len(signRoles))
	for i, r := range signRoles {
		labels[i] = u.tr("gui.role." + r)
	}
	s.Role = widget.NewSelect(labels, func(l string) {
		for i, x := range labels {
			if x == l {
				s.setRole(signRoles[i])
			}
		}
	})
	s.Number = widget.NewEntry()
	s.Number.SetPlaceHolder("123/UBND-VP")
	s.Date = widget.NewEntry()
	s.Date.SetText(time.Now().In(roles.Vietnam).Format(time.DateOnly))
	s.SealMM = widget.NewEntry()
	s.SealMM.SetText("36")
	s.CopyKind = widget.NewSelect([]string{string(roles.CopySaoY), string(roles.CopySaoLuc), string(roles.CopyTrichSao)}, nil)
	s.CopyKind.SetSelected(string(roles.CopySaoY))
	s.Org = widget.NewEntry()
	s.Org.SetPlaceHolder(u.tr("gui.sign.org_default"))
	s.Title = widget.NewEntry()
	s.Title.SetPlaceHolder(u.tr("gui.sign.title_default"))
	for _, e := range []*widget.Entry{s.Number, s.Date, s.SealMM, s.Org} {
		e.OnSubmitted = func(string) { s.replan() }
	}
	s.Date.OnChanged = func(string) {}
	s.fields = container.NewVBox()
	s.Found = widget.NewLabel("")
	s.Found.Wrapping = fyne.TextWrapWord

	s.Cert = widget.NewSelect(nil, func(string) { s.certChanged() })
	s.Cert.PlaceHolder = u.tr("gui.sign.cert_none")
	s.CertInfo = widget.NewLabel("")
	s.CertInfo.Wrapping = fyne.TextWrapWord
	s.RefreshCrt = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), func() { s.refreshCerts(nil) })
	s.Level = widget.NewSelect([]string{string(pades.LevelBB), string(pades.LevelBT), string(pades.LevelBLT), string(pades.LevelBLTA)},
		func(v string) { u.set.SetLevel(v) })
	s.Level.SetSelected(u.set.Level())

	s.SignBtn = widget.NewButtonWithIcon(u.tr("gui.sign.sign"), theme.DocumentCreateIcon(), s.sign)
	s.SignBtn.Importance = widget.HighImportance
	s.CancelBtn = widget.NewButtonWithIcon(u.tr("gui.cancel"), theme.CancelIcon(), s.cancel)
	s.CancelBtn.Disable()
	s.Progress = widget.NewProgressBar()
	s.Status = widget.NewLabel("")
	s.Status.Wrapping = fyne.TextWrapWord
	s.Results = container.NewVBox()

	form := container.NewVBox(
		heading(u.tr("gui.sign.documents")),
		container.NewHBox(s.Open, s.Clear),
		container.NewGridWrap(fyne.NewSize(330, 76), s.Files),
		heading(u.tr("gui.sign.role")), s.Role, s.fields, s.Found,
		heading(u.tr("gui.sign.certificate")), container.NewBorder(nil, nil, nil, s.RefreshCrt, s.Cert), s.CertInfo,
		container.NewHBox(widget.NewLabel(u.tr("gui.sign.level")), s.Level),
	)
	// The run (buttons, progress, results) stays in view below the form.
	results := container.NewVScroll(s.Results)
	results.SetMinSize(fyne.NewSize(330, 120))
	run := container.NewVBox(widget.NewSeparator(), container.NewHBox(s.SignBtn, s.CancelBtn), s.Progress, s.Status)
	formScroll := container.NewVScroll(container.NewPadded(form))
	left := container.NewBorder(nil, container.NewPadded(container.NewBorder(run, nil, nil, nil, results)), nil, nil, formScroll)
	split := container.NewHSplit(left, s.Preview.content)
	split.Offset = 0.33
	s.content = split
	s.Role.SetSelectedIndex(1) // approve: the competent person's signature
	s.updateSign()
	return s
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// setRole shows the fields of the role.
func (s *signScreen) setRole(r string) {
	s.roleKey = r
	u := s.u
	row := func(label string, w fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, nil, widget.NewLabel(label), nil, w)
	}
	var items []fyne.CanvasObject
	switch roles.Role(r) {
	case roles.Review:
		items = append(items, row(u.tr("gui.sign.field.title"), s.Title))
	case roles.Issue:
		items = append(items, row(u.tr("gui.sign.field.number"), s.Number), row(u.tr("gui.sign.field.date"), s.Date),
			row(u.tr("gui.sign.field.seal_mm"), s.SealMM))
	case roles.Attachment:
		items = append(items, row(u.tr("gui.sign.field.number"), s.Number), row(u.tr("gui.sign.field.org"), s.Org))
	case roles.Copy:
		items = append(items, row(u.tr("gui.sign.field.copy_kind"), s.CopyKind), row(u.tr("gui.sign.field.org"), s.Org))
	}
	s.fields.Objects = items
	s.fields.Refresh()
	s.pickCertForRole()
	s.replan()
}

// pickCertForRole selects a matching certificate: the organisation's for
// issue, attachment and copy; a person's for review and approve.
func (s *signScreen) pickCertForRole() {
	wantOrg := s.roleKey == string(roles.Issue) || s.roleKey == string(roles.Attachment) || s.roleKey == string(roles.Copy)
	if s.roleKey == rolePlain || len(s.choices) == 0 {
		return
	}
	if c := s.choice(); c != nil && c.Organisation == wantOrg {
		return
	}
	for i, c := range s.choices {
		if c.Organisation == wantOrg && c.ValidAt(time.Now()) {
			s.Cert.SetSelectedIndex(i)
			return
		}
	}
}

// openDialog lets the user pick a PDF.
func (s *signScreen) openDialog() {
	openPDFDialog(s.u, func(path string) { s.addFiles([]string{path}) })
}

// openPDFDialog shows the file dialog in the last folder used.
func openPDFDialog(u *ui, onFile func(string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		u.set.SetLastOpenDir(filepath.Dir(path))
		onFile(path)
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".PDF"}))
	if dir := u.set.LastOpenDir(); dir != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// addFiles adds PDFs to the list and shows the first new one.
func (s *signScreen) addFiles(paths []string) {
	first := -1
	for _, p := range paths {
		if !strings.EqualFold(filepath.Ext(p), ".pdf") {
			continue
		}
		dup := false
		for _, f := range s.files {
			dup = dup || f == p
		}
		if dup {
			continue
		}
		s.files = append(s.files, p)
		if first < 0 {
			first = len(s.files) - 1
		}
	}
	s.Files.Refresh()
	if first >= 0 {
		s.Files.Select(first)
	}
	s.updateSign()
}

func (s *signScreen) clearFiles() {
	if s.running {
		return
	}
	s.files, s.selected, s.manual = nil, -1, map[string]*manualPlace{}
	s.Files.UnselectAll()
	s.Files.Refresh()
	s.Preview.close()
	s.Preview.open("", 0)
	s.Found.SetText("")
	s.updateSign()
}

func (s *signScreen) selectFile(i int) {
	if i < 0 || i >= len(s.files) {
		return
	}
	s.selected = i
	s.Preview.open(s.files[i], 0)
	s.replan()
}

// refreshCerts lists the certificates (no login) in a goroutine; then runs
// after on the UI thread.
func (s *signScreen) refreshCerts(after func()) {
	s.CertInfo.SetText(s.u.tr("gui.sign.cert_reading"))
	s.RefreshCrt.Disable()
	u := s.u
	s.u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		choices, mods := bridge.Certificates(ctx, u.set.Module(), u.dataDir(), u.cfg.Getenv)
		for _, m := range mods {
			if m.Err != nil {
				u.log.Printf("token module %s: %v", m.Path, m.Err)
			}
		}
		uiDo(func() {
			s.setChoices(choices)
			s.RefreshCrt.Enable()
			u.Settings.setModules(mods)
			if after != nil {
				after()
			}
		})
	})
}

// setChoices fills the certificate chooser, keeping the remembered one.
func (s *signScreen) setChoices(cs []bridge.CertChoice) {
	s.choices = cs
	opts := make([]string, len(cs))
	last, pick := s.u.set.LastCert(), -1
	for i, c := range cs {
		opts[i] = s.certLabel(c)
		if selKey(c) == last {
			pick = i
		}
	}
	s.Cert.Options = opts
	s.Cert.ClearSelected()
	if len(cs) == 0 {
		s.CertInfo.SetText(s.u.tr("gui.sign.cert_none_found"))
		s.Cert.Refresh()
		s.updateSign()
		return
	}
	if pick >= 0 {
		s.Cert.SetSelectedIndex(pick)
	} else {
		s.Cert.SetSelectedIndex(0)
		s.pickCertForRole()
	}
	s.Cert.Refresh()
}

func selKey(c bridge.CertChoice) string {
	return c.Sel.Module + "|" + c.Sel.Token + "|" + c.Sel.Cert
}

// certLabel is the chooser's line for a certificate.
func (s *signScreen) certLabel(c bridge.CertChoice) string {
	kind := s.u.tr("gui.cert.personal")
	if c.Organisation {
		kind = s.u.tr("gui.cert.organisation")
	}
	l := fmt.Sprintf("%s — %s", c.Cert.Subject.CommonName, kind)
	if c.Demo {
		l += " — " + s.u.tr("gui.cert.demo")
	}
	return l
}

// choice is the selected certificate.
func (s *signScreen) choice() *bridge.CertChoice {
	i := s.Cert.SelectedIndex()
	if i < 0 || i >= len(s.choices) {
		return nil
	}
	return &s.choices[i]
}

// certChanged shows the chosen certificate's details and replans.
func (s *signScreen) certChanged() {
	c := s.choice()
	if c == nil {
		s.CertInfo.SetText("")
		s.updateSign()
		return
	}
	s.u.set.SetLastCert(selKey(*c))
	s.CertInfo.SetText(certDetails(s.u, *c))
	s.updateSign()
	s.replan()
}

// certDetails: validity, issuer, where it is, the PIN state.
func certDetails(u *ui, c bridge.CertChoice) string {
	var b strings.Builder
	now := time.Now()
	if c.ValidAt(now) {
		fmt.Fprintf(&b, "%s\n", u.tr("gui.cert.valid_until", c.Cert.NotAfter.Local().Format("02/01/2006")))
	} else {
		fmt.Fprintf(&b, "%s\n", u.tr("gui.cert.not_valid", c.Cert.NotBefore.Local().Format("02/01/2006"), c.Cert.NotAfter.Local().Format("02/01/2006")))
	}
	if len(c.Cert.Subject.Organization) > 0 {
		fmt.Fprintf(&b, "%s\n", c.Cert.Subject.Organization[0])
	}
	fmt.Fprintf(&b, "%s\n", u.tr("gui.cert.issuer", c.Cert.Issuer.CommonName))
	fmt.Fprintf(&b, "%s\n", u.tr("gui.cert.token", c.Token.Label))
	if w := i18n.PINWarning(u.lang, c.Token.Flags); w != "" {
		fmt.Fprintf(&b, "⚠ %s\n", w)
	} else {
		fmt.Fprintf(&b, "%s\n", u.tr("gui.cert.pin_ok"))
	}
	if c.Demo {
		fmt.Fprintf(&b, "%s", u.tr("gui.cert.demo_warning"))
	}
	return strings.TrimSpace(b.String())
}

func (s *signScreen) updateSign() {
	if s.running || len(s.files) == 0 || s.choice() == nil {
		s.SignBtn.Disable()
		return
	}
	s.SignBtn.Enable()
}

// request builds the role request of one file from the screen's fields.
func (s *signScreen) request(in string, c *bridge.CertChoice) (*bridge.RoleRequest, error) {
	u := s.u
	lv, tsa, err := bridge.Level(s.Level.Selected, u.set.TSA(), u.cfg.Getenv)
	if err != nil {
		return nil, err
	}
	req := &bridge.RoleRequest{Role: roles.Role(s.roleKey), In: in, Out: outputPath(in, s.roleKey), Level: lv, TSAURL: tsa,
		Timeout: 30 * time.Second, DataDir: u.dataDir(), Place: roles.Place{Auto: true}, Online: u.set.Online(),
		Number: strings.TrimSpace(s.Number.Text), Org: strings.TrimSpace(s.Org.Text), Title: strings.TrimSpace(s.Title.Text)}
	switch req.Role {
	case roles.Issue:
		mm, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s.SealMM.Text), ",", "."), 64)
		if err != nil || mm <= 0 {
			return nil, &bridge.UsageError{Key: "sign.role.need_seal_mm"}
		}
		req.SealMM = mm
		if t := strings.TrimSpace(s.Date.Text); t != "" {
			d, err := time.ParseInLocation(time.DateOnly, t, roles.Vietnam)
			if err != nil {
				return nil, &bridge.UsageError{Key: "sign.role.bad_date", Args: []any{t}}
			}
			req.Date = d
		}
		ts, err := bridge.LoadTrust(context.Background(), nil, filepath.Join(u.dataDir(), "trust"), false)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", bridge.ErrTrust, err)
		}
		req.Trust = ts
	case roles.Copy:
		req.CopyKind = roles.CopyKind(s.CopyKind.Selected)
	}
	if m := s.manual[in]; m != nil {
		req.Place = roles.Place{Page: m.Page}
	}
	return req, nil
}

// outputPath is where the signed copy of in goes: next to it, named by
// the role ("cong-van-ky-duyet.pdf"), never over an existing file.
func outputPath(in, role string) string {
	dir, base := filepath.Split(in)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	for _, suf := range outSuffix {
		base = strings.TrimSuffix(base, "-"+suf)
	}
	out := filepath.Join(dir, base+"-"+outSuffix[role]+".pdf")
	for i := 2; ; i++ {
		if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
			return out
		}
		out = filepath.Join(dir, fmt.Sprintf("%s-%s-%d.pdf", base, outSuffix[role], i))
	}
}

// replan works out where the current file's signature goes and shows it.
func (s *signScreen) replan() {
	s.planGen++
	gen := s.planGen
	s.Found.SetText("")
	s.Preview.setEdit(0, nil)
	s.Preview.clearMarks()
	c := s.choice()
	if s.selected < 0 || s.selected >= len(s.files) || c == nil || s.roleKey == "" {
		return
	}
	in := s.files[s.selected]
	if s.roleKey == rolePlain {
		s.Found.SetText(s.u.tr("gui.sign.plain_hint"))
		if m := s.manual[in]; m != nil {
			s.Preview.setEdit(m.Page, &m.Box)
		}
		return
	}
	if roles.Role(s.roleKey) == roles.Review {
		s.Found.SetText(s.u.tr("gui.sign.review_hint"))
		return
	}
	if m := s.manual[in]; m != nil {
		s.Found.SetText(s.u.tr("gui.sign.found_manual", m.Page))
		s.Preview.setEdit(m.Page, &m.Box)
		s.Preview.show(m.Page)
		return
	}
	req, err := s.request(in, c)
	if err != nil {
		msg, _ := s.u.explain(s.roleKey, err)
		s.Found.SetText(msg)
		return
	}
	choice := *c
	s.Found.SetText(s.u.tr("gui.sign.finding"))
	s.u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var root = choice.Chain[len(choice.Chain)-1]
		rep, err := bridge.PlanRole(ctx, req, choice.Chain, choice.Demo, root)
		var boxes []render.Box
		var pages []int
		if err == nil {
			boxes, pages = s.planBoxes(ctx, in, rep)
		}
		uiDo(func() {
			if gen != s.planGen {
				return
			}
			if err != nil {
				msg, hint := s.u.explain(s.roleKey, err)
				if hint != "" {
					msg += "\n" + hint
				}
				s.Found.SetText(msg)
				return
			}
			s.showPlan(rep, boxes, pages)
		})
	})
}

// planBoxes converts the plan's placements to boxes on the preview's pages.
func (s *signScreen) planBoxes(ctx context.Context, in string, rep *roles.Report) ([]render.Box, []int) {
	d := s.Preview.waitDocument(ctx, in)
	var boxes []render.Box
	var pages []int
	for _, pl := range []*roles.Placement{rep.Placement, rep.Number, rep.Date} {
		if pl == nil || d == nil {
			boxes = append(boxes, render.Box{})
			pages = append(pages, 0)
			continue
		}
		b, err := d.ToBox(ctx, pl.Page, render.Rect{X: pl.Rect.X, Y: pl.Rect.Y, W: pl.Rect.W, H: pl.Rect.H})
		if err != nil {
			b, pl = render.Box{}, &roles.Placement{}
		}
		boxes = append(boxes, b)
		pages = append(pages, pl.Page)
	}
	return boxes, pages
}

// showPlan says what was found and draws the boxes.
func (s *signScreen) showPlan(rep *roles.Report, boxes []render.Box, pages []int) {
	var lines []string
	if pl := rep.Placement; pl != nil {
		switch {
		case pl.How == roles.HowAuto && rep.Role == roles.Issue:
			lines = append(lines, s.u.tr("gui.sign.found_seal", pl.Page))
		case pl.How == roles.HowAuto:
			lines = append(lines, s.u.tr("gui.sign.found", pl.Found, pl.Page))
		case pl.How == roles.HowFallback:
			lines = append(lines, s.u.tr("gui.sign.found_fallback", pl.Reason))
		}
	}
	for _, pl := range []*roles.Placement{rep.Number, rep.Date} {
		if pl != nil && pl.Text != "" {
			lines = append(lines, s.u.tr("gui.sign.will_write", pl.Text, pl.Page))
		}
	}
	if rep.Approval != nil {
		lines = append(lines, s.u.tr("gui.sign.approval_ok", rep.Approval.Signer))
	}
	for _, w := range rep.Warnings {
		lines = append(lines, "⚠ "+s.u.tr("sign.role.warn."+w.Code, s.u.tr("image.ink."+w.Arg)))
	}
	if rep.Placement != nil {
		lines = append(lines, s.u.tr("gui.sign.drag_hint"))
	}
	s.Found.SetText(strings.Join(lines, "\n"))
	s.u.log.Printf("plan %s for %s: %s", rep.Role, filepath.Base(s.files[s.selected]), strings.ReplaceAll(s.Found.Text, "\n", " | "))
	if len(pages) > 0 && pages[0] > 0 {
		b := boxes[0]
		s.Preview.setEdit(pages[0], &b)
		s.Preview.show(pages[0])
	}
	for i := 1; i < len(pages); i++ {
		if pages[i] > 0 {
			s.Preview.setMarks(pages[i], append(s.Preview.marks[pages[i]], mark{Box: boxes[i], Color: colSelected}))
		}
	}
}

// boxEdited: the user moved or drew the signature's box.
func (s *signScreen) boxEdited(page int, b render.Box) {
	if s.selected < 0 || s.roleKey == string(roles.Review) {
		s.Preview.setEdit(0, nil)
		return
	}
	s.manual[s.files[s.selected]] = &manualPlace{Page: page, Box: b}
	s.Found.SetText(s.u.tr("gui.sign.found_manual", page))
}

// sign signs every listed file in the chosen role with one login, in a
// goroutine: progress per file, cancel between and during files (a
// cancelled file leaves nothing behind).
func (s *signScreen) sign() {
	c := s.choice()
	if s.running || len(s.files) == 0 || c == nil {
		return
	}
	files := append([]string(nil), s.files...)
	var reqs []*bridge.RoleRequest
	for _, f := range files {
		req, err := s.request(f, c)
		if err != nil {
			s.u.showError("sign", err)
			return
		}
		reqs = append(reqs, req)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.running, s.cancelFn = true, cancel
	s.SignBtn.Disable()
	s.CancelBtn.Enable()
	s.Progress.SetValue(0)
	s.Results.RemoveAll()
	s.results = nil
	s.Status.SetText(s.u.tr("gui.sign.opening_token"))
	choice := *c
	role := s.roleKey
	manual := map[string]*manualPlace{}
	for k, v := range s.manual {
		manual[k] = v
	}
	s.u.bg.Go(func() { s.run(ctx, choice, role, reqs, manual) })
}

// run is the sign run off the UI thread.
func (s *signScreen) run(ctx context.Context, c bridge.CertChoice, role string, reqs []*bridge.RoleRequest, manual map[string]*manualPlace) {
	u := s.u
	defer uiDo(func() {
		s.running = false
		s.cancelFn = nil
		s.CancelBtn.Disable()
		s.updateSign()
	})
	signer, err := bridge.OpenSigner(ctx, c.Sel, s.pins.unlock(), bridge.OpenOptions{
		DataDir: u.dataDir(), Getenv: u.cfg.Getenv, TrustDir: filepath.Join(u.dataDir(), "trust"),
		Warnf: func(key string, args ...any) {
			msg := u.tr(key, args...)
			u.log.Printf("sign: %s", msg)
			uiDo(func() { s.Status.SetText("⚠ " + msg) })
		}})
	if err != nil {
		u.log.Printf("sign: open %s: %v", c.Sel.Module, err)
		uiDo(func() {
			msg, hint := u.explain(role, err)
			s.Status.SetText(strings.TrimSpace(msg + "\n" + hint))
			s.refreshCerts(nil) // the PIN state changed
		})
		return
	}
	defer signer.Close()
	total := len(reqs)
	var stop error // a token error that would fail every other file (a refused PIN, a pulled token)
	for i, req := range reqs {
		if ctx.Err() != nil {
			s.addResult(signResult{In: req.In, Err: ctx.Err()})
			continue
		}
		if stop != nil {
			s.addResult(signResult{In: req.In, Err: fmt.Errorf("%w: %w", pades.ErrBatchStopped, stop)})
			continue
		}
		uiDo(func() { s.Status.SetText(u.tr("gui.sign.signing", i+1, total, filepath.Base(req.In))) })
		res := signResult{In: req.In, Out: req.Out}
		if m := manual[req.In]; m != nil {
			if err := s.manualRect(ctx, req, m); err != nil {
				res.Err = err
				s.addResult(res)
				continue
			}
		}
		if role == rolePlain {
			res.Err = s.signPlain(ctx, signer, req)
		} else {
			res.Report, res.Err = bridge.SignRole(ctx, signer, req)
		}
		if res.Err != nil {
			u.log.Printf("sign %s as %s: %v", req.In, role, res.Err)
			if pades.StopsBatch(res.Err) {
				stop = res.Err
			}
		} else {
			u.log.Printf("signed %s as %s → %s", req.In, role, req.Out)
		}
		s.addResult(res)
		uiDo(func() { s.Progress.SetValue(float64(i+1) / float64(total)) })
	}
	uiDo(func() {
		ok := 0
		for _, r := range s.results {
			if r.Err == nil {
				ok++
			}
		}
		s.Status.SetText(u.tr("sign.summary", ok, total))
		s.refreshCerts(nil)
	})
}

// manualRect turns the drawn box into the request's place (or, for a
// plain signature, its visible rectangle).
func (s *signScreen) manualRect(ctx context.Context, req *bridge.RoleRequest, m *manualPlace) error {
	r, err := s.u.renderer(ctx)
	if err != nil {
		return err
	}
	f, err := os.Open(req.In)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	d, err := r.OpenReader(ctx, f, st.Size())
	if err != nil {
		return err
	}
	defer d.Close()
	rect, err := d.FromBox(ctx, m.Page, m.Box)
	if err != nil {
		return err
	}
	ar := appearance.Rect{X: rect.X, Y: rect.Y, W: rect.W, H: rect.H}
	req.Place = roles.Place{Page: m.Page, Rect: &ar}
	return nil
}

// signPlain signs one file outside the roles (visible when a box was
// drawn).
func (s *signScreen) signPlain(ctx context.Context, signer *bridge.Signer, req *bridge.RoleRequest) error {
	pr := bridge.PlainRequest{Jobs: []pades.Job{{In: req.In, Out: req.Out}}, Level: req.Level, TSAURL: req.TSAURL,
		Timeout: req.Timeout, Lang: s.u.lang}
	if req.Place.Rect != nil {
		pr.Visible = &bridge.Visible{Page: req.Place.Page, Rect: *req.Place.Rect}
	}
	res := bridge.SignPlain(ctx, signer, pr, nil)
	if err := res[0].Err; err != nil {
		var fe *pades.FileError
		if errors.As(err, &fe) {
			return fe.Err
		}
		return err
	}
	return nil
}

// addResult shows one finished file with its buttons.
func (s *signScreen) addResult(r signResult) {
	uiDo(func() {
		s.results = append(s.results, r)
		u := s.u
		if r.Err != nil {
			msg, hint := u.explain(s.roleKey, r.Err)
			if errors.Is(r.Err, context.Canceled) {
				msg, hint = u.tr("gui.sign.cancelled"), ""
			}
			l := widget.NewLabel("✗ " + filepath.Base(r.In) + ": " + strings.TrimSpace(msg+" "+hint))
			l.Wrapping = fyne.TextWrapWord
			s.Results.Add(l)
			return
		}
		l := widget.NewLabel("✓ " + filepath.Base(r.Out))
		l.Wrapping = fyne.TextWrapWord
		out := r.Out
		openBtn := widget.NewButtonWithIcon(u.tr("gui.sign.open_signed"), theme.FileIcon(), func() { u.openPath(out) })
		dirBtn := widget.NewButtonWithIcon(u.tr("gui.sign.show_folder"), theme.FolderIcon(), func() { u.openPath(filepath.Dir(out)) })
		verBtn := widget.NewButtonWithIcon(u.tr("gui.sign.verify_it"), theme.ConfirmIcon(), func() {
			u.Tabs.SelectIndex(1)
			u.Verify.addFiles([]string{out})
		})
		in := r.In
		nextBtn := widget.NewButtonWithIcon(u.tr("gui.sign.continue"), theme.MailForwardIcon(), func() { s.continueWith(in, out) })
		s.Results.Add(container.NewVBox(l, container.NewGridWithColumns(2, openBtn, dirBtn, verBtn, nextBtn)))
	})
}

// cancel stops the run (the file being signed is abandoned and leaves
// nothing behind; those done stay).
func (s *signScreen) cancel() {
	if s.cancelFn != nil {
		s.cancelFn()
		s.Status.SetText(s.u.tr("gui.sign.cancelling"))
	}
}

// continueLast (Ctrl+N) goes on with the last file signed.
func (s *signScreen) continueLast() {
	for i := len(s.results) - 1; i >= 0; i-- {
		if r := s.results[i]; r.Err == nil && r.Out != "" {
			s.continueWith(r.In, r.Out)
			return
		}
	}
}

// selectRole selects a role by key.
func (s *signScreen) selectRole(r string) {
	for i, x := range signRoles {
		if x == r {
			s.Role.SetSelectedIndex(i)
		}
	}
}

// continueWith replaces in by its signed copy out in the list, for the next
// signature of the order (approve, then issue).
func (s *signScreen) continueWith(in, out string) {
	// The next role of the order: review → approve → issue.
	switch roles.Role(s.roleKey) {
	case roles.Review:
		s.selectRole(string(roles.Approve))
	case roles.Approve:
		s.selectRole(string(roles.Issue))
	}
	for i, f := range s.files {
		if f == in {
			s.files[i] = out
			delete(s.manual, in)
			s.Files.Refresh()
			s.Files.Select(i)
			s.selectFile(i)
			return
		}
	}
	s.addFiles([]string{out})
}
