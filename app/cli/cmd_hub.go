package cli

import (
	"cmp"
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/vanthu/vanthu/exchange/axishub"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerhub"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/revcache"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/fsutil"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// cmdHub implements
//
//	vanthu hub init [--dir D] [--name N] [--host H,…] [--db DSN] [--listen ADDR]
//	vanthu hub serve [--dir D] [--db DSN] [--listen ADDR]
//	vanthu hub agency add --code C --name N [--parent P] --csr F [--out F]
//	vanthu hub agency revoke (--code C | --serial HEX) [--reason R]
//	vanthu hub agency list
//	vanthu hub system add|rotate|revoke|list (cmd_hub_system.go)
//	vanthu hub audit verify
func cmdHub(e *env, args []string) int {
	if e.askedHelp(args, "hub.usage") {
		return exitOK
	}
	if len(args) == 0 {
		e.usagef(e.tr("hub.usage"))
		return exitUsage
	}
	switch args[0] {
	case "init":
		return cmdHubInit(e, args[1:])
	case "serve":
		return cmdHubServe(e, args[1:])
	case "agency":
		if len(args) > 1 {
			switch args[1] {
			case "add":
				return cmdHubAgencyAdd(e, args[2:])
			case "revoke":
				return cmdHubAgencyRevoke(e, args[2:])
			case "list":
				return cmdHubAgencyList(e, args[2:])
			}
		}
	case "system":
		return cmdHubSystem(e, args[1:])
	case "audit":
		if len(args) > 1 && args[1] == "verify" {
			return cmdHubAuditVerify(e, args[2:])
		}
	}
	e.usagef(e.tr("hub.usage"))
	return exitUsage
}

// hubDir is --dir, $VANTHU_HUB_DIR, else the data folder's hub/.
func (e *env) hubDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := e.getenv("VANTHU_HUB_DIR"); d != "" {
		return d, nil
	}
	d, err := e.dataDir("")
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "hub"), nil
}

// hubOptions are the flags every hub command shares.
type hubOptions struct {
	dir, db string
	trust   multiFlag
}

func hubFlags(e *env, name string) (*flag.FlagSet, *hubOptions) {
	fs := e.newFlagSet("hub " + name)
	o := &hubOptions{}
	fs.StringVar(&o.dir, "dir", "", e.tr("hub.flag.dir"))
	fs.StringVar(&o.db, "db", "", e.tr("hub.flag.db"))
	fs.Var(&o.trust, "trust", e.tr("hub.flag.trust"))
	return fs, o
}

// adminActor names who runs an administrative command, for the audit trail.
func adminActor() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return "admin:" + name + "@" + host
}

func cmdHubInit(e *env, args []string) int {
	fs, ho := hubFlags(e, "init")
	name := fs.String("name", "vanthu hub", e.tr("hub.flag.name"))
	hosts := fs.String("host", "", e.tr("hub.flag.host"))
	listen := fs.String("listen", ":8443", e.tr("hub.flag.listen"))
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	dir, err := e.hubDir(ho.dir)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	d, err := hub.InitDir(dir, hub.DirConfig{Name: *name, Hosts: splitList(*hosts), DB: ho.db, Listen: *listen}, time.Now())
	if err != nil {
		e.failHub(err)
		return exitFailure
	}
	ctx, cancel := signalContext()
	defer cancel()
	h, sdb, err := e.openHub(ctx, d, &hubOptions{}) // creates and migrates the database
	if err != nil {
		e.failHub(err)
		return exitFailure
	}
	h.Close()
	_ = sdb.Close()
	fmt.Fprintln(e.stdout, e.tr("hub.init.done", dir, trust.Fingerprint(d.CA.Cert)))
	return exitOK
}

func (e *env) openHub(ctx context.Context, d *hub.Dir, o *hubOptions) (*hub.Hub, *store.DB, error) {
	dsn := o.db
	if dsn == "" {
		dsn = d.DSN()
	}
	db, err := hub.OpenDB(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	ts, err := trust.Load(ctx, trust.Options{Files: o.trust})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	codec := exchangeCodec(ts, nil)
	// The registers are kept by the hub: every accepted send and status is
	// registered, and the registers' and reports' API is served to the
	// agencies beside the exchange's.
	hook, rp, err := registerhub.New(ctx, db, codec, register.VerifyWith(verify.Options{Trust: ts, Online: true, HTTPClient: revcache.Client(10 * time.Second)}),
		filepath.Join(d.Path, "spool"), report.Options{})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	logger := e.logger()
	hook.Logger = logger
	h, err := d.OpenHub(ctx, hub.Config{DB: db, Codec: codec, Hook: hook, Logger: logger})
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	hook.Attach(h, rp, e.tr)
	return h, db, nil
}

func (e *env) loadHub(ctx context.Context, o *hubOptions) (*hub.Hub, *hub.Dir, func(), bool) {
	dir, err := e.hubDir(o.dir)
	if err != nil {
		e.fail(err)
		return nil, nil, nil, false
	}
	d, err := hub.LoadDir(dir)
	if err != nil {
		e.failHub(err)
		return nil, nil, nil, false
	}
	h, sdb, err := e.openHub(ctx, d, o)
	if err != nil {
		e.failHub(err)
		return nil, nil, nil, false
	}
	return h, d, func() { h.Close(); _ = sdb.Close() }, true
}

// hubCommand runs an administrative hub command: its flags (added by
// flags, checked by check before anything is opened), no positional
// arguments, the hub folder loaded and its database open for run.
func (e *env) hubCommand(name string, args []string, flags func(fs *flag.FlagSet), check func() int,
	run func(ctx context.Context, h *hub.Hub, d *hub.Dir) int) int {
	fs, ho := hubFlags(e, name)
	if flags != nil {
		flags(fs)
	}
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	if check != nil {
		if code := check(); code != exitOK {
			return code
		}
	}
	ctx, cancel := signalContext()
	defer cancel()
	h, d, closeHub, ok := e.loadHub(ctx, ho)
	if !ok {
		return exitFailure
	}
	defer closeHub()
	return run(ctx, h, d)
}

func cmdHubServe(e *env, args []string) int {
	var listen, axisListen *string
	return e.hubCommand("serve", args, func(fs *flag.FlagSet) {
		listen = fs.String("listen", "", e.tr("hub.flag.serve_listen"))
		axisListen = fs.String("axis-listen", "", e.tr("hub.flag.axis_listen"))
	}, nil, func(ctx context.Context, h *hub.Hub, d *hub.Dir) int {
		addr := *listen
		if addr == "" {
			addr = d.Config.Listen
		}
		if addr == "" {
			addr = ":8443"
		}
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM) // a service manager's stop
		defer stop()
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var axisServe func() error
		if a := cmp.Or(*axisListen, d.Config.AxisListen); a != "" {
			var err error
			if axisServe, err = e.axisListener(ctx, h, d, a); err != nil {
				e.failHub(err)
				return exitFailure
			}
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			e.fail(err)
			return exitFailure
		}
		fmt.Fprintln(e.stderr, e.tr("hub.serve.listening", ln.Addr().String()))
		axisErr := make(chan error, 1)
		if axisServe != nil {
			go func() {
				err := axisServe()
				cancel() // one door down stops the other
				axisErr <- err
			}()
		} else {
			axisErr <- nil
		}
		err = h.Serve(ctx, ln, d.CA.Cert, d.Server)
		cancel()
		if aerr := <-axisErr; err == nil {
			err = aerr
		}
		if err != nil {
			e.fail(err)
			return exitFailure
		}
		return exitOK
	})
}

func cmdHubAgencyAdd(e *env, args []string) int {
	var code, name, parent, csrFile, out *string
	var csrDER []byte
	flags := func(fs *flag.FlagSet) {
		code = fs.String("code", "", e.tr("hub.flag.agency_code"))
		name = fs.String("name", "", e.tr("hub.flag.agency_name"))
		parent = fs.String("parent", "", e.tr("hub.flag.agency_parent"))
		csrFile = fs.String("csr", "", e.tr("hub.flag.csr"))
		out = fs.String("out", "", e.tr("hub.flag.out"))
	}
	check := func() int {
		if *code == "" || (*name == "" && *csrFile == "") {
			e.usagef(e.tr("hub.agency.add.usage"))
			return exitUsage
		}
		if *csrFile == "" {
			return exitOK
		}
		raw, err := os.ReadFile(*csrFile)
		if err != nil {
			e.usagef(e.tr("hub.read_error", *csrFile, err))
			return exitUsage
		}
		b, _ := pem.Decode(raw)
		if b == nil || b.Type != "CERTIFICATE REQUEST" {
			e.usagef(e.tr("hub.agency.add.bad_csr", *csrFile))
			return exitUsage
		}
		csrDER = b.Bytes
		return exitOK
	}
	return e.hubCommand("agency add", args, flags, check, func(ctx context.Context, h *hub.Hub, d *hub.Dir) int {
		if *name != "" {
			err := h.AddAgency(ctx, adminActor(), wire.Agency{Code: *code, Name: *name, Parent: *parent})
			if err != nil && !(errors.Is(err, hub.ErrAgencyExists) && csrDER != nil) {
				e.failHub(err)
				return exitFailure
			}
		}
		if csrDER == nil {
			fmt.Fprintln(e.stdout, e.tr("hub.agency.added", *code))
			return exitOK
		}
		cert, err := h.IssueCertificate(ctx, adminActor(), d.CA, *code, csrDER, 0)
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		path := *out
		if path == "" {
			path = safeDir(*code) + ".pem"
		}
		if err := fsutil.WriteFile(path, hub.CertPEM(cert, d.CA.Cert), 0o644); err != nil {
			e.fail(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("hub.agency.issued", *code, hub.SerialHex(cert), cert.NotAfter.Format("2006-01-02"), path))
		return exitOK
	})
}

func cmdHubAgencyRevoke(e *env, args []string) int {
	var code, serial, reason *string
	flags := func(fs *flag.FlagSet) {
		code = fs.String("code", "", e.tr("hub.flag.revoke_code"))
		serial = fs.String("serial", "", e.tr("hub.flag.serial"))
		reason = fs.String("reason", "", e.tr("hub.flag.reason"))
	}
	check := func() int {
		if (*code == "") == (*serial == "") {
			e.usagef(e.tr("hub.agency.revoke.usage"))
			return exitUsage
		}
		return exitOK
	}
	return e.hubCommand("agency revoke", args, flags, check, func(ctx context.Context, h *hub.Hub, _ *hub.Dir) int {
		var err error
		if *code != "" {
			err = h.RevokeAgency(ctx, adminActor(), *code, *reason)
		} else {
			err = h.RevokeCertificate(ctx, adminActor(), *serial, *reason)
		}
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("hub.agency.revoked", *code+*serial))
		return exitOK
	})
}

func cmdHubAgencyList(e *env, args []string) int {
	return e.hubCommand("agency list", args, nil, nil, func(ctx context.Context, h *hub.Hub, _ *hub.Dir) int {
		list, err := h.Directory(ctx)
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		for _, a := range list {
			state := ""
			if a.Revoked != nil {
				state = " (" + e.tr("hub.agency.state_revoked") + ")"
			}
			fmt.Fprintf(e.stdout, "%-16s %-14s %s%s\n", a.Code, a.Parent, a.Name, state)
		}
		return exitOK
	})
}

func cmdHubAuditVerify(e *env, args []string) int {
	return e.hubCommand("audit verify", args, nil, nil, func(ctx context.Context, h *hub.Hub, _ *hub.Dir) int {
		n, err := h.VerifyAudit(ctx)
		var ae *hub.AuditError
		if errors.As(err, &ae) {
			e.errorf(e.tr("hub.audit.broken", ae.Seq, ae.Reason))
			return exitFailure
		}
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("hub.audit.ok", n))
		return exitOK
	})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// hubErrorKeys maps hub errors to messages.
var hubErrorKeys = []struct {
	target    error
	key, hint string
}{
	{axishub.ErrMasterKey, "axis.err.master_key", "axis.hint.master_key"},
	{axishub.ErrSystemExists, "axis.err.system_exists", ""},
	{axishub.ErrNoSystem, "axis.err.no_system", "axis.hint.system_list"},
	{axishub.ErrWeakSecret, "axis.err.weak_secret", ""},
	{axishub.ErrBadInput, "hub.err.bad_request", ""},
	{hub.ErrAlreadyInitialised, "hub.err.already_initialised", ""},
	{hub.ErrNotInitialised, "hub.err.not_initialised", "hub.hint.init"},
	{hub.ErrAgencyExists, "hub.err.agency_exists", ""},
	{hub.ErrUnknownAgency, "hub.err.unknown_agency", "hub.hint.agency_add"},
	{hub.ErrBadCSR, "hub.err.bad_csr", ""},
	{hub.ErrBadRequest, "hub.err.bad_request", ""},
	{hub.ErrNotFound, "hub.err.not_found", ""},
	{store.ErrMigration, "hub.err.database", ""},
}

func (e *env) failHub(err error) {
	for _, m := range hubErrorKeys {
		if errors.Is(err, m.target) {
			e.errorf(e.tr(m.key) + " (" + err.Error() + ")")
			if m.hint != "" {
				e.hintf(e.tr(m.hint))
			}
			return
		}
	}
	e.fail(err)
}
