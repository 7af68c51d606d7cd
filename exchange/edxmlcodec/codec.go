// Package edxmlcodec puts edXML (exchange/edxml, QCVN 102:2016) behind the
// exchange's wire.Codec: the client writes its documents and statuses as
// signed edXML packages, and the hub and the client read and verify them
// (XML-DSig against signing/trust, the signer bound to the From
// organisation) before anything else.
package edxmlcodec

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"io"
	"time"

	"github.com/vanthu/vanthu/exchange/edxml"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/trust"
)

// Codec implements wire.Codec with edXML.
type Codec struct {
	// Trust verifies the sending organisations' signatures (required).
	Trust *trust.Store
	// HubTrust, if set, holds the hub CA certificates whose status signer
	// may sign the status 01 (arrived) packages a hub emits on
	// acknowledgement; nothing else is accepted from them.
	HubTrust *trust.Store
	// Limits bound what is read (edxml's defaults when zero).
	Limits edxml.Limits
	// Now is the clock for certificate validity (default time.Now).
	Now func() time.Time
}

var _ wire.Codec = (*Codec)(nil)

// WriteDocument writes doc as a signed edXML document package. The From
// organisation's name is the one its signing certificate carries, so that
// receivers can bind the signature to the sender.
func (c *Codec) WriteDocument(ctx context.Context, w io.Writer, doc wire.Document, signer crypto.Signer, chain []*x509.Certificate) (wire.Route, error) {
	pkg := documentPackage(doc, chain, c.now())
	var atts []edxml.AttachmentSource
	for _, f := range doc.Files {
		atts = append(atts, edxml.AttachmentSource{Name: f.Name, Description: f.Name, ContentType: contentType(f.ContentType), Open: f.Open})
	}
	if err := edxml.Write(ctx, w, pkg, atts, signer, chain); err != nil {
		return wire.Route{}, err
	}
	return route(pkg), nil
}

// WriteStatus writes st as a signed edXML status package.
func (c *Codec) WriteStatus(ctx context.Context, w io.Writer, st wire.Status, signer crypto.Signer, chain []*x509.Certificate) (wire.Route, error) {
	rf := edxml.ResponseFor{OrganID: st.To.Code, DocumentID: st.DocumentID}
	if id, err := edxml.ParseDocumentID(st.DocumentID); err == nil {
		rf.Code, rf.PromulgationDate = id.Code(), id.Date
	}
	at := st.At
	if at.IsZero() {
		at = c.now()
	}
	from := edxml.Organization{OrganID: st.From.Code, OrganName: orgName(st.From.Name, chain)}
	pkg, err := edxml.NewStatus(rf, from, edxml.StatusCode(st.Code), st.Description, edxml.StaffInfo{Staff: st.Staff}, at)
	if err != nil {
		return wire.Route{}, err
	}
	if err := edxml.Write(ctx, w, pkg, nil, signer, chain); err != nil {
		return wire.Route{}, err
	}
	return route(pkg), nil
}

// Inspect reads and verifies the package without keeping its attachments.
func (c *Codec) Inspect(ctx context.Context, r io.ReaderAt, size int64) (*wire.Route, error) {
	in, err := c.Read(ctx, r, size, nil)
	if err != nil {
		return nil, err
	}
	return &in.Route, nil
}

// Read reads the package, streaming its attachments to sink, and verifies
// it; the attachments are not to be trusted unless Read succeeds.
func (c *Codec) Read(ctx context.Context, r io.ReaderAt, size int64, sink wire.Sink) (*wire.Incoming, error) {
	return c.read(ctx, r, size, sink, true)
}

// ReadStored reads a package that was verified before it was stored — a
// hub's package read back by its SHA-256 — streaming its attachments to
// sink, without verifying its signature again (the Incoming has no
// Signer). Never use it for a package that arrives.
func (c *Codec) ReadStored(ctx context.Context, r io.ReaderAt, size int64, sink wire.Sink) (*wire.Incoming, error) {
	return c.read(ctx, r, size, sink, false)
}

func (c *Codec) read(ctx context.Context, r io.ReaderAt, size int64, sink wire.Sink, verify bool) (*wire.Incoming, error) {
	var open []io.Closer
	defer func() {
		for _, w := range open {
			_ = w.Close()
		}
	}()
	opts := edxml.Options{Limits: c.Limits}
	if sink != nil {
		opts.Sink = func(a edxml.Attachment) (io.Writer, error) {
			w, err := sink(a.Name, a.ContentType)
			if err == nil {
				open = append(open, w)
			}
			return w, err
		}
	}
	pkg, err := edxml.Parse(ctx, io.NewSectionReader(r, 0, size), opts)
	if err != nil {
		return nil, err
	}
	in := incoming(pkg)
	if verify {
		signer, err := c.verify(ctx, pkg)
		if err != nil {
			return nil, err
		}
		in.Signer = signer.Certificate
	}
	for _, w := range open {
		if err := w.Close(); err != nil {
			return nil, err
		}
	}
	open = nil
	return in, nil
}

// verify checks the signature against Trust; a status 01 may instead be
// signed by a hub's status signer (HubTrust).
func (c *Codec) verify(ctx context.Context, pkg *edxml.Package) (*edxml.Signer, error) {
	if c.Trust == nil {
		return nil, errors.New("edxmlcodec: no trust store")
	}
	s, err := edxml.Verify(ctx, pkg, edxml.VerifyOptions{Trust: c.Trust, Now: c.Now})
	if err == nil || c.HubTrust == nil || pkg.Status == nil || pkg.Status.StatusCode != edxml.StatusArrived {
		return s, err
	}
	if !errors.Is(err, edxml.ErrSignerUntrusted) && !errors.Is(err, edxml.ErrSignerMismatch) {
		return nil, err
	}
	s, herr := edxml.Verify(ctx, pkg, edxml.VerifyOptions{Trust: c.HubTrust, Now: c.Now, AllowUnmatchedOrganization: true})
	if herr != nil {
		return nil, err // the first reason is the one that matters
	}
	return s, nil
}

func (c *Codec) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func contentType(t string) string {
	if t == "" {
		return "application/octet-stream"
	}
	return t
}

// orgName is the name of the organisation the signing certificate is for
// (its O, else CN), else the agency's registered name.
func orgName(name string, chain []*x509.Certificate) string {
	if len(chain) > 0 {
		if o := chain[0].Subject.Organization; len(o) > 0 && o[0] != "" {
			return o[0]
		}
		if cn := chain[0].Subject.CommonName; cn != "" {
			return cn
		}
	}
	return name
}

func documentPackage(doc wire.Document, chain []*x509.Certificate, now time.Time) *edxml.Package {
	date := doc.Date
	if date.IsZero() {
		date = now
	}
	h := &edxml.Header{
		From:             edxml.Organization{OrganID: doc.From.Code, OrganName: orgName(doc.From.Name, chain), OrganizationInCharge: doc.From.Name},
		DocumentID:       doc.DocumentID,
		Code:             edxml.Code{CodeNumber: doc.Number, CodeNotation: doc.Notation},
		PromulgationInfo: edxml.PromulgationInfo{Place: doc.Place, PromulgationDate: edxml.DateOf(date)},
		DocumentType:     edxml.DocumentType{TypeName: doc.Type},
		Subject:          doc.Subject,
		SignerInfo:       edxml.SignerInfo{Competence: doc.Signer.Competence, Position: doc.Signer.Position, FullName: doc.Signer.FullName},
		OtherInfo:        &edxml.OtherInfo{Priority: edxml.Priority(doc.Priority)},
		SteeringType:     edxml.SteeringType(doc.Steering),
	}
	if !doc.DueDate.IsZero() {
		h.DueDate = edxml.DateOf(doc.DueDate)
	}
	if h.Code.CodeNumber == "" {
		if id, err := edxml.ParseDocumentID(doc.DocumentID); err == nil {
			h.Code = edxml.Code{CodeNumber: id.Number, CodeNotation: id.Notation}
		}
	}
	for _, to := range doc.To {
		h.To = append(h.To, edxml.Organization{OrganID: to.Code, OrganName: to.Name})
	}
	b := &edxml.Bussiness{DocumentID: doc.DocumentID, BussinessDocType: edxml.BussinessDocType(doc.BusinessType), BussinessDocReason: doc.Reason}
	if doc.BusinessType == wire.BusinessReplace && doc.ReplacesID != "" {
		b.ReplacementInfoList = []edxml.ReplacementInfo{{DocumentID: doc.ReplacesID}}
	}
	if doc.BusinessType != wire.BusinessNew && doc.ReplacesID != "" {
		h.ResponseFor = &edxml.ResponseFor{DocumentID: doc.ReplacesID}
	}
	return &edxml.Package{
		Kind:   edxml.KindDocument,
		Header: h,
		Trace: &edxml.TraceHeaderList{
			TraceHeaders: []edxml.TraceHeader{{OrganID: doc.From.Code, Timestamp: now}},
			Bussiness:    b,
		},
	}
}

// route is what the hub routes a package by.
func route(pkg *edxml.Package) wire.Route {
	r := wire.Route{From: pkg.From().OrganID, To: pkg.Recipients(), DocumentID: pkg.DocumentID()}
	switch pkg.Kind {
	case edxml.KindDocument:
		r.Kind, r.BusinessType, r.Subject = wire.KindDocument, int(pkg.BussinessDocType()), pkg.Header.Subject
	case edxml.KindStatus:
		r.Kind, r.StatusCode, r.Description = wire.KindStatus, string(pkg.Status.StatusCode), pkg.Status.Description
	}
	return r
}

// dayOf is an edXML date as midnight in Vietnam (zero for none).
func dayOf(d edxml.Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, edxml.Vietnam)
}

func incoming(pkg *edxml.Package) *wire.Incoming {
	in := &wire.Incoming{Route: route(pkg)}
	switch {
	case pkg.Header != nil:
		h := pkg.Header
		d := &wire.Document{
			From: wire.Organization{Code: h.From.OrganID, Name: h.From.OrganName}, DocumentID: h.DocumentID,
			Number: h.Code.CodeNumber, Notation: h.Code.CodeNotation, Place: h.PromulgationInfo.Place,
			Type: h.DocumentType.TypeName, Subject: h.Subject, BusinessType: int(pkg.BussinessDocType()),
			Signer:   wire.Signer{Competence: h.SignerInfo.Competence, Position: h.SignerInfo.Position, FullName: h.SignerInfo.FullName},
			Steering: int(h.SteeringType), Date: dayOf(h.PromulgationInfo.PromulgationDate), DueDate: dayOf(h.DueDate),
		}
		if h.OtherInfo != nil {
			d.Priority = int(h.OtherInfo.Priority)
		}
		if h.ResponseFor != nil {
			d.ReplacesID = h.ResponseFor.DocumentID
		}
		for _, to := range h.To {
			d.To = append(d.To, wire.Organization{Code: to.OrganID, Name: to.OrganName})
		}
		for _, a := range pkg.Attachments {
			d.Files = append(d.Files, wire.File{Name: a.Name, ContentType: a.ContentType, Size: a.Size})
		}
		in.Document = d
	case pkg.Status != nil:
		s := pkg.Status
		in.Status = &wire.Status{From: wire.Organization{Code: s.From.OrganID, Name: s.From.OrganName},
			To: wire.Organization{Code: s.ResponseFor.OrganID}, DocumentID: s.ResponseFor.DocumentID,
			Code: string(s.StatusCode), Description: s.Description, Staff: s.StaffInfo.Staff, At: s.Timestamp}
	}
	return in
}
