package verify

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rawPDF assembles objects (bodies indexed from 1) with a classic xref.
func rawPDF(objs []string, trailerExtra string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, trailerExtra, x)
	return b.Bytes()
}

func sigDict(br string, contents string) string {
	return fmt.Sprintf("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange %s /Contents <%s> >>", br, contents)
}

func zeros(n int) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		w.Write(chunk[:k])
		n -= k
	}
	w.Close()
	return b.Bytes()
}

func hostileCases(big bool) map[string][]byte {
	cases := map[string][]byte{}
	form := "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>"
	pages := "<< /Type /Pages /Kids [] /Count 0 >>"
	field := "<< /FT /Sig /T (S) /V 4 0 R >>"
	cases["reference loop"] = rawPDF([]string{"5 0 R", pages, field, "6 0 R", "1 0 R", "5 0 R"}, "")
	cases["page tree loop"] = rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>", "<< /Type /Pages /Kids [2 0 R 3 0 R] /Parent 2 0 R >>"}, "")
	cases["field tree loop"] = rawPDF([]string{"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>", pages, "<< /T (a) /Kids [4 0 R] >>", "<< /T (b) /Kids [3 0 R] /Parent 3 0 R >>"}, "")
	cases["deep nesting"] = rawPDF([]string{form, pages, field, strings.Repeat("[", 200000) + strings.Repeat("]", 200000)}, "")
	cases["byterange overlap"] = rawPDF([]string{form, pages, field, sigDict("[0 500 100 50]", "3082")}, "")
	cases["byterange outside file"] = rawPDF([]string{form, pages, field, sigDict("[0 10 99999999 99999999]", "3082")}, "")
	cases["byterange negative"] = rawPDF([]string{form, pages, field, sigDict("[-5 10 20 -1]", "3082")}, "")
	cases["byterange huge ints"] = rawPDF([]string{form, pages, field, sigDict("[0 9223372036854775807 9223372036854775807 9223372036854775807]", "00")}, "")
	cases["malformed cms"] = rawPDF([]string{form, pages, field, sigDict("[0 10 20 30]", strings.Repeat("30ff", 1000))}, "")
	cases["prev loop"] = func() []byte {
		b := rawPDF([]string{form, pages}, "")
		x := bytes.LastIndex(b, []byte("xref"))
		return bytes.Replace(b, []byte("/Root 1 0 R "), []byte(fmt.Sprintf("/Root 1 0 R /Prev %d ", x)), 1)
	}()
	cases["truncated"] = rawPDF([]string{form, pages, field, sigDict("[0 10 20 30]", "3082")}, "")[:150]
	cases["empty"] = []byte{}
	cases["header only"] = []byte("%PDF-1.7\n")
	cases["many eofs"] = []byte("%PDF-1.7\n" + strings.Repeat("startxref\n9\n%%EOF\n", 100000))
	if !big {
		return cases
	}
	cases["huge cms"] = rawPDF([]string{form, pages, field, sigDict("[0 10 20 30]", strings.Repeat("3084ffffffff", 1<<20))}, "")
	bomb := zeros(400 << 20)
	cases["decompression bomb"] = rawPDF([]string{form, pages, field, fmt.Sprintf("<< /Length %d /Filter /FlateDecode /Type /ObjStm /N 1 /First 4 >>\nstream\n%s\nendstream", len(bomb), bomb), "<< >>"}, "")
	return cases
}

func checkBounded(t *testing.T, name string, data []byte) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	var res *Result
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("%s: panic: %v", name, p)
			}
		}()
		res, _ = Verify(context.Background(), bytes.NewReader(data), int64(len(data)), Options{Trust: testStore(t)})
	}()
	el := time.Since(start)
	runtime.ReadMemStats(&after)
	if el > 5*time.Second {
		t.Errorf("%s: took %v", name, el)
	}
	if after.TotalAlloc-before.TotalAlloc > 512<<20 {
		t.Errorf("%s: allocated %d MB", name, (after.TotalAlloc-before.TotalAlloc)>>20)
	}
	if res == nil || res.Status == StatusValid {
		t.Errorf("%s: result %+v", name, res)
	}
}

func TestHostileInput(t *testing.T) {
	for name, data := range hostileCases(true) {
		t.Run(name, func(t *testing.T) { checkBounded(t, name, data) })
	}
}

// TestTruncatedSigned truncates a real signed file at many offsets.
func TestTruncatedSigned(t *testing.T) {
	files := dssFiles(t)
	var data []byte
	for _, f := range files {
		if strings.HasSuffix(f, "pades-bes.pdf") {
			data = mustRead(t, f)
		}
	}
	if data == nil {
		t.Fatal("pades-bes.pdf missing from the DSS corpus")
	}
	step := max(len(data)/97, 1)
	for n := 0; n < len(data); n += step {
		checkBounded(t, fmt.Sprintf("truncated at %d", n), data[:n])
	}
}

// TestXrefChainRewritten appends an update whose /Prev skips the
// revision after the signature (the document time-stamp): a viewer no
// longer reads it. What the signature covers is unchanged, so nothing is
// disallowed; the dropped revision is reported, and its time-stamp is
// gone from the result.
func TestXrefChainRewritten(t *testing.T) {
	data := mustRead(t, dssDir+"/pades-t-level-extended.pdf") // signature in revision 1, doc timestamp in 2
	res, err := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), Options{Trust: testStore(t)})
	if err != nil || len(res.Signatures) != 2 || res.Signatures[0].Revision != 1 {
		t.Fatalf("unexpected base result: %v %+v", err, res)
	}
	end := res.Signatures[0].ByteRange[2] + res.Signatures[0].ByteRange[3]
	prev := lastStartxref(data[:end])
	var b bytes.Buffer
	b.Write(data)
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1000 /Root %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", findRoot(data), prev, x)
	res, _ = Verify(context.Background(), bytes.NewReader(b.Bytes()), int64(b.Len()), Options{Trust: testStore(t)})
	if len(res.Signatures) != 1 {
		t.Fatalf("the dropped time-stamp is still listed: %+v", res.Signatures)
	}
	s := res.Signatures[0]
	dropped := false
	for _, ch := range s.Changes {
		for _, p := range ch.Problems {
			if p.Code == CodeXrefRewritten && p.Params["kind"] == ChangeRevisionDropped && ch.Revision == 2 {
				dropped = true
			}
		}
	}
	if !dropped || s.ModifiedAfter == ModDisallowed {
		t.Fatalf("want the dropped revision 2 reported and no disallowed change: %s %+v", s.ModifiedAfter, s.Changes)
	}
}

func lastStartxref(b []byte) int {
	i := bytes.LastIndex(b, []byte("startxref"))
	var n int
	fmt.Sscan(string(b[i+len("startxref"):]), &n) // Sscan treats newlines as spaces
	return n
}

func findRoot(b []byte) string {
	i := bytes.LastIndex(b, []byte("/Root "))
	var a, g int
	fmt.Sscan(string(b[i+len("/Root "):]), &a, &g)
	return fmt.Sprintf("%d %d R", a, g)
}
