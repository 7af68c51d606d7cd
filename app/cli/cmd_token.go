package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/token"
)

// tokenFlags are the flags every command that uses a token shares.
type tokenFlags struct {
	module          string
	token           string
	cert            string
	pinFile         string
	confirmFinalTry bool
}

func (e *env) addTokenFlags(fs *flag.FlagSet, withCert bool) *tokenFlags {
	tf := &tokenFlags{}
	fs.StringVar(&tf.module, "module", "", e.tr("token.flag.module"))
	fs.StringVar(&tf.token, "token", "", e.tr("token.flag.token"))
	fs.StringVar(&tf.pinFile, "pin-file", "", e.tr("token.flag.pin_file"))
	fs.BoolVar(&tf.confirmFinalTry, "confirm-final-try", false, e.tr("token.flag.confirm_final_try"))
	if withCert {
		fs.StringVar(&tf.cert, "cert", "", e.tr("token.flag.cert"))
	}
	return tf
}

// signalContext is cancelled by Ctrl-C.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// openSigner opens the token chosen by tf (or the demo store, --module
// demo), logs in once and returns the signer. Close logs out.
func (e *env) openSigner(ctx context.Context, tf *tokenFlags) (*bridge.Signer, error) {
	dir, err := e.dataDir("")
	if err != nil {
		return nil, err
	}
	sel := token.Selection{Module: tf.module, Token: tf.token, Cert: tf.cert}
	return bridge.OpenSigner(ctx, sel, e.unlock(tf.pinFile, tf.confirmFinalTry), bridge.OpenOptions{
		DataDir: dir, Getenv: e.getenv, Warnf: func(key string, args ...any) { e.warnf(e.tr(key, args...)) }})
}

func cmdToken(e *env, args []string) int {
	if e.askedHelp(args, "token.usage") {
		return exitOK
	}
	if len(args) == 0 {
		e.usagef(e.tr("token.usage"))
		return exitUsage
	}
	switch args[0] {
	case "list":
		return cmdTokenList(e, args[1:], false)
	case "certs":
		return cmdTokenList(e, args[1:], true)
	case "modules":
		return cmdTokenModules(e, args[1:])
	}
	e.usagef(e.tr("token.unknown", args[0]))
	return exitUsage
}

func cmdTokenModules(e *env, args []string) int {
	fs := e.newFlagSet("token modules")
	module := fs.String("module", "", e.tr("token.flag.check_module"))
	asJSON := fs.Bool("json", false, e.tr("token.flag.json"))
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	cands := token.Discover(*module, e.getenv)
	if *asJSON {
		return e.writeJSON(cands)
	}
	if len(cands) == 0 {
		e.errorf(e.tr("err.no_module"))
		e.hintf(e.tr("hint.module"))
		return exitFailure
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, e.tr("token.modules_header"))
	for _, c := range cands {
		state := e.tr("token.module_ok")
		switch {
		case !c.Found:
			state = e.tr("token.module_missing")
		case c.Problem != "":
			state = c.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Path, dash(c.Vendor), c.Source, state)
	}
	tw.Flush()
	return exitOK
}

// jsonModule, jsonToken and jsonCert are the --json shapes of token list.
type jsonModule struct {
	Path   string      `json:"path"`
	Vendor string      `json:"vendor,omitempty"`
	Error  string      `json:"error,omitempty"`
	Tokens []jsonToken `json:"tokens"`
}

type jsonToken struct {
	token.TokenInfo
	Warning      string     `json:"warning,omitempty"`
	LoggedIn     bool       `json:"logged_in"`
	Certificates []jsonCert `json:"certificates"`
	Error        string     `json:"error,omitempty"`
}

type jsonCert struct {
	ID            string    `json:"id"`
	Label         string    `json:"label"`
	Subject       string    `json:"subject"`
	CommonName    string    `json:"common_name"`
	Organization  string    `json:"organization,omitempty"`
	Issuer        string    `json:"issuer"`
	Serial        string    `json:"serial"`
	NotBefore     time.Time `json:"not_before"`
	NotAfter      time.Time `json:"not_after"`
	KeyType       string    `json:"key_type"`
	KeyBits       int       `json:"key_bits"`
	CA            bool      `json:"ca"`
	HasPrivateKey bool      `json:"has_private_key"`
	PairedBy      string    `json:"paired_by,omitempty"`
	Expired       bool      `json:"expired"`
}

func cmdTokenList(e *env, args []string, certsMode bool) int {
	name := "token list"
	if certsMode {
		name = "token certs"
	}
	fs := e.newFlagSet(name)
	tf := &tokenFlags{}
	noLogin := false
	if certsMode {
		tf = e.addTokenFlags(fs, false)
		fs.BoolVar(&noLogin, "no-login", false, e.tr("token.flag.no_login"))
	} else {
		fs.StringVar(&tf.module, "module", "", e.tr("token.flag.list_module"))
	}
	asJSON := fs.Bool("json", false, e.tr("token.flag.json"))
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	ctx, cancel := signalContext()
	defer cancel()
	paths, err := e.modulePaths(tf.module, certsMode)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	var out []jsonModule
	failed := false
	for _, p := range paths {
		jm, ok, code := e.readModule(ctx, p, certsMode, noLogin, *asJSON, tf)
		if code != exitOK {
			return code
		}
		failed = failed || !ok
		out = append(out, jm)
	}
	if *asJSON {
		if c := e.writeJSON(out); c != exitOK {
			return c
		}
	} else {
		e.printTokens(out, certsMode)
	}
	if failed {
		return exitFailure
	}
	return exitOK
}

// modulePaths are the PKCS#11 modules to list: the one chosen (--module,
// the environment, or the one certs needs), else every usable module found.
func (e *env) modulePaths(module string, certsMode bool) ([]string, error) {
	if certsMode || module != "" || e.getenv(token.ModuleEnv) != "" {
		p, err := token.Choose(module, e.getenv)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	var paths []string
	for _, c := range token.Discover("", e.getenv) {
		if c.Found && c.Problem == "" {
			paths = append(paths, c.Path)
		}
	}
	if len(paths) == 0 {
		return nil, token.ErrNoModule
	}
	return paths, nil
}

// readModule lists the initialised tokens of module p with their
// certificates (certs mode: the one token chosen, logged in unless
// noLogin); ok is false when anything could not be read, and code is not
// exitOK when the command must stop.
func (e *env) readModule(ctx context.Context, p string, certsMode, noLogin, asJSON bool, tf *tokenFlags) (jm jsonModule, ok bool, code int) {
	jm = jsonModule{Path: p, Vendor: token.Vendor(p), Tokens: []jsonToken{}}
	m, err := token.Open(p)
	if err != nil {
		jm.Error = i18n.Describe(i18n.Language(e.getenv), err)
		if !asJSON {
			e.fail(err)
		}
		return jm, false, exitOK
	}
	defer m.Close()
	ok = true
	toks, err := m.Tokens(ctx)
	if err != nil {
		ok = false
		jm.Error = i18n.Describe(i18n.Language(e.getenv), err)
	}
	if certsMode {
		t, err := token.PickToken(toks, tf.token)
		if err != nil {
			e.fail(err)
			return jm, false, exitFailure
		}
		toks = []token.TokenInfo{t}
	}
	for _, ti := range toks {
		if !ti.Flags.Initialized {
			continue
		}
		jt := e.readToken(ctx, m, ti, certsMode && !noLogin, tf)
		if jt.Error != "" {
			ok = false
		}
		jm.Tokens = append(jm.Tokens, jt)
	}
	return jm, ok, exitOK
}

// readToken reads a token's certificates, logging in first when asked.
func (e *env) readToken(ctx context.Context, m *token.Module, ti token.TokenInfo, login bool, tf *tokenFlags) jsonToken {
	lang := i18n.Language(e.getenv)
	jt := jsonToken{TokenInfo: ti, Certificates: []jsonCert{}, Warning: i18n.PINWarning(lang, ti.Flags)}
	s, err := m.OpenSession(ctx, ti.SlotID)
	if err != nil {
		jt.Error = i18n.Describe(lang, err)
		return jt
	}
	defer s.Close()
	if login {
		if err := e.login(ctx, s, tf.pinFile, tf.confirmFinalTry); err != nil {
			jt.Error = i18n.Describe(lang, err)
			e.fail(err)
			if info, rerr := s.Refresh(ctx); rerr == nil {
				jt.TokenInfo = info
				jt.Warning = i18n.PINWarning(lang, info.Flags)
			}
		} else {
			jt.LoggedIn = true
		}
	}
	certs, err := s.Certificates(ctx)
	if err != nil {
		jt.Error = i18n.Describe(lang, err)
		return jt
	}
	now := time.Now()
	for _, c := range certs {
		x := c.X509
		kt, bits := keyInfo(x.PublicKey)
		jc := jsonCert{
			ID: c.IDHex(), Label: c.Label, Subject: x.Subject.String(), CommonName: x.Subject.CommonName,
			Issuer: x.Issuer.CommonName, Serial: c.SerialHex(), NotBefore: x.NotBefore, NotAfter: x.NotAfter,
			KeyType: kt, KeyBits: bits, CA: x.IsCA, HasPrivateKey: c.HasPrivateKey, PairedBy: c.PairedBy,
			Expired: now.After(x.NotAfter),
		}
		if len(x.Subject.Organization) > 0 {
			jc.Organization = x.Subject.Organization[0]
		}
		jt.Certificates = append(jt.Certificates, jc)
	}
	return jt
}

func keyInfo(pub any) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name, k.Curve.Params().BitSize
	}
	return fmt.Sprintf("%T", pub), 0
}

func (e *env) printTokens(mods []jsonModule, certsMode bool) {
	w := e.stdout
	for _, m := range mods {
		fmt.Fprintf(w, "%s %s", e.tr("token.module"), m.Path)
		if m.Vendor != "" {
			fmt.Fprintf(w, " (%s)", m.Vendor)
		}
		fmt.Fprintln(w)
		if m.Error != "" {
			fmt.Fprintf(w, "  %s\n", m.Error)
		}
		if len(m.Tokens) == 0 && m.Error == "" {
			fmt.Fprintf(w, "  %s\n", e.tr("token.none"))
		}
		for _, t := range m.Tokens {
			fmt.Fprintf(w, "  %s %q — %s %s, %s %s, slot %d\n", e.tr("token.token"), t.Label, t.Manufacturer, t.Model,
				e.tr("token.serial"), t.Serial, t.SlotID)
			fmt.Fprintf(w, "    %s\n", e.pinLine(t.Flags))
			if t.Warning != "" {
				fmt.Fprintf(w, "    %s %s\n", e.tr("token.warning"), t.Warning)
			}
			if t.Error != "" {
				fmt.Fprintf(w, "    %s\n", t.Error)
			}
			if len(t.Certificates) == 0 {
				fmt.Fprintf(w, "    %s\n", e.tr("token.no_certs"))
				continue
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintf(tw, "    %s\n", e.tr("token.certs_header"))
			for _, c := range t.Certificates {
				key := e.tr("token.key_unknown")
				switch {
				case c.CA:
					key = e.tr("token.key_ca")
				case c.HasPrivateKey:
					key = e.tr("token.key_yes")
				case t.LoggedIn || !t.Flags.LoginRequired:
					key = e.tr("token.key_no")
				}
				name := c.CommonName
				if c.Organization != "" && c.Organization != c.CommonName {
					name += ", " + c.Organization
				}
				validity := c.NotBefore.Format("2006-01-02") + " → " + c.NotAfter.Format("2006-01-02")
				if c.Expired {
					validity += " " + e.tr("token.expired")
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s-%d\t%s\n", dash(c.ID), name, c.Issuer, c.Serial, validity,
					c.KeyType, c.KeyBits, key)
			}
			tw.Flush()
			if !certsMode && t.Flags.LoginRequired && !t.LoggedIn {
				fmt.Fprintf(w, "    %s\n", e.tr("token.login_hint"))
			}
		}
	}
}

func (e *env) pinLine(f token.Flags) string {
	var parts []string
	if f.ProtectedAuthPath {
		parts = append(parts, e.tr("token.pin_pad"))
	}
	if f.LoginRequired {
		parts = append(parts, e.tr("token.login_required"))
	}
	switch {
	case f.PINLocked:
		parts = append(parts, e.tr("token.pin_state_locked"))
	case f.PINFinalTry:
		parts = append(parts, e.tr("token.pin_state_final"))
	case f.PINCountLow:
		parts = append(parts, e.tr("token.pin_state_low"))
	default:
		parts = append(parts, e.tr("token.pin_state_ok"))
	}
	return "PIN: " + strings.Join(parts, ", ")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (e *env) writeJSON(v any) int {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		e.errorf(err.Error())
		return exitFailure
	}
	return exitOK
}
