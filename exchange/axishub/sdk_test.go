package axishub_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/vanthu/vanthu/exchange/axis"
)

// javaSDK sends requests the way the public Java SDK 2.0.1 does, written
// from DOMAIN.md §7a independently of exchange/axis's encoder: its header
// map is a java.util.HashMap that keeps what every call put in it (so a
// sendEdoc still signs the docId of an earlier getEdoc), iterated in hash
// bucket order; the sign-header is Gson's compact JSON of the prefixed
// entries; hash-file prints each byte of the SHA-256 without zero padding;
// the timestamp is set once, when the service object is made.
type javaSDK struct {
	t                          testing.TB
	endpoint, systemID, secret string
	http                       *http.Client
	keys                       []string // insertion order
	values                     map[string]string
}

func newSDK(t testing.TB, endpoint, systemID, secret string, hc *http.Client) *javaSDK {
	s := &javaSDK{t: t, endpoint: endpoint, systemID: systemID, secret: secret, http: hc, values: map[string]string{}}
	now := time.Now()
	s.put("timestamp", fmt.Sprintf("%s+%04d", now.Format("02012006T150405"), now.Nanosecond()/1e6))
	s.put("systemid", systemID)
	return s
}

func (s *javaSDK) put(k, v string) {
	if _, ok := s.values[k]; !ok {
		s.keys = append(s.keys, k)
	}
	s.values[k] = v
}

// javaHash is String.hashCode, spread as HashMap does.
func javaHash(k string) uint32 {
	var h int32
	for _, c := range utf16.Encode([]rune(k)) {
		h = 31*h + int32(c)
	}
	u := uint32(h)
	return u ^ u>>16
}

// order is the HashMap's iteration order: by bucket at the map's
// capacity (16, doubling past three quarters full), then by insertion.
func (s *javaSDK) order() []string {
	capacity := uint32(16)
	for float64(len(s.keys)) > 0.75*float64(capacity) {
		capacity *= 2
	}
	out := append([]string{}, s.keys...)
	sort.SliceStable(out, func(i, j int) bool { return javaHash(out[i])&(capacity-1) < javaHash(out[j])&(capacity-1) })
	return out
}

func gsonString(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// headers are what the SDK's addXroadVnptHashHeader makes of the map.
func (s *javaSDK) headers() http.Header {
	h := http.Header{}
	var sign []string
	var names []string
	for _, k := range s.order() {
		v := s.values[k]
		if k == "Content-Type" {
			h["Content-Type"] = []string{v}
		}
		h["XroadVnpt-"+k] = []string{v}
		sign = append(sign, gsonString("XroadVnpt-"+k)+":"+gsonString(v))
		names = append(names, k)
	}
	sh := "{" + strings.Join(sign, ",") + "}"
	m := hmac.New(sha256.New, []byte(s.secret))
	m.Write([]byte(sh))
	h["XroadVnpt-sign-header-key"] = []string{strings.Join(names, ";")}
	h["XroadVnpt-sign-header"] = []string{sh}
	h["XroadVnpt-hash-header"] = []string{hex.EncodeToString(m.Sum(nil))}
	h["User-Agent"] = []string{"JAVASDKAgent/1.0.0 XRoad/VPCP"}
	h["XroadVnpt-version"] = []string{"3.0.201608"}
	return h
}

// call puts the JSON header's entries in the map and makes the request
// (not sent): edit it, then do.
func (s *javaSDK) call(op, method string, entries map[string]string, body []byte) *http.Request {
	s.t.Helper()
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.put(k, entries[k])
	}
	req, err := http.NewRequest(method, s.endpoint+"/"+op, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header = s.headers()
	return req
}

// sendEdocRequest is sendEdoc of pkg: Content-Type octet-stream, hash-file
// in Java's form, the package then CRLF as the body.
func (s *javaSDK) sendEdocRequest(pkg []byte, entries map[string]string) *http.Request {
	sum := sha256.Sum256(pkg)
	var hf strings.Builder
	for _, b := range sum {
		fmt.Fprintf(&hf, "%x", b) // Integer.toHexString(0xFF & b)
	}
	e := map[string]string{"Content-Type": "application/octet-stream", "hash-file": hf.String()}
	for k, v := range entries {
		e[k] = v
	}
	return s.call(axis.OpSendEdoc, "POST", e, append(append([]byte{}, pkg...), '\r', '\n'))
}

// answer is a decoded result with its HTTP status and body.
type answer struct {
	HTTP int    `json:"-"`
	Body []byte `json:"-"`
	axis.Result
	DocID string `json:"DocId"`
}

func (s *javaSDK) do(req *http.Request) *answer {
	s.t.Helper()
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("%s: %v", req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	a := &answer{HTTP: resp.StatusCode, Body: body}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := axis.DecodeResult(bytes.NewReader(body), 1<<30, a); err != nil {
			s.t.Fatalf("%s: %v: %s", req.URL.Path, err, body)
		}
	}
	return a
}
