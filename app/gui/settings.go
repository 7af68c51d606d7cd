package gui

import (
	"strings"

	"fyne.io/fyne/v2"

	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/pades"
)

// Preference keys.
const (
	prefLang       = "language"
	prefDataDir    = "data_dir"
	prefModule     = "pkcs11_module"
	prefTSA        = "tsa_url"
	prefLevel      = "level"
	prefOffline    = "revocation_offline"
	prefLastOpen   = "last_open_dir"
	prefLastCert   = "last_certificate"
	prefWinW       = "window_width"
	prefWinH       = "window_height"
	prefFirstRunOK = "first_run_done"
)

// settings are the user's choices and what the window remembers, kept in
// fyne.Preferences. The environment (VANTHU_LANG, VANTHU_DATA_DIR,
// VANTHU_TSA, VANTHU_PKCS11_MODULE) gives the defaults.
type settings struct {
	p      fyne.Preferences
	getenv func(string) string
}

func newSettings(p fyne.Preferences, getenv func(string) string) *settings {
	return &settings{p: p, getenv: getenv}
}

// Language is vi or en: the setting, else the environment's.
func (s *settings) Language() string {
	switch l := s.p.String(prefLang); l {
	case i18n.VI, i18n.EN:
		return l
	}
	return i18n.Language(s.getenv)
}

func (s *settings) SetLanguage(l string) { s.p.SetString(prefLang, l) }

// DataDir is the data folder chosen in the settings ("" = the default).
func (s *settings) DataDir() string     { return s.p.String(prefDataDir) }
func (s *settings) SetDataDir(d string) { s.p.SetString(prefDataDir, d) }

// Module is a PKCS#11 module the user browsed to ("" = discovery).
func (s *settings) Module() string     { return s.p.String(prefModule) }
func (s *settings) SetModule(m string) { s.p.SetString(prefModule, m) }

// TSA is the time-stamping URL (default $VANTHU_TSA).
func (s *settings) TSA() string {
	if v := s.p.String(prefTSA); v != "" {
		return v
	}
	return s.getenv("VANTHU_TSA")
}
func (s *settings) SetTSA(v string) { s.p.SetString(prefTSA, strings.TrimSpace(v)) }

// Level is the PAdES level of new signatures (default B-B).
func (s *settings) Level() string {
	if v := s.p.String(prefLevel); v != "" {
		return v
	}
	return string(pades.LevelBB)
}
func (s *settings) SetLevel(v string) { s.p.SetString(prefLevel, v) }

// Online: revocation is checked over the network when verifying.
func (s *settings) Online() bool      { return !s.p.Bool(prefOffline) }
func (s *settings) SetOnline(on bool) { s.p.SetBool(prefOffline, !on) }

func (s *settings) LastOpenDir() string     { return s.p.String(prefLastOpen) }
func (s *settings) SetLastOpenDir(d string) { s.p.SetString(prefLastOpen, d) }
func (s *settings) LastCert() string        { return s.p.String(prefLastCert) }
func (s *settings) SetLastCert(c string)    { s.p.SetString(prefLastCert, c) }
func (s *settings) FirstRunDone() bool      { return s.p.Bool(prefFirstRunOK) }
func (s *settings) SetFirstRunDone()        { s.p.SetBool(prefFirstRunOK, true) }

// WindowSize is the remembered window size (default 1180×800).
func (s *settings) WindowSize() fyne.Size {
	w, h := s.p.FloatWithFallback(prefWinW, 1180), s.p.FloatWithFallback(prefWinH, 800)
	return fyne.NewSize(float32(max(w, 700)), float32(max(h, 500)))
}

func (s *settings) SetWindowSize(sz fyne.Size) {
	s.p.SetFloat(prefWinW, float64(sz.Width))
	s.p.SetFloat(prefWinH, float64(sz.Height))
}
