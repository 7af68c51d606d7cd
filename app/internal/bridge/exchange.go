package bridge

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/edxmlcodec"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/trust"
)

// ExchangeOptions say which exchange to open and how incoming documents
// are verified.
type ExchangeOptions struct {
	// ConfigDir holds exchange.json and the connection key and
	// certificate of an enrolled installation.
	ConfigDir string
	// DataDir holds the outbox and inbox of each agency and the local
	// demo hub.
	DataDir string
	// As is the agency to act as on the local demo hub ("" = the first
	// demo agency); ignored with a configured hub.
	As string
	// Trust verifies the agencies' signatures (the bundled roots, the
	// user's, added files).
	Trust *trust.Store
	// Online fetches OCSP/CRL when verifying.
	Online bool
}

// Exchange is an open exchange client: against the configured hub or the
// national axis when the installation is enrolled, else against the local
// demo hub.
type Exchange struct {
	*client.Client
	// Local is the local demo hub (nil with a configured hub).
	Local *local.Hub
	// Config is the enrolled configuration (nil for the local hub).
	Config *client.Config
	closer func()
}

// Close closes the client (and the local hub).
func (x *Exchange) Close() {
	if x != nil && x.closer != nil {
		x.closer()
		x.closer = nil
	}
}

// ExchangeCodec reads and writes edXML packages: agencies' signatures
// verified against ts, and the hubs' own status 01 against hubCAs.
func ExchangeCodec(ts *trust.Store, hubCAs []*x509.Certificate) wire.Codec {
	hubs := trust.New()
	for _, ca := range hubCAs {
		hubs.Add(ca, trust.RoleAnchor, "hub")
	}
	return &edxmlcodec.Codec{Trust: ts, HubTrust: hubs}
}

// OpenExchange opens the client: against the configured hub, or the
// national axis's document service, when the installation is enrolled,
// else against the local demo hub in the data folder.
func OpenExchange(ctx context.Context, o ExchangeOptions) (*Exchange, error) {
	if o.Trust == nil {
		o.Trust = trust.New()
	}
	cfg, err := client.LoadConfig(o.ConfigDir)
	if err != nil && !errors.Is(err, client.ErrNotEnrolled) {
		return nil, err
	}
	if cfg != nil && cfg.Axis != "" {
		return openAxis(ctx, o)
	}
	if cfg == nil || cfg.Hub == "" {
		return openLocal(ctx, o)
	}
	t, cfg, err := client.Dial(o.ConfigDir)
	if err != nil {
		return nil, err
	}
	_, cas, _ := client.LoadTLS(o.ConfigDir)
	c, err := client.Open(ctx, client.Options{DataDir: AgencyDataDir(o.DataDir, cfg.Agency),
		Agency: wire.Organization{Code: cfg.Agency, Name: cfg.AgencyName}, Transport: t,
		Codec: ExchangeCodec(o.Trust, cas), Verify: client.SignatureVerifier(o.Trust, o.Online)})
	if err != nil {
		t.Close()
		return nil, err
	}
	return &Exchange{Client: c, Config: cfg, closer: func() { _ = c.Close(); t.Close() }}, nil
}

// openAxis opens the client against the national axis document service
// the installation is enrolled with; the map of the service's document
// IDs is kept beside the agency's data.
func openAxis(ctx context.Context, o ExchangeOptions) (*Exchange, error) {
	cfg, err := client.LoadConfig(o.ConfigDir)
	if err != nil {
		return nil, err
	}
	agencyDir := AgencyDataDir(o.DataDir, cfg.Agency)
	t, cfg, err := axisclient.Dial(ctx, o.ConfigDir, filepath.Join(agencyDir, "axis.db"))
	if err != nil {
		return nil, err
	}
	// A hub's door signs its status 01 with the hub's CA, the file given
	// for the endpoint.
	cas, err := axisclient.LoadCA(o.ConfigDir)
	if err != nil {
		t.Close()
		return nil, err
	}
	c, err := client.Open(ctx, client.Options{DataDir: agencyDir, Agency: wire.Organization{Code: cfg.Agency, Name: cfg.AgencyName},
		Transport: t, Codec: ExchangeCodec(o.Trust, cas), Verify: client.SignatureVerifier(o.Trust, o.Online)})
	if err != nil {
		t.Close()
		return nil, err
	}
	return &Exchange{Client: c, Config: cfg, closer: func() { _ = c.Close(); t.Close() }}, nil
}

func openLocal(ctx context.Context, o ExchangeOptions) (*Exchange, error) {
	ts := o.Trust
	if st, err := demo.Open(o.DataDir); err == nil {
		// The local demo hub is where the demo key store's documents may
		// go: its root is trusted here, and only here.
		ts = withDemoRoot(ctx, ts, st.Root())
	}
	verifier := client.SignatureVerifier(ts, o.Online)
	lh, err := local.OpenWith(ctx, LocalHubDir(o.DataDir), ExchangeCodec(ts, nil), local.Options{Trust: ts})
	if err != nil {
		return nil, err
	}
	// The local hub's status signer is issued by its own CA.
	codec := ExchangeCodec(ts, []*x509.Certificate{lh.Dir.CA.Cert})
	code := o.As
	if code == "" {
		code = local.Demo[0].Code
	}
	ag, err := lh.Agency(ctx, code)
	if err != nil {
		_ = lh.Close()
		return nil, err
	}
	c, err := client.Open(ctx, client.Options{DataDir: AgencyDataDir(o.DataDir, code),
		Agency: wire.Organization{Code: ag.Code, Name: ag.Name}, Transport: lh.Transport(code), Codec: codec, Verify: verifier})
	if err != nil {
		_ = lh.Close()
		return nil, err
	}
	return &Exchange{Client: c, Local: lh, closer: func() { _ = c.Close(); _ = lh.Close() }}, nil
}

// LocalHubDir is the local demo hub's folder in the data folder.
func LocalHubDir(dataDir string) string { return filepath.Join(dataDir, "local-hub") }

// AgencyDataDir is an agency's outbox and inbox folder in the data folder.
func AgencyDataDir(dataDir, code string) string {
	return filepath.Join(dataDir, "exchange", SafeName(code))
}

// SafeName keeps the letters A–Z, digits and dots of s, other characters
// becoming "_" (agency codes and document notations as file names).
func SafeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

var numberRE = regexp.MustCompile(`^([0-9]+)/([A-ZĐ0-9][A-ZĐ0-9.\-]*)$`)

// ParseNumber splits a document number with its notation ("123/UBND-VP",
// spaces and case ignored) into the number and the notation.
func ParseNumber(s string) (number, notation string, err error) {
	m := numberRE.FindStringSubmatch(strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", "")))
	if m == nil {
		return "", "", usage("send.bad_number", s)
	}
	return m[1], m[2], nil
}

// DocumentID is the edXML DocumentId of a document the agency issues:
// "OrganId,yyyy/MM/dd,Number/Notation".
func DocumentID(agency string, date time.Time, number, notation string) string {
	return fmt.Sprintf("%s,%s,%s/%s", agency, date.Format("2006/01/02"), number, notation)
}
