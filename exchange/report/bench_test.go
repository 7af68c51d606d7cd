package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/internal/pgtest"
)

// The benchmark's registers: 5,000 units (a province, 20 districts, 10
// offices or communes each, about 24 groups below each of those) and
// 1,000,000 register entries over 2025–2026 (700,000 outgoing, 300,000
// incoming), 25,000 staff with 20,000 certificates and 70,000 recorded
// signatures. The rows are bulk-loaded straight into the register's tables
// (multi-row INSERTs on SQLite, COPY on PostgreSQL), then ANALYZEd.
const (
	benchUnits    = 5000
	benchOutgoing = 700_000
	benchIncoming = 300_000
	benchStaff    = 5
)

var (
	benchMu  sync.Mutex
	benchDBs = map[string]*store.DB{}
)

// BenchmarkMonthlyReport: the ND09 monthly report (with its 12-period
// trend, the ranking, every unit's counts and the lists) of the root unit
// over the whole tree (lists cut to 1,000 rows each, as a screen shows
// them; and complete, as an export writes them), and of one commune with
// its groups, on SQLite and PostgreSQL.
//
//	go test -run '^$' -bench MonthlyReport -benchtime 10x ./exchange/report/
func BenchmarkMonthlyReport(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := benchDB(b, dialect)
			rp, err := report.New(context.Background(), db, report.Options{})
			if err != nil {
				b.Fatal(err)
			}
			p, _ := calendar.ParsePeriod("nd09:2026-06")
			for _, c := range []struct {
				name, unit string
				limit      int
			}{{"root", "H40", 1000}, {"root-full-lists", "H40", 0}, {"unit", "H40.01.01", 0}} {
				b.Run(c.name, func(b *testing.B) {
					ctx := context.Background()
					req := report.Request{Actor: admin, Unit: c.unit, Period: p, MissedLimit: c.limit}
					if _, err := rp.Compute(ctx, req, nil); err != nil { // calendar sync, caches
						b.Fatal(err)
					}
					b.ResetTimer()
					var rep *report.Report
					for i := 0; i < b.N; i++ {
						if rep, err = rp.Compute(ctx, req, nil); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					b.ReportMetric(float64(len(rep.Units)), "units")
					b.ReportMetric(float64(rep.Unit.Counts.Outgoing+rep.Unit.Counts.Received), "entries/period")
				})
			}
		})
	}
}

func benchDB(b *testing.B, dialect string) *store.DB {
	benchMu.Lock()
	defer benchMu.Unlock()
	if db := benchDBs[dialect]; db != nil {
		return db
	}
	ctx := context.Background()
	dsn := filepath.Join(os.TempDir(), fmt.Sprintf("vanthu-report-bench-%d.db", os.Getpid()))
	if dialect == "postgres" {
		dsn = pgtest.DSN(b)
	} else {
		os.Remove(dsn)
		b.Cleanup(func() { os.Remove(dsn); os.Remove(dsn + "-wal"); os.Remove(dsn + "-shm") })
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := report.New(ctx, db, report.Options{}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := seedBench(ctx, db); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: seeded %d units and %d entries in %s", dialect, benchUnits, benchOutgoing+benchIncoming, time.Since(start).Round(time.Millisecond))
	benchDBs[dialect] = db
	return db
}

type table struct {
	name string
	cols []string
	n    int
	row  func(i int) []any
}

func seedBench(ctx context.Context, db *store.DB) error {
	r := rand.New(rand.NewPCG(1, 2))
	// Units: id 1 the province; 2–21 districts; 22–221 offices and communes; the rest groups.
	type unit struct {
		id, parent int64
		code       string
		depth      int
	}
	units := []unit{{id: 1, code: "H40"}}
	for d := 1; d <= 20; d++ {
		units = append(units, unit{id: int64(len(units) + 1), parent: 1, code: fmt.Sprintf("H40.%02d", d), depth: 1})
	}
	for d := 1; d <= 20; d++ {
		for o := 1; o <= 10; o++ {
			units = append(units, unit{id: int64(len(units) + 1), parent: int64(1 + d), code: fmt.Sprintf("H40.%02d.%02d", d, o), depth: 2})
		}
	}
	for i := 0; len(units) < benchUnits; i++ {
		p := units[21+i%200]
		units = append(units, unit{id: int64(len(units) + 1), parent: p.id, code: fmt.Sprintf("%s.T%03d", p.code, i/200+1), depth: 3})
	}
	byID := map[int64]unit{}
	for _, u := range units {
		byID[u.id] = u
	}
	var closure [][3]int64
	for _, u := range units {
		for a, d := u, int64(0); ; d++ {
			closure = append(closure, [3]int64{a.id, u.id, d})
			if a.parent == 0 {
				break
			}
			a = byID[a.parent]
		}
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, calendar.Vietnam).UnixMicro()
	first := calendar.NewDate(2025, 1, 1)
	pick := func() int64 { // mostly the lower levels
		if r.IntN(10) == 0 {
			return int64(1 + r.IntN(221))
		}
		return int64(222 + r.IntN(benchUnits-221))
	}
	chans := []string{"electronic", "electronic", "electronic", "both", "paper"}
	sigs := []string{"valid", "valid", "valid", "valid", "missing", "invalid", "indeterminate"}
	tables := []table{
		{"reg_unit", []string{"id", "code", "name", "parent_id", "depth", "active", "created_at"}, len(units), func(i int) []any {
			u := units[i]
			var parent any
			if u.parent != 0 {
				parent = u.parent
			}
			return []any{u.id, u.code, "Đơn vị " + u.code, parent, u.depth, 1, now}
		}},
		{"reg_unit_tree", []string{"ancestor_id", "unit_id", "depth"}, len(closure), func(i int) []any {
			return []any{closure[i][0], closure[i][1], closure[i][2]}
		}},
		{"reg_staff", []string{"id", "unit_id", "name", "name_key", "active_from", "created_at"}, benchUnits * benchStaff, func(i int) []any {
			return []any{int64(i + 1), int64(i/benchStaff + 1), fmt.Sprintf("Cán bộ %d", i+1), fmt.Sprintf("CAN BO %d", i+1), 20240101, now}
		}},
		{"reg_cert", []string{"id", "staff_id", "unit_id", "fingerprint", "serial", "issuer", "subject", "not_before", "not_after", "organisation", "source", "recorded_at"},
			benchUnits * 4, func(i int) []any {
				staff := int64(i/4*benchStaff + i%4 + 1)
				notAfter := now + int64(r.IntN(800)-200)*86400e6
				return []any{int64(i + 1), staff, int64(i/4 + 1), fmt.Sprintf("fp%08d", i), fmt.Sprintf("%x", i), "CN=CA", "CN=x", now - 400*86400e6, notAfter, 0, "enrolled", now}
			}},
		{"reg_outgoing", []string{"id", "unit_id", "number", "doc_key", "doc_date", "doc_type", "subject", "secret", "channel", "approve_sig", "issue_sig",
			"recall", "cancelled", "source", "created_at", "created_by"}, benchOutgoing, func(i int) []any {
			d := first.AddDays(r.IntN(730))
			secret := b2i(r.IntN(50) == 0)
			recall := ""
			if r.IntN(200) == 0 {
				recall = "accepted"
			}
			num := fmt.Sprintf("%d/VB", i+1)
			return []any{int64(i + 1), pick(), num, fmt.Sprintf("%04d|%s", d.Year, num), d.Key(), "Công văn", "Về việc " + num, secret,
				chans[r.IntN(len(chans))], sigs[r.IntN(len(sigs))], sigs[r.IntN(len(sigs))], recall, b2i(r.IntN(500) == 0), "import", now, "bench"}
		}},
		{"reg_signature", []string{"id", "outgoing_id", "field", "role", "signer", "staff_id", "status", "signed_at", "signed_day"}, benchOutgoing / 10, func(i int) []any {
			d := first.AddDays(i * 730 / (benchOutgoing / 10))
			return []any{int64(i + 1), int64(i*10 + 1), "Approve1", "approve", "x", int64(1 + r.IntN(benchUnits*benchStaff)), "valid", d.Time().UnixMicro(), d.Key()}
		}},
		{"reg_incoming", []string{"id", "unit_id", "sender", "number", "doc_key", "channel", "arrived_at", "arrival_day", "receipt", "receipt_at",
			"receipt_day", "status", "source", "created_at", "created_by"}, benchIncoming, func(i int) []any {
			d := first.AddDays(i * 730 / benchIncoming)
			at := d.Time().Add(8 * time.Hour)
			num := fmt.Sprintf("%d/ĐẾN", i+1)
			var receipt, rat, rday any = "", nil, nil
			if r.IntN(10) != 0 {
				c := at.Add(time.Duration(r.IntN(96)) * time.Hour)
				receipt, rat, rday = "03", c.UnixMicro(), calendar.DateOf(c).Key()
			}
			return []any{int64(i + 1), pick(), "G22", num, "G22|" + num, "electronic", at.UnixMicro(), d.Key(), receipt, rat, rday, "03", "import", now, "bench"}
		}},
	}
	for _, t := range tables {
		if err := load(ctx, db, t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	// A live hub's autovacuum would have done this: statistics, and on
	// PostgreSQL the visibility map that index-only scans need.
	stmt := "ANALYZE"
	if db.Dialect() == store.Postgres {
		stmt = "VACUUM ANALYZE"
	}
	_, err := db.Exec(ctx, stmt)
	return err
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// load bulk-inserts a table: COPY on PostgreSQL, multi-row INSERTs in one
// transaction on SQLite.
func load(ctx context.Context, db *store.DB, t table) error {
	if db.Dialect() == store.Postgres {
		conn, err := db.DB.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		return conn.Raw(func(dc any) error {
			i := 0
			_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
				if i == t.n {
					return nil, nil
				}
				i++
				return t.row(i - 1), nil
			}))
			return err
		})
	}
	const batch = 200
	return db.Tx(ctx, func(tx *store.Tx) error {
		// A large page cache for the load (this connection only).
		if _, err := tx.Exec(ctx, "PRAGMA cache_size = -262144"); err != nil {
			return err
		}
		one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
		insert := func(n int) string {
			return "INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+",", n), ",")
		}
		full, err := tx.Tx.PrepareContext(ctx, insert(batch))
		if err != nil {
			return err
		}
		defer full.Close()
		for start := 0; start < t.n; start += batch {
			n := min(batch, t.n-start)
			args := make([]any, 0, n*len(t.cols))
			for i := start; i < start+n; i++ {
				args = append(args, t.row(i)...)
			}
			if n == batch {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.Exec(ctx, insert(n), args...)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}
