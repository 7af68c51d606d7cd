package axishub

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

	"github.com/vanthu/vanthu/exchange/axis"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// clientIDPrefix marks the sends of this door in the hub: the client ID
// of a package is clientIDPrefix + its SHA-256, so the SDKs' blind
// retries of the same package by the same agency are one send.
const clientIDPrefix = "axis-"

// multipartSlack is what a multipart body may add to the package.
const multipartSlack = 1 << 20

func (s *Server) sendEdoc(ctx context.Context, q *request) (any, error) {
	kind, err := messageType(q.signed, true)
	if err != nil {
		return nil, err
	}
	if from := q.signed.Get(axis.KeyFrom); from != "" && from != q.who.agency && from != q.who.system {
		return nil, fmt.Errorf("%w: from %q is not this system's agency %s", hub.ErrForbidden, clip(from), q.who.agency)
	}
	var to []string
	if kind == wire.KindDocument { // status packages go to the document's sender only
		if to, err = axis.ParseTo(q.signed.Get(axis.KeyTo)); err != nil {
			return nil, err
		}
	}
	max := s.hub.Limits().MaxPackageSize
	q.r.Body = http.MaxBytesReader(q.w, q.r.Body, max+multipartSlack)
	sp, err := axis.SpoolPackage(q.r, s.hub.SpoolDir(), max, q.signed.Get(axis.KeyHashFile))
	if err != nil {
		return nil, err
	}
	defer sp.Close()
	q.detail["sha256"], q.detail["size"], q.detail["kind"] = sp.SHA256, sp.Size, kind
	if len(to) > 0 {
		q.detail["to"] = to
	}
	res, err := s.hub.Send(ctx, hub.SendRequest{Caller: q.who.agency, ClientID: clientIDPrefix + sp.SHA256, SHA256: sp.SHA256,
		Kind: kind, To: to, Body: sp.Reader()})
	if err != nil {
		return nil, err
	}
	id := strconv.FormatInt(res.MessageID, 10)
	q.detail["docId"], q.detail["duplicate"], q.detail["document"] = id, res.Duplicate, res.DocumentID
	return axis.SendResult{Result: axis.OK(), DocID: id}, nil
}

// messageType reads messagetype: edoc or status (any case); required, or
// empty for both kinds.
func messageType(s *axis.Signed, required bool) (wire.Kind, error) {
	switch v := strings.ToLower(strings.TrimSpace(s.Get(axis.KeyMessageType))); v {
	case "edoc":
		return wire.KindDocument, nil
	case "status":
		return wire.KindStatus, nil
	case "":
		if !required {
			return "", nil
		}
	}
	return "", fmt.Errorf("%w: %s%s must be edoc or status, not %q", ErrBadInput, axis.Prefix, axis.KeyMessageType, clip(s.Get(axis.KeyMessageType)))
}

func dateRange(s *axis.Signed) (since, until time.Time, err error) {
	if since, err = axis.ParseDate(s.Get(axis.KeyFromDate), false); err != nil {
		return
	}
	until, err = axis.ParseDate(s.Get(axis.KeyToDate), true)
	return
}

func pageSize(s *axis.Signed) (int, error) {
	v := strings.TrimSpace(s.Get(axis.KeyPageSize))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: %s%s %q", ErrBadInput, axis.Prefix, axis.KeyPageSize, clip(v))
	}
	return n, nil
}

func docID(s *axis.Signed) (int64, error) {
	v := strings.TrimSpace(s.Get(axis.KeyDocID))
	if v == "" {
		return 0, fmt.Errorf("%w: %s%s is required", ErrBadInput, axis.Prefix, axis.KeyDocID)
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%w: docId %q", hub.ErrNotFound, clip(v))
	}
	return id, nil
}

// Receive statuses of the received list, besides those updateStatus sets.
const (
	recvNew     = "new"
	recvFetched = "fetched"
)

var statusText = map[string]string{
	recvNew:                 "Chưa nhận",
	recvFetched:             "Đã tải về, chưa xác nhận",
	axis.UpdateDone:         "Đã nhận",
	axis.UpdateFail:         "Nhận lỗi",
	axis.UpdateProcessing:   "Đang xử lý",
	axis.UpdateInbox:        "Đã vào sổ đến",
	axis.UpdateRejection:    "Từ chối",
	axis.UpdateAcceptance:   "Tiếp nhận",
	axis.UpdateAssignment:   "Đã phân công",
	axis.UpdateCancellation: "Hủy",
	"pending":               "Chưa nhận",
	"removed":               "Đã thu hồi",
	"sent":                  "Đã gửi lên trục",
}

type recvStatus struct {
	status, description string
	at                  time.Time
}

// receiveStatuses are the statuses updateStatus recorded for deliveries.
func (s *Server) receiveStatuses(ctx context.Context, ids []int64) (map[int64]recvStatus, error) {
	out := map[int64]recvStatus{}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 200)]
		ids = ids[len(batch):]
		args := make([]any, len(batch))
		for i, id := range batch {
			args[i] = id
		}
		rows, err := s.hub.DB().Query(ctx, "SELECT delivery_id, status, description, at FROM axis_receive_status WHERE delivery_id IN ("+
			strings.TrimSuffix(strings.Repeat("?,", len(batch)), ",")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, at int64
			var st recvStatus
			if err := rows.Scan(&id, &st.status, &st.description, &at); err != nil {
				rows.Close()
				return nil, err
			}
			st.at = fromMicros(at)
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// listFilter is what the lists take: messagetype (both kinds when
// absent), fromDate/toDate and pageSize.
type listFilter struct {
	kind         wire.Kind
	since, until time.Time
	limit        int
}

func listFilterOf(s *axis.Signed) (f listFilter, err error) {
	if f.kind, err = messageType(s, false); err != nil {
		return
	}
	if f.since, f.until, err = dateRange(s); err != nil {
		return
	}
	f.limit, err = pageSize(s)
	return
}

func (s *Server) receivedList(ctx context.Context, q *request) (any, error) {
	lf, err := listFilterOf(q.signed)
	if err != nil {
		return nil, err
	}
	items, err := s.hub.ListInbox(ctx, q.who.agency, hub.InboxFilter{Kind: lf.kind, Since: lf.since, Until: lf.until, Limit: lf.limit})
	if err != nil {
		return nil, err
	}
	recorded, err := s.receiveStatuses(ctx, deliveryIDs(items, func(it wire.InboxItem) int64 { return it.DeliveryID }))
	if err != nil {
		return nil, err
	}
	out := axis.ReceivedList{Result: axis.OK(), Data: []axis.Received{}}
	for _, it := range items {
		e := axis.Received{DocID: strconv.FormatInt(it.DeliveryID, 10), ServiceType: axis.ServiceTypeEDoc,
			MessageType: string(it.Kind), From: it.From, To: q.who.agency, Status: recvNew,
			CreatedTime: axis.FormatTime(it.QueuedAt), UpdatedTime: axis.FormatTime(it.QueuedAt),
			DocumentID: it.DocumentID, Subject: it.Subject, StatusCode: it.StatusCode, BusinessType: it.BusinessType,
			Size: it.Size, SHA256: it.SHA256}
		if it.Fetched {
			e.Status = recvFetched
		}
		e.StatusDesc = statusText[e.Status]
		if r, ok := recorded[it.DeliveryID]; ok {
			e.Status, e.StatusDesc, e.UpdatedTime = r.status, describe(r), axis.FormatTime(r.at)
		}
		out.Data = append(out.Data, e)
	}
	q.detail["count"] = len(out.Data)
	return out, nil
}

func deliveryIDs[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func describe(r recvStatus) string {
	if r.description != "" {
		return r.description
	}
	return statusText[r.status]
}

func (s *Server) sentList(ctx context.Context, q *request) (any, error) {
	lf, err := listFilterOf(q.signed)
	if err != nil {
		return nil, err
	}
	f := hub.SentFilter{Kind: lf.kind, Since: lf.since, Until: lf.until, Limit: lf.limit}
	if q.signed.Get(axis.KeyDocID) != "" {
		if f.MessageID, err = docID(q.signed); err != nil {
			return axis.SentList{Result: axis.OK(), Data: []axis.Sent{}}, nil
		}
	}
	items, err := s.hub.ListSent(ctx, q.who.agency, f)
	if err != nil {
		return nil, err
	}
	recorded, err := s.receiveStatuses(ctx, deliveryIDs(items, func(it hub.SentItem) int64 { return it.DeliveryID }))
	if err != nil {
		return nil, err
	}
	out := axis.SentList{Result: axis.OK(), Data: []axis.Sent{}}
	for _, it := range items {
		e := axis.Sent{SenderDocID: strconv.FormatInt(it.MessageID, 10), ReceiverDocID: strconv.FormatInt(it.DeliveryID, 10),
			ServiceType: axis.ServiceTypeEDoc, MessageType: string(it.Kind), FromCode: q.who.agency, ToCode: it.Recipient,
			SendStatus: "sent", SendStatusDesc: statusText["sent"], Title: it.Subject, Notation: notation(it.DocumentID),
			SentTime: axis.FormatTime(it.SentAt), DocumentID: it.DocumentID, StatusCode: it.LastCode}
		switch {
		case it.State == "removed":
			e.ReceiveStatus, e.ReceivedTime = "removed", axis.FormatTime(it.RemovedAt)
		case it.State == "acked":
			e.ReceiveStatus, e.ReceivedTime = axis.UpdateDone, axis.FormatTime(it.AckedAt)
		case !it.FetchedAt.IsZero():
			e.ReceiveStatus, e.ReceivedTime = recvFetched, axis.FormatTime(it.FetchedAt)
		default:
			e.ReceiveStatus = "pending"
		}
		e.ReceiveStatusDesc = statusText[e.ReceiveStatus]
		if r, ok := recorded[it.DeliveryID]; ok && it.State != "removed" {
			e.ReceiveStatus, e.ReceiveStatusDesc = r.status, describe(r)
		}
		if it.LastCode != "" {
			e.ReceiveStatusDesc += " (" + it.LastCode + " " + it.LastDescription + ")"
		}
		out.Data = append(out.Data, e)
	}
	q.detail["count"] = len(out.Data)
	return out, nil
}

// notation is the number/notation part of a DocumentId
// (OrganId,yyyy/MM/dd,Number/Notation).
func notation(documentID string) string {
	parts := strings.SplitN(documentID, ",", 3)
	if len(parts) == 3 {
		return parts[2]
	}
	return ""
}

func (s *Server) fetch(ctx context.Context, q *request) (*hub.Package, error) {
	id, err := docID(q.signed)
	if err != nil {
		return nil, err
	}
	q.detail["docId"] = id
	return s.hub.Fetch(ctx, q.who.agency, id)
}

func (s *Server) getEdoc(ctx context.Context, q *request) (any, error) {
	p, err := s.fetch(ctx, q)
	if err != nil {
		return nil, err
	}
	q.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	q.w.WriteHeader(http.StatusOK)
	if err := axis.WriteEdoc(q.w, p.Body); err != nil {
		q.detail["interrupted"] = err.Error()
	}
	return handled{}, nil
}

func (s *Server) downloadEdoc(ctx context.Context, q *request) (any, error) {
	p, err := s.fetch(ctx, q)
	if err != nil {
		return nil, err
	}
	h := q.w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(p.Size, 10))
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%d.edxml"`, p.DeliveryID))
	q.w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(q.w, p.Body); err != nil {
		q.detail["interrupted"] = err.Error()
	}
	return handled{}, nil
}

// updateValues are the statuses updateStatus takes.
var updateValues = map[string]bool{axis.UpdateDone: true, axis.UpdateFail: true, axis.UpdateProcessing: true,
	axis.UpdateInbox: true, axis.UpdateRejection: true, axis.UpdateAcceptance: true, axis.UpdateAssignment: true,
	axis.UpdateCancellation: true}

// updateStatus records a recipient's status of one of its deliveries;
// done is the acknowledgement (the delivery leaves the list and the hub
// tells the sender it arrived). Every other value is recorded and shown
// in the lists; the delivery stays until done.
func (s *Server) updateStatus(ctx context.Context, q *request) (any, error) {
	id, err := docID(q.signed)
	if err != nil {
		return nil, err
	}
	status := strings.ToLower(strings.TrimSpace(q.signed.Get(axis.KeyStatus)))
	if !updateValues[status] {
		return nil, fmt.Errorf("%w: status %q (done, fail, processing, inbox, rejection, acceptance, assignment or cancellation)",
			ErrBadInput, clip(status))
	}
	desc := q.signed.Get(axis.KeyDescription)
	if len(desc) > 2000 {
		desc = desc[:2000]
	}
	if _, err := s.hub.DeliveryOf(ctx, q.who.agency, id); err != nil {
		return nil, err
	}
	q.detail["docId"], q.detail["status"] = id, status
	if status == axis.UpdateDone {
		if err := s.hub.Ack(ctx, q.who.agency, []int64{id}); err != nil {
			return nil, err
		}
	}
	err = s.hub.Update(ctx, func(ctx context.Context, tx *store.Tx, _ hub.AuditFunc) error {
		_, err := tx.Exec(ctx, `INSERT INTO axis_receive_status (delivery_id, status, description, at) VALUES (?, ?, ?, ?)
			ON CONFLICT (delivery_id) DO UPDATE SET status = excluded.status, description = excluded.description, at = excluded.at`,
			id, status, desc, micros(s.hub.Now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return axis.OK(), nil
}

func (s *Server) countReceived(kind wire.Kind) opFunc {
	return func(ctx context.Context, q *request) (any, error) {
		since, until, err := dateRange(q.signed)
		if err != nil {
			return nil, err
		}
		n, err := s.hub.CountInbox(ctx, q.who.agency, hub.InboxFilter{Kind: kind, Since: since, Until: until})
		if err != nil {
			return nil, err
		}
		q.detail["count"] = n
		return axis.Count{Result: axis.OK(), Count: n}, nil
	}
}

type agencyInfo struct{ extID, mail string }

func (s *Server) agencyInfo(ctx context.Context) (map[string]agencyInfo, error) {
	out := map[string]agencyInfo{}
	rows, err := s.hub.DB().Query(ctx, "SELECT code, ext_id, mail FROM axis_agency_info")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var i agencyInfo
		if err := rows.Scan(&code, &i.extID, &i.mail); err != nil {
			return nil, err
		}
		out[code] = i
	}
	return out, rows.Err()
}

// agencies answers the agency lists from the hub's directory: active
// agencies (getSynchronizeUnit also lists deleted ones, marked). The id of
// an agency is the one registerAgency gave it, else its code; QD20's
// level keeps the agencies that many steps from the top (1: no parent).
func (s *Server) agencies(op string) opFunc {
	return func(ctx context.Context, q *request) (any, error) {
		list, err := s.hub.Directory(ctx)
		if err != nil {
			return nil, err
		}
		info, err := s.agencyInfo(ctx)
		if err != nil {
			return nil, err
		}
		level := 0
		if v := strings.TrimSpace(q.signed.Get(axis.KeyLevel)); v != "" && op == axis.OpGetAgenciesListQD20 {
			if level, err = strconv.Atoi(v); err != nil || level < 1 {
				return nil, fmt.Errorf("%w: level %q", ErrBadInput, clip(v))
			}
		}
		parent := map[string]string{}
		for _, a := range list {
			parent[a.Code] = a.Parent
		}
		depth := func(code string) int {
			d := 1
			for p := parent[code]; p != "" && d < 64; p = parent[p] {
				d++
			}
			return d
		}
		id := func(code string) string {
			if code == "" {
				return ""
			}
			if i := info[code].extID; i != "" {
				return i
			}
			return code
		}
		out := axis.AgencyList{Result: axis.OK(), Data: []axis.Agency{}}
		for _, a := range list {
			deleted := a.Revoked != nil
			if deleted && op != axis.OpGetSynchronizeUnit || level > 0 && depth(a.Code) != level {
				continue
			}
			e := axis.Agency{ID: id(a.Code), Code: a.Code, PID: id(a.Parent), Name: a.Name, Mail: info[a.Code].mail}
			if oldForm(a.Code) {
				e.OldCode = a.Code
			}
			switch op {
			case axis.OpGetAgenciesListQD20:
				e.Code102 = e.OldCode
			case axis.OpGetSynchronizeUnit:
				yes := true
				e.Version, e.Deleted, e.IsAgency = 1, &deleted, &yes
				if deleted {
					e.ModifyDate = axis.FormatTime(*a.Revoked)
				}
			}
			out.Data = append(out.Data, e)
		}
		q.detail["count"] = len(out.Data)
		return out, nil
	}
}

func (s *Server) registerAgency(ctx context.Context, q *request) (any, error) {
	if !q.who.admin {
		return nil, fmt.Errorf("%w: registerAgency needs an admin system (vanthu hub system add --admin)", ErrNotAdmin)
	}
	raw, err := io.ReadAll(io.LimitReader(q.r.Body, 64<<10+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > 64<<10 {
		return nil, fmt.Errorf("%w: body larger than 64 KiB", ErrBadInput)
	}
	var a axis.RegisterAgency
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("%w: the body is not the JSON of an agency (id, pcode, code, name, mail, mobile, fax): %v", ErrBadInput, err)
	}
	a.Code, a.PCode, a.Name = strings.TrimSpace(a.Code), strings.TrimSpace(a.PCode), strings.TrimSpace(a.Name)
	if !hub.ValidAgencyCode(a.Code) {
		return nil, fmt.Errorf("%w: agency code %q", ErrBadInput, clip(a.Code))
	}
	q.detail["code"] = a.Code
	_, err = s.hub.AgencyName(ctx, a.Code)
	switch {
	case err == nil:
		q.detail["updated"] = true // known: its contact details are updated, its name and place are the hub's
	case isUnknown(err):
		if err := s.hub.AddAgency(ctx, q.actor(), wire.Agency{Code: a.Code, Name: a.Name, Parent: a.PCode}); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	err = s.hub.Update(ctx, func(ctx context.Context, tx *store.Tx, _ hub.AuditFunc) error {
		_, err := tx.Exec(ctx, `INSERT INTO axis_agency_info (code, ext_id, mail, mobile, fax, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET ext_id = excluded.ext_id, mail = excluded.mail, mobile = excluded.mobile,
			fax = excluded.fax, updated_at = excluded.updated_at`, a.Code, clip(a.ID), clip(a.Mail), clip(a.Mobile), clip(a.Fax),
			micros(s.hub.Now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return axis.OK(), nil
}

func isUnknown(err error) bool { return errors.Is(err, hub.ErrUnknownAgency) }

// oldForm reports whether code is in the old 13-character form
// NNN.NN.NN.XNN still used on the axis.
func oldForm(code string) bool {
	return len(code) == 13 && strings.Count(code, ".") == 3 && code[0] >= '0' && code[0] <= '9'
}

func (s *Server) deleteAgency(ctx context.Context, q *request) (any, error) {
	if !q.who.admin {
		return nil, fmt.Errorf("%w: deleteAgency needs an admin system (vanthu hub system add --admin)", ErrNotAdmin)
	}
	code := strings.TrimSpace(q.signed.Get(axis.KeyAgencyCode))
	if code == "" {
		return nil, fmt.Errorf("%w: %s%s is required", ErrBadInput, axis.Prefix, axis.KeyAgencyCode)
	}
	if code == q.who.agency {
		return nil, fmt.Errorf("%w: a system cannot delete its own agency", hub.ErrForbidden)
	}
	q.detail["code"] = code
	reason := "deleteAgency by axis system " + q.who.system
	if err := s.hub.RevokeAgency(ctx, q.actor(), code, reason); err != nil {
		return nil, err
	}
	err := s.hub.Update(ctx, func(ctx context.Context, tx *store.Tx, audit hub.AuditFunc) error {
		return revokeAgency(ctx, tx, audit, q.actor(), code, reason, s.hub.Now())
	})
	if err != nil {
		return nil, err
	}
	return axis.OK(), nil
}
