package roles

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold removes diacritics (đ → d), upper-cases and collapses white space:
// "Nguyễn  Văn Ánh" → "NGUYEN VAN ANH".
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ' || r == 'Đ':
			r = 'D'
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// mostlyUpper reports whether at least 80 % of the letters of s are upper
// case (title lines of a signer block are in capitals).
func mostlyUpper(s string) bool {
	up, all := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			all++
			if unicode.IsUpper(r) {
				up++
			}
		}
	}
	return all > 0 && up*5 >= all*4
}
