package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
)

func BenchmarkSteps(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db := benchDB(b, dialect)
			rp, _ := report.New(context.Background(), db, report.Options{})
			p, _ := calendar.ParsePeriod("nd09:2026-06")
			rp.Compute(context.Background(), report.Request{Actor: admin, Unit: "H40", Period: p}, nil)
			for i := 0; i < b.N; i++ {
				last, lastName := time.Now(), ""
				rp.Compute(context.Background(), report.Request{Actor: admin, Unit: "H40", Period: p}, func(step string, done, total int) {
					if lastName != "" {
						b.Logf("%s %s", lastName, time.Since(last))
					}
					last, lastName = time.Now(), step
				})
				b.Logf("%s %s", lastName, time.Since(last))
			}
		})
	}
}
