package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrations is one component's schema history: goose SQL files
// ("00001_init.sql" with "-- +goose Up" / "-- +goose Down" sections) in
// FS. Files for one dialect live in a folder named after it ("sqlite",
// "postgres"); when that folder is missing, the files at the root of FS
// serve both dialects. Each component keeps its own version table
// (goose_<component>), so components migrate independently.
type Migrations struct {
	// Component names the owner, e.g. "hub", "register" (lowercase letters,
	// digits, underscore).
	Component string
	// FS holds the SQL files, typically an embed.FS.
	FS fs.FS
}

var componentName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,40}$`)

// migrationLockID is the PostgreSQL advisory lock that serialises the
// migrations of every component, so hub processes that start together
// never race on the schema.
const migrationLockID = 0x76616e746875 // "vanthu"

// Migrate brings the component's schema up to date. It is safe to call
// from several processes at once.
func Migrate(ctx context.Context, db *DB, m Migrations) error {
	if !componentName.MatchString(m.Component) || m.FS == nil {
		return fmt.Errorf("%w: component %q", ErrBadMigrations, m.Component)
	}
	fsys, err := dialectFS(m.FS, db.dialect)
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	opts := []goose.ProviderOption{
		goose.WithTableName("goose_" + m.Component),
		goose.WithDisableGlobalRegistry(true),
	}
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMigration, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.DB, fsys, opts...)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrMigration, m.Component, err)
	}
	if _, err := p.Up(ctx); err != nil && !errors.Is(err, goose.ErrNoNextVersion) {
		return fmt.Errorf("%w: %s: %w", ErrMigration, m.Component, err)
	}
	return nil
}

// MigrationVersion reports the component's applied schema version (0 when
// none).
func MigrationVersion(ctx context.Context, db *DB, m Migrations) (int64, error) {
	fsys, err := dialectFS(m.FS, db.dialect)
	if err != nil {
		return 0, err
	}
	gd := goose.DialectSQLite3
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db.DB, fsys,
		goose.WithTableName("goose_"+m.Component), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, fmt.Errorf("%w: %s: %w", ErrMigration, m.Component, err)
	}
	return p.GetDBVersion(ctx)
}

func dialectFS(fsys fs.FS, d Dialect) (fs.FS, error) {
	if st, err := fs.Stat(fsys, string(d)); err == nil && st.IsDir() {
		return fs.Sub(fsys, string(d))
	}
	matches, err := fs.Glob(fsys, "*.sql")
	if err != nil || len(matches) == 0 {
		return nil, fmt.Errorf("%w: no SQL for %s", ErrBadMigrations, d)
	}
	return fsys, nil
}
