package edxml

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AttachmentSource is an attachment to write. Open is called twice: once
// to digest the content (the digest goes into the signature) and once to
// encode it; the content must not change in between.
type AttachmentSource struct {
	ContentID   string // "cid:…"; empty: one is made from the content digest
	Name        string // AttachmentName, a base name (CheckAttachmentName)
	Description string
	ContentType string
	Open        func() (io.ReadCloser, error)
}

// FileAttachment returns a source reading the file at path, named after
// its base name.
func FileAttachment(path, contentType string) AttachmentSource {
	return AttachmentSource{
		Name: filepath.Base(path), Description: filepath.Base(path), ContentType: contentType,
		Open: func() (io.ReadCloser, error) { return os.Open(path) },
	}
}

// BytesAttachment returns a source over data.
func BytesAttachment(name, contentType string, data []byte) AttachmentSource {
	return AttachmentSource{
		Name: name, Description: name, ContentType: contentType,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

// WriteOptions control WriteWith.
type WriteOptions struct {
	// Lenient skips the value checks of Check (agency codes, DocumentId,
	// …) and keeps only what the format needs; for re-writing packages as
	// they were received. Packages vanthu sends are always checked.
	Lenient bool
	// Progress, when set, is called with the attachment bytes encoded so
	// far and their total.
	Progress func(done, total int64)
}

// Write writes pkg as an edXML package to w: the envelope, signed with
// XML-DSig by signer (the sending organisation's key; chain is its
// certificate first, then the issuers to include), then each attachment
// base64-encoded as it streams from its source. pkg.Attachments is
// replaced by the attachments' manifest entries. A nil signer writes an
// unsigned package (tests, and re-writing statuses); receivers refuse
// those. w receives a partial package when Write fails: write to a
// temporary file (WriteFile does) and keep it only on success.
func Write(ctx context.Context, w io.Writer, pkg *Package, attachments []AttachmentSource, signer crypto.Signer, chain []*x509.Certificate) error {
	return WriteWith(ctx, w, pkg, attachments, signer, chain, WriteOptions{})
}

// WriteFile writes the package atomically: a temporary file in the same
// directory, synced, then renamed to name.
func WriteFile(ctx context.Context, name string, pkg *Package, attachments []AttachmentSource, signer crypto.Signer, chain []*x509.Certificate, opts WriteOptions) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return fmt.Errorf("failed to create the package file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = WriteWith(ctx, f, pkg, attachments, signer, chain, opts); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("failed to sync the package file: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("failed to close the package file: %w", err)
	}
	if err = os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("failed to rename the package file: %w", err)
	}
	return nil
}

// WriteWith is Write with options.
func WriteWith(ctx context.Context, w io.Writer, pkg *Package, attachments []AttachmentSource, signer crypto.Signer, chain []*x509.Certificate, opts WriteOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if pkg == nil {
		return fmt.Errorf("%w: no package", ErrIncomplete)
	}
	if len(attachments) == 0 && len(pkg.Attachments) > 0 {
		return fmt.Errorf("%w: the package lists %d attachments but no contents were given", ErrIncomplete, len(pkg.Attachments))
	}
	if attachments != nil || len(pkg.Attachments) > 0 {
		if len(attachments) != len(pkg.Attachments) || !sameRefs(attachments, pkg.Attachments) {
			refs, err := digestSources(ctx, attachments)
			if err != nil {
				return err
			}
			pkg.Attachments = refs
		}
	}
	if err := checkForWrite(pkg, opts.Lenient); err != nil {
		return err
	}
	if len(pkg.Attachments) > 0 && pkg.Kind == KindStatus {
		return fmt.Errorf("%w: a status package has no attachments", ErrIncomplete)
	}
	prefix, suffix, err := envelopeParts(pkg)
	if err != nil {
		return err
	}
	var sig []byte
	if signer != nil {
		sig, err = signEnvelope(prefix, suffix, pkg.Attachments, signer, chain)
		if err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(xml.Header)
	bw.WriteString("<edXML xmlns=\"" + Namespace + "\">\n")
	if sig != nil {
		bw.Write(prefix)
		bw.Write(sig)
		bw.Write(sigSpace)
	} else {
		bw.Write(bytes.TrimRight(prefix, " "))
	}
	bw.Write(suffix)
	if len(pkg.Attachments) > 0 {
		if err := writeAttachments(ctx, bw, pkg.Attachments, attachments, opts.Progress); err != nil {
			return err
		}
	}
	bw.WriteString("</edXML>\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("failed to write the package: %w", err)
	}
	return nil
}

// sameRefs reports whether the sources are the package's attachments
// already digested (a caller writing the same package twice).
func sameRefs(src []AttachmentSource, refs []Attachment) bool {
	for i := range src {
		if src[i].ContentID == "" || src[i].ContentID != refs[i].ContentID || refs[i].SHA256 == nil {
			return false
		}
	}
	return true
}

func digestSources(ctx context.Context, src []AttachmentSource) ([]Attachment, error) {
	out := make([]Attachment, 0, len(src))
	seen := map[string]bool{}
	for i, s := range src {
		if s.Open == nil {
			return nil, fmt.Errorf("%w: attachment %d has no content", ErrIncomplete, i+1)
		}
		if err := CheckAttachmentName(s.Name); err != nil {
			return nil, err
		}
		sum, size, err := digestOpen(ctx, s.Open)
		if err != nil {
			return nil, fmt.Errorf("failed to read attachment %q: %w", s.Name, err)
		}
		cid := s.ContentID
		if cid == "" {
			cid = "cid:" + hex.EncodeToString(sum[:8]) + "-" + strconv.Itoa(i+1)
		}
		if seen[cid] {
			return nil, fmt.Errorf("%w: ContentId %q used twice", ErrContentID, cid)
		}
		seen[cid] = true
		out = append(out, Attachment{ContentID: cid, Name: s.Name, Description: s.Description, ContentType: s.ContentType, Size: size, SHA256: sum})
	}
	return out, nil
}

func digestOpen(ctx context.Context, open func() (io.ReadCloser, error)) ([]byte, int64, error) {
	rc, err := open()
	if err != nil {
		return nil, 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := copyCtx(ctx, h, rc)
	if err != nil {
		return nil, 0, err
	}
	return h.Sum(nil), n, nil
}

func copyCtx(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := r.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// sigSpace is the whitespace after the Signature element; the digest of
// the envelope is computed with it in place (the enveloped-signature
// transform removes only the element).
var sigSpace = []byte("\n")

// envelopeParts serialises the envelope, split where the Signature goes.
func envelopeParts(pkg *Package) (prefix, suffix []byte, err error) {
	x := &xw{}
	x.depth = 1
	x.raw(`<edXML:edXMLEnvelope xmlns:edXML="` + Namespace + `">`)
	x.open("edXMLHeader")
	if pkg.Kind == KindStatus {
		x.status(pkg.Status)
	} else {
		x.header(pkg.Header)
	}
	if pkg.Trace != nil {
		x.trace(pkg.Trace)
	}
	x.indent()
	prefix = bytes.Clone(x.b.Bytes())
	x.b.Reset()
	x.close("edXMLHeader")
	if len(pkg.Attachments) > 0 {
		x.open("edXMLBody")
		x.raw(`<edXML:edXMLManifest version="1.0">`)
		for _, a := range pkg.Attachments {
			x.open("Reference")
			x.leaf("ContentId", a.ContentID)
			x.leaf("ContentType", a.ContentType)
			x.leaf("Description", a.Description)
			x.leaf("AttachmentName", a.Name)
			x.close("Reference")
		}
		x.close("edXMLManifest")
		x.close("edXMLBody")
	}
	x.close("edXMLEnvelope")
	return prefix, x.b.Bytes(), x.err
}

func writeAttachments(ctx context.Context, w *bufio.Writer, refs []Attachment, src []AttachmentSource, progress func(done, total int64)) error {
	var total, done int64
	for _, a := range refs {
		total += a.Size
	}
	w.WriteString("  <AttachmentEncoded>\n")
	for i, a := range refs {
		w.WriteString("    <Attachment>\n")
		for _, f := range [][2]string{{"ContentId", a.ContentID}, {"AttachmentName", a.Name}, {"Description", a.Description}, {"ContentType", a.ContentType}} {
			if err := xmlText(f[0], f[1]); err != nil {
				return err
			}
			if f[1] != "" {
				w.WriteString("      <" + f[0] + ">" + escape(f[1]) + "</" + f[0] + ">\n")
			}
		}
		w.WriteString(`      <edXML:ContentTransferEncoded xmlns:edXML="` + Namespace + `">`)
		rc, err := src[i].Open()
		if err != nil {
			return fmt.Errorf("failed to open attachment %q: %w", a.Name, err)
		}
		h := sha256.New()
		enc := base64.NewEncoder(base64.StdEncoding, w)
		pw := &progressWriter{w: io.MultiWriter(h, enc), done: &done, total: total, fn: progress}
		n, err := copyCtx(ctx, pw, rc)
		rc.Close()
		if err == nil {
			err = enc.Close()
		}
		if err != nil {
			return fmt.Errorf("failed to encode attachment %q: %w", a.Name, err)
		}
		if n != a.Size || !bytes.Equal(h.Sum(nil), a.SHA256) {
			return fmt.Errorf("%w: %q", ErrAttachmentChanged, a.Name)
		}
		w.WriteString("</edXML:ContentTransferEncoded>\n    </Attachment>\n")
	}
	w.WriteString("  </AttachmentEncoded>\n")
	return nil
}

type progressWriter struct {
	w     io.Writer
	done  *int64
	total int64
	fn    func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	*p.done += int64(n)
	if p.fn != nil {
		p.fn(*p.done, p.total)
	}
	return n, err
}

// xw writes the envelope in the fixtures' shape: edXML: prefix, two
// spaces of indentation per level, one element per line.
type xw struct {
	b     bytes.Buffer
	depth int
	err   error // the first value XML cannot carry
}

func (x *xw) indent() { x.b.WriteString(strings.Repeat("  ", x.depth)) }

func (x *xw) raw(open string) {
	x.indent()
	x.b.WriteString(open + "\n")
	x.depth++
}

func (x *xw) open(name string) { x.raw("<edXML:" + name + ">") }

func (x *xw) close(name string) {
	x.depth--
	x.indent()
	x.b.WriteString("</edXML:" + name + ">\n")
}

// leaf writes a value element, omitting empty values.
func (x *xw) leaf(name, v string) {
	if v != "" {
		x.value(name, v)
	}
}

func (x *xw) value(name, v string) {
	if err := xmlText(name, v); err != nil && x.err == nil {
		x.err = err
	}
	x.indent()
	x.b.WriteString("<edXML:" + name + ">" + escape(v) + "</edXML:" + name + ">\n")
}

func (x *xw) int(name string, v int) { x.value(name, strconv.Itoa(v)) }

// xmlText refuses what XML 1.0 cannot carry: invalid UTF-8 and characters
// outside its Char production (NUL and most C0 controls). xml.EscapeText
// would silently turn them into U+FFFD.
func xmlText(name, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidValue, name)
	}
	for _, r := range s {
		if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
			return fmt.Errorf("%w: %s holds the character %U, which XML cannot carry", ErrInvalidValue, name, r)
		}
	}
	return nil
}

func escape(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (x *xw) org(name string, o Organization) {
	x.open(name)
	x.value("OrganId", o.OrganID)
	x.leaf("OrganizationInCharge", o.OrganizationInCharge)
	x.leaf("OrganName", o.OrganName)
	x.leaf("OrganAdd", o.OrganAdd)
	x.leaf("Email", o.Email)
	x.leaf("Telephone", o.Telephone)
	x.leaf("Fax", o.Fax)
	x.leaf("Website", o.Website)
	x.close(name)
}

func (x *xw) responseFor(r ResponseFor) {
	x.open("ResponseFor")
	x.leaf("OrganId", r.OrganID)
	x.leaf("Code", r.Code)
	x.leaf("PromulgationDate", r.PromulgationDate.String())
	x.leaf("DocumentId", r.DocumentID)
	x.close("ResponseFor")
}

func (x *xw) staff(s StaffInfo) {
	if s == (StaffInfo{}) {
		return
	}
	x.open("StaffInfo")
	x.leaf("Department", s.Department)
	x.leaf("Staff", s.Staff)
	x.leaf("Email", s.Email)
	x.leaf("Mobile", s.Mobile)
	x.close("StaffInfo")
}

func (x *xw) header(h *Header) {
	x.open("MessageHeader")
	x.org("From", h.From)
	for _, t := range h.To {
		x.org("To", t)
	}
	x.leaf("DocumentId", h.DocumentID)
	if h.Code != (Code{}) {
		x.open("Code")
		x.leaf("CodeNumber", h.Code.CodeNumber)
		x.leaf("CodeNotation", h.Code.CodeNotation)
		x.close("Code")
	}
	if h.PromulgationInfo != (PromulgationInfo{}) {
		x.open("PromulgationInfo")
		x.leaf("Place", h.PromulgationInfo.Place)
		x.leaf("PromulgationDate", h.PromulgationInfo.PromulgationDate.String())
		x.close("PromulgationInfo")
	}
	if h.DocumentType != (DocumentType{}) {
		x.open("DocumentType")
		x.int("Type", h.DocumentType.Type)
		x.int("TypeDetail", h.DocumentType.TypeDetail)
		x.leaf("TypeName", h.DocumentType.TypeName)
		x.close("DocumentType")
	}
	x.leaf("Subject", h.Subject)
	x.leaf("Content", h.Content)
	if h.SignerInfo != (SignerInfo{}) {
		x.open("SignerInfo")
		x.leaf("Competence", h.SignerInfo.Competence)
		x.leaf("Position", h.SignerInfo.Position)
		x.leaf("FullName", h.SignerInfo.FullName)
		x.close("SignerInfo")
	}
	x.leaf("DueDate", h.DueDate.String())
	if o := h.OtherInfo; o != nil {
		x.open("OtherInfo")
		x.int("Priority", int(o.Priority))
		x.leaf("SphereOfPromulgation", o.SphereOfPromulgation)
		x.leaf("TyperNotation", o.TyperNotation)
		x.int("PromulgationAmount", o.PromulgationAmount)
		x.int("PageAmount", o.PageAmount)
		x.value("Direction", strconv.FormatBool(o.Direction))
		if len(o.Appendixes) > 0 {
			x.open("Appendixes")
			for _, a := range o.Appendixes {
				x.value("Appendix", a)
			}
			x.close("Appendixes")
		}
		x.close("OtherInfo")
	}
	if h.ResponseFor != nil {
		x.responseFor(*h.ResponseFor)
	}
	x.int("SteeringType", int(h.SteeringType))
	if len(h.ToPlaces) > 0 {
		x.open("ToPlaces")
		for _, p := range h.ToPlaces {
			x.value("Place", p)
		}
		x.close("ToPlaces")
	}
	x.close("MessageHeader")
}

func (x *xw) status(s *StatusHeader) {
	x.open("MessageHeader")
	x.org("From", s.From)
	x.responseFor(s.ResponseFor)
	x.staff(s.StaffInfo)
	x.value("StatusCode", string(s.StatusCode))
	x.leaf("Description", s.Description)
	if !s.Timestamp.IsZero() {
		x.value("Timestamp", FormatTimestamp(s.Timestamp))
	}
	x.close("MessageHeader")
}

func (x *xw) trace(t *TraceHeaderList) {
	x.open("TraceHeaderList")
	for _, th := range t.TraceHeaders {
		x.open("TraceHeader")
		x.leaf("OrganId", th.OrganID)
		if !th.Timestamp.IsZero() {
			x.value("Timestamp", FormatTimestamp(th.Timestamp))
		}
		x.close("TraceHeader")
	}
	if b := t.Bussiness; b != nil {
		x.open("Bussiness")
		x.leaf("DocumentId", b.DocumentID)
		x.int("BussinessDocType", int(b.BussinessDocType))
		x.leaf("BussinessDocReason", b.BussinessDocReason)
		x.int("Paper", int(b.Paper))
		if d := b.BussinessDocumentInfo; d != nil {
			x.open("BussinessDocumentInfo")
			x.leaf("DocumentInfo", d.DocumentInfo)
			x.leaf("DocumentReceiver", d.DocumentReceiver)
			if d.ReceiverList != nil {
				x.open("ReceiverList")
				for _, r := range d.ReceiverList {
					x.open("Receiver")
					x.leaf("OrganId", r.OrganID)
					x.int("ReceiverType", r.ReceiverType)
					x.close("Receiver")
				}
				x.close("ReceiverList")
			}
			x.close("BussinessDocumentInfo")
		}
		if b.ReplacementInfoList != nil {
			x.open("ReplacementInfoList")
			for _, r := range b.ReplacementInfoList {
				x.open("ReplacementInfo")
				x.leaf("DocumentId", r.DocumentID)
				if r.OrganIDList != nil {
					x.open("OrganIdList")
					for _, o := range r.OrganIDList {
						x.value("OrganId", o)
					}
					x.close("OrganIdList")
				}
				x.close("ReplacementInfo")
			}
			x.close("ReplacementInfoList")
		}
		x.staff(b.StaffInfo)
		x.close("Bussiness")
	}
	x.close("TraceHeaderList")
}
