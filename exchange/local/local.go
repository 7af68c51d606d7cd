// Package local is the embedded default exchange: with no hub configured,
// the app and the CLI keep a hub in the user's data folder (SQLite) with two
// demo agencies, reached in-process, so one machine can try every flow —
// send, receive, statuses, recall — without a server.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerhub"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/revcache"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// Demo agencies of the local hub.
var Demo = []wire.Agency{
	{Code: "T99.01", Name: "Sở Thử nghiệm A (demo)"},
	{Code: "T99.02", Name: "Sở Thử nghiệm B (demo)"},
}

// Hub is the local hub.
type Hub struct {
	Hub *hub.Hub
	Dir *hub.Dir
	// Register and Reporter are the registers the hub keeps and their
	// reports (the local operator's front ends read them directly).
	Register *register.Register
	Reporter *report.Reporter
	db       *store.DB
}

// Options tune OpenWith.
type Options struct {
	// Trust verifies the signatures of the documents the registers record
	// (default: the bundled and the user's roots).
	Trust *trust.Store
}

// Open opens (initialising on first use) the local hub in dir.
func Open(ctx context.Context, dir string, codec wire.Codec) (*Hub, error) {
	return OpenWith(ctx, dir, codec, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dir string, codec wire.Codec, opts Options) (*Hub, error) {
	d, err := hub.LoadDir(dir)
	if errors.Is(err, hub.ErrNotInitialised) {
		d, err = hub.InitDir(dir, hub.DirConfig{Name: "vanthu local hub"}, time.Now())
	}
	if err != nil {
		return nil, err
	}
	db, err := hub.OpenDB(ctx, d.DSN())
	if err != nil {
		return nil, err
	}
	// The registers are kept by the hub: sends and statuses are registered
	// as they pass (signatures checked against the bundled and the user's
	// roots; revocation look-ups bounded so a send never waits long).
	ts := opts.Trust
	if ts == nil {
		if ts, err = trust.Load(ctx, trust.Options{}); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	hook, rp, err := registerhub.New(ctx, db, codec, register.VerifyWith(verify.Options{Trust: ts, Online: true, FetchTimeout: 3 * time.Second,
		HTTPClient: revcache.Client(3 * time.Second)}), filepath.Join(dir, "spool"), report.Options{})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	h, err := d.OpenHub(ctx, hub.Config{DB: db, Codec: codec, Hook: hook})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	hook.Attach(h, rp, nil)
	l := &Hub{Hub: h, Dir: d, Register: hook.Register, Reporter: rp, db: db}
	if err := l.ensureDemo(ctx); err != nil {
		h.Close()
		_ = db.Close()
		return nil, err
	}
	return l, nil
}

func (l *Hub) ensureDemo(ctx context.Context) error {
	for _, a := range Demo {
		err := l.Hub.AddAgency(ctx, "local", a)
		if err != nil && !errors.Is(err, hub.ErrAgencyExists) {
			return fmt.Errorf("failed to add demo agency: %w", err)
		}
		// Each demo agency is a unit of the registers from the start, so
		// its reports exist before its first send.
		if _, err := l.Register.AddUnit(ctx, register.Exchange, a.Code, a.Name, ""); err != nil && !errors.Is(err, register.ErrDuplicate) {
			return fmt.Errorf("failed to add demo unit: %w", err)
		}
	}
	return nil
}

// Close registers what the hub still has queued for the registers (for
// up to 30 s: a command that sent a document finds it in the registers),
// then stops the local hub and closes its database.
func (l *Hub) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = l.Hub.WaitHooks(ctx) // what is left stays queued for the next start
	l.Hub.Close()
	return l.db.Close()
}

// Agency returns the directory entry of code, or ErrUnknownAgency.
func (l *Hub) Agency(ctx context.Context, code string) (wire.Agency, error) {
	list, err := l.Hub.Directory(ctx)
	if err != nil {
		return wire.Agency{}, err
	}
	for _, a := range list {
		if a.Code == code && a.Revoked == nil {
			return a, nil
		}
	}
	return wire.Agency{}, fmt.Errorf("%w: %s", client.ErrUnknownAgency, code)
}

// Transport reaches the local hub as agency code, in-process.
func (l *Hub) Transport(code string) client.Transport { return &transport{h: l.Hub, code: code} }

type transport struct {
	h    *hub.Hub
	code string
}

func mapErr(err error) error {
	for _, m := range []struct{ from, to error }{
		{hub.ErrForbidden, client.ErrForbidden}, {hub.ErrNotFound, client.ErrNotFound},
		{hub.ErrTooLarge, client.ErrTooLarge}, {hub.ErrTooManyRecipients, client.ErrTooMany},
		{hub.ErrBadPackage, client.ErrRefused}, {hub.ErrBadRequest, client.ErrRefused},
		{hub.ErrRecallNotAllowed, client.ErrRefused}, {hub.ErrUnknownAgency, client.ErrUnknownAgency},
		{hub.ErrConflict, client.ErrConflict},
	} {
		if errors.Is(err, m.from) {
			return fmt.Errorf("%w: %w", m.to, err)
		}
	}
	return err
}

func (t *transport) Send(ctx context.Context, pkg client.OutgoingPackage) (*wire.SendResult, error) {
	body, err := pkg.Open()
	if err != nil {
		return nil, err
	}
	defer body.Close()
	res, err := t.h.Send(ctx, hub.SendRequest{Caller: t.code, ClientID: pkg.ClientID, SHA256: pkg.SHA256, Kind: pkg.Kind, Body: body})
	return res, mapErr(err)
}

func (t *transport) Inbox(ctx context.Context, after int64, wait time.Duration) ([]wire.InboxItem, error) {
	items, err := t.h.Inbox(ctx, t.code, after, wait)
	return items, mapErr(err)
}

func (t *transport) Fetch(ctx context.Context, item wire.InboxItem, w io.Writer) error {
	p, err := t.h.Fetch(ctx, t.code, item.DeliveryID)
	if err != nil {
		return mapErr(err)
	}
	_, err = io.Copy(w, p.Body)
	return err
}

func (t *transport) Ack(ctx context.Context, ids []int64) error {
	return mapErr(t.h.Ack(ctx, t.code, ids))
}

func (t *transport) Directory(ctx context.Context) ([]wire.Agency, error) { return t.h.Directory(ctx) }

func (t *transport) DocStatus(ctx context.Context, docID string) (*wire.DocStatus, error) {
	ds, err := t.h.DocStatus(ctx, t.code, docID)
	return ds, mapErr(err)
}

// Exists reports whether dir holds a local hub.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, hub.FileConfig))
	return err == nil
}
