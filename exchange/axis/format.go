package axis

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// vietnam is the zone of the axis's dates (UTC+7, no daylight saving).
var vietnam = time.FixedZone("ICT", 7*3600)

// Zone is the axis's time zone, UTC+7.
func Zone() *time.Location { return vietnam }

// FormatTimestamp writes t as the SDK's timestamp, Java's
// SimpleDateFormat "ddMMyyyy'T'HHmmss+SSSS" in t's zone: "+" is a literal
// and SSSS the milliseconds with four digits (e.g. 10032026T142530+0045).
func FormatTimestamp(t time.Time) string {
	return fmt.Sprintf("%02d%02d%04dT%02d%02d%02d+%04d", t.Day(), int(t.Month()), t.Year(),
		t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/int(time.Millisecond))
}

// ParseTimestamp reads the SDK's timestamp in loc (the sender's zone is
// not in it; the SDKs run in Vietnam time).
func ParseTimestamp(s string, loc *time.Location) (time.Time, error) {
	bad := fmt.Errorf("%w: timestamp %q is not ddMMyyyy'T'HHmmss+SSSS", ErrBadValue, clip(s))
	if len(s) != 20 || s[8] != 'T' || s[15] != '+' {
		return time.Time{}, bad
	}
	num := func(from, to int) (int, bool) {
		n, err := strconv.Atoi(s[from:to])
		return n, err == nil && s[from] != '-' && s[from] != '+'
	}
	d, ok1 := num(0, 2)
	mo, ok2 := num(2, 4)
	y, ok3 := num(4, 8)
	h, ok4 := num(9, 11)
	mi, ok5 := num(11, 13)
	sec, ok6 := num(13, 15)
	ms, ok7 := num(16, 20)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 || ms > 999 {
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ms*int(time.Millisecond), loc)
	if t.Day() != d {
		return time.Time{}, bad // 31 February
	}
	return t, nil
}

// HashFile is the SDK's hash-file of a SHA-256 digest: each byte as
// lowercase hex without zero padding (Java's Integer.toHexString), so 0x06
// is "6" and the string has 64 or fewer digits.
func HashFile(sum []byte) string {
	var b strings.Builder
	for _, c := range sum {
		b.WriteString(strconv.FormatUint(uint64(c), 16))
	}
	return b.String()
}

// MatchHashFile reports whether declared names the digest sum: in the
// SDK's form, or as ordinary 64-digit hex (either case), which other
// clients send.
func MatchHashFile(declared string, sum []byte) bool {
	declared = strings.ToLower(strings.TrimSpace(declared))
	if declared == "" {
		return false
	}
	return declared == HashFile(sum) || declared == hex.EncodeToString(sum)
}

// HashFileOf is HashFile of data's SHA-256.
func HashFileOf(data []byte) string {
	s := sha256.Sum256(data)
	return HashFile(s[:])
}

// FormatTime writes the times of list results: RFC 3339 in Vietnam time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(vietnam).Format(time.RFC3339)
}

// dateLayouts are the forms list filters and result times are read in;
// a form without a zone is Vietnam time.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"02/01/2006 15:04:05",
	"02-01-2006 15:04:05",
	"2006-01-02",
	"02/01/2006",
	"02-01-2006",
}

// ParseDate reads a fromDate/toDate filter or a result time. A date
// without a time of day is its start; with end, its last instant, so
// that "toDate 10/03/2026" includes the whole day.
func ParseDate(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := ParseTimestamp(s, vietnam); err == nil {
		return t, nil
	}
	for _, l := range dateLayouts {
		t, err := time.ParseInLocation(l, s, vietnam)
		if err != nil {
			continue
		}
		if end && !strings.Contains(l, "15") {
			t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: date %q (use dd/MM/yyyy, yyyy-MM-dd or RFC 3339)", ErrBadValue, clip(s))
}
