package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vanthu/vanthu/exchange/axisclient"
	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
)

// axisEnrollFlags are enroll's flags for a national axis document service.
type axisEnrollFlags struct {
	endpoint, systemID, secretFile, caFile *string
	allowHTTP                              *bool
}

func (e *env) addAxisEnrollFlags(fs *flag.FlagSet) *axisEnrollFlags {
	return &axisEnrollFlags{
		endpoint:   fs.String("axis", "", e.tr("axis.flag.endpoint")),
		systemID:   fs.String("system-id", "", e.tr("axis.flag.system_id")),
		secretFile: fs.String("secret-file", "", e.tr("axis.flag.secret_file")),
		caFile:     fs.String("ca-file", "", e.tr("axis.flag.ca_file")),
		allowHTTP:  fs.Bool("allow-http", false, e.tr("axis.flag.allow_http")),
	}
}

// enrollAxis records the axis endpoint, system ID and secret (mode 0600)
// in the configuration folder.
func (e *env) enrollAxis(dir string, ax *axisEnrollFlags, code, name string) int {
	if *ax.systemID == "" || *ax.secretFile == "" {
		e.usagef(e.tr("axis.enroll.usage"))
		return exitUsage
	}
	if code == "" {
		code = *ax.systemID
	}
	if !hub.ValidAgencyCode(code) {
		e.usagef(e.tr("axis.enroll.bad_code", code))
		return exitUsage
	}
	var secret string
	if code := e.readSecretFlag(*ax.secretFile, &secret); code != exitOK {
		return code
	}
	var ca []byte
	var err error
	if *ax.caFile != "" {
		if ca, err = os.ReadFile(*ax.caFile); err != nil {
			e.usagef(e.tr("hub.read_error", *ax.caFile, err))
			return exitUsage
		}
	}
	if err := axisclient.Enroll(dir, axisclient.EnrollOptions{Endpoint: *ax.endpoint, SystemID: *ax.systemID, Secret: []byte(secret),
		Agency: code, AgencyName: name, CAPEM: ca, AllowHTTP: *ax.allowHTTP}); err != nil {
		if errors.Is(err, client.ErrBadConfig) {
			e.errorf(e.tr("exchange.err.bad_config") + " (" + err.Error() + ")")
			e.hintf(e.tr("axis.hint.enroll"))
			return exitFailure
		}
		e.failExchange(err)
		return exitFailure
	}
	if *ax.allowHTTP {
		e.warnf(e.tr("axis.enroll.http_warning"))
	}
	fmt.Fprintln(e.stdout, e.tr("axis.enroll.done", *ax.endpoint, *ax.systemID, code, filepath.Join(dir, axisclient.FileSecret)))
	return exitOK
}
