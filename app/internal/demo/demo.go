// Package demo is the first-run demo of the desktop application: a software
// key store, made on this machine, with a demo root certificate, a personal
// certificate ("Nguyễn Văn Ánh", chairman) and an organisation certificate
// ("ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"), protected by the PIN 123456, so that a
// new user can sign and verify the bundled sample letter in every role
// without a USB token or a PKCS#11 driver — on Windows, where SoftHSM2 is
// not installed, as on Linux.
//
// It is kept apart from real tokens on purpose: it is not a PKCS#11 module
// (the token chooser lists it as "Khóa thử nghiệm"), its root is trusted
// only for demo signatures (never added to the user's trust store), and
// every signature made with it is visibly marked "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
// (MarkImage, the bridge's demo mark).
//
// The store is a folder: demo.json (PIN hash and tries left), root.pem,
// personal.pem, personal.key, org.pem, org.key (PKCS#8), permissions 0600.
package demo

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vanthu/vanthu/token"
)

// Module is the token.Selection.Module value that selects the demo store.
const Module = "demo"

// PIN is the demo store's PIN, shown to the user.
const PIN = "123456"

// Mark is the text on every demo signature.
const Mark = "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"

// Label is the demo store's name in the token chooser.
const Label = "Khóa thử nghiệm (demo)"

// MaxTries is the number of wrong PINs after which the store locks, as a
// token would (Reset unlocks it).
const MaxTries = 5

// Names of the demo identities, matching the sample letter.
const (
	PersonName  = "Nguyễn Văn Ánh"
	PersonTitle = "Chủ tịch"
	OrgName     = "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"
)

// ErrNoStore: no demo store has been created in the data folder.
var ErrNoStore = errors.New("no demo key store has been created")

// Dir is where the demo store lives in the data folder.
func Dir(dataDir string) string { return filepath.Join(dataDir, "demo") }

type state struct {
	Version   int       `json:"version"`
	Salt      string    `json:"salt"`
	PINHash   string    `json:"pin_sha256"`
	TriesLeft int       `json:"tries_left"`
	Created   time.Time `json:"created"`
}

// Store is an open demo key store. Its methods are safe for concurrent use.
type Store struct {
	dir   string
	root  *x509.Certificate
	certs []token.Certificate
	keys  map[string]crypto.Signer // by CKA_ID hex

	mu       sync.Mutex
	st       state
	loggedIn bool
}

// Exists reports whether a demo store was created in dataDir.
func Exists(dataDir string) bool {
	_, err := os.Stat(filepath.Join(Dir(dataDir), "demo.json"))
	return err == nil
}

// Create makes the demo store in dataDir (a new demo PKI: three RSA-2048
// keys), or opens it when it exists.
func Create(dataDir string) (*Store, error) {
	if Exists(dataDir) {
		return Open(dataDir)
	}
	dir := Dir(dataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the demo folder: %w", err)
	}
	files, err := newPKI(time.Now())
	if err != nil {
		return nil, err
	}
	for name, b := range files {
		if err := writeFile(filepath.Join(dir, name), b); err != nil {
			return nil, err
		}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	st := state{Version: 1, Salt: hex.EncodeToString(salt), PINHash: pinHash(salt, PIN), TriesLeft: MaxTries, Created: time.Now().UTC()}
	if err := saveState(dir, st); err != nil {
		return nil, err
	}
	return Open(dataDir)
}

// Remove deletes the demo store.
func Remove(dataDir string) error {
	return os.RemoveAll(Dir(dataDir))
}

// Open opens the demo store of dataDir.
func Open(dataDir string) (*Store, error) {
	dir := Dir(dataDir)
	b, err := os.ReadFile(filepath.Join(dir, "demo.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoStore
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the demo store: %w", err)
	}
	s := &Store{dir: dir, keys: map[string]crypto.Signer{}}
	if err := json.Unmarshal(b, &s.st); err != nil {
		return nil, fmt.Errorf("failed to read the demo store: %w", err)
	}
	if s.root, err = readCert(filepath.Join(dir, "root.pem")); err != nil {
		return nil, err
	}
	for i, name := range []string{"personal", "org"} {
		c, err := readCert(filepath.Join(dir, name+".pem"))
		if err != nil {
			return nil, err
		}
		k, err := readKey(filepath.Join(dir, name+".key"))
		if err != nil {
			return nil, err
		}
		tc := token.Certificate{X509: c, ID: []byte{byte(i + 1)}, Label: c.Subject.CommonName, HasPrivateKey: true, PairedBy: "id"}
		s.certs = append(s.certs, tc)
		s.keys[tc.IDHex()] = k
	}
	return s, nil
}

// Root is the demo root certificate: trust it for demo signatures only.
func (s *Store) Root() *x509.Certificate { return s.root }

// Certificates are the demo certificates (personal first, then the
// organisation), each with its key.
func (s *Store) Certificates() []token.Certificate { return s.certs }

// Info describes the store as a token: its label and PIN state.
func (s *Store) Info() token.TokenInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.infoLocked()
}

func (s *Store) infoLocked() token.TokenInfo {
	f := token.Flags{Initialized: true, LoginRequired: true}
	switch {
	case s.st.TriesLeft <= 0:
		f.PINLocked = true
	case s.st.TriesLeft == 1:
		f.PINFinalTry = true
	}
	f.PINCountLow = s.st.TriesLeft < MaxTries
	return token.TokenInfo{Label: Label, Manufacturer: "vanthu", Model: "demo", Serial: "DEMO", MinPINLen: 4, MaxPINLen: 32, Flags: f}
}

// Login checks the PIN with the same rules as a token (token.Session.Login):
// a locked store is refused without asking, the final try needs
// opts.ConfirmFinalTry, the PIN source is asked once and a wrong PIN is
// never retried.
func (s *Store) Login(ctx context.Context, pins token.PINSource, opts token.LoginOptions) error {
	s.mu.Lock()
	info := s.infoLocked()
	s.mu.Unlock()
	if info.Flags.PINLocked {
		return &token.PINError{Err: token.ErrPINLocked, Locked: true, CountLow: true}
	}
	if info.Flags.PINFinalTry && !opts.ConfirmFinalTry {
		return &token.PINError{Err: token.ErrPINFinalTry, FinalTry: true, CountLow: true}
	}
	pin, err := pins.PIN(ctx, token.PINRequest{Token: info})
	if err != nil {
		return err
	}
	if pin == "" {
		return token.ErrPINRequired
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	salt, _ := hex.DecodeString(s.st.Salt)
	if subtle.ConstantTimeCompare([]byte(pinHash(salt, pin)), []byte(s.st.PINHash)) == 1 {
		if s.st.TriesLeft != MaxTries {
			s.st.TriesLeft = MaxTries
			_ = saveState(s.dir, s.st)
		}
		s.loggedIn = true
		return nil
	}
	s.st.TriesLeft--
	if err := saveState(s.dir, s.st); err != nil {
		return err
	}
	if s.st.TriesLeft <= 0 {
		return &token.PINError{Err: token.ErrPINLocked, Locked: true, CountLow: true}
	}
	return &token.PINError{Err: token.ErrPINIncorrect, CountLow: true, FinalTry: s.st.TriesLeft == 1}
}

// Reset unlocks the store (all tries back).
func (s *Store) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.TriesLeft = MaxTries
	return saveState(s.dir, s.st)
}

// Signer returns the key of the certificate selected by sel (CKA_ID or
// serial, hex; "" = the personal one) and its chain, after Login.
func (s *Store) Signer(sel string) (crypto.Signer, []*x509.Certificate, error) {
	s.mu.Lock()
	in := s.loggedIn
	s.mu.Unlock()
	if !in {
		return nil, nil, token.ErrNotLoggedIn
	}
	c, err := s.Pick(sel)
	if err != nil {
		return nil, nil, err
	}
	return s.keys[c.IDHex()], []*x509.Certificate{c.X509, s.root}, nil
}

// Pick returns the certificate selected by sel ("" = the personal one).
func (s *Store) Pick(sel string) (token.Certificate, error) {
	if sel == "" {
		return s.certs[0], nil
	}
	for _, c := range s.certs {
		if c.Matches(sel) {
			return c, nil
		}
	}
	return token.Certificate{}, fmt.Errorf("%w: %s", token.ErrCertNotFound, sel)
}

// IsDemoChain reports whether chain ends at a demo root: a certificate
// issued by this or any other vanthu demo store (the demo roots all carry
// the demo marker in their subject).
func IsDemoChain(chain []*x509.Certificate) bool {
	for _, c := range chain {
		if isDemoCert(c) {
			return true
		}
	}
	return false
}

func isDemoCert(c *x509.Certificate) bool {
	if c == nil {
		return false
	}
	for _, ou := range append(append([]string{}, c.Subject.OrganizationalUnit...), c.Issuer.OrganizationalUnit...) {
		if ou == demoOU {
			return true
		}
	}
	return false
}

// demoOU marks the demo certificates' subjects and issuers.
const demoOU = "vanthu demo – " + Mark

var oidTitle = asn1.ObjectIdentifier{2, 5, 4, 12}

// newPKI makes the demo root and the two signing certificates. They carry
// no revocation URLs (nothing to ask offline) and last three years.
func newPKI(now time.Time) (map[string][]byte, error) {
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	rootName := pkix.Name{CommonName: "vanthu DEMO Root – " + Mark, OrganizationalUnit: []string{demoOU}, Country: []string{"VN"}}
	root := &x509.Certificate{
		SerialNumber: serial(), Subject: rootName, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, rootKey.Public(), rootKey)
	if err != nil {
		return nil, err
	}
	rootCert, _ := x509.ParseCertificate(rootDER)
	files := map[string][]byte{"root.pem": pemCert(rootDER)}
	for _, id := range []struct {
		file    string
		subject pkix.Name
	}{
		{"personal", pkix.Name{CommonName: PersonName, Organization: []string{"Ủy ban nhân dân tỉnh Đắk Lắk"}, OrganizationalUnit: []string{demoOU},
			Province: []string{"Đắk Lắk"}, Country: []string{"VN"}, ExtraNames: []pkix.AttributeTypeAndValue{{Type: oidTitle, Value: PersonTitle}}}},
		{"org", pkix.Name{CommonName: OrgName, Organization: []string{OrgName}, OrganizationalUnit: []string{demoOU}, Province: []string{"Đắk Lắk"}, Country: []string{"VN"}}},
	} {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: serial(), Subject: id.subject, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0),
			KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageClientAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, rootCert, key.Public(), rootKey)
		if err != nil {
			return nil, err
		}
		kb, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		files[id.file+".pem"] = pemCert(der)
		files[id.file+".key"] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})
	}
	return files, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n.Add(n, big.NewInt(1))
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func pinHash(salt []byte, pin string) string {
	h := sha256.Sum256(append(append([]byte{}, salt...), pin...))
	return hex.EncodeToString(h[:])
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the demo store: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("failed to read the demo store: %s is not PEM", filepath.Base(path))
	}
	return x509.ParseCertificate(blk.Bytes)
}

func readKey(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("failed to read the demo store: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("failed to read the demo store: %s is not PEM", filepath.Base(path))
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to read the demo store: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("failed to read the demo store: unusable key")
	}
	return s, nil
}

func saveState(dir string, st state) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "demo.json"), b)
}

// writeFile writes atomically: temporary file, sync, rename.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".demo-*")
	if err != nil {
		return fmt.Errorf("failed to write the demo store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write the demo store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to write the demo store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("failed to write the demo store: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("failed to write the demo store: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}
