package gui

import (
	"encoding/json"
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

// Preference keys of the exchange screens.
const (
	prefLocalAgency = "exchange_local_agency"
	prefOrgCert     = "exchange_certificate"
	prefGroups      = "recipient_groups"
	prefDraft       = "send_draft"
	prefDirectory   = "directory_cache"
	prefReportUnit  = "report_unit"
	prefPeriodKind  = "report_period_kind"
)

// LocalAgency is the demo agency the window acts as on the local hub
// ("" = the first; $VANTHU_AGENCY gives the default).
func (s *settings) LocalAgency() string {
	if v := s.p.String(prefLocalAgency); v != "" {
		return v
	}
	return s.getenv("VANTHU_AGENCY")
}
func (s *settings) SetLocalAgency(code string) { s.p.SetString(prefLocalAgency, code) }

// OrgCert is the organisation certificate that signs the exchange's
// packages (selKey; "" = the first organisation certificate).
func (s *settings) OrgCert() string     { return s.p.String(prefOrgCert) }
func (s *settings) SetOrgCert(k string) { s.p.SetString(prefOrgCert, k) }

// Groups are the user's groups of frequent recipients (name → codes).
func (s *settings) Groups() map[string][]string {
	g := map[string][]string{}
	_ = json.Unmarshal([]byte(s.p.String(prefGroups)), &g)
	return g
}

func (s *settings) SetGroups(g map[string][]string) {
	b, _ := json.Marshal(g)
	s.p.SetString(prefGroups, string(b))
}

// Draft is what the Send screen holds, kept so nothing typed is lost
// (JSON of sendDraft).
func (s *settings) Draft() string     { return s.p.String(prefDraft) }
func (s *settings) SetDraft(v string) { s.p.SetString(prefDraft, v) }

// Directory is the last agency directory the hub gave (JSON), for
// choosing recipients while offline.
func (s *settings) Directory() string     { return s.p.String(prefDirectory) }
func (s *settings) SetDirectory(v string) { s.p.SetString(prefDirectory, v) }

// ReportUnit is the unit of the dashboard and the registers ("" = the
// agency's own).
func (s *settings) ReportUnit() string     { return s.p.String(prefReportUnit) }
func (s *settings) SetReportUnit(v string) { s.p.SetString(prefReportUnit, strings.TrimSpace(v)) }

// PeriodKind is the dashboard's kind of period (calendar.PeriodKind;
// default the Nghị định 09/2019 month, the reporting regime's).
func (s *settings) PeriodKind() string {
	if v := s.p.String(prefPeriodKind); v != "" {
		return v
	}
	return "nd09-month"
}
func (s *settings) SetPeriodKind(v string) { s.p.SetString(prefPeriodKind, v) }
