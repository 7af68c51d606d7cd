package i18n

import (
	"context"
	"errors"

	"github.com/vanthu/vanthu/token"
)

// errorMessage maps a domain error to a translated message and, where the
// user can do something about it, a hint. Internal detail stays in the
// error's text, which is printed after the message in the CLI.
type errorMessage struct {
	target error
	msg    string
	hint   string
}

var errorMessages = []errorMessage{
	{token.ErrPINLocked, "err.pin_locked", "hint.pin_locked"},
	{token.ErrPINFinalTry, "err.pin_final_try", "hint.pin_final_try"},
	{token.ErrPINIncorrect, "err.pin_incorrect", "hint.pin_incorrect"},
	{token.ErrPINRequired, "err.pin_required", "hint.pin_required"},
	{token.ErrTokenRemoved, "err.token_removed", "hint.token_removed"},
	{token.ErrModuleNotFound, "err.module_not_found", "hint.module"},
	{token.ErrModuleNotLoadable, "err.module_not_loadable", "hint.module"},
	{token.ErrNoModule, "err.no_module", "hint.module"},
	{token.ErrNoToken, "err.no_token", "hint.no_token"},
	{token.ErrNoPrivateKey, "err.no_private_key", "hint.no_private_key"},
	{token.ErrCertNotFound, "err.cert_not_found", "hint.cert"},
	{token.ErrAmbiguous, "err.ambiguous", "hint.cert"},
	{token.ErrUnsupportedKey, "err.unsupported_key", ""},
	{token.ErrNotLoggedIn, "err.not_logged_in", ""},
	{token.ErrNoCgo, "err.no_cgo", ""},
	{context.Canceled, "err.cancelled", ""},
	{context.DeadlineExceeded, "err.timeout", ""},
}

// Describe returns the translated message for err, with its detail.
func Describe(lang string, err error) string {
	msg, _ := Explain(lang, err)
	return msg
}

// Explain returns the translated message and hint for err.
func Explain(lang string, err error) (msg, hint string) {
	for _, m := range errorMessages {
		if errors.Is(err, m.target) {
			msg = T(lang, m.msg)
			if pe := (*token.PINError)(nil); errors.As(err, &pe) && errors.Is(m.target, token.ErrPINIncorrect) {
				switch {
				case pe.FinalTry:
					msg = T(lang, "err.pin_incorrect_final")
				case pe.CountLow:
					msg = T(lang, "err.pin_incorrect_low")
				}
			}
			if me := (*token.ModuleError)(nil); errors.As(err, &me) {
				msg += ": " + me.Path
				if me.Reason != "" {
					msg += " (" + me.Reason + ")"
				}
			}
			if m.hint != "" {
				hint = T(lang, m.hint)
			}
			return msg, hint
		}
	}
	return err.Error(), ""
}

// PINWarning is the warning shown for a token's PIN flags, or "".
func PINWarning(lang string, f token.Flags) string {
	switch {
	case f.PINLocked:
		return T(lang, "warn.pin_locked")
	case f.PINFinalTry:
		return T(lang, "warn.pin_final_try")
	case f.PINCountLow:
		return T(lang, "warn.pin_count_low")
	case f.PINToBeChanged:
		return T(lang, "warn.pin_to_be_changed")
	}
	return ""
}

// HintKey is the catalogue key of the hint Explain gives for err, "" when
// there is none (front ends with their own wording look up a prefixed key
// first, e.g. "gui.hint.module").
func HintKey(err error) string {
	for _, m := range errorMessages {
		if errors.Is(err, m.target) {
			return m.hint
		}
	}
	return ""
}
