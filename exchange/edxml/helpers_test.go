package edxml

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"encoding/xml"

	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/trust"
)

// sharedPKI is the test PKI shared by the test binary.
func sharedPKI(t testing.TB) *testpki.PKI { return testpki.Shared(t) }

// trustStore trusts the test PKI's root (and knows its intermediate).
func trustStore(t testing.TB) *trust.Store {
	p := sharedPKI(t)
	s := trust.New()
	chain := p.Org.Chain
	s.Add(chain[len(chain)-1], trust.RoleAnchor, "test")
	for _, c := range chain[:len(chain)-1] {
		s.Add(c, trust.RoleIntermediate, "test")
	}
	return s
}

// daklak is the organisation of the test PKI's organisation certificate.
var daklak = Organization{
	OrganID: "000.00.00.H17", OrganizationInCharge: "Ủy ban nhân dân tỉnh Đắk Lắk", OrganName: "UBND tỉnh Đắk Lắk",
	OrganAdd: "09 Lê Duẩn, Buôn Ma Thuột", Email: "ubnd@daklak.gov.vn", Telephone: "0262 3852 525",
}

var nghean = Organization{OrganID: "000.00.00.H41", OrganName: "UBND Tỉnh Nghệ An", Email: "nghean@gov.vn"}
var g06 = Organization{OrganID: "G06.01", OrganName: "Sở Nội vụ"}

func sampleDocument() *Package {
	date := Date{2026, 11, 20}
	id, _ := NewDocumentID(daklak.OrganID, date, "123", "UBND-VP")
	return &Package{
		Kind: KindDocument,
		Header: &Header{
			From: daklak, To: []Organization{nghean, g06}, DocumentID: id,
			Code:             Code{CodeNumber: "123", CodeNotation: "UBND-VP"},
			PromulgationInfo: PromulgationInfo{Place: "Đắk Lắk", PromulgationDate: date},
			DocumentType:     DocumentType{Type: 1, TypeDetail: 0, TypeName: "Công văn"},
			Subject:          "V/v triển khai <gửi & nhận> văn bản điện tử", Content: "Nội dung",
			SignerInfo:   SignerInfo{Competence: "KT. CHỦ TỊCH", Position: "Phó Chủ tịch", FullName: "Nguyễn Văn Ánh"},
			DueDate:      Date{2026, 12, 1},
			OtherInfo:    &OtherInfo{Priority: PriorityUrgent, SphereOfPromulgation: "Liên thông", PromulgationAmount: 2, PageAmount: 3, Direction: true, Appendixes: []string{"Phụ lục I"}},
			SteeringType: SteeringDirective,
			ToPlaces:     []string{"Như trên", "Lưu: VT"},
		},
		Trace: &TraceHeaderList{
			TraceHeaders: []TraceHeader{{OrganID: daklak.OrganID, Timestamp: time.Date(2026, 11, 20, 9, 30, 0, 0, Vietnam)}},
			Bussiness:    &Bussiness{BussinessDocType: DocNew, BussinessDocReason: "Văn bản điện tử mới", StaffInfo: StaffInfo{Department: "Văn thư", Staff: "Vũ Thị Lan"}},
		},
	}
}

func sampleAttachments() []AttachmentSource {
	return []AttachmentSource{
		BytesAttachment("cong-van-123.pdf", "application/pdf", bytes.Repeat([]byte("%PDF-1.7 test "), 5000)),
		BytesAttachment("Phụ lục.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []byte("phu luc")),
	}
}

// writeSigned writes pkg signed by the test organisation certificate.
func writeSigned(t testing.TB, pkg *Package, atts []AttachmentSource) []byte {
	t.Helper()
	p := sharedPKI(t)
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, pkg, atts, p.Org.Key, p.Org.ChainWithLeaf()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func parseBytes(t testing.TB, b []byte) (*Package, map[string][]byte) {
	t.Helper()
	got := map[string][]byte{}
	pkg, err := Parse(context.Background(), bytes.NewReader(b), Options{Sink: func(a Attachment) (io.Writer, error) {
		w := &bytes.Buffer{}
		t.Cleanup(func() { got[a.ContentID] = w.Bytes() })
		return sinkFunc(func(p []byte) { w.Write(p); got[a.ContentID] = w.Bytes() }), nil
	}})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return pkg, got
}

type sinkFunc func([]byte)

func (f sinkFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

func verifyOpts(t testing.TB) VerifyOptions {
	return VerifyOptions{Trust: trustStore(t)}
}

// structure returns the sorted multiset of element paths of an XML
// document, without the Signature subtree and the attachment contents.
func structure(t testing.TB, b []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []string
	var out []string
	skip := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("structure: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			if tok.Name.Local == "Signature" || skip > 0 {
				skip++
				continue
			}
			out = append(out, strings.Join(stack, "/"))
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			if skip > 0 {
				skip--
			}
		}
	}
	sort.Strings(out)
	return out
}
