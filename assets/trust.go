package assets

import "embed"

// TrustRoots holds the bundled Vietnamese trust certificates (PEM): the
// self-signed roots are trust anchors, the others chain-building helpers.
//
//go:embed trust/*.pem
var TrustRoots embed.FS
