package assets

import _ "embed"

// Holidays is the shipped table of Vietnamese public holidays,
// compensatory days, swapped days and make-up Saturdays (CSV: date, kind,
// name; its header names the sources). exchange/calendar reads it; a user
// file in the data folder overrides it date by date.
//
//go:embed calendar/holidays-vn.csv
var Holidays []byte
