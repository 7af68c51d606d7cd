package rolestest

import "errors"

// ErrNoLibreOffice: soffice is not installed.
var ErrNoLibreOffice = errors.New("LibreOffice (soffice) is not installed: run scripts/install-deps.sh (libreoffice-writer-nogui)")
