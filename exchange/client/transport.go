package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/wire"
)

// Transport is how a client reaches an exchange: the vanthu hub over
// mutual TLS (HTTPTransport), or the national axis's document service
// (exchange/axisclient). A transport that cannot know a delivery's
// document ID, business type or subject before the package is read (the
// axis lists none of them) leaves them empty; Sync then takes them from
// the verified package.
type Transport interface {
	// Send hands over one package; a repeated call with the same
	// pkg.ClientID returns the first result.
	Send(ctx context.Context, pkg OutgoingPackage) (*wire.SendResult, error)
	// Inbox lists queued deliveries after delivery ID after, waiting up to
	// wait for one to arrive.
	Inbox(ctx context.Context, after int64, wait time.Duration) ([]wire.InboxItem, error)
	// Fetch writes a delivery's package to w and checks its SHA-256.
	Fetch(ctx context.Context, item wire.InboxItem, w io.Writer) error
	// Ack acknowledges deliveries.
	Ack(ctx context.Context, deliveryIDs []int64) error
	// Directory lists the agencies.
	Directory(ctx context.Context) ([]wire.Agency, error)
	// DocStatus is the hub's per-recipient history of a sent document.
	DocStatus(ctx context.Context, documentID string) (*wire.DocStatus, error)
}

// OutgoingPackage is a package ready to send.
type OutgoingPackage struct {
	ClientID string
	Kind     wire.Kind
	Size     int64
	SHA256   string
	Open     func() (io.ReadCloser, error)
}

// HTTPTransport talks to a vanthu hub.
type HTTPTransport struct {
	base   *url.URL
	client *http.Client
}

// NewHTTPTransport connects to the hub at hubURL (https://host:port) with
// the agency's connection certificate, trusting only the hub's CA.
func NewHTTPTransport(hubURL string, cert tls.Certificate, hubCA []*x509.Certificate) (*HTTPTransport, error) {
	u, err := url.Parse(strings.TrimRight(hubURL, "/"))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%w: hub address %q (want https://host:port)", ErrBadConfig, hubURL)
	}
	pool := x509.NewCertPool()
	for _, c := range hubCA {
		pool.AddCert(c)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: pool, Certificates: []tls.Certificate{cert}},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &HTTPTransport{base: u, client: &http.Client{Transport: tr}}, nil
}

// Close releases idle connections.
func (t *HTTPTransport) Close() { t.client.CloseIdleConnections() }

func (t *HTTPTransport) url(path string, q url.Values) string {
	u := *t.base
	u.Path = t.base.Path + path
	if q != nil {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

var codeErrors = map[string]error{
	wire.CodeForbidden:        ErrForbidden,
	wire.CodeNotFound:         ErrNotFound,
	wire.CodeTooLarge:         ErrTooLarge,
	wire.CodeTooMany:          ErrTooMany,
	wire.CodeRateLimited:      ErrRateLimited,
	wire.CodeBadPackage:       ErrRefused,
	wire.CodeBadRequest:       ErrRefused,
	wire.CodeUnknownAgency:    ErrUnknownAgency,
	wire.CodeConflict:         ErrConflict,
	wire.CodeRecallNotAllowed: ErrRefused,
}

// requestError classifies a failed request: cancelled, refused in the
// TLS handshake (the hub's alert about our certificate), or unreachable.
func requestError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if strings.Contains(err.Error(), "remote error: tls: ") {
		return fmt.Errorf("%w: %w", ErrCertRefused, err)
	}
	return fmt.Errorf("%w: %w", ErrUnreachable, err)
}

func (t *HTTPTransport) do(req *http.Request, out any) error {
	resp, err := t.client.Do(req)
	if err != nil {
		return requestError(req.Context(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return hubError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("%w: unreadable answer: %w", ErrUnreachable, err)
	}
	return nil
}

func hubError(resp *http.Response) error {
	var we wire.Error
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&we)
	e := &HubError{Status: resp.StatusCode, Code: we.Code, Message: we.Message, err: ErrHub}
	if s, ok := codeErrors[we.Code]; ok {
		e.err = s
	}
	if resp.StatusCode == http.StatusUnauthorized {
		e.err = ErrForbidden
	}
	return e
}

func (t *HTTPTransport) Send(ctx context.Context, pkg OutgoingPackage) (*wire.SendResult, error) {
	body, err := pkg.Open()
	if err != nil {
		return nil, err
	}
	defer body.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url(wire.PathMessages, nil), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = pkg.Size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set(wire.HeaderMessageID, pkg.ClientID)
	req.Header.Set(wire.HeaderSHA256, pkg.SHA256)
	req.Header.Set(wire.HeaderKind, string(pkg.Kind))
	var res wire.SendResult
	if err := t.do(req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

func (t *HTTPTransport) Inbox(ctx context.Context, after int64, wait time.Duration) ([]wire.InboxItem, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if wait > 0 {
		q.Set("wait", wait.String())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url(wire.PathInbox, q), nil)
	if err != nil {
		return nil, err
	}
	var in wire.Inbox
	if err := t.do(req, &in); err != nil {
		return nil, err
	}
	return in.Items, nil
}

func (t *HTTPTransport) Fetch(ctx context.Context, item wire.InboxItem, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		t.url(wire.PathDelivery+strconv.FormatInt(item.DeliveryID, 10)+"/package", nil), nil)
	if err != nil {
		return err
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return requestError(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return hubError(resp)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), resp.Body)
	if err != nil {
		return fmt.Errorf("%w: download interrupted: %w", ErrUnreachable, err)
	}
	if n != item.Size {
		return fmt.Errorf("%w: downloaded %d bytes, the hub announced %d", ErrUnreachable, n, item.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != item.SHA256 {
		return fmt.Errorf("%w: SHA-256 %s, the hub announced %s", ErrTampered, got, item.SHA256)
	}
	return nil
}

func (t *HTTPTransport) Ack(ctx context.Context, ids []int64) error {
	raw, err := json.Marshal(wire.AckRequest{DeliveryIDs: ids})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url(wire.PathAck, nil), bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return t.do(req, nil)
}

func (t *HTTPTransport) Directory(ctx context.Context) ([]wire.Agency, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url(wire.PathDirectory, nil), nil)
	if err != nil {
		return nil, err
	}
	var d wire.Directory
	if err := t.do(req, &d); err != nil {
		return nil, err
	}
	return d.Agencies, nil
}

func (t *HTTPTransport) DocStatus(ctx context.Context, documentID string) (*wire.DocStatus, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.url(wire.PathDocStatus, url.Values{"doc": {documentID}}), nil)
	if err != nil {
		return nil, err
	}
	var ds wire.DocStatus
	if err := t.do(req, &ds); err != nil {
		return nil, err
	}
	return &ds, nil
}

// Temporary reports whether err is worth a retry later: the hub could not
// be reached, answered with a server error, or asked to slow down.
func Temporary(err error) bool {
	if errors.Is(err, ErrUnreachable) {
		return true
	}
	var he *HubError
	return errors.As(err, &he) && he.Temporary()
}
