package edxml

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Check reports what keeps pkg from being a conforming package to send:
// agency codes in the old or new form, DocumentIds of the form
// OrganId,yyyy/MM/dd,Number/Notation, enumerations in range, a reason for
// a refusal (02), attachment names. It returns nil or the problems joined
// (each an *Error with the field's path).
func Check(pkg *Package) error { return check(pkg, false) }

func checkForWrite(pkg *Package, lenient bool) error { return check(pkg, lenient) }

func check(pkg *Package, lenient bool) error {
	var errs []error
	add := func(sentinel error, path, format string, args ...any) {
		errs = append(errs, &Error{Path: path, Msg: fmt.Sprintf(format, args...), Err: sentinel})
	}
	code := func(path, c string) {
		if c == "" {
			add(ErrIncomplete, path, "missing")
		} else if !lenient {
			if err := CheckAgencyCode(c); err != nil {
				add(ErrAgencyCode, path, "%q", c)
			}
		}
	}
	docID := func(path, id string, required bool) {
		if id == "" {
			if required {
				add(ErrIncomplete, path, "missing")
			}
			return
		}
		if !lenient {
			if _, err := ParseDocumentID(id); err != nil {
				add(ErrDocumentID, path, "%v", err)
			}
		}
	}
	const mh = "edXMLEnvelope/edXMLHeader/MessageHeader"
	switch {
	case pkg.Kind == KindDocument && pkg.Header != nil && pkg.Status == nil:
		h := pkg.Header
		code(mh+"/From/OrganId", h.From.OrganID)
		if len(h.To) == 0 {
			add(ErrIncomplete, mh+"/To", "no recipient")
		}
		for i, t := range h.To {
			code(fmt.Sprintf("%s/To[%d]/OrganId", mh, i+1), t.OrganID)
		}
		docID(mh+"/DocumentId", h.DocumentID, !lenient)
		if h.OtherInfo != nil && !h.OtherInfo.Priority.Valid() {
			add(ErrInvalidValue, mh+"/OtherInfo/Priority", "%d is not 0–4", h.OtherInfo.Priority)
		}
		if !h.SteeringType.Valid() {
			add(ErrInvalidValue, mh+"/SteeringType", "%d is not 0–2", h.SteeringType)
		}
		if h.ResponseFor != nil {
			docID(mh+"/ResponseFor/DocumentId", h.ResponseFor.DocumentID, false)
		}
		for _, v := range []struct{ path, s string }{{"Subject", h.Subject}, {"Code/CodeNumber", h.Code.CodeNumber}} {
			if !lenient && strings.TrimSpace(v.s) == "" {
				add(ErrIncomplete, mh+"/"+v.path, "missing")
			}
		}
	case pkg.Kind == KindStatus && pkg.Status != nil && pkg.Header == nil:
		s := pkg.Status
		code(mh+"/From/OrganId", s.From.OrganID)
		code(mh+"/ResponseFor/OrganId", s.ResponseFor.OrganID)
		docID(mh+"/ResponseFor/DocumentId", s.ResponseFor.DocumentID, true)
		if !s.StatusCode.Valid() {
			add(ErrInvalidValue, mh+"/StatusCode", "unknown status code %q", s.StatusCode)
		}
		if s.StatusCode == StatusRefused && strings.TrimSpace(s.Description) == "" && !lenient {
			add(ErrIncomplete, mh+"/Description", "a refusal (02) needs a reason")
		}
		if s.Timestamp.IsZero() && !lenient {
			add(ErrIncomplete, mh+"/Timestamp", "missing")
		}
	default:
		add(ErrIncomplete, "edXMLEnvelope/edXMLHeader/MessageHeader", "Kind %v does not match the header set", pkg.Kind)
	}
	if t := pkg.Trace; t != nil {
		const th = "edXMLEnvelope/edXMLHeader/TraceHeaderList"
		for i, h := range t.TraceHeaders {
			if h.OrganID != "" && !lenient {
				if err := CheckAgencyCode(h.OrganID); err != nil {
					add(ErrAgencyCode, fmt.Sprintf("%s/TraceHeader[%d]/OrganId", th, i+1), "%q", h.OrganID)
				}
			}
		}
		if b := t.Bussiness; b != nil {
			if !b.BussinessDocType.Valid() {
				add(ErrInvalidValue, th+"/Bussiness/BussinessDocType", "%d is not 0–3", b.BussinessDocType)
			}
			if !b.Paper.Valid() {
				add(ErrInvalidValue, th+"/Bussiness/Paper", "%d is not 0 or 1", b.Paper)
			}
			docID(th+"/Bussiness/DocumentId", b.DocumentID, false)
			for i, r := range b.ReplacementInfoList {
				docID(fmt.Sprintf("%s/Bussiness/ReplacementInfoList/ReplacementInfo[%d]/DocumentId", th, i+1), r.DocumentID, false)
			}
		}
	}
	for i, a := range pkg.Attachments {
		if err := CheckAttachmentName(a.Name); err != nil {
			add(ErrAttachmentName, fmt.Sprintf("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[%d]/AttachmentName", i+1), "%v", err)
		}
		if a.ContentID == "" || a.SHA256 == nil {
			add(ErrIncomplete, fmt.Sprintf("edXMLEnvelope/edXMLBody/edXMLManifest/Reference[%d]", i+1), "no content")
		}
	}
	return errors.Join(errs...)
}

// NewStatus builds a status package: from answers the document of
// responseFor with code (and description, required for a refusal), handled
// by staff at t. The package is checked as for sending.
func NewStatus(responseFor ResponseFor, from Organization, code StatusCode, description string, staff StaffInfo, t time.Time) (*Package, error) {
	pkg := &Package{
		Kind: KindStatus,
		Status: &StatusHeader{
			From: from, ResponseFor: responseFor, StaffInfo: staff,
			StatusCode: code, Description: description, Timestamp: t.In(Vietnam).Truncate(time.Second),
		},
	}
	if err := Check(pkg); err != nil {
		return nil, err
	}
	return pkg, nil
}

// ResponseForDocument returns the ResponseFor that points at a received
// document package (to answer it with NewStatus).
func ResponseForDocument(doc *Package) ResponseFor {
	if doc.Header == nil {
		return ResponseFor{}
	}
	h := doc.Header
	code := h.Code.CodeNumber
	if h.Code.CodeNotation != "" {
		code += "/" + h.Code.CodeNotation
	}
	return ResponseFor{OrganID: h.From.OrganID, Code: code, PromulgationDate: h.PromulgationInfo.PromulgationDate, DocumentID: h.DocumentID}
}
