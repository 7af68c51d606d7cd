package roles

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/layout"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/stamp"
	"github.com/vanthu/vanthu/signing/verify"
)

// Place says where a visible signature goes.
type Place struct {
	// Auto finds the place from the page's text (approve: the signer
	// block; issue: next to the approve image).
	Auto bool
	// Page is the page to search (auto; 0 = the last page) or the page of
	// Rect.
	Page int
	// Rect is the box to use (manual), or with Auto the fallback when the
	// place cannot be found. The image is fitted into it, keeping its
	// proportions (the seal keeps its real size, centred in it).
	Rect *appearance.Rect
}

// ParsePlace reads "auto" or "page:N:x,y,w,h" (points from the bottom
// left corner).
func ParsePlace(s string) (Place, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "auto") {
		return Place{Auto: true}, nil
	}
	bad := fmt.Errorf("%w: place %q (use auto or page:N:x,y,w,h)", ErrBadRequest, s)
	rest, ok := strings.CutPrefix(strings.ToLower(s), "page:")
	if !ok {
		return Place{}, bad
	}
	ps, rs, ok := strings.Cut(rest, ":")
	if !ok {
		return Place{}, bad
	}
	page, err := strconv.Atoi(ps)
	if err != nil || page < 1 {
		return Place{}, bad
	}
	r, err := ParseRect(rs)
	if err != nil {
		return Place{}, bad
	}
	return Place{Page: page, Rect: &r}, nil
}

// ParseRect reads "x,y,w,h".
func ParseRect(s string) (appearance.Rect, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return appearance.Rect{}, fmt.Errorf("%w: rectangle %q (x,y,w,h)", ErrBadRequest, s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return appearance.Rect{}, fmt.Errorf("%w: rectangle %q (x,y,w,h)", ErrBadRequest, s)
		}
		v[i] = f
	}
	if v[2] <= 0 || v[3] <= 0 {
		return appearance.Rect{}, fmt.Errorf("%w: rectangle %q needs a positive width and height", ErrBadRequest, s)
	}
	return appearance.Rect{X: v[0], Y: v[1], W: v[2], H: v[3]}, nil
}

// TextAt places the number or date by hand: the baseline's left end on a
// page, and the font size (default 13 pt).
type TextAt struct {
	Page       int
	X, Y, Size float64
}

// ParseTextAt reads "x,y" or "x,y,size" (page 1) or "page:N:x,y[,size]".
func ParseTextAt(s string) (*TextAt, error) {
	bad := fmt.Errorf("%w: position %q (use x,y[,size] or page:N:x,y[,size])", ErrBadRequest, s)
	t := &TextAt{Page: 1, Size: 13}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(strings.ToLower(s), "page:"); ok {
		ps, rs, ok := strings.Cut(rest, ":")
		p, err := strconv.Atoi(ps)
		if !ok || err != nil || p < 1 {
			return nil, bad
		}
		t.Page, s = p, rs
	}
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, bad
	}
	var v []float64
	for _, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad
		}
		v = append(v, f)
	}
	t.X, t.Y = v[0], v[1]
	if len(v) == 3 {
		if v[2] < 4 || v[2] > 72 {
			return nil, bad
		}
		t.Size = v[2]
	}
	return t, nil
}

// Fonts are the TrueType programs of the visible text (Times New Roman
// metrics with Vietnamese glyphs, e.g. Liberation Serif). Italic is used
// where the document's line is italic; it may be nil.
type Fonts struct {
	Regular, Italic []byte
}

// Request is one role signature.
type Request struct {
	Role Role
	// Options are the signing options: signer, chain, level, TSA, … The
	// role fills FieldName (when empty), Reason, Location (when empty),
	// Visible, Widgets and Now.
	Options pades.Options

	Place Place // approve: the image; issue: the seal (auto = next to the approve image)

	Signature []byte // approve: the handwritten signature, PNG with transparency
	// SignerName is the name looked for in the signer block (default:
	// the certificate's common name).
	SignerName string

	Seal   []byte  // issue: the seal, PNG with transparency
	SealMM float64 // issue: the seal's real width in millimetres (e.g. 36)

	Number string    // issue, attachment: "123/UBND-VP" (or "123" when the document prints the notation)
	Date   time.Time // issue: the issue date (default: the signing day)
	// NumberAt and DateAt place the number and date by hand instead of
	// finding "Số:" and "ngày … tháng … năm" (then "Số: 123/UBND-VP" and
	// "<DatePlace>, ngày 21 tháng 11 năm 2026" are written in full).
	NumberAt, DateAt *TextAt
	DatePlace        string

	Org      string   // attachment, copy: the organisation's name (default: the certificate's O, else CN)
	CopyKind CopyKind // copy
	Title    string   // review: the reviewer's position (default: the certificate's title)

	Fonts  Fonts          // issue, attachment, copy
	Verify verify.Options // issue: how the approve signature is checked (Trust is required)
	Layout layout.Options // limits of the text extraction
}

// How a place was chosen.
type How string

// Ways of choosing a place.
const (
	HowAuto     How = "auto"     // found from the page's text
	HowManual   How = "manual"   // given
	HowFallback How = "fallback" // not found; the given fallback was used
)

// Placement is where something visible was put.
type Placement struct {
	Page  int
	Rect  appearance.Rect
	How   How
	Found string // auto: what was found ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH … Nguyễn Văn Ánh")
	// Reason is why automatic placement failed (HowFallback).
	Reason string
	Text   string // number/date: the text written
}

// Warning is a non-fatal remark; Code is stable, Arg a detail.
type Warning struct {
	Code string // "signature_not_blue", "seal_not_red"
	Arg  string
}

// Report describes a role signature.
type Report struct {
	Role      Role
	Field     string
	Result    *pades.Result // set after signing
	Placement *Placement    // the image (approve, issue) or text box (attachment, copy)
	Number    *Placement    // issue
	Date      *Placement    // issue
	Approval  *verify.Signature
	Warnings  []Warning
	When      time.Time // the signing time written in /M and the texts
}

// Plan checks the request against the document read from r and returns the
// signing options that carry out the role, with what it decided. Nothing
// is signed.
func Plan(ctx context.Context, r io.ReaderAt, size int64, req Request) (pades.Options, *Report, error) {
	p, err := newPlanner(ctx, r, size, req)
	if err != nil {
		return req.Options, nil, err
	}
	switch req.Role {
	case Review:
		err = p.review()
	case Approve:
		err = p.approve()
	case Issue:
		err = p.issue()
	case Attachment, Copy:
		err = p.stamp()
	default:
		err = fmt.Errorf("%w: unknown role %q", ErrBadRequest, req.Role)
	}
	if err != nil {
		return p.opts, nil, err
	}
	return p.opts, p.rep, nil
}

// planner holds what every role's plan starts from: the request, the
// signer's certificate, the signing time, the document's signature fields.
type planner struct {
	ctx  context.Context
	r    io.ReaderAt
	size int64
	req  Request
	opts pades.Options
	rep  *Report
	cert *x509.Certificate
	now  time.Time
	sigs []existingSig
	org  string
}

// newPlanner checks the request, fixes the signing time, reads the
// document's signature fields and names the new one.
func newPlanner(ctx context.Context, r io.ReaderAt, size int64, req Request) (*planner, error) {
	p := &planner{ctx: ctx, r: r, size: size, req: req, opts: req.Options, rep: &Report{Role: req.Role}}
	if _, err := ParseRole(string(req.Role)); err != nil {
		return nil, err
	}
	if len(p.opts.Chain) == 0 || p.opts.Chain[0] == nil {
		return nil, fmt.Errorf("%w: no signer certificate", ErrBadRequest)
	}
	if p.opts.Visible != nil || len(p.opts.Widgets) > 0 {
		return nil, fmt.Errorf("%w: the role makes the appearance; Visible and Widgets must be empty", ErrBadRequest)
	}
	p.cert = p.opts.Chain[0]
	now := time.Now()
	if p.opts.Now != nil {
		now = p.opts.Now()
	}
	p.now = now.In(Vietnam).Truncate(time.Second)
	p.opts.Now = func() time.Time { return p.now }
	p.rep.When = p.now

	f, err := pdf.OpenFinal(ctx, r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", pades.ErrMalformed, err)
	}
	if f.Encrypted() {
		return nil, pades.ErrEncrypted
	}
	if p.sigs, err = inspectFields(f); err != nil {
		return nil, fmt.Errorf("%w: %v", pades.ErrMalformed, err)
	}
	if p.opts.FieldName == "" {
		p.opts.FieldName = p.freeFieldName()
	}
	p.rep.Field = p.opts.FieldName
	p.org = req.Org
	if p.org == "" {
		if len(p.cert.Subject.Organization) > 0 {
			p.org = p.cert.Subject.Organization[0]
		} else {
			p.org = p.cert.Subject.CommonName
		}
	}
	return p, nil
}

// freeFieldName is the first of the role's field names (Approve1,
// Approve2, …) no field of the document has.
func (p *planner) freeFieldName() string {
	used := map[string]bool{}
	for _, s := range p.sigs {
		used[strings.ToLower(s.Field)] = true
	}
	for i := 1; ; i++ {
		name := fmt.Sprintf("%s%d", p.req.Role.fieldPrefix(), i)
		if !used[strings.ToLower(name)] {
			return name
		}
	}
}

// has reports whether the document holds a signed signature of role.
func (p *planner) has(role Role) bool {
	for _, s := range p.sigs {
		if s.Role == role && s.Signed {
			return true
		}
	}
	return false
}

// review: an invisible signature, before the competent person's.
func (p *planner) review() error {
	if p.has(Approve) || p.has(Issue) {
		return fmt.Errorf("%w: the document is already signed by the competent person; review signatures come before the approval", ErrOrder)
	}
	title := p.req.Title
	if title == "" {
		title = certTitle(p.cert)
	}
	if p.opts.Reason == "" {
		p.opts.Reason = "Ký nháy (rà soát nội dung)"
		if title != "" {
			p.opts.Reason += ": " + title
		}
	}
	if p.opts.Location == "" {
		p.opts.Location = defaultLocation(p.ctx, p.r, p.size, p.req, p.cert)
	}
	return nil
}

// approve: the competent person's signature image where the signer's
// block is.
func (p *planner) approve() error {
	req := p.req
	if p.has(Issue) {
		return ErrAlreadyIssued
	}
	if len(req.Signature) == 0 {
		return fmt.Errorf("%w: the approve role needs the signer's signature image (PNG)", ErrBadRequest)
	}
	img, info, err := stamp.Load(req.Signature)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrImage, err)
	}
	if info.Ink != stamp.InkBlue {
		p.rep.Warnings = append(p.rep.Warnings, Warning{Code: "signature_not_blue", Arg: string(info.Ink)})
	}
	name := req.SignerName
	if name == "" {
		name = p.cert.Subject.CommonName
	}
	pl, err := placeApprove(p.ctx, p.r, p.size, req, name, float64(img.Width)/float64(img.Height))
	if err != nil {
		return err
	}
	pl.Rect = round3(pl.Rect)
	p.rep.Placement = pl
	p.opts.Visible = imageAppearance(pl.Page, pl.Rect, img)
	if p.opts.Reason == "" {
		p.opts.Reason = "Ký ban hành văn bản (người có thẩm quyền)"
		if t := certTitle(p.cert); t != "" {
			p.opts.Reason += ": " + t
		}
	}
	if p.opts.Location == "" {
		p.opts.Location = defaultLocation(p.ctx, p.r, p.size, req, p.cert)
	}
	return nil
}

// issue: the clerk's organisation seal over the approval, with the number
// and date written into their places.
func (p *planner) issue() error {
	req := p.req
	if p.has(Issue) {
		return ErrAlreadyIssued
	}
	if err := req.checkIssue(); err != nil {
		return err
	}
	seal, info, err := stamp.Load(req.Seal)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrImage, err)
	}
	if info.Ink != stamp.InkRed {
		p.rep.Warnings = append(p.rep.Warnings, Warning{Code: "seal_not_red", Arg: string(info.Ink)})
	}
	approval, err := checkApproval(p.ctx, p.r, p.size, req, p.sigs)
	if err != nil {
		return err
	}
	p.rep.Approval = approval.sig
	pl, err := placeSeal(req, approval.widget, seal)
	if err != nil {
		return err
	}
	pl.Rect = round3(pl.Rect)
	p.rep.Placement = pl
	p.opts.Visible = imageAppearance(pl.Page, pl.Rect, seal)
	date := req.Date
	if date.IsZero() {
		date = p.now
	}
	widgets, numPl, datePl, place, err := numberAndDate(p.ctx, p.r, p.size, req, date)
	if err != nil {
		return err
	}
	p.opts.Widgets = widgets
	p.rep.Number, p.rep.Date = numPl, datePl
	if p.opts.Reason == "" {
		p.opts.Reason = issueReasonText(req.Number, date)
	}
	if p.opts.Location == "" {
		p.opts.Location = place
	}
	if p.opts.Location == "" {
		p.opts.Location = certPlace(p.cert)
	}
	return nil
}

// checkIssue checks what the issue role needs from the request.
func (req Request) checkIssue() error {
	switch {
	case len(req.Seal) == 0:
		return fmt.Errorf("%w: the issue role needs the organisation's seal image (PNG)", ErrBadRequest)
	case req.SealMM < 10 || req.SealMM > 100:
		return fmt.Errorf("%w: the seal's size must be given in millimetres (10 to 100, e.g. 36)", ErrBadRequest)
	case strings.TrimSpace(req.Number) == "":
		return fmt.Errorf("%w: the issue role needs the document number (e.g. 123/UBND-VP)", ErrBadRequest)
	case len(req.Fonts.Regular) == 0:
		return fmt.Errorf("%w: no font for the number and date", ErrBadRequest)
	}
	return nil
}

// stamp: the attachment's or copy's text stamp at the top of page 1.
func (p *planner) stamp() error {
	req := p.req
	if len(req.Fonts.Regular) == 0 {
		return fmt.Errorf("%w: no font for the stamp text", ErrBadRequest)
	}
	font, err := appearance.NewTrueTypeFont(req.Fonts.Regular)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	lines, err := p.stampLines()
	if err != nil {
		return err
	}
	doc, err := layout.Open(p.ctx, p.r, p.size, req.Layout)
	if err != nil {
		return err
	}
	p1, err := doc.Page(p.ctx, 1)
	if err != nil {
		return err
	}
	if p.opts.Location == "" {
		p.opts.Location = certPlace(p.cert)
	}
	ap, rect := stampAppearance(p1, font, lines)
	p.opts.Visible = ap
	p.rep.Placement = &Placement{Page: 1, Rect: round3(rect), How: HowAuto, Text: strings.Join(lines, " | ")}
	return nil
}

// stampLines are the attachment's (main document's number, time,
// organisation) or the copy's (kind, organisation, time) stamp lines; the
// reason follows them.
func (p *planner) stampLines() ([]string, error) {
	req := p.req
	if req.Role == Attachment {
		if strings.TrimSpace(req.Number) == "" {
			return nil, fmt.Errorf("%w: the attachment role needs the main document's number (e.g. 123/UBND-VP)", ErrBadRequest)
		}
		if p.opts.Reason == "" {
			p.opts.Reason = "Ký số tệp đính kèm văn bản số " + strings.TrimSpace(req.Number)
		}
		return []string{strings.TrimSpace(req.Number), ISOTime(p.now), p.org}, nil
	}
	kind := req.CopyKind
	if kind == "" {
		kind = CopySaoY
	}
	if _, err := ParseCopyKind(string(kind)); err != nil {
		return nil, err
	}
	if p.opts.Reason == "" {
		p.opts.Reason = "Bản sao điện tử: " + string(kind)
	}
	return []string{string(kind), p.org, ISOTime(p.now)}, nil
}

// defaultLocation is the place printed before the date on page 1 ("Đắk
// Lắk"), else the certificate's locality or province.
func defaultLocation(ctx context.Context, r io.ReaderAt, size int64, req Request, cert *x509.Certificate) string {
	if doc, err := layout.Open(ctx, r, size, req.Layout); err == nil {
		if p, err := doc.Page(ctx, 1); err == nil {
			if d, err := FindDate(p); err == nil && d.Place != "" {
				return d.Place
			}
		}
	}
	return certPlace(cert)
}

func certPlace(cert *x509.Certificate) string {
	if len(cert.Subject.Locality) > 0 {
		return cert.Subject.Locality[0]
	}
	if len(cert.Subject.Province) > 0 {
		return cert.Subject.Province[0]
	}
	return ""
}

// certTitle is the certificate subject's title attribute (2.5.4.12).
func certTitle(c *x509.Certificate) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 12}) {
			if s, ok := n.Value.(string); ok {
				return s
			}
		}
	}
	return ""
}

// Sign plans the role and signs: the PDF of size bytes in r is written,
// signed, to w.
func Sign(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, req Request) (*Report, error) {
	opts, rep, err := Plan(ctx, r, size, req)
	if err != nil {
		return nil, err
	}
	res, err := pades.Sign(ctx, r, size, w, opts)
	if err != nil {
		return nil, err
	}
	rep.Result = res
	return rep, nil
}

// SignFile plans the role on in and signs it to out atomically (no output
// file is left behind on any error).
func SignFile(ctx context.Context, in, out string, req Request) (*Report, error) {
	src, err := os.Open(in)
	if err != nil {
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	st, err := src.Stat()
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	opts, rep, err := Plan(ctx, src, st.Size(), req)
	src.Close()
	if err != nil {
		return nil, err
	}
	res, err := pades.SignFile(ctx, in, out, opts)
	if err != nil {
		return nil, err
	}
	rep.Result = res
	return rep, nil
}

// placeApprove finds the gap of the signer block (or uses the given
// place) and fits the signature image of the given aspect into it.
func placeApprove(ctx context.Context, r io.ReaderAt, size int64, req Request, name string, aspect float64) (*Placement, error) {
	pl := req.Place
	if !pl.Auto {
		if pl.Rect == nil || pl.Page < 1 {
			return nil, fmt.Errorf("%w: a manual place needs a page and a rectangle", ErrBadRequest)
		}
		box := layout.Rect{X0: pl.Rect.X, Y0: pl.Rect.Y, X1: pl.Rect.X + pl.Rect.W, Y1: pl.Rect.Y + pl.Rect.H}
		return &Placement{Page: pl.Page, Rect: fitImage(box, aspect, math.Inf(1), math.Inf(1)), How: HowManual}, nil
	}
	found, err := findApprove(ctx, r, size, req, name, aspect)
	if err == nil {
		return found, nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	if pl.Rect != nil {
		page := pl.Page
		if page < 1 {
			return nil, fmt.Errorf("%w: the fallback place needs a page", ErrBadRequest)
		}
		box := layout.Rect{X0: pl.Rect.X, Y0: pl.Rect.Y, X1: pl.Rect.X + pl.Rect.W, Y1: pl.Rect.Y + pl.Rect.H}
		return &Placement{Page: page, Rect: fitImage(box, aspect, math.Inf(1), math.Inf(1)), How: HowFallback, Reason: err.Error()}, nil
	}
	return nil, err
}

func findApprove(ctx context.Context, r io.ReaderAt, size int64, req Request, name string, aspect float64) (*Placement, error) {
	doc, err := layout.Open(ctx, r, size, req.Layout)
	if err != nil {
		return nil, err
	}
	page := req.Place.Page
	if page == 0 {
		if page, err = doc.PageCount(); err != nil {
			return nil, err
		}
	}
	p, err := doc.Page(ctx, page)
	if err != nil {
		return nil, err
	}
	b, err := FindSignerBlock(p, name)
	if err != nil {
		return nil, err
	}
	const pad = 2.0
	box := layout.Rect{X0: b.Gap.X0, X1: b.Gap.X1, Y0: b.Gap.Y0 + pad, Y1: b.Gap.Y1 - pad}
	if box.H() < 18 {
		return nil, fmt.Errorf("%w: only %.0f pt between %q and the name line on page %d", ErrNoRoom, b.Gap.H(), b.Describe(), p.Number)
	}
	// The image may be wider than a short block ("CHỦ TỊCH").
	if c, half := (box.X0+box.X1)/2, math.Max(box.W()/2, 70); half > box.W()/2 {
		box.X0, box.X1 = c-half, c+half
	}
	return &Placement{Page: p.Number, Rect: fitImage(box, aspect, maxSigW, maxSigH), How: HowAuto, Found: b.Describe()}, nil
}

// approval is the approve signature issue relies on.
type approval struct {
	sig    *verify.Signature
	widget *widget // its visible image, nil if invisible
}

// checkApproval verifies the document and finds a valid approve signature.
func checkApproval(ctx context.Context, r io.ReaderAt, size int64, req Request, sigs []existingSig) (*approval, error) {
	if req.Verify.Trust == nil {
		return nil, fmt.Errorf("%w: a trust store is needed to check the competent person's signature", ErrBadRequest)
	}
	res, err := verify.Verify(ctx, r, size, req.Verify)
	if err != nil {
		return nil, fmt.Errorf("failed to verify the document: %w", err)
	}
	byField := map[string]*verify.Signature{}
	for i := range res.Signatures {
		byField[res.Signatures[i].Field] = &res.Signatures[i]
	}
	for _, s := range res.Signatures {
		if s.Status == verify.StatusInvalid {
			return nil, fmt.Errorf("%w: %q (%s)", ErrInvalidSignature, s.Field, problemCodes(s))
		}
	}
	issuer := req.Options.Chain[0]
	var candidates []existingSig
	for _, s := range sigs {
		if !s.Signed {
			continue
		}
		if s.Role == Approve {
			candidates = append(candidates, s)
			continue
		}
		// A signature by another tool: a visible one made by somebody
		// other than the organisation.
		if s.Role == "" && s.visible() {
			if v := byField[s.Field]; v != nil && v.Kind == verify.KindSignature && (v.SignerCert == nil || !v.SignerCert.Equal(issuer)) {
				candidates = append(candidates, s)
			}
		}
	}
	if len(candidates) == 0 {
		return nil, ErrNoApproval
	}
	var lastErr error
	// The last approval wins (several competent persons sign joint
	// documents; the seal goes on the last one).
	for i := len(candidates) - 1; i >= 0; i-- {
		c := candidates[i]
		v := byField[c.Field]
		if v == nil {
			lastErr = &ApprovalError{Field: c.Field, Status: "missing"}
			continue
		}
		if v.Status != verify.StatusValid || !v.Trusted || v.ModifiedAfter == verify.ModDisallowed {
			lastErr = &ApprovalError{Field: c.Field, Status: string(v.Status), Codes: strings.Fields(problemCodes(*v))}
			continue
		}
		a := &approval{sig: v}
		if len(c.Widgets) > 0 {
			w := c.Widgets[len(c.Widgets)-1]
			a.widget = &w
		}
		return a, nil
	}
	return nil, lastErr
}

func problemCodes(s verify.Signature) string {
	var codes []string
	for _, p := range s.Problems {
		if p.Severity != "info" {
			codes = append(codes, p.Code)
		}
	}
	return strings.Join(codes, " ")
}

// placeSeal puts the seal at its real size with its right edge on the
// first third of the approve image, centred on it vertically.
func placeSeal(req Request, w *widget, seal *appearance.Image) (*Placement, error) {
	sw := req.SealMM * mm
	sh := sw * float64(seal.Height) / float64(seal.Width)
	if !req.Place.Auto {
		if req.Place.Rect == nil || req.Place.Page < 1 {
			return nil, fmt.Errorf("%w: a manual place needs a page and a rectangle", ErrBadRequest)
		}
		r := *req.Place.Rect
		return &Placement{Page: req.Place.Page, How: HowManual,
			Rect: appearance.Rect{X: r.X + r.W/2 - sw/2, Y: r.Y + r.H/2 - sh/2, W: sw, H: sh}}, nil
	}
	if w == nil || w.Page < 1 {
		reason := "the competent person's signature has no visible image to put the seal on"
		if req.Place.Rect != nil && req.Place.Page >= 1 {
			r := *req.Place.Rect
			return &Placement{Page: req.Place.Page, How: HowFallback, Reason: reason,
				Rect: appearance.Rect{X: r.X + r.W/2 - sw/2, Y: r.Y + r.H/2 - sh/2, W: sw, H: sh}}, nil
		}
		return nil, fmt.Errorf("%w: %s; give the place of the seal", ErrNotFound, reason)
	}
	a := w.Rect
	x := a.X + a.W/3 - sw
	y := a.Y + a.H/2 - sh/2
	return &Placement{Page: w.Page, How: HowAuto, Found: "approve image", Rect: appearance.Rect{X: x, Y: y, W: sw, H: sh}}, nil
}
