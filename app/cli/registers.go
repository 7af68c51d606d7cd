package cli

import (
	"context"
	"errors"
	"flag"
	"os/user"
	"path/filepath"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// The unit, staff, register and report commands work on the registers of
// a hub's database: --db, else $VANTHU_DB, else the database of the hub
// configured on this machine (`vanthu hub init`: $VANTHU_HUB_DIR or
// <data dir>/hub), else the embedded local hub's (<data dir>/local-hub).

// registerFlags are the flags every register command has.
type registerFlags struct {
	db, dataDir, agency, actor string
	trust                      multiFlag
	offline                    bool
}

func addRegisterFlags(fs *flag.FlagSet, e *env) *registerFlags {
	rf := &registerFlags{}
	fs.StringVar(&rf.db, "db", "", e.tr("reg.flag.db"))
	fs.StringVar(&rf.dataDir, "data-dir", "", e.tr("reg.flag.data_dir"))
	fs.StringVar(&rf.agency, "agency", "", e.tr("reg.flag.agency"))
	fs.StringVar(&rf.actor, "actor", "", e.tr("reg.flag.actor"))
	fs.Var(&rf.trust, "trust", e.tr("reg.flag.trust"))
	fs.BoolVar(&rf.offline, "offline", false, e.tr("reg.flag.offline"))
	return rf
}

// registers is an open database with its registers and reporter.
type registers struct {
	db   *store.DB
	reg  *register.Register
	rep  *report.Reporter
	who  register.Actor
	data string
}

func (r *registers) close() { _ = r.db.Close() }

// defaultDSN is the configured hub's database, else the local hub's.
func (e *env) defaultDSN(dataDir string) string {
	if dir, err := e.hubDir(""); err == nil {
		if d, err := hub.LoadDir(dir); err == nil {
			return d.DSN()
		}
	}
	return filepath.Join(dataDir, "local-hub", hub.FileDatabase)
}

// openRegisters opens the database the flags name. The local user acts as
// the hub's operator (every unit) unless --agency names the agency to act
// as.
func (e *env) openRegisters(ctx context.Context, rf *registerFlags) (*registers, error) {
	data, err := e.dataDir(rf.dataDir)
	if err != nil {
		return nil, err
	}
	dsn := rf.db
	if dsn == "" {
		dsn = e.getenv("VANTHU_DB")
	}
	if dsn == "" {
		dsn = e.defaultDSN(data)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	ts, err := trust.Load(ctx, trust.Options{Files: rf.trust})
	if err != nil {
		db.Close()
		return nil, err
	}
	cal, err := calendar.Load(filepath.Join(data, calendar.OverrideFile))
	if err != nil {
		db.Close()
		return nil, err
	}
	reg, err := register.Open(ctx, register.Config{DB: db, Verifier: register.VerifyWith(verify.Options{Trust: ts, Online: !rf.offline})})
	if err != nil {
		db.Close()
		return nil, err
	}
	rp, err := report.New(ctx, db, report.Options{Calendar: cal})
	if err != nil {
		db.Close()
		return nil, err
	}
	who := register.Actor{Name: rf.actor, Agency: rf.agency, Admin: rf.agency == ""}
	if who.Name == "" {
		who.Name = e.getenv("VANTHU_ACTOR")
	}
	if who.Name == "" {
		if u, err := user.Current(); err == nil {
			who.Name = u.Username
		}
	}
	return &registers{db: db, reg: reg, rep: rp, who: who, data: data}, nil
}

// registerErrorKeys maps the registers' errors to messages.
var registerErrorKeys = []struct {
	target    error
	key, hint string
}{
	{register.ErrNotFound, "reg.err.not_found", ""},
	{register.ErrForbidden, "reg.err.forbidden", "reg.hint.forbidden"},
	{register.ErrDuplicate, "reg.err.duplicate", ""},
	{register.ErrNoReason, "reg.err.no_reason", "reg.hint.reason"},
	{register.ErrNotCorrectable, "reg.err.not_correctable", "reg.hint.reverify"},
	{register.ErrImportRejected, "reg.err.import_rejected", "reg.hint.import"},
	{register.ErrCycle, "reg.err.cycle", ""},
	{register.ErrInvalid, "reg.err.invalid", ""},
	{calendar.ErrBadPeriod, "reg.err.invalid", "report.hint.period"},
	{calendar.ErrBadDate, "reg.err.invalid", ""},
	{calendar.ErrBadTable, "reg.err.holidays", "reg.hint.holidays"},
	{calendar.ErrBadDeadline, "reg.err.invalid", ""},
	{store.ErrBadDSN, "reg.err.db", ""},
	{report.ErrWrite, "report.err.write", ""},
}

// failRegister prints a register error: the message, the detail, a hint.
// It returns the exit code: usage for bad input, failure otherwise.
func (e *env) failRegister(err error) int {
	for _, m := range registerErrorKeys {
		if errors.Is(err, m.target) {
			e.errorf(e.tr(m.key) + " (" + err.Error() + ")")
			if m.hint != "" {
				e.hintf(e.tr(m.hint))
			}
			if m.target == register.ErrInvalid || m.target == calendar.ErrBadPeriod || m.target == calendar.ErrBadDate {
				return exitUsage
			}
			return exitFailure
		}
	}
	e.fail(err)
	return exitFailure
}
