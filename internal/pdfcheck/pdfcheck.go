// Package pdfcheck runs independent validators on PDFs that tests write:
// poppler's pdfsig, qpdf --check and pdfcpu. A missing tool fails the test
// (make test installs poppler-utils and qpdf); it is never skipped.
package pdfcheck

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

var pdfsigValid = regexp.MustCompile(`Signature Validation: (.*)`)

// Pdfsig runs pdfsig (without OCSP) and requires want signatures, each with
// a valid digest and signature; untrusted test roots are fine. pdfsig exits
// 0 even on a digest mismatch, so its text is parsed. Its 22.x versions
// cannot check RFC 3161 document time-stamps ("Signature Type: unknown"),
// which are let through; callers check those otherwise. It returns
// pdfsig's output.
func Pdfsig(tb testing.TB, path string, want int) string {
	tb.Helper()
	out, err := exec.Command("pdfsig", "-no-ocsp", path).CombinedOutput()
	if err != nil {
		tb.Fatalf("pdfsig %s: %v\n%s", path, err, out)
	}
	s := string(out)
	blocks := strings.Split(s, "Signature #")[1:]
	if len(blocks) != want {
		tb.Fatalf("pdfsig: %d signatures, want %d:\n%s", len(blocks), want, s)
	}
	for _, b := range blocks {
		m := pdfsigValid.FindStringSubmatch(b)
		if m == nil {
			tb.Fatalf("pdfsig: no validation line:\n%s", s)
		}
		if strings.Contains(b, "Signature Type: unknown") && m[1] == "Signature has not yet been verified." {
			continue
		}
		if m[1] != "Signature is Valid." {
			tb.Fatalf("pdfsig: %q:\n%s", m[1], s)
		}
	}
	if strings.Contains(s, "Digest Mismatch") {
		tb.Fatalf("pdfsig reports a problem:\n%s", s)
	}
	return s
}

// Qpdf requires qpdf --check to pass cleanly.
func Qpdf(tb testing.TB, path string) {
	tb.Helper()
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		tb.Fatalf("qpdf --check %s: %v\n%s", path, err, out)
	}
}

// Pdfcpu validates with pdfcpu in relaxed mode.
func Pdfcpu(tb testing.TB, path string) {
	tb.Helper()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	if err := api.ValidateFile(path, conf); err != nil {
		tb.Fatalf("pdfcpu validate %s: %v", path, err)
	}
}

// PdfsigStatuses returns pdfsig's validation line for each signature of a
// file that may be damaged (pdfsig's exit status is not taken as failure:
// it is the statuses that are compared).
func PdfsigStatuses(tb testing.TB, path string) []string {
	tb.Helper()
	out, _ := exec.Command("pdfsig", "-no-ocsp", "-nocert", path).CombinedOutput()
	if len(out) == 0 {
		if _, err := exec.LookPath("pdfsig"); err != nil {
			tb.Fatalf("pdfsig: %v (make test installs poppler-utils)", err)
		}
	}
	var st []string
	for _, m := range pdfsigValid.FindAllStringSubmatch(string(out), -1) {
		st = append(st, m[1])
	}
	return st
}
