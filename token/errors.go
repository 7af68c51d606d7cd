package token

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps one of them
// (test with errors.Is) and, where the token said more, is a *PINError,
// *ModuleError or *Error carrying the token's own facts.
var (
	// ErrNoCgo is returned by every operation of a build without cgo.
	ErrNoCgo = errors.New("PKCS#11 support needs a build with cgo")
	// ErrModuleNotFound: the module file does not exist.
	ErrModuleNotFound = errors.New("PKCS#11 module not found")
	// ErrModuleNotLoadable: the file exists but is not a loadable PKCS#11
	// library (not a shared library, wrong architecture, missing symbols, or
	// C_Initialize failed).
	ErrModuleNotLoadable = errors.New("PKCS#11 module cannot be loaded")
	// ErrNoModule: no module was given and none of the known ones is installed.
	ErrNoModule = errors.New("no PKCS#11 module found")
	// ErrNoToken: no token is present, or none matches the requested label.
	ErrNoToken = errors.New("no token found")
	// ErrTokenRemoved: the token was removed (or re-initialised) while in use.
	ErrTokenRemoved = errors.New("token removed")
	// ErrPINIncorrect: the token rejected the PIN.
	ErrPINIncorrect = errors.New("PIN incorrect")
	// ErrPINLocked: the user PIN is blocked; an administrator must unblock it.
	ErrPINLocked = errors.New("PIN locked")
	// ErrPINFinalTry: the token allows one more PIN attempt only; the caller
	// has to confirm explicitly before it is made.
	ErrPINFinalTry = errors.New("PIN final try needs confirmation")
	// ErrPINRequired: the PIN source gave no PIN.
	ErrPINRequired = errors.New("PIN required")
	// ErrNotLoggedIn: an operation that needs a login was attempted without one.
	ErrNotLoggedIn = errors.New("not logged in")
	// ErrNoPrivateKey: the certificate has no matching private key on the token.
	ErrNoPrivateKey = errors.New("no private key for the certificate")
	// ErrCertNotFound: no certificate matches the requested ID or serial.
	ErrCertNotFound = errors.New("certificate not found")
	// ErrUnsupportedKey: key type, curve or hash the signer cannot handle.
	ErrUnsupportedKey = errors.New("unsupported key or algorithm")
	// ErrAmbiguous: several tokens or certificates match; the user must choose.
	ErrAmbiguous = errors.New("several candidates match")
	// ErrClosed: the module or session was closed.
	ErrClosed = errors.New("token session closed")
)

// PINError describes a refused login with what the token reports about the
// remaining tries.
type PINError struct {
	Err      error // ErrPINIncorrect, ErrPINLocked or ErrPINFinalTry
	CountLow bool  // CKF_USER_PIN_COUNT_LOW: at least one wrong PIN since the last good one
	FinalTry bool  // CKF_USER_PIN_FINAL_TRY: the next wrong PIN locks the token
	Locked   bool  // CKF_USER_PIN_LOCKED
}

func (e *PINError) Error() string {
	switch {
	case e.Locked:
		return "failed to log in: PIN locked"
	case e.FinalTry && errors.Is(e.Err, ErrPINFinalTry):
		return "failed to log in: one PIN try left; confirm before trying"
	case e.FinalTry:
		return "failed to log in: PIN incorrect, one try left before the token locks"
	case e.CountLow:
		return "failed to log in: PIN incorrect, tries remain (count low)"
	default:
		return "failed to log in: PIN incorrect, tries remain"
	}
}

func (e *PINError) Unwrap() error { return e.Err }

// ModuleError is a module that could not be used, with the reason.
type ModuleError struct {
	Path   string
	Err    error  // ErrModuleNotFound or ErrModuleNotLoadable
	Reason string // e.g. "built for arm64, this program is amd64"
}

func (e *ModuleError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("failed to load PKCS#11 module %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("failed to load PKCS#11 module %s: %v: %s", e.Path, e.Err, e.Reason)
}

func (e *ModuleError) Unwrap() error { return e.Err }

// Error is a PKCS#11 call that failed with a return value the package does
// not map to a more specific sentinel.
type Error struct {
	Op   string // the PKCS#11 function, e.g. "C_Sign"
	Code uint   // the CKR_ value
	Name string // its name, e.g. "CKR_DEVICE_ERROR"
}

func (e *Error) Error() string {
	return fmt.Sprintf("failed to call %s: %s (0x%x)", e.Op, e.Name, e.Code)
}
