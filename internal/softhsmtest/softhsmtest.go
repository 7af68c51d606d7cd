// Package softhsmtest creates real SoftHSM2 tokens for tests: a token
// directory and configuration in a temporary directory, keys and
// certificates imported through the PKCS#11 interface (pkcs11-tool), and
// clean-up when the test ends. It also builds a PKCS#11 proxy module that
// simulates a token's PIN retry counter, which SoftHSM2 does not enforce.
//
// Tests that use it fail, not skip, when SoftHSM2 or OpenSC's pkcs11-tool
// are missing: `make test` installs them.
package softhsmtest

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ModuleEnv overrides where the SoftHSM2 module is looked for.
const ModuleEnv = "VANTHU_SOFTHSM_MODULE"

// Default PINs of tokens made by New.
const (
	DefaultPIN   = "123456"
	DefaultSOPIN = "12345678"
)

var modulePaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
}

// ModulePath returns the SoftHSM2 PKCS#11 module's path.
func ModulePath() (string, error) {
	if p := os.Getenv(ModuleEnv); p != "" {
		return p, nil
	}
	for _, p := range modulePaths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("libsofthsm2.so not found: install softhsm2 (make test does)")
}

// Env is a SoftHSM2 configuration in a temporary directory. All tokens of a
// test process that are open at the same time must live in one Env, since
// SoftHSM2 reads SOFTHSM2_CONF once, at C_Initialize.
type Env struct {
	Module   string
	Conf     string
	TokenDir string
}

// NewEnv creates a configuration in t.TempDir() and points SOFTHSM2_CONF at
// it for the rest of the test (so the test cannot run in parallel).
func NewEnv(tb testing.TB) *Env {
	tb.Helper()
	mod, err := ModulePath()
	if err != nil {
		tb.Fatal(err)
	}
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s not found: install softhsm2 and opensc (make test does)", tool)
		}
	}
	dir := tb.TempDir()
	e := &Env{Module: mod, Conf: filepath.Join(dir, "softhsm2.conf"), TokenDir: filepath.Join(dir, "tokens")}
	if err := e.write(); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("SOFTHSM2_CONF", e.Conf)
	return e
}

// NewEnvDir creates a configuration in dir without touching the process
// environment; callers set SOFTHSM2_CONF=e.Conf for the processes that use
// it (the demo token of `make run` does this).
func NewEnvDir(dir string) (*Env, error) {
	mod, err := ModulePath()
	if err != nil {
		return nil, err
	}
	e := &Env{Module: mod, Conf: filepath.Join(dir, "softhsm2.conf"), TokenDir: filepath.Join(dir, "tokens")}
	return e, e.write()
}

func (e *Env) write() error {
	if err := os.MkdirAll(e.TokenDir, 0o700); err != nil {
		return fmt.Errorf("failed to create token directory: %w", err)
	}
	conf := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", e.TokenDir)
	if err := os.WriteFile(e.Conf, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("failed to write SoftHSM2 configuration: %w", err)
	}
	return nil
}

// Token is an initialised SoftHSM2 token.
type Token struct {
	Env   *Env
	Label string
	PIN   string
	SOPIN string
	Slot  uint
}

var slotRE = regexp.MustCompile(`reassigned to slot (\d+)`)

// InitToken initialises a new token with the default PINs.
func (e *Env) InitToken(label string) (*Token, error) {
	out, err := e.run("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", DefaultPIN, "--so-pin", DefaultSOPIN)
	if err != nil {
		return nil, err
	}
	m := slotRE.FindStringSubmatch(out)
	if m == nil {
		return nil, fmt.Errorf("failed to read the slot of token %q from: %s", label, out)
	}
	slot, _ := strconv.ParseUint(m[1], 10, 64)
	return &Token{Env: e, Label: label, PIN: DefaultPIN, SOPIN: DefaultSOPIN, Slot: uint(slot)}, nil
}

// NewToken creates an Env and one token in it.
func NewToken(tb testing.TB, label string) *Token {
	tb.Helper()
	e := NewEnv(tb)
	t, err := e.InitToken(label)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// ImportOptions tune Import.
type ImportOptions struct {
	NoPublicKey        bool   // import no public-key object (pairing must use the certificate)
	NoCertificate      bool   // import the key only
	NoKey              bool   // import the certificate only
	AlwaysAuthenticate bool   // set CKA_ALWAYS_AUTHENTICATE on the private key
	KeyID              []byte // CKA_ID of the key objects when it should differ from the certificate's
}

// Import writes a certificate and its private key (and public key, unless
// told not to) to the token with CKA_ID id.
func (t *Token) Import(cert *x509.Certificate, key crypto.Signer, id []byte, label string, opts ImportOptions) error {
	dir, err := os.MkdirTemp("", "softhsmtest-import-")
	if err != nil {
		return fmt.Errorf("failed to create a temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	keyID := id
	if opts.KeyID != nil {
		keyID = opts.KeyID
	}
	write := func(name string, der []byte, typ string, objID []byte, extra ...string) error {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, der, 0o600); err != nil {
			return fmt.Errorf("failed to write %s: %w", name, err)
		}
		args := append([]string{"--module", t.Env.Module, "--token-label", t.Label, "--login", "--pin", t.PIN,
			"--write-object", p, "--type", typ, "--id", fmt.Sprintf("%x", objID), "--label", label}, extra...)
		_, err := t.Env.run("pkcs11-tool", args...)
		return err
	}
	if !opts.NoKey && key != nil {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return fmt.Errorf("failed to encode the private key: %w", err)
		}
		var extra []string
		if opts.AlwaysAuthenticate {
			extra = append(extra, "--always-auth")
		}
		if err := write("key.der", der, "privkey", keyID, extra...); err != nil {
			return err
		}
		if !opts.NoPublicKey {
			pub, err := x509.MarshalPKIXPublicKey(key.Public())
			if err != nil {
				return fmt.Errorf("failed to encode the public key: %w", err)
			}
			if err := write("pub.der", pub, "pubkey", keyID); err != nil {
				return err
			}
		}
	}
	if !opts.NoCertificate && cert != nil {
		if err := write("cert.der", cert.Raw, "cert", id); err != nil {
			return err
		}
	}
	return nil
}

// MustImport is Import that fails the test on error.
func (t *Token) MustImport(tb testing.TB, cert *x509.Certificate, key crypto.Signer, id []byte, label string, opts ImportOptions) {
	tb.Helper()
	if err := t.Import(cert, key, id, label, opts); err != nil {
		tb.Fatal(err)
	}
}

// ImportCA writes a CA certificate (no key) to the token, as real tokens
// carry their issuing CA.
func (t *Token) ImportCA(cert *x509.Certificate, id []byte, label string) error {
	return t.Import(cert, nil, id, label, ImportOptions{NoKey: true})
}

// Reinit re-initialises the token in place (all objects are gone), as a
// user re-personalising it from another program would.
func (t *Token) Reinit() error {
	_, err := t.Env.run("softhsm2-util", "--init-token", "--slot", strconv.FormatUint(uint64(t.Slot), 10),
		"--label", t.Label, "--pin", t.PIN, "--so-pin", t.SOPIN)
	return err
}

// Delete removes the token's directory from disk, as pulling it out would.
func (t *Token) Delete() error {
	_, err := t.Env.run("softhsm2-util", "--delete-token", "--token", t.Label)
	return err
}

func (e *Env) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "SOFTHSM2_CONF="+e.Conf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("failed to run %s %s: %w: %s", name, strings.Join(redact(args), " "), err, out)
	}
	return string(out), nil
}

// redact hides PINs in error messages.
func redact(args []string) []string {
	out := append([]string(nil), args...)
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "--pin" || out[i] == "--so-pin" {
			out[i+1] = "***"
		}
	}
	return out
}

// CertPEM encodes a certificate as PEM.
func CertPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}
