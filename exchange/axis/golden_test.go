package axis

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The golden requests in testdata were written by hand from DOMAIN.md §7a
// (testdata/golden.sh), their HMACs computed by openssl and hash-file by
// sha256sum: they are what the Java SDK 2.0.1 sends, not what this
// package writes.
const (
	goldenSecret = "Kh0a-bi-mat-cua-he-thong-G22"
	goldenSystem = "000.00.00.G22"
	goldenTS     = "10032026T081530+0042"
)

func goldenSecrets(id string) ([][]byte, error) {
	if id != goldenSystem {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSystem, id)
	}
	return [][]byte{[]byte(goldenSecret)}, nil
}

func readGolden(t *testing.T, name string) *http.Request {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return req
}

func TestGoldenRequestsVerify(t *testing.T) {
	for _, tc := range []struct {
		file   string
		fields []Field
	}{
		{"getReceivedEdocList.http", []Field{{"Content-Type", "application/json"}, {"messagetype", "status"},
			{"systemid", goldenSystem}, {"servicetype", "eDoc"}, {"timestamp", goldenTS}}},
		{"sendEdoc.http", []Field{{"hash-file", goldenHashFile(t)}, {"Content-Type", "application/octet-stream"},
			{"messagetype", "edoc"}, {"docId", "41"}, {"from", goldenSystem}, {"systemid", goldenSystem},
			{"servicetype", "eDoc"}, {"timestamp", goldenTS}}},
		{"sendEdoc-multipart.http", []Field{{"to", `[{"OrganId":"000.00.00.H41"},{"OrganId":"H29.01"}]`},
			{"hash-file", goldenHashFile(t)}, {"messagetype", "edoc"}, {"from", goldenSystem}, {"systemid", goldenSystem},
			{"servicetype", "eDoc"}, {"timestamp", goldenTS}}},
		{"updateStatus.http", []Field{{"Content-Type", "application/json"}, {"description", "Đã nhận văn bản"},
			{"status", "done"}, {"docId", "41"}, {"systemid", goldenSystem}, {"timestamp", goldenTS}}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			req := readGolden(t, tc.file)
			s, err := Verify(req.Header, goldenSecrets)
			if err != nil {
				t.Fatal(err)
			}
			if s.SystemID != goldenSystem || s.Timestamp != goldenTS || s.Secret != 0 {
				t.Fatalf("signed: %+v", s)
			}
			if fmt.Sprint(s.Fields) != fmt.Sprint(tc.fields) {
				t.Fatalf("fields\n got %v\nwant %v", s.Fields, tc.fields)
			}
			// This package's encoder writes the golden's sign-header byte
			// for byte from the same entries in the same order, and its
			// HMAC is openssl's.
			sh, err := SignHeader(tc.fields)
			if err != nil {
				t.Fatal(err)
			}
			if sh != req.Header.Get(HeaderSignHeader) {
				t.Fatalf("SignHeader\n got %s\nwant %s", sh, req.Header.Get(HeaderSignHeader))
			}
			if got := HashHeader([]byte(goldenSecret), sh); got != req.Header.Get(HeaderHashHeader) {
				t.Fatalf("HashHeader %s, openssl %s", got, req.Header.Get(HeaderHashHeader))
			}
		})
	}
}

func goldenHashFile(t *testing.T) string {
	raw, err := os.ReadFile(filepath.Join("testdata", "package.hash-file"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}

// Sign writes what the golden request carries: the same headers with the
// same values (entries in the caller's order), verifiable by the server.
func TestSignMatchesGoldenHeaders(t *testing.T) {
	golden := readGolden(t, "updateStatus.http")
	fields := []Field{{"systemid", goldenSystem}, {"timestamp", goldenTS}, {"Content-Type", "application/json"},
		{"docId", "41"}, {"status", "done"}, {"description", "Đã nhận văn bản"}}
	h := http.Header{}
	if err := Sign(h, []byte(goldenSecret), fields); err != nil {
		t.Fatal(err)
	}
	gl := lowerHeader(golden.Header)
	mine := lowerHeader(h)
	for k, v := range gl {
		switch k {
		case "content-length", "host":
			continue
		case strings.ToLower(HeaderSignHeader), strings.ToLower(HeaderHashHeader), strings.ToLower(HeaderSignHeaderKey):
			continue // same entries, another order
		}
		if fmt.Sprint(mine[k]) != fmt.Sprint(v) {
			t.Errorf("%s: %q, golden %q", k, mine[k], v)
		}
	}
	for k := range mine {
		if _, ok := gl[k]; !ok {
			t.Errorf("Sign adds %s, which the SDK does not send", k)
		}
	}
	s, err := Verify(h, goldenSecrets)
	if err != nil {
		t.Fatal(err)
	}
	gs, _ := Verify(golden.Header, goldenSecrets)
	for _, f := range gs.Fields {
		if s.Get(f.Name) != f.Value {
			t.Errorf("%s: %q, golden %q", f.Name, s.Get(f.Name), f.Value)
		}
	}
	if len(s.Fields) != len(gs.Fields) {
		t.Fatalf("%d entries, golden %d", len(s.Fields), len(gs.Fields))
	}
}

func TestGoldenSendEdocBodies(t *testing.T) {
	pkg, err := os.ReadFile(filepath.Join("testdata", "package.bin"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(pkg)
	for _, file := range []string{"sendEdoc.http", "sendEdoc-multipart.http"} {
		t.Run(file, func(t *testing.T) {
			req := readGolden(t, file)
			s, err := Verify(req.Header, goldenSecrets)
			if err != nil {
				t.Fatal(err)
			}
			sp, err := SpoolPackage(req, t.TempDir(), 1<<20, s.Get(KeyHashFile))
			if err != nil {
				t.Fatal(err)
			}
			defer sp.Close()
			var got bytes.Buffer
			if _, err := got.ReadFrom(sp.Reader()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), pkg) || sp.Size != int64(len(pkg)) || sp.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("spooled %d bytes %q (sha %s), want the package without the trailing CRLF", sp.Size, got.Bytes(), sp.SHA256)
			}
		})
	}
	to, err := ParseTo(readGolden(t, "sendEdoc-multipart.http").Header.Get(Prefix + KeyTo))
	if err != nil || fmt.Sprint(to) != "[000.00.00.H41 H29.01]" {
		t.Fatalf("to: %v %v", to, err)
	}
}

// The formats, against values worked out by hand from DOMAIN.md §7a.
func TestFormatsByHand(t *testing.T) {
	// SHA-256("abc"), each byte without zero padding: 01 → 1, 03 → 3, 00 → 0.
	abc := sha256.Sum256([]byte("abc"))
	if got := HashFile(abc[:]); got != "ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad" {
		t.Fatalf("HashFile(abc) = %s", got)
	}
	if !MatchHashFile("ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ad", abc[:]) ||
		!MatchHashFile("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", abc[:]) ||
		MatchHashFile("ba7816bf8f1cfea414140de5dae2223b0361a396177a9cb410ff61f2015ae", abc[:]) || MatchHashFile("", abc[:]) {
		t.Fatal("MatchHashFile")
	}
	at := time.Date(2026, 3, 10, 8, 15, 30, 42*int(time.Millisecond), Zone())
	if got := FormatTimestamp(at); got != goldenTS {
		t.Fatalf("FormatTimestamp = %s", got)
	}
	back, err := ParseTimestamp(goldenTS, Zone())
	if err != nil || !back.Equal(at) {
		t.Fatalf("ParseTimestamp = %v %v", back, err)
	}
	for _, bad := range []string{"", "10032026T081530", "32032026T081530+0042", "10132026T081530+0042", "31022026T081530+0042",
		"10032026X081530+0042", "1003202 T081530+0042", "10032026T246030+0042", "10032026T081530+1000", "10032026T081530-0042"} {
		if _, err := ParseTimestamp(bad, Zone()); !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseTimestamp(%q) = %v", bad, err)
		}
	}
	for in, want := range map[string]string{
		"10/03/2026":                "2026-03-10T00:00:00+07:00",
		"2026-03-10":                "2026-03-10T00:00:00+07:00",
		"10-03-2026 14:05:00":       "2026-03-10T14:05:00+07:00",
		"2026-03-10T14:05:00Z":      "2026-03-10T21:05:00+07:00",
		"10032026T140500+0000":      "2026-03-10T14:05:00+07:00",
		"2026-03-10T14:05:00+07:00": "2026-03-10T14:05:00+07:00",
	} {
		got, err := ParseDate(in, false)
		if err != nil || FormatTime(got) != want {
			t.Errorf("ParseDate(%q) = %s %v, want %s", in, FormatTime(got), err, want)
		}
	}
	if end, _ := ParseDate("10/03/2026", true); FormatTime(end) != "2026-03-10T23:59:59+07:00" {
		t.Errorf("end of day: %s", FormatTime(end))
	}
	if _, err := ParseDate("hôm qua", false); !errors.Is(err, ErrBadValue) {
		t.Errorf("ParseDate(hôm qua) = %v", err)
	}
}
