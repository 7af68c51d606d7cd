// Package token gives access to PKCS#11 tokens: module discovery, slots
// and tokens, certificates paired with their private keys, PIN login and a
// crypto.Signer that signs on the token.
//
// One Session serves a whole batch: log in once, then sign N documents
// through the same Signer. All calls on a Session are serialised by a
// mutex, so a Signer may be shared between goroutines.
//
// Builds without cgo compile and return ErrNoCgo from every operation.
package token

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"strings"
	"time"
)

// TokenInfo is what C_GetSlotInfo and C_GetTokenInfo say about a token.
type TokenInfo struct {
	SlotID          uint   `json:"slot_id"`
	SlotDescription string `json:"slot_description"`
	Label           string `json:"label"`
	Manufacturer    string `json:"manufacturer"`
	Model           string `json:"model"`
	Serial          string `json:"serial"`
	MinPINLen       uint   `json:"min_pin_len"`
	MaxPINLen       uint   `json:"max_pin_len"`
	Flags           Flags  `json:"flags"`
}

// Flags are the token flags that matter to a user.
type Flags struct {
	LoginRequired     bool `json:"login_required"`
	ProtectedAuthPath bool `json:"pin_pad"`           // CKF_PROTECTED_AUTHENTICATION_PATH
	PINCountLow       bool `json:"pin_count_low"`     // CKF_USER_PIN_COUNT_LOW
	PINFinalTry       bool `json:"pin_final_try"`     // CKF_USER_PIN_FINAL_TRY
	PINLocked         bool `json:"pin_locked"`        // CKF_USER_PIN_LOCKED
	PINToBeChanged    bool `json:"pin_to_be_changed"` // CKF_USER_PIN_TO_BE_CHANGED
	Initialized       bool `json:"initialized"`
	WriteProtected    bool `json:"write_protected"`
}

// Certificate is an X.509 certificate on a token, paired with its private
// key when the token holds one.
type Certificate struct {
	X509  *x509.Certificate
	ID    []byte // CKA_ID
	Label string // CKA_LABEL
	// HasPrivateKey is true when a private key was paired with the
	// certificate (by CKA_ID, else by public key).
	HasPrivateKey bool
	// PairedBy says how the key was found: "id", "public-key" or "".
	PairedBy string
	// AlwaysAuthenticate: the key needs the PIN again for each signature
	// (CKA_ALWAYS_AUTHENTICATE).
	AlwaysAuthenticate bool

	keyHandle uint // private key object handle, valid in its session
}

// IDHex is the CKA_ID in lowercase hex.
func (c Certificate) IDHex() string { return hex.EncodeToString(c.ID) }

// SerialHex is the certificate serial number in lowercase hex.
func (c Certificate) SerialHex() string {
	if c.X509 == nil || c.X509.SerialNumber == nil {
		return ""
	}
	return strings.ToLower(c.X509.SerialNumber.Text(16))
}

// Matches reports whether sel (hex, case and colons ignored) is this
// certificate's CKA_ID or serial number.
func (c Certificate) Matches(sel string) bool {
	sel = strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(sel))
	sel = strings.TrimPrefix(sel, "0x")
	if sel == "" {
		return false
	}
	return sel == c.IDHex() || sel == strings.TrimLeft(c.SerialHex(), "0") || sel == c.SerialHex() ||
		strings.TrimLeft(sel, "0") == strings.TrimLeft(c.SerialHex(), "0")
}

// ValidAt reports whether t is within the certificate's validity period.
func (c Certificate) ValidAt(t time.Time) bool {
	return c.X509 != nil && !t.Before(c.X509.NotBefore) && !t.After(c.X509.NotAfter)
}

// PINRequest tells a PIN source which token asks and what it last reported.
type PINRequest struct {
	Token TokenInfo
	// ContextSpecific is true for the per-signature PIN of a key with
	// CKA_ALWAYS_AUTHENTICATE.
	ContextSpecific bool
}

// PINSource supplies the user PIN. It is asked once per login; a wrong PIN
// is never retried automatically.
type PINSource interface {
	PIN(ctx context.Context, req PINRequest) (string, error)
}

// PINFunc adapts a function to PINSource.
type PINFunc func(ctx context.Context, req PINRequest) (string, error)

// PIN implements PINSource.
func (f PINFunc) PIN(ctx context.Context, req PINRequest) (string, error) { return f(ctx, req) }

// StaticPIN is a PINSource that always gives the same PIN.
type StaticPIN string

// PIN implements PINSource.
func (p StaticPIN) PIN(context.Context, PINRequest) (string, error) {
	if p == "" {
		return "", ErrPINRequired
	}
	return string(p), nil
}

// LoginOptions tune Login.
type LoginOptions struct {
	// ConfirmFinalTry must be set to attempt a login when the token reports
	// CKF_USER_PIN_FINAL_TRY; without it Login returns a *PINError wrapping
	// ErrPINFinalTry and makes no attempt.
	ConfirmFinalTry bool
}
