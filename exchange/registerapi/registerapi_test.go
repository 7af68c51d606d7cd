package registerapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerapi"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/store"
)

// The hub authenticates agencies with mutual TLS; the test stands in for it
// with a header, the handler only sees the agency code it is given.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg, err := register.Open(ctx, register.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := report.New(ctx, db, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	admin := register.Actor{Admin: true, Name: "hub"}
	for _, u := range [][3]string{{"H40.01", "UBND huyện", ""}, {"H40.01.X01", "UBND xã Hợp Thành", "H40.01"}, {"H40.01.X02", "UBND xã Bắc Thành", "H40.01"}} {
		if _, err := reg.AddUnit(ctx, admin, u[0], u[1], u[2]); err != nil {
			t.Fatal(err)
		}
	}
	h := registerapi.NewHandler(registerapi.Config{Register: reg, Reporter: rp, Agency: func(r *http.Request) (string, bool) {
		a := r.Header.Get("X-Test-Agency")
		return a, a != ""
	}})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, srv *httptest.Server, agency, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, srv.URL+path, rd)
	if agency != "" {
		req.Header.Set("X-Test-Agency", agency)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestAgencyScopedAPI(t *testing.T) {
	srv := server(t)
	send := map[string]any{"unit": "H40.01.X01", "number": "7/UBND", "date": "2026-11-23", "channel": "paper", "paper_reason": "Nơi nhận chưa kết nối"}
	if code, b := call(t, srv, "", "GET", "/v1/register/units", nil); code != http.StatusUnauthorized {
		t.Fatalf("no agency: %d %s", code, b)
	}
	// A commune registers its own paper send; the other commune may not.
	if code, b := call(t, srv, "H40.01.X02", "POST", "/v1/register/outgoing", send); code != http.StatusForbidden {
		t.Fatalf("other commune: %d %s", code, b)
	}
	code, b := call(t, srv, "H40.01.X01", "POST", "/v1/register/outgoing", send)
	if code != http.StatusCreated {
		t.Fatalf("add: %d %s", code, b)
	}
	var o register.Outgoing
	json.Unmarshal(b, &o)
	if code, _ := call(t, srv, "H40.01.X01", "POST", "/v1/register/outgoing", send); code != http.StatusConflict {
		t.Fatalf("duplicate: %d", code)
	}
	if code, _ := call(t, srv, "H40.01.X01", "POST", "/v1/register/outgoing", map[string]any{"unit": "H40.01.X01", "colour": 1}); code != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", code)
	}
	// The district sees it (its sub-unit), the other commune does not.
	if code, b := call(t, srv, "H40.01", "GET", "/v1/register/outgoing?unit=H40.01&sub=1", nil); code != 200 || !strings.Contains(string(b), "7/UBND") {
		t.Fatalf("district list: %d %s", code, b)
	}
	path := "/v1/register/outgoing/" + itoa(o.ID)
	if code, _ := call(t, srv, "H40.01.X02", "GET", path, nil); code != http.StatusNotFound {
		t.Fatalf("other commune reads: %d", code)
	}
	if code, b := call(t, srv, "H40.01.X01", "POST", path+"/correct", map[string]any{"changes": map[string]string{"subject": "V/v họp"}}); code != http.StatusBadRequest {
		t.Fatalf("no reason: %d %s", code, b)
	}
	if code, b := call(t, srv, "H40.01", "POST", path+"/correct", map[string]any{"changes": map[string]string{"subject": "V/v họp"}, "reason": "bổ sung"}); code != 200 {
		t.Fatalf("correct: %d %s", code, b)
	}
	code, b = call(t, srv, "H40.01.X01", "GET", path+"/history", nil)
	if code != 200 || !strings.Contains(string(b), `"actor":"H40.01"`) || !strings.Contains(string(b), "bổ sung") {
		t.Fatalf("history: %d %s", code, b)
	}
	// Reports follow the same rule.
	code, b = call(t, srv, "H40.01", "GET", "/v1/report?unit=H40.01&period=nd09:2026-12", nil)
	var rep report.Report
	if code != 200 || json.Unmarshal(b, &rep) != nil || rep.Unit.Counts.PaperOnly != 1 || rep.MissedTotal != 1 {
		t.Fatalf("report: %d %s", code, b)
	}
	if code, _ := call(t, srv, "H40.01.X01", "GET", "/v1/report?unit=H40.01&period=nd09:2026-12", nil); code != http.StatusForbidden {
		t.Fatalf("commune reads the district's report: %d", code)
	}
	if code, _ := call(t, srv, "H40.01", "GET", "/v1/report?unit=H40.01&period=march", nil); code != http.StatusBadRequest {
		t.Fatalf("bad period: %d", code)
	}
	code, b = call(t, srv, "H40.01", "GET", "/v1/report?unit=H40.01&period=nd09:2026-12&format=xlsx", nil)
	if code != 200 {
		t.Fatalf("xlsx: %d", code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil || len(f.GetSheetList()) != 6 {
		t.Fatalf("xlsx: %v", err)
	}
	if code, b := call(t, srv, "H40.01", "GET", "/v1/report?unit=H40.01&period=nd09:2026-12&format=csv&view=missed", nil); code != 200 || !strings.Contains(string(b), "7/UBND") {
		t.Fatalf("csv: %d %s", code, b)
	}
	if code, b := call(t, srv, "H40.01.X01", "POST", path+"/cancel", map[string]any{"reason": "nhầm"}); code != 200 {
		t.Fatalf("cancel: %d %s", code, b)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
