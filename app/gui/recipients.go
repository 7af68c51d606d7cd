package gui

import (
	"encoding/json"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/roles"
)

// recipientPicker chooses recipients from the hub's agency directory: a
// tree by parent, a search by name or code with or without diacritics
// ("so noi vu" finds "Sở Nội vụ"), and the user's saved groups of
// frequent recipients. The last directory is kept, so recipients can be
// chosen while the hub cannot be reached.
type recipientPicker struct {
	u       *ui
	content fyne.CanvasObject

	Search    *widget.Entry
	Tree      *widget.Tree
	Chosen    *widget.Label
	Clear     *widget.Button
	Groups    *widget.Select
	SaveGroup *widget.Button
	DelGroup  *widget.Button

	agencies map[string]wire.Agency // by code
	children map[string][]string    // parent ("" = top) → codes
	visible  map[string]bool        // nil = all
	selected map[string]bool
	own      string // the window's agency (not offered)
	onChange func()
}

func newRecipientPicker(u *ui, onChange func()) *recipientPicker {
	p := &recipientPicker{u: u, selected: map[string]bool{}, onChange: onChange}
	p.Search = widget.NewEntry()
	p.Search.SetPlaceHolder(u.tr("gui.send.search"))
	p.Search.OnChanged = func(string) { p.filter() }
	p.Search.OnSubmitted = func(string) { p.takeMatch() }
	p.Tree = widget.NewTree(p.childUIDs, p.isBranch,
		func(bool) fyne.CanvasObject { return widget.NewCheck("", nil) },
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			c := o.(*widget.Check)
			a := p.agencies[id]
			c.OnChanged = nil
			c.Text = a.Code + " — " + a.Name
			c.SetChecked(p.selected[id])
			c.OnChanged = func(on bool) { p.set(id, on) }
			c.Refresh()
		})
	p.Chosen = widget.NewLabel("")
	p.Chosen.Wrapping = fyne.TextWrapWord
	p.Clear = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { p.setSelected(nil) })
	p.Groups = widget.NewSelect(nil, func(name string) {
		if codes, ok := u.set.Groups()[name]; ok {
			for _, c := range codes {
				p.selected[c] = true
			}
			p.changed()
		}
	})
	p.Groups.PlaceHolder = u.tr("gui.send.groups")
	p.SaveGroup = widget.NewButtonWithIcon(u.tr("gui.send.save_group"), theme.DocumentSaveIcon(), p.saveGroup)
	p.DelGroup = widget.NewButtonWithIcon("", theme.DeleteIcon(), p.deleteGroup)
	p.loadGroups()
	p.setDirectory(p.cached(), "")
	tree := container.NewGridWrap(fyne.NewSize(380, 170), p.Tree)
	p.content = container.NewVBox(p.Search, tree,
		container.NewBorder(nil, nil, nil, p.Clear, p.Chosen),
		container.NewBorder(nil, nil, nil, container.NewHBox(p.SaveGroup, p.DelGroup), p.Groups))
	return p
}

// cached is the directory the hub gave last.
func (p *recipientPicker) cached() []wire.Agency {
	var list []wire.Agency
	_ = json.Unmarshal([]byte(p.u.set.Directory()), &list)
	return list
}

// setDirectory shows the hub's agencies (revoked ones left out) and keeps
// them for offline use.
func (p *recipientPicker) setDirectory(list []wire.Agency, own string) {
	p.agencies, p.children, p.own = map[string]wire.Agency{}, map[string][]string{}, own
	var keep []wire.Agency
	for _, a := range list {
		if a.Revoked != nil {
			continue
		}
		keep = append(keep, a)
		if a.Code != own {
			p.agencies[a.Code] = a
		}
	}
	for code, a := range p.agencies {
		parent := a.Parent
		if _, ok := p.agencies[parent]; !ok {
			parent = ""
		}
		p.children[parent] = append(p.children[parent], code)
	}
	for k := range p.children {
		sort.Strings(p.children[k])
	}
	for c := range p.selected {
		if _, ok := p.agencies[c]; !ok {
			delete(p.selected, c)
		}
	}
	if len(keep) > 0 {
		b, _ := json.Marshal(keep)
		p.u.set.SetDirectory(string(b))
	}
	p.filter()
	p.showChosen()
}

func (p *recipientPicker) childUIDs(id widget.TreeNodeID) []widget.TreeNodeID {
	var out []string
	for _, c := range p.children[id] {
		if p.visible == nil || p.visible[c] {
			out = append(out, c)
		}
	}
	return out
}

func (p *recipientPicker) isBranch(id widget.TreeNodeID) bool {
	return id == "" || len(p.childUIDs(id)) > 0
}

// filter keeps the agencies whose name or code matches the search, with
// their parents; matching ignores case and diacritics.
func (p *recipientPicker) filter() {
	q := roles.FoldName(p.Search.Text)
	if q == "" {
		p.visible = nil
	} else {
		p.visible = map[string]bool{}
		for code, a := range p.agencies {
			if strings.Contains(roles.FoldName(a.Name), q) || strings.Contains(strings.ToUpper(code), strings.ToUpper(strings.TrimSpace(p.Search.Text))) {
				for c := code; c != ""; c = p.agencies[c].Parent {
					if p.visible[c] {
						break
					}
					p.visible[c] = true
				}
			}
		}
	}
	p.Tree.Refresh()
	p.Tree.OpenAllBranches()
}

// Matches lists the codes the search shows (tests read it).
func (p *recipientPicker) Matches() []string {
	var out []string
	var walk func(string)
	walk = func(id string) {
		for _, c := range p.childUIDs(id) {
			out = append(out, c)
			walk(c)
		}
	}
	walk("")
	return out
}

// takeMatch (Enter in the search) chooses the one agency the search
// finds, and clears the search for the next.
func (p *recipientPicker) takeMatch() {
	var leaves []string
	for _, c := range p.Matches() {
		a := p.agencies[c]
		if strings.Contains(roles.FoldName(a.Name), roles.FoldName(p.Search.Text)) || strings.EqualFold(c, strings.TrimSpace(p.Search.Text)) {
			leaves = append(leaves, c)
		}
	}
	if len(leaves) != 1 {
		return
	}
	p.selected[leaves[0]] = true
	p.Search.SetText("")
	p.u.log.Printf("send: recipient %s chosen", leaves[0])
	p.changed()
	// Out of the search, so the window's shortcuts (Ctrl+S: send) work.
	p.u.win.Canvas().Unfocus()
}

func (p *recipientPicker) set(code string, on bool) {
	if on {
		p.selected[code] = true
	} else {
		delete(p.selected, code)
	}
	p.changed()
}

// setSelected chooses exactly codes.
func (p *recipientPicker) setSelected(codes []string) {
	p.selected = map[string]bool{}
	for _, c := range codes {
		p.selected[c] = true
	}
	p.changed()
}

func (p *recipientPicker) changed() {
	p.Tree.Refresh()
	p.showChosen()
	if p.onChange != nil {
		p.onChange()
	}
}

// Codes are the chosen recipients, sorted.
func (p *recipientPicker) Codes() []string {
	var out []string
	for c := range p.selected {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Orgs are the chosen recipients with their names.
func (p *recipientPicker) Orgs() []wire.Organization {
	var out []wire.Organization
	for _, c := range p.Codes() {
		out = append(out, wire.Organization{Code: c, Name: p.agencies[c].Name})
	}
	return out
}

func (p *recipientPicker) showChosen() {
	codes := p.Codes()
	if len(codes) == 0 {
		p.Chosen.SetText(p.u.tr("gui.send.no_recipient"))
		return
	}
	var names []string
	for _, c := range codes {
		n := c
		if a, ok := p.agencies[c]; ok && a.Name != "" {
			n += " " + a.Name
		}
		names = append(names, n)
	}
	p.Chosen.SetText(p.u.tr("gui.send.recipients", len(codes), strings.Join(names, "; ")))
}

func (p *recipientPicker) loadGroups() {
	var names []string
	for n := range p.u.set.Groups() {
		names = append(names, n)
	}
	sort.Strings(names)
	p.Groups.Options = names
	p.Groups.ClearSelected()
	p.Groups.Refresh()
}

// saveGroup saves the chosen recipients as a named group.
func (p *recipientPicker) saveGroup() {
	u := p.u
	codes := p.Codes()
	if len(codes) == 0 {
		return
	}
	name := widget.NewEntry()
	name.SetPlaceHolder(u.tr("gui.send.group_name"))
	dialog.NewForm(u.tr("gui.send.save_group"), u.tr("gui.ok"), u.tr("gui.cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.tr("gui.send.group_name"), name)}, func(ok bool) {
			if ok {
				p.storeGroup(name.Text, codes)
			}
		}, u.win).Show()
}

func (p *recipientPicker) storeGroup(name string, codes []string) {
	name = strings.TrimSpace(name)
	if name == "" {
		return
	}
	g := p.u.set.Groups()
	g[name] = codes
	p.u.set.SetGroups(g)
	p.loadGroups()
}

func (p *recipientPicker) deleteGroup() {
	name := p.Groups.Selected
	if name == "" {
		return
	}
	g := p.u.set.Groups()
	delete(g, name)
	p.u.set.SetGroups(g)
	p.loadGroups()
}
