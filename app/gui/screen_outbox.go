package gui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/roles"
)

// outboxView is the Send screen's "Hộp thư đi": what waits to be
// delivered and why (offline, refused by the hub, retrying at …), with
// "send now" and "queue the refused ones again".
type outboxView struct {
	u       *ui
	content fyne.CanvasObject

	List    *widget.List
	Summary *widget.Label
	Deliver *widget.Button
	Retry   *widget.Button

	entries []client.OutboxEntry
	gen     int
}

func newOutboxView(u *ui) *outboxView {
	o := &outboxView{u: u}
	o.List = widget.NewList(func() int { return len(o.entries) },
		twoLines,
		func(i widget.ListItemID, c fyne.CanvasObject) { c.(*widget.Label).SetText(o.line(o.entries[i])) })
	o.Summary = widget.NewLabel("")
	o.Summary.Wrapping = fyne.TextWrapWord
	o.Deliver = widget.NewButtonWithIcon(u.tr("gui.outbox.deliver"), theme.MailSendIcon(), func() { u.desk.kick() })
	o.Retry = widget.NewButtonWithIcon(u.tr("gui.outbox.retry"), theme.ViewRefreshIcon(), o.retry)
	o.content = container.NewBorder(container.NewVBox(container.NewHBox(o.Deliver, o.Retry), o.Summary), nil, nil, nil, o.List)
	return o
}

// reload reads the outbox (off the UI thread).
func (o *outboxView) reload() {
	u := o.u
	var entries []client.OutboxEntry
	u.latest(&o.gen, func(ctx context.Context, x *bridge.Exchange) (err error) {
		entries, err = x.Outbox(ctx, false)
		return err
	}, func(err error) {
		if err != nil && !errors.Is(err, errNoExchange) {
			u.log.Printf("outbox: %v", err)
		}
		o.entries = entries
		o.List.Refresh()
		pending, failed, _ := outboxCounts(entries)
		switch {
		case len(entries) == 0:
			o.Summary.SetText(u.tr("gui.outbox.empty"))
		default:
			o.Summary.SetText(u.tr("gui.outbox.summary", pending, failed))
		}
		if failed > 0 {
			o.Retry.Enable()
		} else {
			o.Retry.Disable()
		}
	})
}

// line says what an entry is, for whom, and why it waits.
func (o *outboxView) line(e client.OutboxEntry) string {
	u := o.u
	what := docNumber(e.DocumentID)
	if e.Kind == wire.KindStatus {
		what = u.tr("gui.outbox.status", e.StatusCode, u.tr("status.code."+e.StatusCode), docNumber(e.DocumentID))
	} else if e.Subject != "" {
		what += " — " + e.Subject
	}
	to := strings.Join(e.Recipients, ", ")
	var why string
	switch {
	case e.State == client.OutboxFailed:
		why = "✗ " + u.tr("gui.outbox.refused", o.reason(e))
	case e.Attempts == 0:
		why = "⏳ " + u.tr("gui.outbox.queued", shortTime(e.CreatedAt))
	default:
		why = "⏳ " + u.tr("gui.outbox.retrying", o.reason(e), e.NextAttempt.Format("15:04:05"), e.Attempts)
	}
	return fmt.Sprintf("%s → %s\n%s", what, to, why)
}

// reason is why the entry waits or failed, in the user's words.
func (o *outboxView) reason(e client.OutboxEntry) string {
	u := o.u
	if e.ErrorCode != "" {
		if k := "gui.outbox.why." + e.ErrorCode; i18n.Has(k) {
			return u.tr(k)
		}
	}
	if e.LastError != "" {
		return e.LastError
	}
	return u.tr("gui.outbox.why.other")
}

func (o *outboxView) retry() {
	u := o.u
	u.bg.Go(func() {
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			_, err := x.Retry(ctx)
			return err
		})
		if err != nil {
			u.log.Printf("outbox: retry: %v", err)
		}
		uiDo(u.desk.refresh)
	})
}

// sentView is the Send screen's "Đã gửi": the documents this agency sent,
// and for the one chosen each recipient's statuses (01 arrived, 03
// accepted, 02 refused with the reason, 04–06, recalls), from the signed
// status packages received; a sent document can be recalled.
type sentView struct {
	u       *ui
	content fyne.CanvasObject
	pins    *pinAsker

	List    *widget.List
	Detail  *widget.Label
	Recall  *widget.Button
	Refresh *widget.Button

	docs     []client.OutboxEntry // one per document (the first send)
	states   map[string]string    // per document: each recipient's last status
	selected int
	gen      int
	want     string // a document to select when it appears
}

func newSentView(u *ui, pins *pinAsker) *sentView {
	v := &sentView{u: u, pins: pins, selected: -1}
	v.List = widget.NewList(func() int { return len(v.docs) }, twoLines,
		func(i widget.ListItemID, c fyne.CanvasObject) {
			e := v.docs[i]
			c.(*widget.Label).SetText(fmt.Sprintf("%s  %s — %s\n%s", shortTime(e.SentAt), docNumber(e.DocumentID), e.Subject, v.states[e.DocumentID]))
		})
	v.List.OnSelected = func(i widget.ListItemID) { v.selected = i; v.showDetail() }
	v.Detail = widget.NewLabel(u.tr("gui.sent.choose"))
	v.Detail.Wrapping = fyne.TextWrapWord
	v.Recall = widget.NewButtonWithIcon(u.tr("gui.sent.recall"), theme.MailReplyIcon(), v.recall)
	v.Recall.Disable()
	v.Refresh = widget.NewButtonWithIcon(u.tr("gui.sent.refresh"), theme.ViewRefreshIcon(), func() { u.desk.refresh() })
	right := container.NewBorder(container.NewHBox(v.Refresh, v.Recall), nil, nil, nil, container.NewVScroll(v.Detail))
	split := container.NewHSplit(v.List, container.NewPadded(right))
	split.Offset = 0.45
	v.content = split
	return v
}

// reload lists the sent documents.
func (v *sentView) reload() {
	u := v.u
	var docs []client.OutboxEntry
	states := map[string]string{}
	u.latest(&v.gen, func(ctx context.Context, x *bridge.Exchange) error {
		all, err := x.Outbox(ctx, true)
		seen := map[string]bool{}
		for _, e := range all {
			if e.Kind == wire.KindDocument && e.State == client.OutboxSent && !seen[e.DocumentID] {
				seen[e.DocumentID] = true
				docs = append(docs, e)
			}
		}
		sort.SliceStable(docs, func(i, j int) bool { return docs[i].SentAt.After(docs[j].SentAt) })
		for i, e := range docs {
			if i == 300 {
				break // the newest; the others show their statuses when chosen
			}
			if h, err := x.Status(ctx, e.DocumentID); err == nil {
				states[e.DocumentID] = statusLine(u, h)
			}
		}
		return err
	}, func(error) {
		var keep string
		if v.selected >= 0 && v.selected < len(v.docs) {
			keep = v.docs[v.selected].DocumentID
		}
		if v.want != "" {
			keep = v.want
		}
		v.docs, v.states = docs, states
		v.List.Refresh()
		v.selected = -1
		for i, d := range docs {
			if d.DocumentID == keep {
				v.selected = i
				v.want = ""
				v.List.Select(i)
			}
		}
		if v.selected < 0 && len(docs) > 0 {
			v.selected = 0 // the newest
			v.List.Select(0)
		}
		if v.selected < 0 {
			v.List.UnselectAll()
		}
		v.showDetail()
	})
}

// showDetail shows the chosen document's statuses per recipient.
func (v *sentView) showDetail() {
	u := v.u
	if v.selected < 0 || v.selected >= len(v.docs) {
		v.Detail.SetText(u.tr("gui.sent.choose"))
		v.Recall.Disable()
		return
	}
	e := v.docs[v.selected]
	v.Recall.Enable()
	u.bg.Go(func() {
		var h *client.StatusHistory
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			var err error
			h, err = x.Status(ctx, e.DocumentID)
			return err
		})
		uiDo(func() {
			if v.selected < 0 || v.selected >= len(v.docs) || v.docs[v.selected].DocumentID != e.DocumentID {
				return
			}
			if err != nil {
				msg, _ := u.explain("", err)
				v.Detail.SetText(msg)
				return
			}
			if text := historyText(u, e, h); text != v.Detail.Text {
				v.Detail.SetText(text)
				u.log.Printf("sent: %s: %s", e.DocumentID, lastCodes(h))
			}
		})
	})
}

// historyText is a sent document's statuses per recipient.
func historyText(u *ui, e client.OutboxEntry, h *client.StatusHistory) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", e.DocumentID, e.Subject)
	var recips []string
	for r := range h.Recipients {
		recips = append(recips, r)
	}
	sort.Strings(recips)
	for _, r := range recips {
		fmt.Fprintf(&b, "\n%s\n", u.agencyName(r))
		fmt.Fprintf(&b, "   %s  %s\n", e.SentAt.Local().Format("15:04:05 02/01/2006"), u.tr("gui.sent.sent"))
		for _, s := range h.Recipients[r] {
			label := u.tr("status.code." + s.Code)
			line := fmt.Sprintf("   %s  %s %s", s.At.Local().Format("15:04:05 02/01/2006"), s.Code, label)
			if s.Description != "" && !strings.HasPrefix(roles.FoldName(label), roles.FoldName(s.Description)) {
				line += " — " + s.Description // what the recipient wrote (a reason, to whom)
			}
			fmt.Fprintln(&b, line)
		}
		if len(h.Recipients[r]) == 0 {
			fmt.Fprintf(&b, "   %s\n", u.tr("gui.sent.no_answer"))
		}
	}
	return strings.TrimSpace(b.String())
}

// statusLine is each recipient's last status, in words.
func statusLine(u *ui, h *client.StatusHistory) string {
	var parts []string
	for r, es := range h.Recipients {
		st := u.tr("gui.sent.no_answer")
		if len(es) > 0 {
			last := es[len(es)-1]
			st = last.Code + " " + u.tr("status.code."+last.Code)
		}
		parts = append(parts, r+": "+st)
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// agencyName is "CODE — Name" from the directory, else the code.
func (u *ui) agencyName(code string) string {
	if a, ok := u.Send.Recipients.agencies[code]; ok && a.Name != "" {
		return code + " — " + a.Name
	}
	return code
}

// lastCodes sums up a history: each recipient with its statuses.
func lastCodes(h *client.StatusHistory) string {
	var parts []string
	for r, es := range h.Recipients {
		var codes []string
		for _, e := range es {
			codes = append(codes, e.Code)
		}
		parts = append(parts, r+" "+strings.Join(codes, " "))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// recall asks the recipients to give the chosen document back (a reason
// is required), signed with the organisation certificate.
func (v *sentView) recall() {
	u := v.u
	if v.selected < 0 || v.selected >= len(v.docs) {
		return
	}
	docID := v.docs[v.selected].DocumentID
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(u.tr("gui.sent.recall_reason"))
	dialog.NewForm(u.tr("gui.sent.recall_title", docNumber(docID)), u.tr("gui.sent.recall"), u.tr("gui.cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.tr("gui.inbox.reason"), reason)}, func(ok bool) {
			if ok {
				v.doRecall(docID, reason.Text)
			}
		}, u.win).Show()
}

func (v *sentView) doRecall(docID, reason string) {
	u := v.u
	if strings.TrimSpace(reason) == "" {
		u.showError("recall", client.ErrReasonRequired)
		return
	}
	c := u.orgChoice()
	if c == nil {
		u.showError("recall", errNoOrgCert)
		return
	}
	choice := *c
	u.bg.Go(func() {
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			return u.withOrgSigner(ctx, choice, v.pins, func(s client.Signer) error {
				_, err := x.Recall(ctx, docID, reason, s)
				return err
			})
		})
		uiDo(func() {
			if err != nil && !errors.Is(err, context.Canceled) {
				u.showError("recall", err)
			}
			u.log.Printf("recall %s: %v", docID, err)
			u.desk.refresh()
		})
	})
}
