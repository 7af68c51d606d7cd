//go:build cgo

package token

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/miekg/pkcs11"
)

// loaded keeps one initialised context per library file: PKCS#11 allows
// one C_Initialize per process, and C_Finalize by one user would end every
// other user's sessions. A file is one library whatever path reaches it
// (symbolic links, "..", another spelling): the dynamic loader maps it
// once, so files are compared with os.SameFile (device and inode, or the
// volume and file index on Windows).
var (
	loadedMu sync.Mutex
	loaded   []*loadedModule
)

type loadedModule struct {
	file os.FileInfo
	ctx  *pkcs11.Ctx
	refs int
	// open counts the open sessions per slot: a login belongs to the token
	// (all of the application's sessions on it), so only the last session
	// closed on a slot logs out.
	open map[uint]int
}

func findLoaded(fi os.FileInfo) *loadedModule {
	for _, lm := range loaded {
		if os.SameFile(lm.file, fi) {
			return lm
		}
	}
	return nil
}

// Module is a loaded PKCS#11 library.
type Module struct {
	path string
	ctx  *pkcs11.Ctx
	lm   *loadedModule

	mu       sync.Mutex
	closed   bool
	sessions map[*Session]struct{}
}

// Open loads and initialises the PKCS#11 module at path. Close it when done.
func Open(path string) (*Module, error) {
	if err := checkModuleFile(path); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &ModuleError{Path: path, Err: ErrModuleNotFound, Reason: err.Error()}
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	lm := findLoaded(fi)
	if lm == nil {
		ctx := pkcs11.New(path)
		if ctx == nil {
			return nil, &ModuleError{Path: path, Err: ErrModuleNotLoadable,
				Reason: "the library could not be opened or has no C_GetFunctionList (not a PKCS#11 module)"}
		}
		if err := ctx.Initialize(); err != nil && !isCode(err, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
			ctx.Destroy()
			return nil, &ModuleError{Path: path, Err: ErrModuleNotLoadable, Reason: "C_Initialize: " + err.Error()}
		}
		lm = &loadedModule{file: fi, ctx: ctx, open: map[uint]int{}}
		loaded = append(loaded, lm)
	}
	lm.refs++
	return &Module{path: path, ctx: lm.ctx, lm: lm, sessions: map[*Session]struct{}{}}, nil
}

// Path is the module's file path.
func (m *Module) Path() string { return m.path }

// Info returns the module's library description and manufacturer.
func (m *Module) Info() (manufacturer, description string, err error) {
	if err := m.check(); err != nil {
		return "", "", err
	}
	info, err := m.ctx.GetInfo()
	if err != nil {
		return "", "", mapErr("C_GetInfo", err)
	}
	return strings.TrimSpace(info.ManufacturerID), strings.TrimSpace(info.LibraryDescription), nil
}

// Close logs out and closes every session opened through m, and finalises
// the module when no other Module uses it.
func (m *Module) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	sessions := make([]*Session, 0, len(m.sessions))
	for s := range m.sessions {
		sessions = append(sessions, s)
	}
	m.mu.Unlock()
	for _, s := range sessions {
		_ = s.Close()
	}
	loadedMu.Lock()
	defer loadedMu.Unlock()
	lm := m.lm
	lm.refs--
	if lm.refs > 0 {
		return nil
	}
	for i, x := range loaded {
		if x == lm {
			loaded = append(loaded[:i], loaded[i+1:]...)
			break
		}
	}
	err := lm.ctx.Finalize()
	lm.ctx.Destroy()
	if err != nil {
		return mapErr("C_Finalize", err)
	}
	return nil
}

func (m *Module) check() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	return nil
}

// Tokens lists the slots that hold a token.
func (m *Module) Tokens(ctx context.Context) ([]TokenInfo, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	slots, err := m.ctx.GetSlotList(true)
	if err != nil {
		return nil, mapErr("C_GetSlotList", err)
	}
	out := make([]TokenInfo, 0, len(slots))
	for _, id := range slots {
		ti, err := m.tokenInfo(id)
		if err != nil {
			// The token went away between the two calls, or the slot is in
			// a state the module cannot describe: it is not usable, and one
			// bad slot must not hide the others.
			continue
		}
		out = append(out, ti)
	}
	return out, nil
}

func (m *Module) tokenInfo(slot uint) (TokenInfo, error) {
	ti := TokenInfo{SlotID: slot}
	if si, err := m.ctx.GetSlotInfo(slot); err == nil {
		ti.SlotDescription = strings.TrimSpace(si.SlotDescription)
	}
	info, err := m.ctx.GetTokenInfo(slot)
	if err != nil {
		return ti, mapErr("C_GetTokenInfo", err)
	}
	ti.Label = strings.TrimSpace(info.Label)
	ti.Manufacturer = strings.TrimSpace(info.ManufacturerID)
	ti.Model = strings.TrimSpace(info.Model)
	ti.Serial = strings.TrimSpace(info.SerialNumber)
	ti.MinPINLen = info.MinPinLen
	ti.MaxPINLen = info.MaxPinLen
	f := info.Flags
	ti.Flags = Flags{
		LoginRequired:     f&pkcs11.CKF_LOGIN_REQUIRED != 0,
		ProtectedAuthPath: f&pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH != 0,
		PINCountLow:       f&pkcs11.CKF_USER_PIN_COUNT_LOW != 0,
		PINFinalTry:       f&pkcs11.CKF_USER_PIN_FINAL_TRY != 0,
		PINLocked:         f&pkcs11.CKF_USER_PIN_LOCKED != 0,
		PINToBeChanged:    f&pkcs11.CKF_USER_PIN_TO_BE_CHANGED != 0,
		Initialized:       f&pkcs11.CKF_TOKEN_INITIALIZED != 0,
		WriteProtected:    f&pkcs11.CKF_WRITE_PROTECTED != 0,
	}
	return ti, nil
}

// Session is an open session on one token. Its methods are safe for
// concurrent use; PKCS#11 calls on it are serialised.
type Session struct {
	m    *Module
	slot uint

	mu       sync.Mutex
	sh       pkcs11.SessionHandle
	closed   bool
	loggedIn bool
	pins     PINSource
	lopts    LoginOptions
	// pinErr is the refusal of a context-specific login: once a
	// per-signature PIN was refused, the session never asks for it again.
	pinErr error
	info   TokenInfo
	mechs  map[uint]bool
}

// OpenSession opens a read-only session on the token in slotID.
func (m *Module) OpenSession(ctx context.Context, slotID uint) (*Session, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	info, err := m.tokenInfo(slotID)
	if err != nil {
		return nil, err
	}
	sh, err := m.ctx.OpenSession(slotID, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, mapErr("C_OpenSession", err)
	}
	s := &Session{m: m, slot: slotID, sh: sh, info: info, mechs: map[uint]bool{}}
	if ml, err := m.ctx.GetMechanismList(slotID); err == nil {
		for _, mech := range ml {
			s.mechs[mech.Mechanism] = true
		}
	}
	m.mu.Lock()
	m.sessions[s] = struct{}{}
	m.mu.Unlock()
	loadedMu.Lock()
	m.lm.open[slotID]++
	loadedMu.Unlock()
	return s, nil
}

// Token returns the token's information as last read.
func (s *Session) Token() TokenInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.info
}

// Refresh re-reads the token information (PIN flags change after a login).
func (s *Session) Refresh(ctx context.Context) (TokenInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(ctx); err != nil {
		return TokenInfo{}, err
	}
	info, err := s.m.tokenInfo(s.slot)
	if err != nil {
		return TokenInfo{}, err
	}
	s.info = info
	return info, nil
}

// SupportsPSS reports whether the token offers CKM_RSA_PKCS_PSS.
func (s *Session) SupportsPSS() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mechs[pkcs11.CKM_RSA_PKCS_PSS]
}

func (s *Session) checkLocked(ctx context.Context) error {
	if s.closed {
		return ErrClosed
	}
	if ctx != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// LoggedIn reports whether Login succeeded on this session.
func (s *Session) LoggedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loggedIn
}

// Login logs the user in. The PIN source is asked exactly once; a wrong PIN
// returns a *PINError with the token's remaining-tries flags and is never
// retried. A locked token is refused without an attempt, and a token at its
// final try is refused unless opts.ConfirmFinalTry is set. A token with a
// PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH) logs in without asking pins.
func (s *Session) Login(ctx context.Context, pins PINSource, opts LoginOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(ctx); err != nil {
		return err
	}
	if s.loggedIn {
		return nil
	}
	info, err := s.m.tokenInfo(s.slot)
	if err != nil {
		return err
	}
	s.info = info
	f := info.Flags
	if f.PINLocked {
		return &PINError{Err: ErrPINLocked, Locked: true, CountLow: f.PINCountLow, FinalTry: f.PINFinalTry}
	}
	if f.PINFinalTry && !opts.ConfirmFinalTry {
		return &PINError{Err: ErrPINFinalTry, FinalTry: true, CountLow: f.PINCountLow}
	}
	pin := ""
	if !f.ProtectedAuthPath {
		if pins == nil {
			return fmt.Errorf("failed to log in: %w", ErrPINRequired)
		}
		pin, err = pins.PIN(ctx, PINRequest{Token: info})
		if err != nil {
			return fmt.Errorf("failed to read PIN: %w", err)
		}
		if pin == "" {
			return fmt.Errorf("failed to log in: %w", ErrPINRequired)
		}
	}
	err = s.m.ctx.Login(s.sh, pkcs11.CKU_USER, pin)
	if err != nil && !isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		return s.loginError(err)
	}
	s.loggedIn = true
	s.pins, s.lopts, s.pinErr = pins, opts, nil
	if info, err := s.m.tokenInfo(s.slot); err == nil {
		s.info = info
	}
	return nil
}

// loginError turns a failed C_Login into a typed error with fresh flags.
func (s *Session) loginError(err error) error {
	var f Flags
	if info, ierr := s.m.tokenInfo(s.slot); ierr == nil {
		s.info = info
		f = info.Flags
	}
	switch {
	case isCode(err, pkcs11.CKR_PIN_INCORRECT), isCode(err, pkcs11.CKR_PIN_INVALID), isCode(err, pkcs11.CKR_PIN_LEN_RANGE):
		if f.PINLocked {
			return &PINError{Err: ErrPINLocked, Locked: true}
		}
		return &PINError{Err: ErrPINIncorrect, CountLow: f.PINCountLow, FinalTry: f.PINFinalTry}
	case isCode(err, pkcs11.CKR_PIN_LOCKED):
		return &PINError{Err: ErrPINLocked, Locked: true}
	}
	return mapErr("C_Login", err)
}

// Close closes the session. The login is the token's, shared by every
// session of the process on it: only the last session closed on the token
// logs out, so closing one does not stop the others signing.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	loadedMu.Lock()
	s.m.lm.open[s.slot]--
	last := s.m.lm.open[s.slot] <= 0
	if last {
		delete(s.m.lm.open, s.slot)
	}
	loadedMu.Unlock()
	if s.loggedIn && last {
		_ = s.m.ctx.Logout(s.sh)
	}
	s.loggedIn = false
	err := s.m.ctx.CloseSession(s.sh)
	s.mu.Unlock()
	s.m.mu.Lock()
	delete(s.m.sessions, s)
	s.m.mu.Unlock()
	if err != nil && !isRemoved(err) && !isCode(err, pkcs11.CKR_SESSION_HANDLE_INVALID) {
		return mapErr("C_CloseSession", err)
	}
	return nil
}

// object attribute helpers ---------------------------------------------------

func (s *Session) findObjects(template []*pkcs11.Attribute) ([]pkcs11.ObjectHandle, error) {
	if err := s.m.ctx.FindObjectsInit(s.sh, template); err != nil {
		return nil, mapErr("C_FindObjectsInit", err)
	}
	var all []pkcs11.ObjectHandle
	for {
		objs, _, err := s.m.ctx.FindObjects(s.sh, 64)
		if err != nil {
			_ = s.m.ctx.FindObjectsFinal(s.sh)
			return nil, mapErr("C_FindObjects", err)
		}
		all = append(all, objs...)
		if len(objs) < 64 || len(all) > 100000 {
			break
		}
	}
	if err := s.m.ctx.FindObjectsFinal(s.sh); err != nil {
		return nil, mapErr("C_FindObjectsFinal", err)
	}
	return all, nil
}

// attr reads one attribute; a token that refuses it (sensitive, invalid)
// yields nil without error, so one odd attribute does not hide the object.
func (s *Session) attr(o pkcs11.ObjectHandle, typ uint) ([]byte, error) {
	attrs, err := s.m.ctx.GetAttributeValue(s.sh, o, []*pkcs11.Attribute{pkcs11.NewAttribute(typ, nil)})
	if err != nil {
		if isRemoved(err) || isCode(err, pkcs11.CKR_SESSION_HANDLE_INVALID) || isCode(err, pkcs11.CKR_OBJECT_HANDLE_INVALID) {
			return nil, mapErr("C_GetAttributeValue", err)
		}
		return nil, nil
	}
	if len(attrs) == 0 {
		return nil, nil
	}
	return attrs[0].Value, nil
}

type keyObject struct {
	handle       pkcs11.ObjectHandle
	id           []byte
	keyType      uint
	modulus      []byte
	ecPoint      []byte
	alwaysAuthen bool
}

func (s *Session) keyObjects(class uint) ([]keyObject, error) {
	handles, err := s.findObjects([]*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)})
	if err != nil {
		return nil, err
	}
	out := make([]keyObject, 0, len(handles))
	for _, h := range handles {
		k := keyObject{handle: h}
		if k.id, err = s.attr(h, pkcs11.CKA_ID); err != nil {
			return nil, err
		}
		if v, err := s.attr(h, pkcs11.CKA_KEY_TYPE); err != nil {
			return nil, err
		} else {
			k.keyType = ulong(v)
		}
		if k.keyType == pkcs11.CKK_RSA {
			if k.modulus, err = s.attr(h, pkcs11.CKA_MODULUS); err != nil {
				return nil, err
			}
		}
		if k.keyType == pkcs11.CKK_EC && class == pkcs11.CKO_PUBLIC_KEY {
			if k.ecPoint, err = s.attr(h, pkcs11.CKA_EC_POINT); err != nil {
				return nil, err
			}
		}
		if class == pkcs11.CKO_PRIVATE_KEY {
			v, err := s.attr(h, pkcs11.CKA_ALWAYS_AUTHENTICATE)
			if err != nil {
				return nil, err
			}
			k.alwaysAuthen = len(v) > 0 && v[0] != 0
		}
		out = append(out, k)
	}
	return out, nil
}

// ulong decodes a CK_ULONG attribute value in host byte order.
func ulong(v []byte) uint {
	var n uint
	for i := len(v) - 1; i >= 0; i-- { // little-endian hosts: amd64, arm64, 386
		n = n<<8 | uint(v[i])
	}
	return n
}

// Certificates lists the X.509 certificates on the token, each paired with
// its private key: by CKA_ID first, else by public key (RSA modulus, or an
// EC public-key object with the certificate's point). Private keys are only
// visible after Login on most tokens, so pairing needs a login.
func (s *Session) Certificates(ctx context.Context) ([]Certificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(ctx); err != nil {
		return nil, err
	}
	handles, err := s.findObjects([]*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
	})
	if err != nil {
		return nil, err
	}
	privs, err := s.keyObjects(pkcs11.CKO_PRIVATE_KEY)
	if err != nil {
		return nil, err
	}
	var pubs []keyObject
	var certs []Certificate
	for _, h := range handles {
		der, err := s.attr(h, pkcs11.CKA_VALUE)
		if err != nil {
			return nil, err
		}
		xc, perr := x509.ParseCertificate(der)
		if perr != nil {
			continue // not a certificate we can use; skip rather than fail the listing
		}
		c := Certificate{X509: xc}
		if c.ID, err = s.attr(h, pkcs11.CKA_ID); err != nil {
			return nil, err
		}
		label, err := s.attr(h, pkcs11.CKA_LABEL)
		if err != nil {
			return nil, err
		}
		c.Label = string(label)
		if k, by := pairKey(xc, c.ID, privs, func() []keyObject {
			if pubs == nil {
				pubs, _ = s.keyObjects(pkcs11.CKO_PUBLIC_KEY)
				if pubs == nil {
					pubs = []keyObject{}
				}
			}
			return pubs
		}); k != nil {
			c.HasPrivateKey = true
			c.PairedBy = by
			c.keyHandle = uint(k.handle)
			c.AlwaysAuthenticate = k.alwaysAuthen
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func certKeyType(xc *x509.Certificate) uint {
	switch xc.PublicKey.(type) {
	case *rsa.PublicKey:
		return pkcs11.CKK_RSA
	case *ecdsa.PublicKey:
		return pkcs11.CKK_EC
	}
	return ^uint(0)
}

func pairKey(xc *x509.Certificate, id []byte, privs []keyObject, pubs func() []keyObject) (*keyObject, string) {
	kt := certKeyType(xc)
	if len(id) > 0 {
		for i := range privs {
			if privs[i].keyType == kt && string(privs[i].id) == string(id) {
				return &privs[i], "id"
			}
		}
	}
	switch pk := xc.PublicKey.(type) {
	case *rsa.PublicKey:
		mod := pk.N.Bytes()
		for i := range privs {
			if privs[i].keyType == pkcs11.CKK_RSA && len(privs[i].modulus) > 0 &&
				string(trimZeros(privs[i].modulus)) == string(mod) {
				return &privs[i], "public-key"
			}
		}
	case *ecdsa.PublicKey:
		point, err := pk.Bytes()
		if err != nil {
			return nil, ""
		}
		for _, pub := range pubs() {
			if pub.keyType != pkcs11.CKK_EC || !ecPointEqual(pub.ecPoint, point) {
				continue
			}
			for i := range privs {
				if privs[i].keyType == pkcs11.CKK_EC && len(pub.id) > 0 && string(privs[i].id) == string(pub.id) {
					return &privs[i], "public-key"
				}
			}
		}
	}
	return nil, ""
}

func trimZeros(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// ecPointEqual compares CKA_EC_POINT (usually a DER OCTET STRING around the
// uncompressed point, sometimes the raw point) with the raw point.
func ecPointEqual(attr, point []byte) bool {
	if string(attr) == string(point) {
		return true
	}
	if len(attr) > 2 && attr[0] == 0x04 {
		// DER OCTET STRING: 04 len [len bytes...] point
		l := int(attr[1])
		off := 2
		if l&0x80 != 0 {
			n := l & 0x7f
			if n > 2 || len(attr) < 2+n {
				return false
			}
			l = 0
			for _, b := range attr[2 : 2+n] {
				l = l<<8 | int(b)
			}
			off = 2 + n
		}
		if off+l == len(attr) {
			return string(attr[off:]) == string(point)
		}
	}
	return false
}

// Signer ---------------------------------------------------------------------

// Signer is a crypto.Signer whose private key stays on the token.
type Signer struct {
	s    *Session
	cert Certificate
}

// Signer returns a crypto.Signer for the certificate's private key. The
// session must be logged in.
func (s *Session) Signer(ctx context.Context, c Certificate) (*Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(ctx); err != nil {
		return nil, err
	}
	if !c.HasPrivateKey {
		return nil, fmt.Errorf("failed to use certificate %q: %w", subjectCN(c.X509), ErrNoPrivateKey)
	}
	if !s.loggedIn && s.info.Flags.LoginRequired {
		return nil, fmt.Errorf("failed to use certificate %q: %w", subjectCN(c.X509), ErrNotLoggedIn)
	}
	switch pk := c.X509.PublicKey.(type) {
	case *rsa.PublicKey:
	case *ecdsa.PublicKey:
		if n := pk.Curve.Params().BitSize; n%8 != 0 {
			return nil, fmt.Errorf("failed to use certificate: curve %s: %w", pk.Curve.Params().Name, ErrUnsupportedKey)
		}
	default:
		return nil, fmt.Errorf("failed to use certificate: key type %T: %w", c.X509.PublicKey, ErrUnsupportedKey)
	}
	return &Signer{s: s, cert: c}, nil
}

// Public returns the certificate's public key.
func (k *Signer) Public() crypto.PublicKey { return k.cert.X509.PublicKey }

// Certificate returns the certificate the signer belongs to.
func (k *Signer) Certificate() Certificate { return k.cert }

// Sign signs digest on the token. RSA keys sign PKCS#1 v1.5 (the DigestInfo
// is built here) or, with *rsa.PSSOptions, RSA-PSS when the token offers
// CKM_RSA_PKCS_PSS; ECDSA keys return an ASN.1 signature.
func (k *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// SignContext is Sign with a context checked before the token is called.
func (k *Signer) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s := k.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLocked(ctx); err != nil {
		return nil, err
	}
	var (
		mech *pkcs11.Mechanism
		data []byte
		ec   bool
	)
	h := opts.HashFunc()
	switch pk := k.cert.X509.PublicKey.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			if !s.mechs[pkcs11.CKM_RSA_PKCS_PSS] {
				return nil, fmt.Errorf("failed to sign with RSA-PSS: the token does not offer CKM_RSA_PKCS_PSS: %w", ErrUnsupportedKey)
			}
			hm, mgf, ok := pssParams(h)
			if !ok || len(digest) != h.Size() {
				return nil, fmt.Errorf("failed to sign with RSA-PSS and %v: %w", h, ErrUnsupportedKey)
			}
			salt := pss.SaltLength
			if salt <= 0 { // PSSSaltLengthAuto, PSSSaltLengthEqualsHash
				salt = h.Size()
			}
			mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_PSS, pkcs11.NewPSSParams(hm, mgf, uint(salt)))
			data = digest
		} else {
			di, err := digestInfo(h, digest)
			if err != nil {
				return nil, err
			}
			mech = pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil)
			data = di
		}
	case *ecdsa.PublicKey:
		mech = pkcs11.NewMechanism(pkcs11.CKM_ECDSA, nil)
		data = digest
		if n := (pk.Curve.Params().BitSize + 7) / 8; len(data) > n {
			data = data[:n] // as FIPS 186-4: the leftmost bits of the hash
		}
		ec = true
	default:
		return nil, fmt.Errorf("failed to sign: key type %T: %w", pk, ErrUnsupportedKey)
	}
	var pin string
	if k.cert.AlwaysAuthenticate {
		p, err := s.contextPIN(ctx)
		if err != nil {
			return nil, err
		}
		pin = p
	}
	key := pkcs11.ObjectHandle(k.cert.keyHandle)
	if err := s.m.ctx.SignInit(s.sh, []*pkcs11.Mechanism{mech}, key); err != nil {
		return nil, s.opError("C_SignInit", err)
	}
	if k.cert.AlwaysAuthenticate {
		if err := s.m.ctx.Login(s.sh, pkcs11.CKU_CONTEXT_SPECIFIC, pin); err != nil {
			_, _ = s.m.ctx.Sign(s.sh, data) // ends the operation: it fails without the login
			s.pinErr = s.loginError(err)
			return nil, s.pinErr
		}
	}
	sig, err := s.m.ctx.Sign(s.sh, data)
	if err != nil {
		return nil, s.opError("C_Sign", err)
	}
	if ec {
		return ecdsaRawToDER(sig)
	}
	return sig, nil
}

// contextPIN gets the PIN for a context-specific login (a key with
// CKA_ALWAYS_AUTHENTICATE), after the same checks as Login: a PIN refused
// before is not asked again, the token's flags are read again, a locked
// token is refused and its final try needs the confirmation given at
// login. A PIN pad needs no PIN.
func (s *Session) contextPIN(ctx context.Context) (string, error) {
	if s.pinErr != nil {
		return "", s.pinErr
	}
	info, err := s.m.tokenInfo(s.slot)
	if err != nil {
		return "", err
	}
	s.info = info
	f := info.Flags
	if f.PINLocked {
		s.pinErr = &PINError{Err: ErrPINLocked, Locked: true, CountLow: f.PINCountLow, FinalTry: f.PINFinalTry}
		return "", s.pinErr
	}
	if f.PINFinalTry && !s.lopts.ConfirmFinalTry {
		return "", &PINError{Err: ErrPINFinalTry, FinalTry: true, CountLow: f.PINCountLow}
	}
	if f.ProtectedAuthPath {
		return "", nil
	}
	if s.pins == nil {
		return "", fmt.Errorf("failed to sign: key needs its PIN again: %w", ErrPINRequired)
	}
	pin, err := s.pins.PIN(ctx, PINRequest{Token: info, ContextSpecific: true})
	if err != nil {
		return "", fmt.Errorf("failed to read PIN: %w", err)
	}
	if pin == "" {
		return "", fmt.Errorf("failed to sign: key needs its PIN again: %w", ErrPINRequired)
	}
	return pin, nil
}

func pssParams(h crypto.Hash) (hashMech, mgf uint, ok bool) {
	switch h {
	case crypto.SHA256:
		return pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256, true
	case crypto.SHA384:
		return pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384, true
	case crypto.SHA512:
		return pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512, true
	}
	return 0, 0, false
}

// opError maps errors of operations on a logged-in session; a session that
// vanished means the token was removed or re-initialised.
func (s *Session) opError(op string, err error) error {
	if isCode(err, pkcs11.CKR_USER_NOT_LOGGED_IN) {
		s.loggedIn = false
		return fmt.Errorf("failed to call %s: %w", op, ErrNotLoggedIn)
	}
	if isCode(err, pkcs11.CKR_SESSION_HANDLE_INVALID) || isCode(err, pkcs11.CKR_SESSION_CLOSED) ||
		isCode(err, pkcs11.CKR_KEY_HANDLE_INVALID) || isCode(err, pkcs11.CKR_OBJECT_HANDLE_INVALID) {
		s.loggedIn = false
		return fmt.Errorf("failed to call %s: %w", op, ErrTokenRemoved)
	}
	return mapErr(op, err)
}

// error mapping ---------------------------------------------------------------

func isCode(err error, code uint) bool {
	var pe pkcs11.Error
	return errors.As(err, &pe) && uint(pe) == code
}

func isRemoved(err error) bool {
	return isCode(err, pkcs11.CKR_DEVICE_REMOVED) || isCode(err, pkcs11.CKR_TOKEN_NOT_PRESENT) ||
		isCode(err, pkcs11.CKR_TOKEN_NOT_RECOGNIZED)
}

func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if isRemoved(err) {
		return fmt.Errorf("failed to call %s: %w", op, ErrTokenRemoved)
	}
	var pe pkcs11.Error
	if errors.As(err, &pe) {
		return &Error{Op: op, Code: uint(pe), Name: pe.Error()}
	}
	return fmt.Errorf("failed to call %s: %w", op, err)
}

func subjectCN(c *x509.Certificate) string {
	if c == nil {
		return ""
	}
	return c.Subject.CommonName
}
