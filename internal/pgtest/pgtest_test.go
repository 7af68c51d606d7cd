package pgtest

import (
	"context"
	"database/sql"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Run(m)) }

func TestFreshDatabasePerTest(t *testing.T) {
	ctx := context.Background()
	a, b := DSN(t), DSN(t)
	if a == b {
		t.Fatalf("two tests got the same database %q", a)
	}
	for _, dsn := range []string{a, b} {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, "CREATE TABLE x (n int)"); err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		var user string
		if err := db.QueryRowContext(ctx, "SELECT current_user").Scan(&user); err != nil || user != "postgres" {
			t.Fatalf("current_user = %q, %v", user, err)
		}
	}
}

func TestServerRunsUnprivileged(t *testing.T) {
	s, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(s.dir + "/data")
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 && st.Sys() != nil {
		if uid := fileUID(st); uid == 0 {
			t.Fatal("data folder owned by root: the server would refuse to start")
		}
	}
}
