package axishub_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vanthu/vanthu/exchange/axis"
)

func receivedList(t *testing.T, s *javaSDK, kind string) []axis.Received {
	t.Helper()
	a := s.do(s.call(axis.OpGetReceivedEdocList, "POST", map[string]string{"Content-Type": "application/json",
		"servicetype": "eDoc", "messagetype": kind}, nil))
	var l axis.ReceivedList
	if err := axis.DecodeResult(bytes.NewReader(a.Body), 1<<20, &l); err != nil || l.Status != "OK" {
		t.Fatalf("getReceivedEdocList: %v %s", err, a.Body)
	}
	return l.Data
}

// Every way around the door a caller can try — a wrong HMAC, an unknown
// system, headers that differ from the signed ones, a body that is not
// the declared package, another agency's DocId, rights it does not have —
// gets the axis's FAIL shape with a clear ErrorDesc, and nothing changes
// but the refusal's entry in the audit trail.
func TestSecurityRefusals(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "hub.db"))
	sa, sb, sc := f.sdk(t, f.a), f.sdk(t, f.b), f.sdk(t, f.c)
	pkg := f.document(t, f.a, 1, codeB)
	if a := sa.do(sa.sendEdocRequest(pkg, map[string]string{"from": codeA, "servicetype": "eDoc", "messagetype": "edoc"})); a.Status != "OK" || a.DocID == "" {
		t.Fatalf("sendEdoc: %+v %s", a.Result, a.Body)
	}
	list := receivedList(t, sb, "edoc")
	if len(list) != 1 || list[0].From != codeA {
		t.Fatalf("B's list: %+v", list)
	}
	bDoc := list[0].DocID
	pkg2 := f.document(t, f.a, 2, codeB)

	for _, tc := range []struct {
		name       string
		req        func() *http.Request
		code, desc string
	}{
		{"wrong HMAC", func() *http.Request {
			s := newSDK(t, f.door.URL, f.b.SystemID, "không-phải-bí-mật-của-H41", f.door.HTTP)
			return s.call(axis.OpGetReceivedEdocList, "POST", map[string]string{"messagetype": "edoc"}, nil)
		}, axis.CodeUnauthenticated, "XroadVnpt-hash-header does not match"},
		{"unknown system ID", func() *http.Request {
			s := newSDK(t, f.door.URL, "vxp.khong.ton.tai", f.b.Secret, f.door.HTTP)
			return s.call(axis.OpGetReceivedEdocList, "POST", map[string]string{"messagetype": "edoc"}, nil)
		}, axis.CodeUnauthenticated, "unknown or revoked system ID"},
		{"signed value changed", func() *http.Request {
			r := sb.call(axis.OpGetEdoc, "POST", map[string]string{"docId": "999999"}, nil)
			r.Header["XroadVnpt-docId"] = []string{bDoc}
			return r
		}, axis.CodeUnauthenticated, "the signed value is"},
		{"signed header missing", func() *http.Request {
			r := sb.call(axis.OpGetEdoc, "POST", map[string]string{"docId": bDoc}, nil)
			delete(r.Header, "XroadVnpt-docId")
			return r
		}, axis.CodeUnauthenticated, "signed but not sent"},
		{"entry smuggled into the sign-header, not sent", func() *http.Request {
			r := sb.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": bDoc, "status": "done"}, nil)
			delete(r.Header, "XroadVnpt-status")
			return r
		}, axis.CodeUnauthenticated, "XroadVnpt-status is signed but not sent"},
		{"prefixed header not signed", func() *http.Request {
			r := sb.call(axis.OpGetEdoc, "POST", map[string]string{"docId": bDoc}, nil)
			r.Header["XroadVnpt-AgencyCode"] = []string{codeC}
			return r
		}, axis.CodeUnauthenticated, "sent but not signed"},
		{"unprefixed duplicate", func() *http.Request {
			r := sb.call(axis.OpGetEdoc, "POST", map[string]string{"docId": "999999"}, nil)
			r.Header["docId"] = []string{bDoc}
			return r
		}, axis.CodeUnauthenticated, "without the prefix"},
		{"header sent twice", func() *http.Request {
			r := sb.call(axis.OpGetEdoc, "POST", map[string]string{"docId": bDoc}, nil)
			r.Header["XroadVnpt-docId"] = []string{bDoc, "999999"}
			return r
		}, axis.CodeUnauthenticated, "sent 2 times"},
		{"body differs from hash-file", func() *http.Request {
			r := sa.sendEdocRequest(pkg2, map[string]string{"from": codeA, "messagetype": "edoc"})
			changed := bytes.Replace(append(append([]byte{}, pkg2...), '\r', '\n'), []byte("Về việc"), []byte("Về viêc"), 1)
			r.Body, r.ContentLength = nopCloser(changed), int64(len(changed))
			return r
		}, axis.CodeRefused, "does not match hash-file"},
		{"another agency's DocId in getEdoc", func() *http.Request {
			return sc.call(axis.OpGetEdoc, "POST", map[string]string{"docId": bDoc}, nil)
		}, axis.CodeForbidden, "not addressed to " + codeC},
		{"another agency's DocId in downloadEdoc", func() *http.Request {
			return sc.call(axis.OpDownloadEdoc, "GET", map[string]string{"docId": bDoc}, nil)
		}, axis.CodeForbidden, "not addressed to " + codeC},
		{"another agency's DocId in updateStatus", func() *http.Request {
			return sc.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": bDoc, "status": "done"}, nil)
		}, axis.CodeForbidden, "not addressed to " + codeC},
		{"registerAgency by a system that is not admin", func() *http.Request {
			r := sb.call(axis.OpRegisterAgency, "POST", map[string]string{}, []byte(`{"id":"","pcode":"","code":"H99","name":"Giả mạo"}`))
			return r
		}, axis.CodeForbidden, "admin system"},
		{"deleteAgency by a system that is not admin", func() *http.Request {
			return sb.call(axis.OpDeleteAgency, "POST", map[string]string{"AgencyCode": codeC}, nil)
		}, axis.CodeForbidden, "admin system"},
		{"from another agency", func() *http.Request {
			return sb.sendEdocRequest(f.document(t, f.b, 3, codeC), map[string]string{"from": codeA, "messagetype": "edoc"})
		}, axis.CodeForbidden, "is not this system's agency"},
		{"another agency's package relayed", func() *http.Request {
			return sb.sendEdocRequest(pkg2, map[string]string{"from": codeB, "messagetype": "edoc"})
		}, axis.CodeForbidden, "the package is from"},
		{"to an agency the package does not name", func() *http.Request {
			return sa.sendEdocRequest(pkg2, map[string]string{"messagetype": "edoc", "to": `["` + codeC + `"]`})
		}, axis.CodeRefused, "not among the package's recipients"},
		{"status package declared as edoc", func() *http.Request {
			return sb.sendEdocRequest(f.status(t, f.b, codeA, docID(1), "03", ""), map[string]string{"messagetype": "edoc"})
		}, axis.CodeRefused, "declared edoc, the package is status"},
		{"updateStatus with an unknown status", func() *http.Request {
			return sb.call(axis.OpUpdateStatus, "POST", map[string]string{"docId": bDoc, "status": "xong"}, nil)
		}, axis.CodeBadRequest, "status \"xong\""},
		{"unknown operation", func() *http.Request {
			return sb.call("deleteEverything", "POST", nil, nil)
		}, axis.CodeNotFound, "unknown operation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, auditBefore := f.state(t), len(f.audit(t))
			a := sb.do(tc.req())
			f.refused(t, a, before, auditBefore, tc.code, tc.desc)
		})
	}
	// B's document is still there for B, unread.
	if l := receivedList(t, sb, "edoc"); len(l) != 1 || l[0].DocID != bDoc || l[0].Status != "new" {
		t.Fatalf("B's list after the attempts: %+v", l)
	}
	// A revoked system is refused from its next request on.
	if err := f.door.Registry.Revoke(context.Background(), "admin:test", f.c.SystemID, "thử"); err != nil {
		t.Fatal(err)
	}
	before, auditBefore := f.state(t), len(f.audit(t))
	f.refused(t, sc.do(sc.call(axis.OpGetReceivedEdocList, "POST", nil, nil)), before, auditBefore,
		axis.CodeUnauthenticated, "unknown or revoked system ID")
}

func nopCloser(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// The SDK's blind retries: the same package sent three times, once more
// as multipart and four times at once, is one document with one DocId.
func TestSendEdocRepeatsAreOneSend(t *testing.T) {
	f := newFixture(t, filepath.Join(t.TempDir(), "hub.db"))
	sa := f.sdk(t, f.a)
	pkg := f.document(t, f.a, 1, codeB, codeC)
	before := f.state(t)
	var ids []string
	for range 3 {
		a := sa.do(sa.sendEdocRequest(pkg, map[string]string{"from": codeA, "messagetype": "edoc", "servicetype": "eDoc"}))
		if a.Status != "OK" {
			t.Fatalf("%+v", a.Result)
		}
		ids = append(ids, a.DocID)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(axis.PartName, "edoc.edxml")
	fw.Write(pkg)
	mw.Close()
	req := sa.sendEdocRequest(pkg, map[string]string{"messagetype": "edoc"})
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Body, req.ContentLength = nopCloser(buf.Bytes()), int64(buf.Len())
	if a := sa.do(req); a.Status != "OK" {
		t.Fatalf("multipart: %+v", a.Result)
	} else {
		ids = append(ids, a.DocID)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := f.sdk(t, f.a)
			a := s.do(s.sendEdocRequest(pkg, map[string]string{"messagetype": "edoc"}))
			mu.Lock()
			ids = append(ids, a.DocID+"/"+a.Status)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for i, id := range ids {
		if strings.TrimSuffix(id, "/OK") != ids[0] {
			t.Fatalf("send %d answered %s, the first %s", i, id, ids[0])
		}
	}
	after := f.state(t)
	if after.messages != before.messages+1 || after.queued != before.queued+2 || after.blobs != before.blobs+1 {
		t.Fatalf("8 sends of one package: before %+v, after %+v", before, after)
	}
	for _, s := range []*javaSDK{f.sdk(t, f.b), f.sdk(t, f.c)} {
		if l := receivedList(t, s, "edoc"); len(l) != 1 {
			t.Fatalf("%s's list: %+v", s.systemID, l)
		}
	}
}
