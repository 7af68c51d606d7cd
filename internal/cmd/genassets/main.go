// Command genassets writes the sample document and the demo signature and
// seal images that vanthu ships (assets/demo): a Nghị định 30 letter of the
// Đắk Lắk People's Committee with blank number and date, for the first-run
// demo to sign in every role. Run it from the repository root:
//
//	go run ./internal/cmd/genassets
//
// It needs fonts-liberation2 (scripts/install-deps.sh).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vanthu/vanthu/signing/roles/rolestest"
)

func main() {
	if err := run("assets/demo"); err != nil {
		fmt.Fprintf(os.Stderr, "genassets: error: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	doc := rolestest.Default()
	doc.Year = 0 // the clerk writes the year with the date, whatever year it is
	pdf, _, err := doc.PDF(rolestest.TJ)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"cong-van-mau.pdf": pdf,
		"chu-ky-mau.png":   rolestest.SignaturePNG(600, 240),
		"con-dau-mau.png":  rolestest.SealPNG(500),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
