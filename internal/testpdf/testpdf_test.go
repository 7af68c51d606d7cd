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

// TestManyIsValid: both shapes of the many-object file pass qpdf and have
// the pages asked for.
func TestManyIsValid(t *testing.T) {
	for _, stream := range []bool{false, true} {
		p := filepath.Join(t.TempDir(), "many.pdf")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := Many(f, 20000, 40, stream); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out, err := exec.Command("qpdf", "--check", p).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
			t.Fatalf("stream %v: qpdf --check: %v\n%s", stream, err, out)
		}
		out, err = exec.Command("qpdf", "--show-npages", p).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "40" {
			t.Fatalf("pages: %v %q", err, out)
		}
		out, err = exec.Command("qpdf", "--show-xref", p).CombinedOutput()
		if n := strings.Count(string(out), "\n"); err != nil || n < 20000 {
			t.Fatalf("xref: %v, %d entries", err, n)
		}
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
