package winetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRunsAGoProgram builds a small Windows program that reads the
// system's random generator (ProcessPrng, the stand-in here), its
// arguments, environment and current directory, and writes to both
// streams, and runs it in a fresh prefix.
func TestRunsAGoProgram(t *testing.T) {
	dir := t.TempDir()
	src := `package main

import (
	"crypto/rand"
	"fmt"
	"os"
)

func main() {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	wd, _ := os.Getwd()
	_, err := os.Stat("here.txt")
	fmt.Printf("args %q random %d env %s wd-file %v\n", os.Args[1:], len(b), os.Getenv("WINETEST_VALUE"), err == nil)
	fmt.Fprintln(os.Stderr, "to stderr", wd != "")
	os.Exit(3)
}
`
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "here.txt"), nil, 0o644)
	build := exec.Command("go", "build", "-o", "hello.exe", ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := New(t)
	r := p.Run(t, dir, filepath.Join(dir, "hello.exe"), []string{"a b", "c"}, "WINETEST_VALUE=ok")
	if r.Code != 3 {
		t.Errorf("exit code %d, want 3 (stderr %q)", r.Code, r.Stderr)
	}
	if want := `args ["a b" "c"] random 16 env ok wd-file true` + "\n"; r.Stdout != want {
		t.Errorf("stdout %q, want %q", r.Stdout, want)
	}
	if r.Stderr != "to stderr true\n" {
		t.Errorf("stderr %q: the program's stream only, nothing from Wine", r.Stderr)
	}
	if _, err := os.Stat(p.Path(`C:\windows\system32\kernel32.dll`)); err != nil {
		t.Errorf("Path does not map into the prefix: %v", err)
	}
}

// Only Wine's own crash before the program printed anything is tried
// again; a program's failure is its result.
func TestWineCrashed(t *testing.T) {
	for _, c := range []struct {
		r    Result
		want bool
	}{
		{Result{Code: 5, Stderr: "wine: Unhandled page fault on read access to 0000000000000000 at address 0000000000000000\n"}, true},
		{Result{Code: 5, Stdout: "x", Stderr: "wine: Unhandled page fault on read access\n"}, false},
		{Result{Code: 2, Stderr: "vanthu: error: no such file\n"}, false},
		{Result{Code: 0, Stderr: "wine: Unhandled page fault\n"}, false},
	} {
		if got := wineCrashed(c.r); got != c.want {
			t.Errorf("wineCrashed(%+v) = %v, want %v", c.r, got, c.want)
		}
	}
}
