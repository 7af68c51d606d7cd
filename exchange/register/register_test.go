package register_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/signing/verify"
)

// TestVerdicts: the verdicts come from signing/verify on the real files.
func TestVerdicts(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		file           string
		approve, issue register.SigStatus
		nsigs          int
	}{
		{files.Plain, register.SigMissing, register.SigMissing, 0},
		{files.Full, register.SigValid, register.SigValid, 3},
		{files.ApproveOnly, register.SigValid, register.SigMissing, 1},
		{files.UntrustedIssue, register.SigValid, register.SigIndeterminate, 2}, // chain_untrusted
		{files.Tampered, register.SigInvalid, register.SigInvalid, 3},
	}
	for _, c := range cases {
		res, err := verify.VerifyFile(ctx, c.file, files.Verify)
		if err != nil {
			t.Fatal(err)
		}
		as := register.Assess(res)
		if as.Approve != c.approve || as.Issue != c.issue || len(as.Signatures) != c.nsigs {
			t.Errorf("%s: approve %s issue %s (%d signatures), want %s %s %d: %+v", filepath.Base(c.file), as.Approve, as.Issue,
				len(as.Signatures), c.approve, c.issue, c.nsigs, as.Signatures)
		}
	}
}

func TestAccessFollowsAgency(t *testing.T) {
	both(t, func(t *testing.T, r *register.Register) {
		ctx := context.Background()
		tree(t, r)
		ward := register.Actor{Name: "Văn thư xã", Agency: "H40.01.X01"}
		district := register.Actor{Name: "Văn thư huyện", Agency: "H40.01"}
		// The ward sees itself and its group, not the district or an office.
		units, err := r.Units(ctx, ward, "")
		if err != nil || len(units) != 2 || units[0].Code != "H40.01.X01" || units[1].Code != "H40.01.X01.T1" {
			t.Fatalf("ward's units: %+v %v", units, err)
		}
		for _, code := range []string{"H40.01", "H40.01.VP"} {
			if _, err := r.Units(ctx, ward, code); !errors.Is(err, register.ErrForbidden) {
				t.Errorf("ward reads %s: %v", code, err)
			}
			if _, err := r.AddOutgoing(ctx, ward, register.OutgoingInput{Unit: code, Number: "1/X", Date: day("2026-11-20"),
				Channel: register.Paper, PaperReason: "x"}); !errors.Is(err, register.ErrForbidden) {
				t.Errorf("ward registers for %s: %v", code, err)
			}
		}
		// The district reaches its sub-units.
		o, err := r.AddOutgoing(ctx, district, register.OutgoingInput{Unit: "H40.01.X01.T1", Number: "3/TDP", Date: day("2026-11-20"),
			Channel: register.Paper, PaperReason: "Người nhận chưa có hệ thống"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Outgoing(ctx, ward, o.ID); err != nil {
			t.Fatalf("ward reads its group's entry: %v", err)
		}
		office := register.Actor{Agency: "H40.01.NV"}
		if _, err := r.Outgoing(ctx, office, o.ID); !errors.Is(err, register.ErrNotFound) {
			t.Fatalf("another office reads it: %v", err)
		}
		if err := r.Correct(ctx, office, register.EntityOutgoing, o.ID, map[string]string{"subject": "x"}, "y"); !errors.Is(err, register.ErrNotFound) {
			t.Fatalf("another office corrects it: %v", err)
		}
		if _, err := r.History(ctx, office, register.EntityOutgoing, o.ID); !errors.Is(err, register.ErrNotFound) {
			t.Fatalf("another office reads its history: %v", err)
		}
		if _, err := r.AddUnit(ctx, ward, "H40.02", "Huyện khác", ""); !errors.Is(err, register.ErrForbidden) {
			t.Fatalf("ward adds a root: %v", err)
		}
		if err := r.MoveUnit(ctx, ward, "H40.01.X01", "H40.01.VP", "x"); !errors.Is(err, register.ErrForbidden) {
			t.Fatalf("ward moves itself: %v", err)
		}
		if err := r.MoveUnit(ctx, admin, "H40.01", "H40.01.X01.T1", "x"); !errors.Is(err, register.ErrCycle) {
			t.Fatalf("cycle: %v", err)
		}
		// Move the group below the office: the ward loses it.
		if err := r.MoveUnit(ctx, district, "H40.01.X01.T1", "H40.01.NV", "sáp nhập"); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Outgoing(ctx, ward, o.ID); !errors.Is(err, register.ErrNotFound) {
			t.Fatalf("ward still reads the moved group's entry: %v", err)
		}
		if _, err := r.Outgoing(ctx, office, o.ID); err != nil {
			t.Fatalf("office reads its new group's entry: %v", err)
		}
		us, _ := r.Units(ctx, admin, "H40.01")
		if len(us) != 5 || us[1].Code != "H40.01.NV" || us[2].Code != "H40.01.X01.T1" || us[2].Depth != 2 {
			t.Fatalf("tree after the move: %+v", us)
		}
	})
}

func TestOutgoingWithFileAndCorrections(t *testing.T) {
	both(t, func(t *testing.T, r *register.Register) {
		ctx := context.Background()
		tree(t, r)
		clerk := register.Actor{Name: "Nguyễn Thị Hoa", Agency: "H40.01"}
		leader, err := r.AddStaff(ctx, clerk, register.StaffInput{Unit: "H40.01", Name: "Nguyễn  Văn Ánh", Title: "Chủ tịch", ActiveFrom: day("2025-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		spec, err := r.AddStaff(ctx, clerk, register.StaffInput{Unit: "H40.01.VP", Name: "Trần Thị Bích Ngọc", ActiveFrom: day("2025-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		o, err := r.AddOutgoing(ctx, clerk, register.OutgoingInput{Unit: "H40.01.VP", Number: "123/UBND-VP", Date: day("2026-11-21"),
			Type: "Công văn", Subject: "V/v triển khai chữ ký số", Signer: "Nguyễn Văn Ánh", Channel: register.Electronic,
			Recipients: []string{"H40.01.NV", "H40.01.X01"}, File: files.Full})
		if err != nil {
			t.Fatal(err)
		}
		if !o.Exchanged() || len(o.Signatures) != 3 || len(o.Recipients) != 2 || o.FileSHA256 == "" {
			t.Fatalf("entry: %+v", o)
		}
		// The certificates first seen on the document were recorded for their owners.
		staff, err := r.StaffList(ctx, clerk, "H40.01", true)
		if err != nil {
			t.Fatal(err)
		}
		certs := map[int64]int{}
		for _, s := range staff {
			certs[s.ID] = len(s.Certs)
		}
		if certs[leader.ID] != 1 || certs[spec.ID] != 1 {
			t.Fatalf("certificates recorded: %v (%+v)", certs, staff)
		}
		// Duplicates are refused.
		if _, err := r.AddOutgoing(ctx, clerk, register.OutgoingInput{Unit: "H40.01.VP", Number: "123/ubnd-vp", Date: day("2026-12-01"),
			Channel: register.Paper, PaperReason: "x"}); !errors.Is(err, register.ErrDuplicate) {
			t.Fatalf("duplicate: %v", err)
		}
		// Corrections need a reason, keep the old values, refuse the verdicts.
		if err := r.Correct(ctx, clerk, register.EntityOutgoing, o.ID, map[string]string{"subject": "x"}, " "); !errors.Is(err, register.ErrNoReason) {
			t.Fatalf("no reason: %v", err)
		}
		if err := r.Correct(ctx, clerk, register.EntityOutgoing, o.ID, map[string]string{"approve": "valid"}, "x"); !errors.Is(err, register.ErrNotCorrectable) {
			t.Fatalf("verdict corrected by hand: %v", err)
		}
		if err := r.Correct(ctx, clerk, register.EntityOutgoing, o.ID, map[string]string{"channel": "giấy"}, "gửi nhầm kênh"); !errors.Is(err, register.ErrInvalid) {
			t.Fatalf("paper without a reason: %v", err)
		}
		if err := r.Correct(ctx, clerk, register.EntityOutgoing, o.ID, map[string]string{"subject": "V/v triển khai chữ ký số chuyên dùng",
			"date": "2026-11-20"}, "sai trích yếu"); err != nil {
			t.Fatal(err)
		}
		if err := r.Cancel(ctx, clerk, register.EntityOutgoing, o.ID, "đăng ký nhầm"); err != nil {
			t.Fatal(err)
		}
		if err := r.Correct(ctx, clerk, register.EntityOutgoing, o.ID, map[string]string{"subject": "y"}, "z"); !errors.Is(err, register.ErrInvalid) {
			t.Fatalf("cancelled entry corrected: %v", err)
		}
		h, err := r.History(ctx, clerk, register.EntityOutgoing, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, c := range h {
			lines = append(lines, c.Action+" "+c.Field+" "+c.Old+" → "+c.New+" / "+c.Reason+" / "+c.Actor)
		}
		want := []string{
			"correct date 2026-11-21 → 2026-11-20 / sai trích yếu / Nguyễn Thị Hoa (H40.01)",
			"correct subject V/v triển khai chữ ký số → V/v triển khai chữ ký số chuyên dùng / sai trích yếu / Nguyễn Thị Hoa (H40.01)",
			"cancel cancelled false → true / đăng ký nhầm / Nguyễn Thị Hoa (H40.01)",
		}
		if len(h) != 4 || h[0].Action != "create" || !strings.Contains(h[0].New, "approve valid, issue valid") || strings.Join(lines[1:], "\n") != strings.Join(want, "\n") {
			t.Fatalf("history:\n%s", strings.Join(lines, "\n"))
		}
		got, err := r.Outgoing(ctx, clerk, o.ID)
		if err != nil || !got.Cancelled || got.Date != day("2026-11-20") {
			t.Fatalf("after corrections: %+v %v", got, err)
		}
		// Re-verification with another file replaces the verdicts and keeps the old ones in the history.
		o2, err := r.AddOutgoing(ctx, clerk, register.OutgoingInput{Unit: "H40.01", Number: "5/UBND", Date: day("2026-11-25"), Channel: register.Both})
		if err != nil || o2.Approve != register.SigUnverified {
			t.Fatalf("unverified entry: %+v %v", o2, err)
		}
		o2, err = r.Reverify(ctx, clerk, o2.ID, files.UntrustedIssue, "")
		if err != nil || o2.Approve != register.SigValid || o2.Issue != register.SigIndeterminate || o2.Exchanged() {
			t.Fatalf("reverified: %+v %v", o2, err)
		}
	})
}

func TestImportIsAllOrNothing(t *testing.T) {
	both(t, func(t *testing.T, r *register.Register) {
		ctx := context.Background()
		tree(t, r)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "full.pdf"), mustRead(t, files.Full), 0o644); err != nil {
			t.Fatal(err)
		}
		good := "unit,number,date,type,subject,signer,secret,channel,recipients,paper_reason,file\n" +
			"H40.01.VP,10/UBND-VP,2026-11-16,Công văn,Về lịch họp,Nguyễn Văn Ánh,không,điện tử,H40.01.NV;H40.01.X01,,full.pdf\n" +
			"H40.01.NV,11/NV,17/11/2026,Tờ trình,Về biên chế,Lê Văn B,0,giấy,Sở Nội vụ,Nơi nhận chưa kết nối trục liên thông,\n" +
			"H40.01.X01,12/UBND,2026-11-18,Công văn,Mật,Phạm C,có,paper,,,\n"
		bad := good +
			"H40.01.VP,10/UBND-VP,2026-11-19,Công văn,trùng,,,electronic,,,\n" + // same number and year as line 2
			"H40.01.NV,13/NV,2026-11-19,,,,,paper,,,\n" + // paper without a reason
			"H40.09,14/X,2026-11-19,,,,,electronic,,,\n" + // unknown unit
			"H40.01.NV,15/NV,2026-02-30,,,,,electronic,,,\n" + // no such date
			"H40.01.NV,16/NV,2026-11-19,,,,,fax,,,\n" // unknown channel
		rep, err := r.ImportOutgoing(ctx, admin, strings.NewReader(bad), register.ImportOptions{Dir: dir})
		if !errors.Is(err, register.ErrImportRejected) || rep == nil || len(rep.Rejected) != 5 || rep.Imported != 0 {
			t.Fatalf("bad import: %+v %v", rep, err)
		}
		lines := []int{}
		for _, x := range rep.Rejected {
			lines = append(lines, x.Line)
		}
		if strings.Trim(strings.Join(strings.Fields(strings.Trim(fmtInts(lines), "[]")), ","), ",") != "5,6,7,8,9" {
			t.Fatalf("rejected lines %v: %+v", lines, rep.Rejected)
		}
		if l, _ := r.ListOutgoing(ctx, admin, register.Filter{Unit: "H40.01", SubUnits: true}); len(l) != 0 {
			t.Fatalf("half-imported: %d entries", len(l))
		}
		// With SkipRejected the good rows go in (in one transaction); a repeat adds nothing.
		rep, err = r.ImportOutgoing(ctx, admin, strings.NewReader(bad), register.ImportOptions{Dir: dir, SkipRejected: true})
		if err != nil || rep.Imported != 3 || len(rep.Rejected) != 5 {
			t.Fatalf("skip import: %+v %v", rep, err)
		}
		rep, err = r.ImportOutgoing(ctx, admin, strings.NewReader(good), register.ImportOptions{Dir: dir})
		if !errors.Is(err, register.ErrImportRejected) || len(rep.Rejected) != 3 || !errors.Is(rep.Rejected[0].Err, register.ErrDuplicate) {
			t.Fatalf("repeated import: %+v %v", rep, err)
		}
		l, err := r.ListOutgoing(ctx, admin, register.Filter{Unit: "H40.01", SubUnits: true})
		if err != nil || len(l) != 3 || !l[0].Exchanged() || l[1].Channel != register.Paper || !l[2].Secret || l[0].Source != register.SourceImport {
			t.Fatalf("imported: %+v %v", l, err)
		}
		// A broken header is refused before any row.
		if _, err := r.ImportOutgoing(ctx, admin, strings.NewReader("unit,number,colour\n"), register.ImportOptions{}); !errors.Is(err, register.ErrInvalid) {
			t.Fatalf("bad header: %v", err)
		}
		// Cancellation stops the import with nothing written.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := r.ImportOutgoing(cctx, admin, strings.NewReader(strings.ReplaceAll(good, "1", "7")), register.ImportOptions{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled import: %v", err)
		}
	})
}

func TestExchangeHooks(t *testing.T) {
	both(t, func(t *testing.T, r *register.Register) {
		ctx := context.Background()
		tree(t, r)
		doc := mustRead(t, files.Full)
		ev := register.Sent{From: "H40.01.VP", To: []string{"H40.01.X01", "H40.01.NV", "G22"}, DocumentID: "H40.01.VP,2026/11/21,123/UBND-VP",
			Subject: "V/v triển khai", At: at("2026-11-21 15:00"), Document: bytesReader(doc), DocumentSize: int64(len(doc)), DocumentName: "123.pdf"}
		for i := 0; i < 2; i++ { // the hub may tell twice
			if err := r.RecordSent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		out, err := r.ListOutgoing(ctx, admin, register.Filter{Unit: "H40.01.VP"})
		if err != nil || len(out) != 1 || !out[0].Exchanged() || out[0].Source != register.SourceExchange || out[0].Number != "123/UBND-VP" {
			t.Fatalf("outgoing: %+v %v", out, err)
		}
		in, err := r.ListIncoming(ctx, admin, register.Filter{Unit: "H40.01", SubUnits: true})
		if err != nil || len(in) != 2 {
			t.Fatalf("incoming: %+v %v", in, err)
		}
		// Each recipient's entry keeps the hash of the file that arrived.
		for _, x := range in {
			if x.FileSHA256 != sha256Hex(doc) || out[0].FileSHA256 != x.FileSHA256 {
				t.Fatalf("incoming %s: file %q, sent %q, want %q", x.Unit, x.FileSHA256, out[0].FileSHA256, sha256Hex(doc))
			}
		}
		st := func(code, from, to, when string) {
			t.Helper()
			if err := r.RecordStatus(ctx, register.StatusUpdate{DocumentID: ev.DocumentID, DocSender: from, Recipient: to, Code: code, At: at(when)}); err != nil {
				t.Fatal(err)
			}
		}
		st("01", "H40.01.VP", "H40.01.X01", "2026-11-21 15:01")
		st("03", "H40.01.VP", "H40.01.X01", "2026-11-23 08:00") // Monday
		st("03", "H40.01.VP", "H40.01.X01", "2026-11-25 08:00") // repeated later: the first counts
		st("05", "H40.01.VP", "H40.01.X01", "2026-11-26 08:00")
		st("13", "H40.01.VP", "H40.01.NV", "2026-11-22 09:00")
		st("15", "H40.01.VP", "H40.01.NV", "2026-11-22 10:00")
		in, _ = r.ListIncoming(ctx, admin, register.Filter{Unit: "H40.01", SubUnits: true})
		byUnit := map[string]register.Incoming{}
		for _, x := range in {
			byUnit[x.Unit] = x
		}
		x := byUnit["H40.01.X01"]
		if x.Receipt != "03" || !x.ReceiptAt.Equal(at("2026-11-23 08:00")) || x.Status != "05" || x.Recalled {
			t.Fatalf("ward's entry: %+v", x)
		}
		if n := byUnit["H40.01.NV"]; n.Receipt != "" || !n.Recalled || n.Status != "15" {
			t.Fatalf("office's entry: %+v", n)
		}
		o, _ := r.Outgoing(ctx, admin, out[0].ID)
		if o.Recall != register.RecallAccepted || len(o.Recipients) != 3 || o.Recipients[0].Status != "05" || o.Recipients[1].Status != "15" {
			t.Fatalf("outgoing after statuses: %+v", o)
		}
		// A paper entry registered first is completed by the electronic send, not duplicated.
		if _, err := r.AddOutgoing(ctx, admin, register.OutgoingInput{Unit: "H40.01.NV", Number: "7/NV", Date: day("2026-11-24"),
			Channel: register.Paper, PaperReason: "chờ gửi điện tử"}); err != nil {
			t.Fatal(err)
		}
		if err := r.RecordSent(ctx, register.Sent{From: "H40.01.NV", DocumentID: "H40.01.NV,2026/11/24,7/NV", At: at("2026-11-24 10:00"),
			Document: bytesReader(doc), DocumentSize: int64(len(doc))}); err != nil {
			t.Fatal(err)
		}
		l, _ := r.ListOutgoing(ctx, admin, register.Filter{Unit: "H40.01.NV"})
		if len(l) != 1 || l[0].Channel != register.Both || !l[0].Exchanged() {
			t.Fatalf("completed entry: %+v", l)
		}
		// An unknown sender becomes a top-level unit.
		if err := r.RecordSent(ctx, register.Sent{From: "G22", FromName: "Văn phòng Chính phủ", DocumentID: "G22,2026/11/24,9/VPCP", To: []string{"H40.01"}}); err != nil {
			t.Fatal(err)
		}
		if u, err := r.Unit(ctx, admin, "G22"); err != nil || u.Name != "Văn phòng Chính phủ" {
			t.Fatalf("new unit: %+v %v", u, err)
		}
		if err := r.RecordSent(ctx, register.Sent{DocumentID: "garbage"}); !errors.Is(err, register.ErrInvalid) {
			t.Fatalf("bad document id: %v", err)
		}
	})
}

// TestRecordAll: sends and statuses recorded together, in order; a bad
// event fails alone and holds back only the later events of its document
// (a subject PostgreSQL refuses fails inside the transaction: its events
// are then written one by one).
func TestRecordAll(t *testing.T) {
	both(t, func(t *testing.T, r *register.Register) {
		ctx := context.Background()
		tree(t, r)
		doc := mustRead(t, files.Full)
		sent := func(n, subject string) *register.Sent {
			return &register.Sent{From: "H40.01.VP", To: []string{"H40.01.X01"}, DocumentID: "H40.01.VP,2026/11/21," + n + "/UBND-VP",
				Subject: subject, At: at("2026-11-21 15:00"), Document: bytesReader(doc), DocumentSize: int64(len(doc)), DocumentName: n + ".pdf"}
		}
		accepted := func(n string) *register.StatusUpdate {
			return &register.StatusUpdate{DocumentID: "H40.01.VP,2026/11/21," + n + "/UBND-VP", DocSender: "H40.01.VP", Recipient: "H40.01.X01",
				Code: "03", At: at("2026-11-23 08:00")}
		}
		errs := r.RecordAll(ctx, []register.Event{
			{Sent: sent("1", "Một")}, {Sent: &register.Sent{DocumentID: "garbage"}}, {Status: accepted("1")},
			{Sent: sent("2", "Hai \xff")}, {Status: accepted("2")}, {Sent: sent("3", "Ba")},
		})
		pg := r.DB().Dialect() == store.Postgres
		for i, ok := range []bool{true, false, true, !pg, !pg, true} {
			if (errs[i] == nil) != ok {
				t.Errorf("event %d: %v", i, errs[i])
			}
		}
		if !errors.Is(errs[1], register.ErrInvalid) || (pg && !errors.Is(errs[4], register.ErrHeldBack)) {
			t.Errorf("errors: %v", errs)
		}
		in, err := r.ListIncoming(ctx, admin, register.Filter{Unit: "H40.01.X01"})
		if err != nil {
			t.Fatal(err)
		}
		receipts := map[string]string{}
		for _, x := range in {
			receipts[x.Number] = x.Receipt
		}
		want := map[string]string{"1/UBND-VP": "03", "3/UBND-VP": ""}
		if !pg {
			want["2/UBND-VP"] = "03"
		}
		if fmt.Sprint(receipts) != fmt.Sprint(want) {
			t.Errorf("incoming %v, want %v", receipts, want)
		}
	})
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
