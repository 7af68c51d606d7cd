package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
)

// cmdInbox implements
//
//	vanthu inbox [--json] [--all] [--no-sync] [--wait D]
//
// It first fetches what arrived (each document verified on arrival, the
// arrival acknowledged), then lists the local inbox with each document's
// verdict. Exit status 1 when the hub could not be reached (the local list
// is still printed).
func cmdInbox(e *env, args []string) int {
	var asJSON, all, noSync *bool
	var wait *time.Duration
	flags := func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, e.tr("inbox.flag.json"))
		all = fs.Bool("all", false, e.tr("inbox.flag.all"))
		noSync = fs.Bool("no-sync", false, e.tr("inbox.flag.no_sync"))
		wait = fs.Duration("wait", 0, e.tr("inbox.flag.wait"))
	}
	return e.exchangeCommand("inbox", args, flags, nil, func(ctx context.Context, x *exchange, _ []string) int {
		status := exitOK
		if !*noSync && !e.syncInbox(ctx, x, *wait, *asJSON) {
			status = exitFailure
		}
		docs, err := x.Inbox(ctx, *all)
		if err != nil {
			e.failExchange(err)
			return exitFailure
		}
		if *asJSON {
			if docs == nil {
				docs = []client.IncomingDocument{}
			}
			e.writeJSON(docs)
			return status
		}
		e.printInbox(docs)
		return status
	})
}

func (e *env) printInbox(docs []client.IncomingDocument) {
	if len(docs) == 0 {
		fmt.Fprintln(e.stdout, e.tr("inbox.empty"))
	}
	for _, d := range docs {
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%s\t%s\n", d.ID, d.From, d.DocumentID, e.tr("inbox.state."+d.State),
			e.tr("inbox.verdict."+d.Verdict.Status), d.Subject)
		if d.BusinessType == 2 || d.BusinessType == 3 {
			fmt.Fprintf(e.stdout, "\t%s\n", e.tr(fmt.Sprintf("inbox.business.%d", d.BusinessType)))
		}
		if d.State == client.InboxRecallRequested {
			fmt.Fprintf(e.stdout, "\t%s\n", e.tr("inbox.recall_reason", d.RecallReason))
		}
		if d.Verdict.Status != client.VerdictValid && d.Verdict.Detail != "" {
			fmt.Fprintf(e.stdout, "\t%s\n", d.Verdict.Detail)
		}
	}
}

// syncInbox fetches and delivers what waits, reporting each arrival; false
// when the hub could not be reached.
func (e *env) syncInbox(ctx context.Context, x *exchange, wait time.Duration, quiet bool) bool {
	// Statuses waiting in the outbox (answers, recalls) go out first.
	_, _ = x.Deliver(ctx, client.DeliverOptions{}, nil)
	_, err := x.Sync(ctx, client.SyncOptions{Wait: wait}, func(p client.SyncProgress) {
		if quiet {
			return
		}
		switch p.Stage {
		case "stored":
			if p.Verdict != nil {
				fmt.Fprintf(e.stderr, "%s %s: %s\n", e.tr("inbox.arrived", p.Item.From), p.Item.DocumentID, e.tr("inbox.verdict."+p.Verdict.Status))
			}
		case "rejected":
			e.warnf(e.tr("inbox.rejected", p.Item.DocumentID, p.Item.From, p.Err))
		}
	})
	if err != nil {
		e.warnf(e.exchangeErrorText(err))
		return false
	}
	return true
}
