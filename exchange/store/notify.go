package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// PollInterval is how often a SQLite database wakes its subscribers even
// without a local notification, so a change committed by another process on
// the same file is seen within that time. PostgreSQL needs no polling:
// LISTEN/NOTIFY crosses processes and machines.
var PollInterval = 250 * time.Millisecond

var channelName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Subscription receives a signal on C whenever a notification on its channel
// may concern it. Signals coalesce: C has room for one, so a slow reader sees
// "something changed" once, never a backlog. A signal is a hint to re-query,
// nothing more.
type Subscription struct {
	C       <-chan struct{}
	c       chan struct{}
	channel string
	match   string
	w       *waker
}

// Close stops the subscription.
func (s *Subscription) Close() { s.w.unsubscribe(s) }

func (s *Subscription) signal() {
	select {
	case s.c <- struct{}{}:
	default:
	}
}

// Subscribe returns a subscription to channel. With match "" it is signalled
// for every notification on the channel; otherwise only for notifications
// whose payload is match, or that carry no payload (which means "anything may
// have changed", as after a lost listener connection).
func (db *DB) Subscribe(channel, match string) (*Subscription, error) {
	if !channelName.MatchString(channel) {
		return nil, fmt.Errorf("store: invalid notification channel %q", channel)
	}
	c := make(chan struct{}, 1)
	s := &Subscription{C: c, c: c, channel: channel, match: match, w: db.waker}
	db.waker.subscribe(s)
	return s, nil
}

// Notify queues a notification on channel with payload, delivered to
// subscribers in every process once the transaction commits (and never if
// it rolls back). The same notification queued twice is sent once.
func (tx *Tx) Notify(ctx context.Context, channel, payload string) error {
	if !channelName.MatchString(channel) {
		return fmt.Errorf("store: invalid notification channel %q", channel)
	}
	if tx.notified == nil {
		tx.notified = map[string]bool{}
	}
	tx.notified[channel+"\x00"+payload] = true
	return nil
}

// sendNotifications hands PostgreSQL the transaction's notifications, in
// one statement, just before the commit (PostgreSQL delivers them when the
// transaction commits).
func (tx *Tx) sendNotifications(ctx context.Context) error {
	if tx.db.dialect != Postgres || len(tx.notified) == 0 {
		return nil
	}
	var q strings.Builder
	args := make([]any, 0, 2*len(tx.notified))
	q.WriteString("SELECT ")
	for key := range tx.notified {
		channel, payload, _ := strings.Cut(key, "\x00")
		if len(args) > 0 {
			q.WriteString(", ")
		}
		q.WriteString("pg_notify(?, ?)")
		args = append(args, channel, payload)
	}
	if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("failed to notify: %w", err)
	}
	return nil
}

// waker fans notifications out to subscribers: local ones after a SQLite
// commit, polling ticks on SQLite, LISTEN/NOTIFY on PostgreSQL.
type waker struct {
	db *DB

	mu       sync.Mutex
	subs     map[string]map[*Subscription]bool
	started  bool
	kick     chan struct{} // channel set changed: re-LISTEN
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

func newWaker(db *DB) *waker {
	return &waker{
		db:   db,
		subs: map[string]map[*Subscription]bool{},
		kick: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
}

func (w *waker) subscribe(s *Subscription) {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.subs[s.channel]
	if m == nil {
		m = map[*Subscription]bool{}
		w.subs[s.channel] = m
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	m[s] = true
	if !w.started {
		w.started = true
		if w.db.dialect == Postgres {
			go w.listenLoop()
		} else {
			go w.pollLoop()
		}
	}
}

func (w *waker) unsubscribe(s *Subscription) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m := w.subs[s.channel]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(w.subs, s.channel)
		}
	}
}

// local delivers a "channel\x00payload" key queued by a committed SQLite
// transaction.
func (w *waker) local(key string) {
	for i := 0; i < len(key); i++ {
		if key[i] == 0 {
			w.deliver(key[:i], key[i+1:])
			return
		}
	}
}

func (w *waker) deliver(channel, payload string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for s := range w.subs[channel] {
		if s.match == "" || payload == "" || s.match == payload {
			s.signal()
		}
	}
}

func (w *waker) deliverAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.subs {
		for s := range m {
			s.signal()
		}
	}
}

func (w *waker) close() {
	w.stopOnce.Do(func() {
		close(w.stop)
		w.mu.Lock()
		started := w.started
		w.mu.Unlock()
		if started {
			<-w.done
		}
	})
}

func (w *waker) pollLoop() {
	defer close(w.done)
	t := time.NewTicker(PollInterval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			w.deliverAll()
		}
	}
}

func (w *waker) channels() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.subs))
	for ch := range w.subs {
		out = append(out, ch)
	}
	return out
}

// listenLoop keeps one dedicated PostgreSQL connection listening on every
// subscribed channel. After a lost connection every subscriber is signalled,
// since notifications may have been missed meanwhile.
func (w *waker) listenLoop() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-w.stop
		cancel()
	}()
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		err := w.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		_ = err
		w.deliverAll()
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		if backoff < 2*time.Second {
			backoff *= 2
		}
	}
}

func (w *waker) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, w.db.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	listening := map[string]bool{}
	for {
		for _, ch := range w.channels() {
			if !listening[ch] {
				if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
					return err
				}
				listening[ch] = true
			}
		}
		if len(listening) > 0 {
			// Anything committed before LISTEN took effect could have been
			// missed: let subscribers look once.
			w.deliverAll()
		}
		if err := w.waitNotifications(ctx, conn); err != nil {
			return err
		}
	}
}

// waitNotifications delivers notifications until the set of channels
// changes (nil) or the connection fails (the error).
func (w *waker) waitNotifications(ctx context.Context, conn *pgx.Conn) error {
	for {
		wctx, wcancel := context.WithCancel(ctx)
		kicked := make(chan struct{})
		go func() {
			select {
			case <-w.kick:
				close(kicked)
				wcancel()
			case <-wctx.Done():
			}
		}()
		n, err := conn.WaitForNotification(wctx)
		wcancel()
		wasKicked := false
		select {
		case <-kicked:
			wasKicked = true
		default:
		}
		if err == nil {
			w.deliver(n.Channel, n.Payload)
			if wasKicked {
				return nil
			}
			continue
		}
		if wasKicked && !conn.IsClosed() {
			// Interrupted to LISTEN on a new channel.
			return nil
		}
		return err
	}
}
