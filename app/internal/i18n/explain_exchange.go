package i18n

import (
	"errors"

	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/client"
)

// exchangeKeys map the exchange client's errors to messages and hints
// (catalogue assets/translations/{vi,en}/exchange.json). The hints name
// CLI commands; front ends with their own wording look up the hint key
// with a prefix first ("gui.exchange.hint.enroll").
var exchangeKeys = []errorMessage{
	{axisclient.ErrNoSecret, "axis.err.no_secret", "axis.hint.enroll"},
	{axisclient.ErrCredentials, "axis.err.credentials", "axis.hint.credentials"},
	{client.ErrNotEnrolled, "exchange.err.not_enrolled", "exchange.hint.enroll"},
	{client.ErrBadConfig, "exchange.err.bad_config", "exchange.hint.enroll"},
	{client.ErrForbidden, "exchange.err.forbidden", ""},
	{client.ErrTooLarge, "exchange.err.too_large", ""},
	{client.ErrTooMany, "exchange.err.too_many", ""},
	{client.ErrRateLimited, "exchange.err.rate_limited", ""},
	{client.ErrUnknownAgency, "exchange.err.unknown_agency", "exchange.hint.directory"},
	{client.ErrConflict, "exchange.err.conflict", ""},
	{client.ErrRefused, "exchange.err.refused", ""},
	{client.ErrCertRefused, "exchange.err.cert_refused", "exchange.hint.cert_refused"},
	{client.ErrUnreachable, "exchange.err.unreachable", "exchange.hint.unreachable"},
	{client.ErrNotSigned, "exchange.err.not_signed", "exchange.hint.sign_first"},
	{client.ErrReasonRequired, "exchange.err.reason_required", ""},
	{client.ErrState, "exchange.err.state", ""},
	{client.ErrNotFound, "exchange.err.not_found", ""},
	{client.ErrNoRecipient, "exchange.err.no_recipient", ""},
	{client.ErrTampered, "exchange.err.tampered", ""},
}

// ExchangeKeys returns the catalogue keys of the message and hint for an
// exchange client error ("" hint when there is none); ok is false for an
// error that is not the client's.
func ExchangeKeys(err error) (msg, hint string, ok bool) {
	for _, m := range exchangeKeys {
		if errors.Is(err, m.target) {
			return m.msg, m.hint, true
		}
	}
	return "", "", false
}
