package hub

import (
	"context"
	"crypto"
	"crypto/x509"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations is the hub's schema history.
func Migrations() store.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err) // embedded at build time
	}
	return store.Migrations{Component: "hub", FS: sub}
}

// Limits bound what one agency can ask of the hub.
type Limits struct {
	// MaxPackageSize is the largest package accepted (default 50 MB).
	MaxPackageSize int64
	// MaxRecipients is the most recipients of one package (default 200).
	MaxRecipients int
	// RequestsPerMinute caps the requests of one agency per minute and hub
	// process (default 6000; negative: no limit).
	RequestsPerMinute int
	// MaxWait caps an inbox long-poll (default 30 s).
	MaxWait time.Duration
	// MaxInbox caps the items of one inbox answer (default 500).
	MaxInbox int
}

func (l Limits) withDefaults() Limits {
	if l.MaxPackageSize <= 0 {
		l.MaxPackageSize = 50 << 20
	}
	if l.MaxRecipients <= 0 {
		l.MaxRecipients = 200
	}
	if l.RequestsPerMinute == 0 {
		l.RequestsPerMinute = 6000
	}
	if l.MaxWait <= 0 {
		l.MaxWait = 30 * time.Second
	}
	if l.MaxInbox <= 0 {
		l.MaxInbox = 500
	}
	return l
}

// Hook is told of every accepted send and status, so a register
// (exchange/register) can record electronic sends. The events go through a
// durable queue (written with the send, handed over by a worker after it;
// see hookqueue.go): at least once, in order for each document, never
// delaying or undoing a send. A failing event is retried with a pause, and
// set aside after a few attempts (HookBacklog counts those).
type Hook interface {
	Sent(ctx context.Context, ev SentEvent) error
	Status(ctx context.Context, ev StatusEvent) error
}

// BatchHook is a Hook that takes the queued events several at a time, in
// queue order: the registers then write them in a few transactions rather
// than one each. Events returns one error per event; one wrapping
// ErrHeldBack leaves the event queued, without counting a failure, behind
// an earlier event of its document that failed.
type BatchHook interface {
	Hook
	Events(ctx context.Context, evs []Event) []error
}

// Event is one event for a BatchHook: a send or a status.
type Event struct {
	Sent   *SentEvent
	Status *StatusEvent
}

// DocumentID is the document the event is about.
func (e Event) DocumentID() string {
	if e.Sent != nil {
		return e.Sent.DocumentID
	}
	if e.Status != nil {
		return e.Status.DocumentID
	}
	return ""
}

// SentEvent describes an accepted document package.
type SentEvent struct {
	MessageID    int64
	From         string
	To           []string
	DocumentID   string
	BusinessType int
	Subject      string
	SHA256       string
	Size         int64
	Signed       bool // the package signature verified (always true today)
	At           time.Time
	// Document and Files, when set, are the package's metadata and
	// attachments as the hub read them on arrival (kept for a while in the
	// process that accepted it); otherwise read the stored package.
	Document *wire.Document `json:"-"`
	Files    []File         `json:"-"`
}

// StatusEvent describes a recorded status.
type StatusEvent struct {
	DocumentID  string
	DocSender   string
	Recipient   string
	Code        string
	Description string
	By          string
	At          time.Time
}

// Config is what New needs.
type Config struct {
	DB *store.DB
	// Codec reads and checks packages and writes the hub's status 01.
	Codec wire.Codec
	// StatusSigner and StatusChain sign the status 01 packages the hub
	// emits on acknowledgement.
	StatusSigner crypto.Signer
	StatusChain  []*x509.Certificate
	// Code is the hub's own agency code in the statuses it emits (the
	// acknowledging agency is the status's From; Code is kept in logs).
	Limits Limits
	Hook   Hook
	// SpoolDir holds incoming packages while they are checked (default:
	// the system temp folder).
	SpoolDir string
	Now      func() time.Time
	Logger   *slog.Logger
}

// Hub is the store-and-forward service. It is safe for concurrent use and
// keeps no state that another hub process on the same database would miss
// (except the per-process request counters of Limits.RequestsPerMinute).
type Hub struct {
	db        *store.DB
	codec     wire.Codec
	signer    crypto.Signer
	chain     []*x509.Certificate
	limits    Limits
	hook      Hook
	spoolPath string
	now       func() time.Time
	log       *slog.Logger
	rate      *rateLimiter
	mounts    []mount
	w         *writer
	hooks     *hookWorker
	arrived   arrivals
	auth      authCache
}

// New migrates the database and returns the hub.
func New(ctx context.Context, cfg Config) (*Hub, error) {
	if cfg.DB == nil || cfg.Codec == nil || cfg.StatusSigner == nil {
		return nil, errors.New("hub: Config needs DB, Codec and StatusSigner")
	}
	if err := store.Migrate(ctx, cfg.DB, Migrations()); err != nil {
		return nil, err
	}
	h := &Hub{
		db: cfg.DB, codec: cfg.Codec, signer: cfg.StatusSigner, chain: cfg.StatusChain,
		limits: cfg.Limits.withDefaults(), hook: cfg.Hook, spoolPath: cfg.SpoolDir, now: cfg.Now, log: cfg.Logger,
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	if h.spoolPath == "" {
		h.spoolPath = os.TempDir()
	}
	if err := os.MkdirAll(h.spoolPath, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create spool folder: %w", err)
	}
	h.rate = newRateLimiter(h.limits.RequestsPerMinute, h.now)
	h.startWriter()
	h.startHooks()
	return h, nil
}

// DB is the hub's database.
func (h *Hub) DB() *store.DB { return h.db }

// Limits are the hub's limits in force.
func (h *Hub) Limits() Limits { return h.limits }

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// inboxChannel is the notification channel that wakes inbox waiters; the
// payload is the recipient agency.
const inboxChannel = "hub_inbox"

// OpenDB opens a hub database (store.Open with the hub's options: large
// SQLite pages, which suit stored packages).
func OpenDB(ctx context.Context, dsn string) (*store.DB, error) {
	return store.Open(ctx, dsn, store.Options{PageSize: 32768})
}
