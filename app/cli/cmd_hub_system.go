package cli

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/axishub"
	"github.com/vanthu/vanthu/exchange/hub"
)

// cmdHubSystem implements the systems of the hub's door for the national
// axis's SDKs:
//
//	vanthu hub system add --agency CODE [--system-id ID] [--admin] [--secret-file F]
//	vanthu hub system rotate --system-id ID [--grace D] [--secret-file F]
//	vanthu hub system revoke --system-id ID [--reason R]
//	vanthu hub system list
//
// add and rotate print the secret on standard output, once; it is kept
// only encrypted under the hub's master key (axis-master.key).
func cmdHubSystem(e *env, args []string) int {
	if e.askedHelp(args, "axis.system.usage") {
		return exitOK
	}
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return cmdHubSystemAdd(e, args[1:])
		case "rotate":
			return cmdHubSystemRotate(e, args[1:])
		case "revoke":
			return cmdHubSystemRevoke(e, args[1:])
		case "list":
			return cmdHubSystemList(e, args[1:])
		}
	}
	e.usagef(e.tr("axis.system.usage"))
	return exitUsage
}

// systemCommand is hubCommand with the hub's systems open (the master key
// made on first use when create).
func (e *env) systemCommand(name string, args []string, create bool, flags func(fs *flag.FlagSet), check func() int,
	run func(ctx context.Context, reg *axishub.Registry) int) int {
	return e.hubCommand(name, args, flags, check, func(ctx context.Context, h *hub.Hub, d *hub.Dir) int {
		reg, err := axishub.OpenRegistry(ctx, h, d.Path, create)
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		return run(ctx, reg)
	})
}

// readSecretFile reads a secret given with --secret-file ("-" is standard
// input); "" when none was given.
func (e *env) readSecretFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	var raw []byte
	var err error
	if path == "-" {
		raw, err = io.ReadAll(io.LimitReader(e.stdin, 4096))
	} else {
		raw, err = os.ReadFile(path)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(raw)), nil
}

// secretFlag is system add's and rotate's --secret-file.
func (e *env) secretFlag(fs *flag.FlagSet) *string {
	return fs.String("secret-file", "", e.tr("axis.flag.system_secret_file"))
}

// readSecretFlag reads --secret-file into dst; a file it cannot read is a
// usage error.
func (e *env) readSecretFlag(path string, dst *string) int {
	var err error
	if *dst, err = e.readSecretFile(path); err != nil {
		e.usagef(e.tr("hub.read_error", path, err))
		return exitUsage
	}
	return exitOK
}

func (e *env) printSecret(id, secret string) {
	fmt.Fprintln(e.stderr, e.tr("axis.system.secret_once", id))
	fmt.Fprintln(e.stdout, secret)
}

func cmdHubSystemAdd(e *env, args []string) int {
	var agency, id, secretFile *string
	var admin *bool
	var secret string
	flags := func(fs *flag.FlagSet) {
		agency = fs.String("agency", "", e.tr("axis.flag.agency"))
		id = fs.String("system-id", "", e.tr("axis.flag.add_system_id"))
		admin = fs.Bool("admin", false, e.tr("axis.flag.admin"))
		secretFile = e.secretFlag(fs)
	}
	check := func() int {
		if *agency == "" {
			e.usagef(e.tr("axis.system.add.usage"))
			return exitUsage
		}
		return e.readSecretFlag(*secretFile, &secret)
	}
	return e.systemCommand("system add", args, true, flags, check, func(ctx context.Context, reg *axishub.Registry) int {
		sysID := *id
		if sysID == "" {
			sysID = *agency
		}
		s, err := reg.Add(ctx, adminActor(), axishub.NewSystem{ID: sysID, Agency: *agency, Admin: *admin, Secret: secret})
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		fmt.Fprintln(e.stderr, e.tr("axis.system.added", sysID, *agency))
		if secret == "" {
			e.printSecret(sysID, s)
		}
		return exitOK
	})
}

func cmdHubSystemRotate(e *env, args []string) int {
	var id, secretFile *string
	var grace *time.Duration
	var secret string
	flags := func(fs *flag.FlagSet) {
		id = fs.String("system-id", "", e.tr("axis.flag.rotate_system_id"))
		grace = fs.Duration("grace", 0, e.tr("axis.flag.grace"))
		secretFile = e.secretFlag(fs)
	}
	check := func() int {
		if *id == "" || *grace < 0 {
			e.usagef(e.tr("axis.system.rotate.usage"))
			return exitUsage
		}
		return e.readSecretFlag(*secretFile, &secret)
	}
	return e.systemCommand("system rotate", args, false, flags, check, func(ctx context.Context, reg *axishub.Registry) int {
		s, err := reg.Rotate(ctx, adminActor(), *id, *grace, secret)
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		fmt.Fprintln(e.stderr, e.tr("axis.system.rotated", *id, grace.String()))
		if secret == "" {
			e.printSecret(*id, s)
		}
		return exitOK
	})
}

func cmdHubSystemRevoke(e *env, args []string) int {
	var id, reason *string
	flags := func(fs *flag.FlagSet) {
		id = fs.String("system-id", "", e.tr("axis.flag.revoke_system_id"))
		reason = fs.String("reason", "", e.tr("hub.flag.reason"))
	}
	check := func() int {
		if *id == "" {
			e.usagef(e.tr("axis.system.revoke.usage"))
			return exitUsage
		}
		return exitOK
	}
	return e.systemCommand("system revoke", args, false, flags, check, func(ctx context.Context, reg *axishub.Registry) int {
		if err := reg.Revoke(ctx, adminActor(), *id, *reason); err != nil {
			e.failHub(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("axis.system.revoked", *id))
		return exitOK
	})
}

func cmdHubSystemList(e *env, args []string) int {
	return e.systemCommand("system list", args, false, nil, nil, func(ctx context.Context, reg *axishub.Registry) int {
		list, err := reg.List(ctx)
		if err != nil {
			e.failHub(err)
			return exitFailure
		}
		for _, s := range list {
			var notes []string
			if s.Admin {
				notes = append(notes, e.tr("axis.system.state_admin"))
			}
			if !s.GraceUntil.IsZero() && time.Now().Before(s.GraceUntil) && s.Revoked == nil {
				notes = append(notes, e.tr("axis.system.state_grace", s.GraceUntil.Local().Format("2006-01-02 15:04")))
			}
			if s.Revoked != nil {
				notes = append(notes, e.tr("axis.system.state_revoked"))
			}
			line := fmt.Sprintf("%-24s %-16s %s", s.ID, s.Agency, s.CreatedAt.Local().Format("2006-01-02"))
			if len(notes) > 0 {
				line += "  (" + strings.Join(notes, ", ") + ")"
			}
			fmt.Fprintln(e.stdout, line)
		}
		return exitOK
	})
}

// logger is the hub's log: Info and above to standard error.
func (e *env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// axisListener starts the hub's door for the axis SDKs on addr (TLS with
// the folder's axis certificate, else the hub's server certificate); the
// returned function serves until ctx ends.
func (e *env) axisListener(ctx context.Context, h *hub.Hub, d *hub.Dir, addr string) (func() error, error) {
	reg, err := axishub.OpenRegistry(ctx, h, d.Path, false)
	if err != nil {
		return nil, err
	}
	cert := d.Server
	if d.Config.AxisCert != "" || d.Config.AxisKey != "" {
		rel := func(p string) string {
			if filepath.IsAbs(p) {
				return p
			}
			return filepath.Join(d.Path, p)
		}
		if cert, err = tls.LoadX509KeyPair(rel(d.Config.AxisCert), rel(d.Config.AxisKey)); err != nil {
			return nil, fmt.Errorf("failed to load the axis door's certificate: %w", err)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := axishub.New(axishub.Config{Hub: h, Registry: reg, Logger: e.logger()})
	fmt.Fprintln(e.stderr, e.tr("axis.serve.listening", ln.Addr().String()))
	return func() error { return srv.Serve(ctx, ln, cert) }, nil
}
