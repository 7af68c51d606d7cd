package roles

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/pdfcheck"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/roles/rolestest"
	"github.com/vanthu/vanthu/signing/stamp"
)

func writerDoc(t *testing.T, d rolestest.Doc) []byte {
	t.Helper()
	b, _, err := d.PDF(rolestest.TJ)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// expectRefused signs in with req and requires err to match want and no
// output file (nor temporary file) to be left.
func expectRefused(t *testing.T, in string, req Request, want error) error {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.pdf")
	_, err := SignFile(context.Background(), in, out, req)
	if !errors.Is(err, want) {
		t.Fatalf("%s: got %v, want %v", req.Role, err, want)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("%s left files behind: %v", req.Role, ents)
	}
	return err
}

// TestRefusals: the signing order is enforced (issue needs a valid approve
// signature, nothing after issue, review only before approve), bad images
// and mismatching numbers or dates are refused, each with a clear error
// and no output file.
func TestRefusals(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	in := writeFile(t, dir, "cv.pdf", writerDoc(t, rolestest.Default()))

	// issue on an unsigned document, and on one with only a review.
	expectRefused(t, in, request(p, Issue, p.Org), ErrNoApproval)
	reviewed, _ := signStep(t, in, request(p, Review, p.Specialist))
	expectRefused(t, reviewed, request(p, Issue, p.Org), ErrNoApproval)

	// Images: not a PNG, no transparency, empty.
	bad := request(p, Approve, p.Leader)
	bad.Signature = []byte("\xff\xd8\xff\xe0 this is a JPEG, not a PNG")
	err := expectRefused(t, reviewed, bad, ErrImage)
	if !errors.Is(err, stamp.ErrNotPNG) {
		t.Fatalf("non-PNG: %v", err)
	}
	bad.Signature = rolestest.OpaquePNG(300, 100)
	if err := expectRefused(t, reviewed, bad, ErrImage); !errors.Is(err, stamp.ErrNoTransparency) {
		t.Fatalf("opaque signature: %v", err)
	}
	bad.Signature = nil
	expectRefused(t, reviewed, bad, ErrBadRequest)

	approved, _ := signStep(t, reviewed, request(p, Approve, p.Leader))

	// A review after the approval.
	expectRefused(t, approved, request(p, Review, p.Director), ErrOrder)

	seal := request(p, Issue, p.Org)
	seal.Seal = rolestest.OpaquePNG(400, 400)
	if err := expectRefused(t, approved, seal, ErrImage); !errors.Is(err, stamp.ErrNoTransparency) {
		t.Fatalf("opaque seal: %v", err)
	}
	seal = request(p, Issue, p.Org)
	seal.SealMM = 0
	expectRefused(t, approved, seal, ErrBadRequest)

	// Number and date that do not fit the document.
	num := request(p, Issue, p.Org)
	num.Number = "123/QĐ-UBND"
	if err := expectRefused(t, approved, num, ErrNumberMismatch); !strings.Contains(err.Error(), "/UBND-VP") {
		t.Fatalf("mismatch message: %v", err)
	}
	date := request(p, Issue, p.Org)
	date.Date = time.Date(2027, 1, 4, 9, 0, 0, 0, Vietnam)
	expectRefused(t, approved, date, ErrDateMismatch)
	// No trust store: the approval cannot be checked.
	nt := request(p, Issue, p.Org)
	nt.Verify.Trust = nil
	expectRefused(t, approved, nt, ErrBadRequest)

	// A number given without the notation takes the document's.
	short := request(p, Issue, p.Org)
	short.Number = "45"
	issued, rep := signStep(t, approved, short)
	if rep.Number.Text != "45" || !strings.Contains(squeeze(pdftotext(t, issued, 1)), "Số: 45/UBND-VP") {
		t.Fatalf("number %q:\n%s", rep.Number.Text, pdftotext(t, issued, 1))
	}
	// Nothing after the issue signature but attachments and copies.
	expectRefused(t, issued, request(p, Issue, p.Org), ErrAlreadyIssued)
	expectRefused(t, issued, request(p, Approve, p.Director), ErrAlreadyIssued)
	expectRefused(t, issued, request(p, Review, p.Director), ErrOrder)

	// An approve signature that no longer validates: one byte of the
	// signed original changed.
	b, _ := os.ReadFile(approved)
	tampered := bytes.Replace(b, []byte("/Title (Cong van)"), []byte("/Title (Cong vax)"), 1)
	if bytes.Equal(b, tampered) {
		t.Fatal("nothing to tamper with")
	}
	tp := writeFile(t, dir, "tampered.pdf", tampered)
	expectRefused(t, tp, request(p, Issue, p.Org), ErrInvalidSignature)
}

// TestApprovalByOtherTool: a visible signature made by another tool (a
// field not named by vanthu) by the leader counts as the approval; an
// invisible one does not.
func TestApprovalByOtherTool(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	in := writeFile(t, dir, "cv.pdf", writerDoc(t, rolestest.Default()))
	req := request(p, Approve, p.Leader)
	req.Options.FieldName = "ChuKyLanhDao"
	approved, _ := signStep(t, in, req)
	issued, rep := signStep(t, approved, request(p, Issue, p.Org))
	if rep.Approval.Field != "ChuKyLanhDao" || rep.Placement.How != HowAuto {
		t.Fatalf("approval %+v placement %+v", rep.Approval.Field, rep.Placement)
	}
	checkChain(t, p, issued, []string{"ChuKyLanhDao", "Issue1"})

	inv := request(p, Review, p.Leader)
	inv.Options.FieldName = "Invisible"
	plain, _ := signStep(t, in, inv)
	expectRefused(t, plain, request(p, Issue, p.Org), ErrNoApproval)
}

// TestScannedFallback: on an image-only (scanned) document automatic
// placement finds no text and says so; with a fallback place the approve
// image goes there (HowFallback, with the reason), the issue signature
// puts the seal on it, and the number and date, which cannot be found
// either, are written at given positions.
func TestScannedFallback(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	scan, err := rolestest.ScannedPDF(context.Background(), writerDoc(t, rolestest.Default()), t.TempDir(), 100)
	if err != nil {
		t.Fatal(err)
	}
	in := writeFile(t, dir, "scan.pdf", scan)

	req := request(p, Approve, p.Leader)
	err = expectRefused(t, in, req, ErrNotFound)
	if !strings.Contains(err.Error(), "no text") {
		t.Fatalf("message: %v", err)
	}
	req.Place = Place{Auto: true, Page: 1, Rect: &appearance.Rect{X: 345, Y: 395, W: 150, H: 60}}
	approved, rep := signStep(t, in, req)
	if rep.Placement.How != HowFallback || !strings.Contains(rep.Placement.Reason, "no text") || rep.Placement.Page != 1 {
		t.Fatalf("placement %+v", rep.Placement)
	}
	if r := rep.Placement.Rect; r.X < 345 || r.X+r.W > 495.01 || r.Y < 395 || r.Y+r.H > 455.01 {
		t.Fatalf("fallback rectangle %+v outside the given box", r)
	}

	iss := request(p, Issue, p.Org)
	expectRefused(t, approved, iss, ErrNotFound) // no "Số:" to find
	iss.NumberAt = &TextAt{Page: 1, X: 115, Y: 727, Size: 13}
	iss.DateAt = &TextAt{Page: 1, X: 300, Y: 727, Size: 13}
	iss.DatePlace = "Đắk Lắk"
	issued, rep := signStep(t, approved, iss)
	if rep.Number.How != HowManual || rep.Date.Text != "Đắk Lắk, ngày 21 tháng 11 năm 2026" || rep.Placement.How != HowAuto {
		t.Fatalf("issue %+v %+v %+v", rep.Number, rep.Date, rep.Placement)
	}
	checkChain(t, p, issued, []string{"Approve1", "Issue1"})
	pdfcheck.Pdfsig(t, issued, 2)
	text := squeeze(pdftotext(t, issued, 1))
	for _, want := range []string{"Số: 123/UBND-VP", "Đắk Lắk, ngày 21 tháng 11 năm 2026"} {
		if !strings.Contains(text, want) {
			t.Fatalf("text lacks %q:\n%s", want, text)
		}
	}
}
