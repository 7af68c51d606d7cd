package cli

import (
	"encoding/json"
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
	fs := e.newFlagSet("outbox")
	xf := addExchangeFlags(fs)
	asJSON := fs.Bool("json", false, "print the outbox as JSON")
	all := fs.Bool("all", false, "also list what was delivered")
	deliverNow := fs.Bool("deliver", false, "try to deliver what waits")
	retry := fs.Bool("retry", false, "queue failed entries again (implies --deliver)")
	wait := fs.Duration("wait", 30*time.Second, "with --deliver: how long to keep trying")
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	ctx, cancel := signalContext()
	defer cancel()
	x, err := e.openExchange(ctx, xf)
	if err != nil {
		e.failExchange(err)
		return exitFailure
	}
	defer x.Close()
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
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(entries)
		return status
	}
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
	return status
}
