package gui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/wire"
)

// desk is the window's exchange: the open client of the current agency
// (bridge.OpenExchange: the configured hub, else the local demo hub), the
// background loop that delivers the outbox and fetches the inbox, and the
// connection state the status bar shows. Network and token work never
// runs on the UI thread; being offline is a state, never an error dialog.
type desk struct {
	u *ui

	mu   sync.Mutex
	cur  *xsession // nil while opening or when opening failed
	gen  int       // incremented by each reopen
	wake chan struct{}

	deliverMu sync.Mutex // one delivery pass at a time
	openMu    sync.Mutex // one opening at a time (the local hub migrates its database)
	notes     []string   // the notifications sent (under mu)

	// State is read and written on the UI thread only.
	State deskState
	// onChange is told (on the UI thread) after each sync pass or state
	// change, so the screens refresh.
	onChange []func()
}

// deskState is what the status bar shows.
type deskState struct {
	Opening  bool
	Open     bool // a client is open
	Online   bool // the last contact with the hub succeeded
	Err      error
	Since    time.Time // offline since
	LastSync time.Time
	Agency   wire.Organization
	Local    bool
	Hub      string
	Pending  int
	Failed   int
	Next     time.Time // the next retry of a waiting entry
	NewIn    int       // inbox items waiting for an answer
	// Traffic counts the passes that brought documents or statuses, and
	// the sends: the registers and reports changed.
	Traffic int
}

// xsession is one open exchange; users hold it while they work with it,
// so a reopen closes it only when they are done.
type xsession struct {
	x      *bridge.Exchange
	ctx    context.Context
	cancel context.CancelFunc
	users  sync.WaitGroup
	gen    int
}

func newDesk(u *ui) *desk {
	return &desk{u: u, wake: make(chan struct{}, 1)}
}

// configDir is the exchange configuration folder: $VANTHU_CONFIG_DIR,
// else the data folder (the CLI's default too).
func (u *ui) configDir() string {
	if d := u.cfg.Getenv("VANTHU_CONFIG_DIR"); d != "" {
		return d
	}
	return u.dataDir()
}

// reopen closes the current exchange and opens the one the settings name,
// in the background, then starts its loop.
func (d *desk) reopen() {
	u := d.u
	d.mu.Lock()
	old := d.cur
	d.cur = nil
	d.gen++
	gen := d.gen
	d.mu.Unlock()
	if old != nil {
		old.cancel()
		u.bg.Go(func() { old.users.Wait(); old.x.Close() })
	}
	d.State = deskState{Opening: true}
	d.changed()
	as := u.set.LocalAgency()
	u.bg.Go(func() {
		if old != nil {
			old.users.Wait()
		}
		d.openMu.Lock()
		defer d.openMu.Unlock()
		if d.replaced(gen) {
			return
		}
		ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
		defer cancel()
		x, err := d.open(ctx, as)
		if err != nil {
			u.log.Printf("exchange: open: %v", err)
			uiDo(func() {
				if gen == d.gen {
					d.State = deskState{Err: err}
					d.changed()
				}
			})
			return
		}
		sctx, scancel := context.WithCancel(u.ctx)
		s := &xsession{x: x, ctx: sctx, cancel: scancel, gen: gen}
		d.mu.Lock()
		if gen != d.gen || u.ctx.Err() != nil { // replaced while opening
			d.mu.Unlock()
			scancel()
			x.Close()
			return
		}
		d.cur = s
		d.mu.Unlock()
		ag := x.Agency()
		hubName := ""
		if x.Config != nil {
			hubName = x.Config.Hub
		}
		u.log.Printf("exchange: open as %s (%s), hub %q", ag.Code, ag.Name, hubName)
		uiDo(func() {
			if gen != d.gen {
				return
			}
			d.State = deskState{Open: true, Agency: ag, Local: x.Local != nil, Hub: hubName} // online after the first contact
			d.changed()
		})
		u.bg.Go(func() { d.loop(s) })
	})
}

func (d *desk) open(ctx context.Context, as string) (*bridge.Exchange, error) {
	u := d.u
	ts, err := bridge.LoadTrust(ctx, nil, filepath.Join(u.dataDir(), "trust"), false)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", bridge.ErrTrust, err)
	}
	return bridge.OpenExchange(ctx, bridge.ExchangeOptions{ConfigDir: u.configDir(), DataDir: u.dataDir(), As: as,
		Trust: ts, Online: u.set.Online()})
}

// replaced reports whether a later reopen superseded gen.
func (d *desk) replaced(gen int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return gen != d.gen
}

// acquire returns the open session (nil when none), held until release.
func (d *desk) acquire() *xsession {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil {
		return nil
	}
	d.cur.users.Add(1)
	return d.cur
}

func (s *xsession) release() { s.users.Done() }

// with runs fn off the UI thread with the open exchange; without one it
// reports errNoExchange.
func (d *desk) with(fn func(ctx context.Context, x *bridge.Exchange) error) error {
	s := d.acquire()
	if s == nil {
		return errNoExchange
	}
	defer s.release()
	return fn(s.ctx, s.x)
}

// latest runs read with the open exchange off the UI thread, then show
// on the UI thread with read's error — unless the screen began another
// read meanwhile (gen, its counter, moved on): only the latest is shown.
func (u *ui) latest(gen *int, read func(ctx context.Context, x *bridge.Exchange) error, show func(err error)) {
	*gen++
	g := *gen
	u.bg.Go(func() {
		err := u.desk.with(read)
		uiDo(func() {
			if g == *gen {
				show(err)
			}
		})
	})
}

// errNoExchange: the exchange is not open (opening, or it failed).
var errNoExchange = errors.New("the exchange is not open")

// kick wakes the loop (something was queued).
func (d *desk) kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Timing of the loop.
var (
	// registerWait bounds the wait for the local hub's registers after a
	// send.
	registerWait = 10 * time.Second
	pollWait     = 20 * time.Second // long-poll of the inbox
	offlineRetry = 5 * time.Second  // first retry after losing the hub
	offlineMax   = time.Minute
)

// loop delivers what is due and fetches what arrived, until the session
// ends: a long-poll keeps the inbox current; when the hub cannot be
// reached it tries again with backoff (a kick tries at once).
func (d *desk) loop(s *xsession) {
	backoff := offlineRetry
	contacted := false // the first pass after (re)connecting does not wait, so the state shows at once
	for s.ctx.Err() == nil {
		sent := 0
		derr := d.deliver(s.ctx, s.x, func(p client.DeliverProgress) {
			if p.State == client.OutboxSent {
				sent++
			}
		})
		if sent > 0 { // show it now, not after the long-poll
			d.report(s, client.SyncSummary{Statuses: sent}, nil)
		}
		pctx, stop := context.WithCancel(s.ctx)
		go func() {
			select {
			case <-d.wake:
				stop()
			case <-pctx.Done():
			}
		}()
		sum, serr := d.sync(pctx, s, contacted)
		contacted = serr == nil
		kicked := pctx.Err() != nil && s.ctx.Err() == nil
		stop()
		if s.ctx.Err() != nil {
			return
		}
		if kicked && (serr == nil || errors.Is(serr, context.Canceled)) {
			serr = nil
		}
		err := serr
		if err == nil && derr != nil && client.Temporary(derr) {
			err = derr
		}
		d.report(s, sum, err)
		if err == nil || kicked {
			backoff = offlineRetry
			continue
		}
		t := time.NewTimer(backoff)
		select {
		case <-s.ctx.Done():
			t.Stop()
			return
		case <-d.wake:
		case <-t.C:
		}
		t.Stop()
		backoff = min(2*backoff, offlineMax)
	}
}

// deliver makes one pass over what is due, serialised with other passes;
// what it sent is in the local hub's registers when it returns (bounded
// by registerWait), so the screens reloaded next show it.
func (d *desk) deliver(ctx context.Context, x *bridge.Exchange, progress func(client.DeliverProgress)) error {
	sent := false
	// Deferred before the lock is taken, so it runs after the unlock: waiting for
	// the registers does not hold up the next delivery.
	defer func() {
		if !sent {
			return
		}
		if err := x.WaitRegistered(ctx, registerWait); err != nil && ctx.Err() == nil {
			d.u.log.Printf("exchange: registers: %v", err)
		}
	}()
	d.deliverMu.Lock()
	defer d.deliverMu.Unlock()
	var firstErr error
	_, err := x.Deliver(ctx, client.DeliverOptions{}, func(p client.DeliverProgress) {
		sent = sent || p.State == client.OutboxSent
		if p.Err != nil {
			d.u.log.Printf("exchange: deliver %s: %s: %v", p.Entry.DocumentID, p.State, p.Err)
			if firstErr == nil {
				firstErr = p.Err
			}
		} else {
			d.u.log.Printf("exchange: delivered %s %s%s → %v", p.Entry.Kind, p.Entry.DocumentID, p.Entry.StatusCode, p.Result.Recipients)
		}
		if progress != nil {
			progress(p)
		}
	})
	if err != nil && ctx.Err() == nil {
		d.u.log.Printf("exchange: deliver: %v", err)
		return err
	}
	return firstErr
}

// pollFor is how long the inbox may be long-polled: until the next retry
// of what waits in the outbox, at most pollWait.
func pollFor(ctx context.Context, x *bridge.Exchange) time.Duration {
	entries, err := x.Outbox(ctx, false)
	if err != nil {
		return pollWait
	}
	wait := pollWait
	for _, e := range entries {
		if e.State == client.OutboxPending {
			wait = min(wait, max(time.Until(e.NextAttempt), time.Second))
		}
	}
	return wait
}

// sync fetches what waits at the hub (with wait, long-polling when
// nothing does).
func (d *desk) sync(ctx context.Context, s *xsession, wait bool) (client.SyncSummary, error) {
	var arrived []client.SyncProgress
	opts := client.SyncOptions{}
	if wait {
		opts.Wait = pollFor(ctx, s.x)
	}
	sum, err := s.x.Sync(ctx, opts, func(p client.SyncProgress) {
		if p.Stage == "stored" && p.Verdict != nil || p.Stage == "rejected" {
			arrived = append(arrived, p)
		}
		if p.Stage == "status" {
			d.u.log.Printf("exchange: status %s for %s from %s", p.Item.StatusCode, p.Item.DocumentID, p.Item.From)
		}
	})
	for _, p := range arrived {
		d.u.log.Printf("exchange: arrived %s from %s: %s", p.Item.DocumentID, p.Item.From, p.Stage)
	}
	if len(arrived) > 0 {
		d.notify(arrived)
	}
	if err != nil && ctx.Err() == nil {
		d.u.log.Printf("exchange: sync: %v", err)
	}
	return sum, err
}

// report records the outcome of a pass and the outbox's state, and tells
// the screens.
func (d *desk) report(s *xsession, sum client.SyncSummary, err error) {
	entries, _ := s.x.Outbox(s.ctx, false)
	inbox, _ := s.x.Inbox(s.ctx, false)
	uiDo(func() {
		if s.gen != d.gen {
			return
		}
		st := &d.State
		wasOnline := st.Online
		st.Err = err
		st.Online = err == nil
		switch {
		case err == nil:
			st.LastSync = time.Now()
			st.Since = time.Time{}
		case wasOnline || st.Since.IsZero():
			st.Since = time.Now()
			d.u.log.Printf("exchange: offline: %v", err)
		}
		if err == nil && !wasOnline {
			d.u.log.Printf("exchange: online")
		}
		if sum.Documents+sum.Statuses+sum.Rejected > 0 {
			st.Traffic++
		}
		st.Pending, st.Failed, st.Next = outboxCounts(entries)
		st.NewIn = waitingCount(inbox)
		d.changed()
	})
}

// outboxCounts: what waits, what the hub refused, the next retry.
func outboxCounts(entries []client.OutboxEntry) (pending, failed int, next time.Time) {
	for _, e := range entries {
		switch e.State {
		case client.OutboxPending:
			pending++
			if e.Attempts > 0 && (next.IsZero() || e.NextAttempt.Before(next)) {
				next = e.NextAttempt
			}
		case client.OutboxFailed:
			failed++
		}
	}
	return pending, failed, next
}

// waitingCount counts the inbox items that wait for the clerk's answer.
func waitingCount(docs []client.IncomingDocument) int {
	n := 0
	for _, d := range docs {
		switch d.State {
		case client.InboxNew, client.InboxFlagged, client.InboxRejected, client.InboxRecallRequested:
			n++
		}
	}
	return n
}

// notify tells the user what arrived (a desktop notification).
func (d *desk) notify(arrived []client.SyncProgress) {
	u := d.u
	first := arrived[0].Item
	text := u.tr("gui.inbox.notify_one", first.From, first.Subject)
	if len(arrived) > 1 {
		text = u.tr("gui.inbox.notify_many", len(arrived))
	}
	u.app.SendNotification(fyne.NewNotification(u.tr("gui.inbox.notify_title"), text))
	u.log.Printf("notification: %s", text)
	d.mu.Lock()
	d.notes = append(d.notes, text)
	d.mu.Unlock()
}

// changed tells the screens (UI thread).
func (d *desk) changed() {
	for _, fn := range d.onChange {
		fn()
	}
}

// refresh asks the loop for a pass now and the screens to reload (what
// was sent or answered changed the registers).
func (d *desk) refresh() {
	d.State.Traffic++
	d.kick()
	d.changed()
}

// close ends the session (the window closes).
func (d *desk) close() {
	d.mu.Lock()
	s := d.cur
	d.cur = nil
	d.gen++
	d.mu.Unlock()
	if s != nil {
		s.cancel()
		s.users.Wait()
		s.x.Close()
	}
}

// orgChoice is the organisation certificate that signs the exchange's
// packages: the one chosen on the Send screen, else the first valid one
// (nil when there is none). UI thread.
func (u *ui) orgChoice() *bridge.CertChoice {
	var first *bridge.CertChoice
	want := u.set.OrgCert()
	for i := range u.Sign.choices {
		c := &u.Sign.choices[i]
		if !c.Organisation || !c.ValidAt(time.Now()) {
			continue
		}
		if selKey(*c) == want {
			return c
		}
		if first == nil {
			first = c
		}
	}
	return first
}

// withOrgSigner opens the organisation certificate c (one login through
// the PIN dialog of pins), runs fn with it and logs out. Off the UI
// thread.
func (u *ui) withOrgSigner(ctx context.Context, c bridge.CertChoice, pins *pinAsker, fn func(client.Signer) error) error {
	signer, err := bridge.OpenSigner(ctx, c.Sel, pins.unlock(), bridge.OpenOptions{
		DataDir: u.dataDir(), Getenv: u.cfg.Getenv, TrustDir: filepath.Join(u.dataDir(), "trust"),
		Warnf: func(key string, args ...any) { u.log.Printf("exchange signer: %s", u.tr(key, args...)) }})
	if err != nil {
		return err
	}
	defer signer.Close()
	return fn(client.Signer{Key: signer.Key, Chain: signer.Chain})
}

// errNoOrgCert: no organisation certificate to sign the packages with.
var errNoOrgCert = errors.New("no organisation certificate")

// deskSeen is what a screen last loaded after: it reloads when the agency
// or the traffic changed.
type deskSeen struct {
	agency  string
	traffic int
}

func (s *deskSeen) changed(st deskState) bool {
	if !st.Open || (s.agency == st.Agency.Code && s.traffic == st.Traffic) {
		return false
	}
	s.agency, s.traffic = st.Agency.Code, st.Traffic
	return true
}
