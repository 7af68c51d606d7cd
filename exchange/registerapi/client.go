package registerapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
)

// ErrUnreachable: the hub could not be reached (the registers are kept by
// the hub; nothing was changed).
var ErrUnreachable = errors.New("registerapi: hub unreachable")

// Client calls a hub's registers and reports as the agency its HTTP client
// authenticates (the installation's mutual-TLS certificate): the desktop's
// registers and dashboard against a configured hub. Errors are the
// register's sentinels (ErrForbidden, ErrNotFound, ErrDuplicate,
// ErrInvalid) wrapped with the hub's message, or ErrUnreachable.
type Client struct {
	// Base is the hub's address, https://host:port.
	Base string
	HTTP *http.Client
	// MaxBody bounds what is read of an answer (default 64 MiB).
	MaxBody int64
}

// Units lists the agency's units (root "" = its own subtree).
func (c *Client) Units(ctx context.Context, root string) ([]register.Unit, error) {
	var out []register.Unit
	return out, c.do(ctx, "GET", "/v1/register/units", url.Values{"unit": {root}}, nil, &out)
}

func filterQuery(f register.Filter) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("unit", f.Unit)
	if f.SubUnits {
		q.Set("sub", "1")
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.String())
	}
	if !f.To.IsZero() {
		q.Set("until", f.To.String())
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Offset > 0 {
		q.Set("offset", strconv.Itoa(f.Offset))
	}
	return q
}

// ListOutgoing lists the outgoing register.
func (c *Client) ListOutgoing(ctx context.Context, f register.Filter) ([]register.Outgoing, error) {
	var out []register.Outgoing
	return out, c.do(ctx, "GET", "/v1/register/outgoing", filterQuery(f), nil, &out)
}

// ListIncoming lists the incoming register.
func (c *Client) ListIncoming(ctx context.Context, f register.Filter) ([]register.Incoming, error) {
	var out []register.Incoming
	return out, c.do(ctx, "GET", "/v1/register/incoming", filterQuery(f), nil, &out)
}

// Outgoing is one outgoing entry with its recipients and signatures.
func (c *Client) Outgoing(ctx context.Context, id int64) (*register.Outgoing, error) {
	var out register.Outgoing
	if err := c.do(ctx, "GET", entryPath(register.EntityOutgoing, id, ""), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Incoming is one incoming entry.
func (c *Client) Incoming(ctx context.Context, id int64) (*register.Incoming, error) {
	var out register.Incoming
	if err := c.do(ctx, "GET", entryPath(register.EntityIncoming, id, ""), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AddOutgoing registers a send the exchange did not carry (on paper).
func (c *Client) AddOutgoing(ctx context.Context, in register.OutgoingInput) (*register.Outgoing, error) {
	body := paperSend{Unit: in.Unit, Number: in.Number, Date: in.Date, Type: in.Type, Subject: in.Subject, Signer: in.Signer,
		Secret: in.Secret, Channel: in.Channel, Recipients: in.Recipients, PaperReason: in.PaperReason}
	var out register.Outgoing
	if err := c.do(ctx, "POST", "/v1/register/outgoing", nil, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Correct changes fields of an entry, with the reason (kept in its history).
func (c *Client) Correct(ctx context.Context, entity string, id int64, changes map[string]string, reason string) error {
	body := map[string]any{"changes": changes, "reason": reason}
	return c.do(ctx, "POST", entryPath(entity, id, "/correct"), nil, body, nil)
}

// Cancel cancels an entry, with the reason.
func (c *Client) Cancel(ctx context.Context, entity string, id int64, reason string) error {
	return c.do(ctx, "POST", entryPath(entity, id, "/cancel"), nil, map[string]string{"reason": reason}, nil)
}

// History is an entry's history.
func (c *Client) History(ctx context.Context, entity string, id int64) ([]register.Change, error) {
	var out []register.Change
	return out, c.do(ctx, "GET", entryPath(entity, id, "/history"), nil, nil, &out)
}

// Report computes the report of unit ("" = the agency's own) for period;
// limit caps the listed documents (0: all).
func (c *Client) Report(ctx context.Context, unit string, p calendar.Period, limit int, deadline string) (*report.Report, error) {
	q := url.Values{"period": {p.String()}, "format": {"json"}}
	if unit != "" {
		q.Set("unit", unit)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if deadline != "" {
		q.Set("deadline", deadline)
	}
	var out report.Report
	if err := c.do(ctx, "GET", "/v1/report", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func entryPath(entity string, id int64, suffix string) string {
	return "/v1/register/" + url.PathEscape(entity) + "/" + strconv.FormatInt(id, 10) + suffix
}

// do sends one request and decodes the JSON answer into out.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	u := strings.TrimRight(c.Base, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("%w: %w", register.ErrInvalid, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	limit := c.MaxBody
	if limit <= 0 {
		limit = 64 << 20
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	if int64(len(raw)) > limit {
		return fmt.Errorf("registerapi: the answer is larger than %d bytes", limit)
	}
	if resp.StatusCode >= 300 {
		return answerError(resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("registerapi: failed to read the answer to %s %s: %w", method, path, err)
	}
	return nil
}

// answerError maps an error answer back to the register's sentinel.
func answerError(status int, raw []byte) error {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(raw, &e)
	var base error
	switch status {
	case http.StatusForbidden:
		base = register.ErrForbidden
	case http.StatusNotFound:
		base = register.ErrNotFound
	case http.StatusConflict:
		base = register.ErrDuplicate
	case http.StatusBadRequest:
		base = register.ErrInvalid
	case http.StatusUnauthorized:
		base = register.ErrForbidden
	default:
		return fmt.Errorf("%w: HTTP %d %s", ErrUnreachable, status, e.Message)
	}
	return fmt.Errorf("%w: %s", base, e.Message)
}
