package verify

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

// TestTranslationsComplete checks that every problem code, change kind and
// parameter has a message in both catalogues app/ uses.
func TestTranslationsComplete(t *testing.T) {
	src, err := os.ReadFile("problems.go")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range regexp.MustCompile(`(Code|Change)\w+\s*=\s*"([a-z_]+)"`).FindAllSubmatch(src, -1) {
		if string(m[1]) == "Code" {
			keys = append(keys, "verify.problem."+string(m[2]))
		} else {
			keys = append(keys, "verify.change."+string(m[2]))
		}
	}
	rev, err := os.ReadFile("revocation.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`Reject\w+\s*=\s*"([a-z_]+)"`).FindAllSubmatch(rev, -1) {
		keys = append(keys, "verify.reason."+string(m[1]))
	}
	// the parameters of revocation_data_rejected
	for _, p := range []string{"source", "reason", "origin", "cert", "error"} {
		keys = append(keys, "verify.param."+p)
	}
	for _, f := range []string{"verify.go", "signature.go", "revocation.go", "times.go", "visual.go"} {
		b, _ := os.ReadFile(f)
		for _, m := range regexp.MustCompile(`(?:problemSev\w+|sev), Code\w+((?:, "[a-z_]+", [^,)]+)*)`).FindAllSubmatch(b, -1) {
			for _, p := range regexp.MustCompile(`"([a-z_]+)", `).FindAllSubmatch(m[1], -1) {
				keys = append(keys, "verify.param."+string(p[1]))
			}
		}
	}
	// the change analysis passes parameters as name, value pairs
	b, _ := os.ReadFile("changes.go")
	for _, m := range regexp.MustCompile(`"([a-z_]+)", (?:[a-zA-Z]|">")`).FindAllSubmatch(b, -1) {
		keys = append(keys, "verify.param."+string(m[1]))
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys", len(keys))
	}
	for _, lang := range []string{"en", "vi"} {
		b, err := os.ReadFile("../../assets/translations/" + lang + "/verify.json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if m[k] == "" {
				t.Errorf("%s: missing %s", lang, k)
			}
		}
	}
}
