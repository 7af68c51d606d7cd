package axis

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
)

func bodyRequest(body io.Reader, contentType string) *http.Request {
	r, _ := http.NewRequest("POST", "https://axis.example/sendEdoc", body)
	r.Header.Set("Content-Type", contentType)
	return r
}

func spool(t *testing.T, r *http.Request, hashFile string, max int64) ([]byte, error) {
	t.Helper()
	sp, err := SpoolPackage(r, t.TempDir(), max, hashFile)
	if err != nil {
		return nil, err
	}
	defer sp.Close()
	got, err := io.ReadAll(sp.Reader())
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(got); sp.SHA256 != hex.EncodeToString(sum[:]) || sp.Size != int64(len(got)) {
		t.Fatalf("Spooled reports %d bytes %s for %d bytes", sp.Size, sp.SHA256, len(got))
	}
	return got, nil
}

func TestSpoolPackageForms(t *testing.T) {
	pkg := []byte("<edXML>nội dung</edXML>")
	withCRLF := append(append([]byte{}, pkg...), '\r', '\n')
	sum := sha256.Sum256(pkg)
	hf := HashFile(sum[:])
	for _, tc := range []struct {
		name, hashFile string
		body           []byte
		want           []byte
	}{
		{"SDK 2.0.1: package then CRLF", hf, withCRLF, pkg},
		{"no CRLF", hf, pkg, pkg},
		{"plain hex hash", hex.EncodeToString(sum[:]), withCRLF, pkg},
		// A package that itself ends in CRLF, sent without another.
		{"package ending in CRLF", HashFileOf(withCRLF), withCRLF, withCRLF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time too: the held-back tail must survive it.
			for _, r := range []io.Reader{bytes.NewReader(tc.body), iotest.OneByteReader(bytes.NewReader(tc.body))} {
				got, err := spool(t, bodyRequest(r, "application/octet-stream"), tc.hashFile, 1<<20)
				if err != nil || !bytes.Equal(got, tc.want) {
					t.Fatalf("got %q %v, want %q", got, err, tc.want)
				}
			}
		})
	}
}

func TestSpoolPackageMultipart(t *testing.T) {
	pkg := bytes.Repeat([]byte("Gói tin đa phần. "), 5000)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	other, _ := mw.CreateFormField("note")
	other.Write([]byte("trước file_doc"))
	fw, _ := mw.CreateFormFile(PartName, "edoc.edxml")
	fw.Write(pkg)
	mw.Close()
	got, err := spool(t, bodyRequest(&buf, mw.FormDataContentType()), HashFileOf(pkg), 1<<20)
	if err != nil || !bytes.Equal(got, pkg) {
		t.Fatalf("%d bytes, %v", len(got), err)
	}
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	fw, _ = mw.CreateFormFile("file", "edoc.edxml")
	fw.Write(pkg)
	mw.Close()
	if _, err := spool(t, bodyRequest(&buf, mw.FormDataContentType()), HashFileOf(pkg), 1<<20); !errors.Is(err, ErrBadBody) {
		t.Fatalf("no file_doc part: %v", err)
	}
}

func TestSpoolPackageRefuses(t *testing.T) {
	pkg := []byte("<edXML>gói tin</edXML>")
	for _, tc := range []struct {
		name, hashFile, contentType string
		body                        []byte
		max                         int64
		want                        error
	}{
		{"hash of another package", HashFileOf([]byte("khác")), "application/octet-stream", pkg, 1 << 20, ErrBadHashFile},
		{"one byte changed", HashFileOf(pkg), "application/octet-stream", bytes.Replace(pkg, []byte("g"), []byte("G"), 1), 1 << 20, ErrBadHashFile},
		{"no hash-file", "", "application/octet-stream", pkg, 1 << 20, ErrBadHashFile},
		{"empty body", HashFileOf(nil), "application/octet-stream", nil, 1 << 20, ErrBadBody},
		{"larger than the limit", HashFileOf(pkg), "application/octet-stream", pkg, 10, ErrTooLarge},
		{"multipart without boundary", HashFileOf(pkg), "multipart/form-data", pkg, 1 << 20, ErrBadBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spool(t, bodyRequest(bytes.NewReader(tc.body), tc.contentType), tc.hashFile, tc.max)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The limit holds for the package, not the CRLF after it.
	body := append(append([]byte{}, pkg...), '\r', '\n')
	if _, err := spool(t, bodyRequest(bytes.NewReader(body), "application/octet-stream"), HashFileOf(pkg), int64(len(pkg))); err != nil {
		t.Fatalf("package of exactly the limit: %v", err)
	}
}

// WritePackageBody's output is what SpoolPackage reads.
func TestPackageBodyRoundTrip(t *testing.T) {
	pkg := make([]byte, 300_000)
	rand.New(rand.NewSource(1)).Read(pkg)
	body, _ := io.ReadAll(PackageBody(bytes.NewReader(pkg)))
	if int64(len(body)) != PackageBodySize(int64(len(pkg))) {
		t.Fatalf("PackageBodySize %d, body %d", PackageBodySize(int64(len(pkg))), len(body))
	}
	got, err := spool(t, bodyRequest(bytes.NewReader(body), "application/octet-stream"), HashFileOf(pkg), 1<<20)
	if err != nil || !bytes.Equal(got, pkg) {
		t.Fatalf("%v", err)
	}
}

func TestEdocRoundTrip(t *testing.T) {
	for _, size := range []int{1, 2, 3, 4, 100, 64 << 10, 300_001} {
		pkg := make([]byte, size)
		rand.New(rand.NewSource(int64(size))).Read(pkg)
		var answer bytes.Buffer
		if err := WriteEdoc(&answer, bytes.NewReader(pkg)); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		res, n, err := ReadEdoc(iotest.HalfReader(&answer), &got, 1<<20)
		if err != nil || res.Err() != nil || n != int64(size) || !bytes.Equal(got.Bytes(), pkg) {
			t.Fatalf("size %d: %+v %d %v", size, res, n, err)
		}
	}
}

// ReadEdoc reads answers as other servers write them: members in any
// order, escaped slashes (org.json), MIME line breaks, URL-safe base64,
// numbers for codes, unknown members, unpadded base64.
func TestReadEdocForeignAnswers(t *testing.T) {
	pkg := []byte("<?xml version=\"1.0\"?><edXML>ứng dụng ??>>~~</edXML>")
	std := base64.StdEncoding.EncodeToString(pkg)
	escaped := strings.ReplaceAll(std, "/", `\/`)
	mime := std[:20] + `\r\n` + std[20:]
	url := base64.URLEncoding.EncodeToString(pkg)
	raw := base64.RawStdEncoding.EncodeToString(pkg)
	for name, answer := range map[string]string{
		"data first":       `{"data":"` + std + `","ErrorDesc":"","ErrorCode":"0","status":"OK"}`,
		"escaped slashes":  `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + escaped + `"}`,
		"line breaks":      `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + mime + `"}`,
		"URL-safe":         `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + url + `"}`,
		"unpadded":         `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + raw + `"}`,
		"numeric code":     ` { "status" : "OK" , "ErrorCode" : 0 , "ErrorDesc" : null , "data" : "` + std + `" } `,
		"unknown members":  `{"x":{"a":[1,2,{"b":"c\"}"}],"d":true},"status":"OK","ErrorCode":"0","ErrorDesc":"","n":-1.5e3,"data":"` + std + `"}`,
		"unicode escapes":  `{"status":"\u004fK","ErrorCode":"0","ErrorDesc":"\ud83d\ude00","data":"` + std + `"}`,
		"empty ErrorDesc ": `{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + std + `"}`,
	} {
		var got bytes.Buffer
		res, _, err := ReadEdoc(strings.NewReader(answer), &got, 1<<20)
		if err != nil || res.Err() != nil || !bytes.Equal(got.Bytes(), pkg) {
			t.Errorf("%s: %+v %v %q", name, res, err, got.Bytes())
		}
	}
}

func TestReadEdocRefuses(t *testing.T) {
	std := base64.StdEncoding.EncodeToString([]byte("gói tin"))
	for name, tc := range map[string]struct {
		answer string
		max    int64
		want   error
	}{
		"FAIL":             {`{"status":"FAIL","ErrorCode":"404","ErrorDesc":"không có"}`, 100, nil},
		"no status":        {`{"ErrorCode":"0","ErrorDesc":"","data":"` + std + `"}`, 100, ErrBadResult},
		"OK without data":  {`{"status":"OK","ErrorCode":"0","ErrorDesc":""}`, 100, ErrBadResult},
		"not base64":       {`{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"%%%%"}`, 100, ErrBadResult},
		"truncated base64": {`{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"QUJDR"}`, 100, ErrBadResult},
		"too large":        {`{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + std + `"}`, 3, ErrTooLarge},
		"cut off":          {`{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + std, 100, ErrBadResult},
		"trailing text":    {`{"status":"OK","ErrorCode":"0","ErrorDesc":"","data":"` + std + `"} x`, 100, ErrBadResult},
		"array":            {`[1]`, 100, ErrBadResult},
		"too deep":         {`{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, 100, ErrBadResult},
		"trailing comma":   {`{"status":"OK",}`, 100, ErrBadResult},
		"control char":     {"{\"status\":\"O\x01K\"}", 100, ErrBadResult},
	} {
		res, _, err := ReadEdoc(strings.NewReader(tc.answer), io.Discard, tc.max)
		if tc.want == nil {
			var f *Failure
			if err != nil || !errors.As(res.Err(), &f) || f.Code != "404" {
				t.Errorf("%s: %+v %v", name, res, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

func TestDecodeResult(t *testing.T) {
	var r ReceivedList
	err := DecodeResult(strings.NewReader(`{"status":"OK","ErrorCode":0,"ErrorDesc":null,"data":[{"docId":12,"from":"H29","x":true,"size":5}]}`), 1<<10, &r)
	if err != nil || r.ErrorCode != "0" || len(r.Data) != 1 || r.Data[0].DocID != "12" || r.Data[0].Size != 5 {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{`{"status":"OK","ErrorCode":"0"}`, `[]`, `{`, strings.Repeat(" ", 2000)} {
		if err := DecodeResult(strings.NewReader(bad), 1<<10, &r); !errors.Is(err, ErrBadResult) {
			t.Errorf("%q: %v", bad[:min(len(bad), 40)], err)
		}
	}
}

func TestParseTo(t *testing.T) {
	for in, want := range map[string]string{
		`["000.00.00.H41","H29.01"]`:               "[000.00.00.H41 H29.01]",
		`[{"OrganId":"H41"},{"code":"H29"},"H41"]`: "[H41 H29]",
		`H41, H29.01;G22`:                          "[H41 H29.01 G22]",
		``:                                         "[]",
		`[]`:                                       "[]",
		`[{"organId":"H41","OrganName":"UBND tỉnh Nghệ An"}]`: "[H41]",
	} {
		got, err := ParseTo(in)
		if err != nil || fmt.Sprint(got) != want {
			t.Errorf("ParseTo(%s) = %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{`[1]`, `[{"OrganName":"x"}]`, `[`, `["a",`} {
		if _, err := ParseTo(bad); !errors.Is(err, ErrBadValue) {
			t.Errorf("ParseTo(%s) = %v", bad, err)
		}
	}
}
