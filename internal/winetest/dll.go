package winetest

import (
	"encoding/binary"
	"os"
	"path/filepath"
)

// Machine types of Windows programs and DLLs (IMAGE_FILE_MACHINE_*).
const (
	MachineAMD64 uint16 = 0x8664
	Machine386   uint16 = 0x14c
)

// WriteDLL writes, creating its folders, a file that has the headers of a
// Windows DLL for machine and nothing else: what module discovery reads
// to tell a DLL and its architecture, for fake vendor installations.
func WriteDLL(path string, machine uint16) error {
	h := make([]byte, 512) // debug/pe reads a 96-byte DOS header
	copy(h, "MZ")
	binary.LittleEndian.PutUint32(h[0x3c:], 0x40) // e_lfanew
	copy(h[0x40:], "PE\x00\x00")
	binary.LittleEndian.PutUint16(h[0x44:], machine)
	binary.LittleEndian.PutUint16(h[0x44+18:], 0x2102) // executable, 32-bit word, DLL
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, h, 0o644)
}
