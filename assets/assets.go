// Package assets embeds what vanthu ships: icons, fonts, trust roots and
// translations.
package assets

import "embed"

// Translations holds the message catalogues, one folder per language
// (vi, en) with one JSON object per area (cli.json, token.json, …) mapping
// message keys to fmt templates.
//
//go:embed translations
var Translations embed.FS
