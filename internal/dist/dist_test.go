package dist

import (
	"bytes"
	"debug/elf"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/BurntSushi/toml"
)

var repoRoot = filepath.Join("..", "..")

var (
	packageOnce sync.Once
	packageDir  string
	packageErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if packageDir != "" && os.Getenv("VANTHU_DIST") == "" {
		os.RemoveAll(packageDir)
	}
	os.Exit(code)
}

// distDir returns the directory holding the packages: $VANTHU_DIST, or
// one scripts/package.sh fills once per test binary.
func distDir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("VANTHU_DIST"); d != "" {
		return d
	}
	packageOnce.Do(func() {
		packageDir, packageErr = os.MkdirTemp("", "vanthu-dist-")
		if packageErr != nil {
			return
		}
		cmd := exec.Command(filepath.Join(repoRoot, "scripts", "package.sh"), packageDir)
		if out, err := cmd.CombinedOutput(); err != nil {
			packageErr = fmt.Errorf("scripts/package.sh: %v\n%s", err, out)
		}
	})
	if packageErr != nil {
		tb.Fatal(packageErr)
	}
	return packageDir
}

// appMeta is what the tests read of FyneApp.toml, the one source of the
// version.
type appMeta struct {
	Details struct {
		Name, ID, Version, Icon string
		Build                   int
	}
}

func readMeta(tb testing.TB) appMeta {
	tb.Helper()
	var m appMeta
	if _, err := toml.DecodeFile(filepath.Join(repoRoot, "FyneApp.toml"), &m); err != nil {
		tb.Fatal(err)
	}
	if m.Details.Version == "" || m.Details.Build == 0 || m.Details.ID == "" {
		tb.Fatalf("FyneApp.toml lacks Version, Build or ID: %+v", m.Details)
	}
	return m
}

// artifact returns the path of a package by its file name.
func artifact(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join(distDir(tb), name)
	if _, err := os.Stat(p); err != nil {
		entries, _ := os.ReadDir(filepath.Dir(p))
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		tb.Fatalf("%s is not among the packages %q: %v", name, names, err)
	}
	return p
}

func linuxArchive(tb testing.TB, m appMeta) string {
	return artifact(tb, "vanthu-"+m.Details.Version+"-linux-amd64.tar.xz")
}

func windowsExe(tb testing.TB, m appMeta) string {
	return artifact(tb, "vanthu-"+m.Details.Version+"-windows-amd64.exe")
}

// unpackLinux unpacks the Linux archive into a temporary directory and
// returns the archive's top folder and the program in it.
func unpackLinux(tb testing.TB, m appMeta) (top, bin string) {
	tb.Helper()
	dir := tb.TempDir()
	if out, err := exec.Command("tar", "-xJf", linuxArchive(tb, m), "-C", dir).CombinedOutput(); err != nil {
		tb.Fatalf("tar: %v\n%s", err, out)
	}
	top = filepath.Join(dir, "vanthu")
	for _, prefix := range []string{"usr/local", "usr"} {
		if p := filepath.Join(top, prefix, "bin", "vanthu"); fileExists(p) {
			return top, p
		}
	}
	tb.Fatalf("no usr/local/bin/vanthu or usr/bin/vanthu in the archive")
	return "", ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// run runs a Linux program with only env (and PATH) in its environment.
func run(tb testing.TB, dir string, env []string, name string, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return o.String(), e.String(), code
}

func TestLinuxArchive(t *testing.T) {
	m := readMeta(t)
	top, bin := unpackLinux(t, m)

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatalf("the program is not an ELF file: %v", err)
	}
	if f.Machine != elf.EM_X86_64 {
		t.Errorf("program machine %v, want x86-64", f.Machine)
	}
	f.Close()
	if st, _ := os.Stat(bin); st.Mode()&0o111 == 0 {
		t.Errorf("program mode %v is not executable", st.Mode())
	}

	share := filepath.Join(filepath.Dir(filepath.Dir(bin)), "share")
	desktop := readDesktopEntry(t, filepath.Join(share, "applications", m.Details.ID+".desktop"))
	for k, want := range map[string]string{
		"Type": "Application", "Name": m.Details.Name, "Exec": "vanthu", "Icon": m.Details.ID,
		"GenericName": "Ký số và kiểm tra văn bản", "Categories": "Office;",
	} {
		if desktop[k] != want {
			t.Errorf("desktop entry %s=%q, want %q", k, desktop[k], want)
		}
	}
	icon, err := os.ReadFile(filepath.Join(share, "pixmaps", m.Details.ID+".png"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(icon)); err != nil {
		t.Errorf("the icon is not a PNG: %v", err)
	}
	if src, _ := os.ReadFile(filepath.Join(repoRoot, m.Details.Icon)); !bytes.Equal(src, icon) {
		t.Errorf("the icon differs from %s", m.Details.Icon)
	}

	// The archive's Makefile installs it.
	dest := t.TempDir()
	if _, stderr, code := run(t, top, nil, "make", "install", "DESTDIR="+dest); code != 0 {
		t.Fatalf("make install: exit %d\n%s", code, stderr)
	}
	installed, _ := filepath.Glob(filepath.Join(dest, "usr", "*", "bin", "vanthu"))
	if len(installed) != 1 {
		installed, _ = filepath.Glob(filepath.Join(dest, "usr", "bin", "vanthu"))
	}
	if len(installed) != 1 {
		t.Fatalf("make install did not install the program under %s", dest)
	}

	// The installed program: the version of FyneApp.toml, and under every
	// spelling of the C locale nothing on stderr but vanthu's own lines.
	for _, loc := range [][]string{{"LANG=C"}, {"LANG=C.UTF-8"}, {"LC_ALL=C"}, {"LC_ALL=C.UTF-8"}, {}} {
		env := append([]string{"HOME=" + t.TempDir()}, loc...)
		stdout, stderr, code := run(t, "", env, installed[0], "version")
		if want := "vanthu " + m.Details.Version + "\n"; stdout != want || stderr != "" || code != 0 {
			t.Errorf("%v vanthu version: exit %d, stdout %q (want %q), stderr %q", loc, code, stdout, want, stderr)
		}
		_, stderr, code = run(t, "", env, installed[0], "frobnicate")
		if code != 2 || !onlyVanthuLines(stderr) {
			t.Errorf("%v vanthu frobnicate: exit %d, stderr %q", loc, code, stderr)
		}
	}
}

// onlyVanthuLines reports whether every line of s is one of vanthu's
// "vanthu: error/hint/warning:" lines, and there is one.
func onlyVanthuLines(s string) bool {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "vanthu: error: ") && !strings.HasPrefix(l, "vanthu: hint: ") && !strings.HasPrefix(l, "vanthu: warning: ") {
			return false
		}
	}
	return s != ""
}

func readDesktopEntry(tb testing.TB, path string) map[string]string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	section := ""
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "["):
			section = l
		case section == "[Desktop Entry]" && strings.Contains(l, "="):
			k, v, _ := strings.Cut(l, "=")
			out[k] = v
		}
	}
	return out
}

// Windows resource types.
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
	rtManifest  = 24
)

func TestWindowsExe(t *testing.T) {
	m := readMeta(t)
	f, err := pe.Open(windowsExe(t, m))
	if err != nil {
		t.Fatalf("not a PE file: %v", err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("machine %#x, want amd64", f.Machine)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok || oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("not a 64-bit GUI-subsystem program (no console window when double-clicked): %T %+v", f.OptionalHeader, oh)
	}
	res := readResources(t, f)
	// goversioninfo writes the icon group twice: as the program's icon
	// and as IDI_APPLICATION, the window class icon.
	if len(res[rtIcon]) < 4 || len(res[rtGroupIcon]) == 0 {
		t.Errorf("icons: %d images in %d groups, want several", len(res[rtIcon]), len(res[rtGroupIcon]))
	}
	for _, g := range res[rtGroupIcon] {
		if len(g) < 6+14 || !hasIconWidth(g, 256) || !hasIconWidth(g, 16) {
			t.Errorf("an icon group lacks the 256 or 16 pixel image: % x", g)
		}
	}
	if len(res[rtVersion]) != 1 {
		t.Fatalf("%d version resources, want 1", len(res[rtVersion]))
	}
	v := res[rtVersion][0]
	i := bytes.Index(v, []byte{0xbd, 0x04, 0xef, 0xfe}) // VS_FIXEDFILEINFO signature
	if i < 0 || len(v) < i+16 {
		t.Fatal("no VS_FIXEDFILEINFO in the version resource")
	}
	ms, ls := binary.LittleEndian.Uint32(v[i+8:]), binary.LittleEndian.Uint32(v[i+12:])
	got := fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
	if want := fmt.Sprintf("%s.%d", m.Details.Version, m.Details.Build); got != want {
		t.Errorf("file version %s, want %s (FyneApp.toml)", got, want)
	}
	for _, s := range []string{m.Details.Name, "Văn thư — ký số và kiểm tra văn bản", "vanthu.exe", m.Details.Version} {
		if !bytes.Contains(v, utf16le(s)) {
			t.Errorf("the version resource lacks %q", s)
		}
	}
	if len(res[rtManifest]) != 1 {
		t.Fatalf("%d manifests, want 1", len(res[rtManifest]))
	}
	man := string(res[rtManifest][0])
	for _, s := range []string{`name="` + m.Details.ID + `"`, fmt.Sprintf(`version="%s.%d"`, m.Details.Version, m.Details.Build), "<activeCodePage>UTF-8</activeCodePage>"} {
		if !strings.Contains(man, s) {
			t.Errorf("the manifest lacks %s:\n%s", s, man)
		}
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// hasIconWidth reports whether a GRPICONDIR lists an image of width w (0
// stands for 256).
func hasIconWidth(g []byte, w int) bool {
	n := int(binary.LittleEndian.Uint16(g[4:]))
	for i := 0; i < n && 6+14*(i+1) <= len(g); i++ {
		bw := int(g[6+14*i])
		if bw == 0 {
			bw = 256
		}
		if bw == w {
			return true
		}
	}
	return false
}

// readResources returns the data of the .rsrc section's resources by
// numeric type (type → name → language → data).
func readResources(tb testing.TB, f *pe.File) map[uint32][][]byte {
	tb.Helper()
	s := f.Section(".rsrc")
	if s == nil {
		tb.Fatal("no .rsrc section: no icon, version or manifest")
	}
	data, err := s.Data()
	if err != nil {
		tb.Fatal(err)
	}
	u16 := func(off uint32) uint32 { return uint32(binary.LittleEndian.Uint16(data[off:])) }
	u32 := func(off uint32) uint32 { return binary.LittleEndian.Uint32(data[off:]) }
	// entries lists a directory's (id, offset) pairs.
	entries := func(off uint32) [][2]uint32 {
		if int(off)+16 > len(data) {
			tb.Fatalf("resource directory at %#x outside the section", off)
		}
		n := u16(off+12) + u16(off+14)
		var out [][2]uint32
		for i := uint32(0); i < n; i++ {
			e := off + 16 + 8*i
			out = append(out, [2]uint32{u32(e), u32(e + 4)})
		}
		return out
	}
	const subdir = 0x80000000
	out := map[uint32][][]byte{}
	for _, typ := range entries(0) {
		if typ[1]&subdir == 0 {
			continue
		}
		for _, name := range entries(typ[1] &^ subdir) {
			if name[1]&subdir == 0 {
				continue
			}
			for _, lang := range entries(name[1] &^ subdir) {
				if lang[1]&subdir != 0 {
					continue
				}
				rva, size := u32(lang[1]), u32(lang[1]+4)
				start := rva - s.VirtualAddress
				if int(start)+int(size) > len(data) {
					tb.Fatalf("resource data at RVA %#x outside the section", rva)
				}
				out[typ[0]] = append(out[typ[0]], data[start:start+size])
			}
		}
	}
	return out
}
