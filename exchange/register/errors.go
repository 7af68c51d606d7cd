package register

import "errors"

var (
	// ErrNotFound: no such unit, staff member or register entry (or one the
	// actor may not see: the two are not told apart).
	ErrNotFound = errors.New("register: not found")
	// ErrForbidden: the actor's agency does not include the unit.
	ErrForbidden = errors.New("register: the agency may not reach this unit")
	// ErrInvalid: the input is incomplete or malformed.
	ErrInvalid = errors.New("register: invalid entry")
	// ErrDuplicate: the unit, staff certificate or document is already
	// registered.
	ErrDuplicate = errors.New("register: already registered")
	// ErrNoReason: a correction or cancellation without its reason.
	ErrNoReason = errors.New("register: a reason is required")
	// ErrNotCorrectable: the field cannot be corrected by hand (signature
	// verdicts come from verifying the document).
	ErrNotCorrectable = errors.New("register: this field cannot be corrected by hand")
	// ErrImportRejected: some rows of an import were rejected, so nothing
	// was imported (see ImportReport).
	ErrImportRejected = errors.New("register: rows were rejected; nothing was imported")
	// ErrCycle: a unit cannot move below itself.
	ErrCycle = errors.New("register: a unit cannot be placed below itself")
	// ErrHeldBack: RecordAll did not record an event because an earlier
	// event of the same document failed (it would be applied out of order).
	ErrHeldBack = errors.New("register: held back behind an earlier event of the document that failed")
)
