package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect names the SQL database behind a DB.
type Dialect string

const (
	// SQLite is the embedded default (modernc.org/sqlite, no cgo).
	SQLite Dialect = "sqlite"
	// Postgres is PostgreSQL through github.com/jackc/pgx/v5.
	Postgres Dialect = "postgres"
)

// BusyTimeout is how long a SQLite connection waits for another writer
// before it reports busy (and the transaction helper retries).
const BusyTimeout = 10 * time.Second

// DB is an open database with its dialect. The embedded *sql.DB is usable
// directly; the methods on DB rebind "?" placeholders first.
type DB struct {
	*sql.DB
	dialect Dialect
	dsn     string
	waker   *waker
}

// Options tune Open. The zero value is right for most uses.
type Options struct {
	// MaxOpenConns caps the connection pool (default: 8 for SQLite, 16 for
	// PostgreSQL).
	MaxOpenConns int
	// PageSize is the page size of a SQLite database created by this Open
	// (SQLite's default, 4096, when 0; an existing file keeps its own).
	// Large pages suit large values: the hub stores packages with 32768.
	PageSize int
}

// IsPostgresDSN reports whether dsn addresses a PostgreSQL server rather
// than a SQLite file.
func IsPostgresDSN(dsn string) bool {
	lower := strings.ToLower(strings.TrimSpace(dsn))
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return true
	}
	// libpq key/value form: "host=… dbname=…".
	return strings.Contains(lower, "=") && !strings.ContainsAny(lower, "/\\?") && strings.Contains(lower, "dbname=")
}

// Open opens the database that dsn names: a PostgreSQL URL or key/value
// string, or a SQLite file path (created if missing, its folder too) or
// "file:" URI. It pings the database before it returns.
func Open(ctx context.Context, dsn string, opts ...Options) (*DB, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return nil, fmt.Errorf("%w: empty", ErrBadDSN)
	}
	var (
		sqldb   *sql.DB
		dialect Dialect
		err     error
	)
	if IsPostgresDSN(dsn) {
		dialect = Postgres
		sqldb, err = sql.Open("pgx", dsn)
		if o.MaxOpenConns == 0 {
			o.MaxOpenConns = 16
		}
	} else {
		dialect = SQLite
		var full string
		full, err = sqliteDSN(dsn, o.PageSize)
		if err == nil {
			sqldb, err = sql.Open("sqlite", full)
		}
		if o.MaxOpenConns == 0 {
			o.MaxOpenConns = 8
		}
	}
	if err != nil {
		return nil, fmt.Errorf("failed to open %s database: %w", dialect, err)
	}
	sqldb.SetMaxOpenConns(o.MaxOpenConns)
	sqldb.SetMaxIdleConns(o.MaxOpenConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqldb.PingContext(ctx); err != nil {
		_ = sqldb.Close()
		return nil, fmt.Errorf("failed to connect to %s database: %w", dialect, err)
	}
	db := &DB{DB: sqldb, dialect: dialect, dsn: dsn}
	db.waker = newWaker(db)
	return db, nil
}

// sqliteDSN turns a path or file: URI into a modernc.org/sqlite DSN with the
// pragmas every connection needs. BEGIN IMMEDIATE takes the write lock at the
// start of each transaction, so two writers never deadlock on a lock upgrade:
// the later one waits (busy timeout) and the helper retries if it must.
func sqliteDSN(dsn string, pageSize int) (string, error) {
	params := url.Values{}
	for _, p := range []string{
		"busy_timeout(" + strconv.Itoa(int(BusyTimeout/time.Millisecond)) + ")",
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(1)",
	} {
		params.Add("_pragma", p)
	}
	params.Set("_txlock", "immediate")
	params.Set("_time_format", "sqlite")
	if strings.HasPrefix(dsn, "file:") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + params.Encode(), nil
	}
	if strings.Contains(dsn, "?") {
		return "", fmt.Errorf("%w: a SQLite path must not contain '?': %q", ErrBadDSN, dsn)
	}
	if dir := filepath.Dir(dsn); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("failed to create database folder: %w", err)
		}
	}
	if pageSize > 0 {
		if err := createWithPageSize(dsn, pageSize); err != nil {
			return "", err
		}
	}
	return dsn + "?" + params.Encode(), nil
}

// createWithPageSize creates a missing SQLite file with the given page
// size. The page size must be set before the file turns to WAL, which the
// driver's pragma order (sorted by name) would not allow.
func createWithPageSize(path string, pageSize int) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	db, err := sql.Open("sqlite", path+"?_pragma=page_size("+strconv.Itoa(pageSize)+")")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE store_init (x INTEGER); DROP TABLE store_init"); err != nil {
		return fmt.Errorf("failed to create database: %w", err)
	}
	return db.Close()
}

// Dialect is the database's SQL dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close stops the change listener and closes the pool.
func (db *DB) Close() error {
	db.waker.close()
	return db.DB.Close()
}

// Rebind rewrites "?" placeholders to the dialect's form ($1, $2, … for
// PostgreSQL). Question marks inside quoted strings and identifiers are left
// alone.
func (db *DB) Rebind(query string) string { return rebind(db.dialect, query) }

func rebind(d Dialect, query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Exec runs a statement with "?" placeholders.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.DB.ExecContext(ctx, db.Rebind(query), args...)
}

// Query runs a query with "?" placeholders.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.DB.QueryContext(ctx, db.Rebind(query), args...)
}

// QueryRow runs a single-row query with "?" placeholders.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.DB.QueryRowContext(ctx, db.Rebind(query), args...)
}

// Querier is what DB and Tx have in common, for code that runs either inside
// or outside a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
	Dialect() Dialect
}

var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
)

// Tx is a transaction whose methods rebind "?" placeholders.
type Tx struct {
	*sql.Tx
	db       *DB
	notified map[string]bool
}

// Dialect is the database's SQL dialect.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// Exec runs a statement with "?" placeholders.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.db.Rebind(query), args...)
}

// Query runs a query with "?" placeholders.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.db.Rebind(query), args...)
}

// QueryRow runs a single-row query with "?" placeholders.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.db.Rebind(query), args...)
}

// InsertID runs an INSERT that ends in "RETURNING <integer column>" (both
// dialects understand RETURNING) and returns that value.
func InsertID(ctx context.Context, q Querier, query string, args ...any) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, query, args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// TxOptions tune DB.Tx.
type TxOptions struct {
	// ReadOnly marks the transaction read-only where the dialect can use it.
	ReadOnly bool
	// Serializable asks PostgreSQL for SERIALIZABLE isolation (SQLite
	// transactions are always serializable).
	Serializable bool
	// MaxAttempts caps the attempts on busy or serialization errors
	// (default 8).
	MaxAttempts int
}

// Tx runs fn in a transaction and commits it if fn returns nil. When the
// database reports a transient conflict (SQLite busy or locked, PostgreSQL
// serialization failure or deadlock) the whole transaction is rolled back
// and fn runs again after a short, growing pause; fn must therefore have no
// effects outside the transaction. Notifications queued with Tx.Notify are
// delivered only after the commit.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error, opts ...TxOptions) error {
	var o TxOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	pause := 5 * time.Millisecond
	var err error
	for attempt := 1; ; attempt++ {
		err = db.tryTx(ctx, fn, o)
		if err == nil || !IsRetryable(err) {
			return err
		}
		if attempt >= o.MaxAttempts {
			return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, attempt, err)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
		if pause < 200*time.Millisecond {
			pause *= 2
		}
	}
}

func (db *DB) tryTx(ctx context.Context, fn func(tx *Tx) error, o TxOptions) (err error) {
	txo := &sql.TxOptions{}
	if db.dialect == Postgres {
		txo.ReadOnly = o.ReadOnly
		if o.Serializable {
			txo.Isolation = sql.LevelSerializable
		}
	}
	sqltx, err := db.DB.BeginTx(ctx, txo)
	if err != nil {
		return fmt.Errorf("failed to begin transaction: %w", err)
	}
	tx := &Tx{Tx: sqltx, db: db}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqltx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.sendNotifications(ctx); err != nil {
		return err
	}
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("failed to commit transaction: %w", err)
	}
	if db.dialect != Postgres { // PostgreSQL delivers its own, to every process
		for ch := range tx.notified {
			db.waker.local(ch)
		}
	}
	return nil
}

// Collect runs query and scans every row with scan.
func Collect[T any](ctx context.Context, q Querier, scan func(*sql.Rows) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
