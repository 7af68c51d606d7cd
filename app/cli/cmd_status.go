package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"

	"github.com/vanthu/vanthu/exchange/client"
)

// cmdStatus implements
//
//	vanthu status DOCID [--json] [--no-sync]
//
// the per-recipient history of a sent document, from the signed status
// packages received (fetched first).
func cmdStatus(e *env, args []string) int {
	var asJSON, noSync *bool
	flags := func(fs *flag.FlagSet) {
		asJSON = fs.Bool("json", false, e.tr("status.flag.json"))
		noSync = fs.Bool("no-sync", false, e.tr("status.flag.no_sync"))
	}
	check := func(rest []string) int {
		if len(rest) != 1 {
			e.usagef(e.tr("status.usage"))
			return exitUsage
		}
		return exitOK
	}
	return e.exchangeCommand("status", args, flags, check, func(ctx context.Context, x *exchange, rest []string) int {
		status := exitOK
		if !*noSync && !e.syncInbox(ctx, x, 0, true) {
			status = exitFailure
		}
		h, err := x.Status(ctx, rest[0])
		if err != nil {
			e.failExchange(err)
			return exitFailure
		}
		if *asJSON {
			e.writeJSON(h)
			return status
		}
		outbox, _ := x.Outbox(ctx, true)
		e.printHistory(h, sentTime(outbox, h.DocumentID))
		return status
	})
}

func (e *env) printHistory(h *client.StatusHistory, sentAt string) {
	var recips []string
	for r := range h.Recipients {
		recips = append(recips, r)
	}
	sort.Strings(recips)
	fmt.Fprintln(e.stdout, h.DocumentID)
	for _, r := range recips {
		fmt.Fprintf(e.stdout, "  %s\n", r)
		if sentAt != "" {
			fmt.Fprintf(e.stdout, "    %s  %s\n", sentAt, e.tr("status.sent"))
		}
		for _, s := range h.Recipients[r] {
			line := fmt.Sprintf("    %s  %s %s", s.At.Local().Format("2006-01-02 15:04:05"), s.Code, e.tr("status.code."+s.Code))
			if s.Description != "" {
				line += " — " + s.Description
			}
			fmt.Fprintln(e.stdout, line)
		}
	}
}

func sentTime(entries []client.OutboxEntry, docID string) string {
	for _, en := range entries {
		if en.DocumentID == docID && en.Kind == "edoc" && !en.SentAt.IsZero() {
			return en.SentAt.Local().Format("2006-01-02 15:04:05")
		}
	}
	return ""
}
