// Command demotoken creates a SoftHSM2 token with demo certificates (from
// the test PKI) for `make run` on a machine without a real token.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/vanthu/vanthu/internal/softhsmtest"
	"github.com/vanthu/vanthu/internal/testpki"
)

func main() {
	dir := flag.String("dir", "", "directory for the token and its configuration")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "demotoken: -dir is required")
		os.Exit(2)
	}
	if err := run(*dir); err != nil {
		fmt.Fprintf(os.Stderr, "demotoken: error: %v\n", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	p, err := testpki.NewPKI()
	if err != nil {
		return err
	}
	defer p.Close()
	env, err := softhsmtest.NewEnvDir(dir)
	if err != nil {
		return err
	}
	personal, err := env.InitToken("Demo Nguyễn Văn Ánh")
	if err != nil {
		return err
	}
	if err := personal.Import(p.Leader.Cert, p.Leader.Key, []byte{1}, "Nguyễn Văn Ánh", softhsmtest.ImportOptions{}); err != nil {
		return err
	}
	if err := personal.ImportCA(p.Intermediate.Cert, []byte{0xca}, "CA G2"); err != nil {
		return err
	}
	org, err := env.InitToken("Demo Văn thư UBND")
	if err != nil {
		return err
	}
	if err := org.Import(p.Org.Cert, p.Org.Key, []byte{1}, "UBND tỉnh Đắk Lắk", softhsmtest.ImportOptions{}); err != nil {
		return err
	}
	if err := org.ImportCA(p.Intermediate.Cert, []byte{0xca}, "CA G2"); err != nil {
		return err
	}
	root := p.Root.CertPEM()
	if err := os.WriteFile(dir+"/demo-root.pem", root, 0o600); err != nil {
		return err
	}
	info := fmt.Sprintf("module = %s\npin = %s\nconf = %s\n", env.Module, softhsmtest.DefaultPIN, env.Conf)
	return os.WriteFile(dir+"/demo.txt", []byte(info), 0o600)
}
