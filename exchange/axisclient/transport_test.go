package axisclient_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/axis"
	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
)

const secret = "A7TKG/r2gOKTEpe1MhWx6zw8O4JfzN0KkCRS6HZY81Ve"

// fakeAxis answers like the national axis, written from DOMAIN.md §7a:
// document IDs are UUID-like strings, ErrorCode a number, ErrorDesc null
// on success, no vanthu additions in the lists, getEdoc's base64 with
// escaped slashes (org.json). Documents stay listed until done.
type fakeAxis struct {
	t        *testing.T
	mu       sync.Mutex
	docs     map[string]fakeDoc
	order    []string
	requests []*http.Request
	bodies   [][]byte
	failNext string // ErrorCode of the next answer
	sticky   bool   // done does not take documents off the list
	lost     string // a listed document getEdoc does not find
	failed   []string
}

type fakeDoc struct {
	kind, from string
	pkg        []byte
	done       bool
}

func (f *fakeAxis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r)
	f.bodies = append(f.bodies, body)
	s, err := axis.Verify(r.Header, func(id string) ([][]byte, error) {
		if id != "vxp.saas.03" {
			return nil, axis.ErrUnknownSystem
		}
		return [][]byte{[]byte(secret)}, nil
	})
	if err != nil {
		fmt.Fprintf(w, `{"status":"FAIL","ErrorCode":-1,"ErrorDesc":%q}`, err.Error())
		return
	}
	if f.failNext != "" {
		code := f.failNext
		f.failNext = ""
		w.WriteHeader(map[string]int{"401": 401, "500": 500, "429": 429, "403": 200}[code])
		fmt.Fprintf(w, `{"status":"FAIL","ErrorCode":%q,"ErrorDesc":"từ chối"}`, code)
		return
	}
	switch op := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]; op {
	case "sendEdoc":
		pkg := bytes.TrimSuffix(body, []byte("\r\n"))
		if !axis.MatchHashFile(s.Get("hash-file"), sha(pkg)) {
			fmt.Fprint(w, `{"status":"FAIL","ErrorCode":1,"ErrorDesc":"hash"}`)
			return
		}
		id := fmt.Sprintf("%08x-7cde-4fbe-88fe-e15a768b49cb", len(f.order)+1)
		f.docs[id] = fakeDoc{kind: s.Get("messagetype"), from: s.Get("from"), pkg: pkg}
		f.order = append(f.order, id)
		fmt.Fprintf(w, `{"status":"OK","ErrorCode":0,"ErrorDesc":null,"DocId":%q}`, id)
	case "getReceivedEdocList":
		var items []string
		for _, id := range f.order {
			d := f.docs[id]
			if d.kind == s.Get("messagetype") && (!d.done || f.sticky) {
				items = append(items, fmt.Sprintf(`{"docId":%q,"serviceType":"eDoc","messageType":%q,"from":%q,"to":"H41","status":"initial","status_desc":null,"created_time":"10/03/2026 08:00:00","updated_time":null}`, id, d.kind, d.from))
			}
		}
		fmt.Fprintf(w, `{"status":"OK","ErrorCode":0,"ErrorDesc":"Success","data":[%s]}`, strings.Join(items, ","))
	case "getEdoc":
		d, ok := f.docs[s.Get("docId")]
		if !ok || s.Get("docId") == f.lost {
			fmt.Fprint(w, `{"status":"FAIL","ErrorCode":404,"ErrorDesc":"không có văn bản"}`)
			return
		}
		b64 := strings.ReplaceAll(base64.StdEncoding.EncodeToString(d.pkg), "/", `\/`)
		fmt.Fprintf(w, `{"ErrorDesc":"","data":"%s","status":"OK","ErrorCode":"0"}`, b64)
	case "updateStatus":
		d, ok := f.docs[s.Get("docId")]
		if ok && s.Get("status") == "done" {
			d.done = true
			f.docs[s.Get("docId")] = d
		}
		if s.Get("status") == "fail" {
			f.failed = append(f.failed, s.Get("docId")+": "+s.Get("description"))
		}
		fmt.Fprint(w, `{"status":"OK","ErrorCode":"0","ErrorDesc":""}`)
	case "getAgenciesList":
		fmt.Fprint(w, `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":[{"id":1,"code":"000.00.00.G22","pid":null,"name":"Văn phòng Chính phủ","mail":""},{"id":"2","code":"H41","pid":1,"name":"UBND tỉnh Nghệ An"}]}`)
	default:
		fmt.Fprint(w, `{"status":"FAIL","ErrorCode":"404","ErrorDesc":"no such operation"}`)
	}
}

func sha(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func newFake(t *testing.T) (*fakeAxis, *httptest.Server) {
	f := &fakeAxis{t: t, docs: map[string]fakeDoc{}}
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func transport(t *testing.T, srv *httptest.Server, agency string) *axisclient.Transport {
	t.Helper()
	return transportAt(t, srv, agency, filepath.Join(t.TempDir(), "axis.db"))
}

func transportAt(t *testing.T, srv *httptest.Server, agency, stateDB string) *axisclient.Transport {
	t.Helper()
	tr, err := axisclient.New(context.Background(), axisclient.Config{Endpoint: srv.URL + "/vxp", SystemID: "vxp.saas.03",
		Secret: []byte(secret), Agency: agency, RootCAs: []*x509.Certificate{srv.Certificate()}, StateDB: stateDB,
		PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.Close)
	return tr
}

// What the transport sends is what the Java SDK sends: the signed headers
// verify, sendEdoc's body is the package then CRLF with hash-file in the
// SDK's form, and the User-Agent and version are the SDK's.
func TestTransportSpeaksLikeTheSDK(t *testing.T) {
	f, srv := newFake(t)
	tr := transport(t, srv, "000.00.00.G22")
	pkg := []byte("<edXML>gói tin \x00\x01</edXML>")
	path := filepath.Join(t.TempDir(), "p.edxml")
	os.WriteFile(path, pkg, 0o600)
	res, err := tr.Send(context.Background(), client.OutgoingPackage{ClientID: "c1", Kind: wire.KindDocument, Size: int64(len(pkg)),
		SHA256: hex.EncodeToString(sha(pkg)), Open: func() (io.ReadCloser, error) { return os.Open(path) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.ClientID != "c1" || res.MessageID != 0 {
		t.Fatalf("%+v (the axis's DocId is not numeric)", res)
	}
	r, body := f.requests[0], f.bodies[0]
	if !bytes.Equal(body, append(pkg, '\r', '\n')) || r.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("body %q, Content-Type %q", body, r.Header.Get("Content-Type"))
	}
	s, _ := axis.Verify(r.Header, func(string) ([][]byte, error) { return [][]byte{[]byte(secret)}, nil })
	if s.Get("hash-file") != axis.HashFile(sha(pkg)) || s.Get("messagetype") != "edoc" || s.Get("from") != "000.00.00.G22" ||
		s.Get("servicetype") != "eDoc" || s.Get("systemid") != "vxp.saas.03" || s.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("signed: %+v", s.Fields)
	}
	if _, err := axis.ParseTimestamp(s.Timestamp, axis.Zone()); err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("User-Agent") != axis.UserAgent || r.Header.Get(axis.HeaderVersion) != axis.Version {
		t.Fatalf("User-Agent %q, version %q", r.Header.Get("User-Agent"), r.Header.Get(axis.HeaderVersion))
	}
	for name := range r.Header {
		if l := strings.ToLower(name); l == "systemid" || l == "messagetype" || l == "from" {
			t.Fatalf("unprefixed %s sent", name)
		}
	}
}

// Against an axis that is not a vanthu hub: string document IDs mapped to
// local ones, the routing facts taken from the verified package, getEdoc
// with escaped slashes, done sent for each, and a server that keeps
// listing what was acknowledged does not make Sync spin.
func TestSyncAgainstTheNationalAxis(t *testing.T) {
	env := exchangetest.Shared(t)
	f, srv := newFake(t)
	f.sticky = true
	state := filepath.Join(t.TempDir(), "axis.db")
	tr := transportAt(t, srv, codeC, state)
	sender := env.AddAxisSystem(t, env.NewHub(t, "", hub.Limits{}).ServeAxis(t), codeB, "Văn phòng Chính phủ", "", false)
	for n := 1; n <= 2; n++ {
		var buf bytes.Buffer
		body := []byte(fmt.Sprintf("%%PDF-1.7 %d", n))
		if _, err := env.Codec.WriteDocument(context.Background(), &buf, wire.Document{From: wire.Organization{Code: codeB},
			To: []wire.Organization{{Code: codeC}}, DocumentID: fmt.Sprintf("%s,2026/03/10,%d/VPCP", codeB, n), Subject: "Thử",
			Files: []wire.File{{Name: "a.txt", ContentType: "text/plain", Size: int64(len(body)),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }}}},
			sender.Signer.Key, sender.Signer.Chain); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprintf("5bebcfeff858e3e0cc15476%d", n)
		f.docs[id] = fakeDoc{kind: "edoc", from: codeB, pkg: buf.Bytes()}
		f.order = append(f.order, id)
	}
	c, err := client.Open(context.Background(), client.Options{DataDir: t.TempDir(), Agency: wire.Organization{Code: codeC},
		Transport: tr, Codec: env.Codec, Verify: func(context.Context, string) client.Verdict { return client.Verdict{Status: client.VerdictUnsigned} }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sum, err := c.Sync(ctx, client.SyncOptions{}, nil)
	if err != nil || sum.Documents != 2 || sum.Rejected != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	in, _ := c.Inbox(ctx, false)
	if len(in) != 2 || in[0].DocumentID != codeB+",2026/03/10,1/VPCP" || in[0].From != codeB || in[0].Subject != "Thử" || in[0].DeliveryID == in[1].DeliveryID {
		t.Fatalf("inbox: %+v", in)
	}
	var dones int
	for _, r := range f.requests {
		if strings.HasSuffix(r.URL.Path, "/updateStatus") && r.Header.Get("XroadVnpt-status") == "done" {
			dones++
		}
	}
	if dones != 2 {
		t.Fatalf("%d updateStatus done", dones)
	}
	dir, err := tr.Directory(ctx)
	if err != nil || len(dir) != 2 || dir[1].Parent != "000.00.00.G22" {
		t.Fatalf("directory: %+v %v", dir, err)
	}
	// A listed document the axis cannot give is answered with
	// updateStatus fail, as the SDKs' integrations do: Sync reports it
	// once, and the next Sync is not held up by it.
	f.mu.Lock()
	f.sticky = false
	f.lost = "5bebcfeff858e3e0cc154763"
	lost := f.docs["5bebcfeff858e3e0cc154761"]
	lost.done = false
	f.docs[f.lost] = lost
	f.order = append(f.order, f.lost)
	f.mu.Unlock()
	if _, err := c.Sync(ctx, client.SyncOptions{}, nil); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("a document the axis cannot give: %v", err)
	}
	if len(f.failed) != 1 || !strings.Contains(f.failed[0], f.lost+": không có văn bản") {
		t.Fatalf("updateStatus fail: %v", f.failed)
	}
	if sum, err := c.Sync(ctx, client.SyncOptions{}, nil); err != nil || sum.Documents != 0 {
		t.Fatalf("the next sync: %+v %v", sum, err)
	}

	// Another run (a new transport on the same map) sees the same local
	// IDs, so the client knows both documents already.
	tr.Close()
	again := transportAt(t, srv, codeC, state)
	f.mu.Lock()
	f.sticky = true
	f.mu.Unlock()
	items, err := again.Inbox(ctx, 0, 0)
	if err != nil || len(items) != 2 || items[0].DeliveryID != in[0].DeliveryID || items[1].DeliveryID != in[1].DeliveryID ||
		items[0].DocumentID != "" {
		t.Fatalf("second run: %+v %v", items, err)
	}
}

func TestTransportErrors(t *testing.T) {
	f, srv := newFake(t)
	tr := transport(t, srv, "H41")
	ctx := context.Background()
	for code, check := range map[string]func(error) bool{
		"401": func(err error) bool {
			return errors.Is(err, axisclient.ErrCredentials) && !client.Temporary(err)
		},
		"500": client.Temporary,
		"429": client.Temporary,
		"403": func(err error) bool { return errors.Is(err, client.ErrForbidden) && !client.Temporary(err) },
	} {
		f.failNext = code
		_, err := tr.Directory(ctx)
		var ae *axisclient.Error
		if !check(err) || !errors.As(err, &ae) || ae.Desc != "từ chối" {
			t.Errorf("ErrorCode %s: %v", code, err)
		}
	}
	wrong, err := axisclient.New(ctx, axisclient.Config{Endpoint: srv.URL, SystemID: "vxp.saas.03", Secret: []byte("sai"),
		Agency: "H41", RootCAs: []*x509.Certificate{srv.Certificate()}, StateDB: filepath.Join(t.TempDir(), "a.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	if _, err := wrong.Directory(ctx); !errors.Is(err, client.ErrRefused) {
		t.Fatalf("wrong secret at a server answering ErrorCode -1: %v", err)
	}
	srv.Close()
	if _, err := tr.Inbox(ctx, 0, 0); !client.Temporary(err) {
		t.Fatalf("server gone: %v", err)
	}
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := axisclient.Enroll(dir, axisclient.EnrollOptions{Endpoint: "http://vxp.example.vn", SystemID: "H41", Secret: []byte(secret)}); !errors.Is(err, client.ErrBadConfig) {
		t.Fatalf("http without --allow-http: %v", err)
	}
	if err := axisclient.Enroll(dir, axisclient.EnrollOptions{Endpoint: "https://vxp.example.vn", SystemID: "H41", Secret: []byte("\n")}); !errors.Is(err, client.ErrBadConfig) {
		t.Fatalf("empty secret: %v", err)
	}
	if err := axisclient.Enroll(dir, axisclient.EnrollOptions{Endpoint: "https://vxp.example.vn/vxp", SystemID: "vxp.saas.03",
		Agency: "H41", Secret: []byte(secret + "\n"), CAPEM: []byte("không phải PEM")}); !errors.Is(err, client.ErrBadConfig) {
		t.Fatalf("a CA file that is not PEM: %v", err)
	}
	if err := axisclient.Enroll(dir, axisclient.EnrollOptions{Endpoint: "https://vxp.example.vn/vxp", SystemID: "vxp.saas.03",
		Agency: "H41", AgencyName: "UBND tỉnh Nghệ An", Secret: []byte(secret + "\n")}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, axisclient.FileSecret))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v %v", st, err)
	}
	got, err := axisclient.LoadSecret(dir)
	if err != nil || string(got) != secret {
		t.Fatalf("%q %v", got, err)
	}
	cfg, err := client.LoadConfig(dir)
	if err != nil || cfg.Axis != "https://vxp.example.vn/vxp" || cfg.SystemID != "vxp.saas.03" || cfg.Agency != "H41" || cfg.Hub != "" {
		t.Fatalf("%+v %v", cfg, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, client.FileConfig))
	if bytes.Contains(raw, []byte(secret)) {
		t.Fatal("the secret is in exchange.json")
	}
	tr, _, err := axisclient.Dial(ctx, dir, filepath.Join(t.TempDir(), "axis.db"))
	if err != nil || tr.Endpoint() != "https://vxp.example.vn/vxp" {
		t.Fatalf("Dial: %v", err)
	}
	tr.Close()
	os.Remove(filepath.Join(dir, axisclient.FileSecret))
	if _, _, err := axisclient.Dial(ctx, dir, filepath.Join(t.TempDir(), "axis.db")); !errors.Is(err, client.ErrNotEnrolled) {
		t.Fatalf("no secret: %v", err)
	}
}
