package softhsmtest

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed csrc/pinproxy.c
var pinProxySource []byte

// PINProxy is a PKCS#11 module that forwards to SoftHSM2 and enforces a
// PIN retry counter like a hardware token (see pinproxy.c).
type PINProxy struct {
	Module string // the proxy's path, to give to token.Open
	State  string // the counter file
	Calls  string // where C_Initialize and C_Finalize calls are counted
	Tries  int
	// Env are the environment variables the proxy reads; they are set in
	// the test's process and must be passed on to child processes.
	Env []string
}

// NewPINProxy compiles the proxy with the system C compiler into
// t.TempDir() and configures it (through the environment, for the rest of
// the test) to lock after tries wrong PINs.
func NewPINProxy(tb testing.TB, e *Env, tries int) *PINProxy {
	tb.Helper()
	dir := tb.TempDir()
	src := filepath.Join(dir, "pinproxy.c")
	if err := os.WriteFile(src, pinProxySource, 0o600); err != nil {
		tb.Fatal(err)
	}
	inc, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/miekg/pkcs11").Output()
	if err != nil {
		tb.Fatalf("failed to find the PKCS#11 headers: %v", err)
	}
	so := filepath.Join(dir, "libpinproxy.so")
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	out, err := exec.Command(cc, "-shared", "-fPIC", "-O1", "-I", strings.TrimSpace(string(inc)), "-o", so, src, "-ldl").CombinedOutput()
	if err != nil {
		tb.Fatalf("failed to compile the PIN proxy module: %v: %s", err, out)
	}
	p := &PINProxy{Module: so, State: filepath.Join(dir, "pin-failures"), Calls: filepath.Join(dir, "init-calls"), Tries: tries}
	p.Env = []string{
		"VANTHU_PINPROXY_TARGET=" + e.Module,
		"VANTHU_PINPROXY_STATE=" + p.State,
		"VANTHU_PINPROXY_INITS=" + p.Calls,
		fmt.Sprintf("VANTHU_PINPROXY_TRIES=%d", tries),
	}
	for _, kv := range p.Env {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
	}
	return p
}

// Failures returns the number of consecutive wrong PINs the proxy counted.
func (p *PINProxy) Failures() int {
	b, err := os.ReadFile(p.State)
	if err != nil {
		return 0
	}
	var n int
	fmt.Sscanf(string(b), "%d", &n)
	return n
}

// SetFailures sets the number of consecutive wrong PINs, as if they had
// been typed (tries-1 is the final try, tries locks the token).
func (p *PINProxy) SetFailures(tb testing.TB, n int) {
	tb.Helper()
	if err := os.WriteFile(p.State, []byte(fmt.Sprintf("%d\n", n)), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// InitCalls returns how many times C_Initialize and C_Finalize succeeded
// through the proxy.
func (p *PINProxy) InitCalls() (initialize, finalize int) {
	b, err := os.ReadFile(p.Calls)
	if err != nil {
		return 0, 0
	}
	fmt.Sscanf(string(b), "%d %d", &initialize, &finalize)
	return initialize, finalize
}
