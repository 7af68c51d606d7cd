package appearance

import "testing"

// TestFoldASCII: the standard fonts' text loses its diacritics, and runes
// with no ASCII form become '?'.
func TestFoldASCII(t *testing.T) {
	if got := foldASCII("Nguyễn Văn Ánh – Đắk Lắk"); got != "Nguyen Van Anh ? Dak Lak" {
		t.Fatalf("foldASCII = %q", got)
	}
}
