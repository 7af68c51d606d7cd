package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/signing/trust"
)

// cmdStaff implements
//
//	vanthu staff add --unit CODE --name NAME [--title T] [--email E] [--from DATE]
//	vanthu staff enrol ID --cert FILE.pem
//	vanthu staff leave ID --last DATE --reason TEXT
//	vanthu staff list --unit CODE [--sub] [--json]
func cmdStaff(e *env, args []string) int {
	if e.askedHelp(args, "staff.usage") {
		return exitOK
	}
	if len(args) == 0 {
		e.usagef(e.tr("staff.usage"))
		return exitUsage
	}
	sub := args[0]
	fs := e.newFlagSet("staff " + sub)
	rf := addRegisterFlags(fs, e)
	f := staffFlags{
		unit:     fs.String("unit", "", e.tr("reg.flag.unit")),
		name:     fs.String("name", "", e.tr("staff.flag.name")),
		title:    fs.String("title", "", e.tr("staff.flag.title")),
		email:    fs.String("email", "", e.tr("staff.flag.email")),
		from:     fs.String("from", "", e.tr("staff.flag.from")),
		last:     fs.String("last", "", e.tr("staff.flag.last")),
		certFile: fs.String("cert", "", e.tr("staff.flag.cert")),
		reason:   fs.String("reason", "", e.tr("reg.flag.reason")),
		subUnits: fs.Bool("sub", false, e.tr("reg.flag.sub")),
		asJSON:   fs.Bool("json", false, e.tr("verify.flag.json")),
	}
	rest, code, ok := e.parseFlags(fs, args[1:])
	if !ok {
		return code
	}
	var id int64
	switch sub {
	case "add", "list":
		if !e.noArgs(rest) {
			return exitUsage
		}
	case "enrol", "enroll", "leave":
		n, err := strconv.ParseInt(firstOr(rest), 10, 64)
		if len(rest) != 1 || err != nil {
			e.usagef(e.tr("staff.usage"))
			return exitUsage
		}
		id = n
	default:
		e.usagef(e.tr("staff.usage"))
		return exitUsage
	}
	ctx := context.Background()
	r, err := e.openRegisters(ctx, rf)
	if err != nil {
		return e.failRegister(err)
	}
	defer r.close()
	switch sub {
	case "add":
		return e.staffAdd(ctx, r, f)
	case "enrol", "enroll":
		return e.staffEnrol(ctx, r, f, id)
	case "leave":
		return e.staffLeave(ctx, r, f, id)
	}
	return e.staffList(ctx, r, f)
}

// staffFlags are the flags of the staff commands.
type staffFlags struct {
	unit, name, title, email, from, last, certFile, reason *string
	subUnits, asJSON                                       *bool
}

func (e *env) staffAdd(ctx context.Context, r *registers, f staffFlags) int {
	in := register.StaffInput{Unit: *f.unit, Name: *f.name, Title: *f.title, Email: *f.email}
	if *f.from != "" {
		var err error
		if in.ActiveFrom, err = calendar.ParseDate(*f.from); err != nil {
			return e.failRegister(err)
		}
	}
	s, err := r.reg.AddStaff(ctx, r.who, in)
	if err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("staff.added", s.ID, s.Name, s.Unit))
	return exitOK
}

func (e *env) staffEnrol(ctx context.Context, r *registers, f staffFlags, id int64) int {
	b, err := os.ReadFile(*f.certFile)
	if err != nil {
		e.usagef(e.tr("sign.no_input", *f.certFile))
		return exitUsage
	}
	certs, err := trust.ParsePEM(b)
	if err != nil || len(certs) == 0 {
		e.usagef(e.tr("staff.bad_cert", *f.certFile))
		return exitUsage
	}
	c, err := r.reg.Enrol(ctx, r.who, id, certs[0])
	if err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("staff.enrolled", c.Serial, c.NotAfter.In(calendar.Vietnam).Format("02/01/2006")))
	return exitOK
}

func (e *env) staffLeave(ctx context.Context, r *registers, f staffFlags, id int64) int {
	d, err := calendar.ParseDate(*f.last)
	if err != nil {
		return e.failRegister(err)
	}
	if err := r.reg.Deactivate(ctx, r.who, id, d, *f.reason); err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("staff.left", id, d.VN()))
	return exitOK
}

func (e *env) staffList(ctx context.Context, r *registers, f staffFlags) int {
	list, err := r.reg.StaffList(ctx, r.who, *f.unit, *f.subUnits)
	if err != nil {
		return e.failRegister(err)
	}
	if *f.asJSON {
		return e.printJSONValue(list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	now := time.Now()
	for _, s := range list {
		valid := 0
		for _, c := range s.Certs {
			if !c.Organisation && c.ValidAt(now) {
				valid++
			}
		}
		state := e.tr("staff.active")
		if !s.Active(calendar.Today()) {
			state = e.tr("staff.inactive")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", s.ID, s.Unit, s.Name, state, e.tr("staff.certs", len(s.Certs), valid))
	}
	tw.Flush()
	return exitOK
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
