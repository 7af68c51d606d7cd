package gui

import (
	"context"
	"errors"
	"path/filepath"

	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/register"
)

// openEntryDocument finds the signed PDF of a register entry (entity
// register.EntityOutgoing or EntityIncoming) off the UI thread — a sent
// document out of the package this installation keeps, a received one in
// its inbox — and opens it on the Verify screen: the document, its preview
// and the verdict of its signatures. What stands in the way (sent on
// paper only, not on this machine, changed) is said in status.
func (u *ui) openEntryDocument(status *widget.Label, entity string, id int64) {
	status.SetText(u.tr("gui.doc.opening"))
	u.bg.Go(func() {
		var path string
		err := u.desk.with(func(ctx context.Context, x *bridge.Exchange) error {
			regs, err := u.registers(x)
			if err != nil {
				return err
			}
			if entity == register.EntityIncoming {
				in, err := regs.Incoming(ctx, id)
				if err != nil {
					return err
				}
				path, err = x.IncomingFile(ctx, in)
				return err
			}
			o, err := regs.Outgoing(ctx, id)
			if err != nil {
				return err
			}
			path, err = x.OutgoingFile(ctx, o)
			return err
		})
		uiDo(func() {
			if err != nil {
				u.log.Printf("open document of %s %d: %v", entity, id, err)
				status.SetText("✗ " + u.documentError(err))
				return
			}
			u.log.Printf("open document of %s %d: %s", entity, id, path)
			status.SetText("✓ " + u.tr("gui.doc.opened", filepath.Base(path)))
			u.Tabs.SelectIndex(tabVerify)
			u.Verify.addFiles([]string{path})
		})
	})
}

// documentError says why a register entry's document cannot be opened.
func (u *ui) documentError(err error) string {
	switch {
	case errors.Is(err, client.ErrPaperOnly):
		return u.tr("gui.doc.paper_only")
	case errors.Is(err, client.ErrNoFile):
		return u.tr("gui.doc.not_here")
	case errors.Is(err, client.ErrTampered):
		return u.tr("gui.doc.tampered")
	}
	return u.registerError(err)
}
