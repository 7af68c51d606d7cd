package cli

import (
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
	fs := e.newFlagSet("recall")
	xf := addExchangeFlags(fs)
	tf := addTokenFlags(fs, true)
	reason := fs.String("reason", "", "why the document is recalled")
	wait := fs.Duration("wait", time.Minute, "how long to keep trying to deliver the request")
	rest, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 || strings.TrimSpace(*reason) == "" {
		e.usagef(e.tr("recall.usage"))
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
	if _, err := x.Status(ctx, rest[0]); err != nil {
		e.failExchange(err)
		return exitFailure
	}
	key, chain, closeToken, err := e.openSigner(ctx, tf)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	to, err := x.Recall(ctx, rest[0], *reason, client.Signer{Key: key, Chain: chain})
	closeToken()
	if err != nil {
		e.failExchange(err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, e.tr("recall.done", rest[0], strings.Join(to, ", ")))
	if e.deliver(ctx, x, *wait, false) > 0 {
		return exitFailure
	}
	return exitOK
}
