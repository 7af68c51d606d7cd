package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
)

// cmdOutbox implements
//
//	vanthu outbox [--json] [--all] [--deliver] [--retry] [--wait D]
//
// what waits to be delivered and why; --deliver tries now, --retry puts
// refused entries back in the queue first.
func cmdOutbox(e *env, args []string) int {
	var asJSON, all, deliverNow, retry *bool
	var wait *time.Duration
	flags := func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, e.tr("outbox.flag.json"))
		all = fs.Bool("all", false, e.tr("outbox.flag.all"))
		deliverNow = fs.Bool("deliver", false, e.tr("outbox.flag.deliver"))
		retry = fs.Bool("retry", false, e.tr("outbox.flag.retry"))
		wait = fs.Duration("wait", 30*time.Second, e.tr("outbox.flag.wait"))
	}
	return e.exchangeCommand("outbox", args, flags, nil, func(ctx context.Context, x *exchange, _ []string) int {
		if *retry {
			if _, err := x.Retry(ctx); err != nil {
				e.failExchange(err)
				return exitFailure
			}
		}
		status := exitOK
		if (*deliverNow || *retry) && e.deliver(ctx, x, *wait, *asJSON) > 0 {
			status = exitFailure
		}
		entries, err := x.Outbox(ctx, *all)
		if err != nil {
			e.failExchange(err)
			return exitFailure
		}
		if *asJSON {
			if entries == nil {
				entries = []client.OutboxEntry{}
			}
			e.writeJSON(entries)
			return status
		}
		e.printOutbox(entries)
		return status
	})
}

func (e *env) printOutbox(entries []client.OutboxEntry) {
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, e.tr("outbox.empty"))
	}
	for _, en := range entries {
		what := en.File
		if en.Kind == "status" {
			what = e.tr("outbox.status", en.StatusCode)
		}
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%v\t%s\t%s\n", en.ID, en.DocumentID, what, en.Recipients, e.tr("send.state."+en.State),
			e.tr("outbox.attempts", en.Attempts))
		if en.LastError != "" {
			fmt.Fprintf(e.stdout, "\t%s\n", en.LastError)
		}
		if en.State == client.OutboxPending && en.Attempts > 0 {
			fmt.Fprintf(e.stdout, "\t%s\n", e.tr("outbox.next", en.NextAttempt.Local().Format("15:04:05")))
		}
	}
}
