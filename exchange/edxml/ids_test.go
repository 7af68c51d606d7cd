package edxml

import (
	"errors"
	"testing"
)

func TestCheckAgencyCode(t *testing.T) {
	for _, c := range []string{"000.00.00.G22", "000.00.00.H41", "000.00.00.H29", "G22", "H29", "G06.01", "H29.01.02", "A12.B3C.45", "H29." + "1234567890123456789012345678901"} {
		if err := CheckAgencyCode(c); err != nil {
			t.Errorf("%q: %v", c, err)
		}
	}
	for _, c := range []string{"", "28.22.H17", "01.02.G22", "g22", "G2", "GG2", "G22.", "G22..01", "G22.0a", "000.00.00.g22", "000.00.00.G2", "00.000.00.G22",
		"000.00.00.G221", "H29.123456789012345678901234567890123", " G22", "G22 ", "Ｇ22", "G22,01", "000.00.00.122"} {
		if err := CheckAgencyCode(c); !errors.Is(err, ErrAgencyCode) {
			t.Errorf("%q accepted (%v)", c, err)
		}
	}
}

func TestDocumentID(t *testing.T) {
	id, err := NewDocumentID("000.00.00.G22", Date{2015, 9, 30}, "7816", "VPCP-TTĐT")
	if err != nil || id != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" {
		t.Fatalf("%q %v", id, err)
	}
	d, err := ParseDocumentID("G06.01,2024/02/29,12/2024/NĐ-CP")
	if err != nil || d.Number != "12" || d.Notation != "2024/NĐ-CP" || d.Date != (Date{2024, 2, 29}) || d.String() != "G06.01,2024/02/29,12/2024/NĐ-CP" {
		t.Fatalf("%+v %v", d, err)
	}
	for _, s := range []string{
		"", "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb", "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT", "000.00.00.G22,2015-09-30,7816/VPCP",
		"28.22.H17,2015/09/30,7816/VPCP", "000.00.00.G22,2015/09/30,7816", "000.00.00.G22,2015/09/30,/VPCP", "000.00.00.G22,2015/09/30,7816/",
		"000.00.00.G22,2015/09/30,78,16/VPCP", "000.00.00.G22,2015/09/30,7816/VP\x00CP", "000.00.00.G22,15/09/30,7816/VPCP",
	} {
		if _, err := ParseDocumentID(s); !errors.Is(err, ErrDocumentID) {
			t.Errorf("%q accepted (%v)", s, err)
		}
	}
	if _, err := NewDocumentID("G22", Date{2015, 2, 29}, "1", "X"); !errors.Is(err, ErrDocumentID) {
		t.Errorf("29 February 2015 accepted")
	}
}

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Công văn 123.pdf": "Công văn 123.pdf", "CON": "_CON", "con.txt": "_con.txt", "NUL.tar.gz": "_NUL.tar.gz", "COM1.doc": "_COM1.doc",
		"LPT9": "_LPT9", "COM10.doc": "COM10.doc", `a<b>:"c|?*.pdf`: "a_b___c___.pdf", "report. . ": "report", "CONSOLE.txt": "CONSOLE.txt",
	} {
		if got, err := SafeFileName(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", ".", "..", "../x", `..\x`, `C:\x`, "C:x", "/etc/passwd", "a\x00b", "a\nb", "a\u202eb", "...", string([]byte{0xff}), string(make([]byte, 300))} {
		if _, err := SafeFileName(in); !errors.Is(err, ErrAttachmentName) {
			t.Errorf("%q accepted (%v)", in, err)
		}
	}
}

func TestEnumsValid(t *testing.T) {
	for p := Priority(-1); p <= 5; p++ {
		if p.Valid() != (p >= 0 && p <= 4) {
			t.Errorf("priority %d", p)
		}
	}
	if SteeringType(3).Valid() || !SteeringDirectiveReport.Valid() || BussinessDocType(4).Valid() || !DocReplace.Valid() || Paper(2).Valid() {
		t.Error("enum ranges")
	}
	for _, c := range []StatusCode{"01", "02", "03", "04", "05", "06", "13", "15", "16"} {
		if !c.Valid() {
			t.Errorf("%s", c)
		}
	}
	for _, c := range []StatusCode{"", "1", "07", "14", "17", "00"} {
		if c.Valid() {
			t.Errorf("%q valid", c)
		}
	}
}
