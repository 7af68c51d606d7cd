package verify

import (
	"crypto/x509"
	"time"

	"github.com/vanthu/vanthu/signing/verify/internal/cms"
)

// Status is a verdict.
type Status string

// Verdicts.
const (
	StatusValid         Status = "valid"
	StatusInvalid       Status = "invalid"
	StatusIndeterminate Status = "indeterminate"
)

// Modification summarises what changed after a signature.
type Modification string

// Modification classes, from best to worst.
const (
	ModNone       Modification = "none"
	ModAllowed    Modification = "allowed"
	ModDisallowed Modification = "disallowed"
)

// Level is the PAdES baseline level reached.
type Level string

// Levels. LevelCMS is a valid PDF signature that is not PAdES (adbe.pkcs7.*).
const (
	LevelNone  Level = "none"
	LevelCMS   Level = "CMS"
	LevelBB    Level = "B-B"
	LevelBT    Level = "B-T"
	LevelBLT   Level = "B-LT"
	LevelBLTA  Level = "B-LTA"
	LevelDocTS Level = "doc-timestamp"
)

// Kind of signature field value.
const (
	KindSignature    = "signature"
	KindDocTimestamp = "document-timestamp"
)

// TimeSource says where the signing time comes from.
type TimeSource string

// Time sources.
const (
	TimeFromTimestamp    TimeSource = "timestamp"     // a verified signature timestamp
	TimeFromDocTimestamp TimeSource = "doc_timestamp" // a later document timestamp covering the signature
	TimeClaimed          TimeSource = "claimed"       // the signer's own claim (signingTime or /M); never used for validation
	TimeNone             TimeSource = "none"          // no signing time at all
	TimeCurrent          TimeSource = "current"       // no proof of existence: the verifier's clock
)

// Revocation results.
const (
	RevGood         = "good"
	RevRevoked      = "revoked"
	RevUnknown      = "unknown"
	RevNotRequired  = "not_required" // the certificate names no revocation source
	RevNotChecked   = "not_checked"
	RevSrcEmbedded  = "embedded"
	RevSrcOnline    = "online"
	RevSrcNone      = ""
	problemSevInfo  = "info"
	problemSevIndet = "indeterminate"
	problemSevFail  = "invalid"
)

// Problem is a stable code with parameters; the caller translates it.
type Problem struct {
	Code     string            `json:"code"`
	Severity string            `json:"severity"` // invalid | indeterminate | info
	Params   map[string]string `json:"params,omitempty"`
}

// Timestamp describes a verified (or not) RFC 3161 token.
type Timestamp struct {
	Time    time.Time `json:"time"`
	TSA     string    `json:"tsa"`
	Valid   bool      `json:"valid"`   // token signature and imprint verified
	Trusted bool      `json:"trusted"` // TSA chains to the trust store
}

// Change is what one revision saved after a signature changed, as the
// final file shows it: every object number whose effective object differs
// between the signed revision and the final file is listed under the
// revision that gave it its final definition, and judged. Problems that
// concern no revision (bytes after the last one) are listed under
// Revision = the number of revisions.
type Change struct {
	Revision int          `json:"revision"` // index in the file's revisions, 0-based
	End      int64        `json:"end"`
	Class    Modification `json:"class"`
	Objects  []int        `json:"objects,omitempty"` // object numbers this revision changed
	Areas    []Area       `json:"areas,omitempty"`   // where its allowed changes draw
	Problems []Problem    `json:"problems,omitempty"`
}

// Area is a page rectangle an allowed change draws in (a later
// signature's widget, a filled field, a permitted annotation); the visual
// check compares the pages outside these areas.
type Area struct {
	Page     int        `json:"page"` // 1-based
	Rect     [4]float64 `json:"rect"` // x0 y0 x1 y1, PDF user space
	Kind     string     `json:"kind"` // the change kind
	Object   int        `json:"object"`
	Revision int        `json:"revision"`
	// Redrawn: an annotation or widget the signed revision had, drawn
	// anew or removed. What it draws is not compared, but page content it
	// uncovers that the signer did not see is a visual difference.
	Redrawn bool `json:"redrawn,omitempty"`
	// KeepContent (a filled field): nor may it cover page content the
	// signer saw.
	KeepContent bool `json:"keep_content,omitempty"`
}

// Signature is the result for one signature field.
type Signature struct {
	Field     string `json:"field"`
	Kind      string `json:"kind"`
	SubFilter string `json:"sub_filter"`
	Signer    string `json:"signer"`

	Status Status `json:"status"`

	// Integrity.
	ByteRange      []int64 `json:"byte_range"`
	ByteRangeOK    bool    `json:"byte_range_ok"`   // well-formed, inside the file, gap is exactly /Contents
	DigestOK       bool    `json:"digest_ok"`       // content digest matches the signed one
	Intact         bool    `json:"intact"`          // the bytes the ByteRange designates match the signed digest
	SignatureOK    bool    `json:"signature_ok"`    // CMS signature value verifies with the signer key
	CoversRevision bool    `json:"covers_revision"` // ends exactly at an %%EOF
	CoversDocument bool    `json:"covers_document"` // covers the whole file
	Revision       int     `json:"revision"`        // revision index (-1 unknown)

	// Certificates.
	Trusted        bool                `json:"trusted"`
	SignerCert     *x509.Certificate   `json:"-"`
	Chain          []*x509.Certificate `json:"-"`
	Revocation     string              `json:"revocation"`
	RevocationFrom string              `json:"revocation_source,omitempty"`

	// Time.
	SigningTime       time.Time  `json:"signing_time"`
	SigningTimeSource TimeSource `json:"signing_time_source"`
	ClaimedTime       time.Time  `json:"claimed_time"`
	Timestamp         *Timestamp `json:"timestamp,omitempty"`
	// DocTimestamps lists the later document timestamps covering this signature.
	DocTimestamps []string `json:"doc_timestamps,omitempty"`
	// ValidationTime is the time the chain, validity and revocation were
	// evaluated at: the earliest proof that the signature existed (its own
	// trusted timestamp, else a later trusted document timestamp covering
	// it), else the verifier's clock. A claimed time is never used.
	ValidationTime       time.Time  `json:"validation_time"`
	ValidationTimeSource TimeSource `json:"validation_time_source"`

	Level Level `json:"level"`

	// Permissions: DocMDP P value (1..3) of a certification signature, 0 when none.
	DocMDP     int  `json:"docmdp,omitempty"`
	Certifying bool `json:"certifying"`

	ModifiedAfter Modification `json:"modified_after"`
	Changes       []Change     `json:"changes,omitempty"`
	// Visual is the result of comparing the pages as signed with the
	// final file's where allowed changes draw.
	Visual VisualCheck `json:"visual_check"`

	Problems []Problem `json:"problems"`

	vobj any // the /V object, for cross checks

	// kept from the CMS check for the time and certificate checks
	p7  *cms.SignedData
	si  *cms.SignerInfo
	tok *tsToken // the signature timestamp token
}

// Result is the verdict for one file.
type Result struct {
	File       string      `json:"file"`
	Size       int64       `json:"size"`
	Status     Status      `json:"status"`
	Revisions  int         `json:"revisions"`
	Signatures []Signature `json:"signatures"`
	Problems   []Problem   `json:"problems"`
}

func (s *Signature) add(sev, code string, kv ...string) {
	s.Problems = append(s.Problems, mkProblem(sev, code, kv...))
}

func (r *Result) add(sev, code string, kv ...string) {
	r.Problems = append(r.Problems, mkProblem(sev, code, kv...))
}

func mkProblem(sev, code string, kv ...string) Problem {
	p := Problem{Code: code, Severity: sev}
	if len(kv) > 1 {
		p.Params = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			p.Params[kv[i]] = kv[i+1]
		}
	}
	return p
}
