package i18n

import (
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
