package edxml

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/internal/testpki"
)

// Cross-checks with an independent XML-DSig implementation, xmlsec1
// (libxmlsec1 over OpenSSL): it verifies the signatures Write makes, with
// the envelope as the signed document and the cid: References mapped to
// the attachments' decoded contents; and Verify accepts signatures xmlsec1
// makes over the same template.

func xmlsec1(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmlsec1")
	if err != nil {
		t.Fatal("xmlsec1 is required for the independent XML-DSig check (scripts/install-deps.sh installs it)")
	}
	return p
}

var envelopeRE = regexp.MustCompile(`(?s)<edXML:edXMLEnvelope.*</edXML:edXMLEnvelope>`)

// xmlsecFiles writes the envelope of a package, the attachments' decoded
// contents and the trust anchors into dir, and returns the xmlsec1
// arguments that map them.
func xmlsecFiles(t *testing.T, dir string, b []byte, contents map[string][]byte) (env string, args []string) {
	t.Helper()
	env = filepath.Join(dir, "envelope.xml")
	if err := os.WriteFile(env, envelopeRE.Find(b), 0o600); err != nil {
		t.Fatal(err)
	}
	chain := sharedPKI(t).Org.Chain
	root, inter := filepath.Join(dir, "root.pem"), filepath.Join(dir, "inter.pem")
	os.WriteFile(root, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: chain[len(chain)-1].Raw}), 0o600)
	os.WriteFile(inter, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: chain[0].Raw}), 0o600)
	args = []string{"--trusted-pem", root, "--untrusted-pem", inter,
		"--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:KeyInfo",
		"--enabled-reference-uris", "empty,same-doc,local,remote"}
	i := 0
	for cid, data := range contents {
		i++
		f := filepath.Join(dir, "att"+itoa(i))
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--url-map:"+cid, f)
	}
	return env, args
}

func TestXmlsecVerifiesOurSignatures(t *testing.T) {
	bin := xmlsec1(t)
	p := sharedPKI(t)
	status, err := NewStatus(ResponseFor{OrganID: "000.00.00.H41", DocumentID: "000.00.00.H41,2026/11/20,12/UBND-VP"}, daklak, StatusArrived, "Đã đến", StaffInfo{}, p.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		id   *testpki.Identity
		pkg  *Package
		atts []AttachmentSource
		refs int
	}{
		{"document RSA", p.Org, sampleDocument(), sampleAttachments(), 4},
		{"document ECDSA", p.Specialist, sampleDocument(), sampleAttachments(), 4},
		{"status RSA", p.Org, status, nil, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(context.Background(), &buf, c.pkg, c.atts, c.id.Key, c.id.ChainWithLeaf()); err != nil {
				t.Fatal(err)
			}
			_, contents := parseBytes(t, buf.Bytes())
			dir := t.TempDir()
			env, args := xmlsecFiles(t, dir, buf.Bytes(), contents)
			out, err := exec.Command(bin, append(append([]string{"--verify"}, args...), env)...).CombinedOutput()
			want := "SignedInfo References (ok/all): " + itoa(c.refs) + "/" + itoa(c.refs)
			if err != nil || !strings.Contains(string(out), want) {
				t.Fatalf("xmlsec1 --verify: %v\n%s", err, out)
			}
			if len(contents) == 0 {
				return
			}
			// Control: xmlsec1 does check the attachments.
			for cid, data := range contents {
				bad := bytes.Clone(data)
				bad[len(bad)/2] ^= 1
				contents[cid] = bad
				break
			}
			env, args = xmlsecFiles(t, t.TempDir(), buf.Bytes(), contents)
			if out, err := exec.Command(bin, append(append([]string{"--verify"}, args...), env)...).CombinedOutput(); err == nil {
				t.Fatalf("xmlsec1 accepted a changed attachment:\n%s", out)
			}
		})
	}
}

func TestVerifyAcceptsXmlsecSignature(t *testing.T) {
	bin := xmlsec1(t)
	p := sharedPKI(t)
	b := writeSigned(t, sampleDocument(), sampleAttachments())
	_, contents := parseBytes(t, b)
	dir := t.TempDir()
	env, args := xmlsecFiles(t, dir, b, contents)
	// Our envelope becomes a template: no digests, no value, empty X509Data.
	tmpl, _ := os.ReadFile(env)
	tmpl = regexp.MustCompile(`<DigestValue>[^<]*</DigestValue>`).ReplaceAll(tmpl, []byte("<DigestValue></DigestValue>"))
	tmpl = regexp.MustCompile(`<SignatureValue>[^<]*</SignatureValue>`).ReplaceAll(tmpl, []byte("<SignatureValue></SignatureValue>"))
	tmpl = regexp.MustCompile(`(?s)<X509Data>.*</X509Data>`).ReplaceAll(tmpl, []byte("<X509Data/>"))
	os.WriteFile(env, tmpl, 0o600)
	key, cert := filepath.Join(dir, "key.pem"), filepath.Join(dir, "cert.pem")
	os.WriteFile(key, p.Org.KeyPKCS8PEM(), 0o600)
	os.WriteFile(cert, p.Org.CertPEM(), 0o600)
	signedEnv := filepath.Join(dir, "signed.xml")
	out, err := exec.Command(bin, append(append([]string{"--sign", "--privkey-pem", key + "," + cert, "--output", signedEnv}, args...), env)...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmlsec1 --sign: %v\n%s", err, out)
	}
	se, _ := os.ReadFile(signedEnv)
	se = bytes.TrimPrefix(se, []byte(`<?xml version="1.0"?>`+"\n"))
	pkgBytes := envelopeRE.ReplaceAllLiteral(b, bytes.TrimSpace(se))
	if bytes.Equal(pkgBytes, b) {
		t.Fatal("xmlsec1 made the same signature bytes: nothing was tested")
	}
	if _, err := verifyBytes(t, pkgBytes, verifyOpts(t)); err != nil {
		t.Fatalf("Verify of xmlsec1's signature: %v", err)
	}
	c0 := contentOf(t, pkgBytes, 0)
	bad := bytes.Replace(pkgBytes, c0, append([]byte("QUFB"), c0[4:]...), 1)
	if _, err := verifyBytes(t, bad, verifyOpts(t)); !errors.Is(err, ErrSignatureInvalid) {
		t.Fatalf("changed attachment under xmlsec1's signature: %v", err)
	}
}
