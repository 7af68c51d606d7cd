// Package exchangetest sets up exchanges for tests, in one place: a hub on
// loopback mutual TLS (in-process or as a child process), agencies enrolled
// the way an installation enrols (key, certificate request, approval,
// installed bundle), their organisation keys from internal/testpki, clients
// with a local outbox, and signed test PDFs made with the project's signer.
package exchangetest

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/edxmlcodec"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/testpdf"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/trust"
)

// Env is a test PKI and a trust store that trusts it.
type Env struct {
	PKI   *testpki.PKI
	Trust *trust.Store
	// HubTrust holds the CA of every hub made here (for their status 01).
	HubTrust *trust.Store
	Codec    *edxmlcodec.Codec
}

var (
	pkiOnce sync.Once
	shared  *Env
	pkiErr  error
)

// Shared returns a test PKI shared by the whole test binary (its servers
// run until the binary exits).
func Shared(tb testing.TB) *Env {
	tb.Helper()
	pkiOnce.Do(func() {
		var p *testpki.PKI
		p, pkiErr = testpki.NewPKI()
		if pkiErr != nil {
			return
		}
		ts, hubs := trust.New(), trust.New()
		ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
		shared = &Env{PKI: p, Trust: ts, HubTrust: hubs, Codec: &edxmlcodec.Codec{Trust: ts, HubTrust: hubs}}
	})
	if pkiErr != nil {
		tb.Fatalf("exchangetest: test PKI: %v", pkiErr)
	}
	return shared
}

// Hub is a running hub.
type Hub struct {
	Dir  *hub.Dir
	Hub  *hub.Hub
	DB   *store.DB
	URL  string
	Addr string
	stop context.CancelFunc
	done chan error
}

// NewHub initialises a hub folder and serves it on 127.0.0.1 with mutual
// TLS until the test ends. dsn "" is a SQLite file in the folder.
func (e *Env) NewHub(tb testing.TB, dsn string, limits hub.Limits) *Hub {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "hub")
	d, err := hub.InitDir(dir, hub.DirConfig{Name: "Trục thử nghiệm", DB: dsn, Limits: limits}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	e.HubTrust.Add(d.CA.Cert, trust.RoleAnchor, "hub")
	return e.ServeDir(tb, d)
}

// ServeDir serves an initialised hub folder in this process.
func (e *Env) ServeDir(tb testing.TB, d *hub.Dir) *Hub { return e.ServeDirHook(tb, d, nil, nil) }

// ServeDirHook is ServeDir with a hook (the registers) told of every
// accepted send and status; hook, when not nil, is called with the hub's
// database first, and setup, when not nil, with the hub before it serves
// (to mount handlers).
func (e *Env) ServeDirHook(tb testing.TB, d *hub.Dir, hook func(db *store.DB) hub.Hook, setup func(h *hub.Hub)) *Hub {
	tb.Helper()
	ctx := context.Background()
	db, err := hub.OpenDB(ctx, d.DSN())
	if err != nil {
		tb.Fatal(err)
	}
	var hk hub.Hook
	if hook != nil {
		hk = hook(db)
	}
	h, err := d.OpenHub(ctx, hub.Config{DB: db, Codec: e.Codec, Hook: hk})
	if err != nil {
		tb.Fatal(err)
	}
	if setup != nil {
		setup(h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	th := &Hub{Dir: d, Hub: h, DB: db, URL: "https://" + ln.Addr().String(), Addr: ln.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { th.done <- h.Serve(sctx, ln, d.CA.Cert, d.Server) }()
	tb.Cleanup(th.Close)
	return th
}

// Close stops the hub (idempotent).
func (h *Hub) Close() {
	if h.stop != nil {
		h.stop()
		<-h.done
		h.stop = nil
	}
	if h.DB != nil {
		h.Hub.Close()
		_ = h.DB.Close()
		h.DB = nil
	}
}

// InitDir initialises a hub folder for a hub run elsewhere (a child
// process); dsn "" is a SQLite file in the folder.
func (e *Env) InitDir(tb testing.TB, dsn string, limits hub.Limits) *hub.Dir {
	tb.Helper()
	d, err := hub.InitDir(filepath.Join(tb.TempDir(), "hub"), hub.DirConfig{Name: "Trục thử nghiệm", DB: dsn, Limits: limits}, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	e.HubTrust.Add(d.CA.Cert, trust.RoleAnchor, "hub")
	return d
}

// AdminHub opens a hub folder's database for administration only (adding
// agencies, issuing certificates) while the hub itself is served at url by
// another process.
func (e *Env) AdminHub(tb testing.TB, d *hub.Dir, url string) *Hub {
	tb.Helper()
	ctx := context.Background()
	db, err := hub.OpenDB(ctx, d.DSN())
	if err != nil {
		tb.Fatal(err)
	}
	h, err := d.OpenHub(ctx, hub.Config{DB: db, Codec: e.Codec})
	if err != nil {
		tb.Fatal(err)
	}
	th := &Hub{Dir: d, Hub: h, DB: db, URL: url}
	tb.Cleanup(th.Close)
	return th
}

// Agency is an enrolled agency: its configuration folder (connection key
// and certificate), organisation signer and data folder.
type Agency struct {
	Code, Name string
	ConfigDir  string
	DataDir    string
	Org        *testpki.Identity
	Signer     client.Signer
	Cert       *x509.Certificate
}

// AddAgency registers an agency at the hub and enrols an installation for
// it exactly as `vanthu enroll` and `vanthu hub agency add` do.
func (e *Env) AddAgency(tb testing.TB, h *Hub, code, name string) *Agency {
	tb.Helper()
	ctx := context.Background()
	if err := h.Hub.AddAgency(ctx, "admin:test", wire.Agency{Code: code, Name: name}); err != nil {
		tb.Fatal(err)
	}
	a := e.Enroll(tb, h, code, name)
	return a
}

// Enroll enrols an installation of an already registered agency.
func (e *Env) Enroll(tb testing.TB, h *Hub, code, name string) *Agency {
	tb.Helper()
	ctx := context.Background()
	base := tb.TempDir()
	a := &Agency{Code: code, Name: name, ConfigDir: filepath.Join(base, "config"), DataDir: filepath.Join(base, "data")}
	csrPEM, err := client.Enroll(a.ConfigDir, h.URL, code, name)
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := pem.Decode(csrPEM)
	cert, err := h.Hub.IssueCertificate(ctx, "admin:test", h.Dir.CA, code, b.Bytes, 0)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := client.Install(a.ConfigDir, hub.CertPEM(cert, h.Dir.CA.Cert)); err != nil {
		tb.Fatal(err)
	}
	a.Cert = cert
	a.Org, a.Signer = e.orgSigner(tb, code, name)
	return a
}

// orgSigner issues the organisation key of an agency.
func (e *Env) orgSigner(tb testing.TB, code, name string) (*testpki.Identity, client.Signer) {
	tb.Helper()
	org, err := e.PKI.Issue(testpki.Spec{CommonName: name, Organization: name, Organisation: true, KeyID: "org-" + code, Key: testpki.ECP256})
	if err != nil {
		tb.Fatal(err)
	}
	return org, client.Signer{Key: org.Key, Chain: org.ChainWithLeaf()}
}

// Client opens the agency's client against the hub it enrolled with.
func (e *Env) Client(tb testing.TB, a *Agency) *client.Client {
	tb.Helper()
	t, cfg, err := client.Dial(a.ConfigDir)
	if err != nil {
		tb.Fatal(err)
	}
	return e.openClient(tb, a.DataDir, cfg, t, t.Close)
}

// openClient opens a client of the agency cfg names over t, with the
// test PKI's trust and quick retries; closeT is called when the test ends.
func (e *Env) openClient(tb testing.TB, dataDir string, cfg *client.Config, t client.Transport, closeT func()) *client.Client {
	tb.Helper()
	c, err := client.Open(context.Background(), client.Options{
		DataDir: dataDir, Agency: wire.Organization{Code: cfg.Agency, Name: cfg.AgencyName},
		Transport: t, Codec: e.Codec, Verify: client.SignatureVerifier(e.Trust, true),
		RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
	})
	if err != nil {
		closeT()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close(); closeT() })
	return c
}

// SignedPDFs writes n signed PDFs (the leader's signature, PAdES B-B) of
// about size bytes each into dir and returns their paths.
func (e *Env) SignedPDFs(tb testing.TB, dir string, n, size int) []string {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		tb.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.pdf")
	if err := os.WriteFile(plain, PaddedPDF(size), 0o600); err != nil {
		tb.Fatal(err)
	}
	out := make([]string, n)
	for i := range out {
		out[i] = filepath.Join(dir, fmt.Sprintf("vb-%03d.pdf", i+1))
		if _, err := pades.SignFile(context.Background(), plain, out[i], pades.Options{
			Signer: e.PKI.Leader.Key, Chain: e.PKI.Leader.ChainWithLeaf(), Reason: fmt.Sprintf("Văn bản số %d", i+1),
		}); err != nil {
			tb.Fatal(err)
		}
	}
	_ = os.Remove(plain)
	return out
}

// PaddedPDF is a valid one-page PDF of at least size bytes.
func PaddedPDF(size int) []byte { return testpdf.Padded(1, size) }
