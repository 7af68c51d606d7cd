package assets

import _ "embed"

// SerifRegular is Liberation Serif Regular, metric-compatible with Times
// New Roman and covering Vietnamese (TCVN 6909:2001 / Unicode). It is the
// font of the visible text vanthu adds to official documents (number,
// date, attachment and copy stamps), embedded as a subset in each PDF.
// Licence: SIL Open Font License 1.1, see fonts/LICENSE-OFL.txt.
//
//go:embed fonts/LiberationSerif-Regular.ttf
var SerifRegular []byte

// SerifItalic is Liberation Serif Italic (the place-and-date line of a
// Nghị định 30 document is italic). Same licence as SerifRegular.
//
//go:embed fonts/LiberationSerif-Italic.ttf
var SerifItalic []byte

// SerifBold is Liberation Serif Bold, for the headings of the reports
// vanthu writes (exchange/report/pdfreport). Same licence as SerifRegular.
//
//go:embed fonts/LiberationSerif-Bold.ttf
var SerifBold []byte

// FontLicense is the SIL Open Font License text of the bundled fonts.
//
//go:embed fonts/LICENSE-OFL.txt
var FontLicense string
