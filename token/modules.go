package token

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ModuleEnv names the environment variable that selects a PKCS#11 module.
const ModuleEnv = "VANTHU_PKCS11_MODULE"

// KnownModule is a vendor module the product looks for (DOMAIN.md §5).
type KnownModule struct {
	Vendor string
	Names  []string // file names, looked up in the OS's library directories
}

// KnownModules lists the modules seen on Vietnamese tokens, per OS. Branded
// modules often wrap a Feitian or SafeNet chip; all are verified by reading
// C_GetTokenInfo once loaded.
func KnownModules(goos string) []KnownModule {
	if goos == "windows" {
		return []KnownModule{
			{"Feitian ePass2003", []string{"eps2003csp11.dll", "eps2003csp11v2.dll"}},
			{"SafeNet eToken", []string{"eTPKCS11.dll"}},
			{"VNPT-CA", []string{"vnpt-ca_csp11.dll", "VNPT-CA_v34.dll", "vnptca_p11_v6.dll", "vnptca_p11_v8.dll", "vnptca_p11_v10.dll"}},
			{"Viettel-CA", []string{"viettel-ca_v6.dll", "viettel-ca_v5.dll", "viettel-ca_v4.dll", "viettel-ca_v2.dll"}},
			{"FPT-CA", []string{"fptca_v3.dll", "fptca_v4.dll"}},
			{"BKAV-CA", []string{"BkavCA_P11.dll", "BkavCA.dll"}},
			{"CA2 (Nacencomm)", []string{"CA2_csp11.dll"}},
			{"NCCA", []string{"ncca_csp11_v1.dll"}},
			{"OpenSC", []string{"opensc-pkcs11.dll"}},
		}
	}
	return []KnownModule{
		{"Feitian ePass2003", []string{"libeps2003csp11.so", "libcastle.so.1.0.0"}},
		{"SafeNet eToken", []string{"libeTPkcs11.so"}},
		{"FPT-CA", []string{"fptca_v4.so"}},
		{"OpenSC", []string{"opensc-pkcs11.so"}},
		{"SoftHSM2 (test)", []string{"libsofthsm2.so"}},
	}
}

// moduleDirs are the directories searched for known modules.
func moduleDirs(goos string, getenv func(string) string) []string {
	if goos == "windows" {
		root := getenv("SystemRoot")
		if root == "" {
			root = `C:\Windows`
		}
		// The installers put the modules in System32 (64-bit) and SysWOW64
		// (32-bit: found, then reported as the wrong architecture), some
		// also or only in their Program Files folder.
		dirs := []string{
			filepath.Join(root, "System32"),
			filepath.Join(root, "SysWOW64"),
		}
		for _, pf := range programFilesDirs(getenv) {
			for _, sub := range windowsVendorFolders {
				dirs = append(dirs, filepath.Join(pf, filepath.FromSlash(sub)))
			}
		}
		return dirs
	}
	return []string{
		"/usr/lib",
		"/usr/lib64",
		"/usr/local/lib",
		"/usr/lib/x86_64-linux-gnu",
		"/usr/lib/aarch64-linux-gnu",
		"/usr/lib/pkcs11",
		"/usr/lib/x86_64-linux-gnu/pkcs11",
		"/usr/lib/softhsm",
		"/usr/lib/x86_64-linux-gnu/softhsm",
		"/usr/lib64/pkcs11",
		"/opt/ePass2003/lib",
		"/usr/lib/ePass2003",
	}
}

// windowsVendorFolders are the vendors' folders under Program Files that
// hold a PKCS#11 module, as far as they are known: OpenSC's is the one its
// installer documents; SafeNet Authentication Client's and the Vietnamese
// CAs' are those their installers were reported to create, to be checked
// on real installations (DOMAIN.md §5). Slash-separated.
var windowsVendorFolders = []string{
	"OpenSC Project/OpenSC/pkcs11",
	"SafeNet/Authentication/SAC/x64",
	"SafeNet/Authentication/SAC/x32",
	"VNPT/VNPT-CA",
	"VNPT-CA",
	"ViettelCA",
	"Viettel-CA",
	"FPT/FPT_CA",
	"BKAV/BKAVCA",
	"CA2/PKCS11",
}

// programFilesDirs returns the Program Files folders: the 64-bit one and
// the 32-bit one, each once.
func programFilesDirs(getenv func(string) string) []string {
	var out []string
	for _, v := range []struct{ env, def string }{
		{"ProgramW6432", `C:\Program Files`},
		{"ProgramFiles", `C:\Program Files`},
		{"ProgramFiles(x86)", `C:\Program Files (x86)`},
	} {
		d := getenv(v.env)
		if d == "" {
			d = v.def
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, d)
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

// Candidate is a module path considered during discovery.
type Candidate struct {
	Path   string `json:"path"`
	Vendor string `json:"vendor"`
	Source string `json:"source"` // "flag", "env" or "known"
	Found  bool   `json:"found"`
	// Problem says why a found file cannot be used (wrong architecture, not a
	// shared library); empty when it looks loadable.
	Problem string `json:"problem,omitempty"`
}

// Discover returns the module candidates in order of preference: the
// explicit path (a --module flag), then $VANTHU_PKCS11_MODULE, then every
// known vendor module installed on this machine. Known modules are reported
// only when found; explicit ones always.
func Discover(explicit string, getenv func(string) string) []Candidate {
	return discover(explicit, getenv, runtime.GOOS, moduleDirs(runtime.GOOS, getenv))
}

func discover(explicit string, getenv func(string) string, goos string, dirs []string) []Candidate {
	var out []Candidate
	seen := map[string]bool{}
	add := func(c Candidate) {
		if seen[c.Path] {
			return
		}
		seen[c.Path] = true
		// The same library under two names (distributions link
		// /usr/lib/softhsm/libsofthsm2.so to the multiarch directory) is
		// listed once.
		if real, err := filepath.EvalSymlinks(c.Path); err == nil && real != c.Path {
			if seen[real] && c.Source == "known" {
				return
			}
			seen[real] = true
		}
		if _, err := os.Stat(c.Path); err == nil {
			c.Found = true
			if err := checkModuleFile(c.Path); err != nil {
				var me *ModuleError
				if errors.As(err, &me) {
					c.Problem = me.Reason
				} else {
					c.Problem = err.Error()
				}
			}
		}
		out = append(out, c)
	}
	if explicit != "" {
		add(Candidate{Path: explicit, Source: "flag", Vendor: vendorOf(explicit, goos)})
	}
	if p := getenv(ModuleEnv); p != "" {
		add(Candidate{Path: p, Source: "env", Vendor: vendorOf(p, goos)})
	}
	for _, km := range KnownModules(goos) {
		for _, name := range km.Names {
			for _, dir := range dirs {
				p := filepath.Join(dir, name)
				if seen[p] {
					continue
				}
				if real, err := filepath.EvalSymlinks(p); err == nil && seen[real] {
					continue
				}
				if _, err := os.Stat(p); err != nil {
					continue
				}
				add(Candidate{Path: p, Source: "known", Vendor: km.Vendor})
			}
		}
	}
	return out
}

// Choose picks the module to use: the first usable candidate from Discover.
// An explicit or environment path is used as given (and fails clearly if
// unusable) rather than silently replaced by another module.
func Choose(explicit string, getenv func(string) string) (string, error) {
	cands := Discover(explicit, getenv)
	for _, c := range cands {
		if c.Source == "flag" || c.Source == "env" {
			return c.Path, nil
		}
		if c.Found && c.Problem == "" {
			return c.Path, nil
		}
	}
	return "", ErrNoModule
}

// Vendor names the vendor of a module from its file name ("" when it is not
// a known one).
func Vendor(path string) string { return vendorOf(path, runtime.GOOS) }

func vendorOf(path, goos string) string {
	// Both separators: a Windows path is also named on Linux (reports, tests).
	base := strings.ToLower(path[strings.LastIndexAny(path, `/\`)+1:])
	for _, km := range KnownModules(goos) {
		for _, n := range km.Names {
			if strings.ToLower(n) == base {
				return km.Vendor
			}
		}
	}
	return ""
}

// checkModuleFile reports, without loading it, whether path is a shared
// library for this program's architecture. Loading a library of the wrong
// architecture only fails with an opaque dlopen message; this check names
// the real reason.
func checkModuleFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &ModuleError{Path: path, Err: ErrModuleNotFound}
		}
		return &ModuleError{Path: path, Err: ErrModuleNotFound, Reason: err.Error()}
	}
	if st.IsDir() {
		return &ModuleError{Path: path, Err: ErrModuleNotLoadable, Reason: "is a directory"}
	}
	arch, kind := libraryArch(path)
	switch {
	case kind == "":
		return &ModuleError{Path: path, Err: ErrModuleNotLoadable, Reason: "not a shared library"}
	case arch != "" && arch != runtime.GOARCH:
		return &ModuleError{Path: path, Err: ErrModuleNotLoadable,
			Reason: fmt.Sprintf("built for %s, this program is %s (install the %s version of the module)", arch, runtime.GOARCH, runtime.GOARCH)}
	}
	return nil
}

// libraryArch reads the object file header: kind is "elf", "pe" or "macho"
// ("" when none), arch the GOARCH name of its machine ("" when unknown).
func libraryArch(path string) (arch, kind string) {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		switch f.Machine {
		case elf.EM_X86_64:
			return "amd64", "elf"
		case elf.EM_386:
			return "386", "elf"
		case elf.EM_AARCH64:
			return "arm64", "elf"
		case elf.EM_ARM:
			return "arm", "elf"
		}
		return f.Machine.String(), "elf"
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		switch f.Machine {
		case pe.IMAGE_FILE_MACHINE_AMD64:
			return "amd64", "pe"
		case pe.IMAGE_FILE_MACHINE_I386:
			return "386", "pe"
		case pe.IMAGE_FILE_MACHINE_ARM64:
			return "arm64", "pe"
		}
		return fmt.Sprintf("pe-machine-0x%x", f.Machine), "pe"
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		switch f.Cpu {
		case macho.CpuAmd64:
			return "amd64", "macho"
		case macho.CpuArm64:
			return "arm64", "macho"
		}
		return f.Cpu.String(), "macho"
	}
	if f, err := macho.OpenFat(path); err == nil {
		f.Close()
		return "", "macho"
	}
	return "", ""
}
