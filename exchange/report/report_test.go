package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/internal/pgtest"
)

func stores(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "hub.db")
			if name == "postgres" {
				dsn = pgtest.DSN(t)
			}
			fn(t, dsn)
		})
	}
}

func period(t *testing.T, s string) calendar.Period {
	t.Helper()
	p, err := calendar.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIndicators checks every indicator of every unit of the three-level
// tree against the values computed from the seed, on both stores, for the
// ND09 monthly period and for periods whose boundaries cut the seed
// (the 14th/15th, the year end, the holidays of April–May 2026).
func TestIndicators(t *testing.T) {
	var results []string
	stores(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		_, rp, ids := seed(t, dsn)
		for _, spec := range []string{"nd09:2026-12", "nd09:2026-11", "nd09:2026", "2026", "2026-11", "nd09:2026-05", "2026-11-15..2026-11-21"} {
			p := period(t, spec)
			rep, err := rp.Compute(ctx, report.Request{Actor: admin, Unit: "H40.01", Period: p}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Units) != len(units) || rep.Unit.Code != "H40.01" {
				t.Fatalf("%s: units %+v", spec, rep.Units)
			}
			for _, u := range rep.Units {
				want := expect(u.Code, p)
				if u.Counts != want {
					t.Errorf("%s %s:\n got %+v\nwant %+v", spec, u.Code, u.Counts, want)
				}
				if u.Rates != report.RatesOf(want) {
					t.Errorf("%s %s: rates %+v", spec, u.Code, u.Rates)
				}
			}
			var missed []string
			for _, m := range rep.Missed {
				missed = append(missed, m.Number)
			}
			if want := expectMissed("H40.01", p); strings.Join(missed, " ") != strings.Join(want, " ") || rep.MissedTotal != len(want) {
				t.Errorf("%s missed: %v (%d), want %v", spec, missed, rep.MissedTotal, want)
			}
			b, _ := json.Marshal(rep.Units)
			results = append(results, spec+string(b))
			// Every query plan gives the same report.
			for _, plan := range []int{0, 1} {
				other, err := rp.Compute(ctx, report.Request{Actor: admin, Unit: "H40.01", Period: p, ForceScope: &plan}, nil)
				if err != nil {
					t.Fatal(err)
				}
				a, _ := json.Marshal([]any{rep.Units, rep.Missed, rep.Trend, rep.Receipts, rep.StaffGaps})
				o, _ := json.Marshal([]any{other.Units, other.Missed, other.Trend, other.Receipts, other.StaffGaps})
				if string(a) != string(o) {
					t.Errorf("%s: plan %d differs:\n%s\n%s", spec, plan, a, o)
				}
			}
		}
		// Spot values of the ND09 monthly report, by hand from the seed.
		rep, err := rp.Compute(ctx, report.Request{Actor: admin, Unit: "H40.01", Period: period(t, "nd09:2026-12")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Unit.Counts
		if c.Sent != 17 || c.Exchanged != 7 || c.Secret != 2 || c.PaperOnly != 3 || c.OneSignature != 4 || c.Unsigned != 3 ||
			c.Received != 8 || c.OnTime != 4 || c.Late != 2 || c.Unconfirmed != 2 || c.Refused != 1 || c.TakenBack != 1 ||
			c.Recalls != 1 || c.Staff != 6 || c.StaffWithCert != 3 || c.StaffSigned != 2 {
			t.Errorf("nd09:2026-12 totals: %+v", c)
		}
		if v, _ := rep.Unit.Rates.Exchange.Value(); rep.Unit.Rates.Gap.Num != 10 || v != 7.0/17 {
			t.Errorf("rate %v gap %+v", v, rep.Unit.Rates.Gap)
		}
		if rep.Deadline != d("2026-12-21") { // the 20th is a Sunday
			t.Errorf("deadline %s", rep.Deadline)
		}
		// Ranking of the direct sub-units: VP 3/5 (secret and cancelled left out), X01 with its group 2/5, NV 1/5.
		var rank []string
		for _, u := range rep.Ranking {
			rank = append(rank, u.Code)
		}
		if strings.Join(rank, " ") != "H40.01.VP H40.01.X01 H40.01.NV" || rep.Ranking[0].Rank != 1 {
			t.Errorf("ranking %v", rank)
		}
		// Reasons of the missed documents.
		reasons := map[string]string{}
		for _, m := range rep.Missed {
			reasons[m.Number] = strings.Join(m.Reasons, "+")
		}
		want := map[string]string{"105/UBND-VP": "paper", "104/UBND-VP": "issue_missing", "201/NV": "issue_indeterminate",
			"202/NV": "approve_invalid+issue_invalid", "203/NV": "approve_missing+issue_missing", "204/NV": "unverified",
			"302/UBND": "paper", "402/TDP": "paper", "403/TDP": "issue_missing", "2/UBND": "issue_indeterminate"}
		if !reflect.DeepEqual(reasons, want) {
			t.Errorf("reasons %v", reasons)
		}
		for _, m := range rep.Missed {
			if m.Number == "105/UBND-VP" && m.PaperReason != paperReason {
				t.Errorf("paper reason %q", m.PaperReason)
			}
		}
		// Late receipts and staff gaps.
		var late []string
		for _, r := range rep.Receipts {
			late = append(late, r.Number+":"+r.Reason)
		}
		if strings.Join(late, " ") != "1/UBND:unconfirmed 54/SNV:unconfirmed 51/VPCP:late 55/UBND:late" {
			t.Errorf("late receipts %v", late)
		}
		var gaps []string
		for _, g := range rep.StaffGaps {
			gaps = append(gaps, g.Name+":"+strings.Join(g.Reasons, "+"))
		}
		if strings.Join(gaps, " ") != "Phạm Quốc Hùng:certificate_expired+not_signed Lê Thị Mai:no_certificate+not_signed "+
			"Vũ Thị Lan:not_signed Bùi Văn Tám:no_certificate+not_signed" {
			t.Errorf("staff gaps %v", gaps)
		}
		// Trend: 12 ND09 months, the last one the report's.
		if len(rep.Trend) != 12 || rep.Trend[11].Period.String() != "nd09:2026-12" || rep.Trend[11].Exchange != rep.Unit.Rates.Exchange ||
			rep.Trend[0].Period.String() != "nd09:2026-01" || rep.Trend[0].Exchange != (report.Ratio{Num: 2, Den: 2}) ||
			rep.Trend[10].Exchange != (report.Ratio{Num: 1, Den: 2}) || rep.Trend[4].Timeliness != (report.Ratio{Num: 2, Den: 4}) {
			t.Errorf("trend %+v", rep.Trend)
		}
		for i, tp := range rep.Trend {
			if want := expect("H40.01", tp.Period); tp.Exchange != (report.Ratio{Num: want.Exchanged, Den: want.Sent}) ||
				tp.Timeliness != (report.Ratio{Num: want.OnTime, Den: want.Received}) {
				t.Errorf("trend %d %s: %+v", i, tp.Period, tp)
			}
		}
		// The holiday period, by hand: 24/4 → 28/4 on time (27/4 nghỉ bù), → 29/4 late;
		// 29/4 → 4/5 on time (30/4, 1/5, weekend), → 5/5 late.
		may, _ := rp.Compute(ctx, report.Request{Actor: admin, Unit: "H40.01.VP", Period: period(t, "nd09:2026-05")}, nil)
		if may.Unit.Counts.Received != 4 || may.Unit.Counts.OnTime != 2 || may.Unit.Counts.Late != 2 {
			t.Errorf("holiday receipts: %+v", may.Unit.Counts)
		}
		// A sub-unit's clerk sees its subtree only.
		ward := register.Actor{Agency: "H40.01.X01"}
		wr, err := rp.Compute(ctx, report.Request{Actor: ward, Period: period(t, "nd09:2026-12")}, nil)
		if err != nil || wr.Unit.Code != "H40.01.X01" || len(wr.Units) != 2 || wr.Unit.Counts != expect("H40.01.X01", period(t, "nd09:2026-12")) {
			t.Fatalf("ward's report: %+v %v", wr, err)
		}
		if _, err := rp.Compute(ctx, report.Request{Actor: ward, Unit: "H40.01", Period: period(t, "nd09:2026-12")}, nil); !errors.Is(err, register.ErrForbidden) {
			t.Fatalf("ward reads the district: %v", err)
		}
		_ = ids
	})
	if len(results) == 14 {
		for i := 0; i < 7; i++ {
			if results[i] != results[i+7] {
				t.Errorf("SQLite and PostgreSQL differ:\n%s\n%s", results[i], results[i+7])
			}
		}
	}
}
