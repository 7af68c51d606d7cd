package axishub_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/axis"
	"github.com/vanthu/vanthu/exchange/axishub"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
)

func decode[T any](t *testing.T, a *answer) T {
	t.Helper()
	var v T
	if err := axis.DecodeResult(bytes.NewReader(a.Body), 1<<22, &v); err != nil {
		t.Fatalf("%v: %s", err, a.Body)
	}
	return v
}

// An integration's loop, as the SDKs' sample integrations run it: A sends
// to B and C; B lists, gets, stores and acknowledges; the hub's status 01
// and B's signed status 03 reach A as status packages; A's sent list shows
// who has it; the counts and the lists follow.
func TestSDKLoop(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "hub.db"))
	sa, sb, sc := f.sdk(t, f.a), f.sdk(t, f.b), f.sdk(t, f.c)
	pkg := f.document(t, f.a, 1, codeB, codeC)
	sent := sa.do(sa.sendEdocRequest(pkg, map[string]string{"from": f.a.SystemID, "servicetype": "eDoc", "messagetype": "edoc"}))
	if sent.Status != "OK" || sent.ErrorCode != "0" || sent.ErrorDesc != "" {
		t.Fatalf("sendEdoc: %s", sent.Body)
	}
	// All three result fields are always present, ErrorDesc too.
	if !bytes.Contains(sent.Body, []byte(`"ErrorDesc":""`)) {
		t.Fatalf("sendEdoc answer: %s", sent.Body)
	}
	count := decode[axis.Count](t, sb.do(sb.call(axis.OpCountReceiveEdoc, "GET", nil, nil)))
	if count.Count != 1 {
		t.Fatalf("B's count: %+v", count)
	}
	list := receivedList(t, sb, "edoc")
	if len(list) != 1 || list[0].MessageType != "edoc" || list[0].To != codeB || list[0].DocumentID != docID(1) ||
		list[0].Status != "new" || list[0].CreatedTime == "" || list[0].ServiceType != "eDoc" {
		t.Fatalf("B's list: %+v", list)
	}
	got := sb.do(sb.call(axis.OpGetEdoc, "POST", map[string]string{"filePath": "xml", "docId": list[0].DocID}, nil))
	var pkgBack bytes.Buffer
	if res, _, err := axis.ReadEdoc(bytes.NewReader(got.Body), &pkgBack, 1<<22); err != nil || res.Err() != nil || !bytes.Equal(pkgBack.Bytes(), pkg) {
		t.Fatalf("getEdoc: %+v %v", res, err)
	}
	if l := receivedList(t, sb, "edoc"); l[0].Status != "fetched" {
		t.Fatalf("after getEdoc: %+v", l)
	}
	if a := sb.do(sb.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": list[0].DocID, "status": "processing",
		"description": "Đang vào sổ"}, nil)); a.Status != "OK" {
		t.Fatalf("updateStatus processing: %s", a.Body)
	}
	if l := receivedList(t, sb, "edoc"); len(l) != 1 || l[0].Status != "processing" || l[0].StatusDesc != "Đang vào sổ" {
		t.Fatalf("processing keeps it on the list: %+v", l)
	}
	if a := sb.do(sb.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": list[0].DocID, "status": "done"}, nil)); a.Status != "OK" {
		t.Fatalf("updateStatus done: %s", a.Body)
	}
	if l := receivedList(t, sb, "edoc"); len(l) != 0 {
		t.Fatalf("done takes it off the list: %+v", l)
	}
	// Done twice is harmless.
	if a := sb.do(sb.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": list[0].DocID, "status": "done"}, nil)); a.Status != "OK" {
		t.Fatalf("second done: %s", a.Body)
	}
	// C downloads (streamed) and acknowledges.
	lc := receivedList(t, sc, "edoc")
	dl := sc.do(sc.call(axis.OpDownloadEdoc, "GET", map[string]string{"docId": lc[0].DocID}, nil))
	if dl.HTTP != 200 || !bytes.Equal(dl.Body, pkg) {
		t.Fatalf("downloadEdoc: HTTP %d, %d bytes", dl.HTTP, len(dl.Body))
	}
	sc.do(sc.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": lc[0].DocID, "status": "done"}, nil))

	// B accepts with a signed status 03, sent as messagetype=status with no to.
	st := sb.do(sb.sendEdocRequest(f.status(t, f.b, codeA, docID(1), wire.StatusAccepted, "Đã tiếp nhận"),
		map[string]string{"messagetype": "status"}))
	if st.Status != "OK" {
		t.Fatalf("status 03: %s", st.Body)
	}
	if n := decode[axis.Count](t, sa.do(sa.call(axis.OpCountReceiveStatus, "GET", nil, nil))); n.Count != 3 {
		t.Fatalf("A's statuses: %+v (01 from B and C, 03 from B)", n)
	}
	codes := map[string]int{}
	for _, it := range receivedList(t, sa, "status") {
		if it.MessageType != "status" {
			t.Fatalf("%+v", it)
		}
		codes[it.From+" "+it.StatusCode]++
		sa.do(sa.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": it.DocID, "status": "done"}, nil))
	}
	if codes[codeB+" 01"] != 1 || codes[codeC+" 01"] != 1 || codes[codeB+" 03"] != 1 {
		t.Fatalf("A's statuses: %v", codes)
	}
	sl := decode[axis.SentList](t, sa.do(sa.call(axis.OpGetSentEdocList, "POST", map[string]string{"messagetype": "edoc",
		"docId": sent.DocID}, nil)))
	if len(sl.Data) != 2 {
		t.Fatalf("A's sent list: %+v", sl)
	}
	for _, e := range sl.Data {
		if e.SenderDocID != sent.DocID || e.ReceiveStatus != "done" || e.Notation != "1/VPCP-TTĐT" || e.FromCode != codeA ||
			e.Title != "Về việc thử nghiệm số 1" || e.ReceivedTime == "" {
			t.Fatalf("sent entry: %+v", e)
		}
		if e.ToCode == codeB && e.StatusCode != wire.StatusAccepted {
			t.Fatalf("B's latest status: %+v", e)
		}
	}
	// A date filter: nothing was queued yesterday.
	yesterday := time.Now().AddDate(0, 0, -1).In(axis.Zone()).Format("02/01/2006")
	if l := receivedList(t, sb, "status"); len(l) != 0 {
		t.Fatalf("B has statuses: %+v", l)
	}
	a := sb.do(sb.call(axis.OpCountReceiveEdoc, "GET", map[string]string{"toDate": yesterday}, nil))
	if n := decode[axis.Count](t, a); n.Count != 0 {
		t.Fatalf("count until yesterday: %+v", n)
	}
	if n, err := f.hub.Hub.VerifyAudit(context.Background()); err != nil || n == 0 {
		t.Fatalf("audit: %d %v", n, err)
	}
	// Every request is in the audit trail, by system.
	var served int
	for _, e := range f.audit(t) {
		if strings.HasPrefix(e.Action, "axis.") && strings.HasPrefix(e.Actor, "axis:") && strings.Contains(e.Detail, `"ok":true`) {
			served++
		}
	}
	if served < 20 {
		t.Fatalf("%d served requests audited", served)
	}
}

// The agency lists, and an admin system's registerAgency and deleteAgency.
func TestAgencies(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "hub.db"))
	sa, sb := f.sdk(t, f.a), f.sdk(t, f.b)
	body, _ := json.Marshal(axis.RegisterAgency{ID: "77", PCode: codeA, Code: "000.01.00.G22", Name: "Vụ Hành chính", Mail: "vhc@example.gov.vn"})
	if a := sa.do(sa.call(axis.OpRegisterAgency, "POST", map[string]string{}, body)); a.Status != "OK" {
		t.Fatalf("registerAgency: %s", a.Body)
	}
	// Registering again updates the contact details.
	body, _ = json.Marshal(axis.RegisterAgency{ID: "77", PCode: codeA, Code: "000.01.00.G22", Name: "Vụ Hành chính", Mail: "moi@example.gov.vn"})
	if a := sa.do(sa.call(axis.OpRegisterAgency, "POST", map[string]string{}, body)); a.Status != "OK" {
		t.Fatalf("registerAgency again: %s", a.Body)
	}
	if a := sa.do(sa.call(axis.OpRegisterAgency, "POST", map[string]string{}, []byte(`{"code":"x",`))); a.ErrorCode != axis.CodeBadRequest {
		t.Fatalf("broken JSON: %s", a.Body)
	}
	l := decode[axis.AgencyList](t, sb.do(sb.call(axis.OpGetAgenciesList, "POST", nil, nil)))
	var sub *axis.Agency
	for i := range l.Data {
		if l.Data[i].Code == "000.01.00.G22" {
			sub = &l.Data[i]
		}
	}
	if len(l.Data) != 4 || sub == nil || sub.ID != "77" || sub.PID != codeA || sub.Mail != "moi@example.gov.vn" || sub.OldCode != sub.Code {
		t.Fatalf("agencies: %+v", l.Data)
	}
	top := decode[axis.AgencyList](t, sb.do(sb.call(axis.OpGetAgenciesListQD20, "POST", map[string]string{"level": "1"}, nil)))
	if len(top.Data) != 3 {
		t.Fatalf("level 1: %+v", top.Data)
	}
	if a := sa.do(sa.call(axis.OpDeleteAgency, "POST", map[string]string{"AgencyCode": codeA}, nil)); a.ErrorCode != axis.CodeForbidden {
		t.Fatalf("deleting its own agency: %s", a.Body)
	}
	if a := sa.do(sa.call(axis.OpDeleteAgency, "POST", map[string]string{"AgencyCode": codeB}, nil)); a.Status != "OK" {
		t.Fatalf("deleteAgency: %s", a.Body)
	}
	// B's system goes with its agency.
	if a := sb.do(sb.call(axis.OpGetAgenciesList, "POST", nil, nil)); a.ErrorCode != axis.CodeUnauthenticated {
		t.Fatalf("B after its deletion: %s", a.Body)
	}
	syn := decode[axis.AgencyList](t, sa.do(sa.call(axis.OpGetSynchronizeUnit, "POST", nil, nil)))
	for _, a := range syn.Data {
		if a.Code == codeB && (a.Deleted == nil || !*a.Deleted || a.ModifyDate == "") {
			t.Fatalf("deleted agency in the synchronisation: %+v", a)
		}
	}
	systems, _ := f.door.Registry.List(context.Background())
	for _, s := range systems {
		if s.Agency == codeB && s.Revoked == nil {
			t.Fatalf("B's system still active: %+v", s)
		}
	}
}

// Rotation: the new secret works at once, the old one only within the
// grace period; revocation stops both.
func TestSecretRotation(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "hub.db")
	f := newFixture(t, dbPath)
	ctx := context.Background()
	old := f.sdk(t, f.b)
	if _, err := f.door.Registry.Rotate(ctx, "admin:test", f.b.SystemID, time.Hour, "ngắn"); !errors.Is(err, axishub.ErrWeakSecret) {
		t.Fatalf("a weak secret: %v", err)
	}
	secret, err := f.door.Registry.Rotate(ctx, "admin:test", f.b.SystemID, time.Hour, "")
	if err != nil || secret == f.b.Secret || len(secret) < 40 {
		t.Fatalf("%q %v", secret, err)
	}
	fresh := newSDK(t, f.door.URL, f.b.SystemID, secret, f.door.HTTP)
	for _, s := range []*javaSDK{old, fresh} {
		if a := s.do(s.call(axis.OpGetAgenciesList, "POST", nil, nil)); a.Status != "OK" {
			t.Fatalf("within the grace: %s", a.Body)
		}
	}
	if _, err := f.door.Registry.Rotate(ctx, "admin:test", f.b.SystemID, 0, "một-bí-mật-đủ-dài-do-quản-trị-đặt"); err != nil {
		t.Fatal(err)
	}
	if a := fresh.do(fresh.call(axis.OpGetAgenciesList, "POST", nil, nil)); a.ErrorCode != axis.CodeUnauthenticated {
		t.Fatalf("rotated without grace, the previous secret: %s", a.Body)
	}
	given := newSDK(t, f.door.URL, f.b.SystemID, "một-bí-mật-đủ-dài-do-quản-trị-đặt", f.door.HTTP)
	if a := given.do(given.call(axis.OpGetAgenciesList, "POST", nil, nil)); a.Status != "OK" {
		t.Fatalf("the given secret: %s", a.Body)
	}
	if _, err := f.door.Registry.Add(ctx, "admin:test", axishub.NewSystem{ID: f.b.SystemID, Agency: codeB}); !errors.Is(err, axishub.ErrSystemExists) {
		t.Fatalf("a second system with the same ID: %v", err)
	}
	if _, err := f.door.Registry.Add(ctx, "admin:test", axishub.NewSystem{Agency: "H99"}); err == nil {
		t.Fatal("a system for an unknown agency")
	}
	// The secrets are not in the database in the clear.
	raw, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(dbPath + "-wal")
	raw = append(raw, wal...)
	for _, s := range []string{f.a.Secret, secret, "một-bí-mật-đủ-dài-do-quản-trị-đặt"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Fatalf("secret %q stored in the clear", s)
		}
	}
}

func TestMasterKey(t *testing.T) {
	dir := t.TempDir()
	p := axishub.MasterKeyPath(dir)
	k, err := axishub.CreateMasterKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	if _, err := axishub.CreateMasterKey(p); !errors.Is(err, axishub.ErrMasterKey) {
		t.Fatalf("overwriting: %v", err)
	}
	k2, err := axishub.LoadMasterKey(p)
	if err != nil || k2.ID() != k.ID() {
		t.Fatalf("%v", err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := axishub.LoadMasterKey(p); !errors.Is(err, axishub.ErrMasterKey) || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a readable key: %v", err)
	}
	os.WriteFile(p, []byte("không phải khóa"), 0o600)
	if _, err := axishub.LoadMasterKey(p); !errors.Is(err, axishub.ErrMasterKey) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := axishub.LoadMasterKey(filepath.Join(dir, "none")); !errors.Is(err, axishub.ErrMasterKey) {
		t.Fatalf("missing: %v", err)
	}
}

// A hub whose master key was replaced cannot open the secrets: requests
// fail as internal errors (logged), never as authenticated.
func TestWrongMasterKey(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "hub.db"))
	other, err := axishub.CreateMasterKey(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := axishub.NewRegistry(context.Background(), f.hub.Hub, other)
	if err != nil {
		t.Fatal(err)
	}
	srv := axishub.New(axishub.Config{Hub: f.hub.Hub, Registry: reg})
	s := f.sdk(t, f.b)
	req := s.call(axis.OpGetAgenciesList, "POST", nil, nil)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var res axis.Result
	_ = json.Unmarshal(rec.Body.Bytes(), &res)
	if rec.Code != 500 || res.Status != "FAIL" || res.ErrorCode != axis.CodeInternal || strings.Contains(res.ErrorDesc, "master") {
		t.Fatalf("HTTP %d %+v", rec.Code, res)
	}
}

// Packages through the door are the hub's like any other: the register
// hook hears of the send and of the status.
func TestDoorSendsReachTheHook(t *testing.T) {
	env := exchangetest.Shared(t)
	rec := &exchangetest.RecordingHook{}
	h := env.ServeDirHook(t, env.InitDir(t, "", hub.Limits{}), func(*store.DB) hub.Hook { return rec }, nil)
	f := &fixture{env: env, hub: h, door: h.ServeAxis(t)}
	f.a = env.AddAxisSystem(t, f.door, codeA, "Văn phòng Chính phủ", "", false)
	f.b = env.AddAxisSystem(t, f.door, codeB, "UBND tỉnh Nghệ An", "", false)
	sa, sb := f.sdk(t, f.a), f.sdk(t, f.b)
	if a := sa.do(sa.sendEdocRequest(f.document(t, f.a, 1, codeB), map[string]string{"messagetype": "edoc"})); a.Status != "OK" {
		t.Fatalf("%s", a.Body)
	}
	if a := sb.do(sb.sendEdocRequest(f.status(t, f.b, codeA, docID(1), wire.StatusRefused, "Sai nơi nhận"),
		map[string]string{"messagetype": "status"})); a.Status != "OK" {
		t.Fatalf("%s", a.Body)
	}
	if err := h.Hub.WaitHooks(context.Background()); err != nil { // the hook hears after the answer
		t.Fatal(err)
	}
	sent, statuses := rec.Events()
	if len(sent) != 1 || sent[0].From != codeA || sent[0].DocumentID != docID(1) || len(sent[0].To) != 1 {
		t.Fatalf("sent: %+v", sent)
	}
	if len(statuses) != 1 || statuses[0].Code != wire.StatusRefused || statuses[0].Recipient != codeB {
		t.Fatalf("statuses: %+v", statuses)
	}
}
