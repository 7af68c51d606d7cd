// Package appinfo holds what identifies this build of vanthu.
package appinfo

// Version is the application version; release builds set it with
// -ldflags "-X github.com/vanthu/vanthu/app/internal/appinfo.Version=…".
var Version = "0.1.0-dev"

// ID is the application identifier, also in FyneApp.toml.
const ID = "vn.gov.vanthu"
