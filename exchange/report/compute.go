package report

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/store"
)

// Compute builds the report of req.Unit (with its sub-units) for
// req.Period. Every indicator is computed by the database.
func (r *Reporter) Compute(ctx context.Context, req Request, progress Progress) (*Report, error) {
	rule, err := req.normalise()
	if err != nil {
		return nil, err
	}
	step := func(i int) error {
		if progress != nil {
			progress(steps[i], i, len(steps))
		}
		return ctx.Err()
	}
	if err := step(0); err != nil {
		return nil, err
	}
	if err := r.syncCalendar(ctx); err != nil {
		return nil, err
	}
	if err := step(1); err != nil {
		return nil, err
	}
	root, err := register.UnitScope(ctx, r.db, req.Actor, req.Unit)
	if err != nil {
		return nil, err
	}
	rep := &Report{Period: req.Period, Deadline: req.Period.Deadline(rule, r.cal), GeneratedAt: r.now().In(calendar.Vietnam),
		Units: []UnitRow{}, Ranking: []UnitRow{}, Missed: []Missed{}, Receipts: []Receipt{}, StaffGaps: []StaffGap{}}
	for y := req.Period.From.Year; y <= req.Period.To.Year; y++ {
		if !r.cal.Covers(calendar.NewDate(y, 1, 1)) {
			rep.Warnings = append(rep.Warnings, "calendar_not_covered")
			break
		}
	}
	units, byID, err := r.subtree(ctx, root)
	if err != nil {
		return nil, err
	}
	q := query{db: r.db, root: root, p: req.Period, today: calendar.DateOf(r.now())}
	if q.scope, err = r.scopeOf(ctx, req, len(units)); err != nil {
		return nil, err
	}
	counts, trend, err := q.aggregate(ctx, req, byID, step)
	if err != nil {
		return nil, err
	}
	for i := range units {
		units[i].Counts = *counts[byID[units[i].Code]]
		units[i].Rates = RatesOf(units[i].Counts)
	}
	rep.Unit, rep.Units = units[0], units
	for _, u := range units[1:] {
		if u.Depth == 1 {
			rep.Ranking = append(rep.Ranking, u)
		}
	}
	rank(rep.Ranking)
	rep.Trend = trend
	if err := step(6); err != nil {
		return nil, err
	}
	if err := q.lists(ctx, rep, req.MissedLimit); err != nil {
		return nil, err
	}
	return rep, nil
}

// normalise checks the period, bounds the trend (12 periods unless asked,
// at most 60) and returns the receipt deadline rule.
func (req *Request) normalise() (calendar.DeadlineRule, error) {
	if req.Period.From.IsZero() || req.Period.To.Before(req.Period.From) {
		return calendar.DeadlineRule{}, fmt.Errorf("%w: no period", ErrBadRequest)
	}
	if req.Trend <= 0 {
		req.Trend = 12
	}
	req.Trend = min(req.Trend, 60)
	rule := calendar.DefaultDeadline
	if req.Deadline != nil {
		rule = *req.Deadline
	}
	return rule, nil
}

// scopeOf chooses how the queries select the subtree of n units: all
// units, a large subtree, or a small one (unless the request forces it).
func (r *Reporter) scopeOf(ctx context.Context, req Request, n int) (scope, error) {
	if req.ForceScope != nil {
		return scope(*req.ForceScope), nil
	}
	var all int
	if err := r.db.QueryRow(ctx, "SELECT count(*) FROM reg_unit").Scan(&all); err != nil {
		return scopeSmall, fmt.Errorf("failed to count the units: %w", err)
	}
	switch {
	case n == all:
		return scopeAll, nil
	case n > largeSubtree:
		return scopeLarge, nil
	}
	return scopeSmall, nil
}

// aggregate counts every unit's documents, receipts and staff, and reads
// the trend: independent reads, run side by side (SQLite in WAL mode and
// PostgreSQL serve readers in parallel).
func (q query) aggregate(ctx context.Context, req Request, byID map[string]int64, step func(int) error) (map[int64]*Counts, []TrendPoint, error) {
	counts := map[int64]*Counts{}
	for _, id := range byID {
		counts[id] = &Counts{}
	}
	var trend []TrendPoint
	g, gctx := errgroup.WithContext(ctx)
	var mu sync.Mutex
	var stepErr error
	for i, fn := range []func(context.Context, map[int64]*Counts) error{q.outgoing, q.incoming, q.staff} {
		if stepErr = step(2 + i); stepErr != nil {
			break
		}
		part := map[int64]*Counts{}
		for id := range counts {
			part[id] = &Counts{}
		}
		g.Go(func() error {
			if err := fn(gctx, part); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for id, c := range part {
				add(counts[id], c)
			}
			return nil
		})
	}
	if stepErr == nil {
		if stepErr = step(5); stepErr == nil {
			g.Go(func() error {
				var err error
				trend, err = q.trend(gctx, req.Period.Last(req.Trend))
				return err
			})
		}
	}
	// the reads started end before the results (or a cancellation) return
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if stepErr != nil {
		return nil, nil, stepErr
	}
	return counts, trend, nil
}

// add sums the counts of b into a (each query fills its own fields).
func add(a, b *Counts) {
	a.Outgoing += b.Outgoing
	a.Secret += b.Secret
	a.Sent += b.Sent
	a.Electronic += b.Electronic
	a.Exchanged += b.Exchanged
	a.PaperOnly += b.PaperOnly
	a.Unsigned += b.Unsigned
	a.OneSignature += b.OneSignature
	a.Recalls += b.Recalls
	a.Recalled += b.Recalled
	a.Received += b.Received
	a.OnTime += b.OnTime
	a.Late += b.Late
	a.Unconfirmed += b.Unconfirmed
	a.Refused += b.Refused
	a.TakenBack += b.TakenBack
	a.Staff += b.Staff
	a.StaffWithCert += b.StaffWithCert
	a.StaffSigned += b.StaffSigned
}

// rank orders sub-units by e-exchange rate (those without documents
// last), then by documents sent, then by code, and numbers them.
func rank(rows []UnitRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, aok := rows[i].Rates.Exchange.Value()
		b, bok := rows[j].Rates.Exchange.Value()
		switch {
		case aok != bok:
			return aok
		case a != b:
			return a > b
		case rows[i].Counts.Sent != rows[j].Counts.Sent:
			return rows[i].Counts.Sent > rows[j].Counts.Sent
		}
		return rows[i].Code < rows[j].Code
	})
	for i := range rows {
		rows[i].Rank = i + 1
	}
}

// subtree lists the units below root (root first, tree order) with their
// depth below root, and their ids by code.
func (r *Reporter) subtree(ctx context.Context, root int64) ([]UnitRow, map[string]int64, error) {
	rows, err := r.db.Query(ctx, `SELECT u.id, u.code, u.name, COALESCE(p.code, ''), t.depth, u.active
		FROM reg_unit_tree t JOIN reg_unit u ON u.id = t.unit_id LEFT JOIN reg_unit p ON p.id = u.parent_id
		WHERE t.ancestor_id = ?`, root)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read the units: %w", err)
	}
	defer rows.Close()
	var list []register.Unit
	byCode := map[string]int64{}
	depth := map[string]int{}
	for rows.Next() {
		var u register.Unit
		var active, d int
		if err := rows.Scan(&u.ID, &u.Code, &u.Name, &u.Parent, &d, &active); err != nil {
			return nil, nil, err
		}
		list = append(list, u)
		byCode[u.Code], depth[u.Code] = u.ID, d
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var out []UnitRow
	for _, u := range register.TreeOrder(list) {
		out = append(out, UnitRow{Code: u.Code, Name: u.Name, Parent: u.Parent, Depth: depth[u.Code]})
	}
	if len(out) == 0 || out[0].Depth != 0 {
		return nil, nil, fmt.Errorf("%w: the unit tree is inconsistent", ErrBadRequest)
	}
	return out, byCode, nil
}

type query struct {
	db    *store.DB
	root  int64
	p     calendar.Period
	today calendar.Date
	scope scope
}

// scope is how a query restricts itself to the root's subtree. For a small
// subtree the closure drives (each unit's entries by the unit-leading
// index); for a large one the period's entries are read by the
// date-leading index and filtered by membership; when the subtree is every
// unit there is nothing to filter.
type scope int

const (
	scopeSmall scope = iota
	scopeLarge
	scopeAll
	// largeSubtree is where the date-leading plan starts to win.
	largeSubtree = 200
)

// from returns the FROM clause over table (as alias, with extra joins)
// and the start of the WHERE clause restricting it to the subtree, with
// their arguments.
func (q query) from(table, alias, joins string) (string, []any) {
	switch q.scope {
	case scopeAll:
		return table + " " + alias + " " + joins + " WHERE 1 = 1", nil
	case scopeLarge:
		col := alias + ".unit_id"
		if q.db.Dialect() == store.SQLite {
			col = "+" + col // keep SQLite on the date-leading index
		}
		return table + " " + alias + " " + joins + " WHERE " + col + " IN (SELECT unit_id FROM reg_unit_tree WHERE ancestor_id = ?)", []any{q.root}
	}
	return "reg_unit_tree t JOIN " + table + " " + alias + " ON " + alias + ".unit_id = t.unit_id " + joins + " WHERE t.ancestor_id = ?", []any{q.root}
}

// unitCol is the unit column a per-unit aggregate groups by. On a large
// subtree SQLite must read the period's entries by the date-leading index
// and sort them by unit, rather than walk the whole unit-leading index to
// save the sort: "+col" keeps it off that index.
func (q query) unitCol(alias string) string {
	if q.scope != scopeSmall && q.db.Dialect() == store.SQLite {
		return "+" + alias + ".unit_id"
	}
	return alias + ".unit_id"
}

// rollup runs a per-unit aggregate (perUnit: "SELECT uid, c1, c2, … GROUP
// BY …" over the root's subtree) and sums it up to every unit of the
// subtree, calling add with each unit's totals.
func (q query) rollup(ctx context.Context, perUnit string, ncols int, args []any, add func(uid int64, v []int64)) error {
	var sums []string
	for i := 1; i <= ncols; i++ {
		sums = append(sums, fmt.Sprintf("CAST(SUM(p.c%d) AS BIGINT)", i))
	}
	sqlText := "WITH p AS (" + perUnit + ") SELECT a.ancestor_id, " + strings.Join(sums, ", ") + `
		FROM p JOIN reg_unit_tree a ON a.unit_id = p.uid
		JOIN reg_unit_tree r ON r.unit_id = a.ancestor_id AND r.ancestor_id = ?
		GROUP BY a.ancestor_id`
	rows, err := q.db.Query(ctx, sqlText, append(args, q.root)...)
	if err != nil {
		return fmt.Errorf("failed to compute the report: %w", err)
	}
	defer rows.Close()
	v := make([]int64, ncols)
	dst := make([]any, ncols+1)
	var uid int64
	dst[0] = &uid
	for i := range v {
		dst[i+1] = &v[i]
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("failed to compute the report: %w", err)
		}
		add(uid, v)
	}
	return rows.Err()
}

// exchangedSQL is the condition for a document that counts towards the
// rate (besides not being secret).
const exchangedSQL = "o.channel <> 'paper' AND o.approve_sig = 'valid' AND o.issue_sig = 'valid'"

func (q query) outgoing(ctx context.Context, counts map[int64]*Counts) error {
	from, args := q.from("reg_outgoing", "o", "")
	per := `SELECT ` + q.unitCol("o") + ` AS uid,
		COUNT(*) AS c1,
		SUM(CASE WHEN o.secret = 1 THEN 1 ELSE 0 END) AS c2,
		SUM(CASE WHEN o.secret = 0 THEN 1 ELSE 0 END) AS c3,
		SUM(CASE WHEN o.secret = 0 AND o.channel <> 'paper' THEN 1 ELSE 0 END) AS c4,
		SUM(o.exchanged) AS c5,
		SUM(CASE WHEN o.secret = 0 AND o.channel = 'paper' THEN 1 ELSE 0 END) AS c6,
		SUM(CASE WHEN o.secret = 0 AND o.channel <> 'paper' AND o.approve_sig <> 'valid' AND o.issue_sig <> 'valid' THEN 1 ELSE 0 END) AS c7,
		SUM(CASE WHEN o.secret = 0 AND o.channel <> 'paper' AND ((o.approve_sig = 'valid' AND o.issue_sig <> 'valid') OR (o.approve_sig <> 'valid' AND o.issue_sig = 'valid')) THEN 1 ELSE 0 END) AS c8,
		SUM(CASE WHEN o.recall <> '' THEN 1 ELSE 0 END) AS c9,
		SUM(CASE WHEN o.recall = 'accepted' THEN 1 ELSE 0 END) AS c10
		FROM ` + from + ` AND o.doc_date >= ? AND o.doc_date <= ? AND o.cancelled = 0
		GROUP BY ` + q.unitCol("o")
	return q.rollup(ctx, per, 10, append(args, q.p.From.Key(), q.p.To.Key()), func(uid int64, v []int64) {
		if c := counts[uid]; c != nil {
			c.Outgoing, c.Secret, c.Sent, c.Electronic, c.Exchanged = int(v[0]), int(v[1]), int(v[2]), int(v[3]), int(v[4])
			c.PaperOnly, c.Unsigned, c.OneSignature, c.Recalls, c.Recalled = int(v[5]), int(v[6]), int(v[7]), int(v[8]), int(v[9])
		}
	})
}

// dueSQL is the last day to confirm an incoming document on time: the
// first working day after its arrival.
const dueSQL = "COALESCE(k.next_workday, i.arrival_day)"

const calendarJoin = "LEFT JOIN report_calendar k ON k.day = i.arrival_day"

func (q query) incoming(ctx context.Context, counts map[int64]*Counts) error {
	from, args := q.from("reg_incoming", "i", calendarJoin)
	per := `SELECT ` + q.unitCol("i") + ` AS uid,
		COUNT(*) AS c1,
		SUM(CASE WHEN i.receipt <> '' AND i.receipt_day <= ` + dueSQL + ` THEN 1 ELSE 0 END) AS c2,
		SUM(CASE WHEN i.receipt <> '' AND i.receipt_day > ` + dueSQL + ` THEN 1 ELSE 0 END) AS c3,
		SUM(CASE WHEN i.receipt = '' THEN 1 ELSE 0 END) AS c4,
		SUM(CASE WHEN i.receipt = '02' THEN 1 ELSE 0 END) AS c5,
		SUM(CASE WHEN i.recalled = 1 THEN 1 ELSE 0 END) AS c6
		FROM ` + from + ` AND i.arrival_day >= ? AND i.arrival_day <= ? AND i.cancelled = 0
		GROUP BY ` + q.unitCol("i")
	return q.rollup(ctx, per, 6, append(args, q.p.From.Key(), q.p.To.Key()), func(uid int64, v []int64) {
		if c := counts[uid]; c != nil {
			c.Received, c.OnTime, c.Late, c.Unconfirmed, c.Refused, c.TakenBack = int(v[0]), int(v[1]), int(v[2]), int(v[3]), int(v[4]), int(v[5])
		}
	})
}

// The staff indicators ask of each staff member s whether a personal
// certificate of theirs is valid at the period's end and whether they made
// a valid signature in the period. For a small subtree each question is a
// correlated EXISTS (an indexed probe per staff member); for a large one,
// a join with the set of such staff members (one pass each).
const (
	validCertSet = `SELECT DISTINCT c.staff_id FROM reg_cert c WHERE c.staff_id IS NOT NULL AND c.organisation = 0
		AND c.not_before <= ? AND c.not_after >= ? AND (c.revoked_at IS NULL OR c.revoked_at > ?)`
	signedSet = `SELECT DISTINCT g.staff_id FROM reg_signature g JOIN reg_outgoing og ON og.id = g.outgoing_id
		WHERE g.signed_day >= ? AND g.signed_day <= ? AND g.status = 'valid' AND g.staff_id IS NOT NULL AND og.cancelled = 0`
	validCertProbe = `EXISTS (SELECT 1 FROM reg_cert c WHERE c.staff_id = s.id AND c.organisation = 0
		AND c.not_before <= ? AND c.not_after >= ? AND (c.revoked_at IS NULL OR c.revoked_at > ?))`
	signedProbe = `EXISTS (SELECT 1 FROM reg_signature g JOIN reg_outgoing og ON og.id = g.outgoing_id
		WHERE g.staff_id = s.id AND g.signed_day >= ? AND g.signed_day <= ? AND g.status = 'valid' AND og.cancelled = 0)`
)

// activeSQL: s is active on the period's last day.
const activeSQL = "s.active_from <= ? AND (s.active_until IS NULL OR s.active_until >= ?)"

// staffQuery returns the expressions "has a valid certificate" and "signed"
// (1 or 0) and the FROM/WHERE over the subtree's staff; args are in the
// order the SQL uses them in either form: the certificate's, the
// signature's, the scope's.
func (q query) staffQuery(extraJoins string) (valid, signed, from string, args []any) {
	end := q.p.To.End().UnixMicro()
	args = []any{end, end, end, q.p.From.Key(), q.p.To.Key()}
	if q.scope == scopeSmall {
		from, sargs := q.from("reg_staff", "s", extraJoins)
		return "CASE WHEN " + validCertProbe + " THEN 1 ELSE 0 END", "CASE WHEN " + signedProbe + " THEN 1 ELSE 0 END", from, append(args, sargs...)
	}
	joins := "LEFT JOIN (" + validCertSet + ") vc ON vc.staff_id = s.id LEFT JOIN (" + signedSet + ") sg ON sg.staff_id = s.id " + extraJoins
	from, sargs := q.from("reg_staff", "s", joins)
	return "CASE WHEN vc.staff_id IS NOT NULL THEN 1 ELSE 0 END", "CASE WHEN sg.staff_id IS NOT NULL THEN 1 ELSE 0 END", from, append(args, sargs...)
}

func (q query) staff(ctx context.Context, counts map[int64]*Counts) error {
	valid, signed, from, args := q.staffQuery("")
	to := q.p.To.Key()
	per := `SELECT s.unit_id AS uid, COUNT(*) AS c1, SUM(` + valid + `) AS c2, SUM(` + signed + `) AS c3
		FROM ` + from + ` AND ` + activeSQL + ` GROUP BY s.unit_id`
	return q.rollup(ctx, per, 3, append(args, to, to), func(uid int64, v []int64) {
		if c := counts[uid]; c != nil {
			c.Staff, c.StaffWithCert, c.StaffSigned = int(v[0]), int(v[1]), int(v[2])
		}
	})
}

// trend computes the rate and the timeliness of each period: one
// aggregate per period and register, each an index range scan without a
// sort (a GROUP BY over all the periods' rows would sort them).
func (q query) trend(ctx context.Context, periods []calendar.Period) ([]TrendPoint, error) {
	out := make([]TrendPoint, len(periods))
	ofrom, oargs := q.from("reg_outgoing", "o", "")
	oq := `SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(o.exchanged), 0) AS BIGINT)
		FROM ` + ofrom + ` AND o.doc_date >= ? AND o.doc_date <= ? AND o.cancelled = 0 AND o.secret = 0`
	// Incoming entries are counted per (arrival day, receipt day) first,
	// so the working-day calendar is looked up per group, not per entry.
	ifrom, iargs := q.from("reg_incoming", "i", "")
	iq := `SELECT CAST(COALESCE(SUM(x.n), 0) AS BIGINT),
		CAST(COALESCE(SUM(CASE WHEN x.receipt_day <= COALESCE(k.next_workday, x.arrival_day) THEN x.n ELSE 0 END), 0) AS BIGINT)
		FROM (SELECT i.arrival_day AS arrival_day, i.receipt_day AS receipt_day, COUNT(*) AS n
			FROM ` + ifrom + ` AND i.arrival_day >= ? AND i.arrival_day <= ? AND i.cancelled = 0
			GROUP BY i.arrival_day, i.receipt_day) x
		LEFT JOIN report_calendar k ON k.day = x.arrival_day`
	for i, p := range periods {
		out[i].Period = p
		var n, e int64
		if err := q.db.QueryRow(ctx, oq, append(append([]any{}, oargs...), p.From.Key(), p.To.Key())...).Scan(&n, &e); err != nil {
			return nil, fmt.Errorf("failed to compute the trend: %w", err)
		}
		out[i].Exchange = Ratio{Num: int(e), Den: int(n)}
		if err := q.db.QueryRow(ctx, iq, append(append([]any{}, iargs...), p.From.Key(), p.To.Key())...).Scan(&n, &e); err != nil {
			return nil, fmt.Errorf("failed to compute the trend: %w", err)
		}
		out[i].Timeliness = Ratio{Num: int(e), Den: int(n)}
	}
	return out, nil
}

func limitSQL(limit int) string {
	if limit <= 0 {
		return ""
	}
	return fmt.Sprintf(" LIMIT %d", limit)
}

// lists fills the documents that missed the target, the late receipts and
// the staff gaps.
func (q query) lists(ctx context.Context, rep *Report, limit int) error {
	rep.MissedTotal = rep.Unit.Counts.Sent - rep.Unit.Counts.Exchanged
	from, args := q.from("reg_outgoing", "o", "JOIN reg_unit u ON u.id = o.unit_id")
	rows, err := q.db.Query(ctx, `SELECT o.id, u.code, u.name, o.number, o.doc_date, o.doc_type, o.subject, o.signer, o.channel,
		o.paper_reason, o.approve_sig, o.issue_sig FROM `+from+` AND o.doc_date >= ? AND o.doc_date <= ? AND o.cancelled = 0 AND o.secret = 0
		AND NOT (`+exchangedSQL+`) ORDER BY u.code, o.doc_date, o.id`+limitSQL(limit), append(args, q.p.From.Key(), q.p.To.Key())...)
	if err != nil {
		return fmt.Errorf("failed to list missed documents: %w", err)
	}
	for rows.Next() {
		var m Missed
		var date int
		var channel, approve, issue string
		if err := rows.Scan(&m.ID, &m.Unit, &m.UnitName, &m.Number, &date, &m.Type, &m.Subject, &m.Signer, &channel, &m.PaperReason, &approve, &issue); err != nil {
			rows.Close()
			return err
		}
		m.Date, m.Channel, m.Approve, m.Issue = calendar.FromKey(date), register.Channel(channel), register.SigStatus(approve), register.SigStatus(issue)
		m.Reasons = missedReasons(m)
		rep.Missed = append(rep.Missed, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := q.receipts(ctx, rep, limit); err != nil {
		return err
	}
	return q.staffGaps(ctx, rep, limit)
}

// missedReasons says why a document missed the target.
func missedReasons(m Missed) []string {
	if m.Channel == register.Paper {
		return []string{ReasonPaper}
	}
	if m.Approve == register.SigUnverified || m.Issue == register.SigUnverified {
		return []string{ReasonUnverified}
	}
	var out []string
	if m.Approve != register.SigValid {
		out = append(out, "approve_"+string(m.Approve))
	}
	if m.Issue != register.SigValid {
		out = append(out, "issue_"+string(m.Issue))
	}
	return out
}

func (q query) receipts(ctx context.Context, rep *Report, limit int) error {
	from, args := q.from("reg_incoming", "i", "JOIN reg_unit u ON u.id = i.unit_id "+calendarJoin)
	rows, err := q.db.Query(ctx, `SELECT i.id, u.code, u.name, i.sender, i.number, i.arrived_at, `+dueSQL+`, i.receipt, i.receipt_at
		FROM `+from+` AND i.arrival_day >= ? AND i.arrival_day <= ? AND i.cancelled = 0
		AND (i.receipt = '' OR i.receipt_day > `+dueSQL+`)
		ORDER BY u.code, i.arrived_at, i.id`+limitSQL(limit), append(args, q.p.From.Key(), q.p.To.Key())...)
	if err != nil {
		return fmt.Errorf("failed to list late receipts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x Receipt
		var arrived int64
		var due int
		var at sql.NullInt64
		if err := rows.Scan(&x.ID, &x.Unit, &x.UnitName, &x.Sender, &x.Number, &arrived, &due, &x.Receipt, &at); err != nil {
			return err
		}
		x.ArrivedAt, x.Due = time.UnixMicro(arrived).In(calendar.Vietnam), calendar.FromKey(due)
		x.Reason = "late"
		if x.Receipt == "" {
			x.Reason = "unconfirmed"
		} else if at.Valid {
			x.ReceiptAt = time.UnixMicro(at.Int64).In(calendar.Vietnam)
		}
		rep.Receipts = append(rep.Receipts, x)
	}
	return rows.Err()
}

func (q query) staffGaps(ctx context.Context, rep *Report, limit int) error {
	valid, signed, from, args := q.staffQuery("JOIN reg_unit u ON u.id = s.unit_id")
	to := q.p.To.Key()
	rows, err := q.db.Query(ctx, `SELECT id, code, uname, name, title, anycert, v, g FROM (
		SELECT s.id AS id, u.code AS code, u.name AS uname, s.name AS name, s.title AS title,
		CASE WHEN EXISTS (SELECT 1 FROM reg_cert c WHERE c.staff_id = s.id AND c.organisation = 0) THEN 1 ELSE 0 END AS anycert,
		`+valid+` AS v, `+signed+` AS g
		FROM `+from+` AND `+activeSQL+`) x WHERE v = 0 OR g = 0
		ORDER BY code, name, id`+limitSQL(limit), append(args, to, to)...)
	if err != nil {
		return fmt.Errorf("failed to list staff gaps: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g StaffGap
		var any, valid, signed int
		if err := rows.Scan(&g.ID, &g.Unit, &g.UnitName, &g.Name, &g.Title, &any, &valid, &signed); err != nil {
			return err
		}
		switch {
		case any == 0:
			g.Reasons = append(g.Reasons, "no_certificate")
		case valid == 0:
			g.Reasons = append(g.Reasons, "certificate_expired")
		}
		if signed == 0 {
			g.Reasons = append(g.Reasons, "not_signed")
		}
		rep.StaffGaps = append(rep.StaffGaps, g)
	}
	return rows.Err()
}
