package roles

import (
	"fmt"
	"strings"
	"time"
)

// Role is the part a signature plays in the Nghị định 30 process.
type Role string

// Roles.
const (
	// Review: the drafter's or the unit head's approval ("ký nháy"), an
	// invisible signature, before Approve.
	Review Role = "review"
	// Approve: the competent person's signature, the handwritten image
	// between the title and the name lines.
	Approve Role = "approve"
	// Issue: the clerk's organisation signature with the red seal over the
	// left third of the approve image, writing the number and date.
	Issue Role = "issue"
	// Attachment: the organisation's signature on an attached file or
	// appendix, a text box at the top right of page 1.
	Attachment Role = "attachment"
	// Copy: the organisation's signature on an electronic copy ("SAO Y",
	// "SAO LỤC", "TRÍCH SAO"), a text box at the top right of page 1.
	Copy Role = "copy"
)

// Roles lists the roles in signing order.
var Roles = []Role{Review, Approve, Issue, Attachment, Copy}

// ParseRole accepts the role names (and their Vietnamese forms).
func ParseRole(s string) (Role, error) {
	switch fold(s) {
	case "REVIEW", "KY NHAY", "RA SOAT":
		return Review, nil
	case "APPROVE", "PHE DUYET", "KY DUYET":
		return Approve, nil
	case "ISSUE", "BAN HANH", "PHAT HANH":
		return Issue, nil
	case "ATTACHMENT", "DINH KEM", "PHU LUC":
		return Attachment, nil
	case "COPY", "SAO", "BAN SAO":
		return Copy, nil
	}
	return "", fmt.Errorf("%w: unknown role %q (review, approve, issue, attachment or copy)", ErrBadRequest, s)
}

// fieldPrefix is how vanthu names the signature field of each role
// ("Approve1", "Issue1", …): the role of an existing signature is read back
// from it.
func (r Role) fieldPrefix() string {
	switch r {
	case Review:
		return "Review"
	case Approve:
		return "Approve"
	case Issue:
		return "Issue"
	case Attachment:
		return "Attachment"
	case Copy:
		return "Copy"
	}
	return "Signature"
}

// roleOfField returns the role a field name was given by vanthu, or "".
func roleOfField(name string) Role {
	for _, r := range Roles {
		p := r.fieldPrefix()
		if len(name) > len(p) && strings.EqualFold(name[:len(p)], p) && allDigits(name[len(p):]) {
			return r
		}
	}
	return ""
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// CopyKind is the form of an electronic copy (Nghị định 30, Điều 25).
type CopyKind string

// Copy kinds.
const (
	CopySaoY     CopyKind = "SAO Y"
	CopySaoLuc   CopyKind = "SAO LỤC"
	CopyTrichSao CopyKind = "TRÍCH SAO"
)

// ParseCopyKind accepts "sao-y", "SAO Y", "sao lục", "trich-sao", ….
func ParseCopyKind(s string) (CopyKind, error) {
	switch strings.ReplaceAll(fold(s), "-", " ") {
	case "SAO Y", "SAOY":
		return CopySaoY, nil
	case "SAO LUC", "SAOLUC":
		return CopySaoLuc, nil
	case "TRICH SAO", "TRICHSAO":
		return CopyTrichSao, nil
	}
	return "", fmt.Errorf("%w: unknown copy kind %q (SAO Y, SAO LỤC or TRÍCH SAO)", ErrBadRequest, s)
}

// Vietnam is the time zone of the texts vanthu writes (UTC+07:00).
var Vietnam = time.FixedZone("+07", 7*3600)

// ISOTime formats t in Vietnam time as ISO 8601 with the offset:
// 2026-11-21T14:30:15+07:00.
func ISOTime(t time.Time) string { return t.In(Vietnam).Format("2006-01-02T15:04:05-07:00") }

// Day returns the day of month as Nghị định 30 writes it: two digits below
// 10 ("05").
func Day(t time.Time) string { return fmt.Sprintf("%02d", t.Day()) }

// Month returns the month as Nghị định 30 writes it: a leading zero for
// January and February only ("01", "02", "3", …, "12").
func Month(t time.Time) string {
	if t.Month() <= 2 {
		return fmt.Sprintf("%02d", int(t.Month()))
	}
	return fmt.Sprint(int(t.Month()))
}

// DateLine is the date as written on a document: "ngày 21 tháng 11 năm
// 2026", with the place first when given ("Đắk Lắk, ngày …").
func DateLine(place string, t time.Time) string {
	s := fmt.Sprintf("ngày %s tháng %s năm %d", Day(t), Month(t), t.Year())
	if place != "" {
		s = place + ", " + s
	}
	return s
}
