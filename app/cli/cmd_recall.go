package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
)

// cmdRecall implements
//
//	vanthu recall DOCID --reason "…" [token flags]
//
// It asks every recipient of a sent document to give it back (status 13).
func cmdRecall(e *env, args []string) int {
	var tf *tokenFlags
	var reason *string
	var wait *time.Duration
	flags := func(fs *flag.FlagSet) {
		tf = e.addTokenFlags(fs, true)
		reason = fs.String("reason", "", e.tr("recall.flag.reason"))
		wait = fs.Duration("wait", time.Minute, e.tr("recall.flag.wait"))
	}
	check := func(rest []string) int {
		if len(rest) != 1 || strings.TrimSpace(*reason) == "" {
			e.usagef(e.tr("recall.usage"))
			return exitUsage
		}
		return exitOK
	}
	return e.exchangeCommand("recall", args, flags, check, func(ctx context.Context, x *exchange, rest []string) int {
		if _, err := x.Status(ctx, rest[0]); err != nil {
			e.failExchange(err)
			return exitFailure
		}
		var to []string
		err := e.signWith(ctx, tf, func(s client.Signer) error {
			var err error
			to, err = x.Recall(ctx, rest[0], *reason, s)
			return err
		})
		if err != nil {
			e.failExchange(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("recall.done", rest[0], strings.Join(to, ", ")))
		if e.deliver(ctx, x, *wait, false) > 0 {
			return exitFailure
		}
		return exitOK
	})
}
