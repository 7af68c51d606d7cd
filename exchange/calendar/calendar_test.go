package calendar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestShippedTable(t *testing.T) {
	c := Default()
	for _, y := range []int{2024, 2025, 2026, 2027} {
		if !c.Covers(NewDate(y, 6, 1)) {
			t.Errorf("year %d not covered", y)
		}
	}
	// The lunar holidays (Tết = mùng 1 tháng Giêng, Giỗ Tổ = 10/3 âm lịch,
	// checked with two lunar calendar libraries for UTC+07:00) are off.
	for _, s := range []string{"2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06",
		"2024-04-18", "2025-04-07", "2026-04-26", "2027-04-16"} {
		e, ok := c.Entry(d(s))
		if !ok || e.Kind != Holiday || c.IsWorkday(d(s)) {
			t.Errorf("%s: %+v %v, want a holiday", s, e, ok)
		}
	}
	// Every year has 11 holiday days (Bộ luật Lao động 2019, Điều 112):
	// 1/1, five for Tết, Giỗ Tổ, 30/4, 1/5 and two for Quốc khánh.
	per := map[int]int{}
	for _, e := range c.Entries() {
		if e.Kind == Holiday {
			per[e.Date.Year]++
		}
	}
	for _, y := range c.Years() {
		if per[y] != 11 {
			t.Errorf("%d: %d holiday rows, want 11", y, per[y])
		}
	}
	cases := map[string]bool{
		"2026-02-13": true,  // Friday before Tết Bính Ngọ
		"2026-02-16": false, // 29 tháng Chạp
		"2026-02-20": false, // mùng 4
		"2026-02-23": true,  // back to work
		"2026-04-27": false, // nghỉ bù Giỗ Tổ (26/4 is a Sunday)
		"2026-01-02": false, // swapped
		"2026-01-10": true,  // the Saturday worked for it
		"2026-01-11": false, // Sunday
		"2025-02-08": true,  // Saturday worked for 27/01
		"2025-05-02": false,
		"2025-04-26": true,
		"2024-05-04": true,
		"2024-04-29": false,
		"2024-02-14": false,
		"2024-02-15": true,
		"2027-05-03": false, // 1/5/2027 is a Saturday
		"2030-01-01": true,  // not covered: only weekends are known
	}
	for s, want := range cases {
		if got := c.IsWorkday(d(s)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", s, got, want)
		}
	}
	if n := c.NextWorkday(d("2026-02-13")); n != d("2026-02-23") {
		t.Errorf("NextWorkday before Tết = %s", n)
	}
	if n := c.NextWorkday(d("2026-01-09")); n != d("2026-01-10") {
		t.Errorf("NextWorkday(Fri 9/1/2026) = %s, want the make-up Saturday", n)
	}
	if n := c.Workdays(d("2026-02-01"), d("2026-02-28")); n != 15 {
		t.Errorf("working days in February 2026 = %d, want 15", n)
	}
}

func TestOverride(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, OverrideFile)
	os.WriteFile(p, []byte("# mine\n2026-11-24,holiday,Ngày Văn hóa Việt Nam\n2026-04-27,workday,\n"), 0o644)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkday(d("2026-11-24")) || !c.IsWorkday(d("2026-04-27")) {
		t.Fatal("override not applied")
	}
	if c.Fingerprint() == Default().Fingerprint() {
		t.Fatal("fingerprint unchanged")
	}
	if _, err := Load(filepath.Join(dir, "missing.csv")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"2026-13-01,holiday,x\n", "2026-01-05,party,x\n", "2026-01-05\n",
		"2026-01-05,holiday,a\n2026-01-05,swap,b\n"} {
		os.WriteFile(p, []byte(bad), 0o644)
		if _, err := Load(p); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	var long strings.Builder
	for i := 0; i < 40; i++ {
		long.WriteString(NewDate(2026, 7, 1+i).String() + ",holiday,x\n")
	}
	os.WriteFile(p, []byte(long.String()), 0o644)
	if _, err := Load(p); err == nil {
		t.Error("40 days off in a row accepted")
	}
}

func TestPeriods(t *testing.T) {
	cases := []struct{ spec, from, to, prev string }{
		{"2026-03", "2026-03-01", "2026-03-31", "2026-02"},
		{"2026-01", "2026-01-01", "2026-01-31", "2025-12"},
		{"2024-02", "2024-02-01", "2024-02-29", "2024-01"},
		{"2026-Q1", "2026-01-01", "2026-03-31", "2025-Q4"},
		{"2026", "2026-01-01", "2026-12-31", "2025"},
		{"2026-03-10..2026-03-19", "2026-03-10", "2026-03-19", "2026-02-28..2026-03-09"},
		{"nd09:2026-03", "2026-02-15", "2026-03-14", "nd09:2026-02"},
		{"nd09:2026-01", "2025-12-15", "2026-01-14", "nd09:2025-12"},
		{"nd09:2025-12", "2025-11-15", "2025-12-14", "nd09:2025-11"},
		{"nd09:2026-Q1", "2025-12-15", "2026-03-14", "nd09:2025-Q4"},
		{"nd09:2026-Q2", "2026-03-15", "2026-06-14", "nd09:2026-Q1"},
		{"nd09:2026-Q4", "2026-09-15", "2026-12-14", "nd09:2026-Q3"},
		{"nd09:2026-H1", "2025-12-15", "2026-06-14", "nd09:2025-H2"},
		{"nd09:2026-H2", "2026-06-15", "2026-12-14", "nd09:2026-H1"},
		{"nd09:2026-9M", "2025-12-15", "2026-09-14", "nd09:2025-9M"},
		{"nd09:2026", "2025-12-15", "2026-12-14", "nd09:2025"},
	}
	for _, c := range cases {
		p, err := ParsePeriod(c.spec)
		if err != nil {
			t.Fatalf("%s: %v", c.spec, err)
		}
		if p.From.String() != c.from || p.To.String() != c.to || p.Prev().String() != c.prev || p.String() != c.spec {
			t.Errorf("%s: %s..%s prev %s (%s), want %s..%s prev %s", c.spec, p.From, p.To, p.Prev(), p, c.from, c.to, c.prev)
		}
		if q, _ := ParsePeriod(p.String()); q != p {
			t.Errorf("%s does not round-trip", c.spec)
		}
	}
	// Consecutive ND09 months tile the year: the 14th closes one, the 15th opens the next.
	p := ND09MonthOf(2026, 1)
	for i := 0; i < 24; i++ {
		n := ND09MonthOf(2026, time.Month(2+i))
		if p.To.AddDays(1) != n.From || p.To.Day != 14 || n.From.Day != 15 {
			t.Fatalf("%s then %s", p, n)
		}
		p = n
	}
	last := MonthOf(2026, 3).Last(12)
	if len(last) != 12 || last[0].String() != "2025-04" || last[11].String() != "2026-03" {
		t.Fatalf("Last(12) = %v", last)
	}
	for _, bad := range []string{"", "2026-13", "2026-Q5", "nd09:2026-H3", "2026-03-10..2026-03-01", "march", "nd09:"} {
		if _, err := ParsePeriod(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestDeadline(t *testing.T) {
	c := Default()
	p := ND09MonthOf(2026, 3)
	if got := p.Deadline(DefaultDeadline, c); got != d("2026-03-20") {
		t.Errorf("day:20 = %s", got)
	}
	// The 20th of February 2026 falls in Tết: due the next working day.
	if got := ND09MonthOf(2026, 2).Deadline(DefaultDeadline, c); got != d("2026-02-23") {
		t.Errorf("day:20 in Tết = %s", got)
	}
	r, err := ParseDeadline("wd:3")
	if err != nil {
		t.Fatal(err)
	}
	// 14/02/2026 is a Saturday before Tết: three working days later is 25/02.
	if got := ND09MonthOf(2026, 2).Deadline(r, c); got != d("2026-02-25") {
		t.Errorf("wd:3 = %s", got)
	}
	if got := MonthOf(2026, 3).Deadline(DeadlineRule{Day: 5}, c); got != d("2026-04-06") {
		t.Errorf("day:5 after a month ending on the 31st = %s", got)
	}
	for _, bad := range []string{"day:0", "day:31", "wd:-1", "20", "week:2"} {
		if _, err := ParseDeadline(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
