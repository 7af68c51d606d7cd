package gui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/verify"
)

// docTypes are the document types offered (the user may type another).
var docTypes = []string{"Công văn", "Quyết định", "Thông báo", "Tờ trình", "Báo cáo", "Kế hoạch", "Giấy mời", "Chỉ thị", "Nghị quyết", "Hướng dẫn"}

// sendScreen is "Gửi văn bản": the signed documents to send, each with its
// edXML header (prefilled from what its signatures record), the
// recipients from the hub's directory, and the batch send with progress
// per document and recipient; then the outbox (what waits and why) and
// the documents sent with each recipient's statuses. What is typed is kept
// as a draft until it is in the outbox: nothing is lost when sending
// fails or the window closes.
type sendScreen struct {
	u       *ui
	content fyne.CanvasObject
	Tabs    *container.AppTabs

	Files      *widget.List
	AddFile    *widget.Button
	TakeSigned *widget.Button
	RemoveFile *widget.Button
	FileCheck  *widget.Label
	Recipients *recipientPicker
	Number     *widget.Entry
	Date       *widget.Entry
	Type       *widget.SelectEntry
	Subject    *widget.Entry
	Competence *widget.Entry
	Position   *widget.Entry
	SignerName *widget.Entry
	Priority   *widget.Select
	DueDate    *widget.Entry
	Steering   *widget.Select
	Cert       *widget.Select
	SendBtn    *widget.Button
	CancelBtn  *widget.Button
	Progress   *widget.ProgressBar
	Status     *widget.Label
	Results    *fyne.Container

	outbox *outboxView
	sent   *sentView

	docs     []*outDoc
	selected int
	filling  bool
	certs    []bridge.CertChoice // the organisation certificates offered
	running  bool
	cancelFn context.CancelFunc
	lines    map[string]*widget.Label // per "docID|recipient": the run's progress
	pins     *pinAsker
}

// outDoc is one document to send and its header, as typed.
type outDoc struct {
	Path       string `json:"path"`
	Number     string `json:"number"` // "123/UBND-VP"
	Date       string `json:"date"`   // YYYY-MM-DD
	Type       string `json:"type"`
	Subject    string `json:"subject"`
	Competence string `json:"competence,omitempty"`
	Position   string `json:"position,omitempty"`
	Signer     string `json:"signer,omitempty"`
	Priority   int    `json:"priority,omitempty"`
	DueDate    string `json:"due_date,omitempty"`
	Steering   int    `json:"steering,omitempty"`

	check string // the verdict of its signatures, in words
	ok    bool   // signed and valid: it may be sent
}

// sendDraft is what the screen keeps in the preferences.
type sendDraft struct {
	Docs []*outDoc `json:"docs"`
	To   []string  `json:"to"`
}

func newSendScreen(u *ui) *sendScreen {
	s := &sendScreen{u: u, selected: -1, lines: map[string]*widget.Label{}}
	s.pins = &pinAsker{u: u}
	s.Files = widget.NewList(func() int { return len(s.docs) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.fileLine(s.docs[i])) })
	s.Files.OnSelected = func(i widget.ListItemID) { s.selectDoc(i) }
	s.AddFile = widget.NewButtonWithIcon(u.tr("gui.send.add"), theme.FolderOpenIcon(), s.openDialog)
	s.TakeSigned = widget.NewButtonWithIcon(u.tr("gui.send.take_signed"), theme.DocumentCreateIcon(), s.takeSigned)
	s.RemoveFile = widget.NewButtonWithIcon(u.tr("gui.send.remove"), theme.ContentRemoveIcon(), s.removeSelected)
	s.FileCheck = widget.NewLabel("")
	s.FileCheck.Wrapping = fyne.TextWrapWord
	s.Recipients = newRecipientPicker(u, func() { s.saveDraft(); s.updateSend() })

	s.Number = widget.NewEntry()
	s.Number.SetPlaceHolder("123/UBND-VP")
	s.Date = widget.NewEntry()
	s.Date.SetPlaceHolder("YYYY-MM-DD")
	s.Type = widget.NewSelectEntry(docTypes)
	s.Subject = widget.NewMultiLineEntry()
	s.Subject.SetMinRowsVisible(2)
	s.Subject.Wrapping = fyne.TextWrapWord
	s.Subject.SetPlaceHolder(u.tr("gui.send.subject_placeholder"))
	s.Competence = widget.NewEntry()
	s.Competence.SetPlaceHolder("TM. / KT. / TL.")
	s.Position = widget.NewEntry()
	s.Position.SetPlaceHolder(u.tr("gui.send.position_placeholder"))
	s.SignerName = widget.NewEntry()
	s.DueDate = widget.NewEntry()
	s.DueDate.SetPlaceHolder(u.tr("gui.send.due_placeholder"))
	var prios, steers []string
	for i := 0; i <= 4; i++ {
		prios = append(prios, u.tr(fmt.Sprintf("gui.send.priority.%d", i)))
	}
	for i := 0; i <= 2; i++ {
		steers = append(steers, u.tr(fmt.Sprintf("gui.send.steering.%d", i)))
	}
	s.Priority = widget.NewSelect(prios, func(string) { s.formChanged() })
	s.Steering = widget.NewSelect(steers, func(string) { s.formChanged() })
	for _, e := range []*widget.Entry{s.Number, s.Date, s.Subject, s.Competence, s.Position, s.SignerName, s.DueDate} {
		e.OnChanged = func(string) { s.formChanged() }
	}
	s.Type.OnChanged = func(string) { s.formChanged() }
	s.Cert = widget.NewSelect(nil, func(string) {
		if i := s.Cert.SelectedIndex(); i >= 0 && i < len(s.certs) {
			u.set.SetOrgCert(selKey(s.certs[i]))
		}
		s.updateSend()
	})
	s.Cert.PlaceHolder = u.tr("gui.send.cert_none")
	s.SendBtn = widget.NewButtonWithIcon(u.tr("gui.send.send"), theme.MailSendIcon(), s.send)
	s.SendBtn.Importance = widget.HighImportance
	s.CancelBtn = widget.NewButtonWithIcon(u.tr("gui.cancel"), theme.CancelIcon(), s.cancel)
	s.CancelBtn.Disable()
	s.Progress = widget.NewProgressBar()
	s.Progress.Hide() // until a run
	s.Status = widget.NewLabel("")
	s.Status.Wrapping = fyne.TextWrapWord
	s.Results = container.NewVBox()

	s.outbox = newOutboxView(u)
	s.sent = newSentView(u, s.pins)
	s.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(u.tr("gui.send.tab.compose"), theme.DocumentCreateIcon(), s.composeView()),
		container.NewTabItemWithIcon(u.tr("gui.send.tab.outbox"), theme.UploadIcon(), s.outbox.content),
		container.NewTabItemWithIcon(u.tr("gui.send.tab.sent"), theme.MailForwardIcon(), s.sent.content),
	)
	s.Tabs.OnSelected = func(*container.TabItem) { s.reloadLists() }
	s.content = s.Tabs
	s.loadDraft()
	s.setCerts(u.Sign.choices)
	u.desk.onChange = append(u.desk.onChange, s.deskChanged)
	s.updateSend()
	return s
}

// composeView lays out the documents and recipients on the left, the
// header and the run on the right.
func (s *sendScreen) composeView() fyne.CanvasObject {
	u := s.u
	row := func(key string, w fyne.CanvasObject) *widget.FormItem { return widget.NewFormItem(u.tr(key), w) }
	left := container.NewVBox(
		heading(u.tr("gui.send.documents")),
		container.NewHBox(s.AddFile, s.TakeSigned, s.RemoveFile),
		container.NewGridWrap(fyne.NewSize(380, 110), s.Files), s.FileCheck,
		heading(u.tr("gui.send.to")), s.Recipients.content,
	)
	form := widget.NewForm(
		row("gui.send.number", s.Number), row("gui.send.date", s.Date), row("gui.send.type", s.Type),
		row("gui.send.subject", s.Subject), row("gui.send.competence", s.Competence),
		row("gui.send.position", s.Position), row("gui.send.signer", s.SignerName),
		row("gui.send.priority", s.Priority), row("gui.send.due", s.DueDate), row("gui.send.steering", s.Steering),
	)
	results := container.NewVScroll(s.Results)
	results.SetMinSize(fyne.NewSize(300, 110))
	run := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(u.tr("gui.send.cert")), nil, s.Cert),
		container.NewHBox(s.SendBtn, s.CancelBtn), s.Progress, s.Status)
	right := container.NewBorder(container.NewVBox(heading(u.tr("gui.send.header")), form), nil, nil, nil,
		container.NewBorder(run, nil, nil, nil, results))
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(right))
	split.Offset = 0.42
	return split
}

// fileLine is a document's line: its check and name.
func (s *sendScreen) fileLine(d *outDoc) string {
	mark := "… "
	switch {
	case d.ok:
		mark = "✓ "
	case d.check != "":
		mark = "✗ "
	}
	return mark + filepath.Base(d.Path)
}

func (s *sendScreen) openDialog() {
	openPDFDialog(s.u, func(p string) { s.addFiles([]string{p}) })
}

// takeSigned adds what the Sign screen signed last.
func (s *sendScreen) takeSigned() { s.addSigned(s.u.signedOutputs()) }

func (s *sendScreen) addSigned(rs []signResult) {
	var files []string
	for _, r := range rs {
		files = append(files, r.Out)
	}
	if len(files) == 0 {
		s.Status.SetText(s.u.tr("gui.send.nothing_signed"))
		return
	}
	s.addFiles(files)
}

// addFiles adds PDFs and reads each one's signatures (in the background)
// to check it and prefill its header.
func (s *sendScreen) addFiles(paths []string) {
	first := -1
	for _, p := range paths {
		if !strings.EqualFold(filepath.Ext(p), ".pdf") {
			continue
		}
		dup := false
		for _, d := range s.docs {
			dup = dup || d.Path == p
		}
		if dup {
			continue
		}
		d := &outDoc{Path: p, Type: docTypes[0], Subject: strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))}
		s.docs = append(s.docs, d)
		if first < 0 {
			first = len(s.docs) - 1
		}
		s.inspect(d, true)
	}
	s.Files.Refresh()
	if first >= 0 {
		s.Files.Select(first)
	}
	s.saveDraft()
	s.updateSend()
}

// inspect verifies d's signatures and, with prefill, fills its header from
// what they record.
func (s *sendScreen) inspect(d *outDoc, prefill bool) {
	u := s.u
	demoOK := u.desk.State.Local || u.desk.State.Opening // the local demo hub takes demo signatures
	u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(u.ctx, 2*time.Minute)
		defer cancel()
		check, ok := s.checkFile(ctx, d.Path, demoOK)
		var is *roles.Issued
		if prefill {
			is = readIssued(ctx, d.Path)
		}
		uiDo(func() {
			d.check, d.ok = check, ok
			if is != nil {
				if is.Number != "" {
					d.Number = is.Number
					if is.Notation != "" {
						d.Number += "/" + is.Notation
					}
				}
				if !is.Date.IsZero() {
					d.Date = is.Date.Format(time.DateOnly)
				}
				if is.SignerName != "" {
					d.Signer = is.SignerName
				}
				if is.SignerTitle != "" {
					d.Position = is.SignerTitle
				}
				if is.Subject != "" {
					d.Subject = is.Subject
				}
			}
			u.log.Printf("send: %s: %s (number %q, date %q)", filepath.Base(d.Path), check, d.Number, d.Date)
			s.Files.Refresh()
			if s.selected >= 0 && s.selected < len(s.docs) && s.docs[s.selected] == d {
				s.fill(d)
			}
			s.saveDraft()
			s.updateSend()
		})
	})
}

// checkFile verifies the file as the Verify screen does: signed, and
// every signature valid (demo signatures only where the local demo hub
// takes them).
func (s *sendScreen) checkFile(ctx context.Context, path string, demoOK bool) (string, bool) {
	u := s.u
	ts, err := bridge.LoadTrust(ctx, nil, filepath.Join(u.dataDir(), "trust"), false)
	if err != nil {
		msg, _ := u.explain("", err)
		return msg, false
	}
	opts := bridge.VerifyOptions{Verify: verify.Options{Trust: ts, Online: u.set.Online(), FetchTimeout: 10 * time.Second}}
	if st, err := demo.Open(u.dataDir()); err == nil {
		opts.DemoRoot = st.Root()
	}
	vd, err := bridge.Verify(ctx, path, opts)
	n := 0
	if vd != nil && vd.Result != nil {
		n = len(vd.Signatures)
	}
	switch {
	case err != nil && (vd == nil || vd.Result == nil):
		msg, _ := u.explain("", err)
		return u.tr("gui.send.check_bad", msg), false
	case n == 0:
		return u.tr("gui.send.check_unsigned"), false
	case vd.OK():
		return u.tr("gui.send.check_ok", n), true
	case allDemoValid(vd):
		return u.tr("gui.send.check_demo", n), demoOK
	}
	return u.tr("gui.send.check_invalid", u.tr("verify.status."+string(vd.Status))), false
}

// readIssued reads what the document's issue signature records (nil when
// nothing can be read).
func readIssued(ctx context.Context, path string) *roles.Issued {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	is, err := roles.ReadIssued(ctx, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil
	}
	return is
}

func (s *sendScreen) selectDoc(i int) {
	if i < 0 || i >= len(s.docs) {
		return
	}
	s.selected = i
	s.fill(s.docs[i])
}

// fill shows d's header in the form.
func (s *sendScreen) fill(d *outDoc) {
	s.filling = true
	defer func() { s.filling = false }()
	s.Number.SetText(d.Number)
	s.Date.SetText(d.Date)
	s.Type.SetText(d.Type)
	s.Subject.SetText(d.Subject)
	s.Competence.SetText(d.Competence)
	s.Position.SetText(d.Position)
	s.SignerName.SetText(d.Signer)
	s.Priority.SetSelectedIndex(d.Priority)
	s.DueDate.SetText(d.DueDate)
	s.Steering.SetSelectedIndex(d.Steering)
	s.FileCheck.SetText(d.check)
}

// formChanged keeps what is typed in the selected document's header.
func (s *sendScreen) formChanged() {
	if s.filling || s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	d := s.docs[s.selected]
	d.Number, d.Date, d.Type = strings.TrimSpace(s.Number.Text), strings.TrimSpace(s.Date.Text), strings.TrimSpace(s.Type.Text)
	d.Subject = strings.TrimSpace(s.Subject.Text)
	d.Competence, d.Position, d.Signer = strings.TrimSpace(s.Competence.Text), strings.TrimSpace(s.Position.Text), strings.TrimSpace(s.SignerName.Text)
	d.Priority, d.Steering = max(s.Priority.SelectedIndex(), 0), max(s.Steering.SelectedIndex(), 0)
	d.DueDate = strings.TrimSpace(s.DueDate.Text)
	s.saveDraft()
}

func (s *sendScreen) removeSelected() {
	if s.running || s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	s.docs = append(s.docs[:s.selected], s.docs[s.selected+1:]...)
	s.selected = -1
	s.Files.UnselectAll()
	s.Files.Refresh()
	s.fill(&outDoc{})
	s.saveDraft()
	s.updateSend()
}

// saveDraft keeps the documents, headers and recipients.
func (s *sendScreen) saveDraft() {
	b, _ := json.Marshal(sendDraft{Docs: s.docs, To: s.Recipients.Codes()})
	s.u.set.SetDraft(string(b))
}

// loadDraft brings back what was being prepared (files that still exist).
func (s *sendScreen) loadDraft() {
	var d sendDraft
	if json.Unmarshal([]byte(s.u.set.Draft()), &d) != nil {
		return
	}
	for _, doc := range d.Docs {
		if doc == nil {
			continue
		}
		if _, err := os.Stat(doc.Path); err == nil {
			s.docs = append(s.docs, doc)
			s.inspect(doc, false)
		}
	}
	s.Recipients.setSelected(d.To)
	s.Files.Refresh()
	if len(s.docs) > 0 {
		s.Files.Select(0)
	}
}

// setCerts offers the organisation certificates to sign the packages.
func (s *sendScreen) setCerts(cs []bridge.CertChoice) {
	s.certs = nil
	var opts []string
	for _, c := range cs {
		if c.Organisation {
			s.certs = append(s.certs, c)
			opts = append(opts, s.u.Sign.certLabel(c))
		}
	}
	s.Cert.Options = opts
	s.Cert.ClearSelected()
	if pick := s.u.orgChoice(); pick != nil {
		for i, c := range s.certs {
			if selKey(c) == selKey(*pick) {
				s.Cert.SetSelectedIndex(i)
			}
		}
	}
	s.Cert.Refresh()
	s.updateSend()
}

func (s *sendScreen) updateSend() {
	ready := !s.running && len(s.docs) > 0 && len(s.Recipients.Codes()) > 0 && s.Cert.SelectedIndex() >= 0
	for _, d := range s.docs {
		ready = ready && d.ok
	}
	if ready {
		s.SendBtn.Enable()
	} else {
		s.SendBtn.Disable()
	}
}

// outgoing checks the typed headers and turns them into the client's
// documents; a problem names the document and what is wrong.
func (s *sendScreen) outgoing(agency string) ([]client.OutgoingDocument, error) {
	var out []client.OutgoingDocument
	for _, d := range s.docs {
		name := filepath.Base(d.Path)
		num, notation, err := bridge.ParseNumber(d.Number)
		if err != nil {
			return nil, &bridge.UsageError{Key: "gui.send.bad_number", Args: []any{name, d.Number}}
		}
		date, err := time.ParseInLocation(time.DateOnly, d.Date, roles.Vietnam)
		if err != nil {
			return nil, &bridge.UsageError{Key: "gui.send.bad_date", Args: []any{name, d.Date}}
		}
		if d.Subject == "" {
			return nil, &bridge.UsageError{Key: "gui.send.need_subject", Args: []any{name}}
		}
		var due time.Time
		if d.DueDate != "" {
			if due, err = time.ParseInLocation(time.DateOnly, d.DueDate, roles.Vietnam); err != nil {
				return nil, &bridge.UsageError{Key: "gui.send.bad_due", Args: []any{name, d.DueDate}}
			}
		}
		out = append(out, client.OutgoingDocument{Path: d.Path, DocumentID: bridge.DocumentID(agency, date, num, notation),
			Number: num, Notation: notation, Date: date, Type: d.Type, Subject: d.Subject, Priority: d.Priority,
			Signer: wire.Signer{Competence: d.Competence, Position: d.Position, FullName: d.Signer}, DueDate: due, Steering: d.Steering})
	}
	return out, nil
}

// send packs, signs (one login) and queues the batch, then delivers it,
// off the UI thread; the documents that reached the outbox leave the form,
// the others stay with their problem.
func (s *sendScreen) send() {
	u := s.u
	if s.running {
		return
	}
	st := u.desk.State
	if !st.Open {
		s.Status.SetText("✗ " + u.statusError(errNoExchange))
		return
	}
	docs, err := s.outgoing(st.Agency.Code)
	if err != nil {
		msg, _ := u.explain("", err)
		s.Status.SetText("✗ " + msg)
		return
	}
	to := s.Recipients.Orgs()
	c := u.orgChoice()
	if c == nil {
		msg, hint := u.explain("", errNoOrgCert)
		s.Status.SetText("✗ " + msg + "\n" + hint)
		return
	}
	choice := *c
	ctx, cancel := context.WithCancel(u.ctx)
	s.running, s.cancelFn = true, cancel
	s.SendBtn.Disable()
	s.CancelBtn.Enable()
	s.Progress.SetValue(0)
	s.Progress.Show()
	s.Results.RemoveAll()
	s.lines = map[string]*widget.Label{}
	s.Status.SetText(u.tr("gui.sign.opening_token"))
	u.log.Printf("send: %d documents to %v", len(docs), s.Recipients.Codes())
	u.bg.Go(func() { s.run(ctx, choice, docs, to) })
}

// run is the send run off the UI thread.
func (s *sendScreen) run(ctx context.Context, c bridge.CertChoice, docs []client.OutgoingDocument, to []wire.Organization) {
	u := s.u
	defer uiDo(func() {
		s.running = false
		s.cancelFn = nil
		s.CancelBtn.Disable()
		s.updateSend()
	})
	var results []client.QueueResult
	err := u.desk.with(func(_ context.Context, x *bridge.Exchange) error {
		return u.withOrgSigner(ctx, c, s.pins, func(sg client.Signer) error {
			var err error
			results, err = x.QueueDocuments(ctx, docs, to, sg, func(p client.QueueProgress) { s.queued(p, to) })
			return err
		})
	})
	if err != nil {
		u.log.Printf("send: %v", err)
		uiDo(func() {
			msg, hint := u.explain("", err)
			if errors.Is(err, context.Canceled) {
				msg, hint = u.tr("gui.sign.cancelled"), ""
			}
			s.Status.SetText("✗ " + strings.TrimSpace(msg+"\n"+hint))
			u.Sign.refreshCerts(nil) // the PIN state may have changed
		})
		if len(results) == 0 {
			return
		}
	}
	uiDo(func() { s.queuedDone(results) })
	s.deliver(ctx)
}

// queued shows one document's progress through packing and queueing.
func (s *sendScreen) queued(p client.QueueProgress, to []wire.Organization) {
	u := s.u
	uiDo(func() {
		s.Status.SetText(u.tr("gui.send.stage", p.Index+1, p.Total, filepath.Base(p.File), u.tr("send.stage."+p.Stage)))
		if p.Stage == "queued" || p.Stage == "skipped" || p.Stage == "failed" {
			s.Progress.SetValue(float64(p.Index+1) / float64(p.Total) / 2)
		}
		if p.Stage == "failed" {
			u.log.Printf("send: %s: %v", filepath.Base(p.File), p.Err)
			msg, hint := u.explain("", p.Err)
			l := widget.NewLabel("✗ " + filepath.Base(p.File) + ": " + strings.TrimSpace(msg+" "+hint))
			l.Wrapping = fyne.TextWrapWord
			s.Results.Add(l)
			return
		}
		if p.Stage != "queued" && p.Stage != "skipped" {
			return
		}
		for _, r := range to {
			key := p.DocumentID + "|" + r.Code
			if s.lines[key] == nil {
				l := widget.NewLabel("")
				l.Wrapping = fyne.TextWrapWord
				s.lines[key] = l
				s.Results.Add(l)
			}
			s.lines[key].SetText(s.recipientLine(p.DocumentID, r.Code, u.tr("send.stage."+p.Stage)))
		}
	})
}

func (s *sendScreen) recipientLine(docID, recipient, state string) string {
	name := recipient
	if a, ok := s.Recipients.agencies[recipient]; ok {
		name += " " + a.Name
	}
	return fmt.Sprintf("%s → %s: %s", docNumber(docID), name, state)
}

// docNumber is the number/notation part of a DocumentId.
func docNumber(docID string) string {
	parts := strings.SplitN(docID, ",", 3)
	if len(parts) == 3 {
		return parts[2]
	}
	return docID
}

// queuedDone takes the documents that reached the outbox off the form.
func (s *sendScreen) queuedDone(results []client.QueueResult) {
	done := map[string]bool{}
	for _, r := range results {
		if r.Err == nil {
			done[r.File] = true
		}
	}
	var keep []*outDoc
	for _, d := range s.docs {
		if !done[d.Path] {
			keep = append(keep, d)
		}
	}
	s.docs = keep
	s.selected = -1
	s.Files.UnselectAll()
	s.Files.Refresh()
	if len(keep) > 0 {
		s.Files.Select(0)
	} else {
		s.fill(&outDoc{})
	}
	s.saveDraft()
}

// deliver sends what was queued (one pass), showing each recipient's
// state; what cannot go now waits in the outbox and the loop retries it.
func (s *sendScreen) deliver(ctx context.Context) {
	u := s.u
	sent, waiting, last := 0, 0, ""
	err := u.desk.with(func(_ context.Context, x *bridge.Exchange) error {
		return u.desk.deliver(ctx, x, func(p client.DeliverProgress) {
			if p.Entry.Kind != wire.KindDocument {
				return
			}
			state := u.tr("gui.send.delivered")
			switch p.State {
			case client.OutboxSent:
				sent++
				last = p.Entry.DocumentID
			case "retry":
				waiting++
				state = u.tr("gui.send.waiting", u.statusError(p.Err))
			case client.OutboxFailed:
				msg, _ := u.explain("", p.Err)
				state = u.tr("gui.send.refused", msg)
			}
			uiDo(func() {
				for _, r := range p.Entry.Recipients {
					if l := s.lines[p.Entry.DocumentID+"|"+r]; l != nil {
						l.SetText(s.recipientLine(p.Entry.DocumentID, r, state))
					}
				}
			})
		})
	})
	if err != nil {
		u.log.Printf("send: deliver: %v", err)
	}
	uiDo(func() {
		s.Progress.SetValue(1)
		if sent > 0 && last != "" {
			s.sent.want = last // show it with its recipients' statuses
			s.Tabs.SelectIndex(2)
		}
		if waiting > 0 {
			s.Status.SetText(u.tr("gui.send.done_waiting", sent, waiting))
		} else {
			s.Status.SetText(u.tr("gui.send.done", sent))
		}
		u.log.Printf("send: delivered %d, waiting %d", sent, waiting)
		u.desk.refresh()
	})
}

// cancel stops the run (what is in the outbox stays there).
func (s *sendScreen) cancel() {
	if s.cancelFn != nil {
		s.cancelFn()
		s.Status.SetText(s.u.tr("gui.sign.cancelling"))
	}
}

// deskChanged: the exchange was opened or synced.
func (s *sendScreen) deskChanged() {
	u := s.u
	st := u.desk.State
	if st.Open && st.Agency.Code != s.Recipients.own {
		s.loadDirectory()
	}
	s.reloadLists()
	s.refreshLines()
}

// loadDirectory asks the hub for its agencies (the cached list stays
// when it cannot be reached).
func (s *sendScreen) loadDirectory() {
	u := s.u
	own := u.desk.State.Agency.Code
	s.Recipients.own = own
	u.bg.Go(func() {
		var list []wire.Agency
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			var err error
			list, err = x.Directory(ctx)
			return err
		})
		uiDo(func() {
			if err != nil {
				u.log.Printf("send: directory: %v", err)
				list = s.Recipients.cached()
			} else {
				u.log.Printf("send: directory of %d agencies", len(list))
			}
			s.Recipients.setDirectory(list, own)
			s.updateSend()
		})
	})
}

// refreshLines updates the run's recipient lines from the statuses the
// recipients sent back.
func (s *sendScreen) refreshLines() {
	u := s.u
	if len(s.lines) == 0 {
		return
	}
	docs := map[string]bool{}
	for k := range s.lines {
		id, _, _ := strings.Cut(k, "|")
		docs[id] = true
	}
	u.bg.Go(func() {
		hist := map[string]*client.StatusHistory{}
		_ = u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			for id := range docs {
				if h, err := x.Status(ctx, id); err == nil {
					hist[id] = h
				}
			}
			return nil
		})
		uiDo(func() {
			for k, l := range s.lines {
				id, r, _ := strings.Cut(k, "|")
				h := hist[id]
				if h == nil || len(h.Recipients[r]) == 0 {
					continue
				}
				last := h.Recipients[r][len(h.Recipients[r])-1]
				l.SetText(s.recipientLine(id, r, last.Code+" "+u.tr("status.code."+last.Code)))
			}
		})
	})
}

// reloadLists reloads the outbox and the sent documents.
func (s *sendScreen) reloadLists() {
	s.outbox.reload()
	s.sent.reload()
}
