package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/wire"
)

type ctxKey struct{}

// NewHandler serves the hub API. It must run behind TLSConfig's mutual TLS:
// a request without a verified client certificate is refused.
func NewHandler(h *Hub) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PathMessages, h.handleSend)
	mux.HandleFunc("GET "+wire.PathInbox, h.handleInbox)
	mux.HandleFunc("GET "+wire.PathDelivery+"{id}/package", h.handleFetch)
	mux.HandleFunc("POST "+wire.PathDelivery+"{id}/ack", h.handleAckOne)
	mux.HandleFunc("POST "+wire.PathAck, h.handleAck)
	mux.HandleFunc("GET "+wire.PathDirectory, h.handleDirectory)
	mux.HandleFunc("GET "+wire.PathDocStatus, h.handleDocStatus)
	mux.HandleFunc("GET "+wire.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "agency": caller(r)})
	})
	for _, m := range h.mounts {
		mux.Handle(m.pattern, m.handler)
	}
	return h.authenticate(mux)
}

type mount struct {
	pattern string
	handler http.Handler
}

// Mount serves handler for pattern (a net/http pattern, e.g.
// "/v1/register/") behind the hub's mutual-TLS authentication and request
// limits; Caller(r) is the authenticated agency. Call it before Serve.
func (h *Hub) Mount(pattern string, handler http.Handler) {
	h.mounts = append(h.mounts, mount{pattern, handler})
}

// Caller is the agency the hub authenticated for a request to a mounted
// handler ("" outside the hub's handler).
func Caller(r *http.Request) string { return caller(r) }

func caller(r *http.Request) string {
	s, _ := r.Context().Value(ctxKey{}).(string)
	return s
}

// authenticate maps the verified client certificate to its agency and
// applies the per-agency request limit.
func (h *Hub) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.PeerCertificates) == 0 {
			writeError(w, fmt.Errorf("%w: no client certificate", ErrCertificate))
			return
		}
		code, err := h.authenticateRequest(r.Context(), r.TLS.PeerCertificates[0])
		if err != nil {
			writeError(w, err)
			return
		}
		if wait, err := h.rate.allow(code); err != nil {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			writeError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, code)))
	})
}

func (h *Hub) handleSend(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > h.limits.MaxPackageSize {
		writeError(w, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, r.ContentLength, h.limits.MaxPackageSize))
		return
	}
	body := http.MaxBytesReader(w, r.Body, h.limits.MaxPackageSize+1)
	res, err := h.Send(r.Context(), SendRequest{
		Caller:   caller(r),
		ClientID: r.Header.Get(wire.HeaderMessageID),
		SHA256:   r.Header.Get(wire.HeaderSHA256),
		Kind:     wire.Kind(r.Header.Get(wire.HeaderKind)),
		Body:     body,
	})
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, h.limits.MaxPackageSize)
		}
		writeError(w, err)
		return
	}
	code := http.StatusCreated
	if res.Duplicate {
		code = http.StatusOK
	}
	writeJSON(w, code, res)
}

func (h *Hub) handleInbox(w http.ResponseWriter, r *http.Request) {
	me := caller(r)
	q := r.URL.Query()
	if a := q.Get("agency"); a != "" && a != me {
		writeError(w, fmt.Errorf("%w: %s cannot read %s's inbox", ErrForbidden, me, a))
		return
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	var wait time.Duration
	if s := q.Get("wait"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			writeError(w, fmt.Errorf("%w: wait=%q", ErrBadRequest, s))
			return
		}
		wait = d
	}
	items, err := h.Inbox(r.Context(), me, after, wait)
	if err != nil {
		writeError(w, err)
		return
	}
	if items == nil {
		items = []wire.InboxItem{}
	}
	writeJSON(w, http.StatusOK, wire.Inbox{Items: items})
}

func deliveryID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: delivery ID %q", ErrBadRequest, r.PathValue("id"))
	}
	return id, nil
}

func (h *Hub) handleFetch(w http.ResponseWriter, r *http.Request) {
	id, err := deliveryID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	p, err := h.Fetch(r.Context(), caller(r), id)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(p.Size, 10))
	w.Header().Set(wire.HeaderSHA256, p.SHA256)
	if _, err := io.Copy(w, p.Body); err != nil {
		h.log.Warn("fetch interrupted", "delivery", id, "err", err)
	}
}

func (h *Hub) handleAckOne(w http.ResponseWriter, r *http.Request) {
	id, err := deliveryID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := h.Ack(r.Context(), caller(r), []int64{id}); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"acknowledged": 1})
}

func (h *Hub) handleAck(w http.ResponseWriter, r *http.Request) {
	var req wire.AckRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, fmt.Errorf("%w: %w", ErrBadRequest, err))
		return
	}
	if err := h.Ack(r.Context(), caller(r), req.DeliveryIDs); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"acknowledged": len(req.DeliveryIDs)})
}

func (h *Hub) handleDirectory(w http.ResponseWriter, r *http.Request) {
	list, err := h.Directory(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Directory{Agencies: list})
}

func (h *Hub) handleDocStatus(w http.ResponseWriter, r *http.Request) {
	doc := strings.TrimSpace(r.URL.Query().Get("doc"))
	if doc == "" {
		writeError(w, fmt.Errorf("%w: doc is required", ErrBadRequest))
		return
	}
	if s := r.URL.Query().Get("sender"); s != "" && s != caller(r) {
		writeError(w, fmt.Errorf("%w: only the sender sees a document's statuses", ErrForbidden))
		return
	}
	ds, err := h.DocStatus(r.Context(), caller(r), doc)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ds)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// httpErrors maps the hub's errors to HTTP answers.
var httpErrors = []struct {
	err    error
	status int
	code   string
}{
	{ErrCertificate, http.StatusUnauthorized, wire.CodeForbidden},
	{ErrForbidden, http.StatusForbidden, wire.CodeForbidden},
	{ErrNotFound, http.StatusNotFound, wire.CodeNotFound},
	{ErrTooLarge, http.StatusRequestEntityTooLarge, wire.CodeTooLarge},
	{ErrTooManyRecipients, http.StatusUnprocessableEntity, wire.CodeTooMany},
	{ErrRateLimited, http.StatusTooManyRequests, wire.CodeRateLimited},
	{ErrBadPackage, http.StatusUnprocessableEntity, wire.CodeBadPackage},
	{ErrBadRequest, http.StatusBadRequest, wire.CodeBadRequest},
	{ErrUnknownAgency, http.StatusUnprocessableEntity, wire.CodeUnknownAgency},
	{ErrConflict, http.StatusConflict, wire.CodeConflict},
	{ErrRecallNotAllowed, http.StatusUnprocessableEntity, wire.CodeRecallNotAllowed},
	{ErrRouteMismatch, http.StatusUnprocessableEntity, wire.CodeRouteMismatch},
}

func writeError(w http.ResponseWriter, err error) {
	for _, m := range httpErrors {
		if errors.Is(err, m.err) {
			writeJSON(w, m.status, wire.Error{Code: m.code, Message: err.Error()})
			return
		}
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	writeJSON(w, http.StatusInternalServerError, wire.Error{Code: wire.CodeInternal, Message: "internal error"})
}
