package calendar

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PeriodKind is the kind of a reporting period.
type PeriodKind string

// Period kinds: calendar ones, a free range, and those of Nghị định
// 09/2019/NĐ-CP (data cut off on the 14th, a period starting on the 15th).
const (
	Month          PeriodKind = "month"
	Quarter        PeriodKind = "quarter"
	Year           PeriodKind = "year"
	Range          PeriodKind = "range"
	ND09Month      PeriodKind = "nd09-month"
	ND09Quarter    PeriodKind = "nd09-quarter"
	ND09HalfYear   PeriodKind = "nd09-half"
	ND09NineMonths PeriodKind = "nd09-9months"
	ND09Year       PeriodKind = "nd09-year"
	nd09CutOffDay             = 14
)

// Period is a span of days, both ends included.
type Period struct {
	Kind PeriodKind `json:"kind"`
	// Year and Index name the period: the month (1–12), quarter (1–4) or
	// half (1–2) of Year; 0 for years, nine months and ranges.
	Year  int  `json:"year,omitempty"`
	Index int  `json:"index,omitempty"`
	From  Date `json:"from"`
	To    Date `json:"to"`
}

// MonthOf is the calendar month of d.
func MonthOf(y int, m time.Month) Period {
	from := NewDate(y, m, 1)
	return Period{Kind: Month, Year: from.Year, Index: int(from.Month), From: from, To: from.AddMonths(1).AddDays(-1)}
}

// QuarterOf is the calendar quarter q (1–4) of y.
func QuarterOf(y, q int) Period {
	from := NewDate(y, time.Month(3*(q-1)+1), 1)
	return Period{Kind: Quarter, Year: y, Index: q, From: from, To: from.AddMonths(3).AddDays(-1)}
}

// YearOf is the calendar year y.
func YearOf(y int) Period {
	return Period{Kind: Year, Year: y, From: NewDate(y, 1, 1), To: NewDate(y, 12, 31)}
}

// Between is the range from–to.
func Between(from, to Date) Period { return Period{Kind: Range, From: from, To: to} }

// cut is the 14th of month m of y (normalised), the last day of an ND09 period.
func cut(y int, m time.Month) Date { return NewDate(y, m, nd09CutOffDay) }

// ND09MonthOf is the monthly report period of month m of y: the 15th of
// the previous month to the 14th of m.
func ND09MonthOf(y int, m time.Month) Period {
	to := cut(y, m)
	return Period{Kind: ND09Month, Year: to.Year, Index: int(to.Month), From: cut(y, m-1).AddDays(1), To: to}
}

// ND09QuarterOf is the quarterly report period: the 15th of the month
// before the quarter to the 14th of its last month.
func ND09QuarterOf(y, q int) Period {
	last := time.Month(3 * q)
	return Period{Kind: ND09Quarter, Year: y, Index: q, From: cut(y, last-3).AddDays(1), To: cut(y, last)}
}

// ND09HalfOf is the 6-month report period: half 1 is 15 December of the
// previous year to 14 June; half 2 (the second half, which some regimes
// ask for) 15 June to 14 December.
func ND09HalfOf(y, h int) Period {
	last := time.Month(6 * h)
	return Period{Kind: ND09HalfYear, Year: y, Index: h, From: cut(y, last-6).AddDays(1), To: cut(y, last)}
}

// ND09NineMonthsOf is the 9-month report period: 15 December of the
// previous year to 14 September.
func ND09NineMonthsOf(y int) Period {
	return Period{Kind: ND09NineMonths, Year: y, From: cut(y-1, 12).AddDays(1), To: cut(y, 9)}
}

// ND09YearOf is the annual report period: 15 December of the previous year
// to 14 December.
func ND09YearOf(y int) Period {
	return Period{Kind: ND09Year, Year: y, From: cut(y-1, 12).AddDays(1), To: cut(y, 12)}
}

var (
	reMonth   = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)
	reQuarter = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)
	reHalf    = regexp.MustCompile(`^(\d{4})-[Hh]([12])$`)
	reNine    = regexp.MustCompile(`^(\d{4})-9[Mm]$`)
	reYear    = regexp.MustCompile(`^(\d{4})$`)
)

// ParsePeriod reads a period:
//
//	2026-03                   calendar month
//	2026-Q1                   calendar quarter
//	2026                      calendar year
//	2026-03-01..2026-03-31    from–to, both included
//	nd09:2026-03              Nghị định 09 monthly period (15/02–14/03/2026)
//	nd09:2026-Q1              quarterly (15/12/2025–14/03/2026)
//	nd09:2026-H1              6-month (15/12/2025–14/06/2026); H2 15/06–14/12
//	nd09:2026-9M              9-month (15/12/2025–14/09/2026)
//	nd09:2026                 annual (15/12/2025–14/12/2026)
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := func() (Period, error) {
		return Period{}, fmt.Errorf("%w: %q (e.g. 2026-03, 2026-Q1, 2026, 2026-03-01..2026-03-31, nd09:2026-03, nd09:2026-Q1, nd09:2026-H1, nd09:2026-9M, nd09:2026)", ErrBadPeriod, s)
	}
	atoi := func(v string) int { n, _ := strconv.Atoi(v); return n }
	rest, nd09 := strings.CutPrefix(strings.ToLower(s), "nd09:")
	if nd09 {
		switch {
		case reMonth.MatchString(rest):
			m := reMonth.FindStringSubmatch(rest)
			if mo := atoi(m[2]); mo >= 1 && mo <= 12 {
				return ND09MonthOf(atoi(m[1]), time.Month(mo)), nil
			}
		case reQuarter.MatchString(rest):
			m := reQuarter.FindStringSubmatch(rest)
			return ND09QuarterOf(atoi(m[1]), atoi(m[2])), nil
		case reHalf.MatchString(rest):
			m := reHalf.FindStringSubmatch(rest)
			return ND09HalfOf(atoi(m[1]), atoi(m[2])), nil
		case reNine.MatchString(rest):
			return ND09NineMonthsOf(atoi(reNine.FindStringSubmatch(rest)[1])), nil
		case reYear.MatchString(rest):
			return ND09YearOf(atoi(rest)), nil
		}
		return bad()
	}
	if a, b, ok := strings.Cut(s, ".."); ok {
		from, err1 := ParseDate(strings.TrimSpace(a))
		to, err2 := ParseDate(strings.TrimSpace(b))
		if err1 != nil || err2 != nil || to.Before(from) {
			return bad()
		}
		if from.DaysUntil(to) > 366*20 {
			return bad()
		}
		return Between(from, to), nil
	}
	switch {
	case reMonth.MatchString(s):
		m := reMonth.FindStringSubmatch(s)
		if mo := atoi(m[2]); mo >= 1 && mo <= 12 {
			return MonthOf(atoi(m[1]), time.Month(mo)), nil
		}
	case reQuarter.MatchString(s):
		m := reQuarter.FindStringSubmatch(s)
		return QuarterOf(atoi(m[1]), atoi(m[2])), nil
	case reYear.MatchString(s):
		return YearOf(atoi(s)), nil
	}
	return bad()
}

// String is the period in the form ParsePeriod reads.
func (p Period) String() string {
	switch p.Kind {
	case Month:
		return fmt.Sprintf("%04d-%02d", p.Year, p.Index)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.Year, p.Index)
	case Year:
		return fmt.Sprintf("%04d", p.Year)
	case ND09Month:
		return fmt.Sprintf("nd09:%04d-%02d", p.Year, p.Index)
	case ND09Quarter:
		return fmt.Sprintf("nd09:%04d-Q%d", p.Year, p.Index)
	case ND09HalfYear:
		return fmt.Sprintf("nd09:%04d-H%d", p.Year, p.Index)
	case ND09NineMonths:
		return fmt.Sprintf("nd09:%04d-9M", p.Year)
	case ND09Year:
		return fmt.Sprintf("nd09:%04d", p.Year)
	}
	return p.From.String() + ".." + p.To.String()
}

// Contains reports whether d falls in the period.
func (p Period) Contains(d Date) bool { return !d.Before(p.From) && !d.After(p.To) }

// Days is the number of days in the period.
func (p Period) Days() int { return p.From.DaysUntil(p.To) + 1 }

// Prev is the period of the same kind just before p: the previous month,
// quarter or year, the other half, the previous year's nine months, or for
// a range the range of the same length ending the day before p starts.
func (p Period) Prev() Period {
	switch p.Kind {
	case Month:
		return MonthOf(p.Year, time.Month(p.Index-1))
	case Quarter:
		if p.Index == 1 {
			return QuarterOf(p.Year-1, 4)
		}
		return QuarterOf(p.Year, p.Index-1)
	case Year:
		return YearOf(p.Year - 1)
	case ND09Month:
		return ND09MonthOf(p.Year, time.Month(p.Index-1))
	case ND09Quarter:
		if p.Index == 1 {
			return ND09QuarterOf(p.Year-1, 4)
		}
		return ND09QuarterOf(p.Year, p.Index-1)
	case ND09HalfYear:
		if p.Index == 1 {
			return ND09HalfOf(p.Year-1, 2)
		}
		return ND09HalfOf(p.Year, 1)
	case ND09NineMonths:
		return ND09NineMonthsOf(p.Year - 1)
	case ND09Year:
		return ND09YearOf(p.Year - 1)
	}
	to := p.From.AddDays(-1)
	return Between(to.AddDays(-(p.Days() - 1)), to)
}

// Last returns the n periods ending with p, oldest first.
func (p Period) Last(n int) []Period {
	out := make([]Period, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = p
		p = p.Prev()
	}
	return out
}

// DeadlineRule says when a period's report is due.
type DeadlineRule struct {
	// Day of month: the report is due on this day of the month the
	// period ends in (the next month when the period ends after it).
	Day int
	// Workdays after the period's last day (when Day is 0).
	Workdays int
}

// DefaultDeadline is the 20th of the month the period ends in, as most
// provincial regimes built on Nghị định 09/2019 ask; regimes differ, so it
// is a setting.
var DefaultDeadline = DeadlineRule{Day: 20}

// ParseDeadline reads "day:20" (the 20th of the closing month) or "wd:3"
// (three working days after the period ends).
func ParseDeadline(s string) (DeadlineRule, error) {
	k, v, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	n, err := strconv.Atoi(v)
	if !ok || err != nil {
		return DeadlineRule{}, fmt.Errorf("%w: %q (use day:N or wd:N)", ErrBadDeadline, s)
	}
	switch {
	case k == "day" && n >= 1 && n <= 28:
		return DeadlineRule{Day: n}, nil
	case k == "wd" && n >= 0 && n <= 60:
		return DeadlineRule{Workdays: n}, nil
	}
	return DeadlineRule{}, fmt.Errorf("%w: %q (day:1–28 or wd:0–60)", ErrBadDeadline, s)
}

// String is the rule in the form ParseDeadline reads.
func (r DeadlineRule) String() string {
	if r.Day > 0 {
		return fmt.Sprintf("day:%d", r.Day)
	}
	return fmt.Sprintf("wd:%d", r.Workdays)
}

// Deadline is the day the report of p is due under rule. A due day that
// is not a working day moves to the next working day.
func (p Period) Deadline(rule DeadlineRule, cal *Calendar) Date {
	var d Date
	if rule.Day > 0 {
		d = NewDate(p.To.Year, p.To.Month, rule.Day)
		if d.Before(p.To) {
			d = NewDate(p.To.Year, p.To.Month+1, rule.Day)
		}
		if !cal.IsWorkday(d) {
			d = cal.NextWorkday(d)
		}
		return d
	}
	return cal.AddWorkdays(p.To, rule.Workdays)
}
