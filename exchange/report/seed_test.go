package report_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/register/registertest"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/signing/verify"
)

var files *registertest.Files

func TestMain(m *testing.M) { os.Exit(registertest.RunTests(m, &files)) }

// The seed: a three-level tree, staff, outgoing and incoming entries of
// every kind. The expected indicators are computed from these tables in Go
// (expect), independently of the SQL.

type unitSeed struct{ code, name, parent string }

var units = []unitSeed{
	{"H40.01", "Ủy ban nhân dân huyện Yên Thành", ""},
	{"H40.01.VP", "Văn phòng HĐND và UBND huyện", "H40.01"},
	{"H40.01.NV", "Phòng Nội vụ", "H40.01"},
	{"H40.01.X01", "Ủy ban nhân dân xã Hợp Thành", "H40.01"},
	{"H40.01.X01.T1", "Tổ dân phố Đông Hải", "H40.01.X01"},
}

// kind is the file an entry was sent with; its verdicts are decided by
// signing/verify (TestVerdicts in exchange/register pins them).
type kind string

const (
	kFull      kind = "full"      // valid, valid
	kApprove   kind = "approve"   // valid, missing
	kUntrusted kind = "untrusted" // valid, indeterminate
	kTampered  kind = "tampered"  // invalid, invalid
	kPlain     kind = "plain"     // missing, missing
	kNone      kind = ""          // unverified
)

var verdicts = map[kind][2]register.SigStatus{
	kFull:      {register.SigValid, register.SigValid},
	kApprove:   {register.SigValid, register.SigMissing},
	kUntrusted: {register.SigValid, register.SigIndeterminate},
	kTampered:  {register.SigInvalid, register.SigInvalid},
	kPlain:     {register.SigMissing, register.SigMissing},
	kNone:      {register.SigUnverified, register.SigUnverified},
}

// signers are the staff whose certificates sign each kind validly.
var signers = map[kind][]string{
	kFull:      {"Nguyễn Văn Ánh", "Trần Thị Bích Ngọc"},
	kApprove:   {"Nguyễn Văn Ánh"},
	kUntrusted: {"Nguyễn Văn Ánh"},
}

type outSeed struct {
	unit, number, date string
	channel            register.Channel
	kind               kind
	secret, cancelled  bool
	reason             string
	byFile             bool // registered with the file (verified by the register) rather than a verification made once
	exchange           bool // sent through the exchange (RecordSent) to recipients
	to                 []string
	recalled           bool
}

const paperReason = "Nơi nhận chưa kết nối hệ thống"

var outgoing = []outSeed{
	{unit: "H40.01.VP", number: "101/UBND-VP", date: "2026-11-15", channel: register.Electronic, kind: kFull},
	{unit: "H40.01.VP", number: "102/UBND-VP", date: "2026-11-21", channel: register.Electronic, kind: kFull, byFile: true},
	{unit: "H40.01.VP", number: "103/UBND-VP", date: "2026-12-14", channel: register.Both, kind: kFull},
	{unit: "H40.01.VP", number: "104/UBND-VP", date: "2026-12-01", channel: register.Electronic, kind: kApprove, byFile: true},
	{unit: "H40.01.VP", number: "105/UBND-VP", date: "2026-11-30", channel: register.Paper, reason: paperReason},
	{unit: "H40.01.VP", number: "106/UBND-VP", date: "2026-11-14", channel: register.Electronic, kind: kFull},
	{unit: "H40.01.VP", number: "107/UBND-VP", date: "2026-12-15", channel: register.Electronic, kind: kApprove},
	{unit: "H40.01.VP", number: "108/UBND-VP", date: "2026-11-20", channel: register.Paper, secret: true},
	{unit: "H40.01.VP", number: "109/UBND-VP", date: "2026-11-22", channel: register.Electronic, kind: kFull, cancelled: true},
	{unit: "H40.01.VP", number: "110/UBND-VP", date: "2025-12-20", channel: register.Electronic, kind: kFull},
	{unit: "H40.01.NV", number: "201/NV", date: "2026-11-16", channel: register.Electronic, kind: kUntrusted, byFile: true},
	{unit: "H40.01.NV", number: "202/NV", date: "2026-11-17", channel: register.Electronic, kind: kTampered, byFile: true},
	{unit: "H40.01.NV", number: "203/NV", date: "2026-11-18", channel: register.Electronic, kind: kPlain},
	{unit: "H40.01.NV", number: "204/NV", date: "2026-11-19", channel: register.Electronic, kind: kNone},
	{unit: "H40.01.NV", number: "205/NV", date: "2026-12-10", channel: register.Electronic, kind: kFull},
	{unit: "H40.01.NV", number: "206/NV", date: "2026-10-20", channel: register.Paper, reason: paperReason},
	{unit: "H40.01.X01", number: "301/UBND", date: "2026-11-25", channel: register.Electronic, kind: kFull},
	{unit: "H40.01.X01", number: "302/UBND", date: "2026-11-26", channel: register.Paper, reason: "Phụ lục bản vẽ khổ A0"},
	{unit: "H40.01.X01", number: "303/UBND", date: "2026-11-27", channel: register.Electronic, kind: kFull, secret: true},
	{unit: "H40.01.X01.T1", number: "401/TDP", date: "2026-12-02", channel: register.Electronic, kind: kFull},
	{unit: "H40.01.X01.T1", number: "402/TDP", date: "2026-12-03", channel: register.Paper, reason: paperReason},
	{unit: "H40.01.X01.T1", number: "403/TDP", date: "2026-12-04", channel: register.Electronic, kind: kApprove},
	{unit: "H40.01", number: "1/UBND", date: "2026-11-23", channel: register.Electronic, kind: kFull, exchange: true,
		to: []string{"H40.01.X01", "H40.01.NV"}, recalled: true},
	{unit: "H40.01", number: "2/UBND", date: "2026-12-12", channel: register.Electronic, kind: kUntrusted},
	{unit: "H40.01", number: "3/UBND", date: "2026-01-10", channel: register.Electronic, kind: kFull},
}

type inSeed struct {
	unit, sender, number string
	arrived              string
	receipt, receiptAt   string
	cancelled            bool
	// fromExchange: the entry comes from the outgoing send of that
	// number (RecordSent); receipts and recalls then come as statuses.
	fromExchange bool
	recalled     bool
}

var incoming = []inSeed{
	{unit: "H40.01.X01", sender: "H40.01", number: "1/UBND", arrived: "2026-11-23 09:00", receipt: "03", receiptAt: "2026-11-24 16:00", fromExchange: true},
	{unit: "H40.01.NV", sender: "H40.01", number: "1/UBND", arrived: "2026-11-23 09:00", fromExchange: true, recalled: true},
	{unit: "H40.01.VP", sender: "G22", number: "50/VPCP", arrived: "2026-11-20 16:00", receipt: "03", receiptAt: "2026-11-23 08:30"}, // Fri → Mon
	{unit: "H40.01.VP", sender: "G22", number: "51/VPCP", arrived: "2026-11-20 10:00", receipt: "03", receiptAt: "2026-11-24 08:30"}, // Fri → Tue: late
	{unit: "H40.01.VP", sender: "H40", number: "52/SNV", arrived: "2026-11-21 09:00", receipt: "03", receiptAt: "2026-11-23 10:00"},  // Sat → Mon
	{unit: "H40.01.NV", sender: "H40", number: "53/SNV", arrived: "2026-12-02 09:00", receipt: "02", receiptAt: "2026-12-02 11:00"},
	{unit: "H40.01.NV", sender: "H40", number: "54/SNV", arrived: "2026-12-14 17:00"},
	{unit: "H40.01.X01.T1", sender: "H40.01.X01", number: "55/UBND", arrived: "2026-12-09 08:00", receipt: "03", receiptAt: "2026-12-11 08:00"},
	{unit: "H40.01.X01", sender: "H40", number: "56/SNV", arrived: "2026-11-14 08:00", receipt: "03", receiptAt: "2026-11-14 09:00"},
	{unit: "H40.01.X01", sender: "H40", number: "57/SNV", arrived: "2026-12-15 08:00"},
	{unit: "H40.01.X01.T1", sender: "H40", number: "58/SNV", arrived: "2026-11-30 08:00", receipt: "03", receiptAt: "2026-12-01 08:00", cancelled: true},
	// Around Giỗ Tổ (Sun 26/4/2026, nghỉ bù Mon 27/4) and 30/4–1/5/2026.
	{unit: "H40.01.VP", sender: "G22", number: "60/VPCP", arrived: "2026-04-24 10:00", receipt: "03", receiptAt: "2026-04-28 09:00"},
	{unit: "H40.01.VP", sender: "G22", number: "61/VPCP", arrived: "2026-04-24 10:00", receipt: "03", receiptAt: "2026-04-29 09:00"},
	{unit: "H40.01.VP", sender: "G22", number: "62/VPCP", arrived: "2026-04-29 15:00", receipt: "03", receiptAt: "2026-05-04 09:00"},
	{unit: "H40.01.VP", sender: "G22", number: "63/VPCP", arrived: "2026-04-29 15:00", receipt: "03", receiptAt: "2026-05-05 09:00"},
}

type staffSeed struct {
	unit, name  string
	from, until string
	cert        string // "leader", "expired", "wrongusage", "director": enrolled; "specialist": recorded when she first signs
	enrol       bool
}

// certOf is the certificate of a staff seed.
func certOf(name string) *x509.Certificate {
	p := files.PKI
	return map[string]*x509.Certificate{"leader": p.Leader.Cert, "expired": p.Expired.Cert, "wrongusage": p.WrongUsage.Cert,
		"director": p.Director.Cert, "specialist": p.Specialist.Cert}[name]
}

var staff = []staffSeed{
	{unit: "H40.01", name: "Nguyễn Văn Ánh", from: "2024-01-01", cert: "leader", enrol: true},
	{unit: "H40.01.VP", name: "Trần Thị Bích Ngọc", from: "2024-01-01", cert: "specialist"},
	{unit: "H40.01.VP", name: "Lê Thị Mai", from: "2024-01-01"},
	{unit: "H40.01.NV", name: "Phạm Quốc Hùng", from: "2024-01-01", cert: "expired", enrol: true},
	{unit: "H40.01.NV", name: "Đỗ Văn Nam", from: "2024-01-01", until: "2026-10-31", cert: "director", enrol: true},
	{unit: "H40.01.NV", name: "Hoàng Văn Tư", from: "2026-12-20"},
	{unit: "H40.01.X01", name: "Vũ Thị Lan", from: "2025-06-01", cert: "wrongusage", enrol: true},
	{unit: "H40.01.X01.T1", name: "Bùi Văn Tám", from: "2025-06-01"},
}

func d(s string) calendar.Date {
	v, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func tm(s string) time.Time {
	v, err := register.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return v
}

func (k kind) file() string {
	switch k {
	case kFull:
		return files.Full
	case kApprove:
		return files.ApproveOnly
	case kUntrusted:
		return files.UntrustedIssue
	case kTampered:
		return files.Tampered
	case kPlain:
		return files.Plain
	}
	return ""
}

var admin = register.Actor{Name: "Quản trị", Admin: true}

// seed opens a register and reporter on dsn and fills them.
func seed(t *testing.T, dsn string) (*register.Register, *report.Reporter, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := func() time.Time { return time.Date(2026, 12, 16, 9, 0, 0, 0, calendar.Vietnam) }
	reg, err := register.Open(ctx, register.Config{DB: db, Verifier: register.VerifyWith(files.Verify), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.New(ctx, db, report.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if _, err := reg.AddUnit(ctx, admin, u.code, u.name, u.parent); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range staff {
		st, err := reg.AddStaff(ctx, admin, register.StaffInput{Unit: s.unit, Name: s.name, ActiveFrom: d(s.from)})
		if err != nil {
			t.Fatal(err)
		}
		if s.enrol {
			if _, err := reg.Enrol(ctx, admin, st.ID, certOf(s.cert)); err != nil {
				t.Fatal(err)
			}
		}
		if s.until != "" {
			if err := reg.Deactivate(ctx, admin, st.ID, d(s.until), "chuyển công tác"); err != nil {
				t.Fatal(err)
			}
		}
	}
	assessed := map[kind]*register.Assessment{}
	for _, k := range []kind{kFull, kApprove, kUntrusted, kTampered, kPlain} {
		res, err := verify.VerifyFile(ctx, k.file(), files.Verify)
		if err != nil {
			t.Fatal(err)
		}
		as := register.Assess(res)
		assessed[k] = &as
	}
	ids := map[string]int64{}
	for _, o := range outgoing {
		if o.exchange {
			doc, err := os.ReadFile(o.kind.file())
			if err != nil {
				t.Fatal(err)
			}
			id := o.unit + "," + d(o.date).String()[:4] + "/" + d(o.date).String()[5:7] + "/" + d(o.date).String()[8:] + "," + o.number
			if err := reg.RecordSent(ctx, register.Sent{From: o.unit, To: o.to, DocumentID: id, At: tm(incomingOf(o.number).arrived),
				Document: bytesReader(doc), DocumentSize: int64(len(doc)), DocumentName: filepath.Base(o.kind.file())}); err != nil {
				t.Fatal(err)
			}
			for _, in := range incoming {
				if in.fromExchange && in.receipt != "" {
					if err := reg.RecordStatus(ctx, register.StatusUpdate{DocumentID: id, DocSender: o.unit, Recipient: in.unit, Code: in.receipt, At: tm(in.receiptAt)}); err != nil {
						t.Fatal(err)
					}
				}
				if in.fromExchange && in.recalled {
					for _, code := range []string{"13", "15"} {
						if err := reg.RecordStatus(ctx, register.StatusUpdate{DocumentID: id, DocSender: o.unit, Recipient: in.unit, Code: code, At: tm(in.arrived).Add(time.Hour)}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			l, err := reg.ListOutgoing(ctx, admin, register.Filter{Unit: o.unit, From: d(o.date), To: d(o.date)})
			if err != nil || len(l) != 1 {
				t.Fatalf("exchange entry: %v %v", l, err)
			}
			ids[o.number] = l[0].ID
			continue
		}
		in := register.OutgoingInput{Unit: o.unit, Number: o.number, Date: d(o.date), Type: "Công văn", Subject: "Về việc " + o.number,
			Signer: "Nguyễn Văn Ánh", Secret: o.secret, Channel: o.channel, PaperReason: o.reason, Recipients: []string{"H40"}}
		if o.byFile {
			in.File = o.kind.file()
		} else if o.kind != kNone {
			in.Assessment = assessed[o.kind]
		}
		e, err := reg.AddOutgoing(ctx, admin, in)
		if err != nil {
			t.Fatalf("%s: %v", o.number, err)
		}
		if want := verdicts[o.kind]; e.Approve != want[0] || e.Issue != want[1] {
			t.Fatalf("%s: verdicts %s %s, want %v", o.number, e.Approve, e.Issue, want)
		}
		if o.cancelled {
			if err := reg.Cancel(ctx, admin, register.EntityOutgoing, e.ID, "đăng ký nhầm"); err != nil {
				t.Fatal(err)
			}
		}
		ids[o.number] = e.ID
	}
	for _, s := range incoming {
		if s.fromExchange {
			continue
		}
		ch := register.Electronic
		if s.sender == "H40" {
			ch = register.Paper
		}
		in, err := reg.AddIncoming(ctx, admin, register.IncomingInput{Unit: s.unit, Sender: s.sender, Number: s.number, ArrivedAt: tm(s.arrived), Channel: ch})
		if err != nil {
			t.Fatal(err)
		}
		if s.receipt != "" {
			note := ""
			if s.receipt == "02" {
				note = "Không thuộc thẩm quyền"
			}
			if err := reg.Confirm(ctx, admin, in.ID, s.receipt, tm(s.receiptAt), note); err != nil {
				t.Fatal(err)
			}
		}
		if s.cancelled {
			if err := reg.Cancel(ctx, admin, register.EntityIncoming, in.ID, "trùng"); err != nil {
				t.Fatal(err)
			}
		}
		ids["in:"+s.unit+":"+s.number] = in.ID
	}
	return reg, rep, ids
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func incomingOf(number string) inSeed {
	for _, in := range incoming {
		if in.number == number {
			return in
		}
	}
	panic(number)
}

// subtree lists code and the units below it.
func subtree(code string) map[string]bool {
	in := map[string]bool{code: true}
	for changed := true; changed; {
		changed = false
		for _, u := range units {
			if in[u.parent] && !in[u.code] {
				in[u.code], changed = true, true
			}
		}
	}
	return in
}

// expect computes the counts of unit's subtree for p from the seed tables.
func expect(code string, p calendar.Period) report.Counts {
	var c report.Counts
	sub := subtree(code)
	cal := calendar.Default()
	for _, o := range outgoing {
		if !sub[o.unit] || !p.Contains(d(o.date)) || o.cancelled {
			continue
		}
		c.Outgoing++
		if o.secret {
			c.Secret++
			continue
		}
		c.Sent++
		if o.channel == register.Paper {
			c.PaperOnly++
			continue
		}
		c.Electronic++
		v := verdicts[o.kind]
		switch n := b(v[0] == register.SigValid) + b(v[1] == register.SigValid); n {
		case 2:
			c.Exchanged++
		case 1:
			c.OneSignature++
		default:
			c.Unsigned++
		}
		if o.recalled {
			c.Recalls++
			c.Recalled++
		}
	}
	for _, in := range incoming {
		arrived := calendar.DateOf(tm(in.arrived))
		if !sub[in.unit] || !p.Contains(arrived) || in.cancelled {
			continue
		}
		c.Received++
		switch {
		case in.receipt == "":
			c.Unconfirmed++
		case !calendar.DateOf(tm(in.receiptAt)).After(cal.NextWorkday(arrived)):
			c.OnTime++
		default:
			c.Late++
		}
		if in.receipt == "02" {
			c.Refused++
		}
		if in.recalled {
			c.TakenBack++
		}
	}
	signed := signedStaff(p)
	for _, s := range staff {
		if !sub[s.unit] || d(s.from).After(p.To) || (s.until != "" && d(s.until).Before(p.To)) {
			continue
		}
		c.Staff++
		if c0 := certOf(s.cert); c0 != nil {
			end := p.To.End()
			if !end.Before(c0.NotBefore) && !end.After(c0.NotAfter) {
				c.StaffWithCert++
			}
		}
		if signed[s.name] {
			c.StaffSigned++
		}
	}
	return c
}

// signedStaff: who made a valid signature in p (every fixture is signed on
// registertest.SignedAt), on a document that is registered and not cancelled.
func signedStaff(p calendar.Period) map[string]bool {
	out := map[string]bool{}
	if !p.Contains(calendar.DateOf(registertest.SignedAt)) {
		return out
	}
	for _, o := range outgoing {
		if !o.cancelled {
			for _, n := range signers[o.kind] {
				out[n] = true
			}
		}
	}
	return out
}

func b(v bool) int {
	if v {
		return 1
	}
	return 0
}

// expectMissed lists the numbers of the documents of code's subtree that
// missed the target in p, sorted like the report (unit, date).
func expectMissed(code string, p calendar.Period) []string {
	type m struct{ unit, date, number string }
	var l []m
	sub := subtree(code)
	for _, o := range outgoing {
		if !sub[o.unit] || !p.Contains(d(o.date)) || o.cancelled || o.secret {
			continue
		}
		v := verdicts[o.kind]
		if o.channel != register.Paper && v[0] == register.SigValid && v[1] == register.SigValid {
			continue
		}
		l = append(l, m{o.unit, o.date, o.number})
	}
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].unit != l[j].unit {
			return l[i].unit < l[j].unit
		}
		return l[i].date < l[j].date
	})
	var out []string
	for _, x := range l {
		out = append(out, x.number)
	}
	return out
}
