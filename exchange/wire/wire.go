// Package wire is the contract between the exchange hub and its clients:
// the routing facts of a package (Route), the status codes of QCVN 102:2016,
// the hub's HTTP API (paths, headers, JSON bodies, error codes) and the
// Codec through which both sides build, read and check edXML packages.
//
// The hub never trusts the routing headers a client sends: it reads the
// package itself through the Codec and refuses a package whose signature
// does not verify or whose routing differs from the headers.
package wire

import (
	"context"
	"crypto"
	"crypto/x509"
	"io"
	"time"
)

// Kind says whether a package carries a document or a status.
type Kind string

// Package kinds, as the national axis names them (messagetype).
const (
	KindDocument Kind = "edoc"
	KindStatus   Kind = "status"
)

// Business types of a document package (BussinessDocType).
const (
	BusinessNew     = 0
	BusinessRevoke  = 1
	BusinessUpdate  = 2
	BusinessReplace = 3
)

// Status codes (QCVN 102:2016 StatusCode).
const (
	StatusArrived        = "01"
	StatusRefused        = "02"
	StatusAccepted       = "03"
	StatusAssigned       = "04"
	StatusInProgress     = "05"
	StatusDone           = "06"
	StatusRecallRequest  = "13"
	StatusRecallAccepted = "15"
	StatusRecallRefused  = "16"
)

// ValidStatus reports whether code is a status the exchange carries.
func ValidStatus(code string) bool {
	switch code {
	case StatusArrived, StatusRefused, StatusAccepted, StatusAssigned, StatusInProgress,
		StatusDone, StatusRecallRequest, StatusRecallAccepted, StatusRecallRefused:
		return true
	}
	return false
}

// Route is what the hub needs to know of a package to queue it: who sends it
// to whom, which document it is or answers, and for a status its code.
type Route struct {
	Kind Kind     `json:"kind"`
	From string   `json:"from"`
	To   []string `json:"to"`
	// DocumentID is the document's own ID for a document package, and the
	// ID of the document answered (ResponseFor) for a status package.
	DocumentID   string `json:"document_id"`
	BusinessType int    `json:"business_type,omitempty"`
	// StatusCode and Description are set for a status package.
	StatusCode  string `json:"status_code,omitempty"`
	Description string `json:"description,omitempty"`
	Subject     string `json:"subject,omitempty"`
	// Signer is the certificate that signed the package, when the codec
	// verified one.
	Signer *x509.Certificate `json:"-"`
}

// Document is what a client puts in a document package.
type Document struct {
	From       Organization
	To         []Organization
	DocumentID string // OrganId,yyyy/MM/dd,Number/Notation
	Number     string // CodeNumber
	Notation   string // CodeNotation
	Date       time.Time
	Place      string
	Type       string // DocumentType name
	Subject    string
	Priority   int
	// BusinessType is BusinessNew, BusinessUpdate or BusinessReplace;
	// ReplacesID names the document an update or replacement concerns.
	BusinessType int
	ReplacesID   string
	Reason       string
	Files        []File
}

// Organization is a party of a package.
type Organization struct {
	Code string
	Name string
}

// File is one attachment of a document package, read when the package is
// written (so a 50 MB file is never held in memory).
type File struct {
	Name        string
	ContentType string
	Size        int64
	Open        func() (io.ReadCloser, error) `json:"-"`
}

// Status is what a status package says.
type Status struct {
	From        Organization
	To          Organization
	DocumentID  string // the document answered (ResponseFor)
	Code        string
	Description string
	Staff       string
	At          time.Time
}

// Incoming is a package read and checked by a Codec.
type Incoming struct {
	Route
	Document *Document // document packages: metadata; Files have no Open
	Status   *Status
}

// Sink receives the attachments of a package being read: one writer per
// attachment, closed by the codec.
type Sink func(name, contentType string) (io.WriteCloser, error)

// Codec builds and reads the packages: edXML (QCVN 102:2016) in the product.
// Implementations must verify the package signature in Inspect and Read and
// refuse a package with any byte changed.
type Codec interface {
	// WriteDocument writes a document package signed by signer (its
	// certificate first in chain).
	WriteDocument(ctx context.Context, w io.Writer, doc Document, signer crypto.Signer, chain []*x509.Certificate) (Route, error)
	// WriteStatus writes a status package.
	WriteStatus(ctx context.Context, w io.Writer, st Status, signer crypto.Signer, chain []*x509.Certificate) (Route, error)
	// Inspect reads the routing facts and verifies the signature of the
	// package in r without keeping its attachments.
	Inspect(ctx context.Context, r io.ReaderAt, size int64) (*Route, error)
	// Read reads and verifies the package, writing its attachments to sink.
	Read(ctx context.Context, r io.ReaderAt, size int64, sink Sink) (*Incoming, error)
}
