// Package registerapi serves the registers and reports over HTTP for the
// hub to mount behind its agency authorisation: every request is made as
// the agency the hub authenticated (mutual TLS), which reaches its own unit
// and the units below it (exchange/register's rule).
//
//	GET  /v1/register/units                          the agency's subtree
//	GET  /v1/register/outgoing?unit=&sub=1&from=&until=&limit=&offset=
//	GET  /v1/register/incoming?…                      the same for the incoming register
//	GET  /v1/register/{outgoing|incoming}/{id}
//	POST /v1/register/outgoing                        a paper send (JSON, as Outgoing)
//	POST /v1/register/{outgoing|incoming}/{id}/correct  {"changes":{…},"reason":"…"}
//	POST /v1/register/{outgoing|incoming}/{id}/cancel   {"reason":"…"}
//	GET  /v1/register/{outgoing|incoming}/{id}/history
//	GET  /v1/report?unit=&period=nd09:2026-03[&format=json|csv|xlsx][&view=units][&limit=]
//
// Errors are JSON {"error": code, "message": text} with 400 (bad input),
// 403 (another agency's unit), 404, 409 (duplicate) or 500.
package registerapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
)

// Agency returns the agency the hub authenticated for r, or false.
type Agency func(r *http.Request) (code string, ok bool)

// Config is what NewHandler needs.
type Config struct {
	Register *register.Register
	Reporter *report.Reporter
	Agency   Agency
	// Labels render the CSV and XLSX texts (default: the message keys).
	Labels export.Labels
	// MaxBody bounds request bodies (default 1 MiB).
	MaxBody int64
}

type handler struct{ Config }

// NewHandler returns the HTTP handler of the registers and reports.
func NewHandler(cfg Config) http.Handler {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.Labels == nil {
		cfg.Labels = func(key string, args ...any) string { return key }
	}
	h := &handler{cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/register/units", h.units)
	mux.HandleFunc("GET /v1/register/{entity}", h.list)
	mux.HandleFunc("GET /v1/register/{entity}/{id}", h.get)
	mux.HandleFunc("POST /v1/register/outgoing", h.addOutgoing)
	mux.HandleFunc("POST /v1/register/{entity}/{id}/correct", h.correct)
	mux.HandleFunc("POST /v1/register/{entity}/{id}/cancel", h.cancel)
	mux.HandleFunc("GET /v1/register/{entity}/{id}/history", h.history)
	mux.HandleFunc("GET /v1/report", h.report)
	return h.authenticate(mux)
}

func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, ok := h.Agency(r)
		if !ok || code == "" {
			writeError(w, http.StatusUnauthorized, "unauthenticated", errors.New("no authenticated agency"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *handler) actor(r *http.Request) register.Actor {
	code, _ := h.Agency(r)
	return register.Actor{Agency: code}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code string, err error) {
	writeJSON(w, status, map[string]string{"error": code, "message": err.Error()})
}

// fail maps a domain error to its status.
func fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, register.ErrForbidden):
		writeError(w, http.StatusForbidden, "forbidden", err)
	case errors.Is(err, register.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", err)
	case errors.Is(err, register.ErrDuplicate):
		writeError(w, http.StatusConflict, "duplicate", err)
	case errors.Is(err, register.ErrInvalid), errors.Is(err, register.ErrNoReason), errors.Is(err, register.ErrNotCorrectable),
		errors.Is(err, calendar.ErrBadPeriod), errors.Is(err, calendar.ErrBadDate), errors.Is(err, calendar.ErrBadDeadline),
		errors.Is(err, report.ErrBadRequest):
		writeError(w, http.StatusBadRequest, "bad_request", err)
	default:
		writeError(w, http.StatusInternalServerError, "internal", errors.New("internal error"))
	}
}

func (h *handler) units(w http.ResponseWriter, r *http.Request) {
	units, err := h.Register.Units(r.Context(), h.actor(r), r.URL.Query().Get("unit"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, units)
}

func entity(r *http.Request) (string, error) {
	switch e := r.PathValue("entity"); e {
	case register.EntityOutgoing, register.EntityIncoming:
		return e, nil
	default:
		return "", fmt.Errorf("%w: %q is not a register (outgoing, incoming)", register.ErrNotFound, e)
	}
}

func filter(r *http.Request) (register.Filter, error) {
	q := r.URL.Query()
	f := register.Filter{Unit: q.Get("unit"), SubUnits: q.Get("sub") == "1" || q.Get("sub") == "true"}
	var err error
	if s := q.Get("from"); s != "" {
		if f.From, err = calendar.ParseDate(s); err != nil {
			return f, err
		}
	}
	if s := q.Get("until"); s != "" {
		if f.To, err = calendar.ParseDate(s); err != nil {
			return f, err
		}
	}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if f.Offset < 0 {
		f.Offset = 0
	}
	return f, nil
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	e, err := entity(r)
	if err != nil {
		fail(w, err)
		return
	}
	f, err := filter(r)
	if err != nil {
		fail(w, err)
		return
	}
	var v any
	if e == register.EntityOutgoing {
		v, err = h.Register.ListOutgoing(r.Context(), h.actor(r), f)
	} else {
		v, err = h.Register.ListIncoming(r.Context(), h.actor(r), f)
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func id(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: entry id %q", register.ErrNotFound, r.PathValue("id"))
	}
	return n, nil
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	e, err := entity(r)
	if err != nil {
		fail(w, err)
		return
	}
	n, err := id(r)
	if err != nil {
		fail(w, err)
		return
	}
	var v any
	if e == register.EntityOutgoing {
		v, err = h.Register.Outgoing(r.Context(), h.actor(r), n)
	} else {
		v, err = h.Register.Incoming(r.Context(), h.actor(r), n)
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", register.ErrInvalid, err)
	}
	return nil
}

// paperSend is the body of POST /v1/register/outgoing.
type paperSend struct {
	Unit        string           `json:"unit"`
	Number      string           `json:"number"`
	Date        calendar.Date    `json:"date"`
	Type        string           `json:"type"`
	Subject     string           `json:"subject"`
	Signer      string           `json:"signer"`
	Secret      bool             `json:"secret"`
	Channel     register.Channel `json:"channel"`
	Recipients  []string         `json:"recipients"`
	PaperReason string           `json:"paper_reason"`
}

func (h *handler) addOutgoing(w http.ResponseWriter, r *http.Request) {
	var in paperSend
	if err := h.decode(w, r, &in); err != nil {
		fail(w, err)
		return
	}
	o, err := h.Register.AddOutgoing(r.Context(), h.actor(r), register.OutgoingInput{Unit: in.Unit, Number: in.Number, Date: in.Date,
		Type: in.Type, Subject: in.Subject, Signer: in.Signer, Secret: in.Secret, Channel: in.Channel, Recipients: in.Recipients,
		PaperReason: in.PaperReason})
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

// entryAction decodes body and runs do on the entry the path names.
func (h *handler) entryAction(w http.ResponseWriter, r *http.Request, body any, status string, do func(entity string, id int64) error) {
	e, err := entity(r)
	if err == nil {
		var n int64
		if n, err = id(r); err == nil {
			if err = h.decode(w, r, body); err == nil {
				err = do(e, n)
			}
		}
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": status})
}

func (h *handler) correct(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Changes map[string]string `json:"changes"`
		Reason  string            `json:"reason"`
	}
	h.entryAction(w, r, &body, "corrected", func(e string, n int64) error {
		return h.Register.Correct(r.Context(), h.actor(r), e, n, body.Changes, body.Reason)
	})
}

func (h *handler) cancel(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string `json:"reason"`
	}
	h.entryAction(w, r, &body, "cancelled", func(e string, n int64) error {
		return h.Register.Cancel(r.Context(), h.actor(r), e, n, body.Reason)
	})
}

func (h *handler) history(w http.ResponseWriter, r *http.Request) {
	e, err := entity(r)
	if err != nil {
		fail(w, err)
		return
	}
	n, err := id(r)
	if err != nil {
		fail(w, err)
		return
	}
	hist, err := h.Register.History(r.Context(), h.actor(r), e, n)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, hist)
}

func (h *handler) report(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := calendar.ParsePeriod(q.Get("period"))
	if err != nil {
		fail(w, err)
		return
	}
	req := report.Request{Actor: h.actor(r), Unit: q.Get("unit"), Period: p}
	req.MissedLimit, _ = strconv.Atoi(q.Get("limit"))
	if s := q.Get("deadline"); s != "" {
		rule, err := calendar.ParseDeadline(s)
		if err != nil {
			fail(w, err)
			return
		}
		req.Deadline = &rule
	}
	rep, err := h.Reporter.Compute(r.Context(), req, nil)
	if err != nil {
		fail(w, err)
		return
	}
	switch q.Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, rep)
	case "csv":
		view := q.Get("view")
		if view == "" {
			view = "units"
		}
		v, err := export.ViewByName(rep, h.Labels, view)
		if err != nil {
			fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_ = export.CSV(w, v)
	case "xlsx":
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		_ = export.XLSX(w, rep, h.Labels)
	default:
		fail(w, fmt.Errorf("%w: format %q (json, csv, xlsx)", report.ErrBadRequest, q.Get("format")))
	}
}
