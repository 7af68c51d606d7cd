package wire

import "time"

// HTTP paths of the hub API (all under mutual TLS; the client's agency is
// the one its certificate names).
const (
	PathMessages   = "/v1/messages"           // POST a package
	PathInbox      = "/v1/inbox"              // GET the caller's queue (long-poll with ?wait=)
	PathDelivery   = "/v1/deliveries/"        // GET {id}/package, POST {id}/ack
	PathAck        = "/v1/ack"                // POST many acknowledgements at once
	PathDirectory  = "/v1/directory"          // GET the agencies
	PathDocStatus  = "/v1/documents/status"   // GET ?doc= per-recipient history
	PathSentList   = "/v1/sent"               // GET the caller's sent documents
	PathHealth     = "/v1/health"             // GET, no auth needed beyond TLS
	PathEnrollInfo = "/v1/enroll/certificate" // GET ?serial= the issued certificate
)

// Request headers of POST /v1/messages.
const (
	// HeaderMessageID is the client's ID for the send; a repeated send with
	// the same ID is answered with the first result and stored once.
	HeaderMessageID = "Vanthu-Message-Id"
	// HeaderSHA256 is the hex SHA-256 of the body; the hub refuses a body
	// that does not match.
	HeaderSHA256 = "Vanthu-Sha256"
	// HeaderKind is "edoc" or "status".
	HeaderKind = "Vanthu-Kind"
)

// SendResult answers a send.
type SendResult struct {
	MessageID  int64     `json:"message_id"`
	ClientID   string    `json:"client_id"`
	DocumentID string    `json:"document_id"`
	SHA256     string    `json:"sha256"`
	Recipients []string  `json:"recipients"`
	Duplicate  bool      `json:"duplicate"`
	At         time.Time `json:"at"`
}

// InboxItem is one queued delivery.
type InboxItem struct {
	DeliveryID   int64     `json:"delivery_id"`
	MessageID    int64     `json:"message_id"`
	Kind         Kind      `json:"kind"`
	From         string    `json:"from"`
	DocumentID   string    `json:"document_id"`
	BusinessType int       `json:"business_type,omitempty"`
	StatusCode   string    `json:"status_code,omitempty"`
	Description  string    `json:"description,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	QueuedAt     time.Time `json:"queued_at"`
	Fetched      bool      `json:"fetched"`
}

// Inbox answers GET /v1/inbox.
type Inbox struct {
	Items []InboxItem `json:"items"`
}

// AckRequest acknowledges deliveries.
type AckRequest struct {
	DeliveryIDs []int64 `json:"delivery_ids"`
}

// Agency is a directory entry.
type Agency struct {
	Code    string     `json:"code"`
	Name    string     `json:"name"`
	Parent  string     `json:"parent,omitempty"`
	Revoked *time.Time `json:"revoked,omitempty"`
}

// Directory answers GET /v1/directory.
type Directory struct {
	Agencies []Agency `json:"agencies"`
}

// StatusEntry is one status in a document's history.
type StatusEntry struct {
	Recipient   string    `json:"recipient"`
	Code        string    `json:"code"`
	Description string    `json:"description,omitempty"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// DocStatus answers GET /v1/documents/status: per recipient, the statuses
// in order (the first is "queued", code "").
type DocStatus struct {
	DocumentID string                   `json:"document_id"`
	Sender     string                   `json:"sender"`
	Recipients map[string][]StatusEntry `json:"recipients"`
}

// Error codes in Error.Code.
const (
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeTooLarge         = "too_large"
	CodeTooMany          = "too_many_recipients"
	CodeRateLimited      = "rate_limited"
	CodeBadPackage       = "bad_package"
	CodeBadRequest       = "bad_request"
	CodeUnknownAgency    = "unknown_agency"
	CodeConflict         = "conflict"
	CodeInternal         = "internal"
	CodeRouteMismatch    = "route_mismatch"
	CodeRecallNotAllowed = "recall_not_allowed"
)

// Error is the JSON body of every error answer.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}
