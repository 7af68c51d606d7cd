// Package localeenv keeps the locale environment that Fyne reads in a form
// Fyne understands, and lets vanthu's language setting, not the OS locale,
// choose the language of Fyne's own texts.
//
// Why it exists: fyne.io/fyne/v2/lang asks github.com/jeandeaual/go-locale
// for the user's languages in its package init, and go-locale derives them
// from LC_ALL, LC_MESSAGES, LANG and LANGUAGE. It treats only the exact
// values "C" and "POSIX" as "no language"; "C.UTF-8" (the default of
// Debian and Docker images), "C.utf8" or "POSIX.UTF-8" become the tag "C",
// which golang.org/x/text/language rejects, and Fyne logs "Error parsing
// user locale C" three lines long on stderr — before main runs, in every
// command of the CLI, since Go initialises every linked package whatever
// the program then does. The same happens for a modifier ("sr_RS@latin").
//
// The package's init rewrites, for this process only, what go-locale will
// read so that it parses, and never touches the locale categories the C
// library uses for characters (LC_CTYPE): it sets LANGUAGE (the gettext
// list of message languages) to the cleaned list, or to "en" when the
// messages locale is the C locale. It runs before Fyne's init because of
// the order of package initialisation the Go specification fixes: packages
// are initialised in import-path order among those whose imports are
// done; this package imports only syscall, which package os imports, and
// its path sorts before "os", so it is initialised before os — and so
// before go-locale and Fyne, which import os. It must keep importing
// nothing but syscall.
package localeenv

import "syscall"

// The variables go-locale reads, in its order of precedence, and
// LANGUAGE, which it reads when the first set one is not exactly C/POSIX.
var messageVars = [...]string{"LC_ALL", "LC_MESSAGES", "LANG"}

const languageVar = "LANGUAGE"

// env is how the package reads and writes the process environment; tests
// replace it.
type env struct {
	get func(string) (string, bool)
	set func(key, value string) error
}

var processEnv = env{get: syscall.Getenv, set: syscall.Setenv}

func init() {
	_ = normalize(processEnv)
}

// normalize rewrites LANGUAGE when what go-locale would return does not
// parse as BCP 47 language tags.
func normalize(e env) error {
	list, ok := goLocaleList(e)
	if !ok {
		return nil // C/POSIX or nothing set: go-locale returns no language
	}
	if allParse(list) {
		return nil
	}
	clean := cleanList(list)
	if len(clean) == 0 {
		clean = []string{"en"} // the C locale: untranslated, English
	}
	return e.set(languageVar, join(clean))
}

// UseLanguage makes the language list go-locale reports, and so the
// language of Fyne's own texts (dialog buttons, the file chooser, date
// formats) and of its font fallback, start with lang ("vi", "en"),
// whatever the OS locale: English, C, C.UTF-8 or unset. Fyne reads the
// list when translations are added (lang.AddTranslations* ) and in
// lang.SystemLocale, so call UseLanguage before adding vanthu's
// translations, and again, followed by adding them again, when the user
// changes the language.
//
// It sets LANGUAGE, and when the messages locale is exactly C or POSIX
// (where go-locale, like gettext, ignores LANGUAGE) or unset, it sets
// LC_MESSAGES to C.UTF-8 — still the C locale — unless LC_ALL, which
// overrides every category, is C/POSIX, in which case LC_ALL becomes
// C.UTF-8. It only changes this process's environment (and what child
// processes inherit).
func UseLanguage(lang string) error { return useLanguage(processEnv, lang) }

func useLanguage(e env, lang string) error {
	if !wellFormed(lang) {
		return &badLanguageError{lang}
	}
	name, value := messagesVar(e)
	if value == "" || isCLocaleName(value) {
		if name == "" || name == "LANG" {
			name = "LC_MESSAGES"
		}
		if err := e.set(name, "C.UTF-8"); err != nil {
			return err
		}
	}
	return e.set(languageVar, lang)
}

type badLanguageError struct{ lang string }

func (e *badLanguageError) Error() string {
	return "localeenv: not a language code: " + e.lang
}

// messagesVar returns the first of LC_ALL, LC_MESSAGES and LANG that is
// set to a non-empty value, as go-locale looks them up.
func messagesVar(e env) (name, value string) {
	for _, k := range messageVars {
		if v, _ := e.get(k); v != "" {
			return k, v
		}
	}
	return "", ""
}

// goLocaleList returns the entries go-locale splits into language tags,
// before its own clean-up (it cuts ".codeset" and maps "_" to "-"); ok is
// false when it returns no language at all.
func goLocaleList(e env) (list []string, ok bool) {
	_, value := messagesVar(e)
	if value == "C" || value == "POSIX" {
		return nil, false
	}
	if l, _ := e.get(languageVar); l != "" {
		value = l
	}
	if value == "" {
		return nil, false
	}
	return split(value, ':'), true
}

// allParse reports whether every entry becomes a tag that parses once
// go-locale has cut it: the codeset (from the first ".") off, then the
// language before the first "_" or "-", the region after.
func allParse(list []string) bool {
	for _, entry := range list {
		lang, region := langRegion(cut(entry, '.'))
		if !isLanguage(lang) || region != "" && !isRegion(region) {
			return false
		}
	}
	return true
}

// cleanList keeps, of each entry, what parses: the language (2 or 3
// letters) and a region (2 letters or 3 digits) when there is one; entries
// without a language (C, POSIX, empty) are dropped.
func cleanList(list []string) []string {
	var out []string
	for _, entry := range list {
		lang, region := splitEntry(entry)
		if !isLanguage(lang) {
			continue
		}
		if region != "" && isRegion(region) {
			lang += "_" + region
		}
		out = append(out, lang)
	}
	return out
}

// splitEntry cuts a gettext locale name "ll_RR.codeset@modifier" (or
// "ll-RR") into its language and region.
func splitEntry(entry string) (lang, region string) {
	return langRegion(cut(cut(entry, '@'), '.'))
}

// langRegion cuts "ll_RR" or "ll-RR" at the first separator.
func langRegion(s string) (lang, region string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '_' || s[i] == '-' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// isCLocaleName reports whether a locale name is the C locale: C or POSIX,
// with or without a codeset or modifier.
func isCLocaleName(v string) bool {
	base := cut(cut(v, '@'), '.')
	return base == "C" || base == "POSIX"
}

// wellFormed reports whether lang is a language code UseLanguage accepts:
// "vi", "en", "pt_BR", "pt-BR".
func wellFormed(lang string) bool {
	l, r := splitEntry(lang)
	if len(l) != len(lang) && len(l)+1+len(r) != len(lang) {
		return false // a codeset or modifier was cut off
	}
	return isLanguage(l) && (r == "" || isRegion(r))
}

func isLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return true
}

func isRegion(s string) bool {
	switch len(s) {
	case 2:
		return isLetter(s[0]) && isLetter(s[1])
	case 3:
		return isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2])
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// The helpers below stand in for package strings, which this package must
// not import (see the package comment).

func cut(s string, sep byte) string {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i]
		}
	}
	return s
}

func split(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func join(list []string) string {
	s := ""
	for i, v := range list {
		if i > 0 {
			s += ":"
		}
		s += v
	}
	return s
}
