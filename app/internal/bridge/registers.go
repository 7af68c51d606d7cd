package bridge

import (
	"context"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerapi"
	"github.com/vanthu/vanthu/exchange/report"
)

// Registers are the registers and reports the exchange's hub keeps, as the
// agency the installation is (its own unit and those below it): the local
// demo hub's database read directly, or a configured hub's API
// (exchange/registerapi) over the installation's mutual TLS. The method
// set is registerapi.Client's.
type Registers interface {
	Units(ctx context.Context, root string) ([]register.Unit, error)
	ListOutgoing(ctx context.Context, f register.Filter) ([]register.Outgoing, error)
	ListIncoming(ctx context.Context, f register.Filter) ([]register.Incoming, error)
	Outgoing(ctx context.Context, id int64) (*register.Outgoing, error)
	Incoming(ctx context.Context, id int64) (*register.Incoming, error)
	AddOutgoing(ctx context.Context, in register.OutgoingInput) (*register.Outgoing, error)
	Correct(ctx context.Context, entity string, id int64, changes map[string]string, reason string) error
	Cancel(ctx context.Context, entity string, id int64, reason string) error
	History(ctx context.Context, entity string, id int64) ([]register.Change, error)
	// Report computes unit's report ("" = the agency's own) for p;
	// limit caps the listed documents (0: all); deadline is a rule
	// calendar.ParseDeadline reads ("" = the default).
	Report(ctx context.Context, unit string, p calendar.Period, limit int, deadline string) (*report.Report, error)
}

var _ Registers = (*registerapi.Client)(nil)

// Registers returns the hub's registers as the client's agency; actor
// names the person in the histories of the local hub's registers (a
// configured hub records the authenticated agency).
func (x *Exchange) Registers(actor string) Registers {
	if x.Local != nil {
		return &localRegisters{reg: x.Local.Register, rep: x.Local.Reporter, who: register.Actor{Name: actor, Agency: x.Agency().Code}}
	}
	if t, ok := x.Transport().(*client.HTTPTransport); ok {
		return &registerapi.Client{Base: t.URL(), HTTP: t.HTTPClient()}
	}
	return nil
}

// localRegisters are the local hub's registers, read in-process.
type localRegisters struct {
	reg *register.Register
	rep *report.Reporter
	who register.Actor
}

func (l *localRegisters) Units(ctx context.Context, root string) ([]register.Unit, error) {
	return l.reg.Units(ctx, l.who, root)
}

func (l *localRegisters) ListOutgoing(ctx context.Context, f register.Filter) ([]register.Outgoing, error) {
	return l.reg.ListOutgoing(ctx, l.who, f)
}

func (l *localRegisters) ListIncoming(ctx context.Context, f register.Filter) ([]register.Incoming, error) {
	return l.reg.ListIncoming(ctx, l.who, f)
}

func (l *localRegisters) Outgoing(ctx context.Context, id int64) (*register.Outgoing, error) {
	return l.reg.Outgoing(ctx, l.who, id)
}

func (l *localRegisters) Incoming(ctx context.Context, id int64) (*register.Incoming, error) {
	return l.reg.Incoming(ctx, l.who, id)
}

func (l *localRegisters) AddOutgoing(ctx context.Context, in register.OutgoingInput) (*register.Outgoing, error) {
	return l.reg.AddOutgoing(ctx, l.who, in)
}

func (l *localRegisters) Correct(ctx context.Context, entity string, id int64, changes map[string]string, reason string) error {
	return l.reg.Correct(ctx, l.who, entity, id, changes, reason)
}

func (l *localRegisters) Cancel(ctx context.Context, entity string, id int64, reason string) error {
	return l.reg.Cancel(ctx, l.who, entity, id, reason)
}

func (l *localRegisters) History(ctx context.Context, entity string, id int64) ([]register.Change, error) {
	return l.reg.History(ctx, l.who, entity, id)
}

func (l *localRegisters) Report(ctx context.Context, unit string, p calendar.Period, limit int, deadline string) (*report.Report, error) {
	req := report.Request{Actor: l.who, Unit: unit, Period: p, MissedLimit: limit}
	if deadline != "" {
		rule, err := calendar.ParseDeadline(deadline)
		if err != nil {
			return nil, err
		}
		req.Deadline = &rule
	}
	return l.rep.Compute(ctx, req, nil)
}

// OutgoingFile is the signed PDF of an outgoing register entry, when this
// installation sent it: extracted from the package kept in its outbox
// (client.DocumentFile, checked against the register's SHA-256).
// client.ErrPaperOnly for an entry sent on paper only, client.ErrNoFile
// when the file is not on this machine.
func (x *Exchange) OutgoingFile(ctx context.Context, o *register.Outgoing) (string, error) {
	if o.Channel == register.Paper {
		return "", client.ErrPaperOnly
	}
	return x.DocumentFile(ctx, client.DocumentRef{DocumentID: o.DocumentID, SHA256: o.FileSHA256, FileName: o.FileName})
}

// IncomingFile is the signed PDF of an incoming register entry, when this
// installation received it: its inbox's copy, checked against the hash
// registered on arrival. Errors as OutgoingFile's.
func (x *Exchange) IncomingFile(ctx context.Context, in *register.Incoming) (string, error) {
	if in.Channel == register.Paper {
		return "", client.ErrPaperOnly
	}
	return x.DocumentFile(ctx, client.DocumentRef{DocumentID: in.DocumentID, Received: true, From: in.Sender, SHA256: in.FileSHA256})
}

// WaitRegistered waits, at most limit, until the local hub's registers
// hold what the hub accepted: the hub hands sends and statuses to them
// through a queue after it answers, so a report made at once could miss
// them. A configured hub's registers follow on their own (nothing to wait
// for here).
func (x *Exchange) WaitRegistered(ctx context.Context, limit time.Duration) error {
	if x.Local == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return x.Local.Hub.WaitHooks(ctx)
}
