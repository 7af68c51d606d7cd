package axis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// Result status values.
const (
	StatusOK   = "OK"
	StatusFail = "FAIL"
)

// ErrorCode values. "0" is the SDKs' success; the failure codes are
// vanthu's, numeric like HTTP's so that integrations which parse them as
// numbers keep working.
const (
	CodeOK              = "0"
	CodeBadRequest      = "400"
	CodeUnauthenticated = "401"
	CodeForbidden       = "403"
	CodeNotFound        = "404"
	CodeConflict        = "409"
	CodeTooLarge        = "413"
	CodeRefused         = "422" // the package or its routing was refused
	CodeRateLimited     = "429"
	CodeInternal        = "500"
)

// Operations of the document service (the last path element).
const (
	OpSendEdoc            = "sendEdoc"
	OpGetReceivedEdocList = "getReceivedEdocList"
	OpGetSentEdocList     = "getSentEdocList"
	OpGetEdoc             = "getEdoc"
	OpDownloadEdoc        = "downloadEdoc"
	OpUpdateStatus        = "updateStatus"
	OpCountReceiveEdoc    = "countReceiveEdoc"
	OpCountReceiveStatus  = "countReceiveStatus"
	OpGetAgenciesList     = "getAgenciesList"
	OpGetAgenciesListQD20 = "getAgenciesListQD20"
	OpGetSynchronizeUnit  = "getSynchronizeUnit"
	OpRegisterAgency      = "registerAgency"
	OpDeleteAgency        = "deleteAgency"
)

// Receive statuses a recipient reports with updateStatus. Done is the
// acknowledgement that takes a document off the received list.
const (
	UpdateDone         = "done"
	UpdateFail         = "fail"
	UpdateProcessing   = "processing"
	UpdateInbox        = "inbox"
	UpdateRejection    = "rejection"
	UpdateAcceptance   = "acceptance"
	UpdateAssignment   = "assignment"
	UpdateCancellation = "cancellation"
)

// Result is what every answer carries. The SDKs read the three fields of
// every answer and fail when one is missing, so they are never omitted.
type Result struct {
	Status    string `json:"status"`
	ErrorCode string `json:"ErrorCode"`
	ErrorDesc string `json:"ErrorDesc"`
}

// OK is the success result.
func OK() Result { return Result{Status: StatusOK, ErrorCode: CodeOK, ErrorDesc: ""} }

// Fail is a failure result.
func Fail(code, desc string) Result {
	return Result{Status: StatusFail, ErrorCode: code, ErrorDesc: desc}
}

// Err is nil for a success and a *Failure otherwise.
func (r Result) Err() error {
	if r.Status == StatusOK && r.ErrorCode == CodeOK {
		return nil
	}
	return &Failure{Code: r.ErrorCode, Desc: r.ErrorDesc}
}

// SendResult answers sendEdoc.
type SendResult struct {
	Result
	DocID string `json:"DocId"`
}

// Received is one entry of getReceivedEdocList. The fields after
// UpdatedTime are vanthu's additions (the SDKs ignore them).
type Received struct {
	DocID       string `json:"docId"`
	ServiceType string `json:"serviceType"`
	MessageType string `json:"messageType"`
	From        string `json:"from"`
	To          string `json:"to"`
	Status      string `json:"status"`
	StatusDesc  string `json:"status_desc"`
	CreatedTime string `json:"created_time"`
	UpdatedTime string `json:"updated_time"`

	DocumentID   string `json:"documentId,omitempty"`
	Subject      string `json:"subject,omitempty"`
	StatusCode   string `json:"statusCode,omitempty"`
	BusinessType int    `json:"businessType,omitempty"`
	Size         int64  `json:"size,omitempty"`
	SHA256       string `json:"sha256,omitempty"`
}

// ReceivedList answers getReceivedEdocList.
type ReceivedList struct {
	Result
	Data []Received `json:"data"`
}

// Sent is one entry (one recipient of one package) of getSentEdocList.
// DocumentID and StatusCode are vanthu's additions.
type Sent struct {
	SenderDocID       string `json:"senderDocId"`
	ReceiverDocID     string `json:"receiverDocId"`
	ServiceType       string `json:"serviceType"`
	MessageType       string `json:"messageType"`
	FromCode          string `json:"fromCode"`
	ToCode            string `json:"toCode"`
	SendStatus        string `json:"sendStatus"`
	SendStatusDesc    string `json:"sendStatusDesc"`
	ReceiveStatus     string `json:"receiveStatus"`
	ReceiveStatusDesc string `json:"receiveStatusDesc"`
	Title             string `json:"title"`
	Notation          string `json:"notation"`
	SentTime          string `json:"sentTime"`
	ReceivedTime      string `json:"receivedTime"`

	DocumentID string `json:"documentId,omitempty"`
	StatusCode string `json:"statusCode,omitempty"`
}

// SentList answers getSentEdocList.
type SentList struct {
	Result
	Data []Sent `json:"data"`
}

// Count answers countReceiveEdoc and countReceiveStatus.
type Count struct {
	Result
	Count int `json:"count"`
}

// Agency is one entry of getAgenciesList, getAgenciesListQD20 and
// getSynchronizeUnit (each reads the fields it knows).
type Agency struct {
	ID      string `json:"id"`
	Code    string `json:"code"`
	PID     string `json:"pid"`
	Name    string `json:"name"`
	Mail    string `json:"mail"`
	OldCode string `json:"oldCode,omitempty"`
	Code102 string `json:"code102,omitempty"`

	Version    int    `json:"version,omitempty"`
	CenterCode string `json:"centerCode,omitempty"`
	Deleted    *bool  `json:"deleted,omitempty"`
	ModifyDate string `json:"modifyDate,omitempty"`
	IsAgency   *bool  `json:"isAgency,omitempty"`
}

// AgencyList answers the agency lists.
type AgencyList struct {
	Result
	Data []Agency `json:"data"`
}

// RegisterAgency is the JSON body of registerAgency.
type RegisterAgency struct {
	ID     string `json:"id"`
	PCode  string `json:"pcode"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Mail   string `json:"mail"`
	Mobile string `json:"mobile"`
	Fax    string `json:"fax"`
}

// DecodeResult reads an answer of at most limit bytes into v (a struct
// embedding Result) and checks that the three result fields are present.
// Like the SDKs (Gson's getAsString), it takes a number or a boolean where
// a string is expected, and a null as absent.
func DecodeResult(r io.Reader, limit int64, v any) error {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return err
	}
	if int64(len(raw)) > limit {
		return fmt.Errorf("%w: longer than %d bytes", ErrBadResult, limit)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return fmt.Errorf("%w: %v", ErrBadResult, err)
	}
	top, ok := tree.(map[string]any)
	if !ok {
		return fmt.Errorf("%w: not a JSON object", ErrBadResult)
	}
	for _, k := range []string{"status", "ErrorCode", "ErrorDesc"} {
		if _, ok := top[k]; !ok {
			return fmt.Errorf("%w: no %s", ErrBadResult, k)
		}
	}
	norm, err := json.Marshal(loosen("", tree))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadResult, err)
	}
	if err := json.Unmarshal(norm, v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadResult, err)
	}
	return nil
}

// typedKeys are the result fields that are not strings.
var typedKeys = map[string]bool{"count": true, "version": true, "size": true, "businessType": true,
	"deleted": true, "isAgency": true, "data": true}

// loosen turns the scalars of a decoded answer that sit where strings
// belong into strings, and drops nulls.
func loosen(key string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			t[k] = loosen(k, e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = loosen("", e)
		}
		return t
	case json.Number:
		if typedKeys[key] {
			return t
		}
		return t.String()
	case bool:
		if typedKeys[key] {
			return t
		}
		return strconv.FormatBool(t)
	}
	return v
}
