package axis

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxTo caps the recipients one to header may name.
const maxTo = 1000

// ParseTo reads sendEdoc's to header: a JSON array (the SDK sends the
// array's JSON text) of agency codes, or of objects naming one in
// OrganId, organId, code or Code; or, from other clients, codes separated
// by commas or semicolons. Empty entries are dropped, duplicates kept
// once, order kept.
func ParseTo(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var codes []string
	if strings.HasPrefix(s, "[") {
		var items []json.RawMessage
		if err := json.Unmarshal([]byte(s), &items); err != nil {
			return nil, fmt.Errorf("%w: to is not a JSON array: %v", ErrBadValue, err)
		}
		for _, it := range items {
			c, err := toEntry(it)
			if err != nil {
				return nil, err
			}
			codes = append(codes, c)
		}
	} else {
		codes = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" || seen[c] {
			continue
		}
		if len(out) == maxTo {
			return nil, fmt.Errorf("%w: to names more than %d agencies", ErrBadValue, maxTo)
		}
		seen[c] = true
		out = append(out, c)
	}
	return out, nil
}

func toEntry(raw json.RawMessage) (string, error) {
	var code string
	if json.Unmarshal(raw, &code) == nil {
		return code, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", fmt.Errorf("%w: to entry %s is neither a code nor an object", ErrBadValue, clip(string(raw)))
	}
	for _, k := range []string{"OrganId", "organId", "organid", "code", "Code"} {
		if v, ok := obj[k].(string); ok && strings.TrimSpace(v) != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("%w: to entry %s names no agency (OrganId or code)", ErrBadValue, clip(string(raw)))
}
