package edxml

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DocumentID is a parsed DocumentId: OrganId,yyyy/MM/dd,Number/Notation,
// e.g. 000.00.00.G22,2015/09/30,7816/VPCP-TTĐT.
type DocumentID struct {
	OrganID  string
	Date     Date
	Number   string
	Notation string
}

// String formats the DocumentId.
func (d DocumentID) String() string {
	return d.OrganID + "," + d.Date.String() + "," + d.Number + "/" + d.Notation
}

// Code returns Number/Notation.
func (d DocumentID) Code() string { return d.Number + "/" + d.Notation }

// NewDocumentID forms and checks a DocumentId.
func NewDocumentID(organID string, date Date, number, notation string) (string, error) {
	id := DocumentID{OrganID: organID, Date: date, Number: number, Notation: notation}
	if _, err := ParseDocumentID(id.String()); err != nil {
		return "", err
	}
	return id.String(), nil
}

// ParseDocumentID parses and checks a DocumentId: a valid agency code, a
// date that exists, a number and a notation (the notation may hold '/',
// e.g. 12/2024/NĐ-CP has number 12 and notation 2024/NĐ-CP).
func ParseDocumentID(s string) (DocumentID, error) {
	bad := func(why string) (DocumentID, error) {
		return DocumentID{}, fmt.Errorf("%w: %q: %s", ErrDocumentID, s, why)
	}
	if len(s) > 256 {
		return bad("longer than 256 bytes")
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return bad("control characters or invalid UTF-8")
	}
	parts := strings.SplitN(s, ",", 3)
	if len(parts) != 3 {
		return bad("not OrganId,yyyy/MM/dd,Number/Notation")
	}
	if err := CheckAgencyCode(parts[0]); err != nil {
		return bad(err.Error())
	}
	date, err := ParseDate(parts[1])
	if err != nil {
		return bad("the date is not a valid yyyy/MM/dd")
	}
	number, notation, ok := strings.Cut(parts[2], "/")
	if !ok || strings.TrimSpace(number) == "" || strings.TrimSpace(notation) == "" {
		return bad("the code is not Number/Notation")
	}
	if strings.Contains(parts[2], ",") {
		return bad("the code holds a comma")
	}
	return DocumentID{OrganID: parts[0], Date: date, Number: number, Notation: notation}, nil
}

// CheckAgencyCode checks an agency code in the new form of Quyết định
// 20/2020/QĐ-TTg (up to 35 characters of A–Z, 0–9 and '.', dot-separated
// groups, the first a letter and two digits: G22, H29.01, G06.01.02) or the
// old form NNN.NN.NN.XNN still used on the national axis (000.00.00.G22).
func CheckAgencyCode(code string) error {
	if isOldAgencyCode(code) || isNewAgencyCode(code) {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrAgencyCode, code)
}

func isOldAgencyCode(s string) bool {
	// NNN.NN.NN.XNN
	if len(s) != 13 {
		return false
	}
	for i := 0; i < 13; i++ {
		c := s[i]
		switch i {
		case 3, 6, 9:
			if c != '.' {
				return false
			}
		case 10:
			if c < 'A' || c > 'Z' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func isNewAgencyCode(s string) bool {
	if len(s) < 3 || len(s) > 35 {
		return false
	}
	groups := strings.Split(s, ".")
	first := groups[0]
	if len(first) != 3 || first[0] < 'A' || first[0] > 'Z' || !isDigit(first[1]) || !isDigit(first[2]) {
		return false
	}
	for _, g := range groups[1:] {
		if g == "" {
			return false
		}
		for i := 0; i < len(g); i++ {
			if !isDigit(g[i]) && (g[i] < 'A' || g[i] > 'Z') {
				return false
			}
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// MaxAttachmentNameBytes bounds an AttachmentName.
const MaxAttachmentNameBytes = 255

// CheckAttachmentName refuses an AttachmentName that is empty, not UTF-8,
// longer than 255 bytes, holds control characters (NUL included) or
// format characters (a right-to-left override can disguise ".exe"), is a
// path (a '/' or '\' anywhere, a drive letter such as C:, "." or "..").
func CheckAttachmentName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrAttachmentName, name, why) }
	switch {
	case strings.TrimSpace(name) == "":
		return bad("empty")
	case !utf8.ValidString(name):
		return bad("not UTF-8")
	case len(name) > MaxAttachmentNameBytes:
		return bad("longer than 255 bytes")
	case strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }):
		return bad("control or format characters (such as a right-to-left override)")
	case strings.ContainsAny(name, `/\`):
		return bad("a path, not a file name")
	case name == "." || name == "..":
		return bad("a directory name")
	case len(name) >= 2 && name[1] == ':':
		return bad("a drive letter")
	}
	return nil
}

// SafeFileName returns a base name that is safe to create on Windows and
// Linux for an attachment called name: CheckAttachmentName must pass, then
// characters Windows refuses (<>:"|?*) become '_', trailing dots and
// spaces go, and reserved device names (CON, NUL, COM1, …) get a '_'
// prefix. Callers still create the file inside their own directory.
func SafeFileName(name string) (string, error) {
	if err := CheckAttachmentName(name); err != nil {
		return "", err
	}
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`<>:"|?*`, r) {
			return '_'
		}
		return r
	}, name)
	s = strings.TrimRight(s, ". ")
	if s == "" {
		return "", fmt.Errorf("%w: %q: nothing left of the name", ErrAttachmentName, name)
	}
	// Windows takes the part before the first dot as the device name.
	base, _, _ := strings.Cut(strings.ToUpper(s), ".")
	base = strings.TrimRight(base, " ")
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		s = "_" + s
	default:
		if len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '0' && base[3] <= '9' {
			s = "_" + s
		}
	}
	return s, nil
}
