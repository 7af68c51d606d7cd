package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
)

// cmdReceive implements
//
//	vanthu receive ID --accept [--accept-invalid] | --refuse --reason "…"  [token flags]
//
// For a new document it sends status 03 (accepted, registered) or 02
// (refused, with the reason); for a document its sender recalls, 15 (the
// local copy is deleted) or 16. The status is signed with the organisation
// key and delivered.
func cmdReceive(e *env, args []string) int {
	var tf *tokenFlags
	var accept, refuse, acceptInvalid *bool
	var reason, staff *string
	var wait *time.Duration
	var id int64
	flags := func(fs *flag.FlagSet) {
		tf = e.addTokenFlags(fs, true)
		accept = fs.Bool("accept", false, e.tr("receive.flag.accept"))
		refuse = fs.Bool("refuse", false, e.tr("receive.flag.refuse"))
		reason = fs.String("reason", "", e.tr("receive.flag.reason"))
		acceptInvalid = fs.Bool("accept-invalid", false, e.tr("receive.flag.accept_invalid"))
		staff = fs.String("staff", "", e.tr("receive.flag.staff"))
		wait = fs.Duration("wait", time.Minute, e.tr("receive.flag.wait"))
	}
	check := func(rest []string) int {
		if len(rest) != 1 || *accept == *refuse {
			e.usagef(e.tr("receive.usage"))
			return exitUsage
		}
		var err error
		if id, err = strconv.ParseInt(rest[0], 10, 64); err != nil || id <= 0 {
			e.usagef(e.tr("receive.bad_id", rest[0]))
			return exitUsage
		}
		if *refuse && *reason == "" {
			e.usagef(e.tr("receive.need_reason"))
			return exitUsage
		}
		return exitOK
	}
	return e.exchangeCommand("receive", args, flags, check, func(ctx context.Context, x *exchange, _ []string) int {
		if _, err := x.IncomingByID(ctx, id); err != nil {
			e.failExchange(err)
			return exitFailure
		}
		var st string
		err := e.signWith(ctx, tf, func(s client.Signer) error {
			var err error
			st, err = x.Receive(ctx, id, client.Answer{Accept: *accept, Reason: *reason, AcceptInvalid: *acceptInvalid, Staff: *staff}, s)
			return err
		})
		if err != nil {
			e.failExchange(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("receive.done", id, st, e.tr("status.code."+st)))
		if e.deliver(ctx, x, *wait, false) > 0 {
			return exitFailure
		}
		return exitOK
	})
}
