package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/stamp"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// signErrorKeys maps the signing engine's errors to messages.
var signErrorKeys = []struct {
	target error
	key    string
}{
	{pades.ErrEncrypted, "sign.err.encrypted"},
	{pades.ErrMalformed, "sign.err.malformed"},
	{pades.ErrCertified, "sign.err.certified"},
	{pades.ErrCertifyNotFirst, "sign.err.certify_not_first"},
	{pades.ErrFieldLocked, "sign.err.field_locked"},
	{pades.ErrFieldExists, "sign.err.field_exists"},
	{pades.ErrPlaceholderTooSmall, "sign.err.too_small"},
	{pades.ErrKeyMismatch, "sign.err.key_mismatch"},
	{pades.ErrCertExpired, "sign.err.cert_expired"},
	{pades.ErrTimestamp, "sign.err.timestamp"},
	{pades.ErrRevoked, "sign.err.revoked"},
	{pades.ErrRevocation, "sign.err.revocation"},
	{pades.ErrBadSignature, "sign.err.bad_signature"},
	{pades.ErrOutputCheck, "sign.err.output_check"},
	{pades.ErrBadOptions, "sign.err.bad_options"},
	{pades.ErrBatchStopped, "sign.err.batch_stopped"},
}

// signErrorText returns the user message for a signing error, with the
// engine's detail after it.
func (e *env) signErrorText(err error) string {
	var pe *pades.PageError
	if errors.As(err, &pe) {
		return e.tr("sign.err.page", pe.Page, pe.Pages)
	}
	for _, m := range signErrorKeys {
		if errors.Is(err, m.target) {
			return e.tr(m.key) + " (" + err.Error() + ")"
		}
	}
	return i18n.Describe(i18n.Language(e.getenv), err)
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

func parseRect(s string) (appearance.Rect, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return appearance.Rect{}, errors.New("need x,y,w,h")
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return appearance.Rect{}, err
		}
		v[i] = f
	}
	if v[2] <= 0 || v[3] <= 0 {
		return appearance.Rect{}, errors.New("width and height must be positive")
	}
	return appearance.Rect{X: v[0], Y: v[1], W: v[2], H: v[3]}, nil
}

// cmdSign implements
//
//	vanthu sign [--module P] [--token LABEL] [--cert ID] [--pin-file F]
//	  [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify 1|2|3]
//	  [--reason R] [--location L] [--page N --rect x,y,w,h] [--json]
//	  (-o OUT.pdf FILE | --out DIR FILE...)
//
// and, with --role, the official signing roles (see cmdSignRole).
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
	rf := addRoleFlags(fs)
	files, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if rf.role != "" {
		return cmdSignRole(e, rf, signFlags{tf: tf, level: *level, tsa: *tsa, certify: *certify, reason: *reason, location: *location,
			contact: *contact, field: *field, page: *page, rect: *rect, timeout: *timeout, asJSON: *asJSON, outFile: *outFile, outDir: *outDir}, files)
	}
	if used := rf.used(fs); used != "" {
		e.usagef(e.tr("sign.role.flag_needs_role", used))
		return exitUsage
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
	lv, err := pades.ParseLevel(*level)
	if err != nil {
		e.usagef(e.tr("sign.bad_level", *level))
		return exitUsage
	}
	tsaURL := *tsa
	if tsaURL == "" {
		tsaURL = e.getenv("VANTHU_TSA")
	}
	if lv != pades.LevelBB && tsaURL == "" {
		e.usagef(e.tr("sign.need_tsa", string(lv)))
		return exitUsage
	}
	if *certify < 0 || *certify > 3 {
		e.usagef(e.tr("sign.bad_certify"))
		return exitUsage
	}
	var visible *appearance.Rect
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
	var jobs []pades.Job
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
		jobs = append(jobs, pades.Job{In: f, Out: out})
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

	opts := pades.Options{
		Signer: signer, Chain: chain, Level: lv, TSAURL: tsaURL, Timeout: *timeout,
		Certify: *certify, Reason: *reason, Location: *location, ContactInfo: *contact,
		FieldName: *field,
	}
	if visible != nil {
		now := time.Now()
		opts.Now = func() time.Time { return now }
		opts.Visible = appearance.TextAppearance(*page, *visible, []string{
			e.tr("sign.appearance.signer", chain[0].Subject.CommonName),
			e.tr("sign.appearance.date", now.Format("02/01/2006 15:04:05 -07:00")),
		}, nil)
	}

	total := len(jobs)
	results := pades.SignBatch(ctx, jobs, opts, func(bp pades.BatchProgress) {
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
			var fe *pades.FileError
			if errors.As(err, &fe) {
				err = fe.Err
			}
			jr.Output = ""
			jr.Error = e.signErrorText(err)
			if !*asJSON {
				e.errorf(r.Job.In + ": " + jr.Error)
				if _, hint := i18n.Explain(i18n.Language(e.getenv), err); hint != "" && pades.StopsBatch(err) {
					e.hintf(hint)
				}
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

// ---- official signing roles (vanthu sign --role …) -------------------------

// roleFlags are the flags of `vanthu sign --role`.
type roleFlags struct {
	role, image, seal, number, date, place, copyKind, org string
	sealMM                                                float64
	numberAt, dateAt, datePlace, title, signerName        string
	dataDir                                               string
	trust                                                 multiFlag
	offline                                               bool
}

func addRoleFlags(fs *flag.FlagSet) *roleFlags {
	rf := &roleFlags{}
	fs.StringVar(&rf.role, "role", "", "official signing role: review, approve, issue, attachment or copy")
	fs.StringVar(&rf.image, "image", "", "approve: the signature image, PNG with a transparent background (default: the stored one of the certificate's name)")
	fs.StringVar(&rf.seal, "seal", "", "issue: the seal image, PNG with transparency (default: the stored one of the organisation)")
	fs.Float64Var(&rf.sealMM, "seal-mm", 0, "issue: the seal's real width in millimetres, e.g. 36")
	fs.StringVar(&rf.number, "number", "", "issue, attachment: the document number, e.g. 123/UBND-VP")
	fs.StringVar(&rf.date, "date", "", "issue: the issue date YYYY-MM-DD (default: today)")
	fs.StringVar(&rf.place, "place", "auto", "approve, issue: where the image goes: auto, or page:N:x,y,w,h")
	fs.StringVar(&rf.copyKind, "copy-kind", "SAO Y", "copy: SAO Y, SAO LỤC or TRÍCH SAO")
	fs.StringVar(&rf.org, "org", "", "attachment, copy: the organisation's name (default: the certificate's organisation)")
	fs.StringVar(&rf.numberAt, "number-at", "", "issue: write \"Số: …\" at x,y[,size] on page 1 instead of finding \"Số:\"")
	fs.StringVar(&rf.dateAt, "date-at", "", "issue: write the date at x,y[,size] on page 1 instead of finding \"ngày … tháng … năm\"")
	fs.StringVar(&rf.datePlace, "date-place", "", "issue: the place name before the date (with --date-at), e.g. Đắk Lắk")
	fs.StringVar(&rf.title, "title", "", "review: the reviewer's position (default: the certificate's title)")
	fs.StringVar(&rf.signerName, "signer-name", "", "approve: the name to look for in the signer block (default: the certificate's name)")
	fs.StringVar(&rf.dataDir, "data-dir", "", "where signature and seal images are kept (default: the user config dir/vanthu)")
	fs.Var(&rf.trust, "trust", "issue: extra trusted root certificate (PEM) for checking the approval; repeatable")
	fs.BoolVar(&rf.offline, "offline", false, "issue: check the approval without fetching OCSP/CRL")
	return rf
}

// used names a role-only flag that was set, or "".
func (rf *roleFlags) used(fs *flag.FlagSet) string {
	roleOnly := map[string]bool{"image": true, "seal": true, "seal-mm": true, "number": true, "date": true, "place": true,
		"copy-kind": true, "org": true, "number-at": true, "date-at": true, "date-place": true, "title": true,
		"signer-name": true, "trust": true, "offline": true, "data-dir": true}
	name := ""
	fs.Visit(func(f *flag.Flag) {
		if roleOnly[f.Name] && name == "" {
			name = f.Name
		}
	})
	return name
}

// signFlags are the general sign flags a role signature uses.
type signFlags struct {
	tf                               *tokenFlags
	level, tsa                       string
	certify                          int
	reason, location, contact, field string
	page                             int
	rect                             string
	timeout                          time.Duration
	asJSON                           bool
	outFile, outDir                  string
}

// dataDir is where the image store lives: --data-dir, $VANTHU_DATA_DIR,
// else os.UserConfigDir()/vanthu.
func (e *env) dataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := e.getenv("VANTHU_DATA_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("failed to find the user config dir: %w", err)
	}
	return filepath.Join(d, "vanthu"), nil
}

// roleErrorKeys maps role errors to messages and hints; the more precise
// image errors come first.
var roleErrorKeys = []struct {
	target    error
	key, hint string
}{
	{stamp.ErrNotPNG, "image.err.not_png", ""},
	{stamp.ErrNoTransparency, "image.err.no_transparency", "image.hint.transparency"},
	{stamp.ErrEmpty, "image.err.empty", ""},
	{stamp.ErrSize, "image.err.size", ""},
	{stamp.ErrNotFound, "image.err.not_found", "image.hint.import"},
	{roles.ErrNoApproval, "sign.role.err.no_approval", "sign.role.hint.no_approval"},
	{roles.ErrApprovalInvalid, "sign.role.err.approval_invalid", "sign.role.hint.trust"},
	{roles.ErrInvalidSignature, "sign.role.err.invalid_signature", ""},
	{roles.ErrAlreadyIssued, "sign.role.err.already_issued", ""},
	{roles.ErrOrder, "sign.role.err.order", ""},
	{roles.ErrNumberMismatch, "sign.role.err.number_mismatch", ""},
	{roles.ErrAlreadyFilled, "sign.role.err.already_filled", "sign.role.hint.number_at"},
	{roles.ErrDateMismatch, "sign.role.err.date_mismatch", ""},
	{roles.ErrNoRoom, "sign.role.err.no_room", "sign.role.hint.place"},
	{roles.ErrNotFound, "sign.role.err.not_found", "sign.role.hint.place"},
	{roles.ErrBadRequest, "sign.role.err.bad_request", ""},
}

// failRole prints a role signing error with its hint.
func (e *env) failRole(role roles.Role, err error) {
	for _, m := range roleErrorKeys {
		if errors.Is(err, m.target) {
			e.errorf(e.tr(m.key) + " (" + err.Error() + ")")
			if m.hint != "" {
				hint := m.hint
				if hint == "sign.role.hint.place" && role == roles.Issue && !strings.Contains(err.Error(), "seal") {
					hint = "sign.role.hint.number_at"
				}
				e.hintf(e.tr(hint))
			}
			return
		}
	}
	var pe *pades.PageError
	if errors.As(err, &pe) || errorsIsAny(err, signErrorTargets()...) {
		e.errorf(e.signErrorText(err))
		return
	}
	e.fail(err)
}

func signErrorTargets() []error {
	out := make([]error, len(signErrorKeys))
	for i, k := range signErrorKeys {
		out[i] = k.target
	}
	return out
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// jsonPlacement is a placement in `vanthu sign --role --json`.
type jsonPlacement struct {
	Page   int       `json:"page"`
	Rect   []float64 `json:"rect"` // x, y, w, h in points
	How    string    `json:"how"`
	Found  string    `json:"found,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Text   string    `json:"text,omitempty"`
}

type jsonRoleResult struct {
	jsonSignResult
	Role      string         `json:"role"`
	Placement *jsonPlacement `json:"placement,omitempty"`
	Number    *jsonPlacement `json:"number,omitempty"`
	Date      *jsonPlacement `json:"date,omitempty"`
	Approval  string         `json:"approval,omitempty"`
	Warnings  []string       `json:"warnings,omitempty"`
}

func toJSONPlacement(p *roles.Placement) *jsonPlacement {
	if p == nil {
		return nil
	}
	return &jsonPlacement{Page: p.Page, Rect: []float64{p.Rect.X, p.Rect.Y, p.Rect.W, p.Rect.H}, How: string(p.How), Found: p.Found, Reason: p.Reason, Text: p.Text}
}

func fmtRect(r appearance.Rect) string {
	return fmt.Sprintf("%.1f,%.1f,%.1f,%.1f", r.X, r.Y, r.W, r.H)
}

// cmdSignRole implements
//
//	vanthu sign --role review|approve|issue|attachment|copy [token flags]
//	  [--image PNG] [--seal PNG --seal-mm N] [--number N] [--date D]
//	  [--place auto|page:N:x,y,w,h] [--page N --rect x,y,w,h] [--copy-kind K]
//	  [--org O] [--number-at x,y[,s]] [--date-at x,y[,s] --date-place P]
//	  [--trust PEM]... [--offline] [--level L --tsa URL] [--json] -o OUT.pdf FILE
func cmdSignRole(e *env, rf *roleFlags, sf signFlags, files []string) int {
	role, err := roles.ParseRole(rf.role)
	if err != nil {
		e.usagef(e.tr("sign.role.bad_role", rf.role))
		return exitUsage
	}
	if len(files) != 1 || sf.outFile == "" || sf.outDir != "" {
		e.usagef(e.tr("sign.role.one_input"))
		return exitUsage
	}
	in, out := files[0], sf.outFile
	if st, err := os.Stat(in); err != nil || !st.Mode().IsRegular() {
		e.usagef(e.tr("sign.no_input", in))
		return exitUsage
	}
	if ai, _ := filepath.Abs(in); func() bool { ao, _ := filepath.Abs(out); return ai == ao }() {
		e.usagef(e.tr("sign.same_file", in))
		return exitUsage
	}
	lv, err := pades.ParseLevel(sf.level)
	if err != nil {
		e.usagef(e.tr("sign.bad_level", sf.level))
		return exitUsage
	}
	tsaURL := sf.tsa
	if tsaURL == "" {
		tsaURL = e.getenv("VANTHU_TSA")
	}
	if lv != pades.LevelBB && tsaURL == "" {
		e.usagef(e.tr("sign.need_tsa", string(lv)))
		return exitUsage
	}
	if sf.certify != 0 {
		e.usagef(e.tr("sign.role.no_certify"))
		return exitUsage
	}
	req := roles.Request{Role: role, SignerName: rf.signerName, Org: rf.org, Title: rf.title, DatePlace: rf.datePlace,
		Number: rf.number, SealMM: rf.sealMM, Fonts: roles.Fonts{Regular: assets.SerifRegular, Italic: assets.SerifItalic}}
	place, err := roles.ParsePlace(rf.place)
	if err != nil {
		e.usagef(e.tr("sign.role.bad_place", rf.place))
		return exitUsage
	}
	if (sf.rect != "") && sf.page < 1 {
		e.usagef(e.tr("sign.page_rect"))
		return exitUsage
	}
	if sf.rect != "" {
		r, err := parseRect(sf.rect)
		if err != nil {
			e.usagef(e.tr("sign.bad_rect", sf.rect))
			return exitUsage
		}
		if !place.Auto {
			e.usagef(e.tr("sign.role.place_and_rect"))
			return exitUsage
		}
		place.Rect = &r
	}
	if place.Auto && sf.page > 0 {
		place.Page = sf.page
	}
	req.Place = place
	switch role {
	case roles.Issue:
		if rf.sealMM <= 0 {
			e.usagef(e.tr("sign.role.need_seal_mm"))
			return exitUsage
		}
		if strings.TrimSpace(rf.number) == "" {
			e.usagef(e.tr("sign.role.need_number", string(role)))
			return exitUsage
		}
		if rf.date != "" {
			d, err := time.ParseInLocation(time.DateOnly, rf.date, roles.Vietnam)
			if err != nil {
				e.usagef(e.tr("sign.role.bad_date", rf.date))
				return exitUsage
			}
			req.Date = d
		}
		for _, at := range []struct {
			s   string
			dst **roles.TextAt
		}{{rf.numberAt, &req.NumberAt}, {rf.dateAt, &req.DateAt}} {
			if at.s == "" {
				continue
			}
			t, err := roles.ParseTextAt(at.s)
			if err != nil {
				e.usagef(e.tr("sign.role.bad_at", at.s))
				return exitUsage
			}
			*at.dst = t
		}
	case roles.Attachment:
		if strings.TrimSpace(rf.number) == "" {
			e.usagef(e.tr("sign.role.need_number", string(role)))
			return exitUsage
		}
	case roles.Copy:
		k, err := roles.ParseCopyKind(rf.copyKind)
		if err != nil {
			e.usagef(e.tr("sign.role.bad_copy_kind", rf.copyKind))
			return exitUsage
		}
		req.CopyKind = k
	}
	dir, err := e.dataDir(rf.dataDir)
	if err != nil {
		e.errorf(err.Error())
		return exitFailure
	}
	store := &stamp.Store{Dir: dir}
	readImage := func(path string) ([]byte, bool) {
		b, err := os.ReadFile(path)
		if err != nil {
			e.usagef(e.tr("sign.no_input", path))
			return nil, false
		}
		return b, true
	}
	if rf.image != "" {
		var ok bool
		if req.Signature, ok = readImage(rf.image); !ok {
			return exitUsage
		}
	}
	if rf.seal != "" {
		var ok bool
		if req.Seal, ok = readImage(rf.seal); !ok {
			return exitUsage
		}
	}
	ctx, cancel := signalContext()
	defer cancel()
	if role == roles.Issue {
		ts, err := trust.Load(ctx, trust.Options{Files: rf.trust})
		if err != nil {
			e.errorf(e.tr("verify.trust_error", err.Error()))
			return exitUsage
		}
		req.Verify = verify.Options{Trust: ts, Online: !rf.offline, FetchTimeout: sf.timeout}
	}

	signer, chain, closeToken, err := e.openSigner(ctx, sf.tf)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	defer closeToken()
	cn := chain[0].Subject.CommonName
	// Images from the store when not given.
	if role == roles.Approve && req.Signature == nil {
		name := rf.signerName
		if name == "" {
			name = cn
		}
		b, _, err := store.Get(stamp.KindSignature, name)
		if err != nil {
			e.errorf(e.tr("sign.role.need_image", name))
			e.hintf(e.tr("sign.role.hint.import_signature", name))
			return exitFailure
		}
		req.Signature = b
	}
	if role == roles.Issue && req.Seal == nil {
		var b []byte
		for _, owner := range []string{rf.org, cn} {
			if owner == "" {
				continue
			}
			if b, _, err = store.Get(stamp.KindSeal, owner); err == nil {
				break
			}
		}
		if b == nil {
			e.errorf(e.tr("sign.role.need_seal", cn))
			e.hintf(e.tr("sign.role.hint.import_seal", cn))
			return exitFailure
		}
		req.Seal = b
	}
	req.Options = pades.Options{Signer: signer, Chain: chain, Level: lv, TSAURL: tsaURL, Timeout: sf.timeout,
		Reason: sf.reason, Location: sf.location, ContactInfo: sf.contact, FieldName: sf.field}

	rep, err := roles.SignFile(ctx, in, out, req)
	if err != nil {
		if sf.asJSON {
			_ = e.writeJSON(jsonRoleResult{jsonSignResult: jsonSignResult{Input: in, Error: err.Error()}, Role: string(role)})
		}
		e.failRole(role, err)
		return exitFailure
	}
	for _, w := range rep.Warnings {
		e.warnf(e.tr("sign.role.warn."+w.Code, e.tr("image.ink."+w.Arg)))
	}
	if sf.asJSON {
		jr := jsonRoleResult{Role: string(role), Placement: toJSONPlacement(rep.Placement), Number: toJSONPlacement(rep.Number), Date: toJSONPlacement(rep.Date)}
		jr.jsonSignResult = jsonSignResult{Input: in, Output: out, OK: true, Level: string(rep.Result.Level), Field: rep.Field,
			SigningAt: rep.When.Format(time.RFC3339), Size: rep.Result.OutputSize}
		if !rep.Result.Timestamp.IsZero() {
			jr.Timestamp = rep.Result.Timestamp.UTC().Format(time.RFC3339)
		}
		if rep.Approval != nil {
			jr.Approval = rep.Approval.Field
		}
		for _, w := range rep.Warnings {
			jr.Warnings = append(jr.Warnings, w.Code)
		}
		return e.writeJSON(jr)
	}
	e.describePlacement(role, "placement", rep.Placement)
	e.describePlacement(role, "number", rep.Number)
	e.describePlacement(role, "date", rep.Date)
	if rep.Approval != nil {
		fmt.Fprintln(e.stdout, e.tr("sign.role.approval", string(role), rep.Approval.Field, rep.Approval.Signer))
	}
	fmt.Fprintln(e.stdout, e.tr("sign.role.done", in, string(role), rep.Field, out))
	return exitOK
}

// describePlacement prints where something visible went and how the place
// was chosen.
func (e *env) describePlacement(role roles.Role, part string, p *roles.Placement) {
	if p == nil {
		return
	}
	what := e.tr("sign.role.what." + part + "." + string(role))
	if part != "placement" {
		what = e.tr("sign.role.what." + part)
	}
	switch p.How {
	case roles.HowAuto:
		fmt.Fprintln(e.stdout, e.tr("sign.role.placed_auto", string(role), what, p.Page, fmtRect(p.Rect), p.Found))
	case roles.HowManual:
		fmt.Fprintln(e.stdout, e.tr("sign.role.placed_manual", string(role), what, p.Page, fmtRect(p.Rect)))
	case roles.HowFallback:
		fmt.Fprintln(e.stdout, e.tr("sign.role.placed_fallback", string(role), p.Reason, what, p.Page, fmtRect(p.Rect)))
	}
	if p.Text != "" && part != "placement" {
		fmt.Fprintln(e.stdout, e.tr("sign.role.text_written", string(role), p.Text))
	}
}
