package bridge

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/stamp"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// RoleRequest is one role signature (Nghị định 30: review, approve, issue,
// attachment, copy) on one document, as the user asked for it.
type RoleRequest struct {
	Role    roles.Role
	In, Out string

	Level                            pades.Level
	TSAURL                           string
	Timeout                          time.Duration
	Reason, Location, Contact, Field string

	// Image (approve) and Seal (issue) are the PNGs to use; nil takes the
	// stored image of the signer's name (approve) or of Org, else the
	// certificate's name (issue), from the image store in DataDir.
	Image, Seal []byte
	DataDir     string

	SealMM     float64
	Number     string
	Date       time.Time
	Place      roles.Place
	NumberAt   *roles.TextAt
	DateAt     *roles.TextAt
	DatePlace  string
	CopyKind   roles.CopyKind
	Org        string
	Title      string
	SignerName string

	// Trust and Online check the approval before an issue.
	Trust  *trust.Store
	Online bool
}

// Check reports what is missing from the request before a token is
// touched.
func (r *RoleRequest) Check() error {
	if r.In == "" || r.Out == "" {
		return usage("sign.role.one_input")
	}
	if st, err := os.Stat(r.In); err != nil || !st.Mode().IsRegular() {
		return usage("sign.no_input", r.In)
	}
	if samePath(r.In, r.Out) {
		return usage("sign.same_file", r.In)
	}
	switch r.Role {
	case roles.Issue:
		if r.SealMM <= 0 {
			return usage("sign.role.need_seal_mm")
		}
		if strings.TrimSpace(r.Number) == "" {
			return usage("sign.role.need_number", string(r.Role))
		}
	case roles.Attachment:
		if strings.TrimSpace(r.Number) == "" {
			return usage("sign.role.need_number", string(r.Role))
		}
	}
	if r.Role == roles.Issue && r.Trust == nil {
		return fmt.Errorf("%w: no trust store for checking the approval", ErrTrust)
	}
	return nil
}

// LoadTrust loads the trust store: the bundled roots, the user's folder
// (userDir; "" = the default), the given PEM files and, when asked, the
// operating system's roots.
func LoadTrust(ctx context.Context, files []string, userDir string, system bool) (*trust.Store, error) {
	return trust.Load(ctx, trust.Options{Files: files, UserDir: userDir, System: system})
}

// withDemoRoot returns a copy of st that also trusts the demo root (for
// demo signatures only: the copy is used for the one run).
func withDemoRoot(ctx context.Context, st *trust.Store, root *x509.Certificate) *trust.Store {
	out := trust.New()
	for _, c := range st.Certs() {
		out.Add(c.Cert, c.Role, c.Source)
	}
	out.Add(root, trust.RoleAnchor, "demo")
	return out
}

// roleRequest turns the user's request into the roles package's, with the
// images from the store and, for a demo signer, the demo marks.
func (r *RoleRequest) roleRequest(ctx context.Context, s *Signer) (roles.Request, error) {
	req := roles.Request{Role: r.Role, SignerName: r.SignerName, Org: r.Org, Title: r.Title, DatePlace: r.DatePlace,
		Number: r.Number, SealMM: r.SealMM, Date: r.Date, NumberAt: r.NumberAt, DateAt: r.DateAt, CopyKind: r.CopyKind,
		Place: r.Place, Signature: r.Image, Seal: r.Seal,
		Fonts: roles.Fonts{Regular: assets.SerifRegular, Italic: assets.SerifItalic}}
	if r.Role == roles.Issue {
		ts := r.Trust
		if s.Demo && s.DemoRoot != nil {
			ts = withDemoRoot(ctx, ts, s.DemoRoot)
		}
		req.Verify = verify.Options{Trust: ts, Online: r.Online, FetchTimeout: r.Timeout}
	}
	if err := r.images(&req, s); err != nil {
		return req, err
	}
	if s.Demo {
		if err := demoMarks(&req, s); err != nil {
			return req, err
		}
	}
	req.Options = pades.Options{Signer: s.Key, Chain: s.Chain, Level: r.Level, TSAURL: r.TSAURL, Timeout: r.Timeout,
		Reason: r.Reason, Location: r.Location, ContactInfo: r.Contact, FieldName: r.Field}
	return req, nil
}

// ImageStore is the signature and seal store of a signer: the user's in the
// data folder, or for the demo signer the bundled demo images.
func ImageStore(dataDir string, s *Signer) *stamp.Store {
	if s != nil && s.Demo {
		return nil
	}
	return &stamp.Store{Dir: dataDir}
}

// images fills the signature (approve) and seal (issue) from the store
// when the request did not give them.
func (r *RoleRequest) images(req *roles.Request, s *Signer) error {
	cn := s.Cert().Subject.CommonName
	store := ImageStore(r.DataDir, s)
	if r.Role == roles.Approve && req.Signature == nil {
		if s.Demo {
			req.Signature = assets.DemoSignature
			return nil
		}
		name := r.SignerName
		if name == "" {
			name = cn
		}
		b, _, err := store.Get(stamp.KindSignature, name)
		if err != nil {
			return &ImageMissingError{Kind: "signature", Owner: name}
		}
		req.Signature = b
	}
	if r.Role == roles.Issue && req.Seal == nil {
		if s.Demo {
			req.Seal = assets.DemoSeal
			return nil
		}
		for _, owner := range []string{r.Org, cn} {
			if owner == "" {
				continue
			}
			if b, _, err := store.Get(stamp.KindSeal, owner); err == nil {
				req.Seal = b
				return nil
			}
		}
		return &ImageMissingError{Kind: "seal", Owner: cn}
	}
	return nil
}

// demoMarks marks what a demo signature shows: the signature and seal
// images get a "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" band, the attachment and copy
// stamps say it after the organisation. (Review signatures, which show
// nothing, get the mark line in the page margin: see SignRole.)
func demoMarks(req *roles.Request, s *Signer) error {
	var err error
	switch req.Role {
	case roles.Approve:
		if req.Signature, err = demo.MarkImage(req.Signature); err != nil {
			return fmt.Errorf("%w: %w", roles.ErrImage, err)
		}
	case roles.Issue:
		if req.Seal, err = demo.MarkImage(req.Seal); err != nil {
			return fmt.Errorf("%w: %w", roles.ErrImage, err)
		}
	case roles.Attachment, roles.Copy:
		org := req.Org
		if org == "" {
			c := s.Cert()
			org = c.Subject.CommonName
			if len(c.Subject.Organization) > 0 {
				org = c.Subject.Organization[0]
			}
		}
		req.Org = org + " (" + demo.Mark + ")"
	}
	return nil
}

// PlanRole works out a role signature without signing: where the image,
// number and date go and what was found there, for the preview. chain is
// the certificate chosen (no login needed).
func PlanRole(ctx context.Context, r *RoleRequest, chain []*x509.Certificate, isDemo bool, demoRoot *x509.Certificate) (*roles.Report, error) {
	s := &Signer{Chain: chain, Demo: isDemo, DemoRoot: demoRoot}
	req, err := r.roleRequest(ctx, s)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(r.In)
	if err != nil {
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	_, rep, err := roles.Plan(ctx, f, st.Size(), req)
	return rep, err
}

// SignRole makes the role signature: plan, then sign atomically (no output
// is left behind on any error). Warnings (a signature that is not blue, a
// seal that is not red) are in the report.
func SignRole(ctx context.Context, s *Signer, r *RoleRequest) (*roles.Report, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	req, err := r.roleRequest(ctx, s)
	if err != nil {
		return nil, err
	}
	src, err := os.Open(r.In)
	if err != nil {
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	st, err := src.Stat()
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	opts, rep, err := roles.Plan(ctx, src, st.Size(), req)
	src.Close()
	if err != nil {
		return nil, err
	}
	if s.Demo && r.Role == roles.Review {
		opts.Widgets = append(opts.Widgets, demoMarkWidget(1))
	}
	res, err := pades.SignFile(ctx, r.In, r.Out, opts)
	if err != nil {
		return nil, err
	}
	rep.Result = res
	return rep, nil
}
