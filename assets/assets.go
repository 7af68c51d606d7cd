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

// SampleLetter is the sample document of the first-run demo: a Nghị định
// 30 official letter of the Đắk Lắk People's Committee (one page, number,
// date and signature left blank for the roles to fill), signed for the
// committee by "Nguyễn Văn Ánh". Made by internal/cmd/genassets.
//
//go:embed demo/cong-van-mau.pdf
var SampleLetter []byte

// DemoSignature and DemoSeal are the demo signer's handwritten signature
// (blue) and the demo organisation's seal (red), PNGs with transparency.
// Made by internal/cmd/genassets.
var (
	//go:embed demo/chu-ky-mau.png
	DemoSignature []byte
	//go:embed demo/con-dau-mau.png
	DemoSeal []byte
)
