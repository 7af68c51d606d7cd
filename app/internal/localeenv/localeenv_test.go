package localeenv_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	golocale "github.com/jeandeaual/go-locale"
	"golang.org/x/text/language"

	"github.com/vanthu/vanthu/app/internal/localeenv"
)

// setLocaleEnv replaces the locale variables of the process for one test;
// vars are "NAME=value" pairs, all others are unset.
func setLocaleEnv(t *testing.T, vars ...string) {
	t.Helper()
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "LC_CTYPE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// goLocaleErrors returns what of go-locale's answer golang.org/x/text does
// not parse: exactly the values Fyne logs as "Error parsing user locale".
func goLocaleErrors(t *testing.T) []string {
	t.Helper()
	locs, err := golocale.GetLocales()
	if err != nil {
		t.Fatalf("go-locale: %v", err)
	}
	var bad []string
	for _, l := range locs {
		if _, err := language.Parse(l); err != nil {
			bad = append(bad, strconv.Quote(l)+": "+err.Error())
		}
	}
	if l, _ := golocale.GetLocale(); len(l) >= 2 { // Fyne's SystemLocale
		if _, err := language.Parse(l); err != nil {
			bad = append(bad, "GetLocale "+strconv.Quote(l)+": "+err.Error())
		}
	}
	return bad
}

// The environments seen on real machines; each broken one fails to parse
// before normalize, which the test checks too, so it cannot pass vacuously.
var environments = []struct {
	vars   []string
	broken bool
}{
	{[]string{"LANG=C.UTF-8"}, true},
	{[]string{"LANG=C.utf8"}, true},
	{[]string{"LC_ALL=C.UTF-8"}, true},
	{[]string{"LC_ALL=C.UTF-8", "LANG=vi_VN.UTF-8"}, true},
	{[]string{"LANG=POSIX.UTF-8"}, true},
	{[]string{"LANG=sr_RS@latin"}, true},
	{[]string{"LANG=en_US.UTF-8", "LANGUAGE=vi::en"}, true},
	{[]string{"LANG=en_US.UTF-8", "LANGUAGE=C.UTF-8"}, true},
	{[]string{"LANG=C"}, false},
	{[]string{"LC_ALL=C"}, false},
	{[]string{"LANG=POSIX"}, false},
	{nil, false},
	{[]string{"LANG=en_US.UTF-8"}, false},
	{[]string{"LANG=vi_VN.UTF-8"}, false},
	{[]string{"LANG=vi_VN.UTF-8", "LANGUAGE=vi:en_US:en"}, false},
	{[]string{"LC_MESSAGES=de_DE.UTF-8", "LANG=C.UTF-8"}, false},
	{[]string{"LANG=es_419.UTF-8"}, false},
}

func TestNormalizeMakesWhatFyneReadsParse(t *testing.T) {
	for _, c := range environments {
		t.Run(strings.Join(c.vars, ","), func(t *testing.T) {
			setLocaleEnv(t, c.vars...)
			before := os.Environ()
			if bad := goLocaleErrors(t); (len(bad) > 0) != c.broken {
				t.Fatalf("before normalize: unparsable %q, want broken=%v", bad, c.broken)
			}
			if err := localeenv.Normalize(); err != nil {
				t.Fatal(err)
			}
			if bad := goLocaleErrors(t); len(bad) > 0 {
				t.Errorf("after normalize go-locale still gives %q (LANGUAGE=%q)", bad, os.Getenv("LANGUAGE"))
			}
			changed := diffEnv(before, os.Environ())
			if !c.broken && len(changed) > 0 {
				t.Errorf("a working environment was changed: %v", changed)
			}
			for _, k := range changed {
				if k != "LANGUAGE" {
					t.Errorf("normalize changed %s; only LANGUAGE may change", k)
				}
			}
		})
	}
}

// TestNormalizeKeepsTheUsersLanguages: cleaning keeps what can be kept.
func TestNormalizeKeepsTheUsersLanguages(t *testing.T) {
	cases := map[string]string{
		"LANG=sr_RS@latin":                    "sr_RS",
		"LANG=C.UTF-8":                        "en",
		"LANGUAGE=vi::en,LANG=en_US.UTF-8":    "vi:en",
		"LANGUAGE=C.UTF-8:vi,LANG=vi_VN.UTF8": "vi",
	}
	for vars, want := range cases {
		setLocaleEnv(t, strings.Split(vars, ",")...)
		if err := localeenv.Normalize(); err != nil {
			t.Fatal(err)
		}
		if got := os.Getenv("LANGUAGE"); got != want {
			t.Errorf("%s: LANGUAGE = %q, want %q", vars, got, want)
		}
	}
}

func diffEnv(a, b []string) []string {
	m := map[string]string{}
	for _, kv := range a {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	var out []string
	seen := map[string]bool{}
	for _, kv := range b {
		k, v, _ := strings.Cut(kv, "=")
		seen[k] = true
		if old, ok := m[k]; !ok || old != v {
			out = append(out, k)
		}
	}
	for k := range m {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// TestUseLanguageChoosesFynesLanguage: whatever the OS locale, the language
// vanthu chose is the one Fyne translates into, and the locale categories
// the C library uses for characters are left alone.
func TestUseLanguageChoosesFynesLanguage(t *testing.T) {
	// Fyne has no Vietnamese of its own; vanthu brings it.
	vi := []byte(`{"Cancel": "Hủy", "Confirm": "Xác nhận"}`)
	for _, vars := range [][]string{
		{"LANG=C"}, {"LANG=C.UTF-8"}, {"LC_ALL=C"}, {"LC_ALL=C.UTF-8"}, {"LANG=POSIX"}, {},
		{"LANG=en_US.UTF-8"}, {"LANG=de_DE.UTF-8"}, {"LANG=de_DE.UTF-8", "LANGUAGE=de:en"},
		{"LC_MESSAGES=C", "LANG=en_US.UTF-8"},
	} {
		t.Run(strings.Join(vars, ","), func(t *testing.T) {
			setLocaleEnv(t, vars...)
			lang0, ctype0 := os.Getenv("LANG"), os.Getenv("LC_CTYPE")
			if err := localeenv.Normalize(); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct{ code, cancel string }{{"vi", "Hủy"}, {"en", "Cancel"}} {
				if err := localeenv.UseLanguage(c.code); err != nil {
					t.Fatal(err)
				}
				if err := lang.AddTranslationsForLocale(vi, "vi"); err != nil {
					t.Fatal(err)
				}
				if got := lang.L("Cancel"); got != c.cancel {
					t.Errorf("UseLanguage(%s): Fyne translates Cancel as %q, want %q (LC_ALL=%q LC_MESSAGES=%q LANGUAGE=%q)",
						c.code, got, c.cancel, os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANGUAGE"))
				}
				if got := lang.SystemLocale().LanguageString(); !strings.HasPrefix(got, c.code) {
					t.Errorf("UseLanguage(%s): lang.SystemLocale() = %q", c.code, got)
				}
				if bad := goLocaleErrors(t); len(bad) > 0 {
					t.Errorf("UseLanguage(%s): go-locale gives %q", c.code, bad)
				}
			}
			if os.Getenv("LANG") != lang0 || os.Getenv("LC_CTYPE") != ctype0 {
				t.Errorf("LANG/LC_CTYPE changed: %q %q", os.Getenv("LANG"), os.Getenv("LC_CTYPE"))
			}
		})
	}
}

func TestUseLanguageRefusesWhatIsNotALanguage(t *testing.T) {
	setLocaleEnv(t, "LANG=vi_VN.UTF-8")
	for _, bad := range []string{"", "C", "POSIX", "vi_VN.UTF-8", "sr@latin", "vi:en", "vietnamese", "e1"} {
		if err := localeenv.UseLanguage(bad); err == nil {
			t.Errorf("UseLanguage(%q) accepted", bad)
		}
	}
	if os.Getenv("LANGUAGE") != "" || os.Getenv("LC_MESSAGES") != "" {
		t.Errorf("a refused language changed the environment")
	}
	for _, good := range []string{"vi", "en", "pt_BR", "pt-BR", "es_419"} {
		if err := localeenv.UseLanguage(good); err != nil {
			t.Errorf("UseLanguage(%q) = %v", good, err)
		}
	}
}

// TestImportsOnlySyscall guards the init-order argument of the package
// comment: importing anything that package os does not import (directly
// or not) would let Fyne's init run first.
func TestImportsOnlySyscall(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if len(files) == 0 {
		t.Fatal("no source files")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p != "syscall" {
				t.Errorf("%s imports %s; the package may import only syscall", f, p)
			}
		}
	}
}
