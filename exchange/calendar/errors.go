package calendar

import "errors"

var (
	// ErrBadDate is returned for a date that is not YYYY-MM-DD or does not exist.
	ErrBadDate = errors.New("calendar: invalid date")
	// ErrBadTable is returned for a holiday table row that cannot be read.
	ErrBadTable = errors.New("calendar: invalid holiday table")
	// ErrBadPeriod is returned for a period that cannot be read.
	ErrBadPeriod = errors.New("calendar: invalid period")
	// ErrBadDeadline is returned for a deadline rule that cannot be read.
	ErrBadDeadline = errors.New("calendar: invalid deadline rule")
)
