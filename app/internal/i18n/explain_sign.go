package i18n

import (
	"errors"
	"strings"

	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/stamp"
)

// signErrorKeys maps the signing engine's errors to messages.
var signErrorKeys = []struct {
	target error
	key    string
}{
	{pades.ErrEncrypted, "sign.err.encrypted"},
	{pades.ErrMalformed, "sign.err.malformed"},
	{pades.ErrCertified, "sign.err.certified"},
	{pades.ErrCertifyNotFirst, "sign.err.certify_not_first"},
	{pades.ErrFieldLocked, "sign.err.field_locked"},
	{pades.ErrFieldExists, "sign.err.field_exists"},
	{pades.ErrPlaceholderTooSmall, "sign.err.too_small"},
	{pades.ErrKeyMismatch, "sign.err.key_mismatch"},
	{pades.ErrCertExpired, "sign.err.cert_expired"},
	{pades.ErrTimestamp, "sign.err.timestamp"},
	{pades.ErrRevoked, "sign.err.revoked"},
	{pades.ErrRevocation, "sign.err.revocation"},
	{pades.ErrBadSignature, "sign.err.bad_signature"},
	{pades.ErrOutputCheck, "sign.err.output_check"},
	{pades.ErrBadOptions, "sign.err.bad_options"},
	{pades.ErrBatchStopped, "sign.err.batch_stopped"},
}

// roleErrorKeys maps role and image errors to messages and hints; the more
// precise image errors come first.
var roleErrorKeys = []struct {
	target    error
	key, hint string
}{
	{stamp.ErrNotPNG, "image.err.not_png", ""},
	{stamp.ErrNoTransparency, "image.err.no_transparency", "image.hint.transparency"},
	{stamp.ErrEmpty, "image.err.empty", ""},
	{stamp.ErrSize, "image.err.size", ""},
	{stamp.ErrNotFound, "image.err.not_found", "image.hint.import"},
	{roles.ErrNoApproval, "sign.role.err.no_approval", "sign.role.hint.no_approval"},
	{roles.ErrApprovalInvalid, "sign.role.err.approval_invalid", "sign.role.hint.trust"},
	{roles.ErrInvalidSignature, "sign.role.err.invalid_signature", ""},
	{roles.ErrAlreadyIssued, "sign.role.err.already_issued", ""},
	{roles.ErrOrder, "sign.role.err.order", ""},
	{roles.ErrNumberMismatch, "sign.role.err.number_mismatch", ""},
	{roles.ErrAlreadyFilled, "sign.role.err.already_filled", "sign.role.hint.number_at"},
	{roles.ErrDateMismatch, "sign.role.err.date_mismatch", ""},
	{roles.ErrNoRoom, "sign.role.err.no_room", "sign.role.hint.place"},
	{roles.ErrNotFound, "sign.role.err.not_found", "sign.role.hint.place"},
	{roles.ErrBadRequest, "sign.role.err.bad_request", ""},
}

// SignText is the message for a signing engine error, with the engine's
// detail after it; other errors as Describe.
func SignText(lang string, err error) string {
	var pe *pades.PageError
	if errors.As(err, &pe) {
		return T(lang, "sign.err.page", pe.Page, pe.Pages)
	}
	for _, m := range signErrorKeys {
		if errors.Is(err, m.target) {
			return T(lang, m.key) + " (" + err.Error() + ")"
		}
	}
	return Describe(lang, err)
}

// ExplainSign returns the message and hint for an error of a sign run in
// role ("" for a plain signature): role, image, signing engine and token
// errors alike.
func ExplainSign(lang, role string, err error) (msg, hint string) {
	for _, m := range roleErrorKeys {
		if errors.Is(err, m.target) {
			msg = T(lang, m.key) + " (" + err.Error() + ")"
			if m.hint != "" {
				h := m.hint
				if h == "sign.role.hint.place" && role == string(roles.Issue) && !strings.Contains(err.Error(), "seal") {
					h = "sign.role.hint.number_at"
				}
				hint = T(lang, h)
			}
			return msg, hint
		}
	}
	var pe *pades.PageError
	if errors.As(err, &pe) {
		return SignText(lang, err), ""
	}
	for _, m := range signErrorKeys {
		if errors.Is(err, m.target) {
			return SignText(lang, err), ""
		}
	}
	return Explain(lang, err)
}
