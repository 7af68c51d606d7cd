package token

import (
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/winetest"
)

// writeELF writes a minimal 64-bit little-endian ELF shared-object header
// for the given machine.
func writeELF(t *testing.T, path string, machine uint16) {
	t.Helper()
	h := make([]byte, 64)
	copy(h, "\x7fELF")
	h[4], h[5], h[6] = 2, 1, 1               // ELFCLASS64, little-endian, version
	binary.LittleEndian.PutUint16(h[16:], 3) // ET_DYN
	binary.LittleEndian.PutUint16(h[18:], machine)
	binary.LittleEndian.PutUint32(h[20:], 1)  // version
	binary.LittleEndian.PutUint16(h[52:], 64) // ehsize
	binary.LittleEndian.PutUint16(h[58:], 64) // shentsize
	if err := os.WriteFile(path, h, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckModuleFile(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "readme.so")
	os.WriteFile(text, []byte("not a library"), 0o644)
	foreign := filepath.Join(dir, "foreign.so")
	machine, want := uint16(183), "arm64" // EM_AARCH64
	if runtime.GOARCH == "arm64" {
		machine, want = 62, "amd64" // EM_X86_64
	}
	writeELF(t, foreign, machine)

	cases := []struct {
		path   string
		err    error
		reason string
	}{
		{filepath.Join(dir, "missing.so"), ErrModuleNotFound, ""},
		{dir, ErrModuleNotLoadable, "directory"},
		{text, ErrModuleNotLoadable, "not a shared library"},
		{foreign, ErrModuleNotLoadable, "built for " + want},
	}
	for _, c := range cases {
		err := checkModuleFile(c.path)
		var me *ModuleError
		if !errors.Is(err, c.err) || !errors.As(err, &me) || !strings.Contains(me.Reason, c.reason) {
			t.Errorf("checkModuleFile(%s) = %v, want %v with %q", c.path, err, c.err, c.reason)
		}
		// Open reports the same, with or without cgo.
		if _, err := Open(c.path); !errors.Is(err, c.err) {
			t.Errorf("Open(%s) = %v, want %v", c.path, err, c.err)
		}
	}
}

// TestOpenNonPKCS11Library loads a real shared library that has no
// C_GetFunctionList.
func TestOpenNonPKCS11Library(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("builds a shared library with the system C compiler; Linux only")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "lib.c")
	so := filepath.Join(dir, "libnotpkcs11.so")
	os.WriteFile(src, []byte("int vanthu_not_pkcs11(void) { return 42; }\n"), 0o644)
	if out, err := exec.Command("cc", "-shared", "-fPIC", "-o", so, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v: %s", err, out)
	}
	if err := checkModuleFile(so); err != nil {
		t.Fatalf("a real shared library fails the header check: %v", err)
	}
	_, err := Open(so)
	var me *ModuleError
	if !errors.Is(err, ErrModuleNotLoadable) || !errors.As(err, &me) {
		t.Fatalf("Open(non-PKCS#11 library) = %v, want ErrModuleNotLoadable", err)
	}
}

func TestDiscover(t *testing.T) {
	dir := t.TempDir()
	etoken := filepath.Join(dir, "libeTPkcs11.so")
	writeELF(t, etoken, map[string]uint16{"amd64": 62, "arm64": 183, "386": 3}[runtime.GOARCH])
	broken := filepath.Join(dir, "opensc-pkcs11.so")
	os.WriteFile(broken, []byte("x"), 0o644)
	env := map[string]string{ModuleEnv: "/nowhere/libcastle.so.1.0.0"}
	getenv := func(k string) string { return env[k] }

	got := discover("/flag/module.so", getenv, "linux", []string{dir})
	if len(got) != 4 {
		t.Fatalf("discover = %+v, want 4 candidates", got)
	}
	if got[0].Source != "flag" || got[0].Found || got[0].Path != "/flag/module.so" {
		t.Errorf("flag candidate = %+v", got[0])
	}
	if got[1].Source != "env" || got[1].Vendor != "Feitian ePass2003" || got[1].Found {
		t.Errorf("env candidate = %+v", got[1])
	}
	byPath := map[string]Candidate{}
	for _, c := range got[2:] {
		byPath[c.Path] = c
	}
	if c := byPath[etoken]; !c.Found || c.Vendor != "SafeNet eToken" || c.Problem != "" || c.Source != "known" {
		t.Errorf("eToken candidate = %+v", c)
	}
	if c := byPath[broken]; !c.Found || c.Vendor != "OpenSC" || !strings.Contains(c.Problem, "not a shared library") {
		t.Errorf("broken OpenSC candidate = %+v", c)
	}
	// Windows names are known too.
	if v := vendorOf(`C:\Windows\System32\vnptca_p11_v8.dll`, "windows"); v != "VNPT-CA" {
		t.Errorf("vendorOf(vnptca_p11_v8.dll) = %q", v)
	}
}

func TestChoose(t *testing.T) {
	none := func(string) string { return "" }
	if p, err := Choose("/given.so", none); err != nil || p != "/given.so" {
		t.Errorf("Choose(flag) = %q, %v: an explicit module is used as given", p, err)
	}
	if p, err := Choose("", func(k string) string {
		if k == ModuleEnv {
			return "/env.so"
		}
		return ""
	}); err != nil || p != "/env.so" {
		t.Errorf("Choose(env) = %q, %v", p, err)
	}
}

func TestDiscoverListsALinkedLibraryOnce(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "multiarch", "libsofthsm2.so")
	os.MkdirAll(filepath.Dir(real), 0o755)
	writeELF(t, real, map[string]uint16{"amd64": 62, "arm64": 183, "386": 3}[runtime.GOARCH])
	link := filepath.Join(dir, "libsofthsm2.so")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	got := discover("", func(string) string { return "" }, "linux", []string{dir, filepath.Dir(real)})
	if len(got) != 1 {
		t.Fatalf("discover = %+v, want the library once", got)
	}
}

func writePE(t *testing.T, path string, machine uint16) {
	t.Helper()
	if err := winetest.WriteDLL(path, machine); err != nil {
		t.Fatal(err)
	}
}

// TestDiscoverWindowsLayout lays out a Windows machine's folders with
// vendor modules where their installers put them and checks what
// discovery finds, with the Windows environment variables pointing there.
func TestDiscoverWindowsLayout(t *testing.T) {
	amd64, i386 := winetest.MachineAMD64, winetest.Machine386
	native := map[string]uint16{"amd64": amd64, "386": i386}[runtime.GOARCH]
	if native == 0 {
		t.Skip("the fake DLLs are x86; this machine is " + runtime.GOARCH)
	}
	root := t.TempDir()
	win := filepath.Join(root, "Windows")
	pf := filepath.Join(root, "Program Files")
	pf86 := filepath.Join(root, "Program Files (x86)")
	env := map[string]string{"SystemRoot": win, "ProgramFiles": pf, "ProgramW6432": pf, "ProgramFiles(x86)": pf86}
	getenv := func(k string) string { return env[k] }

	files := []struct {
		path    string
		machine uint16
		vendor  string
		found   bool
	}{
		{filepath.Join(win, "System32", "eps2003csp11.dll"), native, "Feitian ePass2003", true},
		{filepath.Join(win, "System32", "vnptca_p11_v8.dll"), native, "VNPT-CA", true},
		{filepath.Join(win, "SysWOW64", "viettel-ca_v6.dll"), i386, "Viettel-CA", true},
		{filepath.Join(pf, "OpenSC Project", "OpenSC", "pkcs11", "opensc-pkcs11.dll"), native, "OpenSC", true},
		{filepath.Join(pf, "SafeNet", "Authentication", "SAC", "x64", "eTPKCS11.dll"), native, "SafeNet eToken", true},
		{filepath.Join(pf86, "BKAV", "BKAVCA", "BkavCA_P11.dll"), i386, "BKAV-CA", true},
		{filepath.Join(pf, "FPT", "FPT_CA", "fptca_v4.dll"), native, "FPT-CA", true},
		{filepath.Join(pf86, "CA2", "PKCS11", "CA2_csp11.dll"), i386, "CA2 (Nacencomm)", true},
		// Not a known module, and a known one outside the known folders.
		{filepath.Join(win, "System32", "kernel32.dll"), native, "", false},
		{filepath.Join(pf, "Somewhere", "eTPKCS11.dll"), native, "", false},
	}
	for _, f := range files {
		writePE(t, f.path, f.machine)
	}

	got := discover("", getenv, "windows", moduleDirs("windows", getenv))
	byPath := map[string]Candidate{}
	for _, c := range got {
		byPath[c.Path] = c
	}
	for _, f := range files {
		c, ok := byPath[f.path]
		if ok != f.found {
			t.Errorf("%s: found=%v, want %v", f.path, ok, f.found)
			continue
		}
		if !ok {
			continue
		}
		if c.Vendor != f.vendor || !c.Found || c.Source != "known" {
			t.Errorf("%s: %+v, want vendor %q", f.path, c, f.vendor)
		}
		wrongArch := f.machine != native
		if wrongArch != strings.Contains(c.Problem, "built for 386") || !wrongArch && c.Problem != "" {
			t.Errorf("%s: problem %q (module machine %#x, this program %s)", f.path, c.Problem, f.machine, runtime.GOARCH)
		}
	}
	if len(got) != 8 {
		t.Errorf("discover found %d modules, want 8: %+v", len(got), got)
	}

	// Defaults when the variables are unset (an unusual service account).
	dirs := moduleDirs("windows", func(string) string { return "" })
	for _, want := range []string{`C:\Windows`, `C:\Program Files`, `C:\Program Files (x86)`} {
		seen := false
		for _, d := range dirs {
			seen = seen || strings.HasPrefix(d, want)
		}
		if !seen {
			t.Errorf("default directories %q lack %s", dirs, want)
		}
	}
}
