package layout

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// winAnsiHigh is WinAnsiEncoding for 0x80–0x9F (0 = undefined); 0xA0–0xFF
// are Latin-1.
var winAnsiHigh = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// baseEncoding returns the text of each code of a simple font's base
// encoding. StandardEncoding and MacRomanEncoding are approximated by
// ASCII (their printable ASCII part, which is what official documents
// use); WinAnsiEncoding is complete.
func baseEncoding(name string) [256]string {
	var e [256]string
	for c := 0x20; c < 0x7f; c++ {
		e[c] = string(rune(c))
	}
	switch name {
	case "StandardEncoding":
		e[0x27] = "’"
		e[0x60] = "‘"
	case "MacRomanEncoding":
	default: // WinAnsiEncoding, and the default for non-symbolic fonts
		for c := 0x80; c < 0xa0; c++ {
			if r := winAnsiHigh[c-0x80]; r != 0 {
				e[c] = string(r)
			}
		}
		for c := 0xa0; c < 0x100; c++ {
			e[c] = string(rune(c))
		}
		e[0xad] = "-"
	}
	return e
}

// markNames are the Adobe Glyph List names of combining marks, used to
// build the names of precomposed Latin letters ("Acircumflexacute").
var markNames = map[rune]string{
	0x0300: "grave", 0x0301: "acute", 0x0302: "circumflex", 0x0303: "tilde", 0x0304: "macron",
	0x0306: "breve", 0x0307: "dotaccent", 0x0308: "dieresis", 0x0309: "hookabove", 0x030A: "ring",
	0x030B: "hungarumlaut", 0x030C: "caron", 0x031B: "horn", 0x0323: "dotbelow", 0x0327: "cedilla",
	0x0328: "ogonek",
}

func isLetterMark(m rune) bool { return m == 0x0302 || m == 0x0306 || m == 0x031B }

var glyphNamesOnce sync.Once
var glyphNames map[string]string

// fixedNames are glyph names that cannot be derived.
var fixedNames = map[string]rune{
	"space": ' ', "exclam": '!', "quotedbl": '"', "numbersign": '#', "dollar": '$', "percent": '%',
	"ampersand": '&', "quotesingle": '\'', "quoteright": '’', "parenleft": '(', "parenright": ')',
	"asterisk": '*', "plus": '+', "comma": ',', "hyphen": '-', "period": '.', "slash": '/',
	"zero": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5', "six": '6',
	"seven": '7', "eight": '8', "nine": '9', "colon": ':', "semicolon": ';', "less": '<',
	"equal": '=', "greater": '>', "question": '?', "at": '@', "bracketleft": '[', "backslash": '\\',
	"bracketright": ']', "asciicircum": '^', "underscore": '_', "grave": '`', "quoteleft": '‘',
	"braceleft": '{', "bar": '|', "braceright": '}', "asciitilde": '~', "exclamdown": '¡',
	"cent": '¢', "sterling": '£', "currency": '¤', "yen": '¥', "brokenbar": '¦', "section": '§',
	"dieresis": '¨', "copyright": '©', "ordfeminine": 'ª', "guillemotleft": '«', "logicalnot": '¬',
	"registered": '®', "macron": '¯', "degree": '°', "plusminus": '±', "twosuperior": '²',
	"threesuperior": '³', "acute": '´', "mu": 'µ', "paragraph": '¶', "periodcentered": '·',
	"cedilla": '¸', "onesuperior": '¹', "ordmasculine": 'º', "guillemotright": '»',
	"onequarter": '¼', "onehalf": '½', "threequarters": '¾', "questiondown": '¿', "AE": 'Æ',
	"Eth": 'Ð', "multiply": '×', "Oslash": 'Ø', "Thorn": 'Þ', "germandbls": 'ß', "ae": 'æ',
	"eth": 'ð', "divide": '÷', "oslash": 'ø', "thorn": 'þ', "Euro": '€', "quotesinglbase": '‚',
	"florin": 'ƒ', "quotedblbase": '„', "ellipsis": '…', "dagger": '†', "daggerdbl": '‡',
	"circumflex": 'ˆ', "perthousand": '‰', "guilsinglleft": '‹', "OE": 'Œ', "oe": 'œ',
	"quotedblleft": '“', "quotedblright": '”', "bullet": '•', "endash": '–', "emdash": '—',
	"tilde": '˜', "trademark": '™', "guilsinglright": '›', "Dcroat": 'Đ', "dcroat": 'đ',
	"Dmacron": 'Đ', "dmacron": 'đ', "dotlessi": 'ı', "nbspace": 0xa0, "sfthyphen": 0xad,
	"minus": '−', "fraction": '⁄', "numero": '№', "fi": 'ﬁ', "fl": 'ﬂ',
	"gravecomb": 0x300, "acutecomb": 0x301, "tildecomb": 0x303, "hookabovecomb": 0x309,
	"dotbelowcomb": 0x323, "Ohorn": 'Ơ', "ohorn": 'ơ', "Uhorn": 'Ư', "uhorn": 'ư',
}

func buildGlyphNames() {
	glyphNames = map[string]string{}
	for n, r := range fixedNames {
		glyphNames[n] = string(r)
	}
	for c := 'A'; c <= 'Z'; c++ {
		glyphNames[string(c)] = string(c)
		glyphNames[string(unicode.ToLower(c))] = string(unicode.ToLower(c))
	}
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			d := []rune(norm.NFD.String(string(r)))
			if len(d) < 2 || d[0] > 0x7f || !unicode.IsLetter(d[0]) {
				continue
			}
			// Adobe's names put the letter's own mark (circumflex, breve,
			// horn) before the tone mark ("Ocircumflexdotbelow"); the
			// canonical order ("Odotbelowcircumflex") is accepted too.
			marks := d[1:]
			letterFirst := append([]rune(nil), marks...)
			sort.SliceStable(letterFirst, func(i, j int) bool { return isLetterMark(letterFirst[i]) && !isLetterMark(letterFirst[j]) })
			for _, ms := range [][]rune{letterFirst, marks} {
				name := string(d[0])
				ok := true
				for _, m := range ms {
					mn, known := markNames[m]
					if !known {
						ok = false
						break
					}
					name += mn
				}
				if _, dup := glyphNames[name]; ok && !dup {
					glyphNames[name] = string(r)
				}
			}
		}
	}
	add(0xc0, 0x24f)
	add(0x1e00, 0x1eff)
}

// glyphText maps a glyph name to text: Adobe Glyph List names of the
// Latin letters (Vietnamese included), uniXXXX[XXXX…], uXXXX[XX], and
// suffixed variants ("a.sc", "f_i").
func glyphText(name string) (string, bool) {
	glyphNamesOnce.Do(buildGlyphNames)
	if s, ok := glyphNames[name]; ok {
		return s, true
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		return glyphText(name[:i])
	}
	if strings.Contains(name, "_") {
		var b strings.Builder
		for _, p := range strings.Split(name, "_") {
			s, ok := glyphText(p)
			if !ok {
				return "", false
			}
			b.WriteString(s)
		}
		return b.String(), true
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 && (len(name)-3)%4 == 0 {
		var b strings.Builder
		for i := 3; i < len(name); i += 4 {
			v, err := strconv.ParseUint(name[i:i+4], 16, 32)
			if err != nil || (v >= 0xd800 && v < 0xe000) {
				return "", false
			}
			b.WriteRune(rune(v))
		}
		return b.String(), true
	}
	if len(name) >= 5 && len(name) <= 7 && name[0] == 'u' {
		v, err := strconv.ParseUint(name[1:], 16, 32)
		if err == nil && v <= unicode.MaxRune && !(v >= 0xd800 && v < 0xe000) {
			return string(rune(v)), true
		}
	}
	return "", false
}
