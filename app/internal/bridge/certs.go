package bridge

import (
	"context"
	"crypto/x509"
	"strings"
	"time"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/token"
)

// CertChoice is a certificate the user can sign with, as the chooser shows
// it: where it is, whether it is valid, personal or the organisation's,
// and the token's PIN state.
type CertChoice struct {
	Sel    token.Selection // what OpenSigner takes
	Vendor string          // the module's vendor, "" when unknown
	Token  token.TokenInfo
	Cert   *x509.Certificate
	Chain  []*x509.Certificate // with the CA certificates found next to it
	// Organisation: an organisation (seal) certificate rather than a
	// person's.
	Organisation bool
	Demo         bool
}

// ValidAt reports whether the certificate is within its validity at t.
func (c CertChoice) ValidAt(t time.Time) bool {
	return !t.Before(c.Cert.NotBefore) && !t.After(c.Cert.NotAfter)
}

// IsOrganisation tells an organisation certificate from a person's: its
// common name is the organisation's name (or one of its units), as on the
// certificates the Government CA issues to agencies.
func IsOrganisation(c *x509.Certificate) bool {
	cn := strings.TrimSpace(c.Subject.CommonName)
	for _, o := range append(append([]string{}, c.Subject.Organization...), c.Subject.OrganizationalUnit...) {
		if strings.EqualFold(strings.TrimSpace(o), cn) {
			return true
		}
	}
	return false
}

// ModuleState is a PKCS#11 module considered, and why it cannot be used.
type ModuleState struct {
	token.Candidate
	Err error // opening or listing failed
}

// Certificates lists, without logging in, the certificates of the module
// given (or $VANTHU_PKCS11_MODULE) — as `vanthu token list` does, only that
// one — else of every known vendor module installed, and of the demo store
// of dataDir. CA certificates are left out. The modules considered are
// returned with the reason one cannot be used.
func Certificates(ctx context.Context, module, dataDir string, getenv func(string) string) ([]CertChoice, []ModuleState) {
	var out []CertChoice
	var mods []ModuleState
	cands := token.Discover(module, getenv)
	if module != "" || getenv(token.ModuleEnv) != "" {
		cands = cands[:1]
	}
	for _, c := range cands {
		ms := ModuleState{Candidate: c}
		if c.Found && c.Problem == "" {
			certs, err := moduleCerts(ctx, c)
			ms.Err = err
			out = append(out, certs...)
		}
		mods = append(mods, ms)
	}
	if st, err := demo.Open(dataDir); err == nil {
		for _, c := range st.Certificates() {
			out = append(out, CertChoice{Sel: token.Selection{Module: demo.Module, Token: demo.Label, Cert: c.IDHex()},
				Token: st.Info(), Cert: c.X509, Chain: []*x509.Certificate{c.X509, st.Root()},
				Organisation: IsOrganisation(c.X509), Demo: true})
		}
	}
	return out, mods
}

func moduleCerts(ctx context.Context, c token.Candidate) ([]CertChoice, error) {
	m, err := token.Open(c.Path)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	toks, err := m.Tokens(ctx)
	if err != nil {
		return nil, err
	}
	var out []CertChoice
	var firstErr error
	for _, t := range toks {
		if !t.Flags.Initialized {
			continue
		}
		s, err := m.OpenSession(ctx, t.SlotID)
		if err != nil {
			firstErr = err
			continue
		}
		certs, err := s.Certificates(ctx)
		_ = s.Close()
		if err != nil {
			firstErr = err
			continue
		}
		for _, tc := range certs {
			if tc.X509.IsCA {
				continue
			}
			sel := tc.IDHex()
			if sel == "" {
				sel = tc.SerialHex()
			}
			out = append(out, CertChoice{Sel: token.Selection{Module: c.Path, Token: t.Label, Cert: sel},
				Vendor: c.Vendor, Token: t, Cert: tc.X509, Chain: token.BuildChain(tc.X509, certs),
				Organisation: IsOrganisation(tc.X509)})
		}
	}
	return out, firstErr
}
