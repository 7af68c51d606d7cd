package edxml

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/trust"
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

func verifyBytes(t *testing.T, b []byte, opts VerifyOptions) (*Signer, error) {
	t.Helper()
	pkg, err := Parse(context.Background(), bytes.NewReader(b), Options{})
	if err != nil {
		return nil, err
	}
	return Verify(context.Background(), pkg, opts)
}

// Every single flipped byte, anywhere in a signed package, is refused by
// Parse or Verify.
func TestEveryByteFlipDetected(t *testing.T) {
	pkg := sampleDocument()
	b := writeSigned(t, pkg, []AttachmentSource{BytesAttachment("a.pdf", "application/pdf", []byte("%PDF-1.7 hello world"))})
	if _, err := verifyBytes(t, b, verifyOpts(t)); err != nil {
		t.Fatal(err)
	}
	step := len(b)/400 + 1
	if os.Getenv("EDXML_EVERY_BYTE") != "" {
		step = 1
	}
	for i := 0; i < len(b); i += step {
		bad := bytes.Clone(b)
		bad[i] ^= 0x01
		if _, err := verifyBytes(t, bad, verifyOpts(t)); err == nil {
			t.Errorf("byte %d (%q in %q) flipped: accepted", i, b[i], b[max(0, i-30):min(len(b), i+30)])
		}
	}
}

func TestVerifyRefuses(t *testing.T) {
	p := sharedPKI(t)
	signed := writeSigned(t, sampleDocument(), sampleAttachments())
	sigStart := bytes.Index(signed, []byte("<Signature"))
	sigEnd := bytes.Index(signed, []byte("</Signature>")) + len("</Signature>")
	sigXML := signed[sigStart:sigEnd]
	replace := func(old, new string) []byte {
		if !bytes.Contains(signed, []byte(old)) {
			t.Fatalf("%q not in the package", old)
		}
		return bytes.Replace(signed, []byte(old), []byte(new), 1)
	}
	var unsigned bytes.Buffer
	if err := Write(context.Background(), &unsigned, sampleDocument(), sampleAttachments(), nil, nil); err != nil {
		t.Fatal(err)
	}
	leaderCert := base64.StdEncoding.EncodeToString(p.Leader.Cert.Raw)
	orgCert := base64.StdEncoding.EncodeToString(p.Org.Cert.Raw)

	// Swap the two attachments' contents.
	pkg, _ := parseBytes(t, signed)
	c0, c1 := contentOf(t, signed, 0), contentOf(t, signed, 1)
	swapped := bytes.Replace(bytes.Replace(signed, c0, []byte("@0@"), 1), c1, c0, 1)
	swapped = bytes.Replace(swapped, []byte("@0@"), c1, 1)
	_ = pkg

	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"unsigned", unsigned.Bytes(), ErrUnsigned},
		{"two signatures", bytes.Replace(signed, sigXML, append(append(bytes.Clone(sigXML), '\n'), sigXML...), 1), ErrStructure},
		{"signature moved out of the header", bytes.Replace(bytes.Replace(signed, sigXML, nil, 1), []byte("<edXML:edXMLBody>"), append([]byte("<edXML:edXMLBody>"), sigXML...), 1), ErrSignatureInvalid},
		{"another certificate in KeyInfo", replace(orgCert, leaderCert), ErrSignatureInvalid},
		{"SHA-1 downgrade", replace("xmldsig-more#rsa-sha256", "xmldsig#rsa-sha1"), ErrAlgorithm},
		{"extra reference", replace("</SignedInfo>", `<Reference URI="#x"><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>AAAA</DigestValue></Reference></SignedInfo>`), ErrSignatureInvalid},
		{"attachments swapped", swapped, ErrSignatureInvalid},
		{"attachment reference dropped", regexpReplace(signed, `<Reference URI="cid:[^"]*-2">.*?</Reference>`, ""), ErrSignatureInvalid},
		{"envelope transforms changed", replace(`<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>`, ""), ErrSignatureInvalid},
		{"unsigned metadata changed", replace("<ContentType>application/pdf</ContentType>", "<ContentType>application/x-msdownload</ContentType>"), ErrContentID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := verifyBytes(t, c.in, verifyOpts(t)); !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
		})
	}

	t.Run("header only", func(t *testing.T) {
		pkg, err := ReadHeader(context.Background(), bytes.NewReader(signed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(context.Background(), pkg, verifyOpts(t)); !errors.Is(err, ErrNotParsed) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("empty trust store", func(t *testing.T) {
		pkg, _ := parseBytes(t, signed)
		if _, err := Verify(context.Background(), pkg, VerifyOptions{Trust: trust.New()}); !errors.Is(err, ErrSignerUntrusted) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("verified after the certificate expired", func(t *testing.T) {
		pkg, _ := parseBytes(t, signed)
		o := verifyOpts(t)
		o.Now = func() time.Time { return p.Org.Cert.NotAfter.Add(time.Hour) }
		if _, err := Verify(context.Background(), pkg, o); !errors.Is(err, ErrSignerUntrusted) {
			t.Fatalf("%v", err)
		}
	})
}

func contentOf(t *testing.T, b []byte, i int) []byte {
	m := contentRE.FindAllSubmatch(b, -1)
	if len(m) <= i {
		t.Fatalf("no attachment %d", i)
	}
	return m[i][1]
}

func regexpReplace(b []byte, re, repl string) []byte {
	return regexp.MustCompile(re).ReplaceAll(b, []byte(repl))
}

func signWith(t *testing.T, id *testpki.Identity, from Organization) []byte {
	t.Helper()
	pkg := sampleDocument()
	pkg.Header.From = from
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, pkg, sampleAttachments(), id.Key, id.ChainWithLeaf()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func TestSignerCertificates(t *testing.T) {
	p := sharedPKI(t)
	allow := verifyOpts(t)
	allow.AllowUnmatchedOrganization = true
	withCode := func(code string) *testpki.Identity {
		return p.MustIssue(t, testpki.Spec{CommonName: "Văn phòng Chính phủ", Organization: "Văn phòng Chính phủ", Organisation: true, UserID: "MNS:" + code, KeyID: "edxml-org"})
	}
	vpcp := Organization{OrganID: "000.00.00.G22", OrganName: "Văn phòng Chính phủ"}
	cases := []struct {
		name  string
		id    *testpki.Identity
		from  Organization
		opts  VerifyOptions
		want  error
		match OrgMatch
	}{
		{"organisation by name", p.Org, daklak, verifyOpts(t), nil, MatchName},
		{"organisation by registry", p.Org, daklak, registry(verifyOpts(t), p.Org, daklak.OrganID), nil, MatchRegistry},
		{"registry names another agency", p.Org, daklak, registry(verifyOpts(t), p.Org, "000.00.00.H41"), ErrSignerMismatch, 0},
		{"organisation by code", withCode("000.00.00.G22"), vpcp, verifyOpts(t), nil, MatchCode},
		{"another agency's code", withCode("000.00.00.H41"), vpcp, allow, ErrSignerMismatch, 0},
		{"another organisation's name", p.Org, vpcp, verifyOpts(t), ErrSignerMismatch, 0},
		{"ECDSA P-256", p.Specialist, daklak, allow, nil, MatchNone},
		{"RSA 4096", p.Director, daklak, allow, nil, MatchNone},
		{"expired", p.Expired, daklak, allow, ErrSignerUntrusted, 0},
		{"not for signing", p.WrongUsage, daklak, allow, ErrSignerUntrusted, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b []byte
			if c.name == "expired" {
				// Write refuses nothing about validity; sign as of now.
				b = signWith(t, c.id, c.from)
			} else {
				b = signWith(t, c.id, c.from)
			}
			s, err := verifyBytes(t, b, c.opts)
			if !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
			if err == nil && s.Match != c.match {
				t.Errorf("match %v, want %v", s.Match, c.match)
			}
		})
	}
}

func registry(o VerifyOptions, id *testpki.Identity, code string) VerifyOptions {
	o.AgencyOf = func(c *x509.Certificate) (string, bool) { return code, c.Equal(id.Cert) }
	return o
}

func TestWriteRefuses(t *testing.T) {
	p := sharedPKI(t)
	bad := func(mut func(*Package)) *Package { pkg := sampleDocument(); mut(pkg); return pkg }
	cases := []struct {
		name string
		pkg  *Package
		atts []AttachmentSource
		want error
	}{
		{"bad agency code", bad(func(p *Package) { p.Header.To[0].OrganID = "28.22.H17" }), nil, ErrAgencyCode},
		{"bad DocumentId", bad(func(p *Package) { p.Header.DocumentID = "9fbfbad2-f1f8-4256-a2eb-50fb1061cddb" }), nil, ErrDocumentID},
		{"bad priority", bad(func(p *Package) { p.Header.OtherInfo.Priority = 7 }), nil, ErrInvalidValue},
		{"no recipient", bad(func(p *Package) { p.Header.To = nil }), nil, ErrIncomplete},
		{"NUL in a value", bad(func(p *Package) { p.Header.Subject = "a\x00b" }), nil, ErrInvalidValue},
		{"escape character in a value", bad(func(p *Package) { p.Header.From.OrganName = "a\x1bb" }), nil, ErrInvalidValue},
		{"invalid UTF-8", bad(func(p *Package) { p.Header.Content = "\xff" }), nil, ErrInvalidValue},
		{"control character in a description", sampleDocument(), func() []AttachmentSource {
			a := sampleAttachments()
			a[0].Description = "x\x07"
			return a
		}(), ErrInvalidValue},
		{"unsafe attachment name", sampleDocument(), []AttachmentSource{BytesAttachment("../x.pdf", "application/pdf", []byte("x"))}, ErrAttachmentName},
		{"duplicate ContentId", sampleDocument(), func() []AttachmentSource {
			a := sampleAttachments()
			a[0].ContentID, a[1].ContentID = "cid:1", "cid:1"
			return a
		}(), ErrContentID},
		{"changing attachment", sampleDocument(), []AttachmentSource{{Name: "a.pdf", Open: changing()}}, ErrAttachmentChanged},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Write(context.Background(), io.Discard, c.pkg, c.atts, p.Org.Key, p.Org.ChainWithLeaf())
			if !errors.Is(err, c.want) {
				t.Fatalf("%v, want %v", err, c.want)
			}
		})
	}
	t.Run("attachments without contents", func(t *testing.T) {
		pkg, _ := parseBytes(t, writeSigned(t, sampleDocument(), sampleAttachments()))
		if err := Write(context.Background(), io.Discard, pkg, nil, p.Org.Key, p.Org.ChainWithLeaf()); !errors.Is(err, ErrIncomplete) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("certificate of another key", func(t *testing.T) {
		err := Write(context.Background(), io.Discard, sampleDocument(), nil, p.Org.Key, p.Leader.ChainWithLeaf())
		if !errors.Is(err, ErrIncomplete) {
			t.Fatalf("%v", err)
		}
	})
}

// changing returns an opener whose content differs on each open.
func changing() func() (io.ReadCloser, error) {
	n := 0
	return func() (io.ReadCloser, error) {
		n++
		return io.NopCloser(strings.NewReader(strings.Repeat("x", n))), nil
	}
}

func TestWriteFileAtomic(t *testing.T) {
	p := sharedPKI(t)
	dir := t.TempDir()
	name := filepath.Join(dir, "out.edxml")
	// A failing write leaves nothing behind.
	err := WriteFile(context.Background(), name, sampleDocument(), []AttachmentSource{{Name: "a.pdf", Open: changing()}}, p.Org.Key, p.Org.ChainWithLeaf(), WriteOptions{})
	if !errors.Is(err, ErrAttachmentChanged) {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left %v", entries)
	}
	if err := WriteFile(context.Background(), name, sampleDocument(), sampleAttachments(), p.Org.Key, p.Org.ChainWithLeaf(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(name)
	if _, err := verifyBytes(t, b, verifyOpts(t)); err != nil {
		t.Fatal(err)
	}
}

func TestStatusRoundTrip(t *testing.T) {
	p := sharedPKI(t)
	doc, _ := parseBytes(t, writeSigned(t, sampleDocument(), sampleAttachments()))
	if _, err := NewStatus(ResponseForDocument(doc), daklak, StatusRefused, " ", StaffInfo{}, time.Now()); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("a refusal without reason: %v", err)
	}
	if _, err := NewStatus(ResponseForDocument(doc), daklak, "07", "", StaffInfo{}, time.Now()); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("unknown code: %v", err)
	}
	st, err := NewStatus(ResponseForDocument(doc), daklak, StatusAccepted, "Đã vào sổ", StaffInfo{Staff: "Vũ Thị Lan"}, time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, st, nil, p.Org.Key, p.Org.ChainWithLeaf()); err != nil {
		t.Fatal(err)
	}
	got, _ := parseBytes(t, buf.Bytes())
	if _, err := Verify(context.Background(), got, verifyOpts(t)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Status, st.Status) || got.Kind != KindStatus || got.Recipients()[0] != daklak.OrganID ||
		FormatTimestamp(got.Status.Timestamp) != "2026/11/21 15:00:00" {
		t.Fatalf("%+v", got.Status)
	}
}

// Forms that are the same XML as the signed package verify: no whitespace
// or a comment before the envelope, the edXML prefix declared on the root
// instead of the envelope, attachments in the prefixed form.
func TestVerifyEquivalentForms(t *testing.T) {
	signed := string(writeSigned(t, sampleDocument(), sampleAttachments()))
	envTag := `<edXML:edXMLEnvelope xmlns:edXML="` + Namespace + `">`
	rootTag := `<edXML xmlns="` + Namespace + `">`
	for name, in := range map[string]string{
		"no whitespace":      strings.Replace(signed, rootTag+"\n  ", rootTag, 1),
		"comment":            strings.Replace(signed, rootTag+"\n  ", rootTag+"<!-- gửi -->", 1),
		"prefix on the root": strings.Replace(strings.Replace(signed, envTag, "<edXML:edXMLEnvelope>", 1), rootTag, `<edXML xmlns="`+Namespace+`" xmlns:edXML="`+Namespace+`">`, 1),
		"other root prefix":  strings.Replace(strings.Replace(strings.Replace(signed, rootTag, `<v:edXML xmlns:v="`+Namespace+`">`, 1), "</edXML>\n", "</v:edXML>\n", 1), "<AttachmentEncoded>", `<AttachmentEncoded xmlns="`+Namespace+`">`, 1),
		"no XML declaration": strings.TrimPrefix(signed, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"),
		"byte order mark":    "\uFEFF" + signed,
		"CRLF outside":       strings.Replace(signed, "</edXML:edXMLEnvelope>\n", "</edXML:edXMLEnvelope>\r\n", 1),
	} {
		t.Run(name, func(t *testing.T) {
			if in == signed {
				t.Fatal("no change made")
			}
			if _, err := verifyBytes(t, []byte(in), verifyOpts(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
