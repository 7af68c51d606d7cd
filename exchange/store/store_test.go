package store_test

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

//go:embed testdata/migrations testdata/common
var testFS embed.FS

func items(t testing.TB) store.Migrations {
	sub, err := fs.Sub(testFS, "testdata/migrations")
	if err != nil {
		t.Fatal(err)
	}
	return store.Migrations{Component: "items", FS: sub}
}

func common(t testing.TB) store.Migrations {
	sub, err := fs.Sub(testFS, "testdata/common")
	if err != nil {
		t.Fatal(err)
	}
	return store.Migrations{Component: "common", FS: sub}
}

// dsns gives every test both dialects: a SQLite file and a fresh database
// on the real PostgreSQL server.
func dsns(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "sub", "db.sqlite") },
		"postgres": func(t *testing.T) string { return pgtest.DSN(t) },
	}
}

func open(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func both(t *testing.T, fn func(t *testing.T, dsn string)) {
	for name, mk := range dsns(t) {
		t.Run(name, func(t *testing.T) { fn(t, mk(t)) })
	}
}

func TestOpenDialect(t *testing.T) {
	both(t, func(t *testing.T, dsn string) {
		db := open(t, dsn)
		want := store.SQLite
		if store.IsPostgresDSN(dsn) {
			want = store.Postgres
		}
		if db.Dialect() != want {
			t.Fatalf("dialect %s, want %s", db.Dialect(), want)
		}
		if want == store.SQLite {
			var mode string
			var sync, fk int
			ctx := context.Background()
			if err := db.QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
				t.Fatalf("journal_mode %q %v", mode, err)
			}
			if err := db.QueryRow(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
				t.Fatalf("synchronous %d %v, want 2 (FULL)", sync, err)
			}
			if err := db.QueryRow(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				t.Fatalf("foreign_keys %d %v", fk, err)
			}
		}
	})
}

func TestOpenPageSize(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "big.db")
	for i := 0; i < 2; i++ { // a reopened file keeps its page size
		db, err := store.Open(ctx, path, store.Options{PageSize: 32768})
		if err != nil {
			t.Fatal(err)
		}
		var size int
		var mode string
		if err := db.QueryRow(ctx, "PRAGMA page_size").Scan(&size); err != nil || size != 32768 {
			t.Fatalf("page_size %d %v", size, err)
		}
		if err := db.QueryRow(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode %q %v", mode, err)
		}
		_ = db.Close()
	}
	small := open(t, filepath.Join(t.TempDir(), "small.db"))
	var size int
	if err := small.QueryRow(ctx, "PRAGMA page_size").Scan(&size); err != nil || size != 4096 {
		t.Fatalf("default page_size %d %v", size, err)
	}
}

func TestOpenRefusesBadDSN(t *testing.T) {
	ctx := context.Background()
	if _, err := store.Open(ctx, ""); !errors.Is(err, store.ErrBadDSN) {
		t.Fatalf("empty DSN: %v", err)
	}
	if _, err := store.Open(ctx, filepath.Join(t.TempDir(), "a?b")); !errors.Is(err, store.ErrBadDSN) {
		t.Fatalf("'?' in path: %v", err)
	}
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := store.Open(ctx2, "postgres://nobody@/nodb?host="+t.TempDir()); err == nil {
		t.Fatal("open of a PostgreSQL address with no server succeeded")
	}
}

func TestRebind(t *testing.T) {
	db := open(t, pgtest.DSN(t))
	got := db.Rebind(`SELECT '?', "a?" FROM t WHERE a = ? AND b IN (?, ?)`)
	want := `SELECT '?', "a?" FROM t WHERE a = $1 AND b IN ($2, $3)`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	lite := open(t, filepath.Join(t.TempDir(), "x.db"))
	if q := "SELECT ?"; lite.Rebind(q) != q {
		t.Fatal("SQLite query rebound")
	}
}

func TestMigrateUpsertReturning(t *testing.T) {
	both(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		for i := 0; i < 2; i++ { // a second run is a no-op
			if err := store.Migrate(ctx, db, items(t)); err != nil {
				t.Fatal(err)
			}
			if err := store.Migrate(ctx, db, common(t)); err != nil {
				t.Fatal(err)
			}
		}
		if v, err := store.MigrationVersion(ctx, db, items(t)); err != nil || v != 2 {
			t.Fatalf("items version %d %v, want 2", v, err)
		}
		if v, err := store.MigrationVersion(ctx, db, common(t)); err != nil || v != 1 {
			t.Fatalf("common version %d %v, want 1 (own version table)", v, err)
		}
		var id1, id2 int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			id1, err = store.InsertID(ctx, tx, "INSERT INTO item (name, body) VALUES (?, ?) RETURNING id", "a", []byte{0, 1, 2})
			if err != nil {
				return err
			}
			id2, err = store.InsertID(ctx, tx, `INSERT INTO item (name, n) VALUES (?, 5)
				ON CONFLICT (name) DO UPDATE SET n = item.n + excluded.n RETURNING id`, "a")
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "INSERT INTO common_kv (k, v, b) VALUES (?, ?, ?) ON CONFLICT (k) DO NOTHING", "k", "v", []byte{0, 0xff})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if id1 != id2 || id1 == 0 {
			t.Fatalf("upsert returned id %d, insert %d", id2, id1)
		}
		var n int64
		var body []byte
		if err := db.QueryRow(ctx, "SELECT n, body FROM item WHERE id = ?", id1).Scan(&n, &body); err != nil || n != 5 || len(body) != 3 {
			t.Fatalf("n=%d body=%v err=%v", n, body, err)
		}
		var kvID int64
		var kvBlob []byte
		if err := db.QueryRow(ctx, "SELECT id, b FROM common_kv WHERE k = 'k'").Scan(&kvID, &kvBlob); err != nil || kvID == 0 || len(kvBlob) != 2 {
			t.Fatalf("shared migration ({{serial_pk}}, {{blob}}): id %d, blob %v, %v", kvID, kvBlob, err)
		}
		_, err = db.Exec(ctx, "INSERT INTO item (name) VALUES (?)", "a")
		if !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v, want a unique violation", err)
		}
		_, err = db.Exec(ctx, "INSERT INTO child (item_id, note) VALUES (?, ?)", 999999, "x")
		if err == nil {
			t.Fatal("foreign key not enforced")
		}
	})
}

func TestMigrateRejectsBadSet(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "x.db"))
	ctx := context.Background()
	if err := store.Migrate(ctx, db, store.Migrations{Component: "Bad Name", FS: testFS}); !errors.Is(err, store.ErrBadMigrations) {
		t.Fatalf("bad name: %v", err)
	}
	if err := store.Migrate(ctx, db, store.Migrations{Component: "empty", FS: testFS}); !errors.Is(err, store.ErrBadMigrations) {
		t.Fatalf("no SQL: %v", err)
	}
}

// Concurrent writers through the retrying transaction helper lose no update.
func TestTxRetriesConflicts(t *testing.T) {
	both(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		if err := store.Migrate(ctx, db, items(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, "INSERT INTO item (name) VALUES ('c')"); err != nil {
			t.Fatal(err)
		}
		const workers, each = 6, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := db.Tx(ctx, func(tx *store.Tx) error {
						var n int64
						if err := tx.QueryRow(ctx, "SELECT n FROM item WHERE name = 'c'").Scan(&n); err != nil {
							return err
						}
						_, err := tx.Exec(ctx, "UPDATE item SET n = ? WHERE name = 'c'", n+1)
						return err
					}, store.TxOptions{Serializable: true, MaxAttempts: 100})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var n int64
		if err := db.QueryRow(ctx, "SELECT n FROM item WHERE name = 'c'").Scan(&n); err != nil || n != workers*each {
			t.Fatalf("n = %d (%v), want %d: a lost update", n, err, workers*each)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	both(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		if err := store.Migrate(ctx, db, items(t)); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO item (name) VALUES ('r')"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var n int
		if err := db.QueryRow(ctx, "SELECT count(*) FROM item").Scan(&n); err != nil || n != 0 {
			t.Fatalf("count %d %v after rollback", n, err)
		}
	})
}

// A notification committed through one handle (standing in for another
// process) wakes a subscriber on another handle, within a second; a
// rolled-back one does not on PostgreSQL, and payload filters apply.
func TestNotifyAcrossHandles(t *testing.T) {
	both(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := open(t, dsn), open(t, dsn)
		if err := store.Migrate(ctx, a, items(t)); err != nil {
			t.Fatal(err)
		}
		sub, err := b.Subscribe("inbox", "B")
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		local, err := a.Subscribe("inbox", "B")
		if err != nil {
			t.Fatal(err)
		}
		defer local.Close()
		time.Sleep(300 * time.Millisecond) // let the listener start
		drain(sub.C)
		drain(local.C)
		start := time.Now()
		err = a.Tx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, "INSERT INTO item (name) VALUES ('n')"); err != nil {
				return err
			}
			return tx.Notify(ctx, "inbox", "B")
		})
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]<-chan struct{}{"other handle": sub.C, "same handle": local.C} {
			select {
			case <-c:
			case <-time.After(time.Second):
				t.Fatalf("%s: no wake-up within a second", name)
			}
		}
		t.Logf("woken after %v", time.Since(start))
		if _, err := a.Subscribe("Bad-Name", ""); err == nil {
			t.Fatal("invalid channel accepted")
		}
	})
}

func TestNotifyFiltersPayloadOnPostgres(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	a, b := open(t, dsn), open(t, dsn)
	sub, err := b.Subscribe("inbox", "C")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	time.Sleep(300 * time.Millisecond)
	drain(sub.C)
	for _, fn := range []func(tx *store.Tx) error{
		func(tx *store.Tx) error { return tx.Notify(ctx, "inbox", "B") },
		func(tx *store.Tx) error { _ = tx.Notify(ctx, "inbox", "C"); return errors.New("rollback") },
	} {
		_ = a.Tx(ctx, fn)
	}
	select {
	case <-sub.C:
		t.Fatal("woken by another agency's or a rolled-back notification")
	case <-time.After(400 * time.Millisecond):
	}
}

func drain(c <-chan struct{}) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}
