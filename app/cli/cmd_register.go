package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
)

// cmdRegister implements the registers:
//
//	vanthu register add --unit CODE --number N --date D --channel paper|electronic|both
//	    [--type T] [--subject S] [--signer NAME] [--secret] [--to A;B] [--reason WHY] [--file SENT.pdf]
//	vanthu register import [--skip-rejected] FILE.csv
//	vanthu register receive --unit CODE --sender SENDER --number N --arrived TIME [--confirm 03|02 --at TIME --note WHY]
//	vanthu register confirm ID --code 03|02 [--at TIME] [--note WHY]
//	vanthu register list [--unit CODE] [--sub] [--from D] [--until D] [--incoming] [--json]
//	vanthu register show ID [--incoming] [--json]
//	vanthu register correct ID --set FIELD=VALUE... --reason WHY [--incoming]
//	vanthu register verify ID --file SENT.pdf [--reason WHY]
//	vanthu register cancel ID --reason WHY [--incoming]
//	vanthu register history ID [--incoming] [--json]
func cmdRegister(e *env, args []string) int {
	if e.askedHelp(args, "register.usage") {
		return exitOK
	}
	if len(args) == 0 {
		e.usagef(e.tr("register.usage"))
		return exitUsage
	}
	sub := args[0]
	fs := e.newFlagSet("register " + sub)
	rf := addRegisterFlags(fs, e)
	o := registerOpts{}
	fs.StringVar(&o.unit, "unit", "", e.tr("reg.flag.unit"))
	fs.StringVar(&o.number, "number", "", e.tr("register.flag.number"))
	fs.StringVar(&o.date, "date", "", e.tr("register.flag.date"))
	fs.StringVar(&o.channel, "channel", "", e.tr("register.flag.channel"))
	fs.StringVar(&o.typ, "type", "", e.tr("register.flag.type"))
	fs.StringVar(&o.subject, "subject", "", e.tr("register.flag.subject"))
	fs.StringVar(&o.signer, "signer", "", e.tr("register.flag.signer"))
	fs.BoolVar(&o.secret, "secret", false, e.tr("register.flag.secret"))
	fs.StringVar(&o.to, "to", "", e.tr("register.flag.to"))
	fs.StringVar(&o.reason, "reason", "", e.tr("reg.flag.reason"))
	fs.StringVar(&o.file, "file", "", e.tr("register.flag.file"))
	fs.StringVar(&o.from, "from", "", e.tr("register.flag.from"))
	fs.StringVar(&o.until, "until", "", e.tr("register.flag.until"))
	fs.StringVar(&o.sender, "sender", "", e.tr("register.flag.sender"))
	fs.StringVar(&o.arrived, "arrived", "", e.tr("register.flag.arrived"))
	fs.StringVar(&o.confirm, "confirm", "", e.tr("register.flag.confirm"))
	fs.StringVar(&o.code, "code", "", e.tr("register.flag.confirm"))
	fs.StringVar(&o.at, "at", "", e.tr("register.flag.at"))
	fs.StringVar(&o.note, "note", "", e.tr("register.flag.note"))
	fs.Var(&o.set, "set", e.tr("register.flag.set"))
	fs.BoolVar(&o.incoming, "incoming", false, e.tr("register.flag.incoming"))
	fs.BoolVar(&o.subUnits, "sub", false, e.tr("reg.flag.sub"))
	fs.BoolVar(&o.skip, "skip-rejected", false, e.tr("register.flag.skip"))
	fs.BoolVar(&o.json, "json", false, e.tr("verify.flag.json"))
	rest, code, ok := e.parseFlags(fs, args[1:])
	if !ok {
		return code
	}
	run, known := map[string]func(*env, *registers, registerOpts, []string) int{
		"add": regAdd, "import": regImport, "receive": regReceive, "confirm": regConfirm, "list": regList, "show": regShow,
		"correct": regCorrect, "verify": regVerify, "cancel": regCancel, "history": regHistory,
	}[sub]
	if !known {
		e.usagef(e.tr("register.usage"))
		return exitUsage
	}
	r, err := e.openRegisters(context.Background(), rf)
	if err != nil {
		return e.failRegister(err)
	}
	defer r.close()
	return run(e, r, o, rest)
}

type registerOpts struct {
	unit, number, date, channel, typ, subject, signer, to, reason, file string
	from, until, sender, arrived, confirm, code, at, note               string
	set                                                                 multiFlag
	secret, incoming, subUnits, skip, json                              bool
}

func (o registerOpts) entity() string {
	if o.incoming {
		return register.EntityIncoming
	}
	return register.EntityOutgoing
}

// entryID reads the one ID argument.
func (e *env) entryID(rest []string) (int64, bool) {
	if len(rest) != 1 {
		e.usagef(e.tr("register.need_id"))
		return 0, false
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		e.usagef(e.tr("register.need_id"))
		return 0, false
	}
	return id, true
}

func splitSemicolons(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func regAdd(e *env, r *registers, o registerOpts, rest []string) int {
	if !e.noArgs(rest) {
		return exitUsage
	}
	d, err := calendar.ParseDate(o.date)
	if err != nil {
		return e.failRegister(err)
	}
	ch, err := register.ParseChannel(o.channel)
	if err != nil {
		return e.failRegister(err)
	}
	if o.file != "" {
		if st, err := os.Stat(o.file); err != nil || !st.Mode().IsRegular() {
			e.usagef(e.tr("sign.no_input", o.file))
			return exitUsage
		}
	}
	out, err := r.reg.AddOutgoing(context.Background(), r.who, register.OutgoingInput{Unit: o.unit, Number: o.number, Date: d, Type: o.typ,
		Subject: o.subject, Signer: o.signer, Secret: o.secret, Channel: ch, Recipients: splitSemicolons(o.to), PaperReason: o.reason, File: o.file})
	if err != nil {
		return e.failRegister(err)
	}
	if o.json {
		return e.printJSONValue(out)
	}
	fmt.Fprintln(e.stdout, e.tr("register.added", out.ID, out.Number, out.Unit, e.tr("report.sig."+string(out.Approve)), e.tr("report.sig."+string(out.Issue))))
	return exitOK
}

func regImport(e *env, r *registers, o registerOpts, rest []string) int {
	if len(rest) != 1 {
		e.usagef(e.tr("register.usage"))
		return exitUsage
	}
	f, err := os.Open(rest[0])
	if err != nil {
		e.usagef(e.tr("sign.no_input", rest[0]))
		return exitUsage
	}
	defer f.Close()
	ctx, stop := signalContext()
	defer stop()
	rep, err := r.reg.ImportOutgoing(ctx, r.who, f, register.ImportOptions{Dir: filepath.Dir(rest[0]), SkipRejected: o.skip})
	if rep != nil {
		if o.json {
			e.printJSONValue(rep)
		} else {
			for _, x := range rep.Rejected {
				fmt.Fprintln(e.stderr, e.tr("register.rejected", x.Line, x.Number, x.Reason))
			}
			fmt.Fprintln(e.stdout, e.tr("register.imported", rep.Imported, rep.Rows, len(rep.Rejected)))
		}
	}
	if err != nil {
		return e.failRegister(err)
	}
	if len(rep.Rejected) > 0 {
		return exitFailure
	}
	return exitOK
}

func parseTimeFlag(s string, def time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return def, nil
	}
	return register.ParseTime(s)
}

func regReceive(e *env, r *registers, o registerOpts, rest []string) int {
	if !e.noArgs(rest) {
		return exitUsage
	}
	arrived, err := parseTimeFlag(o.arrived, time.Now())
	if err != nil {
		return e.failRegister(err)
	}
	in := register.IncomingInput{Unit: o.unit, Sender: o.sender, Number: o.number, Type: o.typ, Subject: o.subject, Secret: o.secret,
		Channel: register.Paper, ArrivedAt: arrived, Receipt: o.confirm, ReceiptNote: o.note}
	if o.channel != "" {
		if in.Channel, err = register.ParseChannel(o.channel); err != nil {
			return e.failRegister(err)
		}
	}
	if o.date != "" {
		if in.Date, err = calendar.ParseDate(o.date); err != nil {
			return e.failRegister(err)
		}
	}
	if o.confirm != "" {
		if in.ReceiptAt, err = parseTimeFlag(o.at, arrived); err != nil {
			return e.failRegister(err)
		}
	}
	x, err := r.reg.AddIncoming(context.Background(), r.who, in)
	if err != nil {
		return e.failRegister(err)
	}
	if o.json {
		return e.printJSONValue(x)
	}
	fmt.Fprintln(e.stdout, e.tr("register.received", x.ID, x.Number, x.Unit))
	return exitOK
}

func regConfirm(e *env, r *registers, o registerOpts, rest []string) int {
	id, ok := e.entryID(rest)
	if !ok {
		return exitUsage
	}
	at, err := parseTimeFlag(o.at, time.Now())
	if err != nil {
		return e.failRegister(err)
	}
	if err := r.reg.Confirm(context.Background(), r.who, id, o.code, at, o.note); err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("register.confirmed", id, o.code))
	return exitOK
}

func (o registerOpts) filter() (register.Filter, error) {
	f := register.Filter{Unit: o.unit, SubUnits: o.subUnits, Limit: 100000}
	var err error
	if o.from != "" {
		if f.From, err = calendar.ParseDate(o.from); err != nil {
			return f, err
		}
	}
	if o.until != "" {
		if f.To, err = calendar.ParseDate(o.until); err != nil {
			return f, err
		}
	}
	return f, nil
}

func regList(e *env, r *registers, o registerOpts, rest []string) int {
	if !e.noArgs(rest) {
		return exitUsage
	}
	f, err := o.filter()
	if err != nil {
		return e.failRegister(err)
	}
	ctx := context.Background()
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if o.incoming {
		l, err := r.reg.ListIncoming(ctx, r.who, f)
		if err != nil {
			return e.failRegister(err)
		}
		if o.json {
			return e.printJSONValue(l)
		}
		for _, x := range l {
			rc := e.tr("register.unconfirmed")
			if x.Receipt != "" {
				rc = x.Receipt + " " + x.ReceiptAt.Format("02/01/2006 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.Unit, x.ArrivedAt.Format("02/01/2006 15:04"), x.Sender, x.Number, rc)
		}
		return exitOK
	}
	l, err := r.reg.ListOutgoing(ctx, r.who, f)
	if err != nil {
		return e.failRegister(err)
	}
	if o.json {
		return e.printJSONValue(l)
	}
	for _, x := range l {
		secret := ""
		if x.Secret {
			secret = " " + e.tr("register.secret")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s%s\t%s/%s\t%s\n", x.ID, x.Unit, x.Date.VN(), x.Number, e.tr("report.channel."+string(x.Channel)), secret,
			e.tr("report.sig."+string(x.Approve)), e.tr("report.sig."+string(x.Issue)), x.Subject)
	}
	return exitOK
}

func regShow(e *env, r *registers, o registerOpts, rest []string) int {
	id, ok := e.entryID(rest)
	if !ok {
		return exitUsage
	}
	ctx := context.Background()
	var v any
	var err error
	if o.incoming {
		v, err = r.reg.Incoming(ctx, r.who, id)
	} else {
		v, err = r.reg.Outgoing(ctx, r.who, id)
	}
	if err != nil {
		return e.failRegister(err)
	}
	return e.printJSONValue(v)
}

func regCorrect(e *env, r *registers, o registerOpts, rest []string) int {
	id, ok := e.entryID(rest)
	if !ok {
		return exitUsage
	}
	changes := map[string]string{}
	for _, s := range o.set {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			e.usagef(e.tr("register.bad_set", s))
			return exitUsage
		}
		changes[strings.TrimSpace(k)] = v
	}
	if err := r.reg.Correct(context.Background(), r.who, o.entity(), id, changes, o.reason); err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("register.corrected", id, len(changes)))
	return exitOK
}

func regVerify(e *env, r *registers, o registerOpts, rest []string) int {
	id, ok := e.entryID(rest)
	if !ok {
		return exitUsage
	}
	if o.file == "" {
		e.usagef(e.tr("register.need_file"))
		return exitUsage
	}
	out, err := r.reg.Reverify(context.Background(), r.who, id, o.file, o.reason)
	if err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("register.verified", id, e.tr("report.sig."+string(out.Approve)), e.tr("report.sig."+string(out.Issue))))
	return exitOK
}

func regCancel(e *env, r *registers, o registerOpts, rest []string) int {
	id, ok := e.entryID(rest)
	if !ok {
		return exitUsage
	}
	if err := r.reg.Cancel(context.Background(), r.who, o.entity(), id, o.reason); err != nil {
		return e.failRegister(err)
	}
	fmt.Fprintln(e.stdout, e.tr("register.cancelled", id))
	return exitOK
}

func regHistory(e *env, r *registers, o registerOpts, rest []string) int {
	id, ok := e.entryID(rest)
	if !ok {
		return exitUsage
	}
	h, err := r.reg.History(context.Background(), r.who, o.entity(), id)
	if err != nil {
		return e.failRegister(err)
	}
	if o.json {
		return e.printJSONValue(h)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, c := range h {
		what := c.New
		if c.Field != "" {
			what = c.Field + ": " + c.Old + " → " + c.New
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.At.Format("02/01/2006 15:04:05"), c.Actor, e.tr("register.action."+c.Action), what, c.Reason)
	}
	tw.Flush()
	return exitOK
}

// printJSONValue prints v as indented JSON.
func (e *env) printJSONValue(v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		e.errorf(err.Error())
		return exitFailure
	}
	fmt.Fprintln(e.stdout, string(b))
	return exitOK
}
