package pades

import (
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/cms"
	"github.com/vanthu/vanthu/signing/ltv"
	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/timestamp"
)

// Level is a PAdES baseline level.
type Level string

// PAdES baseline levels.
const (
	LevelBB   Level = "B-B"
	LevelBT   Level = "B-T"
	LevelBLT  Level = "B-LT"
	LevelBLTA Level = "B-LTA"
)

// ParseLevel accepts "B-B", "b-t", "BLT", "PAdES-B-LTA" and similar.
func ParseLevel(s string) (Level, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	u = strings.TrimPrefix(u, "PADES-")
	u = strings.ReplaceAll(u, "-", "")
	switch u {
	case "BB", "":
		return LevelBB, nil
	case "BT":
		return LevelBT, nil
	case "BLT":
		return LevelBLT, nil
	case "BLTA":
		return LevelBLTA, nil
	}
	return "", fmt.Errorf("%w: unknown level %q (use B-B, B-T, B-LT or B-LTA)", ErrBadOptions, s)
}

func (l Level) rank() int {
	switch l {
	case LevelBT:
		return 1
	case LevelBLT:
		return 2
	case LevelBLTA:
		return 3
	}
	return 0
}

// Options configure one signature.
type Options struct {
	Signer crypto.Signer       // the private key (e.g. a PKCS#11 token)
	Chain  []*x509.Certificate // signer certificate first, then its issuers

	Level      Level         // default B-B
	TSAURL     string        // RFC 3161 time-stamping authority (B-T and up)
	HTTPClient *http.Client  // for TSA, OCSP and CRL; default http.DefaultClient
	Timeout    time.Duration // per network request; default 30 s

	Certify int // 0 = approval signature; 1..3 = certification, DocMDP P

	Reason, Location, ContactInfo string
	Name                          string // signer name for /Name; default the certificate's CN
	FieldName                     string // field to create or fill; default "SignatureN"

	Visible *appearance.Appearance // nil = invisible signature
	// Widgets are further widget annotations of the same signature field,
	// each with its own page, rectangle and appearance (e.g. the issue
	// number and date an organisation signature writes on the first page
	// while its seal is drawn on the last). With Widgets the new field
	// keeps its widgets in /Kids; it cannot be combined with filling an
	// existing empty field.
	Widgets []*appearance.Appearance
	Hash    crypto.Hash // SHA-256 (default), SHA-384 or SHA-512

	// ReservedSize forces the size in bytes reserved for the CMS; 0 sizes
	// it from the key, chain and time-stamp token.
	ReservedSize int

	Now      func() time.Time        // clock for /M; default time.Now
	Progress func(done, total int64) // bytes hashed/written so far

	shared *preflightCache // set by SignBatch: one TSA probe and revocation fetch per batch
}

// Result describes a finished signature.
type Result struct {
	Level      Level
	FieldName  string
	SigningAt  time.Time // the /M time
	Timestamp  time.Time // signature time-stamp time (B-T and up)
	DocTSAt    time.Time // document time-stamp time (B-LTA)
	Revisions  int       // incremental updates appended (1 to 3)
	OutputSize int64
	Digest     []byte // message digest of the signed byte ranges
	Signer     *x509.Certificate
}

func (o *Options) normalize() error {
	if o.Signer == nil {
		return fmt.Errorf("%w: no signer", ErrBadOptions)
	}
	if len(o.Chain) == 0 || o.Chain[0] == nil {
		return fmt.Errorf("%w: no signer certificate", ErrBadOptions)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pk, ok := o.Signer.Public().(equaler); !ok || !pk.Equal(o.Chain[0].PublicKey) {
		return ErrKeyMismatch
	}
	if o.Hash == 0 {
		o.Hash = crypto.SHA256
	}
	if _, err := cms.DigestOID(o.Hash); err != nil {
		return fmt.Errorf("%w: %w", ErrBadOptions, err)
	}
	if _, _, _, err := cms.SignatureAlgorithm(o.Chain[0].PublicKey, o.Hash); err != nil {
		return fmt.Errorf("%w: %w", ErrBadOptions, err)
	}
	if o.Level == "" {
		o.Level = LevelBB
	}
	lv, err := ParseLevel(string(o.Level))
	if err != nil {
		return err
	}
	o.Level = lv
	if lv.rank() >= 1 && o.TSAURL == "" {
		return fmt.Errorf("%w: level %s needs a time-stamping authority URL", ErrBadOptions, lv)
	}
	if o.Certify < 0 || o.Certify > 3 {
		return fmt.Errorf("%w: certification level must be 1, 2 or 3", ErrBadOptions)
	}
	if o.Visible != nil {
		if err := o.Visible.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadOptions, err)
		}
	}
	for _, w := range o.Widgets {
		if w == nil {
			return fmt.Errorf("%w: nil widget", ErrBadOptions)
		}
		if err := w.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrBadOptions, err)
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Name == "" {
		o.Name = o.Chain[0].Subject.CommonName
	}
	if now := o.Now(); now.Before(o.Chain[0].NotBefore) || now.After(o.Chain[0].NotAfter) {
		return fmt.Errorf("%w (valid %s to %s)", ErrCertExpired,
			o.Chain[0].NotBefore.UTC().Format(time.DateOnly), o.Chain[0].NotAfter.UTC().Format(time.DateOnly))
	}
	return nil
}

func cloneHash(h hash.Hash, fresh hash.Hash) (hash.Hash, error) {
	m, ok := h.(encoding.BinaryMarshaler)
	u, ok2 := fresh.(encoding.BinaryUnmarshaler)
	if !ok || !ok2 {
		return nil, errors.New("hash state cannot be copied")
	}
	st, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if err := u.UnmarshalBinary(st); err != nil {
		return nil, err
	}
	return fresh, nil
}

const copyChunk = 1 << 20

// Sign reads the PDF of the given size from r and writes the signed PDF
// (the original bytes followed by one to three incremental updates) to w.
// The input is read once, sequentially, for hashing and copying; only the
// objects the update touches are parsed. Before it returns, the output is
// read back (the input's bytes are not read again: their hash state is
// kept) and its revisions, signature dictionaries, ByteRanges and digests
// are checked. On error, what was written to w must be discarded
// (SignFile does that).
func Sign(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, opts Options) (*Result, error) {
	res, out, err := sign(ctx, r, size, w, opts)
	if err != nil {
		return nil, err
	}
	if err := checkOutput(ctx, out, out.size(), out); err != nil {
		return nil, err
	}
	return res, nil
}

// signing is the state of one Sign call.
type signing struct {
	ctx  context.Context
	opts *Options
	fe   *fetchers
	pf   *preflight
	now  time.Time
	w    io.Writer
	out  *output
	res  *Result
}

// sign writes the signed file to w and returns what it wrote.
func sign(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, opts Options) (*Result, *output, error) {
	if err := opts.normalize(); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := pdf.OpenFinal(ctx, r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if f.Encrypted() {
		return nil, nil, ErrEncrypted
	}
	if f.Broken != nil && !errors.Is(f.Broken, pdf.ErrUnchained) {
		// a viewer rebuilds such a file: what it shows is not what
		// would be signed
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, f.Broken)
	}
	s := &signing{ctx: ctx, opts: &opts, fe: newFetchers(&opts), now: opts.Now(), w: w,
		out: &output{hash: opts.Hash, in: r, inSize: size, head: f.Sections[0].Offset, broken: f.Broken != nil}}
	// Network pre-flight: everything that can fail does so before the
	// token is asked to sign.
	if s.pf, err = opts.shared.get(ctx, s.fe, &opts, s.now); err != nil {
		return nil, nil, err
	}
	rev, err := s.prepareSignature(f)
	if err != nil {
		return nil, nil, err
	}
	signed, err := s.signRevision(r, size, rev)
	if err != nil {
		return nil, nil, err
	}
	if opts.Level.rank() >= 2 {
		if err := s.appendDSS(rev, signed); err != nil {
			return nil, nil, err
		}
	}
	if opts.Level == LevelBLTA {
		if err := s.appendDocTimestamp(); err != nil {
			return nil, nil, err
		}
	}
	s.res.OutputSize = s.out.size()
	if opts.Progress != nil {
		opts.Progress(size, size)
	}
	return s.res, s.out, nil
}

// prepareSignature sizes the /Contents placeholder and builds the
// signature revision.
func (s *signing) prepareSignature(f *pdf.View) (*preparedRevision, error) {
	o := s.opts
	need := cms.EstimateSize(o.Chain, o.Hash, s.pf.tstSize)
	reserve := need
	if o.ReservedSize > 0 {
		if o.ReservedSize < need {
			return nil, fmt.Errorf("%w (about %d bytes needed, %d reserved)", ErrPlaceholderTooSmall, need, o.ReservedSize)
		}
		reserve = o.ReservedSize
	}
	return prepareRevision(f, &revisionSpec{
		kind: kindCAdES, contentsLen: reserve, fieldName: o.FieldName, visible: o.Visible, widgets: o.Widgets,
		certify: o.Certify, when: s.now, name: o.Name, reason: o.Reason,
		location: o.Location, contactInfo: o.ContactInfo,
	})
}

// signRevision copies and hashes the input in one sequential pass, has
// the token sign, adds the signature time-stamp, and writes the
// signature revision. It returns the CMS.
func (s *signing) signRevision(r io.ReaderAt, size int64, rev *preparedRevision) ([]byte, error) {
	o := s.opts
	h := o.Hash.New()
	if err := copyHash(s.ctx, r, size, s.w, h, o.Progress); err != nil {
		return nil, err
	}
	before, err := cloneHash(h, o.Hash.New())
	if err != nil {
		return nil, err
	}
	a, b := rev.hashedParts()
	h.Write(a)
	h.Write(b)
	digest := h.Sum(nil)
	leaf := o.Chain[0]
	attrs, err := cms.SignedAttributes(digest, o.Hash, leaf)
	if err != nil {
		return nil, fmt.Errorf("failed to build signed attributes: %w", err)
	}
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	sig, err := cms.SignAttributes(s.ctx, o.Signer, leaf, o.Hash, attrs)
	if err != nil {
		return nil, err
	}
	s.res = &Result{Level: o.Level, FieldName: rev.fieldName, SigningAt: s.now, Digest: digest, Signer: leaf, Revisions: 1}
	var tst []byte
	if o.Level.rank() >= 1 {
		sh := o.Hash.New()
		sh.Write(sig)
		tok, err := s.fe.tsa.Stamp(s.ctx, o.Hash, sh.Sum(nil))
		if err != nil {
			return nil, err
		}
		tst = tok.DER
		s.res.Timestamp = tok.Time
	}
	signed, err := cms.Build(o.Chain, o.Hash, attrs, sig, tst)
	if err != nil {
		return nil, fmt.Errorf("failed to build CMS: %w", err)
	}
	if err := rev.setContents(signed); err != nil {
		return nil, err
	}
	return signed, s.write(outRev{built: rev.built, sig: rev, value: signed, before: before, digest: digest})
}

// write appends a revision to the output.
func (s *signing) write(rv outRev) error {
	rv.base = s.out.size()
	if _, err := s.w.Write(rv.built.Bytes); err != nil {
		return fmt.Errorf("failed to write output: %w", err)
	}
	s.out.revs = append(s.out.revs, rv)
	return nil
}

// appendDSS adds the validation data revision (B-LT and B-LTA).
func (s *signing) appendDSS(rev *preparedRevision, signed []byte) error {
	f, err := pdf.OpenFinal(s.ctx, s.out, s.out.size())
	if err != nil {
		return fmt.Errorf("failed to re-read the signed revision: %w", err)
	}
	vd := &ltv.Data{}
	vd.Merge(s.pf.vd)
	// The VRI key is the SHA-1 of the whole /Contents value, padding
	// included (as Adobe, EU DSS and pyHanko write and read it).
	padded := make([]byte, rev.contentsCap())
	copy(padded, signed)
	sum := sha1.Sum(padded)
	dss, err := ltv.AppendDSS(f, vd, []string{strings.ToUpper(hex.EncodeToString(sum[:]))})
	if err != nil {
		return fmt.Errorf("failed to add validation data: %w", err)
	}
	s.res.Revisions++
	return s.write(outRev{built: dss})
}

// appendDocTimestamp adds the document time-stamp revision (B-LTA) over
// everything written so far.
func (s *signing) appendDocTimestamp() error {
	o := s.opts
	f, err := pdf.OpenFinal(s.ctx, s.out, s.out.size())
	if err != nil {
		return fmt.Errorf("failed to re-read the signed revision: %w", err)
	}
	drev, err := prepareRevision(f, &revisionSpec{kind: kindDocTS, contentsLen: s.pf.tstSize + 64, when: s.now})
	if err != nil {
		return fmt.Errorf("failed to add the document time-stamp: %w", err)
	}
	// The hash of the input is not computed again: the signature
	// revision's hash state is extended with what was written since.
	docH, err := cloneHash(s.out.revs[0].before, o.Hash.New())
	if err != nil {
		return err
	}
	for _, rv := range s.out.revs {
		docH.Write(rv.built.Bytes)
	}
	before, err := cloneHash(docH, o.Hash.New())
	if err != nil {
		return err
	}
	a, b := drev.hashedParts()
	docH.Write(a)
	docH.Write(b)
	digest := docH.Sum(nil)
	tok, err := s.fe.tsa.Stamp(s.ctx, o.Hash, digest)
	if err != nil {
		return err
	}
	if err := drev.setContents(tok.DER); err != nil {
		return err
	}
	s.res.DocTSAt = tok.Time
	s.res.Revisions++
	return s.write(outRev{built: drev.built, sig: drev, value: tok.DER, before: before, digest: digest})
}

func copyHash(ctx context.Context, r io.ReaderAt, size int64, w io.Writer, h hash.Hash, progress func(done, total int64)) error {
	buf := make([]byte, copyChunk)
	var off int64
	for off < size {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int64(len(buf))
		if size-off < n {
			n = size - off
		}
		k, err := r.ReadAt(buf[:n], off)
		if int64(k) < n {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("failed to read input: %w", err)
		}
		h.Write(buf[:n])
		if _, err := w.Write(buf[:n]); err != nil {
			return fmt.Errorf("failed to write output: %w", err)
		}
		off += n
		if progress != nil {
			progress(off, size)
		}
	}
	return nil
}

// SignFile signs the PDF at in and writes the result to out atomically: a
// temporary file in out's directory is written, synced and renamed. The
// input is never modified; on any error or cancellation no output file is
// left behind. in and out may not be the same path.
func SignFile(ctx context.Context, in, out string, opts Options) (*Result, error) {
	ai, err1 := filepath.Abs(in)
	ao, err2 := filepath.Abs(out)
	if err1 == nil && err2 == nil && ai == ao {
		return nil, fmt.Errorf("%w: the output must not overwrite the input", ErrBadOptions)
	}
	src, err := os.Open(in)
	if err != nil {
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return nil, fmt.Errorf("failed to open input: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("failed to open input: %s is not a regular file", in)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("failed to create output: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := newBufWriter(tmp)
	res, written, err := sign(ctx, src, st.Size(), bw, opts)
	if err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("failed to write output: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("failed to write output: %w", err)
	}
	// the file as it is on disk, before it gets its name
	fi, err := tmp.Stat()
	if err != nil {
		return nil, fmt.Errorf("failed to write output: %w", err)
	}
	if err := checkOutput(ctx, tmp, fi.Size(), written); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("failed to write output: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, fmt.Errorf("failed to write output: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return nil, fmt.Errorf("failed to write output: %w", err)
	}
	ok = true
	if d, err := os.Open(filepath.Dir(out)); err == nil {
		d.Sync()
		d.Close()
	}
	return res, nil
}

// preflight is what is learnt from the network before signing.
type preflight struct {
	tstSize int       // bytes to reserve for a time-stamp token (with margin)
	vd      *ltv.Data // B-LT and up: signer and TSA validation data
	at      time.Time
}

// preflightCache shares one preflight between the files of a batch for a
// while (OCSP responses and the TSA's token size do not change per file).
type preflightCache struct {
	mu sync.Mutex
	pf *preflight
}

const preflightMaxAge = 10 * time.Minute

// get returns the cached preflight, or runs a new one. A nil cache always
// runs a new one.
func (c *preflightCache) get(ctx context.Context, fe *fetchers, opts *Options, now time.Time) (*preflight, error) {
	if c == nil {
		return runPreflight(ctx, fe, opts, now)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pf != nil && time.Since(c.pf.at) < preflightMaxAge {
		return c.pf, nil
	}
	pf, err := runPreflight(ctx, fe, opts, now)
	if err != nil {
		return nil, err
	}
	c.pf = pf
	return pf, nil
}

func runPreflight(ctx context.Context, fe *fetchers, opts *Options, now time.Time) (*preflight, error) {
	pf := &preflight{vd: &ltv.Data{}, at: time.Now()}
	if opts.Level.rank() == 0 {
		return pf, nil
	}
	probe, err := fe.tsa.Probe(ctx, opts.Hash)
	if err != nil {
		return nil, err
	}
	size := len(probe.DER)
	pf.tstSize = size + size/4 + 256 // token sizes vary a little (nonce, serial, time)
	if opts.Level.rank() >= 2 {
		v, err := fe.ltv.Collect(ctx, opts.Chain, nil, now)
		if err != nil {
			return nil, err
		}
		pf.vd.Merge(v)
		v, err = fe.ltv.Collect(ctx, probe.Certificates, opts.Chain, now)
		if err != nil {
			return nil, fmt.Errorf("failed to validate the time-stamping authority: %w", err)
		}
		pf.vd.Merge(v)
	}
	return pf, nil
}

// fetchers are the network clients of one signing run.
type fetchers struct {
	tsa *timestamp.Client
	ltv *ltv.Collector
}

func newFetchers(opts *Options) *fetchers {
	return &fetchers{
		tsa: timestamp.NewClient(opts.TSAURL, opts.HTTPClient, opts.Timeout),
		ltv: ltv.NewCollector(opts.HTTPClient, opts.Timeout),
	}
}
