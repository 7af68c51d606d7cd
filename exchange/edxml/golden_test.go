package edxml

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

const fixtureDir = "../../../shared/fixtures/edxml"

func fixtures(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.edxml"))
	if err != nil || len(files) < 15 {
		t.Fatalf("the edXML fixtures are missing from %s (found %d): they are part of the test suite", fixtureDir, len(files))
	}
	return files
}

// malformedFixtures are fixtures that are not well-formed XML and must be
// refused with a clear error: edoc.edxml is a JMeter template (a From
// nested in From and never closed, an attachment that is the placeholder
// ${__StringFromFile(test.txt,,,)}); the national axis's own SAX parser
// rejects it too.
var malformedFixtures = map[string]bool{"edoc.edxml": true}

var contentRE = regexp.MustCompile(`<[^/<>]*ContentTransferEncoded[^>]*>([^<]*)</`)

func TestGoldenFixtures(t *testing.T) {
	for _, f := range fixtures(t) {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if malformedFixtures[name] {
				for _, fn := range []func(context.Context, *bytes.Reader) error{
					func(ctx context.Context, r *bytes.Reader) error { _, err := Parse(ctx, r, Options{}); return err },
					func(ctx context.Context, r *bytes.Reader) error { _, err := ReadHeader(ctx, r, Options{}); return err },
				} {
					if err := fn(context.Background(), bytes.NewReader(raw)); !errors.Is(err, ErrMalformed) {
						t.Fatalf("got %v, want ErrMalformed", err)
					}
				}
				return
			}
			pkg, contents := parseBytes(t, raw)
			checkFixtureValues(t, name, pkg)

			// Attachment digests against an independent decode.
			m := contentRE.FindAllSubmatch(raw, -1)
			if len(m) != len(pkg.Attachments) {
				t.Fatalf("%d contents, %d attachments", len(m), len(pkg.Attachments))
			}
			for i, a := range pkg.Attachments {
				want, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(m[i][1])), ""))
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(want)
				if !bytes.Equal(a.SHA256, sum[:]) || a.Size != int64(len(want)) || !bytes.Equal(contents[a.ContentID], want) {
					t.Errorf("attachment %s: size %d, digest or content differ from an independent decode", a.ContentID, a.Size)
				}
			}

			// ReadHeader sees the same envelope.
			hdr, err := ReadHeader(context.Background(), bytes.NewReader(raw), Options{})
			if err != nil {
				t.Fatalf("ReadHeader: %v", err)
			}
			if !reflect.DeepEqual(hdr.Header, pkg.Header) || !reflect.DeepEqual(hdr.Status, pkg.Status) || !reflect.DeepEqual(hdr.Trace, pkg.Trace) {
				t.Error("ReadHeader and Parse disagree")
			}

			// The fixtures' Signature elements are placeholders in the edXML
			// namespace (or absent): not an XML-DSig signature.
			if _, err := Verify(context.Background(), pkg, verifyOpts(t)); !errors.Is(err, ErrUnsigned) {
				t.Errorf("Verify of the fixture: %v, want ErrUnsigned", err)
			}

			// Write back (as received: lenient values), reparse, compare.
			var srcs []AttachmentSource
			for _, a := range pkg.Attachments {
				s := BytesAttachment(a.Name, a.ContentType, contents[a.ContentID])
				s.ContentID, s.Description = a.ContentID, a.Description
				srcs = append(srcs, s)
			}
			again := rewrite(t, pkg, srcs, nil)
			pkg2, _ := parseBytes(t, again)
			compareModels(t, pkg, pkg2)
			if a, b := structure(t, raw), structure(t, again); !reflect.DeepEqual(a, b) {
				t.Errorf("element structure differs:\nfixture %v\nwritten %v", a, b)
			}

			// Written back signed, it verifies; the signer (the test PKI's
			// Đắk Lắk certificate) is not the fixture's sender.
			p := sharedPKI(t)
			signed := rewrite(t, pkg, srcs, p)
			pkg3, _ := parseBytes(t, signed)
			compareModels(t, pkg, pkg3)
			if _, err := Verify(context.Background(), pkg3, verifyOpts(t)); !errors.Is(err, ErrSignerMismatch) {
				t.Errorf("Verify with another organisation's key: %v, want ErrSignerMismatch", err)
			}
			opts := verifyOpts(t)
			opts.AllowUnmatchedOrganization = true
			s, err := Verify(context.Background(), pkg3, opts)
			if err != nil || s.Match != MatchNone {
				t.Errorf("Verify allowing an unmatched organisation: %v", err)
			}
		})
	}
}

func rewrite(t *testing.T, pkg *Package, srcs []AttachmentSource, p interface{}) []byte {
	t.Helper()
	cp := *pkg
	cp.Attachments = nil
	var buf bytes.Buffer
	var err error
	if p == nil {
		err = WriteWith(context.Background(), &buf, &cp, srcs, nil, nil, WriteOptions{Lenient: true})
	} else {
		org := sharedPKI(t).Org
		err = WriteWith(context.Background(), &buf, &cp, srcs, org.Key, org.ChainWithLeaf(), WriteOptions{Lenient: true})
	}
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func compareModels(t *testing.T, a, b *Package) {
	t.Helper()
	if a.Kind != b.Kind || !reflect.DeepEqual(a.Header, b.Header) || !reflect.DeepEqual(a.Status, b.Status) ||
		!reflect.DeepEqual(a.Trace, b.Trace) || !reflect.DeepEqual(a.Attachments, b.Attachments) {
		t.Errorf("models differ after writing back:\n%+v\n%+v", a, b)
	}
}

// checkFixtureValues pins values read from the fixtures, field by field.
func checkFixtureValues(t *testing.T, name string, p *Package) {
	t.Helper()
	ts := func(s string) time.Time { v, _ := ParseTimestamp(s); return v }
	if strings.HasPrefix(name, "status") {
		want := map[string]StatusCode{"status.edxml": "01", "status_acceptance_03.edxml": "03", "status_assignment_04.edxml": "04",
			"status_cancellation_13.edxml": "13", "status_change-acceptance_15.edxml": "15", "status_change-rejection_16.edxml": "16",
			"status_finish_06.edxml": "06", "status_inbox_01.edxml": "01", "status_processing_05.edxml": "05", "status_rejection_02.edxml": "02"}[name]
		s := p.Status
		if p.Kind != KindStatus || s == nil || s.StatusCode != want || s.ResponseFor.DocumentID != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" ||
			s.Description == "" || s.Timestamp.IsZero() || s.StaffInfo.Mobile != "84912000001" || s.From.OrganID == "" {
			t.Errorf("status values: %+v", s)
		}
		if name == "status.edxml" && (!s.Timestamp.Equal(ts("2018/09/28 17:25:11")) || s.ResponseFor.PromulgationDate != (Date{2018, 9, 28})) {
			t.Errorf("status.edxml values: %+v", s)
		}
		if name == "status_cancellation_13.edxml" && !reflect.DeepEqual(p.Recipients(), []string{"000.00.00.H41"}) {
			t.Errorf("a recall goes to the recipient: %v", p.Recipients())
		}
		return
	}
	h := p.Header
	if p.Kind != KindDocument || h == nil || h.DocumentID != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" ||
		h.DocumentType != (DocumentType{Type: 1, TypeDetail: 0, TypeName: "Công văn"}) || h.SteeringType != SteeringDirective ||
		h.OtherInfo == nil || h.OtherInfo.Priority != PriorityNormal || h.OtherInfo.PageAmount != 22 || h.OtherInfo.Direction ||
		len(h.ToPlaces) != 2 || h.SignerInfo.FullName != "Nguyen Thanh Phuc" || len(p.Attachments) != 1 || p.Attachments[0].ContentID != "cid:209" ||
		p.Trace == nil || p.Trace.Bussiness == nil || p.Trace.Bussiness.StaffInfo.Staff != "Nguyễn Thị Ngọc Trâm" {
		t.Fatalf("document values: %+v", h)
	}
	b := p.Trace.Bussiness
	switch name {
	case "dc0bdef0-c7a3-4aaf-b717-777303442973.edxml":
		if len(h.To) != 3 || h.PromulgationInfo.PromulgationDate != (Date{2019, 4, 11}) || b.BussinessDocType != DocNew ||
			!p.Trace.TraceHeaders[0].Timestamp.Equal(ts("2019/04/11 00:00:00")) || h.From.Fax != "048989898789" {
			t.Errorf("values: %+v %+v", h, b)
		}
	case "edoc_new.edxml":
		if h.To[0].OrganID != "28.22.H17" || b.BussinessDocType != DocNew || b.DocumentID != "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT" {
			t.Errorf("values: %+v %+v", h, b)
		}
	case "edoc_revocation.edxml":
		if b.BussinessDocType != DocRevoke || h.ResponseFor == nil || h.ResponseFor.DocumentID != "000.00.04.G14,2012/08/06,267/VPCP-TTĐT" || h.ResponseFor.Code != "267/VPCP-TTĐT" {
			t.Errorf("values: %+v %+v", h.ResponseFor, b)
		}
	case "edoc_update.edxml":
		d := b.BussinessDocumentInfo
		if b.BussinessDocType != DocUpdate || d == nil || d.DocumentInfo != "1" || len(d.ReceiverList) != 2 || d.ReceiverList[1] != (Receiver{"000.00.00.H14", 1}) {
			t.Errorf("values: %+v", d)
		}
	case "edoc_replacement.edxml":
		if b.BussinessDocType != DocReplace || len(b.ReplacementInfoList) != 2 || !reflect.DeepEqual(b.ReplacementInfoList[0].OrganIDList, []string{"000.00.00.H41", "000.00.00.H14"}) {
			t.Errorf("values: %+v", b.ReplacementInfoList)
		}
	default:
		t.Errorf("no pinned values for %s", name)
	}
}
