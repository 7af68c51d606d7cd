package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
)

// cmdSend implements
//
//	vanthu send --to CODE[,CODE…] [--subject S] [--number N/NOTATION] [--date YYYY-MM-DD]
//	  [--type T] [--priority 0-4] [--update|--replace] [token flags] [--wait D] [--json] FILE…
//
// Each file is checked first (a PDF whose signatures verify), then the
// batch is packed and signed with the organisation key on the token (one
// PIN), put in the outbox and delivered. With several files, --number is
// the first file's number and the next files take the numbers after it.
//
// Exit status: 0 all delivered, 1 any file refused or not yet delivered
// (it stays in the outbox), 2 usage error.
func cmdSend(e *env, args []string) int {
	o := &sendOptions{}
	return e.exchangeCommand("send", args, func(fs *flag.FlagSet) { o.addFlags(e, fs) }, func(files []string) int { return e.checkSend(o, files) },
		func(ctx context.Context, x *exchange, files []string) int { return e.runSend(ctx, x, o, files) })
}

type sendOptions struct {
	tf                                     *tokenFlags
	to, subject, number, date, docType     *string
	priority                               *int
	allowUnsigned, update, replace, asJSON *bool
	wait                                   *time.Duration

	// set by checkSend
	recipients []string
	day        time.Time
	business   int
	numbers    [][2]string
}

func (o *sendOptions) addFlags(e *env, fs *flag.FlagSet) {
	o.tf = e.addTokenFlags(fs, true)
	o.to = fs.String("to", "", e.tr("send.flag.to"))
	o.subject = fs.String("subject", "", e.tr("send.flag.subject"))
	o.number = fs.String("number", "", e.tr("send.flag.number"))
	o.date = fs.String("date", "", e.tr("send.flag.date"))
	o.docType = fs.String("type", "Công văn", e.tr("register.flag.type"))
	o.priority = fs.Int("priority", 0, e.tr("send.flag.priority"))
	o.allowUnsigned = fs.Bool("allow-unsigned", false, e.tr("send.flag.allow_unsigned"))
	o.update = fs.Bool("update", false, e.tr("send.flag.update"))
	o.replace = fs.Bool("replace", false, e.tr("send.flag.replace"))
	o.wait = fs.Duration("wait", 2*time.Minute, e.tr("send.flag.wait"))
	o.asJSON = fs.Bool("json", false, e.tr("sign.flag.json"))
}

// checkSend checks the arguments before anything is opened.
func (e *env) checkSend(o *sendOptions, files []string) int {
	if *o.allowUnsigned {
		e.errorf(e.tr("send.unsigned_refused"))
		return exitUsage
	}
	switch {
	case *o.update && *o.replace:
		e.usagef(e.tr("send.update_or_replace"))
		return exitUsage
	case *o.update:
		o.business = wire.BusinessUpdate
	case *o.replace:
		o.business = wire.BusinessReplace
	}
	o.recipients = splitList(*o.to)
	if len(files) == 0 || len(o.recipients) == 0 {
		e.usagef(e.tr("send.usage"))
		return exitUsage
	}
	for _, r := range o.recipients {
		if !hub.ValidAgencyCode(r) {
			e.usagef(e.tr("enroll.bad_code", r))
			return exitUsage
		}
	}
	if *o.priority < 0 || *o.priority > 4 {
		e.usagef(e.tr("send.bad_priority"))
		return exitUsage
	}
	o.day = time.Now()
	if *o.date != "" {
		d, err := time.ParseInLocation("2006-01-02", *o.date, time.Local)
		if err != nil {
			e.usagef(e.tr("send.bad_date", *o.date))
			return exitUsage
		}
		o.day = d
	}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || !st.Mode().IsRegular() {
			e.usagef(e.tr("sign.no_input", f))
			return exitUsage
		}
	}
	var err error
	if o.numbers, err = documentNumbers(*o.number, files); err != nil {
		e.usagef(e.tr("send.bad_number", *o.number))
		return exitUsage
	}
	return exitOK
}

// runSend checks each file, packs and queues the good ones with one login
// and delivers them.
func (e *env) runSend(ctx context.Context, x *exchange, o *sendOptions, files []string) int {
	docs, failed := e.outgoing(ctx, x, o, files)
	if len(docs) == 0 {
		return exitFailure
	}
	var orgs []wire.Organization
	for _, r := range o.recipients {
		orgs = append(orgs, wire.Organization{Code: r})
	}
	var results []client.QueueResult
	err := e.signWith(ctx, o.tf, func(s client.Signer) error {
		var err error
		results, err = x.QueueDocuments(ctx, docs, orgs, s, func(p client.QueueProgress) {
			if !*o.asJSON && p.Stage != "checking" {
				fmt.Fprintf(e.stderr, "[%d/%d] %s: %s\n", p.Index+1, p.Total, filepath.Base(p.File), e.tr("send.stage."+p.Stage))
			}
		})
		return err
	})
	if err != nil {
		e.failExchange(err)
		return exitFailure
	}
	for _, r := range results {
		if r.Err != nil {
			e.errorf(fmt.Sprintf("%s: %s", r.File, e.exchangeErrorText(r.Err)))
			failed = true
		}
	}
	pending := e.deliver(ctx, x, *o.wait, *o.asJSON)
	if *o.asJSON {
		e.printOutboxJSON(ctx, x, results)
	} else {
		e.printSendSummary(ctx, x, results)
	}
	if failed || pending > 0 {
		return exitFailure
	}
	return exitOK
}

// outgoing checks each file (a validly signed PDF) and describes the good
// ones; failed is true when any was refused.
func (e *env) outgoing(ctx context.Context, x *exchange, o *sendOptions, files []string) (docs []client.OutgoingDocument, failed bool) {
	for i, f := range files {
		if err := x.CheckOutgoing(ctx, f); err != nil {
			e.errorf(e.tr("send.not_signed", f, err))
			failed = true
			continue
		}
		d := client.OutgoingDocument{Path: f, Number: o.numbers[i][0], Notation: o.numbers[i][1],
			DocumentID: bridge.DocumentID(x.Agency().Code, o.day, o.numbers[i][0], o.numbers[i][1]),
			Date:       o.day, Type: *o.docType, Subject: subjectFor(*o.subject, f), Priority: *o.priority, BusinessType: o.business}
		if o.business != wire.BusinessNew {
			d.ReplacesID = d.DocumentID
		}
		docs = append(docs, d)
	}
	return docs, failed
}

// documentNumbers gives each file its number and notation: from --number
// (incremented for each next file), else from the file name.
func documentNumbers(number string, files []string) ([][2]string, error) {
	out := make([][2]string, len(files))
	if number == "" {
		for i, f := range files {
			stem := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			out[i] = [2]string{strconv.Itoa(i + 1), strings.ToUpper(safeDir(strings.ToUpper(stem)))}
		}
		return out, nil
	}
	num, notation, err := bridge.ParseNumber(number)
	if err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(num)
	for i := range files {
		out[i] = [2]string{strconv.Itoa(n + i), notation}
	}
	return out, nil
}

func subjectFor(subject, file string) string {
	if subject != "" {
		return subject
	}
	return strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
}

// deliver runs the outbox until it is empty or wait passes, printing each
// delivery; it returns how many entries are still pending or were refused.
func (e *env) deliver(ctx context.Context, x *exchange, wait time.Duration, quiet bool) int {
	dctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	sum, err := x.Deliver(dctx, client.DeliverOptions{Wait: true}, func(p client.DeliverProgress) {
		if quiet {
			return
		}
		name := p.Entry.File
		if name == "" {
			name = p.Entry.DocumentID + " (" + p.Entry.StatusCode + ")"
		}
		switch p.State {
		case client.OutboxSent:
			fmt.Fprintf(e.stderr, "%s → %s: %s\n", name, strings.Join(p.Result.Recipients, ", "), e.tr("send.delivered"))
		case "retry":
			fmt.Fprintf(e.stderr, "%s: %s (%s)\n", name, e.tr("send.retrying"), e.exchangeErrorText(p.Err))
		case client.OutboxFailed:
			e.errorf(fmt.Sprintf("%s: %s", name, e.exchangeErrorText(p.Err)))
		}
	})
	pending := sum.Pending
	if err != nil && ctx.Err() == nil {
		// The wait ran out: count what is left.
		left, _ := x.Outbox(ctx, false)
		pending = 0
		for _, l := range left {
			if l.State == client.OutboxPending {
				pending++
			}
		}
	}
	if pending > 0 && !quiet {
		e.warnf(e.tr("send.pending", pending))
		e.hintf(e.tr("send.hint_outbox"))
	}
	return pending + sum.Failed
}

func (e *env) printSendSummary(ctx context.Context, x *exchange, results []client.QueueResult) {
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		state := e.tr("send.state.pending")
		if entries, _ := x.Outbox(ctx, true); entries != nil {
			for _, en := range entries {
				if en.ID == r.OutboxID {
					state = e.tr("send.state." + en.State)
				}
			}
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", r.DocumentID, filepath.Base(r.File), state)
	}
}

func (e *env) printOutboxJSON(ctx context.Context, x *exchange, results []client.QueueResult) {
	type item struct {
		File       string `json:"file"`
		DocumentID string `json:"document_id"`
		OK         bool   `json:"ok"`
		State      string `json:"state,omitempty"`
		Error      string `json:"error,omitempty"`
	}
	entries, _ := x.Outbox(ctx, true)
	var out []item
	for _, r := range results {
		it := item{File: r.File, DocumentID: r.DocumentID, OK: r.Err == nil}
		if r.Err != nil {
			it.Error = e.exchangeErrorText(r.Err)
		}
		for _, en := range entries {
			if en.ID == r.OutboxID {
				it.State = en.State
				it.OK = it.OK && en.State == client.OutboxSent
			}
		}
		out = append(out, it)
	}
	e.writeJSON(out)
}
