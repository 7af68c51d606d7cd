package b64

import (
	"bytes"
	"encoding/base64"
	"errors"
	"math/rand"
	"testing"
)

func TestDecodeChunks(t *testing.T) {
	data := make([]byte, 100_003)
	rand.New(rand.NewSource(1)).Read(data)
	text := base64.StdEncoding.EncodeToString(data)
	// Wrap lines and feed in odd pieces.
	var wrapped []byte
	for i := 0; i < len(text); i += 76 {
		end := min(i+76, len(text))
		wrapped = append(wrapped, text[i:end]...)
		wrapped = append(wrapped, "\r\n\t "...)
	}
	var out bytes.Buffer
	d := NewDecoder(&out, 1<<20)
	for i := 0; i < len(wrapped); i += 777 {
		if _, err := d.Write(wrapped[i:min(i+777, len(wrapped))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), data) {
		t.Fatal("decoded bytes differ")
	}
	if d.Size() != int64(len(data)) {
		t.Fatalf("size %d", d.Size())
	}
	c := NewDecoder(nil, 1<<20)
	c.Write(wrapped)
	if err := c.Close(); err != nil || c.Size() != int64(len(data)) {
		t.Fatalf("count-only: %v %d", err, c.Size())
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{
		"QUJD$", "QU=JD", "QUJ", "QQ===", "QUJD&#10;", "QUJDRA==QQ==", "QR==", // QR== has non-zero trailing bits
		"${__StringFromFile(test.txt,,,)}",
	} {
		d := NewDecoder(&bytes.Buffer{}, 100)
		_, err := d.Write([]byte(in))
		if err == nil {
			err = d.Close()
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v, want ErrInvalid", in, err)
		}
	}
}

func TestDecodeLimit(t *testing.T) {
	for _, w := range []*bytes.Buffer{{}, nil} {
		var d *Decoder
		if w == nil {
			d = NewDecoder(nil, 1000)
		} else {
			d = NewDecoder(w, 1000)
		}
		run := bytes.Repeat([]byte("QUJD"), 4096)
		var err error
		for i := 0; i < 100 && err == nil; i++ {
			_, err = d.Write(run)
		}
		if err == nil {
			err = d.Close()
		}
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%v, want ErrTooLarge", err)
		}
	}
}
