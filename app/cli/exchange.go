package cli

import (
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/exchange/client"
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

func (e *env) addExchangeFlags(fs *flag.FlagSet) *exchangeFlags {
	xf := &exchangeFlags{}
	fs.StringVar(&xf.configDir, "config-dir", "", e.tr("exchange.flag.config_dir"))
	fs.StringVar(&xf.dataDir, "data-dir", "", e.tr("exchange.flag.data_dir"))
	fs.StringVar(&xf.as, "as", "", e.tr("exchange.flag.as"))
	fs.Var(&xf.trust, "trust", e.tr("verify.flag.trust"))
	fs.BoolVar(&xf.offline, "offline", false, e.tr("exchange.flag.offline"))
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

// exchange is an open client (bridge.OpenExchange: the configured hub, or
// the local demo hub).
type exchange = bridge.Exchange

// exchangeCodec reads and writes edXML packages (bridge.ExchangeCodec).
func exchangeCodec(ts *trust.Store, hubCAs []*x509.Certificate) wire.Codec {
	return bridge.ExchangeCodec(ts, hubCAs)
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
	as := xf.as
	if as == "" {
		as = e.getenv("VANTHU_AGENCY")
	}
	return bridge.OpenExchange(ctx, bridge.ExchangeOptions{ConfigDir: cfgDir, DataDir: dataDir, As: as, Trust: ts, Online: !xf.offline})
}

func safeDir(code string) string { return bridge.SafeName(code) }

// exchangeErrorText is the translated message for a client error with its
// detail.
func (e *env) exchangeErrorText(err error) string {
	if key, _, ok := i18n.ExchangeKeys(err); ok {
		return e.tr(key) + " (" + err.Error() + ")"
	}
	return i18n.Describe(i18n.Language(e.getenv), err)
}

// failExchange prints a client error with its hint.
func (e *env) failExchange(err error) {
	if key, hint, ok := i18n.ExchangeKeys(err); ok {
		e.errorf(e.tr(key) + " (" + err.Error() + ")")
		if hint != "" {
			e.hintf(e.tr(hint))
		}
		return
	}
	e.failHub(err)
}

// exchangeCommand runs an exchange command: the shared exchange flags and
// its own (added by flags), its positional arguments checked by check
// before anything is opened, then run with the client open.
func (e *env) exchangeCommand(name string, args []string, flags func(fs *flag.FlagSet), check func(rest []string) int,
	run func(ctx context.Context, x *exchange, rest []string) int) int {
	fs := e.newFlagSet(name)
	xf := e.addExchangeFlags(fs)
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
