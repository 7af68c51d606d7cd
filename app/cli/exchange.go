package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/edxmlcodec"
	"github.com/vanthu/vanthu/exchange/local"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/trust"
)

// exchangeFlags are the flags every exchange command shares.
type exchangeFlags struct {
	configDir string
	dataDir   string
	as        string
	trust     multiFlag
	offline   bool
}

func addExchangeFlags(fs *flag.FlagSet) *exchangeFlags {
	xf := &exchangeFlags{}
	fs.StringVar(&xf.configDir, "config-dir", "", "exchange configuration folder (default $VANTHU_CONFIG_DIR, then the user config dir/vanthu)")
	fs.StringVar(&xf.dataDir, "data-dir", "", "data folder: outbox, inbox, the local hub (default $VANTHU_DATA_DIR, then the user config dir/vanthu)")
	fs.StringVar(&xf.as, "as", "", "local demo hub only: act as this demo agency (default $VANTHU_AGENCY, then the first)")
	fs.Var(&xf.trust, "trust", "also trust the root certificates in this PEM file (repeatable)")
	fs.BoolVar(&xf.offline, "offline", false, "verify signatures without fetching OCSP/CRL")
	return xf
}

// configDir is --config-dir, $VANTHU_CONFIG_DIR, else the user config
// dir/vanthu.
func (e *env) configDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := e.getenv("VANTHU_CONFIG_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("failed to find the user config dir: %w", err)
	}
	return filepath.Join(d, "vanthu"), nil
}

// exchange is an open client with what closes it.
type exchange struct {
	*client.Client
	local  *local.Hub // nil with a configured hub
	closer func()
}

func (x *exchange) Close() { x.closer() }

// exchangeCodec reads and writes edXML packages: agencies' signatures
// verified against ts, and the hubs' own status 01 against hubCAs.
func exchangeCodec(ts *trust.Store, hubCAs []*x509.Certificate) wire.Codec {
	hubs := trust.New()
	for _, ca := range hubCAs {
		hubs.Add(ca, trust.RoleAnchor, "hub")
	}
	return &edxmlcodec.Codec{Trust: ts, HubTrust: hubs}
}

// openExchange opens the client: against the configured hub when the
// installation is enrolled, else against the local demo hub in the data
// folder.
func (e *env) openExchange(ctx context.Context, xf *exchangeFlags) (*exchange, error) {
	cfgDir, err := e.configDir(xf.configDir)
	if err != nil {
		return nil, err
	}
	dataDir, err := e.dataDir(xf.dataDir)
	if err != nil {
		return nil, err
	}
	ts, err := trust.Load(ctx, trust.Options{Files: xf.trust})
	if err != nil {
		return nil, err
	}
	verifier := client.SignatureVerifier(ts, !xf.offline)
	cfg, err := client.LoadConfig(cfgDir)
	if err != nil && !errors.Is(err, client.ErrNotEnrolled) {
		return nil, err
	}
	if cfg != nil && cfg.Axis != "" {
		return e.openAxis(ctx, cfgDir, dataDir, ts, verifier)
	}
	if cfg != nil && cfg.Hub != "" {
		t, cfg, err := client.Dial(cfgDir)
		if err != nil {
			return nil, err
		}
		_, cas, _ := client.LoadTLS(cfgDir)
		c, err := client.Open(ctx, client.Options{DataDir: filepath.Join(dataDir, "exchange", safeDir(cfg.Agency)),
			Agency: wire.Organization{Code: cfg.Agency, Name: cfg.AgencyName}, Transport: t,
			Codec: exchangeCodec(ts, cas), Verify: verifier})
		if err != nil {
			t.Close()
			return nil, err
		}
		return &exchange{Client: c, closer: func() { _ = c.Close(); t.Close() }}, nil
	}
	return e.openLocal(ctx, xf, dataDir, ts, verifier)
}

// openAxis opens the client against the national axis document service
// the installation is enrolled with; the map of the service's document
// IDs is kept beside the agency's data.
func (e *env) openAxis(ctx context.Context, cfgDir, dataDir string, ts *trust.Store, verifier client.PDFVerifier) (*exchange, error) {
	cfg, err := client.LoadConfig(cfgDir)
	if err != nil {
		return nil, err
	}
	agencyDir := filepath.Join(dataDir, "exchange", safeDir(cfg.Agency))
	t, cfg, err := axisclient.Dial(ctx, cfgDir, filepath.Join(agencyDir, "axis.db"))
	if err != nil {
		return nil, err
	}
	cas, err := axisclient.LoadCA(cfgDir)
	if err != nil {
		t.Close()
		return nil, err
	}
	// A hub's door signs its status 01 with the hub's CA, the file given
	// for the endpoint.
	c, err := client.Open(ctx, client.Options{DataDir: agencyDir, Agency: wire.Organization{Code: cfg.Agency, Name: cfg.AgencyName},
		Transport: t, Codec: exchangeCodec(ts, cas), Verify: verifier})
	if err != nil {
		t.Close()
		return nil, err
	}
	return &exchange{Client: c, closer: func() { _ = c.Close(); t.Close() }}, nil
}

func (e *env) openLocal(ctx context.Context, xf *exchangeFlags, dataDir string, ts *trust.Store, verifier client.PDFVerifier) (*exchange, error) {
	if demo.Exists(dataDir) {
		// The local demo hub is where the demo key store's documents may
		// go: trust its root here, and only here.
		if st, err := demo.Open(dataDir); err == nil {
			ts = withRoot(ts, st.Root())
			verifier = client.SignatureVerifier(ts, !xf.offline)
		}
	}
	hubDir := filepath.Join(dataDir, "local-hub")
	// The local hub's status signer is issued by its own CA.
	var cas []*x509.Certificate
	codec := exchangeCodec(ts, nil)
	lh, err := local.Open(ctx, hubDir, codec)
	if err != nil {
		return nil, err
	}
	cas = append(cas, lh.Dir.CA.Cert)
	codec = exchangeCodec(ts, cas)
	code := xf.as
	if code == "" {
		code = e.getenv("VANTHU_AGENCY")
	}
	if code == "" {
		code = local.Demo[0].Code
	}
	ag, err := lh.Agency(ctx, code)
	if err != nil {
		_ = lh.Close()
		return nil, err
	}
	c, err := client.Open(ctx, client.Options{DataDir: filepath.Join(dataDir, "exchange", safeDir(code)),
		Agency: wire.Organization{Code: ag.Code, Name: ag.Name}, Transport: lh.Transport(code), Codec: codec, Verify: verifier})
	if err != nil {
		_ = lh.Close()
		return nil, err
	}
	return &exchange{Client: c, local: lh, closer: func() { _ = c.Close(); _ = lh.Close() }}, nil
}

// withRoot is a copy of ts that also trusts root.
func withRoot(ts *trust.Store, root *x509.Certificate) *trust.Store {
	out := trust.New()
	for _, c := range ts.Certs() {
		out.Add(c.Cert, c.Role, c.Source)
	}
	out.Add(root, trust.RoleAnchor, "demo")
	return out
}

func safeDir(code string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return '_'
	}, code)
}

// exchangeErrorKeys maps client errors to messages and hints.
var exchangeErrorKeys = []struct {
	target    error
	key, hint string
}{
	{axisclient.ErrNoSecret, "axis.err.no_secret", "axis.hint.enroll"},
	{axisclient.ErrCredentials, "axis.err.credentials", "axis.hint.credentials"},
	{client.ErrNotEnrolled, "exchange.err.not_enrolled", "exchange.hint.enroll"},
	{client.ErrBadConfig, "exchange.err.bad_config", "exchange.hint.enroll"},
	{client.ErrForbidden, "exchange.err.forbidden", ""},
	{client.ErrTooLarge, "exchange.err.too_large", ""},
	{client.ErrTooMany, "exchange.err.too_many", ""},
	{client.ErrRateLimited, "exchange.err.rate_limited", ""},
	{client.ErrUnknownAgency, "exchange.err.unknown_agency", "exchange.hint.directory"},
	{client.ErrConflict, "exchange.err.conflict", ""},
	{client.ErrRefused, "exchange.err.refused", ""},
	{client.ErrCertRefused, "exchange.err.cert_refused", "exchange.hint.cert_refused"},
	{client.ErrUnreachable, "exchange.err.unreachable", "exchange.hint.unreachable"},
	{client.ErrNotSigned, "exchange.err.not_signed", "exchange.hint.sign_first"},
	{client.ErrReasonRequired, "exchange.err.reason_required", ""},
	{client.ErrState, "exchange.err.state", ""},
	{client.ErrNotFound, "exchange.err.not_found", ""},
	{client.ErrNoRecipient, "exchange.err.no_recipient", ""},
	{client.ErrTampered, "exchange.err.tampered", ""},
}

// exchangeErrorText is the translated message for a client error with its
// detail.
func (e *env) exchangeErrorText(err error) string {
	for _, m := range exchangeErrorKeys {
		if errors.Is(err, m.target) {
			return e.tr(m.key) + " (" + err.Error() + ")"
		}
	}
	return i18n.Describe(i18n.Language(e.getenv), err)
}

// failExchange prints a client error with its hint.
func (e *env) failExchange(err error) {
	for _, m := range exchangeErrorKeys {
		if errors.Is(err, m.target) {
			e.errorf(e.tr(m.key) + " (" + err.Error() + ")")
			if m.hint != "" {
				e.hintf(e.tr(m.hint))
			}
			return
		}
	}
	e.failHub(err)
}

// exchangeCommand runs an exchange command: the shared exchange flags and
// its own (added by flags), its positional arguments checked by check
// before anything is opened, then run with the client open.
func (e *env) exchangeCommand(name string, args []string, flags func(fs *flag.FlagSet), check func(rest []string) int,
	run func(ctx context.Context, x *exchange, rest []string) int) int {
	fs := e.newFlagSet(name)
	xf := addExchangeFlags(fs)
	if flags != nil {
		flags(fs)
	}
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if check == nil && !e.noArgs(rest) {
		return exitUsage
	}
	if check != nil {
		if code := check(rest); code != exitOK {
			return code
		}
	}
	ctx, cancel := signalContext()
	defer cancel()
	x, err := e.openExchange(ctx, xf)
	if err != nil {
		e.failExchange(err)
		return exitFailure
	}
	defer x.Close()
	return run(ctx, x, rest)
}

// signWith opens the token of tf, runs fn with the organisation signer
// and logs out.
func (e *env) signWith(ctx context.Context, tf *tokenFlags, fn func(s client.Signer) error) error {
	s, err := e.openSigner(ctx, tf)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(client.Signer{Key: s.Key, Chain: s.Chain})
}
