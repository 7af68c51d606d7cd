package gui

import (
	"context"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/render"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/verify"
)

// verifyScreen is "Kiểm tra": the files, each signature as a card in plain
// words, and the preview with each signature's widget outlined.
type verifyScreen struct {
	u       *ui
	content fyne.CanvasObject

	Open    *widget.Button
	Again   *widget.Button
	Files   *widget.List
	Summary *widget.Label
	Cards   *fyne.Container
	Preview *preview

	files    []string
	verdicts map[string]*bridge.Verdict
	selected int
	gen      int
	// widgets are the signature widgets found on each page of the file
	// shown, per signature index.
	widgets map[int][]sigWidget
}

// sigWidget is a signature's widget on a page.
type sigWidget struct {
	Page int
	Box  render.Box
}

// VerifiedCard is one signature's card (tests read it).
type VerifiedCard struct {
	Card   *widget.Card
	Status verify.Status
	Field  string
	Text   string
}

func newVerifyScreen(u *ui) *verifyScreen {
	v := &verifyScreen{u: u, verdicts: map[string]*bridge.Verdict{}, selected: -1, widgets: map[int][]sigWidget{}}
	v.Preview = newPreview(u)
	v.Open = widget.NewButtonWithIcon(u.tr("gui.verify.open"), theme.FolderOpenIcon(), v.openDialog)
	v.Again = widget.NewButtonWithIcon(u.tr("gui.verify.again"), theme.ViewRefreshIcon(), v.verifyAll)
	v.Files = widget.NewList(func() int { return len(v.files) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(v.fileLine(v.files[i]))
		})
	v.Files.OnSelected = func(i widget.ListItemID) { v.show(i) }
	v.Summary = widget.NewLabel(u.tr("gui.verify.drop"))
	v.Summary.Wrapping = fyne.TextWrapWord
	v.Cards = container.NewVBox()
	left := container.NewBorder(
		container.NewVBox(container.NewHBox(v.Open, v.Again), container.NewGridWrap(fyne.NewSize(400, 110), v.Files), v.Summary),
		nil, nil, nil, container.NewVScroll(v.Cards))
	split := container.NewHSplit(container.NewPadded(left), v.Preview.content)
	split.Offset = 0.4
	v.content = split
	return v
}

func (v *verifyScreen) openDialog() {
	openPDFDialog(v.u, func(p string) { v.addFiles([]string{p}) })
}

// fileLine is a file's line in the list: its verdict and name.
func (v *verifyScreen) fileLine(f string) string {
	vd := v.verdicts[f]
	switch {
	case vd == nil:
		return "… " + filepath.Base(f)
	case vd.OK():
		return "✓ " + filepath.Base(f)
	case vd.Result != nil && len(vd.Signatures) > 0 && allDemoValid(vd):
		return "◐ " + filepath.Base(f)
	}
	return "✗ " + filepath.Base(f)
}

func allDemoValid(vd *bridge.Verdict) bool {
	for i, s := range vd.Signatures {
		if s.Status != verify.StatusValid || !vd.Demo[i] {
			return false
		}
	}
	return true
}

// addFiles verifies the files and shows the first.
func (v *verifyScreen) addFiles(paths []string) {
	first := -1
	for _, p := range paths {
		if !strings.EqualFold(filepath.Ext(p), ".pdf") {
			continue
		}
		found := -1
		for i, f := range v.files {
			if f == p {
				found = i
			}
		}
		if found < 0 {
			v.files = append(v.files, p)
			found = len(v.files) - 1
		}
		delete(v.verdicts, p)
		if first < 0 {
			first = found
		}
	}
	v.Files.Refresh()
	for _, p := range paths {
		v.verifyFile(p)
	}
	if first >= 0 {
		v.Files.Select(first)
	}
}

// verifyAll verifies every listed file again.
func (v *verifyScreen) verifyAll() {
	for _, f := range v.files {
		delete(v.verdicts, f)
		v.verifyFile(f)
	}
	v.Files.Refresh()
	if v.selected >= 0 {
		v.show(v.selected)
	}
}

// verifyFile runs the verifier in a goroutine.
func (v *verifyScreen) verifyFile(path string) {
	u := v.u
	v.Summary.SetText(u.tr("gui.verify.checking", filepath.Base(path)))
	v.u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		vd, err := v.verify(ctx, path)
		if err != nil {
			u.log.Printf("verify %s: %v", path, err)
		}
		if vd != nil && vd.Result != nil {
			u.log.Printf("verified %s: %s, %d signatures, ok=%v", path, vd.Status, len(vd.Signatures), vd.OK())
		}
		uiDo(func() {
			if vd == nil {
				vd = &bridge.Verdict{}
			}
			if vd.Result == nil {
				vd.Result = &verify.Result{File: path, Status: verify.StatusInvalid, Problems: []verify.Problem{{Code: verify.CodePDFMalformed, Severity: "invalid"}}}
			}
			v.verdicts[path] = vd
			v.Files.Refresh()
			if v.selected >= 0 && v.selected < len(v.files) && v.files[v.selected] == path {
				v.show(v.selected)
			}
		})
	})
}

func (v *verifyScreen) verify(ctx context.Context, path string) (*bridge.Verdict, error) {
	u := v.u
	ts, err := bridge.LoadTrust(ctx, nil, filepath.Join(u.dataDir(), "trust"), false)
	if err != nil {
		return nil, err
	}
	opts := bridge.VerifyOptions{Verify: verify.Options{Trust: ts, Online: u.set.Online(), FetchTimeout: 10 * time.Second}}
	if st, err := demo.Open(u.dataDir()); err == nil {
		opts.DemoRoot = st.Root()
	}
	return bridge.Verify(ctx, path, opts)
}

// show displays file i: its cards and the preview.
func (v *verifyScreen) show(i int) {
	if i < 0 || i >= len(v.files) {
		return
	}
	v.selected = i
	path := v.files[i]
	if v.Preview.path != path {
		v.Preview.open(path, 0)
	}
	vd := v.verdicts[path]
	v.Cards.RemoveAll()
	if vd == nil {
		v.Summary.SetText(v.u.tr("gui.verify.checking", filepath.Base(path)))
		return
	}
	v.Summary.SetText(v.summary(vd))
	for _, c := range v.cards(vd) {
		v.Cards.Add(c.Card)
	}
	v.Cards.Refresh()
	v.gen++
	gen := v.gen
	v.u.bg.Go(func() { v.findWidgets(gen, path, vd) })
}

// summary is the file's verdict in one sentence.
func (v *verifyScreen) summary(vd *bridge.Verdict) string {
	u := v.u
	r := vd.Result
	n := 0
	for _, s := range r.Signatures {
		if s.Kind == verify.KindSignature {
			n++
		}
	}
	var parts []string
	switch {
	case vd.OK():
		parts = append(parts, u.tr("gui.verify.file_ok", n))
	case allDemoValid(vd) && n > 0:
		parts = append(parts, u.tr("gui.verify.file_demo", n))
	case n == 0:
		parts = append(parts, u.tr("gui.verify.file_none"))
	default:
		parts = append(parts, u.tr("gui.verify.file_bad", n))
	}
	for _, p := range r.Problems {
		parts = append(parts, "• "+v.problemText(p))
	}
	return strings.Join(parts, "\n")
}

// cards are the signature cards of a verdict.
func (v *verifyScreen) cards(vd *bridge.Verdict) []VerifiedCard {
	var out []VerifiedCard
	for i, s := range vd.Signatures {
		out = append(out, v.card(i, s, vd.Demo[i]))
	}
	return out
}

// card says in plain words who signed, for whom, in which role, when and
// how sure that time is, at what level, whether it is trusted (or why
// not), and what changed after it.
func (v *verifyScreen) card(i int, s verify.Signature, isDemo bool) VerifiedCard {
	u := v.u
	var lines []string
	add := func(key string, args ...any) { lines = append(lines, u.tr(key, args...)) }
	if s.Kind == verify.KindDocTimestamp {
		add("gui.verify.kind_doc_timestamp")
	} else {
		add("gui.verify.signer", dash(s.Signer))
		if c := s.SignerCert; c != nil {
			if len(c.Subject.Organization) > 0 {
				add("gui.verify.org", c.Subject.Organization[0])
			}
			kind := u.tr("gui.cert.personal")
			if bridge.IsOrganisation(c) {
				kind = u.tr("gui.cert.organisation")
			}
			add("gui.verify.cert_kind", kind, c.Issuer.CommonName)
		}
		add("gui.verify.role", u.tr("gui.verify.role."+roleOfField(s.Field)), s.Field)
	}
	switch s.SigningTimeSource {
	case verify.TimeFromTimestamp:
		add("gui.verify.time_proven", s.SigningTime.Local().Format("15:04:05 02/01/2006"))
	case verify.TimeClaimed:
		add("gui.verify.time_claimed", s.SigningTime.Local().Format("15:04:05 02/01/2006"))
	default:
		add("gui.verify.time_none")
	}
	add("gui.verify.level", string(s.Level))
	switch {
	case isDemo:
		add("gui.verify.demo")
	case s.Trusted:
		add("gui.verify.trusted")
	default:
		add("gui.verify.untrusted")
	}
	add("gui.verify.after." + string(s.ModifiedAfter))
	seen := map[string]bool{}
	for _, p := range s.Problems {
		if p.Severity == "info" && p.Code == verify.CodeModifiedAllowed {
			continue
		}
		t := v.problemText(p)
		if seen[t] || (isDemo && p.Code == verify.CodeChainUntrusted) {
			continue
		}
		seen[t] = true
		lines = append(lines, "• "+t)
	}
	status := u.tr("verify.status." + string(s.Status))
	if isDemo && s.Status == verify.StatusValid {
		status = u.tr("gui.verify.status_demo")
	}
	title := fmt.Sprintf("%d. %s", i+1, status)
	text := strings.Join(lines, "\n")
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	head := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapWord
	showBtn := widget.NewButtonWithIcon(u.tr("gui.verify.show"), theme.VisibilityIcon(), func() { v.highlight(i) })
	bar := canvas.NewRectangle(statusColor(s.Status, isDemo))
	bar.SetMinSize(fyne.NewSize(6, 10))
	card := widget.NewCard("", "", container.NewBorder(nil, nil, bar, nil, container.NewVBox(head, body, container.NewHBox(showBtn))))
	return VerifiedCard{Card: card, Status: s.Status, Field: s.Field, Text: title + "\n" + text}
}

func statusColor(s verify.Status, isDemo bool) color.Color {
	switch {
	case isDemo:
		return colDemo
	case s == verify.StatusValid:
		return colValid
	}
	return colProblem
}

// roleOfField reads the role from a field name ("Approve1" → approve).
func roleOfField(field string) string {
	f := strings.ToLower(field)
	for _, r := range roles.Roles {
		if strings.HasPrefix(f, string(r)) {
			return string(r)
		}
	}
	return "other"
}

func dash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// problemText renders a verifier problem like the CLI does.
func (v *verifyScreen) problemText(p verify.Problem) string { return i18n.Problem(v.u.lang, p) }

// findWidgets locates each signature's widget on the pages (named widgets
// by their field; the unnamed kid widgets of a multi-widget field, such as
// the issue signature's seal, number and date, go to the one signature
// without a named widget) and outlines them on the preview.
func (v *verifyScreen) findWidgets(gen int, path string, vd *bridge.Verdict) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d := v.Preview.waitDocument(ctx, path)
	if d == nil {
		return
	}
	byField := map[string]int{}
	for i, s := range vd.Signatures {
		byField[s.Field] = i
	}
	found := map[int][]sigWidget{}
	var unnamed []sigWidget
	for p := 1; p <= d.Pages() && p <= 500; p++ {
		ws, err := d.Widgets(ctx, p)
		if err != nil {
			v.u.log.Printf("widgets of %s page %d: %v", path, p, err)
			continue
		}
		for _, w := range ws {
			if i, ok := byField[w.Field]; ok && w.Field != "" {
				found[i] = append(found[i], sigWidget{Page: p, Box: w.Box})
			} else if w.Field == "" && w.Box.W > 0 {
				unnamed = append(unnamed, sigWidget{Page: p, Box: w.Box})
			}
		}
	}
	var without []int
	for i := range vd.Signatures {
		if len(found[i]) == 0 {
			without = append(without, i)
		}
	}
	if len(without) == 1 {
		found[without[0]] = unnamed
	}
	uiDo(func() {
		if gen != v.gen {
			return
		}
		v.widgets = found
		v.drawMarks(-1)
		v.u.log.Printf("widgets of %s: %d signatures outlined", filepath.Base(path), len(found))
	})
}

// drawMarks outlines every signature's widgets, the selected one in its
// own colour.
func (v *verifyScreen) drawMarks(selected int) {
	vd := v.verdicts[v.files[v.selected]]
	byPage := map[int][]mark{}
	for i, ws := range v.widgets {
		col := statusColor(vd.Signatures[i].Status, vd.Demo[i])
		if i == selected {
			col = colSelected
		}
		for _, w := range ws {
			byPage[w.Page] = append(byPage[w.Page], mark{Box: w.Box, Color: col})
		}
	}
	v.Preview.clearMarks()
	for p, ms := range byPage {
		v.Preview.setMarks(p, ms)
	}
}

// highlight shows signature i's widget.
func (v *verifyScreen) highlight(i int) {
	v.drawMarks(i)
	if ws := v.widgets[i]; len(ws) > 0 {
		v.Preview.show(ws[0].Page)
	}
}
