package axishub

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/internal/fsutil"
)

// FileMasterKey is the master key's file in the hub folder, beside the CA
// key: 32 random bytes as hex, mode 0600.
const FileMasterKey = "axis-master.key"

// MasterKey encrypts the systems' secrets at rest (AES-256-GCM, the
// system ID as additional data, so a secret cannot be moved to another
// system's row).
type MasterKey struct {
	aead cipher.AEAD
	id   string
}

func newMasterKey(raw []byte) (*MasterKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMasterKey, err)
	}
	sum := sha256.Sum256(append([]byte("vanthu axis master key id\x00"), raw...))
	return &MasterKey{aead: aead, id: hex.EncodeToString(sum[:8])}, nil
}

// ID names the key (not secret): rows record which key sealed them.
func (k *MasterKey) ID() string { return k.id }

// MasterKeyPath is the master key's path in hub folder dir.
func MasterKeyPath(dir string) string { return filepath.Join(dir, FileMasterKey) }

// CreateMasterKey writes a new master key to path (mode 0600); an existing
// file is never replaced.
func CreateMasterKey(path string) (*MasterKey, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("%w: %s already exists", ErrMasterKey, path)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	if err := fsutil.WriteFile(path, []byte(hex.EncodeToString(raw)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return newMasterKey(raw)
}

// LoadMasterKey reads the master key at path. Outside Windows a file that
// others than its owner may read is refused.
func LoadMasterKey(path string) (*MasterKey, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s is missing", ErrMasterKey, path)
	}
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by others (mode %04o); chmod 600 it", ErrMasterKey, path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) != 32 {
		return nil, fmt.Errorf("%w: %s does not hold 64 hex digits", ErrMasterKey, path)
	}
	return newMasterKey(raw)
}

// seal encrypts a system's secret: nonce, then ciphertext with tag.
func (k *MasterKey) seal(systemID string, secret []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return k.aead.Seal(nonce, nonce, secret, aad(systemID))
}

func (k *MasterKey) open(systemID string, blob []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(blob) < n {
		return nil, fmt.Errorf("%w: the sealed secret of %s is truncated", ErrMasterKey, systemID)
	}
	out, err := k.aead.Open(nil, blob[:n], blob[n:], aad(systemID))
	if err != nil {
		return nil, fmt.Errorf("%w: the secret of %s does not open under this master key", ErrMasterKey, systemID)
	}
	return out, nil
}

func aad(systemID string) []byte { return []byte("vanthu axis system secret\x00" + systemID) }

// OpenRegistry opens the systems of the hub whose folder is dir: the
// master key in the folder is loaded; with create, a missing one is made —
// unless systems are registered already, whose secrets a new key could
// not open (the old file must be restored from a backup then).
func OpenRegistry(ctx context.Context, h *hub.Hub, dir string, create bool) (*Registry, error) {
	path := MasterKeyPath(dir)
	key, err := LoadMasterKey(path)
	if err != nil && create {
		if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
			return nil, err // there, but unusable: never replaced
		}
		if err := store.Migrate(ctx, h.DB(), Migrations()); err != nil {
			return nil, err
		}
		var n int
		if err := h.DB().QueryRow(ctx, "SELECT count(*) FROM axis_system").Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%w: %s is missing and %d systems are registered: restore it from a backup", ErrMasterKey, path, n)
		}
		key, err = CreateMasterKey(path)
	}
	if err != nil {
		return nil, err
	}
	return NewRegistry(ctx, h, key)
}
