package i18n

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/exchange/edxml"
)

func TestEdxmlErrorsTranslated(t *testing.T) {
	catalogOnce.Do(loadCatalogs)
	for _, m := range errorMessages {
		if !strings.HasPrefix(m.msg, "err.edxml_") {
			continue
		}
		for _, lang := range []string{VI, EN} {
			if _, ok := catalogs[lang][m.msg]; !ok {
				t.Errorf("%s: no %s text", m.msg, lang)
			}
		}
	}
	msg, hint := Explain(VI, fmt.Errorf("failed to verify: %w", edxml.ErrSignerUntrusted))
	if msg != "Chứng thư số của cơ quan ký không được tin cậy" || hint == "" {
		t.Errorf("%q %q", msg, hint)
	}
	if msg, _ := Explain(EN, &edxml.Error{Path: "edXML", Err: edxml.ErrDoctype}); !strings.Contains(msg, "DOCTYPE") {
		t.Errorf("%q", msg)
	}
}
