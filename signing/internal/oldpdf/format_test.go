package oldpdf

import (
	"strconv"
	"testing"
)

// TestFormatRealRoundTrip: numbers read from a file are written back as
// the same number (LibreOffice writes MediaBox values with 15 digits);
// computed ones get at most 4 decimals when that is exact.
func TestFormatRealRoundTrip(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{
		{595.303937007874, "595.303937007874"},
		{841.889763779528, "841.889763779528"},
		{595.28, "595.28"},
		{12, "12"},
		{-0.5, "-0.5"},
		{0.00001, "0.00001"},
		{1.0 / 3, "0.3333333333333333"},
	} {
		got := FormatReal(c.in)
		if got != c.want {
			t.Errorf("FormatReal(%v) = %q, want %q", c.in, got, c.want)
		}
		if back, err := strconv.ParseFloat(got, 64); err != nil || back != c.in {
			t.Errorf("FormatReal(%v) = %q reads back as %v", c.in, got, back)
		}
	}
}
