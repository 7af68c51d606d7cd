// Package client is an agency's side of the exchange: a local outbox
// (SQLite, survives crashes and offline periods) from which packed, signed
// packages are delivered with retries and backoff; an inbox synchronised
// from the hub, where every incoming document is verified on arrival and
// its verdict kept; per-recipient status histories; recall and the answers
// to it. Every flow takes a context and reports progress through a
// callback, so the CLI and the desktop app drive the same code.
package client

import (
	"context"
	"crypto"
	"crypto/x509"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations is the client database's schema history.
func Migrations() store.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	return store.Migrations{Component: "client", FS: sub}
}

// Verdict is what verifying an incoming document's signatures found.
type Verdict struct {
	// Status is "valid", "invalid", "indeterminate" (signing/verify's
	// verdicts), "unsigned" (a PDF without signatures) or "bad_package"
	// (the package itself did not verify).
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// Verdicts that are not signing/verify's own.
const (
	VerdictValid      = "valid"
	VerdictUnsigned   = "unsigned"
	VerdictBadPackage = "bad_package"
)

// PDFVerifier verifies one file's signatures (signing/verify in the
// product).
type PDFVerifier func(ctx context.Context, path string) Verdict

// Signer is the organisation's key on the token and its chain, leaf first.
type Signer struct {
	Key   crypto.Signer
	Chain []*x509.Certificate
}

// Options is what Open needs.
type Options struct {
	// DataDir holds client.db, outbox/ and inbox/.
	DataDir string
	// Agency is this installation's agency.
	Agency wire.Organization
	// Transport reaches the exchange.
	Transport Transport
	// Codec builds and reads packages.
	Codec wire.Codec
	// Verify checks incoming (and outgoing) PDFs.
	Verify PDFVerifier
	// Retry bounds the outbox's backoff (defaults: 1 s doubling to 1 min).
	RetryMin, RetryMax time.Duration
	Now                func() time.Time
}

// Client is one agency's exchange client. It is safe for concurrent use;
// several processes may share a data folder (the database serialises
// them, and a package is only ever sent under its one client ID).
type Client struct {
	db     *store.DB
	opts   Options
	t      Transport
	codec  wire.Codec
	now    func() time.Time
	wakeup chan struct{}
}

// Open opens (creating if needed) the client's data folder.
func Open(ctx context.Context, opts Options) (*Client, error) {
	if opts.DataDir == "" || opts.Agency.Code == "" || opts.Transport == nil || opts.Codec == nil || opts.Verify == nil {
		return nil, fmt.Errorf("%w: Options needs DataDir, Agency, Transport, Codec and Verify", ErrBadConfig)
	}
	for _, d := range []string{opts.DataDir, filepath.Join(opts.DataDir, "outbox"), filepath.Join(opts.DataDir, "inbox")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("failed to create data folder: %w", err)
		}
	}
	db, err := store.Open(ctx, filepath.Join(opts.DataDir, "client.db"), store.Options{MaxOpenConns: 4})
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, db, Migrations()); err != nil {
		_ = db.Close()
		return nil, err
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = time.Minute
	}
	c := &Client{db: db, opts: opts, t: opts.Transport, codec: opts.Codec, now: opts.Now, wakeup: make(chan struct{}, 1)}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Close closes the client's database.
func (c *Client) Close() error { return c.db.Close() }

// Agency is the client's agency.
func (c *Client) Agency() wire.Organization { return c.opts.Agency }

// Transport is the client's way to the exchange.
func (c *Client) Transport() Transport { return c.t }

// Directory lists the exchange's agencies.
func (c *Client) Directory(ctx context.Context) ([]wire.Agency, error) { return c.t.Directory(ctx) }

func (c *Client) logf(ctx context.Context, q store.Querier, action, docID string, detail any) error {
	d, _ := json.Marshal(detail)
	_, err := q.Exec(ctx, "INSERT INTO log (at, action, document_id, detail) VALUES (?, ?, ?, ?)",
		c.now().UnixMicro(), action, docID, string(d))
	return err
}

// LogEntry is one line of the client's own log.
type LogEntry struct {
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	DocumentID string    `json:"document_id"`
	Detail     string    `json:"detail"`
}

// Log lists the client's log for a document ("" for all).
func (c *Client) Log(ctx context.Context, docID string) ([]LogEntry, error) {
	rows, err := c.db.Query(ctx, "SELECT at, action, document_id, detail FROM log WHERE ? = '' OR document_id = ? ORDER BY id", docID, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var e LogEntry
		var at int64
		if err := rows.Scan(&at, &e.Action, &e.DocumentID, &e.Detail); err != nil {
			return nil, err
		}
		e.At = time.UnixMicro(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
