package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
)

func TestRegisterViewsCSV(t *testing.T) {
	l := func(key string, args ...any) string { return key }
	out := []register.Outgoing{{Unit: "H40.01", Number: "7/UBND", Date: calendar.NewDate(2026, 11, 23), Subject: "V/v họp, giao ban",
		Channel: register.Paper, PaperReason: "Nơi nhận chưa kết nối", Approve: register.SigUnverified, Issue: register.SigUnverified,
		Recipients: []register.Recipient{{Agency: "H40.02", Status: "03"}, {Agency: "H40.03"}}}}
	var b bytes.Buffer
	if err := CSV(&b, OutgoingView(l, out)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(b.String(), "\ufeff")), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "report.col.code,report.col.number,report.col.date") ||
		lines[1] != `H40.01,7/UBND,2026-11-23,,"V/v họp, giao ban",,report.channel.paper,H40.02 (03); H40.03,report.sig.unverified,report.sig.unverified,,Nơi nhận chưa kết nối,` {
		t.Fatalf("outgoing CSV:\n%s", b.String())
	}
	at := time.Date(2026, 11, 27, 16, 0, 0, 0, calendar.Vietnam)
	in := []register.Incoming{{Unit: "H40.01", Sender: "H40", SenderName: "UBND tỉnh", Number: "55/SNV", Channel: register.Electronic,
		ArrivedAt: at, Receipt: "03", ReceiptAt: at.Add(time.Hour), Cancelled: true}}
	b.Reset()
	if err := CSV(&b, IncomingView(l, in)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "H40.01,H40 UBND tỉnh,55/SNV,,,,report.channel.electronic,2026-11-27T16:00:00+07:00,03,2026-11-27T17:00:00+07:00,,report.yes") {
		t.Fatalf("incoming CSV:\n%s", b.String())
	}
}
