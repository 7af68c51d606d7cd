package cli

import (
	"encoding/json"
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
	fs := e.newFlagSet("status")
	xf := addExchangeFlags(fs)
	asJSON := fs.Bool("json", false, "print the history as JSON")
	noSync := fs.Bool("no-sync", false, "show only what is already here")
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		e.usagef(e.tr("status.usage"))
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
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(h)
		return status
	}
	outbox, _ := x.Outbox(ctx, true)
	var recips []string
	for r := range h.Recipients {
		recips = append(recips, r)
	}
	sort.Strings(recips)
	fmt.Fprintln(e.stdout, h.DocumentID)
	for _, r := range recips {
		fmt.Fprintf(e.stdout, "  %s\n", r)
		if sentAt := sentTime(outbox, h.DocumentID); sentAt != "" {
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
	return status
}

func sentTime(entries []client.OutboxEntry, docID string) string {
	for _, en := range entries {
		if en.DocumentID == docID && en.Kind == "edoc" && !en.SentAt.IsZero() {
			return en.SentAt.Local().Format("2006-01-02 15:04:05")
		}
	}
	return ""
}
