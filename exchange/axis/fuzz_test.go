package axis

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func FuzzParseSignHeader(f *testing.F) {
	f.Add(`{"XroadVnpt-systemid":"000.00.00.G22","XroadVnpt-timestamp":"10032026T081530+0042"}`)
	f.Add(`{"XroadVnpt-to":"[{\"OrganId\":\"H41\"}]","XroadVnpt-description":"Đã nhận \u0111"}`)
	f.Add(`{"XroadVnpt-a":"1","xroadvnpt-A":"2"}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := ParseSignHeader(s)
		if err != nil {
			return
		}
		again, err := SignHeader(fields)
		if err != nil {
			return // a value that is not UTF-8 after decoding
		}
		back, err := ParseSignHeader(again)
		if err != nil || fmt.Sprint(back) != fmt.Sprint(fields) {
			t.Fatalf("%q → %v → %q → %v %v", s, fields, again, back, err)
		}
	})
}

func FuzzReadEdoc(f *testing.F) {
	var ok bytes.Buffer
	_ = WriteEdoc(&ok, strings.NewReader("<edXML>gói tin</edXML>"))
	f.Add(ok.String())
	f.Add(`{"status":"FAIL","ErrorCode":"404","ErrorDesc":"x"}`)
	f.Add(`{"x":[{"y":"\"}"}],"status":"OK","ErrorCode":0,"ErrorDesc":null,"data":"QUJD\/\r\n=="}`)
	f.Fuzz(func(t *testing.T, s string) {
		var out bytes.Buffer
		_, n, _ := ReadEdoc(strings.NewReader(s), &out, 1<<16)
		if n != int64(out.Len()) || n > 1<<16 {
			t.Fatalf("reported %d bytes, wrote %d", n, out.Len())
		}
	})
}

func FuzzReadEdocRoundTrip(f *testing.F) {
	f.Add([]byte("<edXML/>"))
	f.Add([]byte{0, 1, 2, 0xff})
	f.Fuzz(func(t *testing.T, pkg []byte) {
		var answer, out bytes.Buffer
		if err := WriteEdoc(&answer, bytes.NewReader(pkg)); err != nil {
			t.Fatal(err)
		}
		res, _, err := ReadEdoc(&answer, &out, int64(len(pkg)))
		if len(pkg) == 0 {
			return
		}
		if err != nil || res.Err() != nil || !bytes.Equal(out.Bytes(), pkg) {
			t.Fatalf("%v %v", res, err)
		}
	})
}

func FuzzParseTo(f *testing.F) {
	f.Add(`[{"OrganId":"000.00.00.H41"},"H29.01"]`)
	f.Add(`H41,H29;G22`)
	f.Fuzz(func(t *testing.T, s string) {
		codes, err := ParseTo(s)
		if err == nil && len(codes) > maxTo {
			t.Fatal(len(codes))
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	f.Add("10032026T081530+0042")
	f.Add("29022024T235959+0999")
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s, Zone())
		if err == nil && FormatTimestamp(ts) != s {
			t.Fatalf("%q → %v → %q", s, ts, FormatTimestamp(ts))
		}
		_, _ = ParseDate(s, true)
	})
}

func FuzzSpoolPackage(f *testing.F) {
	f.Add([]byte("<edXML/>\r\n"), "multipart/form-data; boundary=x")
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"file_doc\"\r\n\r\nabc\r\n--x--\r\n"), "multipart/form-data; boundary=x")
	f.Fuzz(func(t *testing.T, body []byte, ct string) {
		r := bodyRequest(bytes.NewReader(body), ct)
		sp, err := SpoolPackage(r, t.TempDir(), 1<<12, HashFileOf(bytes.TrimSuffix(body, []byte("\r\n"))))
		if err != nil {
			return
		}
		got, _ := io.ReadAll(sp.Reader())
		sp.Close()
		if int64(len(got)) != sp.Size || sp.Size > 1<<12 {
			t.Fatalf("%d bytes, size %d", len(got), sp.Size)
		}
	})
}

// FuzzVerify: whatever the sign-header, key list, hash-header and one
// extra header, Verify never panics, and what it accepts is signed with
// the system's secret and sent as signed.
func FuzzVerify(f *testing.F) {
	sh := `{"XroadVnpt-systemid":"000.00.00.G22","XroadVnpt-timestamp":"10032026T081530+0042","XroadVnpt-docId":"41"}`
	f.Add(sh, "systemid;timestamp;docId", HashHeader([]byte(goldenSecret), sh), "XroadVnpt-docId", "41")
	f.Add(sh, "systemid;timestamp", "00", "docId", "7")
	f.Fuzz(func(t *testing.T, sh, keys, mac, extraName, extraValue string) {
		h := http.Header{}
		h[HeaderSignHeader] = []string{sh}
		h[HeaderSignHeaderKey] = []string{keys}
		h[HeaderHashHeader] = []string{mac}
		h["XroadVnpt-systemid"] = []string{"000.00.00.G22"}
		h["XroadVnpt-timestamp"] = []string{"10032026T081530+0042"}
		h[extraName] = append(h[extraName], extraValue)
		s, err := Verify(h, goldenSecrets)
		if err != nil {
			return
		}
		if HashHeader([]byte(goldenSecret), sh) != strings.ToLower(strings.TrimSpace(mac)) {
			t.Fatalf("accepted a hash-header that is not the HMAC: %q", mac)
		}
		for _, fl := range s.Fields {
			if v := lowerHeader(h)[strings.ToLower(Prefix+fl.Name)]; len(v) != 1 || strings.Trim(v[0], " \t") != strings.Trim(fl.Value, " \t") {
				t.Fatalf("accepted %s = %q, sent %q", fl.Name, fl.Value, v)
			}
		}
	})
}
