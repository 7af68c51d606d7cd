package roles

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vanthu/vanthu/signing/layout"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
)

func TestPDFDate(t *testing.T) {
	for in, want := range map[string]string{
		"D:20261121093000+07'00'": "2026-11-21T09:30:00+07:00",
		"D:20261121":              "2026-11-21T00:00:00Z",
		"20261121153000Z":         "2026-11-21T15:30:00Z",
		"D:2026":                  "",
		"":                        "",
	} {
		got, ok := pdfDate(in)
		if (want == "") == ok || ok && got.Format(time.RFC3339) != want {
			t.Errorf("pdfDate(%q) = %v %v, want %q", in, got, ok, want)
		}
	}
}

func TestIssueReason(t *testing.T) {
	d := time.Date(2026, 1, 5, 23, 30, 0, 0, time.UTC) // 6 January in Vietnam
	r := issueReasonText("12/UBND-VP", d)
	m := issueReason.FindStringSubmatch(r)
	if r != "Ban hành văn bản số 12/UBND-VP ngày 06/01/2026" || m == nil || m[1] != "12/UBND-VP" || m[2] != "06" || m[4] != "2026" {
		t.Fatalf("%q → %q", r, m)
	}
	if m := issueReason.FindStringSubmatch("Ban hành văn bản số 7"); m == nil || m[1] != "7" || m[2] != "" {
		t.Fatalf("the reason without a date (before it was recorded): %q", m)
	}
}

// An unsigned document has nothing issued.
func TestReadIssuedUnsigned(t *testing.T) {
	b, _, err := rolestest.Default().PDF(rolestest.TJ)
	if err != nil {
		t.Fatal(err)
	}
	is, err := ReadIssued(context.Background(), bytes.NewReader(b), int64(len(b)))
	if err != nil || is != nil {
		t.Fatalf("ReadIssued: %+v %v", is, err)
	}
}

// The subject under the number is read from each producer's letter, the
// bundled sample's too.
func TestPrintedSubject(t *testing.T) {
	for _, pr := range producers() {
		if pr.name == "libreoffice-2pages" { // the same producer as "libreoffice"
			continue
		}
		t.Run(pr.name, func(t *testing.T) {
			b := pr.make(t, rolestest.Default())
			doc, err := layout.Open(context.Background(), bytes.NewReader(b), int64(len(b)), layout.Options{})
			if err != nil {
				t.Fatal(err)
			}
			p, err := doc.Page(context.Background(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if got := PrintedSubject(p); got != "V/v triển khai chữ ký số chuyên dùng" {
				t.Fatalf("subject %q\n%s", got, p)
			}
		})
	}
}
