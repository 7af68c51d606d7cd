package cli

import (
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/app/internal/i18n"
)

// flagDefiners are the flag.FlagSet methods that define a flag, with the
// number of their arguments and the index of the usage text among them.
var flagDefiners = map[string][2]int{
	"String": {3, 2}, "StringVar": {4, 3},
	"Bool": {3, 2}, "BoolVar": {4, 3},
	"Int": {3, 2}, "IntVar": {4, 3},
	"Int64": {3, 2}, "Int64Var": {4, 3},
	"Uint": {3, 2}, "UintVar": {4, 3},
	"Uint64": {3, 2}, "Uint64Var": {4, 3},
	"Float64": {3, 2}, "Float64Var": {4, 3},
	"Duration": {3, 2}, "DurationVar": {4, 3},
	"Var": {3, 2}, "TextVar": {4, 3},
	"Func": {3, 1}, "BoolFunc": {3, 1},
}

// TestFlagHelpTranslated reads the CLI's source and checks that every flag's
// help text is e.tr("key") with a key that has a Vietnamese text of its own
// (not the English one), so "vanthu COMMAND -h" speaks the user's language.
// Flags on the flag package's own command line are refused too.
func TestFlagHelpTranslated(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	defined := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			shape, ok := flagDefiners[sel.Sel.Name]
			if !ok || len(call.Args) != shape[0] {
				return true
			}
			pos := fset.Position(call.Pos())
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "flag" {
				t.Errorf("%s: flag.%s defines a flag on the process's command line; use a flag set from e.newFlagSet", pos, sel.Sel.Name)
				return true
			}
			defined++
			key, ok := trKey(call.Args[shape[1]])
			if !ok {
				t.Errorf("%s: the help of this flag is not e.tr(\"key\"): hard-coded text is not translated", pos)
				return true
			}
			vi, en := i18n.T(i18n.VI, key), i18n.T(i18n.EN, key)
			switch {
			case en == key:
				t.Errorf("%s: flag help key %q is not in the catalogues", pos, key)
			case vi == en:
				t.Errorf("%s: flag help key %q has no Vietnamese text of its own (%q)", pos, key, vi)
			}
			return true
		})
	}
	// The check must have seen the CLI's flags, not an empty directory.
	if defined < 100 {
		t.Fatalf("found only %d flag definitions in app/cli", defined)
	}
}

// trKey returns the key of an expression e.tr("key").
func trKey(x ast.Expr) (string, bool) {
	call, ok := x.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "tr" {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	key, err := strconv.Unquote(lit.Value)
	return key, err == nil
}

// langEnv is an env in lang that writes to out.
func langEnv(lang string, out *bytes.Buffer) *env {
	return &env{stdin: strings.NewReader(""), stdout: out, stderr: out, getenv: func(k string) string {
		if k == "VANTHU_LANG" {
			return lang
		}
		return ""
	}}
}

// helpFlagSet has a flag of every kind the CLI uses, with and without
// defaults.
func helpFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var m multiFlag
	fs.String("type", "Công văn", "document type")
	fs.String("to", "", "recipients")
	fs.Bool("json", false, "print JSON")
	fs.Bool("x", false, "one letter")
	fs.Bool("on", true, "on unless told")
	fs.Int("priority", 0, "priority")
	fs.Int("trend", 12, "periods")
	fs.Float64("seal-mm", 36.5, "width")
	fs.Duration("wait", 2*time.Minute, "how long")
	fs.Var(&m, "trust", "a `PEM` file\non two lines")
	return fs
}

// TestPrintFlags checks that the help is the flag package's in English and
// has none of its English words in Vietnamese.
func TestPrintFlags(t *testing.T) {
	var want, en, vi bytes.Buffer
	fs := helpFlagSet()
	fs.SetOutput(&want)
	fs.PrintDefaults()
	langEnv("en", &en).printFlags(&en, fs)
	if en.String() != want.String() {
		t.Errorf("English help:\n%s\nwant the flag package's:\n%s", en.String(), want.String())
	}
	langEnv("vi", &vi).printFlags(&vi, fs)
	for _, word := range []string{"default", " string", " int", " float", " duration"} {
		if strings.Contains(vi.String(), word) {
			t.Errorf("Vietnamese help has %q:\n%s", word, vi.String())
		}
	}
	for _, s := range []string{`-type chuỗi`, `(mặc định "Công văn")`, `(mặc định 2m0s)`, `-trust PEM`, `-trend số`, "(mặc định true)"} {
		if !strings.Contains(vi.String(), s) {
			t.Errorf("Vietnamese help has no %q:\n%s", s, vi.String())
		}
	}
}

// TestFlagErrorsTranslated makes the flag package fail in each way it can
// and checks that the Vietnamese message is not the package's English one
// (which the English message stays).
func TestFlagErrorsTranslated(t *testing.T) {
	for _, args := range [][]string{
		{"-nope"}, {"-to"}, {"-priority", "x"}, {"-priority", "99999999999999999999"},
		{"-json=maybe"}, {"-wait", "5x"}, {"---to"},
	} {
		fs := helpFlagSet()
		fs.SetOutput(io.Discard)
		err := fs.Parse(args)
		if err == nil {
			t.Fatalf("%v: no error", args)
		}
		var out bytes.Buffer
		if got := langEnv("en", &out).flagErrorText(err); got != err.Error() {
			t.Errorf("%v: English %q, want the flag package's %q", args, got, err.Error())
		}
		vi := langEnv("vi", &out).flagErrorText(err)
		if vi == err.Error() || strings.Contains(vi, "flag") || strings.Contains(vi, "parse error") || strings.Contains(vi, "out of range") {
			t.Errorf("%v: Vietnamese %q is not translated from %q", args, vi, err.Error())
		}
	}
}

// TestVerbHelp checks that "vanthu COMMAND --help" of a command with verbs
// prints its usage on standard output, in the user's language, and exits 0.
func TestVerbHelp(t *testing.T) {
	for _, c := range []struct{ args, key string }{
		{"hub", "hub.usage"}, {"hub system", "axis.system.usage"}, {"image", "image.usage"},
		{"register", "register.usage"}, {"staff", "staff.usage"}, {"token", "token.usage"}, {"unit", "unit.usage"},
	} {
		for _, lang := range []string{"vi", "en"} {
			for _, h := range []string{"-h", "--help", "help"} {
				var out bytes.Buffer
				args := append(strings.Fields(c.args), h)
				code := langEnv(lang, &out).dispatch(args)
				want := i18n.T(lang, c.key) + "\n"
				if code != exitOK || out.String() != want {
					t.Errorf("%s %v: exit %d, output %q; want 0 and %q", lang, args, code, out.String(), want)
				}
			}
		}
	}
}
