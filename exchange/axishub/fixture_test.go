package axishub_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/pgtest"
)

func TestMain(m *testing.M) {
	if code, ok := exchangetest.Child(); ok {
		os.Exit(code)
	}
	os.Exit(pgtest.Run(m))
}

const (
	codeA = "000.00.00.G22" // sends, through an SDK whose system ID is not its code
	codeB = "H41"
	codeC = "H29.01"
)

type fixture struct {
	env     *exchangetest.Env
	hub     *exchangetest.Hub
	door    *exchangetest.AxisDoor
	a, b, c *exchangetest.AxisSystem
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	env := exchangetest.Shared(t)
	f := &fixture{env: env, hub: env.NewHub(t, dsn, hub.Limits{MaxPackageSize: 1 << 20})}
	f.door = f.hub.ServeAxis(t)
	f.a = env.AddAxisSystem(t, f.door, codeA, "Văn phòng Chính phủ", "vxp.g22.01", true)
	f.b = env.AddAxisSystem(t, f.door, codeB, "UBND tỉnh Nghệ An", "", false)
	f.c = env.AddAxisSystem(t, f.door, codeC, "Sở Nội vụ TP.HCM", "", false)
	return f
}

func (f *fixture) sdk(t *testing.T, s *exchangetest.AxisSystem) *javaSDK {
	return newSDK(t, f.door.URL, s.SystemID, s.Secret, f.door.HTTP)
}

func docID(n int) string { return fmt.Sprintf("%s,2026/03/10,%d/VPCP-TTĐT", codeA, n) }

// document is a signed edXML document package from s to the agencies to.
func (f *fixture) document(t *testing.T, s *exchangetest.AxisSystem, n int, to ...string) []byte {
	t.Helper()
	body := []byte(fmt.Sprintf("%%PDF-1.7 văn bản thử %d", n))
	doc := wire.Document{From: wire.Organization{Code: s.Code}, DocumentID: fmt.Sprintf("%s,2026/03/10,%d/VPCP-TTĐT", s.Code, n),
		Subject: fmt.Sprintf("Về việc thử nghiệm số %d", n), Number: fmt.Sprint(n), Notation: "VPCP-TTĐT",
		Files: []wire.File{{Name: "vb.pdf", ContentType: "application/pdf", Size: int64(len(body)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }}}}
	for _, c := range to {
		doc.To = append(doc.To, wire.Organization{Code: c})
	}
	var buf bytes.Buffer
	if _, err := f.env.Codec.WriteDocument(context.Background(), &buf, doc, s.Signer.Key, s.Signer.Chain); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// status is a signed status package from s about document docID of to.
func (f *fixture) status(t *testing.T, s *exchangetest.AxisSystem, to, docID, code, desc string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.env.Codec.WriteStatus(context.Background(), &buf, wire.Status{From: wire.Organization{Code: s.Code},
		To: wire.Organization{Code: to}, DocumentID: docID, Code: code, Description: desc, At: time.Now()},
		s.Signer.Key, s.Signer.Chain); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// state is everything a refused request must leave as it was.
type state struct {
	messages, queued, acked, removed, fetched, statuses, blobs, agencies, activeAgencies int
	receiveStatuses, activeSystems                                                       int
}

func (f *fixture) state(t *testing.T) state {
	t.Helper()
	ctx := context.Background()
	var s state
	for _, c := range []struct {
		q   string
		dst *int
	}{
		{"SELECT count(*) FROM message", &s.messages},
		{"SELECT count(*) FROM delivery WHERE state = 'queued'", &s.queued},
		{"SELECT count(*) FROM delivery WHERE state = 'acked'", &s.acked},
		{"SELECT count(*) FROM delivery WHERE state = 'removed'", &s.removed},
		{"SELECT count(*) FROM delivery WHERE fetched_at IS NOT NULL", &s.fetched},
		{"SELECT count(*) FROM status_log", &s.statuses},
		{"SELECT count(*) FROM blob", &s.blobs},
		{"SELECT count(*) FROM agency", &s.agencies},
		{"SELECT count(*) FROM agency WHERE revoked_at IS NULL", &s.activeAgencies},
		{"SELECT count(*) FROM axis_receive_status", &s.receiveStatuses},
		{"SELECT count(*) FROM axis_system WHERE revoked_at IS NULL", &s.activeSystems},
	} {
		if err := f.hub.DB.QueryRow(ctx, c.q).Scan(c.dst); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (f *fixture) audit(t *testing.T) []hub.AuditEntry {
	t.Helper()
	n, err := f.hub.Hub.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := f.hub.Hub.AuditEntries(context.Background(), 0, int(n)+1)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// refused checks that a was the axis's FAIL shape with code and a
// description holding desc, that nothing changed since before, and that
// the audit trail gained exactly the refusal.
func (f *fixture) refused(t *testing.T, a *answer, before state, auditBefore int, code, desc string) {
	t.Helper()
	if a.Status != "FAIL" || a.ErrorCode != code || !strings.Contains(a.ErrorDesc, desc) {
		t.Fatalf("answer HTTP %d %+v, want FAIL %s mentioning %q", a.HTTP, a.Result, code, desc)
	}
	if after := f.state(t); after != before {
		t.Fatalf("a refused request changed the hub:\nbefore %+v\nafter  %+v", before, after)
	}
	entries := f.audit(t)
	if len(entries) != auditBefore+1 || entries[len(entries)-1].Action != "axis.refused" ||
		!strings.Contains(entries[len(entries)-1].Detail, `"ok":false`) {
		var tail []string
		for _, e := range entries[auditBefore:] {
			tail = append(tail, e.Action+" "+e.Detail)
		}
		t.Fatalf("audit after the refusal: %d new entries %v, want one axis.refused", len(entries)-auditBefore, tail)
	}
}
