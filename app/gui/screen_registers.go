package gui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report/export"
	"github.com/vanthu/vanthu/signing/roles"
)

// registersScreen is "Sổ văn bản": the outgoing and incoming registers the
// hub keeps for the unit (and, when asked, its sub-units), with a search
// (with or without diacritics), filters (period, unit, channel, signed,
// secret), sorting, the paper sends a clerk adds with their reason,
// corrections with the reason (the history is kept and shown), the chosen
// entry's document opened on the Verify screen, and CSV export.
type registersScreen struct {
	u       *ui
	content fyne.CanvasObject

	Kind      *widget.Select // outgoing, incoming
	Unit      *widget.Select
	SubUnits  *widget.Check
	From, To  *widget.Entry
	Channel   *widget.Select
	Signed    *widget.Select
	Secret    *widget.Select
	Search    *widget.Entry
	Sort      *widget.Select
	Reload    *widget.Button
	AddPaper  *widget.Button
	Correct   *widget.Button
	OpenDoc   *widget.Button // the chosen entry's document on the Verify screen
	Export    *widget.Button
	Table     *widget.Table
	Count     *widget.Label
	Detail    *widget.Label
	History   *widget.Label
	Status    *widget.Label
	Paper     *paperForm   // the last paper-send dialog
	Fix       *correctForm // the last correction dialog
	unitCodes []string

	outgoing []register.Outgoing // as read
	incoming []register.Incoming
	rows     []int // indexes of the entries shown, in order
	selected int   // row, -1 none
	gen      int
	want     int64 // an entry to select when it appears
	seen     deskSeen
	side     *fyne.Container // the entry's detail and history
}

// Register kinds.
const (
	regOutgoing = 0
	regIncoming = 1
)

func newRegistersScreen(u *ui) *registersScreen {
	r := &registersScreen{u: u, selected: -1}
	r.Kind = widget.NewSelect([]string{u.tr("gui.reg.outgoing"), u.tr("gui.reg.incoming")}, func(string) { r.reload() })
	r.Unit = widget.NewSelect(nil, func(string) { r.reload() })
	r.Unit.PlaceHolder = u.tr("gui.reg.unit_own")
	r.SubUnits = widget.NewCheck(u.tr("gui.reg.sub_units"), func(bool) { r.reload() })
	r.SubUnits.Checked = true // a unit head sees the units below; a unit without any, its own
	today := calendar.Today()
	r.From = widget.NewEntry()
	r.From.SetText(today.AddMonths(-3).String())
	r.To = widget.NewEntry()
	r.To.SetPlaceHolder("YYYY-MM-DD")
	for _, e := range []*widget.Entry{r.From, r.To} {
		e.OnSubmitted = func(string) { r.reload() }
	}
	r.Channel = widget.NewSelect([]string{u.tr("gui.reg.channel_all"), u.tr("report.channel.electronic"), u.tr("report.channel.paper"), u.tr("report.channel.both")},
		func(string) { r.apply() })
	r.Signed = widget.NewSelect([]string{u.tr("gui.reg.signed_all"), u.tr("gui.reg.signed_both"), u.tr("gui.reg.signed_not")}, func(string) { r.apply() })
	r.Secret = widget.NewSelect([]string{u.tr("gui.reg.secret_all"), u.tr("gui.reg.secret"), u.tr("gui.reg.not_secret")}, func(string) { r.apply() })
	r.Search = widget.NewEntry()
	r.Search.SetPlaceHolder(u.tr("gui.reg.search"))
	r.Search.OnChanged = func(string) { r.apply() }
	r.Sort = widget.NewSelect([]string{u.tr("gui.reg.sort.newest"), u.tr("gui.reg.sort.oldest"), u.tr("gui.reg.sort.number")}, func(string) { r.apply() })
	r.Reload = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), r.reload)
	r.AddPaper = widget.NewButtonWithIcon(u.tr("gui.reg.add_paper"), theme.ContentAddIcon(), r.addPaperDialog)
	r.Correct = widget.NewButtonWithIcon(u.tr("gui.reg.correct"), theme.DocumentCreateIcon(), r.correctDialog)
	r.OpenDoc = widget.NewButtonWithIcon(u.tr("gui.doc.open"), theme.FileIcon(), r.openDocument)
	r.Export = widget.NewButtonWithIcon(u.tr("gui.reg.export"), theme.DocumentSaveIcon(), r.exportDialog)
	r.Count = widget.NewLabel("")
	r.Detail = widget.NewLabel(u.tr("gui.reg.choose"))
	r.Detail.Wrapping = fyne.TextWrapWord
	r.History = widget.NewLabel("")
	r.History.Wrapping = fyne.TextWrapWord
	r.Status = widget.NewLabel("")
	r.Status.Wrapping = fyne.TextWrapWord
	r.Table = widget.NewTableWithHeaders(r.size, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, r.cell)
	r.Table.ShowHeaderColumn = false
	r.Table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	r.Table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(r.columns()) {
			o.(*widget.Label).SetText(u.tr(r.columns()[id.Col].key))
		}
	}
	r.Table.OnSelected = func(id widget.TableCellID) { r.selectRow(id.Row) }
	kindChanged := r.Kind.OnChanged
	r.Kind.OnChanged = nil
	r.Kind.SetSelectedIndex(regOutgoing)
	r.Kind.OnChanged = kindChanged
	r.Channel.SetSelectedIndex(0)
	r.Signed.SetSelectedIndex(0)
	r.Secret.SetSelectedIndex(0)
	r.Sort.SetSelectedIndex(0)
	r.setWidths()

	filters := container.NewVBox(
		container.NewHBox(sized(r.Kind, 190), sized(r.Unit, 260), r.SubUnits, widget.NewLabel(u.tr("gui.reg.from")), sized(r.From, 120),
			widget.NewLabel(u.tr("gui.reg.to")), sized(r.To, 120), r.Reload),
		container.NewBorder(nil, nil, container.NewHBox(sized(r.Channel, 170), sized(r.Signed, 200), sized(r.Secret, 175), sized(r.Sort, 160)), nil, r.Search),
		container.NewBorder(nil, nil, r.Count, container.NewHBox(r.AddPaper, r.Correct, r.Export)),
	)
	r.side = container.NewVBox(heading(u.tr("gui.reg.entry")), r.Detail, container.NewHBox(r.OpenDoc), heading(u.tr("gui.reg.history")), r.History, r.Status)
	side := container.NewVScroll(container.NewPadded(r.side))
	split := container.NewHSplit(r.Table, side)
	split.Offset = 0.75
	r.content = container.NewBorder(container.NewPadded(filters), nil, nil, nil, split)
	u.desk.onChange = append(u.desk.onChange, func() {
		if u.Tabs != nil && u.Tabs.SelectedIndex() == tabRegisters && r.seen.changed(u.desk.State) {
			r.reload()
		}
	})
	r.updateButtons()
	return r
}

// sized gives an entry a fixed width in a row.
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// column is one column of the register table.
type column struct {
	key   string
	width float32
}

func (r *registersScreen) columns() []column {
	if r.Kind.SelectedIndex() == regIncoming {
		return []column{{"gui.reg.col.unit", 85}, {"gui.reg.col.sender", 170}, {"gui.reg.col.number", 105}, {"gui.reg.col.subject", 215},
			{"gui.reg.col.arrived", 100}, {"gui.reg.col.receipt", 130}}
	}
	return []column{{"gui.reg.col.unit", 85}, {"gui.reg.col.number", 105}, {"gui.reg.col.date", 105}, {"gui.reg.col.subject", 205},
		{"gui.reg.col.channel", 90}, {"gui.reg.col.signatures", 135}, {"gui.reg.col.note", 160}}
}

func (r *registersScreen) setWidths() {
	for i, c := range r.columns() {
		r.Table.SetColumnWidth(i, c.width)
	}
}

func (r *registersScreen) size() (int, int) { return len(r.rows), len(r.columns()) }

// cell fills one cell.
func (r *registersScreen) cell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row >= len(r.rows) {
		l.SetText("")
		return
	}
	// While the other register loads, the rows still index the one read.
	i := r.rows[id.Row]
	switch {
	case r.Kind.SelectedIndex() == regIncoming && i < len(r.incoming):
		l.SetText(r.incomingCell(r.incoming[i], id.Col))
	case r.Kind.SelectedIndex() != regIncoming && i < len(r.outgoing):
		l.SetText(r.outgoingCell(r.outgoing[i], id.Col))
	default:
		l.SetText("")
	}
}

func (r *registersScreen) outgoingCell(o register.Outgoing, col int) string {
	u := r.u
	switch col {
	case 0:
		return o.Unit
	case 1:
		return strike(o.Number, o.Cancelled)
	case 2:
		return o.Date.VN()
	case 3:
		return o.Subject
	case 4:
		return u.tr("report.channel." + string(o.Channel))
	case 5:
		switch {
		case o.Approve == register.SigValid && o.Issue == register.SigValid:
			return "✓ " + u.tr("gui.reg.sig_both")
		case o.Approve == o.Issue:
			return "✗ " + u.tr("report.sig."+string(o.Approve))
		}
		return "✗ " + u.tr("gui.reg.sig_each", u.tr("report.sig."+string(o.Approve)), u.tr("report.sig."+string(o.Issue)))
	case 6:
		switch {
		case o.Cancelled:
			return u.tr("gui.reg.cancelled")
		case o.Secret:
			return u.tr("gui.reg.secret")
		case o.PaperReason != "":
			return o.PaperReason
		case o.Recall != "":
			return u.tr("gui.reg.recall." + o.Recall)
		}
	}
	return ""
}

func (r *registersScreen) incomingCell(in register.Incoming, col int) string {
	u := r.u
	switch col {
	case 0:
		return in.Unit
	case 1:
		if in.SenderName != "" {
			return in.Sender + " " + in.SenderName
		}
		return in.Sender
	case 2:
		return strike(in.Number, in.Cancelled)
	case 3:
		return in.Subject
	case 4:
		return in.ArrivedAt.Local().Format("15:04 02/01")
	case 5:
		if in.Receipt == "" {
			return u.tr("gui.reg.not_confirmed")
		}
		return in.Receipt + " " + in.ReceiptAt.Local().Format("15:04 02/01")
	}
	return ""
}

// strike marks a cancelled entry's number.
func strike(s string, cancelled bool) string {
	if cancelled {
		return "✗ " + s
	}
	return s
}

// filter is the list the screen asks the hub for.
func (r *registersScreen) filter() (register.Filter, error) {
	f := register.Filter{Unit: r.unit(), SubUnits: r.SubUnits.Checked, Cancelled: true, Limit: 5000}
	var err error
	if t := strings.TrimSpace(r.From.Text); t != "" {
		if f.From, err = calendar.ParseDate(t); err != nil {
			return f, &bridge.UsageError{Key: "gui.reg.bad_date", Args: []any{t}}
		}
	}
	if t := strings.TrimSpace(r.To.Text); t != "" {
		if f.To, err = calendar.ParseDate(t); err != nil {
			return f, &bridge.UsageError{Key: "gui.reg.bad_date", Args: []any{t}}
		}
	}
	return f, nil
}

// unit is the unit chosen ("" = the agency's own).
func (r *registersScreen) unit() string {
	if i := r.Unit.SelectedIndex(); i >= 0 && i < len(r.unitCodes) {
		return r.unitCodes[i]
	}
	return r.u.set.ReportUnit()
}

// registers are the hub's registers as the window's agency.
func (u *ui) registers(x *bridge.Exchange) (bridge.Registers, error) {
	if r := x.Registers(u.actorName()); r != nil {
		return r, nil
	}
	return nil, errNoRegisters
}

// errNoRegisters: the exchange (the national axis) keeps no registers this
// machine can read.
var errNoRegisters = errors.New("no registers at this exchange")

// actorName is who the histories name: the organisation certificate's
// holder, else the user's login name.
func (u *ui) actorName() string {
	if c := u.orgChoice(); c != nil {
		return c.Cert.Subject.CommonName
	}
	if n := u.cfg.Getenv("USER"); n != "" {
		return n
	}
	return "vanthu"
}

// reload reads the register from the hub (off the UI thread).
func (r *registersScreen) reload() {
	u := r.u
	f, err := r.filter()
	if err != nil {
		msg, _ := u.explain("", err)
		r.Status.SetText("✗ " + msg)
		return
	}
	kind := r.Kind.SelectedIndex()
	r.Status.SetText(u.tr("gui.reg.loading"))
	var out []register.Outgoing
	var in []register.Incoming
	var units []register.Unit
	u.latest(&r.gen, func(ctx context.Context, x *bridge.Exchange) error {
		regs, err := u.registers(x)
		if err != nil {
			return err
		}
		units, _ = regs.Units(ctx, "")
		if kind == regIncoming {
			in, err = regs.ListIncoming(ctx, f)
		} else {
			out, err = regs.ListOutgoing(ctx, f)
		}
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, errNoExchange):
			r.Status.SetText(u.statusError(err))
		case err != nil:
			u.log.Printf("registers: %v", err)
			r.Status.SetText("✗ " + u.registerError(err))
		default:
			r.Status.SetText("")
		}
		r.setUnits(units)
		r.outgoing, r.incoming, r.rows = out, in, nil // the old rows index the other register
		if err == nil {
			u.log.Printf("registers: %d outgoing, %d incoming entries", len(out), len(in))
		}
		r.setWidths()
		r.apply()
	})
}

// registerError is a registers' error in the user's words.
func (u *ui) registerError(err error) string {
	for _, m := range []struct {
		err error
		key string
	}{
		{errNoRegisters, "gui.reg.no_registers"}, {register.ErrForbidden, "reg.err.forbidden"}, {register.ErrNotFound, "reg.err.not_found"},
		{register.ErrDuplicate, "reg.err.duplicate"}, {register.ErrNoReason, "reg.err.no_reason"},
		{register.ErrNotCorrectable, "reg.err.not_correctable"}, {register.ErrInvalid, "reg.err.invalid"},
		{calendar.ErrBadPeriod, "reg.err.invalid"}, {calendar.ErrBadDate, "reg.err.invalid"},
	} {
		if errors.Is(err, m.err) {
			return u.tr(m.key) + " (" + err.Error() + ")"
		}
	}
	return u.statusError(err)
}

// setUnits offers the agency's units.
func (r *registersScreen) setUnits(units []register.Unit) {
	if len(units) == 0 {
		return
	}
	keep := r.unit()
	r.unitCodes = nil
	var opts []string
	for _, x := range units {
		r.unitCodes = append(r.unitCodes, x.Code)
		opts = append(opts, strings.Repeat("  ", x.Depth)+x.Code+" — "+x.Name)
	}
	cb := r.Unit.OnChanged
	r.Unit.OnChanged = nil
	r.Unit.Options = opts
	r.Unit.ClearSelected()
	for i, c := range r.unitCodes {
		if c == keep {
			r.Unit.SetSelectedIndex(i)
		}
	}
	r.Unit.Refresh()
	r.Unit.OnChanged = cb
}

// apply filters, searches and sorts what was read.
func (r *registersScreen) apply() {
	if r.Kind == nil || r.Table == nil {
		return
	}
	q := roles.FoldName(r.Search.Text)
	ch := []register.Channel{"", register.Electronic, register.Paper, register.Both}[max(r.Channel.SelectedIndex(), 0)]
	r.rows = nil
	type key struct {
		date   calendar.Date
		number string
	}
	var keys []key
	keep := func(i int, k key) {
		r.rows = append(r.rows, i)
		keys = append(keys, k)
	}
	if r.Kind.SelectedIndex() == regIncoming {
		for i, in := range r.incoming {
			text := roles.FoldName(strings.Join([]string{in.Unit, in.Number, in.Subject, in.Sender, in.SenderName, in.Type}, " "))
			if (q == "" || strings.Contains(text, q)) && (ch == "" || in.Channel == ch) && r.secretOK(in.Secret) {
				keep(i, key{in.Date, in.Number})
			}
		}
	} else {
		for i, o := range r.outgoing {
			var to []string
			for _, x := range o.Recipients {
				to = append(to, x.Agency)
			}
			text := roles.FoldName(strings.Join(append([]string{o.Unit, o.Number, o.Subject, o.Signer, o.Type, o.PaperReason}, to...), " "))
			both := o.Approve == register.SigValid && o.Issue == register.SigValid
			signedOK := r.Signed.SelectedIndex() <= 0 || (r.Signed.SelectedIndex() == 1) == both
			if (q == "" || strings.Contains(text, q)) && (ch == "" || o.Channel == ch) && r.secretOK(o.Secret) && signedOK {
				keep(i, key{o.Date, o.Number})
			}
		}
	}
	order := make([]int, len(r.rows))
	for i := range order {
		order[i] = i
	}
	sortBy := r.Sort.SelectedIndex()
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := keys[order[a]], keys[order[b]]
		switch sortBy {
		case 1:
			return ka.date.Before(kb.date)
		case 2:
			return numberLess(ka.number, kb.number)
		}
		return ka.date.After(kb.date)
	})
	rows := make([]int, len(order))
	for i, o := range order {
		rows[i] = r.rows[o]
	}
	r.rows = rows
	total := len(r.outgoing)
	if r.Kind.SelectedIndex() == regIncoming {
		total = len(r.incoming)
	}
	r.Count.SetText(r.u.tr("gui.reg.count", len(r.rows), total))
	r.Table.UnselectAll()
	r.selected = -1
	r.Table.Refresh()
	r.Detail.SetText(r.u.tr("gui.reg.choose"))
	r.History.SetText("")
	if r.want != 0 {
		for row, i := range r.rows {
			if r.Kind.SelectedIndex() == regOutgoing && r.outgoing[i].ID == r.want {
				r.want = 0
				r.Table.Select(widget.TableCellID{Row: row, Col: 0})
			}
		}
	}
	if r.selected < 0 && r.want == 0 && len(r.rows) > 0 {
		r.Table.Select(widget.TableCellID{Row: 0, Col: 0}) // the first entry's detail and history
	}
	r.updateButtons()
}

func (r *registersScreen) secretOK(secret bool) bool {
	switch r.Secret.SelectedIndex() {
	case 1:
		return secret
	case 2:
		return !secret
	}
	return true
}

// numberLess orders "7/UBND" before "12/UBND".
func numberLess(a, b string) bool {
	var na, nb int
	fmt.Sscanf(a, "%d", &na)
	fmt.Sscanf(b, "%d", &nb)
	if na != nb {
		return na < nb
	}
	return a < b
}

// selectRow shows an entry and its history.
func (r *registersScreen) selectRow(row int) {
	if row < 0 || row >= len(r.rows) {
		return
	}
	r.selected = row
	u := r.u
	entity, id, ok := r.chosen()
	if !ok {
		r.selected = -1
		return
	}
	if i := r.rows[row]; entity == register.EntityIncoming {
		r.Detail.SetText(r.incomingDetail(r.incoming[i]))
	} else {
		r.Detail.SetText(r.outgoingDetail(r.outgoing[i]))
	}
	r.updateButtons()
	r.History.SetText(u.tr("gui.reg.loading"))
	u.bg.Go(func() {
		var hist []register.Change
		var out *register.Outgoing
		var in *register.Incoming
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			regs, err := u.registers(x)
			if err != nil {
				return err
			}
			if entity == register.EntityOutgoing {
				out, err = regs.Outgoing(ctx, id) // with its recipients and signatures
			} else {
				in, err = regs.Incoming(ctx, id)
			}
			if err != nil {
				return err
			}
			hist, err = regs.History(ctx, entity, id)
			return err
		})
		uiDo(func() {
			if r.selected != row {
				return
			}
			if err != nil {
				r.History.SetText(u.registerError(err))
				return
			}
			switch {
			case out != nil:
				r.Detail.SetText(r.outgoingDetail(*out))
			case in != nil:
				r.Detail.SetText(r.incomingDetail(*in))
			}
			r.History.SetText(historyLines(u, hist))
			r.side.Refresh() // the texts' heights changed
		})
	})
}

// historyLines are an entry's changes, oldest first. Times, here as in the
// whole window, are in the computer's zone (the register's dates are
// Vietnam dates).
func historyLines(u *ui, hist []register.Change) string {
	var lines []string
	for _, c := range hist {
		line := c.At.Local().Format("15:04 02/01/2006") + "  " + u.tr("gui.reg.action."+c.Action)
		if c.Field != "" {
			line += " " + c.Field + ": " + dash(c.Old) + " → " + dash(c.New)
		}
		if c.Reason != "" {
			line += " (" + c.Reason + ")"
		}
		line += " — " + c.Actor
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (r *registersScreen) outgoingDetail(o register.Outgoing) string {
	u := r.u
	b := &fields{u: u}
	add := b.add
	add("gui.reg.col.unit", o.Unit)
	add("gui.reg.col.number", o.Number)
	add("gui.reg.col.date", o.Date.VN())
	add("gui.send.type", o.Type)
	add("gui.reg.col.subject", o.Subject)
	add("gui.send.signer", o.Signer)
	add("gui.reg.col.channel", u.tr("report.channel."+string(o.Channel)))
	add("gui.reg.paper_reason", o.PaperReason)
	for _, x := range o.Recipients {
		st := u.tr("gui.sent.no_answer")
		if x.Status != "" {
			st = x.Status + " " + u.tr("status.code."+x.Status)
		}
		add("gui.reg.col.to", x.Agency+" — "+st)
	}
	add("report.col.approve", u.tr("report.sig."+string(o.Approve)))
	add("report.col.issue", u.tr("report.sig."+string(o.Issue)))
	for _, s := range o.Signatures {
		role := string(s.Role)
		if k := "gui.role." + role; i18n.Has(k) {
			role = u.tr(k)
		}
		add("gui.reg.signature", fmt.Sprintf("%s (%s) — %s", s.Signer, role, u.tr("report.sig."+string(s.Status))))
	}
	add("gui.reg.file", o.FileName)
	if o.Secret {
		add("gui.reg.secret", u.tr("report.yes"))
	}
	if !o.Exchanged() && !o.Secret && !o.Cancelled {
		add("gui.reg.missed", u.tr("gui.reg.missed_yes"))
	}
	if o.Cancelled {
		add("gui.reg.cancelled", u.tr("report.yes"))
	}
	add("gui.reg.source", u.tr("gui.reg.source."+o.Source)+" — "+o.CreatedBy)
	return b.String()
}

func (r *registersScreen) incomingDetail(in register.Incoming) string {
	u := r.u
	b := &fields{u: u}
	add := b.add
	add("gui.reg.col.unit", in.Unit)
	add("gui.reg.col.sender", strings.TrimSpace(in.Sender+" "+in.SenderName))
	add("gui.reg.col.number", in.Number)
	if !in.Date.IsZero() {
		add("gui.reg.col.date", in.Date.VN())
	}
	add("gui.reg.col.subject", in.Subject)
	add("gui.reg.col.channel", u.tr("report.channel."+string(in.Channel)))
	add("gui.reg.col.arrived", in.ArrivedAt.Local().Format("15:04 02/01/2006"))
	if in.Receipt != "" {
		add("gui.reg.col.receipt", in.Receipt+" "+u.tr("status.code."+in.Receipt)+" — "+in.ReceiptAt.Local().Format("15:04 02/01/2006"))
	}
	if in.Status != "" && in.Status != in.Receipt {
		add("gui.inbox.progress", in.Status+" "+u.tr("status.code."+in.Status))
	}
	if in.Recalled {
		add("gui.reg.recalled", u.tr("report.yes"))
	}
	return b.String()
}

func (r *registersScreen) updateButtons() {
	for _, b := range []*widget.Button{r.Correct, r.OpenDoc} {
		if r.selected >= 0 {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if r.Kind.SelectedIndex() == regOutgoing {
		r.AddPaper.Enable()
	} else {
		r.AddPaper.Disable()
	}
}

// paperSend is what the paper-send form holds.
type paperSend struct {
	Unit, Number, Date, Type, Subject, Signer, To, Reason string
	Secret, Both                                          bool
}

// paperForm is the paper-send dialog's form (exposed for tests).
type paperForm struct {
	Number, Date, Subject, Signer, To *widget.Entry
	Type                              *widget.SelectEntry
	Reason                            *widget.Entry
	Secret, Both                      *widget.Check
	Dialog                            *dialog.FormDialog
}

func (f *paperForm) value(unit string) paperSend {
	return paperSend{Unit: unit, Number: f.Number.Text, Date: f.Date.Text, Type: f.Type.Text, Subject: f.Subject.Text,
		Signer: f.Signer.Text, To: f.To.Text, Reason: f.Reason.Text, Secret: f.Secret.Checked, Both: f.Both.Checked}
}

// addPaperDialog registers a send the exchange did not carry, with why.
func (r *registersScreen) addPaperDialog() {
	u := r.u
	f := &paperForm{Number: widget.NewEntry(), Date: widget.NewEntry(), Type: widget.NewSelectEntry(docTypes), Subject: widget.NewEntry(),
		Signer: widget.NewEntry(), To: widget.NewEntry(), Reason: widget.NewMultiLineEntry()}
	f.Number.SetPlaceHolder("7/UBND")
	f.Date.SetText(calendar.Today().String())
	f.Type.SetText(docTypes[0])
	f.To.SetPlaceHolder(u.tr("gui.reg.to_placeholder"))
	f.Reason.SetPlaceHolder(u.tr("gui.reg.reason_placeholder"))
	f.Secret = widget.NewCheck(u.tr("gui.reg.secret"), nil)
	f.Both = widget.NewCheck(u.tr("gui.reg.both"), nil)
	items := []*widget.FormItem{
		widget.NewFormItem(u.tr("gui.reg.col.number"), f.Number), widget.NewFormItem(u.tr("gui.reg.col.date"), f.Date),
		widget.NewFormItem(u.tr("gui.send.type"), f.Type), widget.NewFormItem(u.tr("gui.reg.col.subject"), f.Subject),
		widget.NewFormItem(u.tr("gui.send.signer"), f.Signer), widget.NewFormItem(u.tr("gui.reg.col.to"), f.To),
		widget.NewFormItem(u.tr("gui.reg.paper_reason"), f.Reason), widget.NewFormItem("", f.Secret), widget.NewFormItem("", f.Both),
	}
	unit := r.unit()
	f.Dialog = dialog.NewForm(u.tr("gui.reg.add_paper_title"), u.tr("gui.reg.add"), u.tr("gui.cancel"), items, func(ok bool) {
		if ok {
			r.addPaper(f.value(unit))
		}
	}, u.win)
	f.Dialog.Resize(fyne.NewSize(620, 0))
	r.Paper = f
	f.Dialog.Show()
}

// addPaper registers p (off the UI thread).
func (r *registersScreen) addPaper(p paperSend) {
	u := r.u
	date, err := calendar.ParseDate(strings.TrimSpace(p.Date))
	if err != nil {
		r.Status.SetText("✗ " + u.tr("gui.reg.bad_date", p.Date))
		return
	}
	if strings.TrimSpace(p.Reason) == "" && !p.Secret {
		r.Status.SetText("✗ " + u.tr("gui.reg.need_reason"))
		return
	}
	ch := register.Paper
	if p.Both {
		ch = register.Both
	}
	unit := p.Unit
	if unit == "" {
		unit = u.desk.State.Agency.Code
	}
	in := register.OutgoingInput{Unit: unit, Number: strings.TrimSpace(p.Number), Date: date, Type: strings.TrimSpace(p.Type),
		Subject: strings.TrimSpace(p.Subject), Signer: strings.TrimSpace(p.Signer), Secret: p.Secret, Channel: ch,
		Recipients: splitCodes(p.To), PaperReason: strings.TrimSpace(p.Reason)}
	r.Status.SetText(u.tr("gui.reg.saving"))
	u.bg.Go(func() {
		var o *register.Outgoing
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			regs, err := u.registers(x)
			if err == nil {
				o, err = regs.AddOutgoing(ctx, in)
			}
			return err
		})
		uiDo(func() {
			if err != nil {
				u.log.Printf("registers: add paper send: %v", err)
				r.Status.SetText("✗ " + u.registerError(err))
				return
			}
			u.log.Printf("registers: paper send %s registered (%d)", o.Number, o.ID)
			r.Status.SetText("✓ " + u.tr("gui.reg.added", o.Number))
			r.want = o.ID
			r.reload()
			u.Dashboard.reload()
		})
	})
}

func splitCodes(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		out = append(out, strings.ToUpper(f))
	}
	return out
}

// chosen is the chosen entry: its entity and id.
func (r *registersScreen) chosen() (entity string, id int64, ok bool) {
	if r.selected < 0 || r.selected >= len(r.rows) {
		return "", 0, false
	}
	i := r.rows[r.selected]
	switch {
	case r.Kind.SelectedIndex() == regIncoming && i < len(r.incoming):
		return register.EntityIncoming, r.incoming[i].ID, true
	case r.Kind.SelectedIndex() != regIncoming && i < len(r.outgoing):
		return register.EntityOutgoing, r.outgoing[i].ID, true
	}
	return "", 0, false // the other register is loading
}

// openDocument opens the chosen entry's document on the Verify screen.
func (r *registersScreen) openDocument() {
	if entity, id, ok := r.chosen(); ok {
		r.u.openEntryDocument(r.Status, entity, id)
	}
}

// correctForm is the correction dialog's form (exposed for tests).
type correctForm struct {
	Field         *widget.Select
	Value, Reason *widget.Entry
	Dialog        *dialog.FormDialog
}

// correctDialog changes one field of the chosen entry, with the reason.
func (r *registersScreen) correctDialog() {
	u := r.u
	entity, id, ok := r.chosen()
	if !ok {
		return
	}
	fields := register.OutgoingFields
	if entity == register.EntityIncoming {
		fields = register.IncomingFields
	}
	f := &correctForm{Field: widget.NewSelect(fields, nil), Value: widget.NewEntry(), Reason: widget.NewEntry()}
	f.Field.SetSelectedIndex(0)
	f.Reason.SetPlaceHolder(u.tr("gui.reg.correct_reason"))
	f.Dialog = dialog.NewForm(u.tr("gui.reg.correct_title"), u.tr("gui.reg.correct"), u.tr("gui.cancel"), []*widget.FormItem{
		widget.NewFormItem(u.tr("gui.reg.field"), f.Field), widget.NewFormItem(u.tr("gui.reg.value"), f.Value),
		widget.NewFormItem(u.tr("gui.inbox.reason"), f.Reason)}, func(ok bool) {
		if ok {
			r.correct(entity, id, map[string]string{f.Field.Selected: f.Value.Text}, f.Reason.Text)
		}
	}, u.win)
	f.Dialog.Resize(fyne.NewSize(520, 0))
	r.Fix = f
	f.Dialog.Show()
}

// correct applies a correction (off the UI thread).
func (r *registersScreen) correct(entity string, id int64, changes map[string]string, reason string) {
	u := r.u
	u.bg.Go(func() {
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			regs, err := u.registers(x)
			if err != nil {
				return err
			}
			return regs.Correct(ctx, entity, id, changes, strings.TrimSpace(reason))
		})
		uiDo(func() {
			if err != nil {
				r.Status.SetText("✗ " + u.registerError(err))
				return
			}
			u.log.Printf("registers: %s %d corrected: %v", entity, id, changes)
			r.Status.SetText("✓ " + u.tr("gui.reg.corrected"))
			if entity == register.EntityOutgoing {
				r.want = id
			}
			r.reload()
		})
	})
}

// exportDialog saves the entries shown as CSV.
func (r *registersScreen) exportDialog() {
	u := r.u
	name := "so-van-ban-di.csv"
	if r.Kind.SelectedIndex() == regIncoming {
		name = "so-van-ban-den.csv"
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		if err := r.exportCSV(path); err != nil {
			u.showError("export", err)
			return
		}
		r.Status.SetText("✓ " + u.tr("gui.reg.exported", path))
	}, u.win)
	d.SetFileName(name)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// exportCSV writes the entries shown, in their order, as path.
func (r *registersScreen) exportCSV(path string) error {
	l := export.Labels(r.u.tr)
	var v export.View
	if r.Kind.SelectedIndex() == regIncoming {
		var in []register.Incoming
		for _, i := range r.rows {
			in = append(in, r.incoming[i])
		}
		v = export.IncomingView(l, in)
	} else {
		var out []register.Outgoing
		for _, i := range r.rows {
			out = append(out, r.outgoing[i])
		}
		v = export.OutgoingView(l, out)
	}
	err := export.WriteAtomic(path, func(w io.Writer) error { return export.CSV(w, v) })
	if err == nil {
		r.u.log.Printf("registers: %d entries exported to %s", len(v.Rows), path)
	}
	return err
}

// showEntry opens the outgoing register on entry id (from the dashboard).
func (r *registersScreen) showEntry(id int64, date calendar.Date) {
	r.want = id
	if from, err := calendar.ParseDate(strings.TrimSpace(r.From.Text)); err != nil || date.Before(from) {
		r.From.SetText(date.String())
	}
	r.u.Tabs.SelectIndex(tabRegisters)
	if r.Kind.SelectedIndex() != regOutgoing {
		r.Kind.SetSelectedIndex(regOutgoing) // reloads
	} else {
		r.reload()
	}
}
