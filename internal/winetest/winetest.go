// Package winetest runs Windows builds of vanthu under Wine in tests: a
// fresh, private Wine prefix per test, created quietly and without any
// dialog (no display, Mono and Gecko installers off, WINEDEBUG=-all), and
// removed with the test.
//
// Tests that use it fail, not skip, when Wine (Debian wine64) or mingw-w64
// (gcc-mingw-w64-x86-64) are missing: `make test` installs them.
package winetest

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// MinGW is the C cross-compiler for Windows/amd64.
const MinGW = "x86_64-w64-mingw32-gcc"

//go:embed csrc/bcryptprimitives.c
var bcryptPrimitivesC []byte

// wineLoaders are where Debian's wine64 (without the wine wrapper
// package) and other distributions put the 64-bit loader.
var wineLoaders = []string{"wine64", "/usr/lib/wine/wine64", "/usr/lib64/wine/wine64", "wine"}

// Prefix is a private Wine prefix (WINEPREFIX).
type Prefix struct {
	Dir    string // the prefix; drive_c is C:
	loader string
	server string
	env    []string
}

// New creates a Wine prefix in a temporary directory: wineboot runs once
// with its output kept for the failure message only, the ProcessPrng
// stand-in goes into its system32, and the prefix's wineserver is stopped
// when the test ends.
func New(tb testing.TB) *Prefix {
	tb.Helper()
	loader := findLoader()
	if loader == "" {
		tb.Fatal("wine64 not found: install wine64 (scripts/install-deps.sh does)")
	}
	if _, err := exec.LookPath(MinGW); err != nil {
		tb.Fatalf("%s not found: install gcc-mingw-w64-x86-64 (scripts/install-deps.sh does)", MinGW)
	}
	p := &Prefix{Dir: filepath.Join(tb.TempDir(), "wine"), loader: loader}
	p.server = filepath.Join(filepath.Dir(loader), "wineserver")
	if _, err := os.Stat(p.server); err != nil {
		p.server = "wineserver"
	}
	p.env = append(cleanEnv(os.Environ()),
		"WINEPREFIX="+p.Dir,
		"WINEARCH=win64",
		"WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=", // no Mono or Gecko install dialog
		"DISPLAY=",                         // no window of Wine's own
		"WAYLAND_DISPLAY=",
	)
	tb.Cleanup(p.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := p.command(ctx, p.loader, "wineboot", "--init").CombinedOutput(); err != nil {
		tb.Fatalf("wineboot: %v\n%s", err, out)
	}
	if err := p.installProcessPrng(ctx); err != nil {
		tb.Fatal(err)
	}
	return p
}

func findLoader() string {
	for _, l := range wineLoaders {
		if p, err := exec.LookPath(l); err == nil {
			return p
		}
	}
	return ""
}

// cleanEnv drops the variables that would make Wine use the caller's
// prefix or display.
func cleanEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "WINEPREFIX", "WINEARCH", "WINEDEBUG", "WINEDLLOVERRIDES", "DISPLAY", "WAYLAND_DISPLAY":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// installProcessPrng builds the bcryptprimitives.dll stand-in into the
// prefix's system32, unless the Wine in use has its own.
func (p *Prefix) installProcessPrng(ctx context.Context) error {
	sys32 := p.Path(`C:\windows\system32`)
	dll := filepath.Join(sys32, "bcryptprimitives.dll")
	if _, err := os.Stat(dll); err == nil {
		return nil
	}
	src := filepath.Join(filepath.Dir(p.Dir), "bcryptprimitives.c")
	if err := os.WriteFile(src, bcryptPrimitivesC, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, MinGW, "-shared", "-O2", "-s", "-o", dll, src, "-ladvapi32")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("failed to build bcryptprimitives.dll: %v\n%s", err, out)
	}
	return nil
}

// Path maps a Windows path on drive C: into the prefix.
func (p *Prefix) Path(win string) string {
	rest, ok := strings.CutPrefix(strings.ToLower(win[:2])+win[2:], `c:`)
	if !ok {
		panic("winetest: not a C: path: " + win)
	}
	return filepath.Join(p.Dir, "drive_c", filepath.FromSlash(strings.ReplaceAll(rest, `\`, "/")))
}

func (p *Prefix) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = p.env
	return cmd
}

// Command returns a command that runs the Windows program exe with args
// under Wine; env entries ("K=V") are added to the environment, which
// Wine passes on to the program.
func (p *Prefix) Command(ctx context.Context, exe string, args []string, env ...string) *exec.Cmd {
	cmd := p.command(ctx, p.loader, append([]string{exe}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// Result is what a program run under Wine printed and returned.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs exe with args in dir (a Unix directory: Wine makes it the
// current directory, on drive Z:) and returns its output and exit code;
// it fails the test when the program cannot be started or takes longer
// than a minute.
//
// Wine 8 now and then crashes itself while it starts a Go program
// ("wine: Unhandled page fault", nothing printed by the program); such a
// run is logged and tried again, at most twice.
func (p *Prefix) Run(tb testing.TB, dir, exe string, args []string, env ...string) Result {
	tb.Helper()
	for try := 1; ; try++ {
		r := p.run(tb, dir, exe, args, env...)
		if try == 3 || !wineCrashed(r) {
			return r
		}
		tb.Logf("wine %s %v: Wine crashed before the program printed anything, trying again\n%s", filepath.Base(exe), args, r.Stderr)
	}
}

// wineCrashed reports whether a run ended in Wine's own crash before the
// program wrote anything.
func wineCrashed(r Result) bool {
	return r.Code != 0 && r.Stdout == "" && strings.HasPrefix(r.Stderr, "wine: Unhandled page fault")
}

func (p *Prefix) run(tb testing.TB, dir, exe string, args []string, env ...string) Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := p.Command(ctx, exe, args, env...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.Code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("wine %s %v: %v\n%s", filepath.Base(exe), args, err, stderr.String())
	}
	if ctx.Err() != nil {
		tb.Fatalf("wine %s %v: no answer within a minute", filepath.Base(exe), args)
	}
	return r
}

// stop ends the prefix's wineserver and what still runs in it.
func (p *Prefix) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = p.command(ctx, p.server, "-k").Run()
	_ = p.command(ctx, p.server, "-w").Run()
}
