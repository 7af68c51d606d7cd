package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing"
)

// signErrorKeys maps the signing engine's errors to messages.
var signErrorKeys = []struct {
	target error
	key    string
}{
	{signing.ErrEncrypted, "sign.err.encrypted"},
	{signing.ErrMalformed, "sign.err.malformed"},
	{signing.ErrCertified, "sign.err.certified"},
	{signing.ErrCertifyNotFirst, "sign.err.certify_not_first"},
	{signing.ErrFieldLocked, "sign.err.field_locked"},
	{signing.ErrFieldExists, "sign.err.field_exists"},
	{signing.ErrPlaceholderTooSmall, "sign.err.too_small"},
	{signing.ErrKeyMismatch, "sign.err.key_mismatch"},
	{signing.ErrCertExpired, "sign.err.cert_expired"},
	{signing.ErrTimestamp, "sign.err.timestamp"},
	{signing.ErrRevoked, "sign.err.revoked"},
	{signing.ErrRevocation, "sign.err.revocation"},
	{signing.ErrBadSignature, "sign.err.bad_signature"},
	{signing.ErrBadOptions, "sign.err.bad_options"},
}

// signErrorText returns the user message for a signing error, with the
// engine's detail after it.
func (e *env) signErrorText(err error) string {
	var pe *signing.PageError
	if errors.As(err, &pe) {
		return e.tr("sign.err.page", pe.Page, pe.Pages)
	}
	for _, m := range signErrorKeys {
		if errors.Is(err, m.target) {
			return e.tr(m.key) + " (" + err.Error() + ")"
		}
	}
	return describeError(language(e.getenv), err)
}

// jsonSignResult is one file of `vanthu sign --json`.
type jsonSignResult struct {
	Input     string `json:"input"`
	Output    string `json:"output"`
	OK        bool   `json:"ok"`
	Error     string `json:"error,omitempty"`
	Level     string `json:"level,omitempty"`
	Field     string `json:"field,omitempty"`
	SigningAt string `json:"signing_time,omitempty"`
	Timestamp string `json:"timestamp,omitempty"`
	Size      int64  `json:"size,omitempty"`
}

func parseRect(s string) (signing.Rect, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return signing.Rect{}, errors.New("need x,y,w,h")
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return signing.Rect{}, err
		}
		v[i] = f
	}
	if v[2] <= 0 || v[3] <= 0 {
		return signing.Rect{}, errors.New("width and height must be positive")
	}
	return signing.Rect{X: v[0], Y: v[1], W: v[2], H: v[3]}, nil
}

// cmdSign implements
//
//	vanthu sign [--module P] [--token LABEL] [--cert ID] [--pin-file F]
//	  [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify 1|2|3]
//	  [--reason R] [--location L] [--page N --rect x,y,w,h] [--json]
//	  (-o OUT.pdf FILE | --out DIR FILE...)
//
// Exit status: 0 all signed, 1 any failed, 2 usage error.
func cmdSign(e *env, args []string) int {
	fs := e.newFlagSet("sign")
	tf := addTokenFlags(fs, true)
	level := fs.String("level", "B-B", "PAdES level: B-B, B-T, B-LT or B-LTA")
	tsa := fs.String("tsa", "", "RFC 3161 time-stamping URL (needed from B-T up; default $VANTHU_TSA)")
	certify := fs.Int("certify", 0, "certify the document: 1 no changes, 2 form filling and signing, 3 also annotations")
	reason := fs.String("reason", "", "reason for signing")
	location := fs.String("location", "", "place of signing")
	contact := fs.String("contact", "", "signer contact information")
	field := fs.String("field", "", "signature field to create or fill (default SignatureN)")
	page := fs.Int("page", 0, "page of a visible signature (with --rect)")
	rect := fs.String("rect", "", "visible signature rectangle x,y,w,h in points from the bottom-left corner")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of each TSA, OCSP or CRL request")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	outFile := fs.String("o", "", "output file (one input)")
	outDir := fs.String("out", "", "output directory (several inputs)")
	files, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}

	// Argument checks: all before the token is touched.
	if len(files) == 0 {
		e.usagef(e.tr("sign.usage"))
		return exitUsage
	}
	if (*outFile == "") == (*outDir == "") {
		e.usagef(e.tr("sign.need_output"))
		return exitUsage
	}
	if *outFile != "" && len(files) != 1 {
		e.usagef(e.tr("sign.one_input"))
		return exitUsage
	}
	lv, err := signing.ParseLevel(*level)
	if err != nil {
		e.usagef(e.tr("sign.bad_level", *level))
		return exitUsage
	}
	tsaURL := *tsa
	if tsaURL == "" {
		tsaURL = e.getenv("VANTHU_TSA")
	}
	if lv != signing.LevelBB && tsaURL == "" {
		e.usagef(e.tr("sign.need_tsa", string(lv)))
		return exitUsage
	}
	if *certify < 0 || *certify > 3 {
		e.usagef(e.tr("sign.bad_certify"))
		return exitUsage
	}
	var visible *signing.Rect
	if (*page != 0) != (*rect != "") {
		e.usagef(e.tr("sign.page_rect"))
		return exitUsage
	}
	if *rect != "" {
		r, err := parseRect(*rect)
		if err != nil || *page < 1 {
			e.usagef(e.tr("sign.bad_rect", *rect))
			return exitUsage
		}
		visible = &r
	}
	var jobs []signing.Job
	seen := map[string]bool{}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || !st.Mode().IsRegular() {
			e.usagef(e.tr("sign.no_input", f))
			return exitUsage
		}
		out := *outFile
		if out == "" {
			out = filepath.Join(*outDir, filepath.Base(f))
		}
		ai, _ := filepath.Abs(f)
		ao, _ := filepath.Abs(out)
		if ai == ao {
			e.usagef(e.tr("sign.same_file", f))
			return exitUsage
		}
		if seen[ao] {
			e.usagef(e.tr("sign.duplicate_output", out))
			return exitUsage
		}
		seen[ao] = true
		jobs = append(jobs, signing.Job{In: f, Out: out})
	}
	if *outDir != "" {
		if st, err := os.Stat(*outDir); err != nil || !st.IsDir() {
			e.usagef(e.tr("sign.no_out_dir", *outDir))
			return exitUsage
		}
	}

	ctx, cancel := signalContext()
	defer cancel()
	signer, chain, closeToken, err := e.openSigner(ctx, tf)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	defer closeToken()

	opts := signing.Options{
		Signer: signer, Chain: chain, Level: lv, TSAURL: tsaURL, Timeout: *timeout,
		Certify: *certify, Reason: *reason, Location: *location, ContactInfo: *contact,
		FieldName: *field,
	}
	if visible != nil {
		now := time.Now()
		opts.Now = func() time.Time { return now }
		opts.Visible = signing.TextAppearance(*page, *visible, []string{
			e.tr("sign.appearance.signer", chain[0].Subject.CommonName),
			e.tr("sign.appearance.date", now.Format("02/01/2006 15:04:05 -07:00")),
		}, nil)
	}

	total := len(jobs)
	results := signing.SignBatch(ctx, jobs, opts, func(bp signing.BatchProgress) {
		if !bp.Finished {
			return
		}
		if bp.Err != nil {
			fmt.Fprintf(e.stderr, "[%d/%d] %s: %s\n", bp.Index+1, total, bp.Job.In, e.tr("sign.progress_failed"))
			return
		}
		fmt.Fprintf(e.stderr, "[%d/%d] %s → %s\n", bp.Index+1, total, bp.Job.In, bp.Job.Out)
	})

	failed := 0
	var out []jsonSignResult
	for _, r := range results {
		jr := jsonSignResult{Input: r.Job.In, Output: r.Job.Out, OK: r.Err == nil}
		if r.Err != nil {
			failed++
			err := r.Err
			var fe *signing.FileError
			if errors.As(err, &fe) {
				err = fe.Err
			}
			jr.Output = ""
			jr.Error = e.signErrorText(err)
			if !*asJSON {
				e.errorf(r.Job.In + ": " + jr.Error)
			}
		} else {
			jr.Level = string(r.Result.Level)
			jr.Field = r.Result.FieldName
			jr.SigningAt = r.Result.SigningAt.Format(time.RFC3339)
			if !r.Result.Timestamp.IsZero() {
				jr.Timestamp = r.Result.Timestamp.UTC().Format(time.RFC3339)
			}
			jr.Size = r.Result.OutputSize
		}
		out = append(out, jr)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else {
		fmt.Fprintln(e.stdout, e.tr("sign.summary", total-failed, total))
	}
	if failed > 0 {
		return exitFailure
	}
	return exitOK
}
