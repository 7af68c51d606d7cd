package i18n

import (
	"sort"
	"strings"

	"github.com/vanthu/vanthu/signing/verify"
)

// Problem renders a verifier problem: the translated code, then its
// parameters (the change kind translated too), as the CLI and the Verify
// screen show it.
func Problem(lang string, p verify.Problem) string {
	msg := T(lang, "verify.problem."+p.Code)
	if len(p.Params) == 0 {
		return msg
	}
	keys := make([]string, 0, len(p.Params))
	for k := range p.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v := p.Params[k]
		if k == "validation_time_source" {
			v = T(lang, "verify.time_source."+v)
		}
		if k == "reason" {
			if r := T(lang, "verify.reason."+v); r != "verify.reason."+v {
				v = r
			} else if r := T(lang, "verify.problem."+v); r != "verify.problem."+v {
				v = r
			}
		}
		if k == "kind" {
			v = T(lang, "verify.change."+v)
		}
		if k == "object" && v == "-1" {
			continue
		}
		parts = append(parts, T(lang, "verify.param."+k)+": "+v)
	}
	if len(parts) == 0 {
		return msg
	}
	return msg + " (" + strings.Join(parts, "; ") + ")"
}
