package gui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/token"
)

var guiGetenv = os.Getenv

// homeScreen is the main window's content: for now the token screen, which
// shows the PKCS#11 modules found, their tokens and certificates.
type homeScreen struct {
	lang    string
	content fyne.CanvasObject

	Status  *widget.Label
	Refresh *widget.Button
	Tokens  *widget.Label
}

func newHome(a fyne.App, lang string) *homeScreen {
	h := &homeScreen{lang: lang}
	h.Status = widget.NewLabel(i18n.T(lang, "gui.tokens.idle"))
	h.Tokens = widget.NewLabel("")
	h.Tokens.Wrapping = fyne.TextWrapWord
	h.Refresh = widget.NewButton(i18n.T(lang, "gui.tokens.refresh"), h.refresh)
	title := widget.NewLabelWithStyle(i18n.T(lang, "gui.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	h.content = container.NewBorder(
		container.NewVBox(title, container.NewHBox(h.Refresh, h.Status)),
		nil, nil, nil,
		container.NewVScroll(h.Tokens),
	)
	h.refresh()
	return h
}

// refresh reads the tokens in a goroutine and updates the widgets through
// fyne.Do.
func (h *homeScreen) refresh() {
	h.Refresh.Disable()
	h.Status.SetText(i18n.T(h.lang, "gui.tokens.reading"))
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		text := describeTokens(ctx, h.lang, guiGetenv)
		fyne.Do(func() {
			h.Tokens.SetText(text)
			h.Status.SetText(i18n.T(h.lang, "gui.tokens.done"))
			h.Refresh.Enable()
		})
	}()
}

// describeTokens renders the modules, tokens and certificates as text.
func describeTokens(ctx context.Context, lang string, getenv func(string) string) string {
	var b strings.Builder
	cands := token.Discover("", getenv)
	if len(cands) == 0 {
		return i18n.T(lang, "token.no_module")
	}
	for _, c := range cands {
		if !c.Found || c.Problem != "" {
			continue
		}
		fmt.Fprintf(&b, "%s  %s\n", c.Path, c.Vendor)
		m, err := token.Open(c.Path)
		if err != nil {
			fmt.Fprintf(&b, "  %s\n", i18n.Describe(lang, err))
			continue
		}
		toks, err := m.Tokens(ctx)
		if err != nil {
			fmt.Fprintf(&b, "  %s\n", i18n.Describe(lang, err))
		}
		for _, t := range toks {
			if !t.Flags.Initialized {
				continue // an empty slot (SoftHSM2 always offers one)
			}
			fmt.Fprintf(&b, "  %s — %s %s (%s)\n", t.Label, t.Manufacturer, t.Model, t.Serial)
			if w := i18n.PINWarning(lang, t.Flags); w != "" {
				fmt.Fprintf(&b, "    %s\n", w)
			}
			s, err := m.OpenSession(ctx, t.SlotID)
			if err != nil {
				fmt.Fprintf(&b, "    %s\n", i18n.Describe(lang, err))
				continue
			}
			certs, err := s.Certificates(ctx)
			if err != nil {
				fmt.Fprintf(&b, "    %s\n", i18n.Describe(lang, err))
			}
			for _, c := range certs {
				fmt.Fprintf(&b, "    %s — %s (%s → %s)\n", c.X509.Subject.CommonName, c.X509.Issuer.CommonName,
					c.X509.NotBefore.Format("2006-01-02"), c.X509.NotAfter.Format("2006-01-02"))
			}
			_ = s.Close()
		}
		_ = m.Close()
	}
	if b.Len() == 0 {
		return i18n.T(lang, "token.no_module")
	}
	return b.String()
}
