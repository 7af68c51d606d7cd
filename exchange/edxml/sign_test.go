package edxml

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestSignVerifyDocument(t *testing.T) {
	b := writeSigned(t, sampleDocument(), sampleAttachments())
	pkg, got := parseBytes(t, b)
	signer, err := Verify(context.Background(), pkg, verifyOpts(t))
	if err != nil {
		t.Fatalf("Verify: %v\n%s", err, b[:min(len(b), 6000)])
	}
	if signer.Match != MatchName {
		t.Errorf("match %v", signer.Match)
	}
	if !bytes.Equal(got[pkg.Attachments[1].ContentID], []byte("phu luc")) {
		t.Errorf("attachment content %q", got[pkg.Attachments[1].ContentID])
	}
}

func TestTamperDetected(t *testing.T) {
	b := writeSigned(t, sampleDocument(), sampleAttachments())
	// Flip one byte of the envelope's subject and one base64 character of
	// the first attachment.
	for _, c := range []struct{ name, old, new string }{
		{"envelope", "Nội dung", "Nội dunh"},
		{"attachment", "JVBERi0xLjcgdGVzdCAlUERGLTEuNyB0ZXN0I", "JVBERi0xLjcgdGVzdCAlUERGLTEuNyB0ZXN0J"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !bytes.Contains(b, []byte(c.old)) {
				t.Fatalf("%q not in the package", c.old)
			}
			bad := bytes.Replace(b, []byte(c.old), []byte(c.new), 1)
			pkg, _ := parseBytes(t, bad)
			if _, err := Verify(context.Background(), pkg, verifyOpts(t)); !errors.Is(err, ErrSignatureInvalid) {
				t.Fatalf("Verify of a tampered package: %v, want ErrSignatureInvalid", err)
			}
		})
	}
}
