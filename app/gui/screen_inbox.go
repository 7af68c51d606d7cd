package gui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/wire"
)

// inboxScreen is "Văn bản đến": what arrived, each with its sender,
// number, subject, priority and the verdict of its signatures (verified
// on arrival; the Verify screen's cards one click away), the preview, and
// the clerk's answers: accept (register, 03) or refuse with a reason (02),
// the handling statuses 04–06 of an accepted document, and the answer to
// a recall. Answers are signed with the organisation certificate and go
// through the outbox.
type inboxScreen struct {
	u       *ui
	content fyne.CanvasObject
	pins    *pinAsker

	Filter    *widget.Select
	Fetch     *widget.Button
	AcceptAll *widget.Button
	List      *widget.List
	Summary   *widget.Label
	Detail    *widget.Label
	Verdict   *widget.Label
	ShowSigs  *widget.Button
	Accept    *widget.Button
	Refuse    *widget.Button
	Progress  *widget.Select // 04, 05, 06
	ProgDesc  *widget.Entry
	Report    *widget.Button
	Answer    *widget.Label
	Preview   *preview

	docs     []client.IncomingDocument
	all      bool
	selected int
	gen      int
	checkGen int
	busy     bool
	// detailBox holds the detail, the verdict and the buttons.
	detailBox *fyne.Container
}

// progressCodes are the handling statuses an accepted document reports.
var progressCodes = []string{wire.StatusAssigned, wire.StatusInProgress, wire.StatusDone}

func newInboxScreen(u *ui) *inboxScreen {
	s := &inboxScreen{u: u, selected: -1}
	s.pins = &pinAsker{u: u}
	s.Preview = newPreview(u)
	s.Filter = widget.NewSelect([]string{u.tr("gui.inbox.filter.waiting"), u.tr("gui.inbox.filter.all")}, func(string) {
		s.all = s.Filter.SelectedIndex() == 1
		s.reload()
	})
	s.Fetch = widget.NewButtonWithIcon(u.tr("gui.inbox.fetch"), theme.ViewRefreshIcon(), func() { u.desk.refresh() })
	s.AcceptAll = widget.NewButtonWithIcon(u.tr("gui.inbox.accept_all"), theme.ConfirmIcon(), s.acceptAll)
	s.List = widget.NewList(func() int { return len(s.docs) },
		twoLines,
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(s.line(s.docs[i])) })
	s.List.OnSelected = func(i widget.ListItemID) { s.show(i) }
	s.Summary = widget.NewLabel("")
	s.Detail = widget.NewLabel(u.tr("gui.inbox.choose"))
	s.Detail.Wrapping = fyne.TextWrapWord
	s.Verdict = widget.NewLabel("")
	s.Verdict.Wrapping = fyne.TextWrapWord
	s.ShowSigs = widget.NewButtonWithIcon(u.tr("gui.inbox.show_signatures"), theme.ConfirmIcon(), s.showSignatures)
	s.Accept = widget.NewButtonWithIcon(u.tr("gui.inbox.accept"), theme.ConfirmIcon(), s.accept)
	s.Accept.Importance = widget.HighImportance
	s.Refuse = widget.NewButtonWithIcon(u.tr("gui.inbox.refuse"), theme.CancelIcon(), s.refuse)
	var progs []string
	for _, c := range progressCodes {
		progs = append(progs, c+" "+u.tr("status.code."+c))
	}
	s.Progress = widget.NewSelect(progs, nil)
	s.Progress.PlaceHolder = u.tr("gui.inbox.progress")
	s.ProgDesc = widget.NewEntry()
	s.ProgDesc.SetPlaceHolder(u.tr("gui.inbox.progress_desc"))
	s.Report = widget.NewButtonWithIcon(u.tr("gui.inbox.report"), theme.MailReplyIcon(), s.reportProgress)
	s.Answer = widget.NewLabel("")
	s.Answer.Wrapping = fyne.TextWrapWord
	s.Filter.SetSelectedIndex(0)

	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(s.Fetch, s.AcceptAll), s.Filter), s.Summary)
	left := container.NewBorder(top, nil, nil, nil, s.List)
	actions := container.NewVBox(
		container.NewHBox(s.Accept, s.Refuse, s.ShowSigs),
		container.NewBorder(nil, nil, s.Progress, s.Report, s.ProgDesc),
		s.Answer)
	s.detailBox = container.NewVBox(s.Detail, s.Verdict, actions)
	detail := container.NewVScroll(container.NewPadded(s.detailBox))
	right := container.NewVSplit(detail, s.Preview.content)
	right.Offset = 0.5
	split := container.NewHSplit(container.NewPadded(left), right)
	split.Offset = 0.36
	s.content = split
	u.desk.onChange = append(u.desk.onChange, s.reload)
	s.updateActions()
	return s
}

// reload reads the local inbox (off the UI thread).
func (s *inboxScreen) reload() {
	u := s.u
	all := s.all
	var docs []client.IncomingDocument
	u.latest(&s.gen, func(ctx context.Context, x *bridge.Exchange) (err error) {
		docs, err = x.Inbox(ctx, true)
		return err
	}, func(err error) {
		if err != nil && !errors.Is(err, errNoExchange) {
			u.log.Printf("inbox: %v", err)
		}
		s.setDocs(docs, all)
	})
}

// setDocs shows the documents: those waiting for an answer first (most
// urgent, then oldest), or all of them newest first.
func (s *inboxScreen) setDocs(docs []client.IncomingDocument, all bool) {
	var keep int64 = -1
	if s.selected >= 0 && s.selected < len(s.docs) {
		keep = s.docs[s.selected].ID
	}
	var list []client.IncomingDocument
	for _, d := range docs {
		if all || waiting(d) {
			list = append(list, d)
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if waiting(a) != waiting(b) {
			return waiting(a)
		}
		if a.Header.Priority != b.Header.Priority {
			return a.Header.Priority > b.Header.Priority
		}
		if all {
			return a.ID > b.ID
		}
		return a.ID < b.ID
	})
	s.docs = list
	s.List.Refresh()
	n := waitingCount(docs)
	s.Summary.SetText(s.u.tr("gui.inbox.summary", n, len(docs)))
	s.selected = -1
	for i, d := range list {
		if d.ID == keep {
			s.selected = i
			s.List.Select(i)
		}
	}
	switch {
	case s.selected < 0 && len(list) > 0 && s.u.Tabs != nil && s.u.Tabs.SelectedIndex() == tabInbox:
		s.List.UnselectAll() // so that selecting row 0 again tells OnSelected
		s.List.Select(0)     // the first waiting document, as the inbox is open
	case s.selected < 0:
		s.List.UnselectAll()
		s.showNone()
	default:
		s.showDetail()
	}
	s.updateActions()
}

func waiting(d client.IncomingDocument) bool { return waitingCount([]client.IncomingDocument{d}) == 1 }

// line is a document's line in the list.
func (s *inboxScreen) line(d client.IncomingDocument) string {
	u := s.u
	mark := "  "
	if waiting(d) {
		mark = "● "
	}
	prio := ""
	if d.Header.Priority > 0 {
		prio = "[" + u.tr(fmt.Sprintf("gui.send.priority.%d", d.Header.Priority)) + "] "
	}
	return fmt.Sprintf("%s%s%s — %s\n%s · %s · %s", mark, prio, s.sender(d), docNumber(d.DocumentID), d.Subject,
		u.tr("inbox.state."+d.State), s.verdictWord(d))
}

func (s *inboxScreen) sender(d client.IncomingDocument) string {
	if d.Header.SenderName != "" {
		return d.From + " " + d.Header.SenderName
	}
	return d.From
}

// verdictWord is the verdict in a word or two, with its mark.
func (s *inboxScreen) verdictWord(d client.IncomingDocument) string {
	mark := "✗ "
	if d.Verdict.Status == client.VerdictValid {
		mark = "✓ "
	}
	return mark + s.u.tr("inbox.verdict."+d.Verdict.Status)
}

func (s *inboxScreen) show(i int) {
	if i < 0 || i >= len(s.docs) {
		return
	}
	s.selected = i
	s.showDetail()
	d := s.docs[i]
	if len(d.Files) > 0 && s.Preview.path != d.Files[0] {
		s.Preview.open(d.Files[0], 0)
	}
	s.updateActions()
}

func (s *inboxScreen) showNone() {
	s.Detail.SetText(s.u.tr("gui.inbox.choose"))
	s.Verdict.SetText("")
}

// showDetail shows the chosen document's header, verdict and answers.
func (s *inboxScreen) showDetail() {
	u := s.u
	d := s.docs[s.selected]
	h := d.Header
	b := &fields{u: u}
	add := b.add
	add("gui.inbox.from", s.sender(d))
	add("gui.send.number", docNumber(d.DocumentID))
	if !h.Date.IsZero() {
		add("gui.send.date", h.Date.Format("02/01/2006"))
	}
	add("gui.send.type", h.Type)
	add("gui.send.subject", d.Subject)
	add("gui.send.signer", strings.TrimSpace(strings.Join([]string{h.Signer.Competence, h.Signer.Position, h.Signer.FullName}, " ")))
	add("gui.send.priority", u.tr(fmt.Sprintf("gui.send.priority.%d", h.Priority)))
	if !h.DueDate.IsZero() {
		add("gui.send.due", h.DueDate.Format("02/01/2006"))
	}
	if h.Steering > 0 {
		add("gui.send.steering", u.tr(fmt.Sprintf("gui.send.steering.%d", h.Steering)))
	}
	if d.BusinessType == wire.BusinessUpdate || d.BusinessType == wire.BusinessReplace {
		add("gui.inbox.business", u.tr(fmt.Sprintf("inbox.business.%d", d.BusinessType)))
	}
	add("gui.inbox.received", d.ReceivedAt.Local().Format("15:04 02/01/2006"))
	add("gui.inbox.state", u.tr("inbox.state."+d.State))
	if d.Progress != "" {
		add("gui.inbox.progress", d.Progress+" "+u.tr("status.code."+d.Progress))
	}
	if d.State == client.InboxRecallRequested {
		add("gui.inbox.recall_reason", d.RecallReason)
	}
	if d.AnswerReason != "" {
		add("gui.inbox.reason", d.AnswerReason)
	}
	s.Detail.SetText(b.String())
	v := s.verdictWord(d)
	if d.Verdict.Status != client.VerdictValid && d.Verdict.Detail != "" {
		v += "\n" + d.Verdict.Detail
	}
	s.Verdict.SetText(u.tr("gui.inbox.verdict", v))
	s.recheck(d)
}

// recheck verifies the document's PDFs as the Verify screen does (demo
// signatures told apart) and adds its summary under the verdict.
func (s *inboxScreen) recheck(d client.IncomingDocument) {
	u := s.u
	s.checkGen++
	gen, base := s.checkGen, s.Verdict.Text
	var pdfs []string
	for _, f := range d.Files {
		if strings.EqualFold(filepath.Ext(f), ".pdf") {
			pdfs = append(pdfs, f)
		}
	}
	if len(pdfs) == 0 {
		return
	}
	u.bg.Go(func() {
		ctx, cancel := context.WithTimeout(u.ctx, time.Minute)
		defer cancel()
		var lines []string
		for _, f := range pdfs {
			vd, _ := u.Verify.verify(ctx, f)
			if vd != nil && vd.Result != nil {
				lines = append(lines, strings.SplitN(u.Verify.summary(vd), "\n", 2)[0])
			}
		}
		uiDo(func() {
			if gen == s.checkGen && len(lines) > 0 {
				s.Verdict.SetText(base + "\n" + strings.Join(lines, "\n"))
				s.detailBox.Refresh()
			}
		})
	})
}

// updateActions enables what the chosen document's state allows.
func (s *inboxScreen) updateActions() {
	u := s.u
	for _, b := range []*widget.Button{s.Accept, s.Refuse, s.Report, s.ShowSigs} {
		b.Disable()
	}
	s.Progress.Disable()
	s.Accept.SetText(u.tr("gui.inbox.accept"))
	s.Refuse.SetText(u.tr("gui.inbox.refuse"))
	s.AcceptAll.Disable()
	for _, d := range s.docs {
		if d.State == client.InboxNew {
			s.AcceptAll.Enable()
		}
	}
	if s.busy || s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	d := s.docs[s.selected]
	if len(d.Files) > 0 {
		s.ShowSigs.Enable()
	}
	switch d.State {
	case client.InboxNew, client.InboxFlagged:
		s.Accept.Enable()
		s.Refuse.Enable()
	case client.InboxRejected:
		s.Refuse.Enable()
	case client.InboxRecallRequested:
		s.Accept.SetText(u.tr("gui.inbox.recall_accept"))
		s.Refuse.SetText(u.tr("gui.inbox.recall_refuse"))
		s.Accept.Enable()
		s.Refuse.Enable()
	case client.InboxAccepted, client.InboxRecallRefused:
		if d.Progress != wire.StatusDone {
			s.Progress.Enable()
			s.Report.Enable()
		}
	}
}

// selectFirst shows the first document when none is chosen.
func (s *inboxScreen) selectFirst() {
	if s.selected < 0 && len(s.docs) > 0 {
		s.List.UnselectAll()
		s.List.Select(0)
	}
}

// showSignatures opens the Verify screen's cards for the document.
func (s *inboxScreen) showSignatures() {
	if s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	var pdfs []string
	for _, f := range s.docs[s.selected].Files {
		if strings.EqualFold(filepath.Ext(f), ".pdf") {
			pdfs = append(pdfs, f)
		}
	}
	s.u.Tabs.SelectIndex(tabVerify)
	s.u.Verify.addFiles(pdfs)
}

// accept registers the chosen document (03), agrees to its recall (15),
// or — for a document whose signatures are not valid — accepts it only
// after the clerk confirms.
func (s *inboxScreen) accept() {
	u := s.u
	if s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	d := s.docs[s.selected]
	if d.State == client.InboxFlagged {
		dialog.NewConfirm(u.tr("gui.inbox.accept_invalid_title"), u.tr("gui.inbox.accept_invalid", u.tr("inbox.verdict."+d.Verdict.Status)),
			func(ok bool) {
				if ok {
					s.answer([]int64{d.ID}, client.Answer{Accept: true, AcceptInvalid: true})
				}
			}, u.win).Show()
		return
	}
	s.answer([]int64{d.ID}, client.Answer{Accept: true})
}

// acceptAll accepts every new document whose signatures are valid, with
// one login.
func (s *inboxScreen) acceptAll() {
	var ids []int64
	for _, d := range s.docs {
		if d.State == client.InboxNew {
			ids = append(ids, d.ID)
		}
	}
	s.answer(ids, client.Answer{Accept: true})
}

// refuse asks for the reason and refuses (02), or refuses a recall (16).
func (s *inboxScreen) refuse() {
	u := s.u
	if s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	d := s.docs[s.selected]
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(u.tr("gui.inbox.reason_placeholder"))
	title := u.tr("gui.inbox.refuse_title", docNumber(d.DocumentID))
	if d.State == client.InboxRecallRequested {
		title = u.tr("gui.inbox.recall_refuse_title", docNumber(d.DocumentID))
	}
	dialog.NewForm(title, u.tr("gui.inbox.refuse"), u.tr("gui.cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.tr("gui.inbox.reason"), reason)}, func(ok bool) {
			if ok {
				s.refuseWith(d.ID, reason.Text)
			}
		}, u.win).Show()
}

// refuseWith refuses document id with reason (required).
func (s *inboxScreen) refuseWith(id int64, reason string) {
	if strings.TrimSpace(reason) == "" {
		s.Answer.SetText("✗ " + s.u.tr("exchange.err.reason_required"))
		return
	}
	s.answer([]int64{id}, client.Answer{Reason: strings.TrimSpace(reason)})
}

// answer signs and queues the answers to ids with one login, then
// delivers them, off the UI thread.
func (s *inboxScreen) answer(ids []int64, a client.Answer) {
	s.signed(func(ctx context.Context, x *bridge.Exchange, sg client.Signer) (string, error) {
		var codes []string
		for _, id := range ids {
			code, err := x.Receive(ctx, id, a, sg)
			if err != nil {
				return strings.Join(codes, ", "), err
			}
			s.u.log.Printf("inbox: answered %d with %s", id, code)
			codes = append(codes, code)
		}
		return s.u.tr("gui.inbox.answered", len(codes), strings.Join(unique(codes), ", ")), nil
	})
}

// reportProgress reports 04, 05 or 06 for the chosen accepted document.
func (s *inboxScreen) reportProgress() {
	i := s.Progress.SelectedIndex()
	if i < 0 || s.selected < 0 || s.selected >= len(s.docs) {
		return
	}
	id, code, desc := s.docs[s.selected].ID, progressCodes[i], strings.TrimSpace(s.ProgDesc.Text)
	s.signed(func(ctx context.Context, x *bridge.Exchange, sg client.Signer) (string, error) {
		if err := x.ReportProgress(ctx, id, code, desc, "", sg); err != nil {
			return "", err
		}
		s.u.log.Printf("inbox: reported %s for %d", code, id)
		uiDo(func() { s.ProgDesc.SetText(""); s.Progress.ClearSelected() })
		return s.u.tr("gui.inbox.reported", code, s.u.tr("status.code."+code)), nil
	})
}

// signed runs fn with the organisation signer (one login), then delivers
// what it queued; the outcome is shown under the buttons.
func (s *inboxScreen) signed(fn func(ctx context.Context, x *bridge.Exchange, sg client.Signer) (string, error)) {
	u := s.u
	c := u.orgChoice()
	if c == nil {
		msg, hint := u.explain("", errNoOrgCert)
		s.Answer.SetText("✗ " + msg + "\n" + hint)
		return
	}
	choice := *c
	s.busy = true
	s.updateActions()
	s.Answer.SetText(u.tr("gui.sign.opening_token"))
	u.bg.Go(func() {
		var done string
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			err := u.withOrgSigner(ctx, choice, s.pins, func(sg client.Signer) error {
				var err error
				done, err = fn(ctx, x, sg)
				return err
			})
			if err == nil {
				_ = u.desk.deliver(ctx, x, nil)
			}
			return err
		})
		uiDo(func() {
			s.busy = false
			if err != nil {
				u.log.Printf("inbox: answer: %v", err)
				msg, hint := u.explain("", err)
				if errors.Is(err, context.Canceled) {
					msg, hint = u.tr("gui.sign.cancelled"), ""
				}
				s.Answer.SetText("✗ " + strings.TrimSpace(msg+"\n"+hint))
				u.Sign.refreshCerts(nil)
			} else {
				s.Answer.SetText("✓ " + done + " — " + time.Now().Format("15:04"))
			}
			u.desk.refresh()
		})
	})
}

func unique(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
