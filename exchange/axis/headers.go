package axis

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Prefix is carried by every header of the SDK's JSON header on the wire.
const Prefix = "XroadVnpt-"

// Headers the SDKs add after the signed ones.
const (
	HeaderSignHeader    = "XroadVnpt-sign-header"
	HeaderSignHeaderKey = "XroadVnpt-sign-header-key"
	HeaderHashHeader    = "XroadVnpt-hash-header"
	HeaderVersion       = "XroadVnpt-version"
)

// UserAgent and Version are what the Java SDK sends.
const (
	UserAgent = "JAVASDKAgent/1.0.0 XRoad/VPCP"
	Version   = "3.0.201608"
)

// Names of the JSON header's entries, unprefixed, as the SDKs spell them.
// Servers look them up without regard to case.
const (
	KeySystemID    = "systemid"
	KeyTimestamp   = "timestamp"
	KeyContentType = "Content-Type"
	KeyFrom        = "from"
	KeyTo          = "to"
	KeyServiceType = "servicetype"
	KeyMessageType = "messagetype"
	KeyHashFile    = "hash-file"
	KeyDocID       = "docId"
	KeyStatus      = "status"
	KeyDescription = "description"
	KeyFromDate    = "fromDate"
	KeyToDate      = "toDate"
	KeyAgencyCode  = "AgencyCode"
	KeyLevel       = "level"
	KeyPageSize    = "pageSize"
	KeyPageIndex   = "pageIndex"
)

// ServiceTypeEDoc is the servicetype of document exchange.
const ServiceTypeEDoc = "eDoc"

// Field is one entry of the SDK's JSON header.
type Field struct {
	Name, Value string
}

// Limits of a signed request a server accepts.
const (
	maxSignHeader = 64 << 10
	maxFields     = 64
)

// SignHeader is the XroadVnpt-sign-header value for fields, in their
// order: a JSON object of the prefixed names and their values, compact,
// without HTML escaping (as Gson's JsonObject.toString writes it).
func SignHeader(fields []Field) (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := jsonString(Prefix + f.Name)
		if err != nil {
			return "", err
		}
		v, err := jsonString(f.Value)
		if err != nil {
			return "", err
		}
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(v)
	}
	b.WriteByte('}')
	return b.String(), nil
}

// jsonString is s as a JSON string, without HTML escaping.
func jsonString(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: %q is not UTF-8", ErrBadValue, s)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// HashHeader is XroadVnpt-hash-header for a sign-header string: the
// lowercase hex HMAC-SHA256 of its UTF-8 bytes keyed with secret.
func HashHeader(secret []byte, signHeader string) string {
	m := hmac.New(sha256.New, secret)
	io.WriteString(m, signHeader)
	return hex.EncodeToString(m.Sum(nil))
}

// Sign adds to h what the SDK sends for fields (which must include
// systemid and timestamp): each field as XroadVnpt-<name> (and
// Content-Type also unprefixed), then the sign-header, the key list, the
// hash-header, User-Agent and XroadVnpt-version. Header names are kept as
// the SDK spells them.
func Sign(h http.Header, secret []byte, fields []Field) error {
	sh, err := SignHeader(fields)
	if err != nil {
		return err
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		if strings.ContainsAny(f.Value, "\r\n") {
			return fmt.Errorf("%w: %s holds a line break", ErrBadValue, f.Name)
		}
		if strings.EqualFold(f.Name, KeyContentType) {
			h.Set("Content-Type", f.Value)
		}
		h[Prefix+f.Name] = []string{f.Value}
		names[i] = f.Name
	}
	h[HeaderSignHeaderKey] = []string{strings.Join(names, ";")}
	h[HeaderSignHeader] = []string{sh}
	h[HeaderHashHeader] = []string{HashHeader(secret, sh)}
	h.Set("User-Agent", UserAgent)
	h[HeaderVersion] = []string{Version}
	return nil
}

// Signed is a request whose signature verified: the values a server may
// use, all from the signed sign-header.
type Signed struct {
	SystemID   string
	Timestamp  string
	SignHeader string  // as received
	Fields     []Field // unprefixed names, in the sign-header's order
	// Secret is the index of the secret that verified (0 the current one).
	Secret int
}

// Get is the signed value of name (any case), or "".
func (s *Signed) Get(name string) string {
	for _, f := range s.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Has reports whether name (any case) was signed.
func (s *Signed) Has(name string) bool {
	for _, f := range s.Fields {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// SecretsFunc returns the secrets that may have signed a request of
// systemID (the current one first), or an error wrapping ErrUnknownSystem.
type SecretsFunc func(systemID string) ([][]byte, error)

// Verify checks a request's signature headers the way the SDKs make them:
//
//  1. XroadVnpt-sign-header, XroadVnpt-sign-header-key and
//     XroadVnpt-hash-header are each present once;
//  2. the sign-header is a JSON object of distinct (regardless of case)
//     prefixed names with string values, among them systemid and
//     timestamp, and the key list names exactly its entries;
//  3. the hash-header is the HMAC-SHA256 of the sign-header as received
//     under one of the system's secrets;
//  4. every signed entry is sent once as its header, with the same value;
//     no other XroadVnpt- header is sent (but XroadVnpt-version), and no
//     signed name is also sent unprefixed (but Content-Type).
//
// The signed values are returned; nothing else of the request may be
// trusted.
func Verify(header http.Header, secrets SecretsFunc) (*Signed, error) {
	h := lowerHeader(header)
	sh, err := single(h, HeaderSignHeader)
	if err != nil {
		return nil, err
	}
	keyList, err := single(h, HeaderSignHeaderKey)
	if err != nil {
		return nil, err
	}
	mac, err := single(h, HeaderHashHeader)
	if err != nil {
		return nil, err
	}
	fields, err := ParseSignHeader(sh)
	if err != nil {
		return nil, err
	}
	s := &Signed{SignHeader: sh, Fields: fields, SystemID: (&Signed{Fields: fields}).Get(KeySystemID)}
	s.Timestamp = s.Get(KeyTimestamp)
	if s.SystemID == "" || s.Timestamp == "" {
		return nil, fmt.Errorf("%w: %s must sign %s%s and %s%s", ErrNotSigned, HeaderSignHeader, Prefix, KeySystemID, Prefix, KeyTimestamp)
	}
	if err := checkKeyList(keyList, fields); err != nil {
		return nil, err
	}
	keys, err := secrets(s.SystemID)
	if err != nil {
		return nil, err
	}
	want, err := hex.DecodeString(strings.TrimSpace(mac))
	if err != nil || len(want) != sha256.Size {
		return nil, fmt.Errorf("%w: %s is not 64 hex digits", ErrBadSignature, HeaderHashHeader)
	}
	s.Secret = -1
	for i, k := range keys {
		m := hmac.New(sha256.New, k)
		io.WriteString(m, sh)
		if hmac.Equal(m.Sum(nil), want) {
			s.Secret = i
			break
		}
	}
	if s.Secret < 0 {
		return nil, fmt.Errorf("%w: HMAC-SHA256 of %s under system %q's secret differs (wrong secret, or the sign-header changed on the way)",
			ErrBadSignature, HeaderSignHeader, s.SystemID)
	}
	if err := checkHeaders(h, fields); err != nil {
		return nil, err
	}
	return s, nil
}

// lowerHeader indexes a header by lowercase name, whatever the case its
// keys were stored in.
func lowerHeader(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, v := range h {
		l := strings.ToLower(k)
		out[l] = append(out[l], v...)
	}
	return out
}

func single(h map[string][]string, name string) (string, error) {
	v := h[strings.ToLower(name)]
	switch {
	case len(v) == 0:
		return "", fmt.Errorf("%w: %s is missing", ErrNotSigned, name)
	case len(v) > 1:
		return "", fmt.Errorf("%w: %s is sent %d times", ErrNotSigned, name, len(v))
	}
	return v[0], nil
}

// ParseSignHeader reads a sign-header: one JSON object whose keys carry
// the prefix, are distinct regardless of case and have string values.
func ParseSignHeader(s string) ([]Field, error) {
	if len(s) > maxSignHeader {
		return nil, fmt.Errorf("%w: %s longer than %d bytes", ErrNotSigned, HeaderSignHeader, maxSignHeader)
	}
	dec := json.NewDecoder(strings.NewReader(s))
	bad := func(why string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrNotSigned, HeaderSignHeader, fmt.Sprintf(why, args...))
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad("not a JSON object")
	}
	var out []Field
	seen := map[string]bool{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, bad("unreadable JSON: %v", err)
		}
		key := kt.(string) // object keys are strings
		vt, err := dec.Token()
		if err != nil {
			return nil, bad("unreadable JSON: %v", err)
		}
		val, ok := vt.(string)
		if !ok {
			return nil, bad("the value of %q is not a string", key)
		}
		if len(key) <= len(Prefix) || !strings.EqualFold(key[:len(Prefix)], Prefix) {
			return nil, bad("%q does not carry the prefix %s", key, Prefix)
		}
		name := key[len(Prefix):]
		if !validName(name) {
			return nil, bad("%q is not a header name", key)
		}
		lower := strings.ToLower(name)
		if seen[lower] {
			return nil, bad("%q is signed twice", key)
		}
		seen[lower] = true
		if len(out) == maxFields {
			return nil, bad("more than %d entries", maxFields)
		}
		out = append(out, Field{Name: name, Value: val})
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, bad("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("text after the JSON object")
	}
	return out, nil
}

// validName reports whether s is an HTTP header name (RFC 9110 token).
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

func checkKeyList(list string, fields []Field) error {
	names := map[string]bool{}
	for _, n := range strings.Split(list, ";") {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if names[n] {
			return fmt.Errorf("%w: %s names %q twice", ErrHeaderMismatch, HeaderSignHeaderKey, n)
		}
		names[n] = true
	}
	for _, f := range fields {
		if !names[strings.ToLower(f.Name)] {
			return fmt.Errorf("%w: %s does not name the signed %s%s", ErrHeaderMismatch, HeaderSignHeaderKey, Prefix, f.Name)
		}
		delete(names, strings.ToLower(f.Name))
	}
	for n := range names {
		return fmt.Errorf("%w: %s names %q, which is not signed", ErrHeaderMismatch, HeaderSignHeaderKey, n)
	}
	return nil
}

// checkHeaders holds the request's headers to the signed entries.
func checkHeaders(h map[string][]string, fields []Field) error {
	signed := map[string]bool{}
	for _, f := range fields {
		signed[strings.ToLower(f.Name)] = true
		got := h[strings.ToLower(Prefix+f.Name)]
		switch {
		case len(got) == 0:
			return fmt.Errorf("%w: %s%s is signed but not sent", ErrHeaderMismatch, Prefix, f.Name)
		case len(got) > 1:
			return fmt.Errorf("%w: %s%s is sent %d times", ErrHeaderMismatch, Prefix, f.Name, len(got))
		case strings.Trim(got[0], " \t") != strings.Trim(f.Value, " \t"):
			return fmt.Errorf("%w: %s%s is %q, the signed value is %q", ErrHeaderMismatch, Prefix, f.Name, clip(got[0]), clip(f.Value))
		}
	}
	for lower := range h {
		name := lower
		if rest, ok := strings.CutPrefix(lower, strings.ToLower(Prefix)); ok {
			switch {
			case signed[rest]:
			case lower == strings.ToLower(HeaderSignHeader), lower == strings.ToLower(HeaderSignHeaderKey),
				lower == strings.ToLower(HeaderHashHeader), lower == strings.ToLower(HeaderVersion):
			default:
				return fmt.Errorf("%w: %s is sent but not signed", ErrHeaderMismatch, name)
			}
			continue
		}
		if lower != "content-type" && (signed[lower] || inputNames[lower]) {
			return fmt.Errorf("%w: %s is sent without the prefix (only %s%s counts)", ErrHeaderMismatch, name, Prefix, name)
		}
	}
	return nil
}

// inputNames are the operations' inputs: the SDKs never send them
// unprefixed, so a request that does is refused.
var inputNames = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{KeySystemID, KeyTimestamp, KeyFrom, KeyTo, KeyServiceType, KeyMessageType, KeyHashFile,
		KeyDocID, KeyStatus, KeyDescription, KeyFromDate, KeyToDate, KeyAgencyCode, KeyLevel, KeyPageSize, KeyPageIndex} {
		m[strings.ToLower(k)] = true
	}
	return m
}()

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
