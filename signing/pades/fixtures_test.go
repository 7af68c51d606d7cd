package pades

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/pdfcheck"
)

func fixtureDir() string {
	return filepath.Join("..", "..", "..", "shared", "fixtures", "pdf-signatures", "dss")
}

// TestSignOnTopOfRealSignedFiles signs on top of real signed PDFs from the
// DSS test corpus: the earlier signatures keep exactly the status pdfsig
// gave them before, the new one is valid and qpdf still checks the file.
// Files we must refuse (certified P=1, encrypted, locked) are refused with
// the right error.
func TestSignOnTopOfRealSignedFiles(t *testing.T) {
	ents, err := os.ReadDir(fixtureDir())
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	p := sharedPKI(t)
	signed, refused := 0, 0
	for _, e := range ents {
		if !strings.HasSuffix(strings.ToLower(e.Name()), ".pdf") {
			continue
		}
		in := filepath.Join(fixtureDir(), e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.pdf")
			_, err := SignFile(context.Background(), in, out, optsFor(p.Specialist))
			switch {
			case errors.Is(err, ErrCertified), errors.Is(err, ErrEncrypted), errors.Is(err, ErrFieldLocked):
				refused++
				t.Logf("refused: %v", err)
				return
			case errors.Is(err, ErrMalformed):
				// Only damaged files may be refused as unreadable.
				b, qerr := exec.Command("qpdf", "--check", in).CombinedOutput()
				if qerr == nil && !strings.Contains(string(b), "WARNING") {
					t.Fatalf("refused a file qpdf accepts: %v", err)
				}
				refused++
				t.Logf("refused damaged file: %v", err)
				return
			case err != nil:
				t.Fatalf("sign: %v", err)
			}
			signed++
			before := pdfcheck.PdfsigStatuses(t, in)
			after := pdfcheck.PdfsigStatuses(t, out)
			if len(after) != len(before)+1 {
				t.Fatalf("pdfsig saw %d signatures after, %d before", len(after), len(before))
			}
			for i := range before {
				// A signature whose range runs past the end of the file
				// cannot be checked before; appending makes it checkable
				// (and necessarily wrong).
				if before[i] != after[i] && before[i] != "Signature has not yet been verified." {
					t.Fatalf("signature %d: %q before, %q after", i+1, before[i], after[i])
				}
			}
			if after[len(after)-1] != "Signature is Valid." {
				t.Fatalf("new signature: %q", after[len(after)-1])
			}
			// If qpdf accepted the input, it must accept the output.
			if b, err := exec.Command("qpdf", "--check", in).CombinedOutput(); err == nil && strings.Contains(string(b), "No syntax or stream encoding errors") {
				pdfcheck.Qpdf(t, out)
			}
		})
	}
	t.Logf("signed %d fixtures, refused %d", signed, refused)
}
