// Package verify checks the signatures of a PDF file: integrity of each
// signed revision, the CMS signature, the signer's chain to the trust store
// at signing time, revocation, timestamps, PAdES level, DocMDP permissions
// and what changed in later revisions. Results are data (status, problem
// codes with parameters); callers translate and render them.
package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing/internal/pdfsyntax"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/render"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify/internal/cms"
)

// Options controls verification.
type Options struct {
	// Trust is the trust store; required.
	Trust *trust.Store
	// Online allows fetching OCSP responses and CRLs over the network.
	Online bool
	// HTTPClient is used for online revocation checks (default: a client
	// with FetchTimeout).
	HTTPClient *http.Client
	// FetchTimeout bounds each online request (default 10 s).
	FetchTimeout time.Duration
	// MaxDuration bounds the offline analysis of one file (default 5 s).
	MaxDuration time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// NoVisual turns off the visual check: rendering the pages later
	// revisions draw on as signed and as final, and comparing them (see
	// README.md). It is on by default.
	NoVisual bool
	// VisualTimeout bounds the visual check of one file (default
	// DefaultVisualTimeout); when it runs out the signature is
	// indeterminate, never valid.
	VisualTimeout time.Duration
	// Renderer draws the pages for the visual check; nil uses one
	// renderer shared by the process (PDFium, compiled once into the
	// user cache directory).
	Renderer *render.Renderer
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

const (
	maxContentsLen = 16 << 20 // hex-decoded /Contents
	maxSignatures  = 1000
	hashChunk      = 64 << 10
)

// VerifyFile opens name and verifies it.
func VerifyFile(ctx context.Context, name string, opts Options) (*Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRead, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRead, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrRead, name)
	}
	res, err := Verify(ctx, f, st.Size(), opts)
	if res != nil {
		res.File = name
	}
	return res, err
}

// Verify verifies the PDF read from r (size bytes). It always returns a
// Result; the error is non-nil when the file could not be analysed
// (ErrMalformed, ErrLimit, ErrRead, context errors).
func Verify(ctx context.Context, r io.ReaderAt, size int64, opts Options) (res *Result, err error) {
	res = &Result{Size: size, Status: StatusInvalid, Signatures: []Signature{}, Problems: []Problem{}}
	if opts.Trust == nil {
		return res, ErrNoTrustStore
	}
	maxDur := opts.MaxDuration
	if maxDur <= 0 {
		maxDur = 5 * time.Second
	}
	// online fetches have their own timeouts; give them room
	total := maxDur
	if opts.Online {
		total += 4 * fetchTimeout(opts)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			res.Status = StatusInvalid
			res.add(problemSevFail, CodePDFMalformed, "error", fmt.Sprint(p))
			err = fmt.Errorf("%w: internal error: %v", ErrMalformed, p)
		}
	}()
	v := &verifier{ctx: ctx, parent: parent, r: r, size: size, opts: opts, res: res, hashes: map[string][]byte{}}
	if err := v.run(); err != nil {
		code := CodePDFMalformed
		if errors.Is(err, pdf.ErrLimit) || errors.Is(err, context.DeadlineExceeded) {
			code = CodeLimitExceeded
			err = fmt.Errorf("%w: %w", ErrLimit, err)
		} else if !errors.Is(err, ErrRead) && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		res.Status = StatusInvalid
		res.add(problemSevFail, code, "error", err.Error())
		for i := range res.Signatures {
			res.Signatures[i].Status = sigStatus(&res.Signatures[i])
		}
		return res, err
	}
	// the visual check has its own deadline (VisualTimeout), not the
	// analysis's
	v.visualChecks(v.plans)
	for i := range res.Signatures {
		res.Signatures[i].Status = sigStatus(&res.Signatures[i])
	}
	res.Status = fileStatus(res)
	return res, nil
}

func fileStatus(res *Result) Status {
	for _, p := range res.Problems {
		if p.Severity == problemSevFail {
			return StatusInvalid
		}
	}
	if len(res.Signatures) == 0 {
		return StatusIndeterminate
	}
	st := StatusValid
	for _, s := range res.Signatures {
		switch s.Status {
		case StatusInvalid:
			return StatusInvalid
		case StatusIndeterminate:
			st = StatusIndeterminate
		}
	}
	return st
}

type verifier struct {
	ctx    context.Context // the analysis, bounded by MaxDuration
	parent context.Context // the caller's: the visual check has its own bound
	r      io.ReaderAt
	size   int64
	opts   Options
	res    *Result
	rd     *pdf.Reader
	revs   []pdf.Revision
	views  map[int]*pdf.View
	usages map[int]*usage
	plans  map[int]*visualPlan // per signature, for the visual check
	final  *pdf.View
	hashes map[string][]byte
	dss    *dssData
	buf    []byte // for hashing
}

func (v *verifier) run() error {
	head := make([]byte, 1)
	if n, err := v.r.ReadAt(head, 0); n == 0 && err != nil && v.size > 0 {
		return fmt.Errorf("%w: %w", ErrRead, err)
	}
	var err error
	v.rd, err = pdf.Open(v.ctx, v.r, v.size, pdf.Limits{})
	if err != nil {
		return err
	}
	v.revs, err = v.rd.Revisions()
	if err != nil {
		return err
	}
	v.res.Revisions = len(v.revs)
	v.views = map[int]*pdf.View{}
	// the final view: last revision that parses
	for i := len(v.revs) - 1; i >= 0; i-- {
		fv, err := v.view(i)
		if err == nil && fv.Root() != nil {
			v.final = fv
			if i != len(v.revs)-1 {
				v.res.add(problemSevFail, CodePDFMalformed, "error", "last revision unreadable")
			}
			break
		}
		if err != nil && (errors.Is(err, pdf.ErrLimit) || v.ctx.Err() != nil) {
			return err
		}
	}
	if v.final == nil {
		return fmt.Errorf("%w: no readable cross-reference section", pdf.ErrSyntax)
	}
	if v.final.Broken != nil {
		v.res.add(problemSevFail, CodePDFMalformed, "error", "cross-reference chain broken")
	}
	if _, junk := v.rd.Trailing(); junk {
		// viewers read what follows the last startxref (they rebuild the
		// file from it): a change no signature covers
		v.res.add(problemSevFail, CodePDFMalformed, "error", "data after the last revision")
	}
	if v.final.Trailer.Get("Encrypt") != nil {
		v.res.add(problemSevInfo, CodePDFEncrypted)
	}
	fields, err := collectSigFields(v.final)
	if err != nil {
		return err
	}
	if len(fields) == 0 {
		v.res.add(problemSevIndet, CodeNoSignatures)
		return nil
	}
	v.dss = loadDSS(v.final)
	for _, f := range fields {
		if err := v.ctx.Err(); err != nil {
			return err
		}
		s := v.checkSignature(f)
		s.vobj = f.v
		v.res.Signatures = append(v.res.Signatures, s)
	}
	v.checkTimes()
	v.crossChecks()
	return v.ctx.Err()
}

func (v *verifier) view(i int) (*pdf.View, error) {
	if x, ok := v.views[i]; ok {
		if x == nil {
			return nil, pdf.ErrSyntax
		}
		return x, nil
	}
	x, err := v.rd.View(i)
	if err != nil {
		v.views[i] = nil
		return nil, err
	}
	v.views[i] = x
	return x, nil
}

// docInfo is a revision's view, as the revocation checks look at it.
type docInfo struct{ v *pdf.View }

func (v *verifier) info(i int) *docInfo {
	x, err := v.view(i)
	if err != nil {
		return nil
	}
	return &docInfo{v: x}
}

// fieldName returns the fully qualified name and the (inherited) field
// type of field f under a parent named parent, of type ft.
func fieldName(parent, ft string, f pdf.Dict) (string, string) {
	name := parent
	if t, ok := f.Get("T").(pdf.String); ok {
		if name != "" {
			name += "."
		}
		name += textString(t)
	}
	if x := f.Name("FT"); x != "" {
		ft = x
	}
	return name, ft
}

type sigField struct {
	name string
	v    pdf.Object // the /V value (ref or dict)
	ref  int        // object number of /V, -1 if direct
}

func collectSigFields(v *pdf.View) ([]sigField, error) {
	root := v.Root()
	af := v.Dict(root.Get("AcroForm"))
	if af == nil {
		return nil, nil
	}
	var out []sigField
	seen := map[int]bool{}
	count := 0
	var walk func(o pdf.Object, parent string, ft string, depth int) error
	walk = func(o pdf.Object, parent, ft string, depth int) error {
		count++
		if depth > maxTreeDepth || count > maxFieldsWalk {
			return fmt.Errorf("%w: form field tree too large", pdf.ErrLimit)
		}
		if n := refNum(o); n >= 0 {
			if seen[n] {
				return nil
			}
			seen[n] = true
		}
		f := v.Dict(o)
		if f == nil {
			return nil
		}
		name, ft := fieldName(parent, ft, f)
		kids := v.Array(f.Get("Kids"))
		if ft == "Sig" && f.Get("V") != nil {
			if sd := v.Dict(f.Get("V")); sd != nil {
				out = append(out, sigField{name: name, v: f.Get("V"), ref: refNum(f.Get("V"))})
				if len(out) > maxSignatures {
					return fmt.Errorf("%w: too many signatures", pdf.ErrLimit)
				}
			}
		}
		for _, k := range kids {
			kd := v.Dict(k)
			if kd == nil {
				continue
			}
			// widgets without /T belong to this field
			if kd.Get("T") == nil && kd.Get("FT") == nil && kd.Get("V") == nil {
				continue
			}
			if err := walk(k, name, ft, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range v.Array(af.Get("Fields")) {
		if err := walk(f, "", "", 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// textString decodes a PDF text string (UTF-16BE or UTF-8 with a BOM,
// else PDFDocEncoding read as Latin-1).
func textString(b []byte) string { return pdf.DecodeText(b) }

// hashRanges hashes the byte ranges, streaming.
func (v *verifier) hashRanges(br []int64, h crypto.Hash) ([]byte, error) {
	key := fmt.Sprint(br, h)
	if d, ok := v.hashes[key]; ok {
		return d, nil
	}
	if !h.Available() {
		return nil, fmt.Errorf("%w: hash %v", cms.ErrUnsupportedAlgorithm, h)
	}
	hh := h.New()
	if v.buf == nil {
		v.buf = make([]byte, hashChunk)
	}
	buf := v.buf
	for i := 0; i+1 < len(br); i += 2 {
		off, n := br[i], br[i+1]
		if off < 0 || n < 0 || off > v.size {
			continue
		}
		n = min(n, v.size-off) // ranges beyond the file are reported, hashed as far as they exist
		for n > 0 {
			if err := v.ctx.Err(); err != nil {
				return nil, err
			}
			k := min(n, int64(len(buf)))
			m, err := v.r.ReadAt(buf[:k], off)
			if int64(m) != k {
				return nil, fmt.Errorf("%w: short read: %v", ErrRead, err)
			}
			hh.Write(buf[:k])
			off += k
			n -= k
		}
	}
	d := hh.Sum(nil)
	v.hashes[key] = d
	return d, nil
}

// readGap returns the hex-decoded /Contents located in the ByteRange gap.
func (v *verifier) readGap(start, end int64) ([]byte, bool) {
	if end-start < 2 || end-start > 2*maxContentsLen+16 {
		return nil, false
	}
	b := make([]byte, end-start)
	if n, _ := v.r.ReadAt(b, start); int64(n) != end-start {
		return nil, false
	}
	if b[0] != '<' || b[len(b)-1] != '>' {
		return nil, false
	}
	// the whole gap is one hexadecimal string: digits and white space
	out, stop, closed, bad := pdfsyntax.Hex(b, 1)
	if !closed || stop != len(b) || bad >= 0 {
		return nil, false
	}
	return out, true
}

func (v *verifier) checkSignature(f sigField) Signature {
	s := Signature{Field: f.name, Kind: KindSignature, Revision: -1, Level: LevelNone,
		ModifiedAfter: ModNone, Revocation: RevNotChecked, SigningTimeSource: TimeNone, Problems: []Problem{}}
	sd := v.final.Dict(f.v)
	s.SubFilter = sd.Name("SubFilter")
	if sd.Name("Type") == "DocTimeStamp" || s.SubFilter == "ETSI.RFC3161" {
		s.Kind = KindDocTimestamp
	}
	// ByteRange
	brArr := v.final.Array(sd.Get("ByteRange"))
	var br []int64
	for _, x := range brArr {
		i, ok := mustResolve(v.final, x).(int64)
		if !ok {
			br = nil
			break
		}
		br = append(br, i)
	}
	s.ByteRange = br
	if len(br) != 4 || br[0] != 0 || br[1] <= 0 || br[2] <= br[1] || br[3] < 0 || br[1] < 0 {
		s.add(problemSevFail, CodeByteRangeMalformed)
		if len(br) == 4 && br[2] < br[1] {
			s.ByteRange = br
		}
		return s
	}
	s.ByteRangeOK = true
	if br[2]+br[3] > v.size || br[2]+br[3] < br[2] {
		s.add(problemSevFail, CodeByteRangeOutside, "end", strconv.FormatInt(br[2]+br[3], 10), "size", strconv.FormatInt(v.size, 10))
		s.ByteRangeOK = false
	}
	dc, isStr := mustResolve(v.final, sd.Get("Contents")).(pdf.String)
	if !isStr || len(dc) == 0 {
		s.add(problemSevFail, CodeCMSMalformed, "error", "no /Contents")
		return s
	}
	contents := []byte(dc)
	if gap, ok := v.readGap(br[1], br[2]); !ok {
		s.add(problemSevFail, CodeByteRangeGap)
		s.ByteRangeOK = false
	} else if !bytes.Equal(bytes.TrimRight(gap, "\x00"), bytes.TrimRight(contents, "\x00")) {
		s.add(problemSevFail, CodeContentsMismatch)
		s.ByteRangeOK = false
	}
	end := br[2] + br[3]
	for i, rv := range v.revs {
		if end >= rv.End && end <= rv.End+2 && v.onlyEOL(rv.End, end) {
			s.Revision = i
			s.CoversRevision = true
		}
	}
	if s.CoversRevision && s.Revision == len(v.revs)-1 && v.onlyEOL(end, v.size) {
		s.CoversDocument = true
	}
	if !s.CoversRevision {
		s.add(problemSevFail, CodeByteRangeNotRevision, "end", strconv.FormatInt(end, 10))
	}
	// claimed time from /M
	if m, ok := sd.Get("M").(pdf.String); ok {
		if t, ok := parsePDFDate(string(m)); ok {
			s.ClaimedTime = t
		}
	}
	v.checkCMS(&s, sd, br, contents)
	return s
}

func (v *verifier) onlyEOL(from, to int64) bool {
	if to < from || to-from > 64 {
		return false
	}
	b := make([]byte, to-from)
	n, _ := v.r.ReadAt(b, from)
	if int64(n) != to-from {
		return false
	}
	return len(bytes.Trim(b, "\r\n \t\x00")) == 0
}

// parsePDFDate parses D:YYYYMMDDHHmmSSOHH'mm'.
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(s, "D:")
	s = strings.ReplaceAll(s, "'", "")
	if len(s) < 4 {
		return time.Time{}, false
	}
	base := s
	zone := ""
	for i, c := range s {
		if c == 'Z' || c == '+' || c == '-' {
			base, zone = s[:i], s[i:]
			break
		}
	}
	layout := "20060102150405"[:min(len(base), 14)]
	t, err := time.Parse(layout, base[:len(layout)])
	if err != nil {
		return time.Time{}, false
	}
	if len(zone) >= 3 && zone[0] != 'Z' {
		h, _ := strconv.Atoi(zone[1:3])
		m := 0
		if len(zone) >= 5 {
			m, _ = strconv.Atoi(zone[3:5])
		}
		off := (h*60 + m) * 60
		if zone[0] == '-' {
			off = -off
		}
		t = t.Add(-time.Duration(off) * time.Second)
	}
	return t.UTC(), true
}

func signerName(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}
