package edxml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Attacking tests: every hostile input gets a sentinel error, in bounded
// time and memory.

func doc(subject, manifest, attachments string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="` + Namespace + `"><edXML:edXMLEnvelope xmlns:edXML="` + Namespace + `"><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From>
<edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:To>
<edXML:Subject>` + subject + `</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader>
<edXML:edXMLBody><edXML:edXMLManifest>` + manifest + `</edXML:edXMLManifest></edXML:edXMLBody>
</edXML:edXMLEnvelope>` + attachments + `</edXML>`
}

// hdr adds elements at the end of the MessageHeader of okDoc.
func hdr(extra string) string {
	return strings.Replace(okDoc, "</edXML:MessageHeader>", extra+"</edXML:MessageHeader>", 1)
}

func ref(cid, name string) string {
	return `<edXML:Reference><edXML:ContentId>` + cid + `</edXML:ContentId><edXML:AttachmentName>` + name + `</edXML:AttachmentName></edXML:Reference>`
}

func att(cid, name, content string) string {
	return `<Attachment><ContentId>` + cid + `</ContentId><AttachmentName>` + name + `</AttachmentName><ContentTransferEncoded>` + content + `</ContentTransferEncoded></Attachment>`
}

func atts(a ...string) string {
	return "<AttachmentEncoded>" + strings.Join(a, "") + "</AttachmentEncoded>"
}

var okDoc = doc("x", ref("cid:1", "a.pdf"), atts(att("cid:1", "a.pdf", "QUJD")))

func TestHostileDocumentsControl(t *testing.T) {
	// The template itself is fine, so each failure below is the attack's.
	for _, fn := range []func(context.Context, io.Reader, Options) (*Package, error){Parse, ReadHeader} {
		p, err := fn(context.Background(), strings.NewReader(okDoc), Options{})
		if err != nil || p.Attachments[0].Size != 3 {
			t.Fatalf("control document: %v", err)
		}
	}
}

func TestHostileXML(t *testing.T) {
	deep := strings.Repeat("<edXML:X>", 10000) + strings.Repeat("</edXML:X>", 10000)
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		strings.TrimPrefix(doc("&lol3;", "", ""), `<?xml version="1.0" encoding="UTF-8"?>`)
	big := strings.Repeat("A", 2<<20)
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"doctype", `<!DOCTYPE edXML>` + okDoc[strings.Index(okDoc, "\n"):], ErrDoctype},
		{"billion laughs", laughs, ErrDoctype},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + doc("&e;", "", "")[38:], ErrDoctype},
		{"undeclared entity", doc("&e;", "", ""), ErrMalformed},
		{"deep nesting in the envelope", hdr(deep), ErrTooDeep},
		{"deep nesting in an attachment", doc("x", ref("cid:1", "a"), atts(`<Attachment><ContentId>cid:1</ContentId>`+strings.Replace(deep, "edXML:", "", -1)+`</Attachment>`)), ErrTooDeep},
		{"huge element text", doc(big, "", ""), ErrTextTooLarge},
		{"huge attribute", hdr(`<edXML:Y a="` + big + `"/>`), ErrTextTooLarge},
		{"huge comment", doc("x<!--"+big+"-->", "", ""), ErrTextTooLarge},
		{"huge attachment metadata", doc("x", ref("cid:1", "a"), atts(att("cid:1"+big, "a", "QUJD"))), ErrTextTooLarge},
		{"huge envelope", doc(strings.Repeat("<edXML:Y>"+strings.Repeat("b", 100<<10)+"</edXML:Y>", 50), "", ""), ErrEnvelopeTooLarge},
		{"many elements", doc(strings.Repeat("<edXML:Y/>", 30000), "", ""), ErrTooMany},
		{"wrong root namespace", strings.Replace(okDoc, `<edXML xmlns="`+Namespace+`">`, `<edXML xmlns="urn:other">`, 1), ErrNamespace},
		{"no namespace", strings.Replace(okDoc, ` xmlns="`+Namespace+`"`, ``, 1), ErrNamespace},
		{"wrong envelope namespace", strings.Replace(okDoc, `<edXML:edXMLEnvelope xmlns:edXML="`+Namespace+`">`, `<edXML:edXMLEnvelope xmlns:edXML="urn:x">`, 1), ErrNamespace},
		{"undeclared prefix", strings.Replace(okDoc, `<edXML:From>`, `<ed:From>`, 1), ErrMalformed},
		{"foreign element", strings.Replace(okDoc, `<edXML:From>`, `<edXML:From><x:Y xmlns:x="urn:x"/>`, 1), ErrNamespace},
		{"wrong root", strings.Replace(strings.Replace(okDoc, "<edXML ", "<EdXML ", 1), "</edXML>", "</EdXML>", 1), ErrStructure},
		{"two envelopes", strings.Replace(okDoc, "</edXML:edXMLEnvelope>", "</edXML:edXMLEnvelope><edXMLEnvelope/>", 1), ErrStructure},
		{"two From", strings.Replace(okDoc, `<edXML:Subject>`, `<edXML:From><edXML:OrganId>G22</edXML:OrganId></edXML:From><edXML:Subject>`, 1), ErrStructure},
		{"two DocumentId", hdr(`<edXML:DocumentId>a</edXML:DocumentId><edXML:DocumentId>b</edXML:DocumentId>`), ErrStructure},
		{"no To", strings.Replace(okDoc, `<edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:To>`, ``, 1), ErrStructure},
		{"second root", okDoc + "<edXML/>", ErrMalformed},
		{"text after root", okDoc + "junk", ErrMalformed},
		{"truncated", okDoc[:len(okDoc)-40], ErrMalformed},
		{"empty", "", ErrMalformed},
		{"not xml", "%PDF-1.7", ErrMalformed},
		{"NUL byte", doc("a\x00b", "", ""), ErrMalformed},
		{"NUL reference", doc("a&#0;b", "", ""), ErrMalformed},
		{"processing instruction", strings.Replace(okDoc, "<edXML:From>", "<?php x?><edXML:From>", 1), ErrMalformed},
		{"no XML declaration but a PI", "<?yml version=\"1.0\"?>" + okDoc[strings.Index(okDoc, "\n"):], ErrMalformed},
		{"bad XML declaration", strings.Replace(okDoc, `encoding="UTF-8"`, `encoding=#UTF-8"`, 1), ErrMalformed},
		{"latin-1", strings.Replace(okDoc, "UTF-8", "ISO-8859-1", 1), ErrMalformed},
		{"bad priority", hdr(`<edXML:OtherInfo><edXML:Priority>5</edXML:Priority></edXML:OtherInfo>`), ErrInvalidValue},
		{"bad steering type", hdr(`<edXML:SteeringType>-1</edXML:SteeringType>`), ErrInvalidValue},
		{"bad date", hdr(`<edXML:DueDate>2026/02/30</edXML:DueDate>`), ErrInvalidValue},
		{"status with attachments", strings.Replace(strings.Replace(doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QUJD"))),
			"<edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:To>", "<edXML:ResponseFor><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:DocumentId>x</edXML:DocumentId></edXML:ResponseFor><edXML:StatusCode>01</edXML:StatusCode>", 1),
			"<edXML:Subject>x</edXML:Subject>", "", 1), ErrStructure},
		{"elements in a value", doc(`x<edXML:B>y</edXML:B>`, "", ""), ErrStructure},

		// Attachment names.
		{"dot-dot name", doc("x", ref("cid:1", "../../x"), atts(att("cid:1", "../../x", "QUJD"))), ErrAttachmentName},
		{"windows path", doc("x", ref("cid:1", `C:\x`), atts(att("cid:1", `C:\x`, "QUJD"))), ErrAttachmentName},
		{"drive-relative", doc("x", ref("cid:1", `C:x.exe`), atts(att("cid:1", `C:x.exe`, "QUJD"))), ErrAttachmentName},
		{"absolute path", doc("x", ref("cid:1", "/etc/passwd"), atts(att("cid:1", "/etc/passwd", "QUJD"))), ErrAttachmentName},
		{"tab in name", doc("x", ref("cid:1", "a&#9;b"), atts(att("cid:1", "a&#9;b", "QUJD"))), ErrAttachmentName},
		{"newline in name", doc("x", ref("cid:1", "a&#10;.pdf"), atts(att("cid:1", "a&#10;.pdf", "QUJD"))), ErrAttachmentName},
		{"empty name", doc("x", ref("cid:1", ""), atts(att("cid:1", "", "QUJD"))), ErrAttachmentName},
		{"unsafe name outside the manifest", doc("x", ref("cid:1", "a.pdf"), atts(att("cid:1", "../a.pdf", "QUJD"))), ErrAttachmentName},

		// ContentId references.
		{"unknown ContentId", doc("x", ref("cid:1", "a"), atts(att("cid:2", "a", "QUJD"))), ErrContentID},
		{"missing attachment", doc("x", ref("cid:1", "a")+ref("cid:2", "b"), atts(att("cid:1", "a", "QUJD"))), ErrContentID},
		{"no AttachmentEncoded", doc("x", ref("cid:1", "a"), ""), ErrContentID},
		{"duplicate attachment", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QUJD"), att("cid:1", "a", "QUJD"))), ErrContentID},
		{"duplicate manifest entry", doc("x", ref("cid:1", "a")+ref("cid:1", "b"), atts(att("cid:1", "a", "QUJD"))), ErrContentID},
		{"attachment not in an empty manifest", doc("x", "", atts(att("cid:1", "a", "QUJD"))), ErrContentID},
		{"name differs from manifest", doc("x", ref("cid:1", "a.pdf"), atts(att("cid:1", "b.exe", "QUJD"))), ErrContentID},
		{"no ContentId", doc("x", ref("", "a"), ""), ErrContentID},
		{"content before ContentId", doc("x", ref("cid:1", "a"), atts(`<Attachment><ContentTransferEncoded>QUJD</ContentTransferEncoded><ContentId>cid:1</ContentId></Attachment>`)), ErrStructure},
		{"attachment without content", doc("x", ref("cid:1", "a"), atts(`<Attachment><ContentId>cid:1</ContentId></Attachment>`)), ErrContentID},

		// Base64.
		{"invalid base64", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QU$D"))), ErrInvalidBase64},
		{"placeholder content", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "${__StringFromFile(test.txt,,,)}"))), ErrInvalidBase64},
		{"truncated base64", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QUJ"))), ErrInvalidBase64},
		{"data after padding", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QQ==QUJD"))), ErrInvalidBase64},
		{"entity in base64", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QU&amp;JD"))), ErrInvalidBase64},
		{"CDATA in base64", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "<![CDATA[QUJD]]>"))), ErrInvalidBase64},
		{"element in base64", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QUJD<x/>"))), ErrInvalidBase64},
		{"unterminated content", doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QUJD")))[:len(okDoc)-60], ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, fn := range []struct {
				name string
				f    func(context.Context, io.Reader, Options) (*Package, error)
			}{{"Parse", Parse}, {"ReadHeader", ReadHeader}} {
				start := time.Now()
				_, err := fn.f(context.Background(), strings.NewReader(c.in), Options{})
				if !errors.Is(err, c.want) {
					t.Errorf("%s: %v, want %v", fn.name, err, c.want)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("%s took %v", fn.name, d)
				}
			}
		})
	}
}

func TestRecipientsOnce(t *testing.T) {
	in := hdr(`<edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:To><edXML:To><edXML:OrganId>G06</edXML:OrganId></edXML:To>`)
	p, err := ReadHeader(context.Background(), strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Recipients(); len(got) != 2 || got[0] != "000.00.00.H41" || got[1] != "G06" || len(p.Header.To) != 3 {
		t.Fatalf("%v", got)
	}
}

func TestWhitespaceReferencesInBase64(t *testing.T) {
	// Java serialisers write CR as &#13;: accepted as whitespace.
	p, err := Parse(context.Background(), strings.NewReader(doc("x", ref("cid:1", "a"), atts(att("cid:1", "a", "QUJD&#13;\nREVG&#xD;&#10;")))), Options{})
	if err != nil || p.Attachments[0].Size != 6 {
		t.Fatalf("%v", err)
	}
}

// repeatReader yields n copies of c without ever holding them.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.c
	}
	r.n -= k
	return int(k), nil
}

// hugeAttachment is a package whose one attachment is n base64 characters,
// generated on the fly.
func hugeAttachment(n int64) io.Reader {
	full := doc("x", ref("cid:1", "big.bin"), atts(att("cid:1", "big.bin", "@")))
	i := strings.Index(full, "@")
	return io.MultiReader(strings.NewReader(full[:i]), &repeatReader{'A', n}, strings.NewReader(full[i+1:]))
}

func TestHostileGigabyteBase64(t *testing.T) {
	cases := []struct {
		name string
		lim  Limits
		want error
	}{
		{"package limit", Limits{}, ErrTooLarge},
		{"attachment limit", Limits{MaxPackageSize: 2 << 30, MaxAttachmentSize: 10 << 20}, ErrAttachmentTooLarge},
	}
	for _, c := range cases {
		for _, fn := range []struct {
			name string
			f    func(context.Context, io.Reader, Options) (*Package, error)
		}{{"Parse", Parse}, {"ReadHeader", ReadHeader}} {
			t.Run(c.name+"/"+fn.name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				_, err := fn.f(context.Background(), hugeAttachment(1<<30), Options{Limits: c.lim})
				elapsed := time.Since(start)
				runtime.ReadMemStats(&after)
				if !errors.Is(err, c.want) {
					t.Fatalf("%v, want %v", err, c.want)
				}
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
					t.Errorf("allocated %d MiB reading a 1 GiB run", alloc>>20)
				}
				if elapsed > 20*time.Second {
					t.Errorf("took %v", elapsed)
				}
			})
		}
	}
}

func TestParseProgress(t *testing.T) {
	var calls []int64
	p, err := Parse(context.Background(), hugeAttachment(4<<20), Options{Progress: func(n int64) { calls = append(calls, n) }})
	if err != nil || p.Attachments[0].Size != 3<<20 {
		t.Fatalf("%v", err)
	}
	if len(calls) < 3 || calls[len(calls)-1] < 3<<20 {
		t.Fatalf("progress %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i] <= calls[i-1] {
			t.Fatalf("progress goes back: %v", calls)
		}
	}
}

func TestParseCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Parse(ctx, hugeAttachment(10<<20), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
}

func TestLimitsOfLists(t *testing.T) {
	var to, manifest, content strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&to, `<edXML:To><edXML:OrganId>G%02d</edXML:OrganId></edXML:To>`, i+10)
		manifest.WriteString(ref(fmt.Sprintf("cid:%d", i), "a"))
		content.WriteString(att(fmt.Sprintf("cid:%d", i), "a", "QUJD"))
	}
	in := strings.Replace(doc("x", manifest.String(), atts(content.String())), "</edXML:MessageHeader>", to.String()+"</edXML:MessageHeader>", 1)
	if _, err := Parse(context.Background(), strings.NewReader(in), Options{}); err != nil {
		t.Fatalf("20 recipients and attachments: %v", err)
	}
	if _, err := Parse(context.Background(), strings.NewReader(in), Options{Limits: Limits{MaxRecipients: 10}}); !errors.Is(err, ErrTooMany) {
		t.Errorf("recipients: %v", err)
	}
	if _, err := Parse(context.Background(), strings.NewReader(in), Options{Limits: Limits{MaxAttachments: 10}}); !errors.Is(err, ErrTooMany) {
		t.Errorf("attachments: %v", err)
	}
}

func TestSinkError(t *testing.T) {
	boom := errors.New("disk full")
	_, err := Parse(context.Background(), strings.NewReader(okDoc), Options{Sink: func(Attachment) (io.Writer, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Fatalf("%v", err)
	}
	_, err = Parse(context.Background(), strings.NewReader(okDoc), Options{Sink: func(Attachment) (io.Writer, error) { return failWriter{boom}, nil }})
	if !errors.Is(err, boom) {
		t.Fatalf("%v", err)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

func TestErrorLocates(t *testing.T) {
	_, err := Parse(context.Background(), strings.NewReader(hdr(`<edXML:DueDate>2026/13/01</edXML:DueDate>`)), Options{})
	var e *Error
	if !errors.As(err, &e) || !strings.HasSuffix(e.Path, "MessageHeader/DueDate") || e.Line != 6 || strings.Count(err.Error(), "invalid value") != 1 {
		t.Fatalf("%#v", err)
	}
	_ = bytes.MinRead
}
