package edxml

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/vanthu/vanthu/exchange/edxml/internal/b64"
)

// Parse reads a whole package from r as a stream: the envelope into the
// model (bounded by Limits.MaxEnvelopeSize), each attachment decoded from
// base64 straight into opts.Sink while its SHA-256 is computed, so memory
// does not grow with the attachments. The result is unverified: call
// Verify before trusting it or the attachments written to the sink.
func Parse(ctx context.Context, r io.Reader, opts Options) (*Package, error) {
	return parse(ctx, r, opts, false)
}

// ReadHeader reads a package for routing: the whole envelope (From, To,
// DocumentId, kind, ResponseFor, StatusCode, manifest), then skips the
// attachments, checking only their structure, alphabet and size; nothing
// is decoded or digested. It reads to the end of the package, so every
// limit applies. A package from ReadHeader cannot be verified.
func ReadHeader(ctx context.Context, r io.Reader, opts Options) (*Package, error) {
	return parse(ctx, r, opts, true)
}

type parser struct {
	ctx          context.Context
	rd           *byteReader
	dec          *xml.Decoder
	lim          Limits
	opts         Options
	headerOnly   bool
	envelopeOnly bool
	pkg          *Package
	elements     int
	tokens       bool // a token was read (the XML declaration must be first)
	rootNS       []xml.Attr
	manifest     map[string]int
	filled       map[string]bool
}

func parse(ctx context.Context, r io.Reader, opts Options, headerOnly bool) (*Package, error) {
	return parseWith(ctx, r, opts, headerOnly, false)
}

// parseWith parses; envelopeOnly accepts a manifest without attachments
// (Verify reading back the signed envelope).
func parseWith(ctx context.Context, r io.Reader, opts Options, headerOnly, envelopeOnly bool) (*Package, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	lim := opts.Limits.withDefaults()
	rd := newByteReader(ctx, r, lim, opts.Progress)
	dec := xml.NewDecoder(rd)
	dec.Strict = true
	p := &parser{
		ctx: ctx, rd: rd, dec: dec, lim: lim, opts: opts, headerOnly: headerOnly,
		pkg: &Package{}, manifest: map[string]int{}, filled: map[string]bool{}, envelopeOnly: envelopeOnly,
	}
	if err := p.document(); err != nil {
		return nil, err
	}
	p.pkg.digested = !headerOnly
	if headerOnly {
		p.pkg.env = nil // nothing to verify; do not keep the envelope's bytes
	}
	return p.pkg, nil
}

func (p *parser) line() int {
	l, _ := p.dec.InputPos()
	return l
}

// token returns the next token with its size bounded by MaxTextSize, and
// maps decoder errors to the package's errors.
func (p *parser) token() (xml.Token, error) {
	p.rd.budget = p.lim.MaxTextSize
	t, err := p.dec.Token()
	p.rd.budget = -1
	if err == nil {
		return t, p.checkPI(t)
	}
	return nil, p.mapErr(err)
}

// checkPI refuses directives (DOCTYPE, ENTITY, …) and allows one
// processing instruction: the XML declaration, first.
func (p *parser) checkPI(t xml.Token) error {
	first := !p.tokens
	p.tokens = true
	if _, ok := t.(xml.Directive); ok {
		return errAt(ErrDoctype, "", p.line(), "")
	}
	pi, ok := t.(xml.ProcInst)
	if !ok {
		return nil
	}
	if pi.Target != "xml" || !first {
		return errAt(ErrMalformed, "", p.line(), "processing instruction <?%s?> not allowed", pi.Target)
	}
	if !xmlDecl.Match(pi.Inst) {
		return errAt(ErrMalformed, "", p.line(), "bad XML declaration %q", pi.Inst)
	}
	return nil
}

func (p *parser) mapErr(err error) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, ErrTextTooLarge):
		return errAt(ErrTextTooLarge, "", p.line(), "more than %d bytes in one tag or text", p.lim.MaxTextSize)
	case errors.Is(err, ErrTooLarge):
		return errAt(ErrTooLarge, "", p.line(), "more than %d bytes", p.lim.MaxPackageSize)
	case errors.Is(err, ErrEnvelopeTooLarge):
		return errAt(ErrEnvelopeTooLarge, "edXML/edXMLEnvelope", p.line(), "more than %d bytes", p.lim.MaxEnvelopeSize)
	case err == io.EOF, errors.Is(err, io.ErrUnexpectedEOF):
		return errAt(ErrMalformed, "", p.line(), "unexpected end of the package")
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &Error{Line: se.Line, Msg: se.Msg, Err: ErrMalformed}
	}
	if p.rd.srcErr != nil && errors.Is(err, p.rd.srcErr) {
		return fmt.Errorf("failed to read the package: %w", err)
	}
	// Other decoder errors (an encoding other than UTF-8, …).
	return &Error{Line: p.line(), Msg: err.Error(), Err: ErrMalformed}
}

// xmlDecl is the XML declaration as XML 1.0 defines it, UTF-8 only.
var xmlDecl = regexp.MustCompile(`^\s*version\s*=\s*("1\.0"|'1\.0')(\s+encoding\s*=\s*("(?i:utf-8)"|'(?i:utf-8)'))?(\s+standalone\s*=\s*("(yes|no)"|'(yes|no)'))?\s*$`)

// document reads the prolog, the root element and what follows it.
func (p *parser) document() error {
	for {
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.CharData:
			if !isSpace(t) {
				return errAt(ErrMalformed, "", p.line(), "text before the root element")
			}
		case xml.StartElement:
			if t.Name.Local != "edXML" {
				return errAt(ErrStructure, t.Name.Local, p.line(), "the root element is not edXML")
			}
			if t.Name.Space != Namespace {
				return errAt(ErrNamespace, "edXML", p.line(), "namespace %q", t.Name.Space)
			}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					p.rootNS = append(p.rootNS, a)
				}
			}
			if err := p.root(); err != nil {
				return err
			}
			return p.epilog()
		}
	}
}

// epilog accepts only whitespace, comments and processing instructions
// after the root element.
func (p *parser) epilog() error {
	for {
		t, err := p.dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.mapErr(err)
		}
		if err := p.checkPI(t); err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.CharData:
			if !isSpace(t) {
				return errAt(ErrMalformed, "", p.line(), "text after the root element")
			}
		case xml.StartElement:
			return errAt(ErrMalformed, t.Name.Local, p.line(), "a second root element")
		}
	}
}

// root reads the children of edXML: one edXMLEnvelope, then at most one
// AttachmentEncoded.
func (p *parser) root() error {
	const (
		wantEnvelope = iota
		wantAttachments
		wantEnd
	)
	state := wantEnvelope
	for {
		if state == wantEnvelope {
			pending := p.rd.n-p.rd.raw-p.dec.InputOffset() > 0
			p.rd.startCapture(pending)
		}
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			path := "edXML/" + t.Name.Local
			switch {
			case t.Name.Space != Namespace:
				return errAt(ErrNamespace, path, p.line(), "namespace %q", t.Name.Space)
			case t.Name.Local == "edXMLEnvelope" && state == wantEnvelope:
				env, err := p.buildTree(t, 1)
				if err != nil {
					return err
				}
				raw := p.rd.stopCapture()
				p.pkg.env = &envelopeRaw{raw: raw, rootNS: p.rootNS}
				if err := p.envelope(env); err != nil {
					return err
				}
				state = wantAttachments
			case t.Name.Local == "AttachmentEncoded" && state == wantAttachments:
				if err := p.attachmentEncoded(); err != nil {
					return err
				}
				state = wantEnd
			default:
				return errAt(ErrStructure, path, p.line(), "unexpected element")
			}
		case xml.EndElement:
			if state == wantEnvelope {
				return errAt(ErrStructure, "edXML", p.line(), "no edXMLEnvelope")
			}
			return p.checkFilled()
		case xml.CharData:
			if !isSpace(t) {
				return errAt(ErrStructure, "edXML", p.line(), "text where only elements belong")
			}
		}
		if state == wantEnvelope {
			p.rd.stopCapture()
		}
	}
}

func (p *parser) checkFilled() error {
	if p.envelopeOnly {
		return nil
	}
	for _, a := range p.pkg.Attachments {
		if !p.filled[a.ContentID] {
			return errAt(ErrContentID, "edXML/AttachmentEncoded", p.line(), "the manifest lists %q but no attachment has it", a.ContentID)
		}
	}
	return nil
}

func (p *parser) attachmentEncoded() error {
	const path = "edXML/AttachmentEncoded"
	n := 0
	for {
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			n++
			apath := fmt.Sprintf("%s/Attachment[%d]", path, n)
			if t.Name.Space != Namespace {
				return errAt(ErrNamespace, apath, p.line(), "namespace %q", t.Name.Space)
			}
			if t.Name.Local != "Attachment" {
				return errAt(ErrStructure, path+"/"+t.Name.Local, p.line(), "unexpected element")
			}
			if n > p.lim.MaxAttachments {
				return errAt(ErrTooMany, apath, p.line(), "more than %d attachments", p.lim.MaxAttachments)
			}
			if err := p.attachment(apath); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		case xml.CharData:
			if !isSpace(t) {
				return errAt(ErrStructure, path, p.line(), "text where only elements belong")
			}
		}
	}
}

// attachment reads one Attachment: its metadata, then its content
// streamed from base64 to the sink.
func (p *parser) attachment(path string) error {
	var cid, name, desc, ctype string
	meta := map[string]*string{"ContentId": &cid, "AttachmentName": &name, "Description": &desc, "ContentType": &ctype}
	seen := map[string]bool{}
	idx := -1
	for {
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t := t.(type) {
		case xml.StartElement:
			cpath := path + "/" + t.Name.Local
			if t.Name.Space != Namespace {
				return errAt(ErrNamespace, cpath, p.line(), "namespace %q", t.Name.Space)
			}
			if seen[t.Name.Local] {
				return errAt(ErrStructure, cpath, p.line(), "%s appears twice", t.Name.Local)
			}
			seen[t.Name.Local] = true
			if dst, ok := meta[t.Name.Local]; ok {
				v, err := p.leafText(cpath)
				if err != nil {
					return err
				}
				*dst = v
				continue
			}
			if t.Name.Local != "ContentTransferEncoded" {
				if err := p.skip(cpath); err != nil {
					return err
				}
				p.pkg.Unknown = append(p.pkg.Unknown, cpath)
				continue
			}
			if cid == "" {
				return errAt(ErrStructure, cpath, p.line(), "the content comes before the ContentId")
			}
			i, ok := p.manifest[cid]
			switch {
			case !ok:
				return errAt(ErrContentID, path, p.line(), "attachment %q is not in the manifest", cid)
			case p.filled[cid]:
				return errAt(ErrContentID, path, p.line(), "attachment %q appears twice", cid)
			}
			p.filled[cid] = true
			idx = i
			if err := p.content(&p.pkg.Attachments[i], cpath); err != nil {
				return err
			}
		case xml.EndElement:
			if idx < 0 {
				if cid == "" {
					return errAt(ErrContentID, path, p.line(), "attachment without ContentId")
				}
				return errAt(ErrContentID, path, p.line(), "attachment %q has no ContentTransferEncoded", cid)
			}
			return checkMeta(p.pkg.Attachments[idx], name, desc, ctype, path, p.line())
		case xml.CharData:
			if !isSpace(t) {
				return errAt(ErrStructure, path, p.line(), "text where only elements belong")
			}
		}
	}
}

// checkMeta refuses an Attachment whose (unsigned) metadata contradicts the
// (signed) manifest.
func checkMeta(m Attachment, name, desc, ctype, path string, line int) error {
	if name != "" && name != m.Name {
		if err := CheckAttachmentName(name); err != nil {
			return &Error{Path: path + "/AttachmentName", Line: line, Msg: err.Error(), Err: ErrAttachmentName}
		}
		return errAt(ErrContentID, path+"/AttachmentName", line, "%q differs from the manifest's %q", name, m.Name)
	}
	if desc != "" && m.Description != "" && desc != m.Description {
		return errAt(ErrContentID, path+"/Description", line, "differs from the manifest")
	}
	if ctype != "" && m.ContentType != "" && ctype != m.ContentType {
		return errAt(ErrContentID, path+"/ContentType", line, "%q differs from the manifest's %q", ctype, m.ContentType)
	}
	return nil
}

// leafText reads the text of an element whose start tag was just read.
func (p *parser) leafText(path string) (string, error) {
	var text []byte
	for {
		t, err := p.token()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			if int64(len(text)+len(t)) > p.lim.MaxTextSize {
				return "", errAt(ErrTextTooLarge, path, p.line(), "")
			}
			text = append(text, t...)
		case xml.StartElement:
			return "", errAt(ErrStructure, path, p.line(), "elements inside a value")
		case xml.EndElement:
			return string(trimSpace(text)), nil
		}
	}
}

// skip skips an unknown element (bounded by depth and the token limits).
func (p *parser) skip(path string) error {
	depth := 1
	for depth > 0 {
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
			if depth+3 > p.lim.MaxDepth {
				return errAt(ErrTooDeep, path, p.line(), "more than %d levels", p.lim.MaxDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[:1]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1:]) {
		b = b[:len(b)-1]
	}
	return b
}

// content streams the text of ContentTransferEncoded (start tag just read)
// through the base64 decoder into the sink and the digest.
func (p *parser) content(a *Attachment, path string) error {
	var dec *b64.Decoder
	h := sha256.New()
	if p.headerOnly {
		dec = b64.NewDecoder(nil, p.lim.MaxAttachmentSize)
	} else {
		var sink io.Writer = io.Discard
		if p.opts.Sink != nil {
			w, err := p.opts.Sink(*a)
			if err != nil {
				return fmt.Errorf("failed to open the sink for attachment %q: %w", a.ContentID, err)
			}
			if w != nil {
				sink = w
			}
		}
		dec = b64.NewDecoder(io.MultiWriter(h, sink), p.lim.MaxAttachmentSize)
	}
	selfClosed := p.rd.last[0] == '/' && p.rd.last[1] == '>'
	if !selfClosed {
		refs := &charRefs{}
		err := p.rd.readRaw(func(chunk []byte) error { return refs.feed(dec, chunk) })
		if err == nil && refs.open() {
			err = fmt.Errorf("%w: unterminated character reference", b64.ErrInvalid)
		}
		if err != nil {
			return p.contentErr(err, a, path)
		}
	}
	if err := dec.Close(); err != nil {
		return p.contentErr(err, a, path)
	}
	a.Size = dec.Size()
	if !p.headerOnly {
		a.SHA256 = h.Sum(nil)
	}
	t, err := p.token()
	if err != nil {
		return err
	}
	if _, ok := t.(xml.EndElement); !ok {
		return errAt(ErrInvalidBase64, path, p.line(), "markup inside the attachment content")
	}
	return nil
}

func (p *parser) contentErr(err error, a *Attachment, path string) error {
	switch {
	case errors.Is(err, b64.ErrInvalid):
		return errAt(ErrInvalidBase64, path, p.line(), "attachment %q: %v", a.ContentID, err)
	case errors.Is(err, b64.ErrTooLarge):
		return errAt(ErrAttachmentTooLarge, path, p.line(), "attachment %q is larger than %d bytes", a.ContentID, p.lim.MaxAttachmentSize)
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, io.ErrUnexpectedEOF) {
		return p.mapErr(err)
	}
	var e *Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("failed to write attachment %q: %w", a.ContentID, err)
}

// charRefs passes base64 text on, turning the whitespace character
// references some serialisers write (&#13; &#xD; &#10; &#xA; &#9; &#32;)
// into nothing; any other reference or entity is refused.
type charRefs struct {
	ref []byte // inside a reference: the bytes after '&'
	in  bool
}

func (c *charRefs) open() bool { return c.in }

func (c *charRefs) feed(w io.Writer, b []byte) error {
	for len(b) > 0 {
		if c.in {
			i := 0
			for i < len(b) && b[i] != ';' {
				i++
			}
			c.ref = append(c.ref, b[:i]...)
			if len(c.ref) > 6 {
				return fmt.Errorf("%w: entity or reference in the content", b64.ErrInvalid)
			}
			if i == len(b) {
				return nil
			}
			switch string(c.ref) {
			case "#13", "#xD", "#xd", "#10", "#xA", "#xa", "#9", "#x9", "#32", "#x20":
			default:
				return fmt.Errorf("%w: reference &%s; in the content", b64.ErrInvalid, c.ref)
			}
			c.in, c.ref = false, c.ref[:0]
			b = b[i+1:]
			continue
		}
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			i = len(b)
		}
		if i > 0 {
			if _, err := w.Write(b[:i]); err != nil {
				return err
			}
		}
		if i == len(b) {
			return nil
		}
		c.in = true
		b = b[i+1:]
	}
	return nil
}
