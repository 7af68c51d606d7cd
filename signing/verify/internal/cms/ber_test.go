package cms

import (
	"bytes"
	"testing"
)

func TestBERToDER(t *testing.T) {
	// SEQUENCE (indefinite) { INTEGER 5, OCTET STRING constructed (indefinite) { "ab", "c" } }
	ber := []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c', 0x00, 0x00, 0x00, 0x00, 0xff, 0xff}
	der, err := berToDER(ber)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x30, 0x0c, 0x02, 0x01, 0x05, 0x24, 0x07, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c'}
	if !bytes.Equal(der, want) {
		t.Fatalf("got % x", der)
	}
	for _, bad := range [][]byte{{0x30, 0x80}, {0x30, 0x85, 1, 2, 3, 4, 5}, {0x04, 0x80, 0, 0}, bytes.Repeat([]byte{0x30, 0x80}, 200)} {
		if _, err := berToDER(bad); err == nil {
			t.Errorf("accepted % x", bad[:min(len(bad), 8)])
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, b := range [][]byte{nil, {0x30, 0x00}, {0x30, 0x03, 0x06, 0x01, 0x00}, make([]byte, maxCMSSize+1)} {
		if _, err := Parse(b); err == nil {
			t.Errorf("accepted %d bytes", len(b))
		}
	}
}
