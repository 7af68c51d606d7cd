package pades

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// hostileTexts are reasons and locations made of PDF syntax, broken
// escapes, Vietnamese and sheer length: each must give a file every
// validator accepts, or a clear refusal and no file.
func hostileTexts() map[string]string {
	return map[string]string{
		"contents placeholder": "see /Contents <ref>",
		"byterange":            "/ByteRange [0 ********** ********** **********] /Contents <00>",
		"closing dict":         ">> endobj xref 0 1 trailer << /Root 1 0 R >> startxref 0 %%EOF",
		"unbalanced open":      "(((( unbalanced",
		"unbalanced close":     "unbalanced ))))",
		"backslashes":          `C:\Văn bản\ký số \\ \( \) \n \r \t \0 \777 \`,
		"vietnamese":           "Phê duyệt văn bản — Ủy ban nhân dân tỉnh Đắk Lắk, ngày 21 tháng 11 năm 2026",
		"control bytes":        "tab\there\nnewline\rreturn\x00nul\x7fdel",
		"long":                 strings.Repeat("Đồng ý ban hành (see /Contents <> ) \\ ", 120)[:4096],
		"emoji and astral":     "ký 𝕍 ✍️ 🇻🇳",
	}
}

// TestHostileReasonAndLocation: Sign with any reason or location text
// writes a file that pdfsig, qpdf, pdfcpu and the verifier accept.
func TestHostileReasonAndLocation(t *testing.T) {
	p := sharedPKI(t)
	ts := trust.New()
	ts.Add(p.Root.Cert, trust.RoleAnchor, "test")
	for name, text := range hostileTexts() {
		t.Run(name, func(t *testing.T) {
			o := optsFor(p.Leader)
			o.Reason, o.Location, o.ContactInfo, o.Name = text, text, text, text
			in := writeTemp(t, "in.pdf", simplePDF("1.7", 1, true))
			out := filepath.Join(filepath.Dir(in), "out.pdf")
			res, err := SignFile(context.Background(), in, out, o)
			if err != nil {
				if !errors.Is(err, ErrBadOptions) {
					t.Fatalf("refused without a clear reason: %v", err)
				}
				if _, serr := os.Stat(out); serr == nil {
					t.Fatal("refused but wrote the output")
				}
				return
			}
			checkAll(t, out, 1)
			vr, err := verify.VerifyFile(context.Background(), out, verify.Options{Trust: ts, Online: true})
			if err != nil {
				t.Fatal(err)
			}
			if vr.Status != verify.StatusValid {
				j, _ := json.MarshalIndent(vr, "", "  ")
				t.Fatalf("verifier: %s", j)
			}
			if res.FieldName != "Signature1" {
				t.Fatalf("field %q", res.FieldName)
			}
		})
	}
}
