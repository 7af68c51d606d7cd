package axishub

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vanthu/vanthu/exchange/axis"
	"github.com/vanthu/vanthu/exchange/hub"
)

// Config is what New needs.
type Config struct {
	Hub      *hub.Hub
	Registry *Registry
	// RefusalsPerMinute caps the refused requests of one remote address
	// written to the audit trail each minute (default 120); beyond it they
	// are answered and logged, and one entry says that some were not kept.
	RefusalsPerMinute int
	Logger            *slog.Logger
}

// Server is the door. It keeps no state but the refusal counters.
type Server struct {
	hub      *hub.Hub
	reg      *Registry
	log      *slog.Logger
	throttle *throttle
	ops      map[string]opFunc
}

// request is one authenticated call.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	op     string
	signed *axis.Signed
	who    *caller
	// detail is added to the request's audit entry.
	detail map[string]any
}

func (q *request) actor() string { return "axis:" + q.who.system }

// opFunc serves one operation: it returns the value to answer with, or
// handled{} when it wrote the answer itself (a streamed package); an error
// is answered as FAIL.
type opFunc func(ctx context.Context, q *request) (any, error)

// New returns the door over cfg.Hub.
func New(cfg Config) *Server {
	s := &Server{hub: cfg.Hub, reg: cfg.Registry, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	n := cfg.RefusalsPerMinute
	if n <= 0 {
		n = 120
	}
	s.throttle = &throttle{limit: n, now: cfg.Hub.Now, count: map[string]int{}}
	s.ops = map[string]opFunc{
		axis.OpSendEdoc:            s.sendEdoc,
		axis.OpGetReceivedEdocList: s.receivedList,
		axis.OpGetSentEdocList:     s.sentList,
		axis.OpGetEdoc:             s.getEdoc,
		axis.OpDownloadEdoc:        s.downloadEdoc,
		axis.OpUpdateStatus:        s.updateStatus,
		axis.OpCountReceiveEdoc:    s.countReceived("edoc"),
		axis.OpCountReceiveStatus:  s.countReceived("status"),
		axis.OpGetAgenciesList:     s.agencies(axis.OpGetAgenciesList),
		axis.OpGetAgenciesListQD20: s.agencies(axis.OpGetAgenciesListQD20),
		axis.OpGetSynchronizeUnit:  s.agencies(axis.OpGetSynchronizeUnit),
		axis.OpRegisterAgency:      s.registerAgency,
		axis.OpDeleteAgency:        s.deleteAgency,
	}
	return s
}

// Handler serves the operations at any path ending in their names
// ({endpoint}/sendEdoc, …), so the door can sit under a path prefix.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// handled means the operation wrote its answer itself.
type handled struct{}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	op := path.Base(r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		s.refuse(w, r, op, nil, fmt.Errorf("%w: method %s (the axis takes GET and POST)", ErrBadInput, r.Method))
		return
	}
	fn, ok := s.ops[op]
	if !ok {
		s.refuse(w, r, op, nil, fmt.Errorf("%w: %q", ErrUnknownOp, clip(op)))
		return
	}
	q := &request{w: w, r: r, op: op, detail: map[string]any{}}
	var who *caller
	signed, err := axis.Verify(r.Header, func(id string) ([][]byte, error) {
		c, err := s.reg.lookup(ctx, id)
		if err != nil {
			return nil, err
		}
		who = c
		return c.secrets, nil
	})
	if err != nil {
		s.refuse(w, r, op, nil, err)
		return
	}
	q.signed, q.who = signed, who
	if signed.Secret > 0 {
		q.detail["previous_secret"] = true
	}
	if wait, err := s.hub.Allow(who.agency); err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.refuse(w, r, op, q, err)
		return
	}
	res, err := fn(ctx, q)
	if err != nil {
		s.refuse(w, r, op, q, err)
		return
	}
	s.audit(ctx, q, actRequest+op, true, "")
	if _, done := res.(handled); !done {
		writeResult(w, http.StatusOK, res)
	}
}

// audit records a request; a failure to record is logged (the answer
// stands: what the hub changed has its own entries).
func (s *Server) audit(ctx context.Context, q *request, action string, ok bool, errText string) {
	detail := map[string]any{"system": q.who.system, "op": q.op, "ok": ok, "remote": remoteHost(q.r)}
	for k, v := range q.detail {
		detail[k] = v
	}
	if errText != "" {
		detail["error"] = errText
	}
	if err := s.hub.Audit(context.WithoutCancel(ctx), q.actor(), action, q.who.agency, detail); err != nil {
		s.log.Error("axis: failed to audit request", "op", q.op, "system", q.who.system, "err", err)
	}
}

// refuse answers err in the FAIL shape and records the refusal. q is nil
// when the caller is not authenticated; the claimed system ID is then
// recorded as claimed.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, op string, q *request, err error) {
	code, status, desc := classify(err)
	if status == http.StatusInternalServerError {
		s.log.Error("axis: request failed", "op", op, "err", err)
	} else {
		s.log.Info("axis: request refused", "op", op, "code", code, "remote", r.RemoteAddr, "err", err)
	}
	ctx := context.WithoutCancel(r.Context())
	key, actor, target := remoteHost(r), "axis:?"+claimedSystem(r.Header), op
	if q != nil {
		key, actor, target = "system:"+q.who.system, q.actor(), q.who.agency
	}
	switch s.throttle.allow(key) {
	case throttleOK:
		if q != nil {
			s.audit(ctx, q, ActRefused, false, desc)
			break
		}
		if aerr := s.hub.Audit(ctx, actor, ActRefused, target, map[string]any{"op": clip(op), "ok": false,
			"claimed_system": claimedSystem(r.Header), "remote": remoteHost(r), "error": desc}); aerr != nil {
			s.log.Error("axis: failed to audit refusal", "err", aerr)
		}
	case throttleFirstOver:
		if aerr := s.hub.Audit(ctx, actor, ActThrottled, target, map[string]any{"remote": remoteHost(r),
			"limit_per_minute": s.throttle.limit}); aerr != nil {
			s.log.Error("axis: failed to audit refusal", "err", aerr)
		}
	}
	writeResult(w, status, axis.Fail(code, desc))
}

func claimedSystem(h http.Header) string {
	id := h.Get(axis.Prefix + axis.KeySystemID)
	id = strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return '?'
		}
		return r
	}, id)
	return clip(id)
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// errorCodes map errors to the axis result code and HTTP status. The
// first match wins.
var errorCodes = []struct {
	err    error
	code   string
	status int
}{
	{axis.ErrNotSigned, axis.CodeUnauthenticated, http.StatusUnauthorized},
	{axis.ErrUnknownSystem, axis.CodeUnauthenticated, http.StatusUnauthorized},
	{axis.ErrBadSignature, axis.CodeUnauthenticated, http.StatusUnauthorized},
	{axis.ErrHeaderMismatch, axis.CodeUnauthenticated, http.StatusUnauthorized},
	{axis.ErrBadHashFile, axis.CodeRefused, http.StatusUnprocessableEntity},
	{axis.ErrBadBody, axis.CodeBadRequest, http.StatusBadRequest},
	{axis.ErrBadValue, axis.CodeBadRequest, http.StatusBadRequest},
	{axis.ErrTooLarge, axis.CodeTooLarge, http.StatusRequestEntityTooLarge},
	{ErrNotAdmin, axis.CodeForbidden, http.StatusForbidden},
	{ErrBadInput, axis.CodeBadRequest, http.StatusBadRequest},
	{ErrUnknownOp, axis.CodeNotFound, http.StatusNotFound},
	{hub.ErrForbidden, axis.CodeForbidden, http.StatusForbidden},
	{hub.ErrNotFound, axis.CodeNotFound, http.StatusNotFound},
	{hub.ErrTooLarge, axis.CodeTooLarge, http.StatusRequestEntityTooLarge},
	{hub.ErrTooManyRecipients, axis.CodeRefused, http.StatusUnprocessableEntity},
	{hub.ErrRateLimited, axis.CodeRateLimited, http.StatusTooManyRequests},
	{hub.ErrBadPackage, axis.CodeRefused, http.StatusUnprocessableEntity},
	{hub.ErrBadRequest, axis.CodeBadRequest, http.StatusBadRequest},
	{hub.ErrUnknownAgency, axis.CodeRefused, http.StatusUnprocessableEntity},
	{hub.ErrConflict, axis.CodeConflict, http.StatusConflict},
	{hub.ErrAgencyExists, axis.CodeConflict, http.StatusConflict},
	{hub.ErrRecallNotAllowed, axis.CodeRefused, http.StatusUnprocessableEntity},
	{hub.ErrRouteMismatch, axis.CodeRefused, http.StatusUnprocessableEntity},
}

// classify turns an error into the FAIL answer: known errors with their
// text, anything else as an internal error without detail.
func classify(err error) (code string, status int, desc string) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return axis.CodeTooLarge, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", mbe.Limit)
	}
	for _, m := range errorCodes {
		if errors.Is(err, m.err) {
			return m.code, m.status, err.Error()
		}
	}
	return axis.CodeInternal, http.StatusInternalServerError, "internal error"
}

func writeResult(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// TLSConfig is the door's TLS: server-authenticated only (the SDKs
// authenticate with the HMAC, not a client certificate), TLS 1.2 or
// later, as the Java 8 SDK's clients need.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
}

// Serve serves the door on ln with TLS until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener, cert tls.Certificate) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         TLSConfig(cert),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    256 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelInfo),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("axis door stopped: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	}
}

// throttle counts refusals per remote address in one-minute windows.
type throttle struct {
	limit int
	now   func() time.Time
	mu    sync.Mutex
	win   int64
	count map[string]int
}

const (
	throttleOK = iota
	throttleFirstOver
	throttleOver
)

func (t *throttle) allow(key string) int {
	win := t.now().Unix() / 60
	t.mu.Lock()
	defer t.mu.Unlock()
	if win != t.win {
		t.win = win
		clear(t.count)
	}
	t.count[key]++
	switch n := t.count[key]; {
	case n <= t.limit:
		return throttleOK
	case n == t.limit+1:
		return throttleFirstOver
	}
	return throttleOver
}
