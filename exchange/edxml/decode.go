package edxml

import (
	"fmt"
	"strings"
)

const dsigNamespace = "http://www.w3.org/2000/09/xmldsig#"

// envelope maps the envelope tree to the package model.
func (p *parser) envelope(env *node) error {
	const path = "edXML/edXMLEnvelope"
	var header, body *node
	seen := once{}
	err := p.walk(env, path, func(c *node, cpath string) error {
		switch c.name.Local {
		case "edXMLHeader":
			header = c
		case "edXMLBody":
			body = c
		default:
			return errUnknown
		}
		return seen.check(c, cpath)
	})
	if err != nil {
		return err
	}
	if header == nil {
		return errAt(ErrStructure, path, env.line, "no edXMLHeader")
	}
	if err := p.edXMLHeader(header, path+"/edXMLHeader"); err != nil {
		return err
	}
	if body != nil {
		if err := p.edXMLBody(body, path+"/edXMLBody"); err != nil {
			return err
		}
	}
	if p.pkg.Kind == KindStatus && len(p.pkg.Attachments) > 0 {
		return errAt(ErrStructure, path+"/edXMLBody", body.line, "a status package has no attachments")
	}
	return nil
}

func (p *parser) edXMLHeader(n *node, path string) error {
	var msg *node
	seen := once{}
	err := p.walk(n, path, func(c *node, cpath string) error {
		switch c.name.Local {
		case "MessageHeader":
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			msg = c
			return nil
		case "TraceHeaderList":
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			t, err := p.traceHeaderList(c, cpath)
			p.pkg.Trace = t
			return err
		case "Signature":
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			p.pkg.Signature = signatureInfo(c)
			return nil
		}
		return errUnknown
	})
	if err != nil {
		return err
	}
	if msg == nil {
		return errAt(ErrStructure, path, n.line, "no MessageHeader")
	}
	mpath := path + "/MessageHeader"
	for _, c := range msg.kids {
		if c.name.Local == "StatusCode" {
			p.pkg.Kind = KindStatus
			return p.statusHeader(msg, mpath)
		}
	}
	p.pkg.Kind = KindDocument
	return p.documentHeader(msg, mpath)
}

func (p *parser) organization(n *node, path string) (Organization, error) {
	var o Organization
	err := p.fields(n, path, map[string]*string{
		"OrganId": &o.OrganID, "OrganizationInCharge": &o.OrganizationInCharge, "OrganName": &o.OrganName,
		"OrganAdd": &o.OrganAdd, "Email": &o.Email, "Telephone": &o.Telephone, "Fax": &o.Fax, "Website": &o.Website,
	}, nil)
	if err == nil && o.OrganID == "" {
		err = errAt(ErrStructure, path, n.line, "no OrganId")
	}
	return o, err
}

func (p *parser) date(c *node, path string) (Date, error) {
	s, err := leaf(c, path)
	if err != nil || s == "" {
		return Date{}, err
	}
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, errAt(ErrInvalidValue, path, c.line, "%v", err)
	}
	return d, nil
}

func (p *parser) intValue(c *node, path string, lo, hi int) (int, error) {
	s, err := leaf(c, path)
	if err != nil {
		return 0, err
	}
	v, err := parseSmallInt(s, lo, hi)
	if err != nil {
		return 0, errAt(ErrInvalidValue, path, c.line, "%v", err)
	}
	return v, nil
}

func (p *parser) documentHeader(n *node, path string) error {
	h := &Header{}
	p.pkg.Header = h
	var hasFrom bool
	seen := once{}
	err := p.fields(n, path, map[string]*string{
		"DocumentId": &h.DocumentID, "Subject": &h.Subject, "Content": &h.Content,
	}, func(c *node, cpath string) error {
		if c.name.Local != "To" {
			if err := seen.check(c, cpath); err != nil {
				return err
			}
		}
		var err error
		switch c.name.Local {
		case "From":
			h.From, err = p.organization(c, cpath)
			hasFrom = true
		case "To":
			if len(h.To) >= p.lim.MaxRecipients {
				return errAt(ErrTooMany, cpath, c.line, "more than %d recipients", p.lim.MaxRecipients)
			}
			var o Organization
			o, err = p.organization(c, cpath)
			h.To = append(h.To, o)
		case "Code":
			err = p.fields(c, cpath, map[string]*string{"CodeNumber": &h.Code.CodeNumber, "CodeNotation": &h.Code.CodeNotation}, nil)
		case "PromulgationInfo":
			err = p.fields(c, cpath, map[string]*string{"Place": &h.PromulgationInfo.Place}, func(c *node, cpath string) error {
				if c.name.Local != "PromulgationDate" {
					return errUnknown
				}
				var err error
				h.PromulgationInfo.PromulgationDate, err = p.date(c, cpath)
				return err
			})
		case "DocumentType":
			err = p.fields(c, cpath, map[string]*string{"TypeName": &h.DocumentType.TypeName}, func(c *node, cpath string) error {
				var err error
				switch c.name.Local {
				case "Type":
					h.DocumentType.Type, err = p.intValue(c, cpath, 0, 1<<30)
				case "TypeDetail":
					h.DocumentType.TypeDetail, err = p.intValue(c, cpath, 0, 1<<30)
				default:
					return errUnknown
				}
				return err
			})
		case "SignerInfo":
			s := &h.SignerInfo
			err = p.fields(c, cpath, map[string]*string{"Competence": &s.Competence, "Position": &s.Position, "FullName": &s.FullName}, nil)
		case "DueDate":
			h.DueDate, err = p.date(c, cpath)
		case "OtherInfo":
			h.OtherInfo, err = p.otherInfo(c, cpath)
		case "ResponseFor":
			var r ResponseFor
			r, err = p.responseFor(c, cpath)
			h.ResponseFor = &r
		case "SteeringType":
			var v int
			v, err = p.intValue(c, cpath, 0, 2)
			h.SteeringType = SteeringType(v)
		case "ToPlaces":
			err = p.walk(c, cpath, func(c *node, cpath string) error {
				if c.name.Local != "Place" {
					return errUnknown
				}
				v, err := leaf(c, cpath)
				h.ToPlaces = append(h.ToPlaces, v)
				return err
			})
		default:
			return errUnknown
		}
		return err
	})
	if err != nil {
		return err
	}
	if !hasFrom {
		return errAt(ErrStructure, path, n.line, "no From")
	}
	if len(h.To) == 0 {
		return errAt(ErrStructure, path, n.line, "no To")
	}
	return nil
}

func (p *parser) otherInfo(n *node, path string) (*OtherInfo, error) {
	o := &OtherInfo{}
	err := p.fields(n, path, map[string]*string{"SphereOfPromulgation": &o.SphereOfPromulgation, "TyperNotation": &o.TyperNotation},
		func(c *node, cpath string) error {
			var err error
			switch c.name.Local {
			case "Priority":
				var v int
				v, err = p.intValue(c, cpath, 0, 4)
				o.Priority = Priority(v)
			case "PromulgationAmount":
				o.PromulgationAmount, err = p.intValue(c, cpath, 0, 1<<30)
			case "PageAmount":
				o.PageAmount, err = p.intValue(c, cpath, 0, 1<<30)
			case "Direction":
				var s string
				s, err = leaf(c, cpath)
				switch strings.ToLower(s) {
				case "true", "1":
					o.Direction = true
				case "false", "0", "":
				default:
					err = errAt(ErrInvalidValue, cpath, c.line, "%q is not true or false", s)
				}
			case "Appendixes":
				err = p.walk(c, cpath, func(c *node, cpath string) error {
					if c.name.Local != "Appendix" {
						return errUnknown
					}
					v, err := leaf(c, cpath)
					o.Appendixes = append(o.Appendixes, v)
					return err
				})
			default:
				return errUnknown
			}
			return err
		})
	return o, err
}

func (p *parser) responseFor(n *node, path string) (ResponseFor, error) {
	var r ResponseFor
	err := p.fields(n, path, map[string]*string{"OrganId": &r.OrganID, "Code": &r.Code, "DocumentId": &r.DocumentID},
		func(c *node, cpath string) error {
			if c.name.Local != "PromulgationDate" {
				return errUnknown
			}
			var err error
			r.PromulgationDate, err = p.date(c, cpath)
			return err
		})
	return r, err
}

func (p *parser) staffInfo(n *node, path string) (StaffInfo, error) {
	var s StaffInfo
	err := p.fields(n, path, map[string]*string{"Department": &s.Department, "Staff": &s.Staff, "Email": &s.Email, "Mobile": &s.Mobile}, nil)
	return s, err
}

func (p *parser) statusHeader(n *node, path string) error {
	s := &StatusHeader{}
	p.pkg.Status = s
	var code, ts string
	var hasFrom, hasResp bool
	seen := once{}
	err := p.fields(n, path, map[string]*string{"StatusCode": &code, "Description": &s.Description, "Timestamp": &ts},
		func(c *node, cpath string) error {
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			var err error
			switch c.name.Local {
			case "From":
				s.From, err = p.organization(c, cpath)
				hasFrom = true
			case "ResponseFor":
				s.ResponseFor, err = p.responseFor(c, cpath)
				hasResp = true
			case "StaffInfo":
				s.StaffInfo, err = p.staffInfo(c, cpath)
			default:
				return errUnknown
			}
			return err
		})
	if err != nil {
		return err
	}
	switch {
	case !hasFrom:
		return errAt(ErrStructure, path, n.line, "no From")
	case !hasResp:
		return errAt(ErrStructure, path, n.line, "no ResponseFor")
	case s.ResponseFor.OrganID == "":
		return errAt(ErrStructure, path+"/ResponseFor", n.line, "no OrganId: the status has no addressee")
	case s.ResponseFor.DocumentID == "":
		return errAt(ErrStructure, path+"/ResponseFor", n.line, "no DocumentId: the status answers no document")
	}
	s.StatusCode = StatusCode(code)
	if !s.StatusCode.Valid() {
		return errAt(ErrInvalidValue, path+"/StatusCode", n.line, "unknown status code %q", code)
	}
	if ts != "" {
		t, err := ParseTimestamp(ts)
		if err != nil {
			return errAt(ErrInvalidValue, path+"/Timestamp", n.line, "%v", err)
		}
		s.Timestamp = t
	}
	return nil
}

func (p *parser) traceHeaderList(n *node, path string) (*TraceHeaderList, error) {
	t := &TraceHeaderList{}
	seen := once{}
	err := p.walk(n, path, func(c *node, cpath string) error {
		switch c.name.Local {
		case "TraceHeader":
			var th TraceHeader
			var ts string
			if err := p.fields(c, cpath, map[string]*string{"OrganId": &th.OrganID, "Timestamp": &ts}, nil); err != nil {
				return err
			}
			if ts != "" {
				v, err := ParseTimestamp(ts)
				if err != nil {
					return errAt(ErrInvalidValue, cpath+"/Timestamp", c.line, "%v", err)
				}
				th.Timestamp = v
			}
			t.TraceHeaders = append(t.TraceHeaders, th)
			return nil
		case "Bussiness":
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			b, err := p.bussiness(c, cpath)
			t.Bussiness = b
			return err
		}
		return errUnknown
	})
	return t, err
}

func (p *parser) bussiness(n *node, path string) (*Bussiness, error) {
	b := &Bussiness{}
	seen := once{}
	var hasType bool
	err := p.fields(n, path, map[string]*string{"DocumentId": &b.DocumentID, "BussinessDocReason": &b.BussinessDocReason},
		func(c *node, cpath string) error {
			if err := seen.check(c, cpath); err != nil {
				return err
			}
			var err error
			var v int
			switch c.name.Local {
			case "BussinessDocType":
				v, err = p.intValue(c, cpath, 0, 3)
				b.BussinessDocType = BussinessDocType(v)
				hasType = true
			case "Paper":
				v, err = p.intValue(c, cpath, 0, 1)
				b.Paper = Paper(v)
			case "StaffInfo":
				b.StaffInfo, err = p.staffInfo(c, cpath)
			case "BussinessDocumentInfo":
				b.BussinessDocumentInfo, err = p.bussinessDocumentInfo(c, cpath)
			case "ReplacementInfoList":
				b.ReplacementInfoList, err = p.replacementInfoList(c, cpath)
			default:
				return errUnknown
			}
			return err
		})
	if err == nil && !hasType {
		err = errAt(ErrStructure, path, n.line, "no BussinessDocType")
	}
	return b, err
}

func (p *parser) bussinessDocumentInfo(n *node, path string) (*BussinessDocumentInfo, error) {
	d := &BussinessDocumentInfo{}
	err := p.fields(n, path, map[string]*string{"DocumentInfo": &d.DocumentInfo, "DocumentReceiver": &d.DocumentReceiver},
		func(c *node, cpath string) error {
			if c.name.Local != "ReceiverList" {
				return errUnknown
			}
			d.ReceiverList = []Receiver{}
			return p.walk(c, cpath, func(c *node, cpath string) error {
				if c.name.Local != "Receiver" {
					return errUnknown
				}
				var r Receiver
				err := p.fields(c, cpath, map[string]*string{"OrganId": &r.OrganID}, func(c *node, cpath string) error {
					if c.name.Local != "ReceiverType" {
						return errUnknown
					}
					var err error
					r.ReceiverType, err = p.intValue(c, cpath, 0, 1<<30)
					return err
				})
				d.ReceiverList = append(d.ReceiverList, r)
				return err
			})
		})
	return d, err
}

func (p *parser) replacementInfoList(n *node, path string) ([]ReplacementInfo, error) {
	out := []ReplacementInfo{}
	err := p.walk(n, path, func(c *node, cpath string) error {
		if c.name.Local != "ReplacementInfo" {
			return errUnknown
		}
		var r ReplacementInfo
		err := p.fields(c, cpath, map[string]*string{"DocumentId": &r.DocumentID}, func(c *node, cpath string) error {
			if c.name.Local != "OrganIdList" {
				return errUnknown
			}
			r.OrganIDList = []string{}
			return p.walk(c, cpath, func(c *node, cpath string) error {
				if c.name.Local != "OrganId" {
					return errUnknown
				}
				v, err := leaf(c, cpath)
				r.OrganIDList = append(r.OrganIDList, v)
				return err
			})
		})
		out = append(out, r)
		return err
	})
	return out, err
}

func (p *parser) edXMLBody(n *node, path string) error {
	seen := once{}
	return p.walk(n, path, func(c *node, cpath string) error {
		if c.name.Local != "edXMLManifest" {
			return errUnknown
		}
		if err := seen.check(c, cpath); err != nil {
			return err
		}
		return p.walk(c, cpath, func(c *node, cpath string) error {
			if c.name.Local != "Reference" {
				return errUnknown
			}
			if len(p.pkg.Attachments) >= p.lim.MaxAttachments {
				return errAt(ErrTooMany, cpath, c.line, "more than %d attachments", p.lim.MaxAttachments)
			}
			var a Attachment
			if err := p.fields(c, cpath, map[string]*string{
				"ContentId": &a.ContentID, "ContentType": &a.ContentType, "Description": &a.Description, "AttachmentName": &a.Name,
			}, nil); err != nil {
				return err
			}
			if a.ContentID == "" {
				return errAt(ErrContentID, cpath, c.line, "no ContentId")
			}
			if _, dup := p.manifest[a.ContentID]; dup {
				return errAt(ErrContentID, cpath, c.line, "ContentId %q listed twice", a.ContentID)
			}
			if err := CheckAttachmentName(a.Name); err != nil {
				return &Error{Path: cpath + "/AttachmentName", Line: c.line, Msg: err.Error(), Err: ErrAttachmentName}
			}
			p.manifest[a.ContentID] = len(p.pkg.Attachments)
			p.pkg.Attachments = append(p.pkg.Attachments, a)
			return nil
		})
	})
}

// signatureInfo describes a Signature element without judging it.
func signatureInfo(n *node) *SignatureInfo {
	s := &SignatureInfo{Namespace: n.name.Space}
	for _, c := range n.kids {
		if c.name.Local != "SignedInfo" {
			continue
		}
		for _, d := range c.kids {
			switch d.name.Local {
			case "SignatureMethod":
				s.SignatureMethod = attr(d, "Algorithm")
			case "Reference":
				s.References = append(s.References, attr(d, "URI"))
			}
		}
	}
	return s
}

func attr(n *node, local string) string {
	for _, a := range n.attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

var _ = fmt.Sprintf
