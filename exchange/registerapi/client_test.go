package registerapi_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerapi"
)

// asAgency authenticates the test client's requests as an agency (the
// hub does it with mutual TLS).
type asAgency struct {
	code string
	next http.RoundTripper
}

func (a asAgency) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Agency", a.code)
	return a.next.RoundTrip(r)
}

// The client gives back what the handler serves, with the register's
// errors: a commune's paper send, listed, corrected with its history, in
// the district's report, and refused to a sibling commune.
func TestClient(t *testing.T) {
	srv := server(t)
	ctx := context.Background()
	as := func(code string) *registerapi.Client {
		return &registerapi.Client{Base: srv.URL, HTTP: &http.Client{Transport: asAgency{code, srv.Client().Transport}}}
	}
	commune, sibling, district := as("H40.01.X01"), as("H40.01.X02"), as("H40.01")
	in := register.OutgoingInput{Unit: "H40.01.X01", Number: "7/UBND", Date: calendar.NewDate(2026, 11, 23), Channel: register.Paper,
		PaperReason: "Nơi nhận chưa kết nối", Subject: "V/v họp"}
	if _, err := sibling.AddOutgoing(ctx, in); !errors.Is(err, register.ErrForbidden) {
		t.Fatalf("sibling adds: %v", err)
	}
	o, err := commune.AddOutgoing(ctx, in)
	if err != nil || o.ID == 0 || o.Channel != register.Paper {
		t.Fatalf("add: %+v %v", o, err)
	}
	if got, err := district.Outgoing(ctx, o.ID); err != nil || got.PaperReason != in.PaperReason {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := sibling.Outgoing(ctx, o.ID); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("sibling reads: %v", err)
	}
	if _, err := commune.Incoming(ctx, 999); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("no such incoming entry: %v", err)
	}
	if _, err := commune.AddOutgoing(ctx, in); !errors.Is(err, register.ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	list, err := district.ListOutgoing(ctx, register.Filter{Unit: "H40.01", SubUnits: true, From: calendar.NewDate(2026, 11, 1)})
	if err != nil || len(list) != 1 || list[0].Number != "7/UBND" || !list[0].Date.Time().Equal(in.Date.Time()) {
		t.Fatalf("district list: %+v %v", list, err)
	}
	if err := commune.Correct(ctx, register.EntityOutgoing, o.ID, map[string]string{"subject": "V/v họp giao ban"}, ""); !errors.Is(err, register.ErrNoReason) && !errors.Is(err, register.ErrInvalid) {
		t.Fatalf("correct without a reason: %v", err)
	}
	if err := commune.Correct(ctx, register.EntityOutgoing, o.ID, map[string]string{"subject": "V/v họp giao ban"}, "sai trích yếu"); err != nil {
		t.Fatal(err)
	}
	hist, err := commune.History(ctx, register.EntityOutgoing, o.ID)
	if err != nil || len(hist) < 2 || hist[len(hist)-1].New != "V/v họp giao ban" || hist[len(hist)-1].Reason != "sai trích yếu" {
		t.Fatalf("history: %+v %v", hist, err)
	}
	units, err := district.Units(ctx, "")
	if err != nil || len(units) != 3 {
		t.Fatalf("units: %+v %v", units, err)
	}
	p, _ := calendar.ParsePeriod("nd09:2026-12")
	rep, err := district.Report(ctx, "H40.01", p, 0, "")
	if err != nil || rep.Unit.Counts.PaperOnly != 1 || rep.Unit.Counts.Sent != 1 || rep.MissedTotal != 1 || rep.Period != p {
		t.Fatalf("report: %+v %v", rep, err)
	}
	if _, err := commune.Report(ctx, "H40.01", p, 0, ""); !errors.Is(err, register.ErrForbidden) {
		t.Fatalf("the commune reads the district's report: %v", err)
	}
	if err := sibling.Cancel(ctx, register.EntityOutgoing, o.ID, "nhầm"); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("sibling cancels: %v", err)
	}
	down := &registerapi.Client{Base: "https://127.0.0.1:1"}
	if _, err := down.Units(ctx, ""); !errors.Is(err, registerapi.ErrUnreachable) {
		t.Fatalf("no hub: %v", err)
	}
}
