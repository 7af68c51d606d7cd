package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/verify"
)

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// cmdVerify implements `vanthu verify [--trust PEM]... [--offline] [--no-visual] [--json] FILE...`.
// Exit 0 only when every file has at least one signature and every
// signature is valid and trusted with no disallowed change after it; 1
// otherwise; 2 on usage or read errors.
func cmdVerify(e *env, args []string) int {
	fs := e.newFlagSet("verify")
	var trustFiles multiFlag
	fs.Var(&trustFiles, "trust", e.tr("verify.flag.trust"))
	offline := fs.Bool("offline", false, e.tr("verify.flag.offline"))
	asJSON := fs.Bool("json", false, e.tr("verify.flag.json"))
	system := fs.Bool("system-roots", false, e.tr("verify.flag.system_roots"))
	noVisual := fs.Bool("no-visual", false, e.tr("verify.flag.no_visual"))
	files, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		e.usagef(e.tr("verify.no_files"))
		return exitUsage
	}
	ctx := context.Background()
	store, err := bridge.LoadTrust(ctx, trustFiles, "", *system)
	if err != nil {
		e.errorf(e.tr("verify.trust_error", err.Error()))
		return exitUsage
	}
	opts := verify.Options{Trust: store, Online: !*offline, NoVisual: *noVisual}
	exit := exitOK
	// files are verified in parallel and reported in the order given
	bridge.VerifyFiles(ctx, files, bridge.VerifyOptions{Verify: opts}, func(i int, v *bridge.Verdict, err error) {
		res := v.Result
		if errors.Is(err, verify.ErrRead) || res == nil {
			e.errorf(e.tr("verify.read_error", files[i], err))
			exit = exitUsage
			return
		}
		if !v.OK() && exit == exitOK {
			exit = exitFailure
		}
		if *asJSON {
			e.printJSON(res)
		} else {
			e.printVerify(res)
		}
	})
	return exit
}

type jsonProblem struct {
	Code     string            `json:"code"`
	Severity string            `json:"severity"`
	Params   map[string]string `json:"params,omitempty"`
	Message  string            `json:"message"`
}

type jsonSig struct {
	Field          string        `json:"field"`
	Kind           string        `json:"kind"`
	Signer         string        `json:"signer"`
	Status         string        `json:"status"`
	Intact         bool          `json:"intact"`
	Trusted        bool          `json:"trusted"`
	SigningTime    *time.Time    `json:"signing_time"`
	TimeSource     string        `json:"signing_time_source"`
	ValidatedAt    *time.Time    `json:"validation_time,omitempty"`
	ValidatedFrom  string        `json:"validation_time_source,omitempty"`
	Timestamp      *time.Time    `json:"timestamp"`
	Level          string        `json:"level"`
	CoversDocument bool          `json:"covers_document"`
	ModifiedAfter  string        `json:"modified_after"`
	VisualCheck    string        `json:"visual_check,omitempty"`
	Problems       []jsonProblem `json:"problems"`
}

type jsonFile struct {
	File       string        `json:"file"`
	Status     string        `json:"status"`
	Signatures []jsonSig     `json:"signatures"`
	Problems   []jsonProblem `json:"problems,omitempty"`
}

func (e *env) jsonProblems(ps []verify.Problem) []jsonProblem {
	out := []jsonProblem{}
	for _, p := range ps {
		out = append(out, jsonProblem{Code: p.Code, Severity: p.Severity, Params: p.Params, Message: e.problemText(p)})
	}
	return out
}

func (e *env) printJSON(r *verify.Result) {
	jf := jsonFile{File: r.File, Status: string(r.Status), Signatures: []jsonSig{}, Problems: e.jsonProblems(r.Problems)}
	for _, s := range r.Signatures {
		js := jsonSig{Field: s.Field, Kind: s.Kind, Signer: s.Signer, Status: string(s.Status), Intact: s.Intact,
			Trusted: s.Trusted, TimeSource: string(s.SigningTimeSource), Level: string(s.Level),
			CoversDocument: s.CoversDocument, ModifiedAfter: string(s.ModifiedAfter), VisualCheck: string(s.Visual), Problems: e.jsonProblems(s.Problems)}
		if !s.ValidationTime.IsZero() {
			t := s.ValidationTime.UTC()
			js.ValidatedAt, js.ValidatedFrom = &t, string(s.ValidationTimeSource)
		}
		if !s.SigningTime.IsZero() && s.SigningTimeSource != verify.TimeNone {
			t := s.SigningTime.UTC()
			js.SigningTime = &t
		}
		if s.Timestamp != nil && s.Timestamp.Valid {
			t := s.Timestamp.Time.UTC()
			js.Timestamp = &t
		}
		jf.Signatures = append(jf.Signatures, js)
	}
	b, err := json.Marshal(jf)
	if err != nil {
		e.errorf(err.Error())
		return
	}
	fmt.Fprintln(e.stdout, string(b))
}

func (e *env) yesNo(b bool) string {
	if b {
		return e.tr("verify.yes")
	}
	return e.tr("verify.no")
}

func (e *env) printVerify(r *verify.Result) {
	w := e.stdout
	fmt.Fprintf(w, "%s: %s\n", r.File, e.tr("verify.status."+string(r.Status)))
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  - %s\n", e.problemText(p))
	}
	for i, s := range r.Signatures {
		kind := e.tr("verify.kind.signature")
		if s.Kind == verify.KindDocTimestamp {
			kind = e.tr("verify.kind.doc_timestamp")
		}
		fmt.Fprintf(w, "  [%d] %s %q: %s\n", i+1, kind, s.Field, e.tr("verify.status."+string(s.Status)))
		if s.Signer != "" {
			fmt.Fprintf(w, "      %s: %s\n", e.tr("verify.label.signer"), s.Signer)
		}
		fmt.Fprintf(w, "      %s: %s   %s: %s   %s: %s\n",
			e.tr("verify.label.intact"), e.yesNo(s.Intact),
			e.tr("verify.label.trusted"), e.yesNo(s.Trusted),
			e.tr("verify.label.covers_document"), e.yesNo(s.CoversDocument))
		if s.SigningTimeSource != verify.TimeNone {
			fmt.Fprintf(w, "      %s: %s (%s)\n", e.tr("verify.label.signing_time"),
				s.SigningTime.Local().Format("2006-01-02 15:04:05 -07:00"), e.tr("verify.time_source."+string(s.SigningTimeSource)))
		}
		if !s.ValidationTime.IsZero() && s.ValidationTimeSource != verify.TimeFromTimestamp {
			fmt.Fprintf(w, "      %s: %s (%s)\n", e.tr("verify.label.validation_time"),
				s.ValidationTime.Local().Format("2006-01-02 15:04:05 -07:00"), e.tr("verify.time_source."+string(s.ValidationTimeSource)))
		}
		fmt.Fprintf(w, "      %s: %s   %s: %s\n", e.tr("verify.label.level"), s.Level,
			e.tr("verify.label.modified_after"), e.tr("verify.modified."+string(s.ModifiedAfter)))
		for _, p := range s.Problems {
			if p.Severity == "info" && p.Code == verify.CodeModifiedAllowed {
				continue
			}
			fmt.Fprintf(w, "      - %s\n", e.problemText(p))
		}
	}
}

// problemText renders a problem: the translated code, then its parameters
// (the change kind translated too).
func (e *env) problemText(p verify.Problem) string {
	return i18n.Problem(i18n.Language(e.getenv), p)
}
