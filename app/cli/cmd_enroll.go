package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
)

// cmdEnroll implements
//
//	vanthu enroll --hub URL --code CODE [--name NAME]   make the connection key and request
//	vanthu enroll --install BUNDLE.pem                  install the certificate the hub issued
//	vanthu enroll --axis URL --system-id ID --secret-file F [--code CODE] [--name NAME] [--ca-file F] [--allow-http]
//	                                                    use a national axis document service (cmd_enroll_axis.go)
func cmdEnroll(e *env, args []string) int {
	fs := e.newFlagSet("enroll")
	ax := e.addAxisEnrollFlags(fs)
	hubURL := fs.String("hub", "", e.tr("enroll.flag.hub"))
	code := fs.String("code", "", e.tr("enroll.flag.code"))
	name := fs.String("name", "", e.tr("enroll.flag.name"))
	install := fs.String("install", "", e.tr("enroll.flag.install"))
	cfgFlag := fs.String("config-dir", "", e.tr("exchange.flag.config_dir"))
	rest, c, ok := e.parseFlags(fs, args)
	if !ok {
		return c
	}
	if !e.noArgs(rest) {
		return exitUsage
	}
	dir, err := e.configDir(*cfgFlag)
	if err != nil {
		e.fail(err)
		return exitFailure
	}
	if *ax.endpoint != "" {
		if *hubURL != "" || *install != "" {
			e.usagef(e.tr("axis.enroll.usage"))
			return exitUsage
		}
		return e.enrollAxis(dir, ax, *code, *name)
	}
	if *install != "" {
		raw, err := os.ReadFile(*install)
		if err != nil {
			e.usagef(e.tr("hub.read_error", *install, err))
			return exitUsage
		}
		cert, err := client.Install(dir, raw)
		if err != nil {
			e.failExchange(err)
			return exitFailure
		}
		fmt.Fprintln(e.stdout, e.tr("enroll.installed", cert.Subject.CommonName, hub.SerialHex(cert), cert.NotAfter.Format("2006-01-02")))
		return exitOK
	}
	if *hubURL == "" || *code == "" {
		e.usagef(e.tr("enroll.usage"))
		return exitUsage
	}
	if !hub.ValidAgencyCode(*code) {
		e.usagef(e.tr("enroll.bad_code", *code))
		return exitUsage
	}
	if _, err := client.Enroll(dir, *hubURL, *code, *name); err != nil {
		e.failExchange(err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, e.tr("enroll.requested", filepath.Join(dir, client.FileCSR), filepath.Join(dir, client.FileKey)))
	return exitOK
}
