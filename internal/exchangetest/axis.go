package exchangetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/axishub"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
)

// AxisDoor is a hub's door for the axis SDKs, served on loopback TLS.
type AxisDoor struct {
	URL      string // https://127.0.0.1:port/vxp, the SDKs' endpoint
	Registry *axishub.Registry
	Server   *axishub.Server
	// HTTP trusts the hub's CA (the door's certificate is the hub's).
	HTTP *http.Client
	hub  *Hub
}

// ServeAxis serves h's door for the axis SDKs (a master key in the hub
// folder, the hub's server certificate) until the test ends.
func (h *Hub) ServeAxis(tb testing.TB) *AxisDoor {
	tb.Helper()
	ctx := context.Background()
	key, err := axishub.CreateMasterKey(axishub.MasterKeyPath(h.Dir.Path))
	if err != nil {
		tb.Fatal(err)
	}
	reg, err := axishub.NewRegistry(ctx, h.Hub, key)
	if err != nil {
		tb.Fatal(err)
	}
	srv := axishub.New(axishub.Config{Hub: h.Hub, Registry: reg})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln, h.Dir.Server) }()
	tb.Cleanup(func() { cancel(); <-done })
	pool := x509.NewCertPool()
	pool.AddCert(h.Dir.CA.Cert)
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	tb.Cleanup(hc.CloseIdleConnections)
	return &AxisDoor{URL: "https://" + ln.Addr().String() + "/vxp", Registry: reg, Server: srv, HTTP: hc, hub: h}
}

// AxisSystem is an agency registered at the hub with a system for the
// axis SDKs, and its organisation signer.
type AxisSystem struct {
	*Agency
	SystemID, Secret string
}

// AddAxisSystem registers agency code at the hub (if it is not yet) with
// a system ID (the code when empty) and returns its secret and an
// organisation signer, as `vanthu hub agency add` and `vanthu hub system
// add` do.
func (e *Env) AddAxisSystem(tb testing.TB, d *AxisDoor, code, name, systemID string, admin bool) *AxisSystem {
	tb.Helper()
	ctx := context.Background()
	if _, err := d.hub.Hub.AgencyName(ctx, code); err != nil {
		if err := d.hub.Hub.AddAgency(ctx, "admin:test", wire.Agency{Code: code, Name: name}); err != nil {
			tb.Fatal(err)
		}
	}
	if systemID == "" {
		systemID = code
	}
	secret, err := d.Registry.Add(ctx, "admin:test", axishub.NewSystem{ID: systemID, Agency: code, Admin: admin})
	if err != nil {
		tb.Fatal(err)
	}
	base := tb.TempDir()
	a := &Agency{Code: code, Name: name, ConfigDir: filepath.Join(base, "config"), DataDir: filepath.Join(base, "data")}
	a.Org, a.Signer = e.orgSigner(tb, code, name)
	return &AxisSystem{Agency: a, SystemID: systemID, Secret: secret}
}

// AxisClient enrols the installation of s with the door as `vanthu enroll
// --axis URL --system-id ID --secret-file F --ca-file hub-ca.pem` does and
// opens its client.
func (e *Env) AxisClient(tb testing.TB, d *AxisDoor, s *AxisSystem) *client.Client {
	tb.Helper()
	ctx := context.Background()
	if err := axisclient.Enroll(s.ConfigDir, axisclient.EnrollOptions{Endpoint: d.URL, SystemID: s.SystemID,
		Secret: []byte(s.Secret + "\n"), Agency: s.Code, AgencyName: s.Name, CAPEM: hub.CertPEM(d.hub.Dir.CA.Cert)}); err != nil {
		tb.Fatal(err)
	}
	t, cfg, err := axisclient.Dial(ctx, s.ConfigDir, filepath.Join(s.DataDir, "axis.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return e.openClient(tb, s.DataDir, cfg, t, t.Close)
}
