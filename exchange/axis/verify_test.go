package axis

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// resign replaces the golden's sign-header with sh and signs it with the
// right secret, so that only the header checks stand between an attacker
// who knows a secret's form and the request.
func resign(h http.Header, sh string) {
	h.Set(HeaderSignHeader, sh)
	h.Set(HeaderHashHeader, HashHeader([]byte(goldenSecret), sh))
}

// Every way around the signature a request can try, on the golden
// getReceivedEdocList request: each is refused with the error that names
// it.
func TestVerifyRefuses(t *testing.T) {
	const sh = `{"XroadVnpt-Content-Type":"application/json","XroadVnpt-messagetype":"status","XroadVnpt-systemid":"000.00.00.G22","XroadVnpt-servicetype":"eDoc","XroadVnpt-timestamp":"10032026T081530+0042"}`
	for _, tc := range []struct {
		name    string
		mutate  func(h http.Header)
		secrets SecretsFunc
		want    error
		desc    string
	}{
		{name: "wrong secret", secrets: func(string) ([][]byte, error) { return [][]byte{[]byte("đoán bừa")}, nil },
			want: ErrBadSignature, desc: "hash-header"},
		{name: "unknown system ID", mutate: func(h http.Header) {
			s := strings.ReplaceAll(sh, goldenSystem, "000.00.00.H99")
			resign(h, s)
			h.Set("XroadVnpt-systemid", "000.00.00.H99")
		}, want: ErrUnknownSystem},
		{name: "hash-header of another request", mutate: func(h http.Header) {
			h.Set(HeaderHashHeader, HashHeader([]byte(goldenSecret), strings.Replace(sh, "status", "edoc", 1)))
		}, want: ErrBadSignature},
		{name: "sign-header re-serialised", mutate: func(h http.Header) {
			h.Set(HeaderSignHeader, strings.ReplaceAll(sh, `":"`, `": "`))
		}, want: ErrBadSignature},
		{name: "hash-header not hex", mutate: func(h http.Header) { h.Set(HeaderHashHeader, "xyz") }, want: ErrBadSignature},
		{name: "hash-header missing", mutate: func(h http.Header) { h.Del(HeaderHashHeader) }, want: ErrNotSigned},
		{name: "sign-header missing", mutate: func(h http.Header) { h.Del(HeaderSignHeader) }, want: ErrNotSigned},
		{name: "sign-header twice", mutate: func(h http.Header) { h.Add(HeaderSignHeader, sh) }, want: ErrNotSigned},
		{name: "key list missing", mutate: func(h http.Header) { h.Del(HeaderSignHeaderKey) }, want: ErrNotSigned},
		{name: "value changed", mutate: func(h http.Header) { h.Set("XroadVnpt-messagetype", "edoc") },
			want: ErrHeaderMismatch, desc: `"edoc", the signed value is "status"`},
		{name: "signed header not sent", mutate: func(h http.Header) { h.Del("XroadVnpt-servicetype") },
			want: ErrHeaderMismatch, desc: "signed but not sent"},
		{name: "extra entry smuggled into the sign-header", mutate: func(h http.Header) {
			resign(h, strings.Replace(sh, "{", `{"XroadVnpt-docId":"7",`, 1))
			h.Set(HeaderSignHeaderKey, "docId;"+h.Get(HeaderSignHeaderKey))
		}, want: ErrHeaderMismatch, desc: "signed but not sent"},
		{name: "unsigned prefixed header", mutate: func(h http.Header) { h.Set("XroadVnpt-docId", "7") },
			want: ErrHeaderMismatch, desc: "sent but not signed"},
		{name: "header sent twice", mutate: func(h http.Header) { h.Add("XroadVnpt-messagetype", "edoc") },
			want: ErrHeaderMismatch, desc: "sent 2 times"},
		{name: "unprefixed duplicate of a signed header", mutate: func(h http.Header) { h.Set("messagetype", "edoc") },
			want: ErrHeaderMismatch, desc: "without the prefix"},
		{name: "unprefixed input that is not signed", mutate: func(h http.Header) { h.Set("docId", "7") },
			want: ErrHeaderMismatch, desc: "without the prefix"},
		{name: "signed twice, other case", mutate: func(h http.Header) {
			resign(h, strings.Replace(sh, "{", `{"XroadVnpt-MessageType":"edoc",`, 1))
		}, want: ErrNotSigned, desc: "signed twice"},
		{name: "value not a string", mutate: func(h http.Header) {
			resign(h, strings.Replace(sh, `"status"`, `["status"]`, 1))
		}, want: ErrNotSigned, desc: "not a string"},
		{name: "entry without prefix", mutate: func(h http.Header) {
			resign(h, strings.Replace(sh, "{", `{"docId":"7",`, 1))
		}, want: ErrNotSigned, desc: "prefix"},
		{name: "no systemid signed", mutate: func(h http.Header) {
			resign(h, strings.Replace(sh, `"XroadVnpt-systemid":"000.00.00.G22",`, "", 1))
		}, want: ErrNotSigned, desc: "systemid"},
		{name: "not JSON", mutate: func(h http.Header) { resign(h, "systemid=000.00.00.G22") }, want: ErrNotSigned},
		{name: "two JSON objects", mutate: func(h http.Header) { resign(h, sh+"{}") }, want: ErrNotSigned},
		{name: "key list names an unsigned header", mutate: func(h http.Header) {
			h.Set(HeaderSignHeaderKey, h.Get(HeaderSignHeaderKey)+";docId")
		}, want: ErrHeaderMismatch},
		{name: "key list leaves a signed header out", mutate: func(h http.Header) {
			h.Set(HeaderSignHeaderKey, "Content-Type;messagetype;systemid;timestamp")
		}, want: ErrHeaderMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := readGolden(t, "getReceivedEdocList.http")
			if tc.mutate != nil {
				tc.mutate(req.Header)
			}
			secrets := tc.secrets
			if secrets == nil {
				secrets = goldenSecrets
			}
			s, err := Verify(req.Header, secrets)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %+v, %v; want %v", s, err, tc.want)
			}
			if tc.desc != "" && !strings.Contains(err.Error(), tc.desc) {
				t.Fatalf("error %q does not say %q", err, tc.desc)
			}
		})
	}
}

// A rotated secret: the previous one still verifies while the caller lists
// it, and the index says which did.
func TestVerifyPreviousSecret(t *testing.T) {
	req := readGolden(t, "getReceivedEdocList.http")
	s, err := Verify(req.Header, func(string) ([][]byte, error) {
		return [][]byte{[]byte("bí mật mới"), []byte(goldenSecret)}, nil
	})
	if err != nil || s.Secret != 1 {
		t.Fatalf("%+v %v", s, err)
	}
}

// Trailing spaces of a header value are not the value's (HTTP strips
// them); the signed value is the one used.
func TestVerifyUsesSignedValues(t *testing.T) {
	req := readGolden(t, "updateStatus.http")
	req.Header.Set("XroadVnpt-status", "done ")
	s, err := Verify(req.Header, goldenSecrets)
	if err != nil {
		t.Fatal(err)
	}
	if s.Get("STATUS") != "done" || s.Get("docid") != "41" || s.Has("from") {
		t.Fatalf("%+v", s.Fields)
	}
}

func TestSignRefusesLineBreaks(t *testing.T) {
	if err := Sign(http.Header{}, []byte("k"), []Field{{"description", "a\r\nX-Evil: 1"}}); !errors.Is(err, ErrBadValue) {
		t.Fatalf("Sign = %v", err)
	}
	if err := Sign(http.Header{}, []byte("k"), []Field{{"description", "\xff"}}); !errors.Is(err, ErrBadValue) {
		t.Fatalf("Sign = %v", err)
	}
}
