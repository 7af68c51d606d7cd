package testpdf

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlainIsValid(t *testing.T) {
	p := filepath.Join(t.TempDir(), "plain.pdf")
	if err := os.WriteFile(p, Plain(3), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("qpdf", "--check", p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	out, err = exec.Command("qpdf", "--show-npages", p).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "3" {
		t.Fatalf("pages: %v %q", err, out)
	}
}

func TestPaddedIsValid(t *testing.T) {
	b := Padded(1, 300<<10)
	if len(b) < 300<<10 || len(b) > 301<<10 {
		t.Fatalf("size %d, want about 300 KB", len(b))
	}
	p := filepath.Join(t.TempDir(), "padded.pdf")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("qpdf", "--check", p).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}
