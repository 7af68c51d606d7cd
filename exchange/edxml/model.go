package edxml

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Namespace is the edXML namespace of QCVN 102:2016.
const Namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

// Kind tells a document package from a status package.
type Kind int

// Kinds of package.
const (
	KindDocument Kind = iota + 1 // MessageHeader with To, DocumentId, Code, …
	KindStatus                   // MessageHeader with ResponseFor, StatusCode, …
)

func (k Kind) String() string {
	switch k {
	case KindDocument:
		return "edoc"
	case KindStatus:
		return "status"
	}
	return "unknown"
}

// Package is one edXML package: a document or a status, its trace, its
// attachments (as references: the contents go to a sink on Parse and come
// from readers on Write) and, after Parse, what is needed to verify it.
type Package struct {
	Kind   Kind
	Header *Header       // KindDocument
	Status *StatusHeader // KindStatus

	// TraceHeaderList (document packages; optional in status packages).
	Trace *TraceHeaderList

	// Attachments in manifest order. The manifest (inside the signed
	// envelope) is the authority for their names and types.
	Attachments []Attachment

	// Signature is what the package's Signature element says (nil when
	// there is none). It is informative: Verify checks it.
	Signature *SignatureInfo

	// Unknown lists the paths of edXML elements this version does not
	// know (kept out of the model, still covered by the signature).
	Unknown []string

	env      *envelopeRaw // raw envelope for Verify; nil from NewStatus etc.
	digested bool         // attachment digests were computed (Parse, not ReadHeader)
}

// Organization is a From or To party.
type Organization struct {
	OrganID              string // agency code, e.g. 000.00.00.G22 or G22.01
	OrganizationInCharge string
	OrganName            string
	OrganAdd             string
	Email                string
	Telephone            string
	Fax                  string
	Website              string
}

// Code is the document's number and notation ("7816", "VPCP-TTĐT").
type Code struct {
	CodeNumber   string
	CodeNotation string
}

// PromulgationInfo says where and when the document was issued.
type PromulgationInfo struct {
	Place            string
	PromulgationDate Date
}

// DocumentType is the kind of document (Công văn, Quyết định, …).
type DocumentType struct {
	Type       int
	TypeDetail int
	TypeName   string
}

// SignerInfo names the competent signer.
type SignerInfo struct {
	Competence string
	Position   string
	FullName   string
}

// OtherInfo holds priority and the other registration details.
type OtherInfo struct {
	Priority             Priority
	SphereOfPromulgation string
	TyperNotation        string
	PromulgationAmount   int
	PageAmount           int
	Direction            bool
	Appendixes           []string
}

// ResponseFor points at the document a package answers or replaces.
type ResponseFor struct {
	OrganID          string
	Code             string // number/notation, e.g. 7816/VPCP-TTĐT
	PromulgationDate Date
	DocumentID       string
}

// Header is the MessageHeader of a document package.
type Header struct {
	From             Organization
	To               []Organization
	DocumentID       string
	Code             Code
	PromulgationInfo PromulgationInfo
	DocumentType     DocumentType
	Subject          string
	Content          string
	SignerInfo       SignerInfo
	DueDate          Date
	OtherInfo        *OtherInfo
	ResponseFor      *ResponseFor
	SteeringType     SteeringType
	ToPlaces         []string
}

// StaffInfo names the staff member who handled a package.
type StaffInfo struct {
	Department string
	Staff      string
	Email      string
	Mobile     string
}

// StatusHeader is the MessageHeader of a status package.
type StatusHeader struct {
	From        Organization
	ResponseFor ResponseFor
	StaffInfo   StaffInfo
	StatusCode  StatusCode
	Description string
	Timestamp   time.Time
}

// TraceHeaderList is the trace of a document package.
type TraceHeaderList struct {
	TraceHeaders []TraceHeader
	Bussiness    *Bussiness
}

// TraceHeader records one organisation that handled the package.
type TraceHeader struct {
	OrganID   string
	Timestamp time.Time
}

// Bussiness (spelled as in QCVN 102) says what the package does: a new
// document, a revocation, an update or a replacement.
type Bussiness struct {
	DocumentID            string
	BussinessDocType      BussinessDocType
	BussinessDocReason    string
	Paper                 Paper
	BussinessDocumentInfo *BussinessDocumentInfo
	ReplacementInfoList   []ReplacementInfo
	StaffInfo             StaffInfo
}

// BussinessDocumentInfo says what an update changes and for whom.
type BussinessDocumentInfo struct {
	DocumentInfo     string
	DocumentReceiver string
	ReceiverList     []Receiver
}

// Receiver is one receiver of an update.
type Receiver struct {
	OrganID      string
	ReceiverType int
}

// ReplacementInfo names a document a replacement replaces, and for whom.
type ReplacementInfo struct {
	DocumentID  string
	OrganIDList []string
}

// Attachment is one attachment as referenced by the manifest. Size and
// SHA256 are of the decoded content; Parse fills them in.
type Attachment struct {
	ContentID   string // "cid:…"
	Name        string // AttachmentName: a base name, checked by CheckAttachmentName
	Description string
	ContentType string
	Size        int64
	SHA256      []byte
}

// SignatureInfo is what a package's Signature element declares.
type SignatureInfo struct {
	Namespace          string // http://www.w3.org/2000/09/xmldsig# for a real XML-DSig
	SignatureMethod    string
	References         []string // Reference URIs
	CertificateSubject string   // subject of the first X509Certificate, when it parses
}

// Priority is OtherInfo/Priority.
type Priority int

// Priorities (độ khẩn).
const (
	PriorityNormal        Priority = 0 // thường
	PriorityUrgent        Priority = 1 // khẩn
	PriorityVeryUrgent    Priority = 2 // thượng khẩn
	PriorityFlash         Priority = 3 // hỏa tốc
	PriorityFlashDeadline Priority = 4 // hỏa tốc hẹn giờ
)

// Valid reports whether p is one of the five priorities.
func (p Priority) Valid() bool { return p >= 0 && p <= 4 }

// SteeringType is MessageHeader/SteeringType.
type SteeringType int

// Steering types.
const (
	SteeringNone            SteeringType = 0
	SteeringDirective       SteeringType = 1 // văn bản chỉ đạo
	SteeringDirectiveReport SteeringType = 2 // chỉ đạo, báo cáo
)

// Valid reports whether s is 0, 1 or 2.
func (s SteeringType) Valid() bool { return s >= 0 && s <= 2 }

// BussinessDocType is Bussiness/BussinessDocType.
type BussinessDocType int

// Business document types.
const (
	DocNew     BussinessDocType = 0
	DocRevoke  BussinessDocType = 1 // thu hồi
	DocUpdate  BussinessDocType = 2
	DocReplace BussinessDocType = 3
)

// Valid reports whether t is 0–3.
func (t BussinessDocType) Valid() bool { return t >= 0 && t <= 3 }

// Paper says whether a paper copy is also sent.
type Paper int

// Paper values.
const (
	PaperNo  Paper = 0
	PaperYes Paper = 1
)

// Valid reports whether p is 0 or 1.
func (p Paper) Valid() bool { return p == 0 || p == 1 }

// StatusCode is a status package's StatusCode.
type StatusCode string

// Status codes (QCVN 102:2016 amendment 1).
const (
	StatusArrived        StatusCode = "01" // đã đến
	StatusRefused        StatusCode = "02" // từ chối (also refuses a recall)
	StatusAccepted       StatusCode = "03" // tiếp nhận, vào sổ (also accepts a recall)
	StatusAssigned       StatusCode = "04" // phân công
	StatusInProgress     StatusCode = "05" // đang xử lý
	StatusDone           StatusCode = "06" // hoàn thành
	StatusRecallRequest  StatusCode = "13" // sender asks to take the document back
	StatusChangeAccepted StatusCode = "15" // take-back/update accepted
	StatusChangeRefused  StatusCode = "16" // take-back/update refused
)

// Valid reports whether c is one of the known codes.
func (c StatusCode) Valid() bool {
	switch c {
	case StatusArrived, StatusRefused, StatusAccepted, StatusAssigned, StatusInProgress,
		StatusDone, StatusRecallRequest, StatusChangeAccepted, StatusChangeRefused:
		return true
	}
	return false
}

// Date is a calendar date written yyyy/MM/dd. The zero Date is "absent".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns t's calendar date in Vietnam.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Vietnam).Date()
	return Date{y, m, d}
}

// IsZero reports whether d is absent.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as yyyy/MM/dd.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d/%02d/%02d", d.Year, int(d.Month), d.Day)
}

// ParseDate parses yyyy/MM/dd, checking that the day exists.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '/' || s[7] != '/' {
		return Date{}, fmt.Errorf("%w: date %q is not yyyy/MM/dd", ErrInvalidValue, s)
	}
	y, e1 := digits(s[0:4])
	m, e2 := digits(s[5:7])
	d, e3 := digits(s[8:10])
	if !e1 || !e2 || !e3 || y < 1900 || y > 9999 {
		return Date{}, fmt.Errorf("%w: date %q is not yyyy/MM/dd", ErrInvalidValue, s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return Date{}, fmt.Errorf("%w: date %q does not exist", ErrInvalidValue, s)
	}
	return Date{y, time.Month(m), d}, nil
}

func digits(s string) (int, bool) {
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, s != ""
}

// Vietnam is the UTC+7 zone edXML timestamps are written in.
var Vietnam = time.FixedZone("ICT", 7*3600)

// TimestampLayout is the layout of edXML timestamps (yyyy/MM/dd HH:mm:ss).
const TimestampLayout = "2006/01/02 15:04:05"

// ParseTimestamp parses yyyy/MM/dd HH:mm:ss in Vietnam time.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.ParseInLocation(TimestampLayout, s, Vietnam)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: timestamp %q is not yyyy/MM/dd HH:mm:ss", ErrInvalidValue, s)
	}
	return t, nil
}

// FormatTimestamp formats t as yyyy/MM/dd HH:mm:ss in Vietnam time.
func FormatTimestamp(t time.Time) string { return t.In(Vietnam).Format(TimestampLayout) }

func parseSmallInt(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: %q is not a number from %d to %d", ErrInvalidValue, s, lo, hi)
	}
	return n, nil
}

// Recipients returns the agency codes a package is addressed to, each
// once, in order: the To list of a document, the ResponseFor organisation
// of a status.
func (p *Package) Recipients() []string {
	switch {
	case p.Header != nil:
		out := make([]string, 0, len(p.Header.To))
		seen := map[string]bool{}
		for _, o := range p.Header.To {
			if !seen[o.OrganID] {
				seen[o.OrganID] = true
				out = append(out, o.OrganID)
			}
		}
		return out
	case p.Status != nil:
		if p.Status.ResponseFor.OrganID != "" {
			return []string{p.Status.ResponseFor.OrganID}
		}
	}
	return nil
}

// From returns the sending organisation.
func (p *Package) From() Organization {
	switch {
	case p.Header != nil:
		return p.Header.From
	case p.Status != nil:
		return p.Status.From
	}
	return Organization{}
}

// DocumentID returns the document the package is about: the header's
// DocumentId, or the status's ResponseFor/DocumentId.
func (p *Package) DocumentID() string {
	switch {
	case p.Header != nil:
		return p.Header.DocumentID
	case p.Status != nil:
		return p.Status.ResponseFor.DocumentID
	}
	return ""
}

// BussinessDocType returns the trace's business type (DocNew when absent).
func (p *Package) BussinessDocType() BussinessDocType {
	if p.Trace != nil && p.Trace.Bussiness != nil {
		return p.Trace.Bussiness.BussinessDocType
	}
	return DocNew
}
