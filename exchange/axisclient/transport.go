// Package axisclient is a client.Transport for the national exchange
// axis's document service (DOMAIN.md §7a): the national axis, a provincial
// integration platform, or a vanthu hub's door for the axis SDKs
// (exchange/axishub). The agency connects with its system ID and secret
// instead of a connection certificate; every request is signed the way the
// axis SDKs sign (exchange/axis).
//
// It maps the client's flows onto the service as the SDKs' sample
// integrations do: Send is sendEdoc (the package, then CRLF, as the Java
// SDK 2.0.1 sends it; status packages with messagetype=status); Inbox is
// getReceivedEdocList for documents and statuses (polled, the service has
// no long-poll); Fetch is getEdoc, its base64 package streamed to disk;
// Ack is updateStatus done. The service's document IDs are strings; a
// small table beside the client's data maps them to the client's numeric
// delivery IDs.
package axisclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vanthu/vanthu/exchange/axis"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations is the transport's schema history (component "axisclient").
func Migrations() store.Migrations {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		panic(err)
	}
	return store.Migrations{Component: "axisclient", FS: sub}
}

// Config is what New needs.
type Config struct {
	// Endpoint is the service's address, https://host[:port][/path]; the
	// operations are Endpoint/sendEdoc, ….
	Endpoint string
	SystemID string
	Secret   []byte
	// Agency is this installation's agency code (sendEdoc's from).
	Agency string
	// RootCAs, if set, are the only roots trusted for the endpoint (a
	// vanthu hub's CA); otherwise the system's roots.
	RootCAs []*x509.Certificate
	// AllowHTTP allows an http:// endpoint (no TLS: packages travel in the
	// clear). Refused otherwise.
	AllowHTTP bool
	// StateDB is the SQLite file of the document ID map.
	StateDB string
	// PollInterval is how often Inbox asks again while waiting (default
	// 5 s).
	PollInterval time.Duration
	// MaxPackage caps a fetched package (default 100 MB).
	MaxPackage int64
	Now        func() time.Time
}

// Transport talks to an axis document service.
type Transport struct {
	cfg  Config
	base *url.URL
	http *http.Client
	db   *store.DB
	now  func() time.Time

	mu    sync.Mutex
	acked map[string]bool // acknowledged by this process: not listed again
	close sync.Once
}

var _ client.Transport = (*Transport)(nil)

// New checks cfg and opens the document ID map.
func New(ctx context.Context, cfg Config) (*Transport, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(cfg.Endpoint), "/"))
	switch {
	case err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("%w: axis endpoint %q (want https://host[:port][/path])", client.ErrBadConfig, cfg.Endpoint)
	case u.Scheme == "http" && !cfg.AllowHTTP:
		return nil, fmt.Errorf("%w: axis endpoint %q is not TLS; packages would travel in the clear", client.ErrBadConfig, cfg.Endpoint)
	case cfg.SystemID == "" || len(cfg.Secret) == 0 || cfg.Agency == "":
		return nil, fmt.Errorf("%w: the axis needs a system ID, its secret and the agency code", client.ErrBadConfig)
	case cfg.StateDB == "":
		return nil, fmt.Errorf("%w: no state database for the axis transport", client.ErrBadConfig)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	if cfg.MaxPackage <= 0 {
		cfg.MaxPackage = 100 << 20
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(cfg.RootCAs) > 0 {
		pool := x509.NewCertPool()
		for _, c := range cfg.RootCAs {
			pool.AddCert(c)
		}
		tlsCfg.RootCAs = pool
	}
	db, err := store.Open(ctx, cfg.StateDB, store.Options{MaxOpenConns: 2})
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, db, Migrations()); err != nil {
		_ = db.Close()
		return nil, err
	}
	t := &Transport{cfg: cfg, base: u, db: db, now: cfg.Now, acked: map[string]bool{},
		http: &http.Client{Transport: &http.Transport{
			TLSClientConfig:       tlsCfg,
			DialContext:           (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			MaxIdleConnsPerHost:   8,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		}}}
	if t.now == nil {
		t.now = time.Now
	}
	return t, nil
}

// Close releases connections and the map (once; later calls do nothing).
func (t *Transport) Close() {
	t.close.Do(func() {
		t.http.CloseIdleConnections()
		_ = t.db.Close()
	})
}

// Endpoint is the service's address.
func (t *Transport) Endpoint() string { return t.base.String() }

// request makes a signed request of op with the operation's entries
// (systemid and timestamp are added; Content-Type defaults to JSON).
func (t *Transport) request(ctx context.Context, method, op string, entries []axis.Field, body io.Reader) (*http.Request, error) {
	u := *t.base
	u.Path = strings.TrimRight(t.base.Path, "/") + "/" + op
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	fields := []axis.Field{{Name: axis.KeySystemID, Value: t.cfg.SystemID}, {Name: axis.KeyTimestamp, Value: axis.FormatTimestamp(t.now())}}
	hasType := false
	for _, f := range entries {
		hasType = hasType || strings.EqualFold(f.Name, axis.KeyContentType)
	}
	if !hasType {
		fields = append(fields, axis.Field{Name: axis.KeyContentType, Value: "application/json"})
	}
	if err := axis.Sign(req.Header, t.cfg.Secret, append(fields, entries...)); err != nil {
		return nil, err
	}
	return req, nil
}

// do sends req and decodes the result into v (a struct embedding
// axis.Result, or nil for a bare result).
func (t *Transport) do(req *http.Request, op string, v any) error {
	resp, err := t.http.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("%w: axis %s: %w", client.ErrUnreachable, op, err)
	}
	defer resp.Body.Close()
	var res axis.Result
	if v == nil {
		v = &res
	}
	if err := axis.DecodeResult(resp.Body, 64<<20, v); err != nil {
		return answerError(op, resp.StatusCode, axis.Result{ErrorCode: "?", ErrorDesc: err.Error()})
	}
	r := resultOf(v)
	if r.Err() != nil {
		return answerError(op, resp.StatusCode, r)
	}
	return nil
}

// resultOf finds the embedded axis.Result.
func resultOf(v any) axis.Result {
	switch x := v.(type) {
	case *axis.Result:
		return *x
	case *axis.SendResult:
		return x.Result
	case *axis.ReceivedList:
		return x.Result
	case *axis.SentList:
		return x.Result
	case *axis.AgencyList:
		return x.Result
	case *axis.Count:
		return x.Result
	}
	panic(fmt.Sprintf("axisclient: no result in %T", v))
}

// answerError classifies a FAIL or unreadable answer.
func answerError(op string, status int, r axis.Result) error {
	e := &Error{Op: op, HTTP: status, Code: r.ErrorCode, Desc: r.ErrorDesc}
	switch {
	case r.ErrorCode == axis.CodeUnauthenticated || status == http.StatusUnauthorized:
		e.target = ErrCredentials
	case r.ErrorCode == axis.CodeRateLimited || status == http.StatusTooManyRequests,
		r.ErrorCode == axis.CodeInternal, status >= 500, r.ErrorCode == "?" && status < 300:
		e.target = client.ErrUnreachable // temporary: retried
	case r.ErrorCode == axis.CodeForbidden || status == http.StatusForbidden:
		e.target = client.ErrForbidden
	case r.ErrorCode == axis.CodeNotFound || status == http.StatusNotFound:
		e.target = client.ErrNotFound
	case r.ErrorCode == axis.CodeConflict:
		e.target = client.ErrConflict
	case r.ErrorCode == axis.CodeTooLarge || status == http.StatusRequestEntityTooLarge:
		e.target = client.ErrTooLarge
	case strings.Contains(r.ErrorDesc, "unknown or revoked agency"):
		e.target = client.ErrUnknownAgency
	default:
		e.target = client.ErrRefused
	}
	return e
}

// Send hands a package over with sendEdoc. The service answers a repeat
// of the same package with the first DocId (a vanthu hub does; the SDKs'
// retries rely on it).
func (t *Transport) Send(ctx context.Context, pkg client.OutgoingPackage) (*wire.SendResult, error) {
	sum, err := hex.DecodeString(pkg.SHA256)
	if err != nil || len(sum) != 32 {
		return nil, fmt.Errorf("%w: package SHA-256 %q", client.ErrBadConfig, pkg.SHA256)
	}
	body, err := pkg.Open()
	if err != nil {
		return nil, err
	}
	defer body.Close()
	req, err := t.request(ctx, http.MethodPost, axis.OpSendEdoc, []axis.Field{
		{Name: axis.KeyContentType, Value: "application/octet-stream"},
		{Name: axis.KeyFrom, Value: t.cfg.Agency},
		{Name: axis.KeyServiceType, Value: axis.ServiceTypeEDoc},
		{Name: axis.KeyMessageType, Value: string(pkg.Kind)},
		{Name: axis.KeyHashFile, Value: axis.HashFile(sum)},
	}, axis.PackageBody(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = axis.PackageBodySize(pkg.Size)
	var res axis.SendResult
	if err := t.do(req, axis.OpSendEdoc, &res); err != nil {
		return nil, err
	}
	id, _ := strconv.ParseInt(res.DocID, 10, 64)
	return &wire.SendResult{MessageID: id, ClientID: pkg.ClientID, SHA256: pkg.SHA256, At: t.now()}, nil
}

// Inbox lists the received documents and statuses; with wait > 0 and
// nothing received it asks again every PollInterval until wait has passed.
// after is not used (the list holds what is not yet acknowledged).
func (t *Transport) Inbox(ctx context.Context, after int64, wait time.Duration) ([]wire.InboxItem, error) {
	deadline := t.now().Add(wait)
	for {
		items, err := t.listReceived(ctx)
		if err != nil || len(items) > 0 || !t.now().Before(deadline) {
			return items, err
		}
		pause := min(t.cfg.PollInterval, deadline.Sub(t.now()))
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

func (t *Transport) listReceived(ctx context.Context) ([]wire.InboxItem, error) {
	var out []wire.InboxItem
	for _, kind := range []wire.Kind{wire.KindDocument, wire.KindStatus} {
		req, err := t.request(ctx, http.MethodPost, axis.OpGetReceivedEdocList, []axis.Field{
			{Name: axis.KeyServiceType, Value: axis.ServiceTypeEDoc},
			{Name: axis.KeyMessageType, Value: string(kind)},
		}, nil)
		if err != nil {
			return nil, err
		}
		var l axis.ReceivedList
		if err := t.do(req, axis.OpGetReceivedEdocList, &l); err != nil {
			return nil, err
		}
		for _, r := range l.Data {
			if r.DocID == "" || t.isAcked(r.DocID) {
				continue
			}
			k := kind
			if mt := wire.Kind(strings.ToLower(r.MessageType)); mt == wire.KindDocument || mt == wire.KindStatus {
				k = mt
			}
			id, failed, err := t.localID(ctx, r.DocID, k)
			if err != nil {
				return nil, err
			}
			if failed {
				continue
			}
			queued, _ := axis.ParseDate(r.CreatedTime, false)
			out = append(out, wire.InboxItem{DeliveryID: id, Kind: k, From: r.From, DocumentID: r.DocumentID,
				BusinessType: r.BusinessType, StatusCode: r.StatusCode, Subject: r.Subject, Size: r.Size,
				SHA256: strings.ToLower(r.SHA256), QueuedAt: queued, Fetched: r.Status != "" && r.Status != "new"})
		}
	}
	return out, nil
}

func (t *Transport) isAcked(docID string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.acked[docID]
}

// localID maps the service's document ID to a stable local one, and
// says whether fetching it failed for good before.
func (t *Transport) localID(ctx context.Context, docID string, kind wire.Kind) (int64, bool, error) {
	if _, err := t.db.Exec(ctx, "INSERT INTO axis_doc (doc_id, kind, first_seen) VALUES (?, ?, ?) ON CONFLICT (doc_id) DO NOTHING",
		docID, string(kind), t.now().UnixMicro()); err != nil {
		return 0, false, fmt.Errorf("failed to record axis document ID: %w", err)
	}
	var id int64
	var failed sql.NullInt64
	if err := t.db.QueryRow(ctx, "SELECT id, failed_at FROM axis_doc WHERE doc_id = ?", docID).Scan(&id, &failed); err != nil {
		return 0, false, fmt.Errorf("failed to read axis document ID: %w", err)
	}
	return id, failed.Valid, nil
}

func (t *Transport) remoteID(ctx context.Context, id int64) (string, error) {
	var docID string
	err := t.db.QueryRow(ctx, "SELECT doc_id FROM axis_doc WHERE id = ?", id).Scan(&docID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: delivery %d was never listed by the axis", client.ErrNotFound, id)
	}
	return docID, err
}

// Fetch writes the package of item to w with getEdoc (streamed), checking
// the size and SHA-256 when the listing gave them. When the service
// refuses for good to give a document it listed, Fetch tells it so with
// updateStatus fail, as the SDKs' integrations do, and the document is not
// listed again (the error is returned once).
func (t *Transport) Fetch(ctx context.Context, item wire.InboxItem, w io.Writer) error {
	docID, err := t.remoteID(ctx, item.DeliveryID)
	if err != nil {
		return err
	}
	err = t.fetch(ctx, docID, item, w)
	var ae *Error
	if errors.As(err, &ae) && !client.Temporary(err) && !errors.Is(err, ErrCredentials) {
		if ferr := t.updateStatus(ctx, item.DeliveryID, axis.UpdateFail, ae.Desc); ferr == nil {
			_, _ = t.db.Exec(ctx, "UPDATE axis_doc SET failed_at = ?, failure = ? WHERE id = ?",
				t.now().UnixMicro(), clip(ae.Desc, 500), item.DeliveryID)
		}
	}
	return err
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (t *Transport) fetch(ctx context.Context, docID string, item wire.InboxItem, w io.Writer) error {
	req, err := t.request(ctx, http.MethodPost, axis.OpGetEdoc, []axis.Field{{Name: axis.KeyDocID, Value: docID}}, nil)
	if err != nil {
		return err
	}
	resp, err := t.http.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("%w: axis getEdoc: %w", client.ErrUnreachable, err)
	}
	defer resp.Body.Close()
	h := newHashWriter(w)
	res, n, err := axis.ReadEdoc(resp.Body, h, t.cfg.MaxPackage)
	switch {
	case errors.Is(err, axis.ErrTooLarge):
		return fmt.Errorf("%w: %w", client.ErrTooLarge, err)
	case err != nil:
		return fmt.Errorf("%w: axis getEdoc: %w", client.ErrUnreachable, err)
	case res.Err() != nil:
		return answerError(axis.OpGetEdoc, resp.StatusCode, res)
	case item.Size > 0 && n != item.Size:
		return fmt.Errorf("%w: downloaded %d bytes, the axis listed %d", client.ErrUnreachable, n, item.Size)
	case item.SHA256 != "" && h.sum() != item.SHA256:
		return fmt.Errorf("%w: SHA-256 %s, the axis listed %s", client.ErrTampered, h.sum(), item.SHA256)
	}
	return nil
}

// Ack acknowledges deliveries with updateStatus done, each on its own; the
// first failure is returned after the others were tried.
func (t *Transport) Ack(ctx context.Context, ids []int64) error {
	var first error
	for _, id := range ids {
		if err := t.updateStatus(ctx, id, axis.UpdateDone, ""); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (t *Transport) updateStatus(ctx context.Context, id int64, status, desc string) error {
	docID, err := t.remoteID(ctx, id)
	if err != nil {
		return err
	}
	fields := []axis.Field{{Name: axis.KeyDocID, Value: docID}, {Name: axis.KeyStatus, Value: status}}
	if desc != "" {
		fields = append(fields, axis.Field{Name: axis.KeyDescription, Value: desc})
	}
	req, err := t.request(ctx, http.MethodPost, axis.OpUpdateStatus, fields, nil)
	if err != nil {
		return err
	}
	if err := t.do(req, axis.OpUpdateStatus, nil); err != nil {
		return err
	}
	if status == axis.UpdateDone {
		t.mu.Lock()
		t.acked[docID] = true
		t.mu.Unlock()
	}
	return nil
}

// Directory lists the agencies of getAgenciesList.
func (t *Transport) Directory(ctx context.Context) ([]wire.Agency, error) {
	req, err := t.request(ctx, http.MethodPost, axis.OpGetAgenciesList, nil, nil)
	if err != nil {
		return nil, err
	}
	var l axis.AgencyList
	if err := t.do(req, axis.OpGetAgenciesList, &l); err != nil {
		return nil, err
	}
	codeOf := map[string]string{}
	for _, a := range l.Data {
		codeOf[a.ID] = a.Code
	}
	out := make([]wire.Agency, 0, len(l.Data))
	for _, a := range l.Data {
		parent := codeOf[a.PID]
		if parent == "" {
			parent = a.PID
		}
		out = append(out, wire.Agency{Code: a.Code, Name: a.Name, Parent: parent})
	}
	return out, nil
}

// DocStatus is the service's view of a sent document per recipient, from
// getSentEdocList: a vanthu hub names the document in each entry; other
// services are matched by the number/notation.
func (t *Transport) DocStatus(ctx context.Context, documentID string) (*wire.DocStatus, error) {
	req, err := t.request(ctx, http.MethodPost, axis.OpGetSentEdocList, []axis.Field{
		{Name: axis.KeyServiceType, Value: axis.ServiceTypeEDoc},
		{Name: axis.KeyMessageType, Value: string(wire.KindDocument)},
	}, nil)
	if err != nil {
		return nil, err
	}
	var l axis.SentList
	if err := t.do(req, axis.OpGetSentEdocList, &l); err != nil {
		return nil, err
	}
	notation := ""
	if parts := strings.SplitN(documentID, ",", 3); len(parts) == 3 {
		notation = parts[2]
	}
	ds := &wire.DocStatus{DocumentID: documentID, Sender: t.cfg.Agency, Recipients: map[string][]wire.StatusEntry{}}
	for _, e := range l.Data {
		if e.DocumentID != documentID && (e.DocumentID != "" || notation == "" || e.Notation != notation) {
			continue
		}
		at, _ := axis.ParseDate(e.ReceivedTime, false)
		if at.IsZero() {
			at, _ = axis.ParseDate(e.SentTime, false)
		}
		ds.Recipients[e.ToCode] = append(ds.Recipients[e.ToCode], wire.StatusEntry{Recipient: e.ToCode, Code: e.StatusCode,
			Description: strings.TrimSpace(e.ReceiveStatus + " " + e.ReceiveStatusDesc), By: e.ToCode, At: at})
	}
	if len(ds.Recipients) == 0 {
		return nil, fmt.Errorf("%w: the axis lists no sent document %s", client.ErrNotFound, documentID)
	}
	return ds, nil
}
