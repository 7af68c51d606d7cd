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

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pades"
	"github.com/vanthu/vanthu/signing/roles"
	"github.com/vanthu/vanthu/signing/trust"
)

// signErrorText returns the user message for a signing error, with the
// engine's detail after it.
func (e *env) signErrorText(err error) string {
	return i18n.SignText(i18n.Language(e.getenv), err)
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

// signFlags are the flags of `vanthu sign`, plain and role.
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

func (e *env) addSignFlags(fs *flag.FlagSet) *signFlags {
	sf := &signFlags{tf: e.addTokenFlags(fs, true)}
	fs.StringVar(&sf.level, "level", "B-B", e.tr("sign.flag.level"))
	fs.StringVar(&sf.tsa, "tsa", "", e.tr("sign.flag.tsa"))
	fs.IntVar(&sf.certify, "certify", 0, e.tr("sign.flag.certify"))
	fs.StringVar(&sf.reason, "reason", "", e.tr("sign.flag.reason"))
	fs.StringVar(&sf.location, "location", "", e.tr("sign.flag.location"))
	fs.StringVar(&sf.contact, "contact", "", e.tr("sign.flag.contact"))
	fs.StringVar(&sf.field, "field", "", e.tr("sign.flag.field"))
	fs.IntVar(&sf.page, "page", 0, e.tr("sign.flag.page"))
	fs.StringVar(&sf.rect, "rect", "", e.tr("sign.flag.rect"))
	fs.DurationVar(&sf.timeout, "timeout", 30*time.Second, e.tr("sign.flag.timeout"))
	fs.BoolVar(&sf.asJSON, "json", false, e.tr("sign.flag.json"))
	fs.StringVar(&sf.outFile, "o", "", e.tr("sign.flag.o"))
	fs.StringVar(&sf.outDir, "out", "", e.tr("sign.flag.out"))
	return sf
}

// cmdSign implements
//
//	vanthu sign [--module P] [--token LABEL] [--cert ID] [--pin-file F]
//	  [--level B-B|B-T|B-LT|B-LTA] [--tsa URL] [--certify 1|2|3]
//	  [--reason R] [--location L] [--page N --rect x,y,w,h] [--json]
//	  (-o OUT.pdf FILE | --out DIR FILE...)
//
// and, with --role, the official signing roles (see cmdSignRole). The steps
// are the desktop Sign screen's, through app/internal/bridge.
//
// Exit status: 0 all signed, 1 any failed, 2 usage error.
func cmdSign(e *env, args []string) int {
	fs := e.newFlagSet("sign")
	sf := e.addSignFlags(fs)
	rf := e.addRoleFlags(fs)
	files, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if rf.role != "" {
		return cmdSignRole(e, rf, sf, files)
	}
	if used := rf.used(fs); used != "" {
		e.usagef(e.tr("sign.role.flag_needs_role", used))
		return exitUsage
	}
	req, err := e.plainRequest(sf, files)
	if err != nil {
		e.usageErr(err)
		return exitUsage
	}
	ctx, cancel := signalContext()
	defer cancel()
	s, err := e.openSigner(ctx, sf.tf)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	defer s.Close()
	results := bridge.SignPlain(ctx, s, req, e.batchProgress(len(req.Jobs)))
	return e.reportPlain(results, sf.asJSON)
}

// plainRequest checks the arguments of a plain sign run (all before the
// token is touched) and makes its request.
func (e *env) plainRequest(sf *signFlags, files []string) (bridge.PlainRequest, error) {
	req := bridge.PlainRequest{Timeout: sf.timeout, Certify: sf.certify, Reason: sf.reason, Location: sf.location,
		Contact: sf.contact, Field: sf.field, Lang: i18n.Language(e.getenv)}
	if err := bridge.CheckOutput(files, sf.outFile, sf.outDir); err != nil {
		return req, err
	}
	var err error
	if req.Level, req.TSAURL, err = bridge.Level(sf.level, sf.tsa, e.getenv); err != nil {
		return req, err
	}
	if sf.certify < 0 || sf.certify > 3 {
		return req, &bridge.UsageError{Key: "sign.bad_certify"}
	}
	if (sf.page != 0) != (sf.rect != "") {
		return req, &bridge.UsageError{Key: "sign.page_rect"}
	}
	if sf.rect != "" {
		r, err := parseRect(sf.rect)
		if err != nil || sf.page < 1 {
			return req, &bridge.UsageError{Key: "sign.bad_rect", Args: []any{sf.rect}}
		}
		req.Visible = &bridge.Visible{Page: sf.page, Rect: r}
	}
	req.Jobs, err = bridge.Jobs(files, sf.outFile, sf.outDir)
	return req, err
}

// usageErr prints a *bridge.UsageError as a usage error.
func (e *env) usageErr(err error) {
	var ue *bridge.UsageError
	if errors.As(err, &ue) {
		e.usagef(e.tr(ue.Key, ue.Args...))
		return
	}
	e.usagef(err.Error())
}

// batchProgress prints "[i/n] IN → OUT" to stderr as each file finishes.
func (e *env) batchProgress(total int) func(pades.BatchProgress) {
	return func(bp pades.BatchProgress) {
		if !bp.Finished {
			return
		}
		if bp.Err != nil {
			fmt.Fprintf(e.stderr, "[%d/%d] %s: %s\n", bp.Index+1, total, bp.Job.In, e.tr("sign.progress_failed"))
			return
		}
		fmt.Fprintf(e.stderr, "[%d/%d] %s → %s\n", bp.Index+1, total, bp.Job.In, bp.Job.Out)
	}
}

// reportPlain prints the results (text or --json) and returns the exit
// code: 0 when every file was signed.
func (e *env) reportPlain(results []pades.JobResult, asJSON bool) int {
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
			if !asJSON {
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
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else {
		fmt.Fprintln(e.stdout, e.tr("sign.summary", len(results)-failed, len(results)))
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

func (e *env) addRoleFlags(fs *flag.FlagSet) *roleFlags {
	rf := &roleFlags{}
	fs.StringVar(&rf.role, "role", "", e.tr("sign.role.flag.role"))
	fs.StringVar(&rf.image, "image", "", e.tr("sign.role.flag.image"))
	fs.StringVar(&rf.seal, "seal", "", e.tr("sign.role.flag.seal"))
	fs.Float64Var(&rf.sealMM, "seal-mm", 0, e.tr("sign.role.flag.seal_mm"))
	fs.StringVar(&rf.number, "number", "", e.tr("sign.role.flag.number"))
	fs.StringVar(&rf.date, "date", "", e.tr("sign.role.flag.date"))
	fs.StringVar(&rf.place, "place", "auto", e.tr("sign.role.flag.place"))
	fs.StringVar(&rf.copyKind, "copy-kind", "SAO Y", e.tr("sign.role.flag.copy_kind"))
	fs.StringVar(&rf.org, "org", "", e.tr("sign.role.flag.org"))
	fs.StringVar(&rf.numberAt, "number-at", "", e.tr("sign.role.flag.number_at"))
	fs.StringVar(&rf.dateAt, "date-at", "", e.tr("sign.role.flag.date_at"))
	fs.StringVar(&rf.datePlace, "date-place", "", e.tr("sign.role.flag.date_place"))
	fs.StringVar(&rf.title, "title", "", e.tr("sign.role.flag.title"))
	fs.StringVar(&rf.signerName, "signer-name", "", e.tr("sign.role.flag.signer_name"))
	fs.StringVar(&rf.dataDir, "data-dir", "", e.tr("sign.role.flag.data_dir"))
	fs.Var(&rf.trust, "trust", e.tr("sign.role.flag.trust"))
	fs.BoolVar(&rf.offline, "offline", false, e.tr("sign.role.flag.offline"))
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

// dataDir is where the image store lives: --data-dir, $VANTHU_DATA_DIR,
// else os.UserConfigDir()/vanthu.
func (e *env) dataDir(flagValue string) (string, error) {
	return bridge.DataDir(flagValue, e.getenv)
}

// failRole prints a role signing error with its hint.
func (e *env) failRole(role roles.Role, err error) {
	msg, hint := i18n.ExplainSign(i18n.Language(e.getenv), string(role), err)
	e.errorf(msg)
	if hint != "" {
		e.hintf(hint)
	}
}

// failMissingImage says which stored image a role needs and how to import it.
func (e *env) failMissingImage(m *bridge.ImageMissingError) {
	if m.Kind == "signature" {
		e.errorf(e.tr("sign.role.need_image", m.Owner))
		e.hintf(e.tr("sign.role.hint.import_signature", m.Owner))
		return
	}
	e.errorf(e.tr("sign.role.need_seal", m.Owner))
	e.hintf(e.tr("sign.role.hint.import_seal", m.Owner))
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
func cmdSignRole(e *env, rf *roleFlags, sf *signFlags, files []string) int {
	req, code := e.roleRequest(rf, sf, files)
	if req == nil {
		return code
	}
	ctx, cancel := signalContext()
	defer cancel()
	if req.Role == roles.Issue {
		ts, err := bridge.LoadTrust(ctx, rf.trust, "", false)
		if err != nil {
			e.errorf(e.tr("verify.trust_error", err.Error()))
			return exitUsage
		}
		req.Trust, req.Online = ts, !rf.offline
	}
	s, err := e.openSigner(ctx, sf.tf)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	defer s.Close()
	rep, err := bridge.SignRole(ctx, s, req)
	var missing *bridge.ImageMissingError
	if errors.As(err, &missing) {
		e.failMissingImage(missing)
		return exitFailure
	}
	if err != nil {
		if sf.asJSON {
			_ = e.writeJSON(jsonRoleResult{jsonSignResult: jsonSignResult{Input: req.In, Error: err.Error()}, Role: string(req.Role)})
		}
		e.failRole(req.Role, err)
		return exitFailure
	}
	return e.reportRole(req, rep, sf.asJSON)
}

// roleRequest checks the arguments of a role signature (all before the
// token is touched) and makes its request; nil with the exit code when
// they are wrong.
func (e *env) roleRequest(rf *roleFlags, sf *signFlags, files []string) (*bridge.RoleRequest, int) {
	bad := func(p *usageProblem) (*bridge.RoleRequest, int) {
		e.usagef(e.tr(p.key, p.args...))
		return nil, exitUsage
	}
	role, err := roles.ParseRole(rf.role)
	if err != nil {
		return bad(problem("sign.role.bad_role", rf.role))
	}
	if len(files) != 1 || sf.outFile == "" || sf.outDir != "" {
		return bad(problem("sign.role.one_input"))
	}
	req := &bridge.RoleRequest{Role: role, In: files[0], Out: sf.outFile, Timeout: sf.timeout,
		Reason: sf.reason, Location: sf.location, Contact: sf.contact, Field: sf.field,
		SignerName: rf.signerName, Org: rf.org, Title: rf.title, DatePlace: rf.datePlace, Number: rf.number, SealMM: rf.sealMM}
	if st, err := os.Stat(req.In); err != nil || !st.Mode().IsRegular() {
		return bad(problem("sign.no_input", req.In))
	}
	if ai, _ := filepath.Abs(req.In); func() bool { ao, _ := filepath.Abs(req.Out); return ai == ao }() {
		return bad(problem("sign.same_file", req.In))
	}
	if req.Level, req.TSAURL, err = bridge.Level(sf.level, sf.tsa, e.getenv); err != nil {
		e.usageErr(err)
		return nil, exitUsage
	}
	if sf.certify != 0 {
		return bad(problem("sign.role.no_certify"))
	}
	if p := rolePlace(req, rf, sf); p != nil {
		return bad(p)
	}
	if p := roleFields(req, rf); p != nil {
		return bad(p)
	}
	if role == roles.Issue || role == roles.Attachment {
		// The checks that do not need the token (the seal size, the number).
		probe := *req
		probe.Trust = trust.New()
		if err := probe.Check(); err != nil {
			e.usageErr(err)
			return nil, exitUsage
		}
	}
	if req.DataDir, err = e.dataDir(rf.dataDir); err != nil {
		e.errorf(err.Error())
		return nil, exitFailure
	}
	if p := roleImages(req, rf); p != nil {
		return bad(p)
	}
	return req, exitOK
}

// usageProblem is a usage error: its catalogue key and arguments.
type usageProblem struct {
	key  string
	args []any
}

func problem(key string, args ...any) *usageProblem { return &usageProblem{key: key, args: args} }

// rolePlace reads --place, --page and --rect: where the role's signature
// goes (found on the page, or a rectangle given).
func rolePlace(req *bridge.RoleRequest, rf *roleFlags, sf *signFlags) *usageProblem {
	var err error
	if req.Place, err = roles.ParsePlace(rf.place); err != nil {
		return problem("sign.role.bad_place", rf.place)
	}
	if sf.rect != "" && sf.page < 1 {
		return problem("sign.page_rect")
	}
	if sf.rect != "" {
		r, err := parseRect(sf.rect)
		if err != nil {
			return problem("sign.bad_rect", sf.rect)
		}
		if !req.Place.Auto {
			return problem("sign.role.place_and_rect")
		}
		req.Place.Rect = &r
	}
	if req.Place.Auto && sf.page > 0 {
		req.Place.Page = sf.page
	}
	return nil
}

// roleFields reads the issue role's date and text positions and the copy
// role's kind.
func roleFields(req *bridge.RoleRequest, rf *roleFlags) *usageProblem {
	switch req.Role {
	case roles.Issue:
		if rf.date != "" {
			d, err := time.ParseInLocation(time.DateOnly, rf.date, roles.Vietnam)
			if err != nil {
				return problem("sign.role.bad_date", rf.date)
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
				return problem("sign.role.bad_at", at.s)
			}
			*at.dst = t
		}
	case roles.Copy:
		k, err := roles.ParseCopyKind(rf.copyKind)
		if err != nil {
			return problem("sign.role.bad_copy_kind", rf.copyKind)
		}
		req.CopyKind = k
	}
	return nil
}

// roleImages reads the signature and seal images given.
func roleImages(req *bridge.RoleRequest, rf *roleFlags) *usageProblem {
	for _, img := range []struct {
		path string
		dst  *[]byte
	}{{rf.image, &req.Image}, {rf.seal, &req.Seal}} {
		if img.path == "" {
			continue
		}
		b, err := os.ReadFile(img.path)
		if err != nil {
			return problem("sign.no_input", img.path)
		}
		*img.dst = b
	}
	return nil
}

// reportRole prints what a role signature did (text or --json).
func (e *env) reportRole(req *bridge.RoleRequest, rep *roles.Report, asJSON bool) int {
	role := req.Role
	for _, w := range rep.Warnings {
		e.warnf(e.tr("sign.role.warn."+w.Code, e.tr("image.ink."+w.Arg)))
	}
	if asJSON {
		jr := jsonRoleResult{Role: string(role), Placement: toJSONPlacement(rep.Placement), Number: toJSONPlacement(rep.Number), Date: toJSONPlacement(rep.Date)}
		jr.jsonSignResult = jsonSignResult{Input: req.In, Output: req.Out, OK: true, Level: string(rep.Result.Level), Field: rep.Field,
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
	fmt.Fprintln(e.stdout, e.tr("sign.role.done", req.In, string(role), rep.Field, req.Out))
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
