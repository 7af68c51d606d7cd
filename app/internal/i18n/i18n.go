// Package i18n holds vanthu's message catalogues and the user's language:
// the CLI and the desktop screens translate through it, and it maps domain
// errors to translated messages and hints.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log"
	"path"
	"strings"
	"sync"

	"github.com/vanthu/vanthu/assets"
)

// Languages, Vietnamese first.
const (
	VI = "vi"
	EN = "en"
)

var (
	catalogOnce sync.Once
	catalogs    map[string]map[string]string
	catalogErr  error
)

// loadCatalogs reads every assets/translations/<lang>/*.json into one map
// per language.
func loadCatalogs() {
	catalogs = map[string]map[string]string{}
	for _, lang := range []string{VI, EN} {
		m := map[string]string{}
		dir := path.Join("translations", lang)
		entries, err := fs.ReadDir(assets.Translations, dir)
		if err != nil {
			catalogErr = fmt.Errorf("failed to read translations: %w", err)
			return
		}
		for _, ent := range entries {
			if !strings.HasSuffix(ent.Name(), ".json") {
				continue
			}
			b, err := fs.ReadFile(assets.Translations, path.Join(dir, ent.Name()))
			if err != nil {
				catalogErr = fmt.Errorf("failed to read translations: %w", err)
				return
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				catalogErr = fmt.Errorf("failed to parse %s/%s: %w", lang, ent.Name(), err)
				return
			}
			for k, v := range part {
				m[k] = v
			}
		}
		catalogs[lang] = m
	}
}

// Language picks the user's language: VANTHU_LANG, then LC_ALL/LC_MESSAGES/
// LANG when they name English; Vietnamese otherwise.
func Language(getenv func(string) string) string {
	for _, k := range []string{"VANTHU_LANG", "LC_ALL", "LC_MESSAGES", "LANG"} {
		v := strings.ToLower(getenv(k))
		switch {
		case v == "":
			continue
		case strings.HasPrefix(v, "en"):
			return EN
		case strings.HasPrefix(v, "vi"):
			return VI
		case k == "VANTHU_LANG":
			continue
		}
	}
	return VI
}

// T returns the message for key in lang, formatted with args. A
// missing key falls back to English, then to the key itself.
func T(lang, key string, args ...any) string {
	catalogOnce.Do(func() {
		loadCatalogs()
		if catalogErr != nil {
			log.Printf("vanthu: %v", catalogErr)
		}
	})
	tmpl, ok := catalogs[lang][key]
	if !ok {
		tmpl, ok = catalogs[EN][key]
	}
	if !ok {
		tmpl = key
		if len(args) > 0 {
			tmpl += strings.Repeat(" %v", len(args))
		}
	}
	if len(args) == 0 {
		return tmpl
	}
	return fmt.Sprintf(tmpl, args...)
}

// Has reports whether key is in the catalogues.
func Has(key string) bool {
	T(EN, key) // loads the catalogues
	_, ok := catalogs[EN][key]
	if !ok {
		_, ok = catalogs[VI][key]
	}
	return ok
}
