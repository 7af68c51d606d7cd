package store

import "errors"

var (
	// ErrBadDSN is returned by Open for a DSN it cannot use.
	ErrBadDSN = errors.New("store: invalid database address")
	// ErrMigration is returned when a migration set cannot be applied.
	ErrMigration = errors.New("store: migration failed")
	// ErrBadMigrations is returned for a migration set that is not usable
	// (no component name, no SQL for the dialect).
	ErrBadMigrations = errors.New("store: invalid migration set")
	// ErrRetriesExhausted wraps the last error of a transaction that stayed
	// busy or conflicting through every retry.
	ErrRetriesExhausted = errors.New("store: database stayed busy")
)
