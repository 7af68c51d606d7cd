package i18n

import (
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTranslationsComplete checks that every key exists in both languages
// and that their format verbs agree.
func TestTranslationsComplete(t *testing.T) {
	catalogOnce.Do(loadCatalogs)
	if catalogErr != nil {
		t.Fatal(catalogErr)
	}
	vi, en := catalogs[VI], catalogs[EN]
	if len(en) < 50 {
		t.Fatalf("English catalogue has %d keys", len(en))
	}
	for k, ve := range en {
		vv, ok := vi[k]
		if !ok {
			t.Errorf("key %q has no Vietnamese text", k)
			continue
		}
		if verbs(ve) != verbs(vv) {
			t.Errorf("key %q: format verbs differ: en %q, vi %q", k, verbs(ve), verbs(vv))
		}
	}
	for k := range vi {
		if _, ok := en[k]; !ok {
			t.Errorf("key %q has no English text", k)
		}
	}
}

func verbs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			b.WriteByte(s[i+1])
			i++
		}
	}
	return b.String()
}

func TestLanguage(t *testing.T) {
	cases := map[string]map[string]string{
		VI:    {},
		EN:    {"VANTHU_LANG": "en"},
		"vi2": {"VANTHU_LANG": "vi", "LANG": "en_US.UTF-8"},
		"en2": {"LANG": "en_GB.UTF-8"},
		"vi3": {"LANG": "C"},
	}
	for want, envv := range cases {
		got := Language(func(k string) string { return envv[k] })
		if got != want[:2] {
			t.Errorf("Language(%v) = %s, want %s", envv, got, want[:2])
		}
	}
}

// TestTranslationsUsed checks that every key of the catalogues is used by
// the code: a key no string in the program's source names (whole, as a
// prefix ending in "." or "_" the code completes, or as a fmt pattern such
// as "inbox.business.%d") is text no user ever sees, left behind.
func TestTranslationsUsed(t *testing.T) {
	catalogOnce.Do(loadCatalogs)
	if catalogErr != nil {
		t.Fatal(catalogErr)
	}
	exact, prefixes, patterns := sourceStrings(t)
	if len(exact) < 1000 {
		t.Fatalf("found only %d strings in the source", len(exact))
	}
	for key := range catalogs[EN] {
		if exact[key] || matchesAny(key, prefixes, patterns) {
			continue
		}
		t.Errorf("key %q is in the catalogues but no code uses it", key)
	}
}

func matchesAny(key string, prefixes []string, patterns []*regexp.Regexp) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	for _, re := range patterns {
		if re.MatchString(key) {
			return true
		}
	}
	return false
}

var (
	// keyPrefix is the start of a key the code completes: "status.code.".
	keyPrefix = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*[._]$`)
	// keyPattern is a key with fmt verbs: "inbox.business.%d".
	keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z0-9_.]*%[^ ]*$`)
	// fmtVerb is a fmt verb in a key pattern.
	fmtVerb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
)

// sourceStrings returns the string literals of the module's non-test Go
// files: all of them, the prefixes (ending in "." or "_") and the fmt
// patterns among them as regular expressions.
func sourceStrings(t *testing.T) (exact map[string]bool, prefixes []string, patterns []*regexp.Regexp) {
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(root) == root {
			t.Fatal("go.mod not found above the test's directory")
		}
		root = filepath.Dir(root)
	}
	exact = map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING {
				continue
			}
			v, err := strconv.Unquote(lit)
			if err != nil || v == "" || exact[v] {
				continue
			}
			exact[v] = true
			switch {
			case keyPrefix.MatchString(v):
				prefixes = append(prefixes, v)
			case keyPattern.MatchString(v):
				parts := fmtVerb.Split(v, -1)
				for i := range parts {
					parts[i] = regexp.QuoteMeta(parts[i])
				}
				if re, err := regexp.Compile("^" + strings.Join(parts, "[^ ]+") + "$"); err == nil {
					patterns = append(patterns, re)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return exact, prefixes, patterns
}
