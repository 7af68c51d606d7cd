package register_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/register/registertest"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/internal/pgtest"
)

var files *registertest.Files

func TestMain(m *testing.M) { os.Exit(registertest.RunTests(m, &files)) }

// both runs fn on a SQLite file and on a fresh PostgreSQL database.
func both(t *testing.T, fn func(t *testing.T, r *register.Register)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "reg.db")
			if name == "postgres" {
				dsn = pgtest.DSN(t)
			}
			ctx := context.Background()
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			clock := registertest.SignedAt
			r, err := register.Open(ctx, register.Config{DB: db, Verifier: register.VerifyWith(files.Verify),
				Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, r)
		})
	}
}

var admin = register.Actor{Name: "Quản trị", Admin: true}

// tree adds the three-level tree of the tests: a district committee, two
// of its offices and a ward, and a residential group of the ward.
//
//	H40.01           UBND huyện Yên Thành
//	├── H40.01.VP    Văn phòng HĐND và UBND
//	├── H40.01.NV    Phòng Nội vụ
//	└── H40.01.X01   UBND xã Hợp Thành
//	    └── H40.01.X01.T1  Tổ dân phố 1
func tree(t *testing.T, r *register.Register) {
	t.Helper()
	ctx := context.Background()
	for _, u := range [][3]string{
		{"H40.01", "Ủy ban nhân dân huyện Yên Thành", ""},
		{"H40.01.VP", "Văn phòng HĐND và UBND huyện", "H40.01"},
		{"H40.01.NV", "Phòng Nội vụ", "H40.01"},
		{"H40.01.X01", "Ủy ban nhân dân xã Hợp Thành", "H40.01"},
		{"H40.01.X01.T1", "Tổ dân phố 1", "H40.01.X01"},
	} {
		if _, err := r.AddUnit(ctx, admin, u[0], u[1], u[2]); err != nil {
			t.Fatal(err)
		}
	}
}

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func at(s string) time.Time {
	t, err := register.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func fmtInts(v []int) string { return fmt.Sprint(v) }
