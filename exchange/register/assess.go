package register

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/verify"
)

// SigStatus is the register's verdict on one role's signature.
type SigStatus string

// Verdicts. Only Valid counts towards the e-exchange rate.
const (
	SigValid         SigStatus = "valid"         // present, intact, trusted, nothing disallowed after it
	SigInvalid       SigStatus = "invalid"       // present but broken, untrusted or revoked
	SigIndeterminate SigStatus = "indeterminate" // present; validity could not be established
	SigMissing       SigStatus = "missing"       // the verified file has no signature in this role
	SigUnverified    SigStatus = "unverified"    // no file was given to verify
)

// Verifier checks the signatures of a document.
type Verifier interface {
	Verify(ctx context.Context, r io.ReaderAt, size int64) (*verify.Result, error)
}

// VerifierFunc adapts a function to Verifier.
type VerifierFunc func(ctx context.Context, r io.ReaderAt, size int64) (*verify.Result, error)

// Verify calls f.
func (f VerifierFunc) Verify(ctx context.Context, r io.ReaderAt, size int64) (*verify.Result, error) {
	return f(ctx, r, size)
}

// VerifyWith is the Verifier of signing/verify with opts (Trust required).
func VerifyWith(opts verify.Options) Verifier {
	return VerifierFunc(func(ctx context.Context, r io.ReaderAt, size int64) (*verify.Result, error) {
		return verify.Verify(ctx, r, size, opts)
	})
}

// SignatureInfo is one signature found on a registered document.
type SignatureInfo struct {
	Field       string            `json:"field"`
	Role        roles.Role        `json:"role"`
	Signer      string            `json:"signer"`
	Status      SigStatus         `json:"status"`
	SigningTime time.Time         `json:"signing_time,omitempty"`
	Problems    []string          `json:"problems,omitempty"`
	Cert        *x509.Certificate `json:"-"`
}

// Assessment is what the register keeps of a verified document.
type Assessment struct {
	Approve    SigStatus       `json:"approve"`
	Issue      SigStatus       `json:"issue"`
	Signatures []SignatureInfo `json:"signatures"`
	SHA256     string          `json:"sha256"`
	File       string          `json:"file,omitempty"`
	At         time.Time       `json:"verified_at"`
}

// Unverified is the assessment of an entry without a document.
var Unverified = Assessment{Approve: SigUnverified, Issue: SigUnverified}

// Assess turns a verification result into the register's verdicts. The
// role of each signature is the one vanthu recorded in its field name
// (roles.FieldRole: "Approve1", "Issue1", "Review1", …). A signature field
// named by another tool counts as the organisation's when its certificate
// is an organisation certificate (IsOrganisationCert), else as the
// competent person's. A signature counts as valid when the verifier says
// valid, its chain is trusted and nothing disallowed was changed after
// it. When a role has several signatures, one valid one is enough.
func Assess(res *verify.Result) Assessment {
	as := Assessment{Approve: SigMissing, Issue: SigMissing}
	for _, s := range res.Signatures {
		if s.Kind != verify.KindSignature {
			continue
		}
		info := SignatureInfo{Field: s.Field, Role: roles.FieldRole(s.Field), Signer: s.Signer, Cert: s.SignerCert}
		if info.Role == "" {
			info.Role = roles.Approve
			if s.SignerCert != nil && IsOrganisationCert(s.SignerCert) {
				info.Role = roles.Issue
			}
		}
		switch {
		case s.Status == verify.StatusValid && s.Trusted && s.ModifiedAfter != verify.ModDisallowed:
			info.Status = SigValid
		case s.Status == verify.StatusIndeterminate && s.ModifiedAfter != verify.ModDisallowed:
			info.Status = SigIndeterminate
		default:
			info.Status = SigInvalid
		}
		if s.SigningTimeSource != verify.TimeNone {
			info.SigningTime = s.SigningTime
		}
		for _, p := range s.Problems {
			if p.Severity != "info" {
				info.Problems = append(info.Problems, p.Code)
			}
		}
		if !s.Trusted && info.Status == SigValid {
			info.Status = SigInvalid
		}
		switch info.Role {
		case roles.Approve:
			as.Approve = better(as.Approve, info.Status)
		case roles.Issue:
			as.Issue = better(as.Issue, info.Status)
		}
		as.Signatures = append(as.Signatures, info)
	}
	return as
}

// better keeps the best verdict of a role: valid over invalid over
// indeterminate over missing.
func better(have, got SigStatus) SigStatus {
	rank := func(s SigStatus) int {
		switch s {
		case SigValid:
			return 4
		case SigInvalid:
			return 3
		case SigIndeterminate:
			return 2
		}
		return 1
	}
	if rank(got) > rank(have) {
		return got
	}
	return have
}

// assessFile verifies the document at path.
func (r *Register) assessFile(ctx context.Context, path string) (Assessment, error) {
	f, err := os.Open(path)
	if err != nil {
		return Assessment{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Assessment{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	as, err := r.assess(ctx, f, st.Size())
	as.File = path
	return as, err
}

// assess verifies a document and hashes it.
func (r *Register) assess(ctx context.Context, rd io.ReaderAt, size int64) (Assessment, error) {
	if r.verifier == nil {
		return Assessment{}, fmt.Errorf("%w: no verifier configured to check the document", ErrInvalid)
	}
	res, err := r.verifier.Verify(ctx, rd, size)
	if err != nil {
		return Assessment{}, fmt.Errorf("failed to verify the document: %w", err)
	}
	as := Assess(res)
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(rd, 0, size)); err != nil {
		return Assessment{}, fmt.Errorf("failed to read the document: %w", err)
	}
	as.SHA256 = hex.EncodeToString(h.Sum(nil))
	as.At = r.now()
	return as, nil
}

// signatureNames is the signers of an assessment, for the history.
func (as Assessment) summary() string {
	var parts []string
	for _, s := range as.Signatures {
		parts = append(parts, fmt.Sprintf("%s %s %s", s.Field, s.Signer, s.Status))
	}
	return fmt.Sprintf("approve %s, issue %s [%s]", as.Approve, as.Issue, strings.Join(parts, "; "))
}
