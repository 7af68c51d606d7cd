package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/lang"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vanthu/vanthu/app/internal/localeenv"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// vanthu is the whole program, Fyne linked in, as main.go runs it.
		"vanthu": func() { os.Exit(Main(os.Args[1:])) },
		// fyne-language LANG chooses LANG as the GUI does and prints the
		// language Fyne then uses for its own texts: its locale and its
		// translation of "Cancel" (Vietnamese comes from vanthu).
		"fyne-language": func() {
			if err := localeenv.UseLanguage(os.Args[1]); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if err := lang.AddTranslationsForLocale([]byte(`{"Cancel": "Hủy"}`), "vi"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Printf("locale %s\nCancel %s\n", lang.SystemLocale().LanguageString(), lang.L("Cancel"))
		},
	})
}

// TestScripts runs testdata/script: the locale environments of real
// machines against the real program. Every script starts with no locale
// variable set.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(e *testscript.Env) error {
			for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "VANTHU_LANG"} {
				e.Setenv(k, "")
			}
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
	})
}
