package edxml

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var fuzzLimits = Limits{MaxPackageSize: 1 << 20, MaxEnvelopeSize: 256 << 10, MaxTextSize: 64 << 10}

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.edxml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) < 4<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(okDoc))
	f.Add([]byte(doc("x", ref("cid:1", "a")+ref("cid:2", "b"), atts(att("cid:1", "a", "QUJD&#13;\n"), att("cid:2", "b", "")))))
	f.Add([]byte(hdr(`<edXML:OtherInfo><edXML:Priority>1</edXML:Priority><edXML:Appendixes><edXML:Appendix>p</edXML:Appendix></edXML:Appendixes></edXML:OtherInfo>`)))
}

// FuzzParse: Parse never panics, stays within its limits, and whatever it
// accepts writes back to a package that parses to the same model.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		contents := map[string]*bytes.Buffer{}
		pkg, err := Parse(context.Background(), bytes.NewReader(b), Options{Limits: fuzzLimits, Sink: func(a Attachment) (io.Writer, error) {
			w := &bytes.Buffer{}
			contents[a.ContentID] = w
			return w, nil
		}})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error without location: %v", err)
			}
			return
		}
		var srcs []AttachmentSource
		for _, a := range pkg.Attachments {
			s := BytesAttachment(a.Name, a.ContentType, contents[a.ContentID].Bytes())
			s.ContentID, s.Description = a.ContentID, a.Description
			srcs = append(srcs, s)
		}
		cp := *pkg
		cp.Attachments = nil
		var out bytes.Buffer
		if err := WriteWith(context.Background(), &out, &cp, srcs, nil, nil, WriteOptions{Lenient: true}); err != nil {
			t.Fatalf("Write of a parsed package: %v", err)
		}
		again, err := Parse(context.Background(), bytes.NewReader(out.Bytes()), Options{})
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, out.Bytes())
		}
		if pkg.Kind != again.Kind || !reflect.DeepEqual(pkg.Header, again.Header) || !reflect.DeepEqual(pkg.Status, again.Status) ||
			!reflect.DeepEqual(pkg.Trace, again.Trace) || !reflect.DeepEqual(pkg.Attachments, again.Attachments) {
			t.Fatalf("round trip changed the model:\n%+v\n%+v", pkg, again)
		}
	})
}

// FuzzReadHeader: ReadHeader never panics and agrees with Parse on every
// package Parse accepts.
func FuzzReadHeader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		h, herr := ReadHeader(context.Background(), bytes.NewReader(b), Options{Limits: fuzzLimits})
		p, perr := Parse(context.Background(), bytes.NewReader(b), Options{Limits: fuzzLimits})
		if perr != nil {
			return
		}
		if herr != nil {
			t.Fatalf("Parse accepts what ReadHeader refuses: %v", herr)
		}
		if h.Kind != p.Kind || !reflect.DeepEqual(h.Header, p.Header) || !reflect.DeepEqual(h.Status, p.Status) || !reflect.DeepEqual(h.Recipients(), p.Recipients()) {
			t.Fatal("ReadHeader and Parse disagree")
		}
	})
}

// FuzzVerify: a mutated signed package either fails, or verifies with
// exactly the model and attachment digests that were signed.
func FuzzVerify(f *testing.F) {
	signed := writeSigned(f, sampleDocument(), []AttachmentSource{BytesAttachment("a.pdf", "application/pdf", []byte("%PDF-1.7 x"))})
	want, err := Parse(context.Background(), bytes.NewReader(signed), Options{})
	if err != nil {
		f.Fatal(err)
	}
	opts := verifyOpts(f)
	f.Add(signed)
	f.Fuzz(func(t *testing.T, b []byte) {
		pkg, err := Parse(context.Background(), bytes.NewReader(b), Options{Limits: fuzzLimits})
		if err != nil {
			return
		}
		if _, err := Verify(context.Background(), pkg, opts); err != nil {
			return
		}
		if !reflect.DeepEqual(pkg.Header, want.Header) || !reflect.DeepEqual(pkg.Trace, want.Trace) || !reflect.DeepEqual(pkg.Attachments, want.Attachments) {
			t.Fatalf("a changed package verified:\n%q", b)
		}
	})
}
