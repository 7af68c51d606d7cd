package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
)

// cmdUnit implements
//
//	vanthu unit add CODE NAME [--parent CODE]
//	vanthu unit list [--unit CODE] [--json]
//	vanthu unit move CODE --parent CODE --reason TEXT
func cmdUnit(e *env, args []string) int {
	if e.askedHelp(args, "unit.usage") {
		return exitOK
	}
	if len(args) == 0 {
		e.usagef(e.tr("unit.usage"))
		return exitUsage
	}
	sub := args[0]
	fs := e.newFlagSet("unit " + sub)
	rf := addRegisterFlags(fs, e)
	parent := fs.String("parent", "", e.tr("unit.flag.parent"))
	unit := fs.String("unit", "", e.tr("reg.flag.unit"))
	reason := fs.String("reason", "", e.tr("reg.flag.reason"))
	asJSON := fs.Bool("json", false, e.tr("verify.flag.json"))
	rest, code, ok := e.parseFlags(fs, args[1:])
	if !ok {
		return code
	}
	switch sub {
	case "add", "list", "move":
	default:
		e.usagef(e.tr("unit.usage"))
		return exitUsage
	}
	if (sub == "add" && len(rest) != 2) || (sub == "move" && len(rest) != 1) || (sub == "list" && len(rest) != 0) {
		e.usagef(e.tr("unit.usage"))
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
		u, err := r.reg.AddUnit(ctx, r.who, rest[0], rest[1], *parent)
		if err != nil {
			return e.failRegister(err)
		}
		fmt.Fprintln(e.stdout, e.tr("unit.added", u.Code, u.Name))
	case "move":
		if err := r.reg.MoveUnit(ctx, r.who, rest[0], *parent, *reason); err != nil {
			return e.failRegister(err)
		}
		fmt.Fprintln(e.stdout, e.tr("unit.moved", strings.ToUpper(rest[0]), strings.ToUpper(*parent)))
	case "list":
		units, err := r.reg.Units(ctx, r.who, *unit)
		if err != nil {
			return e.failRegister(err)
		}
		if *asJSON {
			return e.printJSONValue(units)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, u := range units {
			fmt.Fprintf(tw, "%s%s\t%s\n", strings.Repeat("  ", u.Depth), u.Code, u.Name)
		}
		tw.Flush()
	}
	return exitOK
}
