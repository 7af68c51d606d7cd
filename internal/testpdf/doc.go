package testpdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// Options describe a one-page test document with text, for the
// verifier's attack and control tests.
type Options struct {
	// Lines of Helvetica text, 24 pt, from the top (default "PAY 1000").
	Lines []string
	// Hidden is drawn at line 3 under an opaque white square annotation
	// the signer sees instead (the shadow "hide" attack's cover).
	Hidden string
	// HiddenField is drawn at line 4 under an opaque white text field
	// "note" (empty value) covering it.
	HiddenField string
	// Field adds a text field "amount" with value and appearance "1000"
	// at line 6.
	Field bool
	// OverField adds an empty text field "memo" whose appearance draws
	// nothing, over line 1.
	OverField bool
	// ContentType is the /Type the content stream declares (a page content
	// stream calling itself /Metadata …).
	ContentType string
	// Dangling draws the form XObject /Late, referenced as an object
	// number the file does not define.
	Dangling bool
	// LengthRef gives the content stream an indirect /Length.
	LengthRef bool
	// Struct adds a structure tree whose element lists the content stream.
	Struct bool
	// DSS adds a /DSS whose /Certs lists the content stream.
	DSS bool
	// Compressed stores the catalog, page and font in an object stream
	// with a cross-reference stream.
	Compressed bool
	// History saves the document first with "PAY 9000000" and then, in an
	// unsigned incremental update, with the real content: the older
	// definition stays in the file.
	History bool
}

// Layout gives the object numbers of a document Build wrote.
type Layout struct {
	Catalog, Pages, Page, Content, Font, Length int
	Cover, CoverAP                              int // the white square annotation (Hidden)
	Field, FieldAP                              int // "amount"
	Note, NoteAP                                int // "note" (HiddenField)
	Memo, MemoAP                                int // "memo" (OverField)
	Struct, DSS                                 int
	Late                                        int // the undefined XObject (Dangling)
	ObjStm                                      int // Compressed
	Size                                        int
}

// Line returns the content operators drawing text s on line i (from 1).
func Line(i int, s string) string {
	return fmt.Sprintf("BT /F1 24 Tf 72 %d Td (%s) Tj ET\n", 760-40*i, s)
}

// LineRect is the rectangle of line i: x0 y0 x1 y1.
func LineRect(i int) [4]float64 {
	y := float64(760 - 40*i)
	return [4]float64{66, y - 8, 400, y + 26}
}

// Build writes the document.
func Build(o Options) ([]byte, Layout) {
	if len(o.Lines) == 0 {
		o.Lines = []string{"PAY 1000"}
	}
	var l Layout
	objs := map[int]string{}
	n := 0
	next := func() int { n++; return n }
	l.Catalog, l.Pages, l.Page, l.Content, l.Font = next(), next(), next(), next(), next()
	var content strings.Builder
	for i, s := range o.Lines {
		content.WriteString(Line(i+1, s))
	}
	if o.Hidden != "" {
		content.WriteString(Line(3, o.Hidden))
	}
	if o.HiddenField != "" {
		content.WriteString(Line(4, o.HiddenField))
	}
	res := fmt.Sprintf("/Font << /F1 %d 0 R >>", l.Font)
	if o.Dangling {
		l.Late = 900
		res += fmt.Sprintf(" /XObject << /Late %d 0 R >>", l.Late)
		content.WriteString("q 1 0 0 1 72 500 cm /Late Do Q\n")
	}
	var annots, fields []string
	if o.Hidden != "" {
		l.Cover, l.CoverAP = next(), next()
		r := LineRect(3)
		objs[l.Cover] = fmt.Sprintf("<< /Type /Annot /Subtype /Square /F 4 /Rect [%g %g %g %g] /C [1 1 1] /IC [1 1 1] /AP << /N %d 0 R >> >>", r[0], r[1], r[2], r[3], l.CoverAP)
		objs[l.CoverAP] = Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %g %g]", r[2]-r[0], r[3]-r[1]), fmt.Sprintf("1 g 0 0 %g %g re f", r[2]-r[0], r[3]-r[1]))
		annots = append(annots, fmt.Sprintf("%d 0 R", l.Cover))
	}
	if o.HiddenField != "" {
		l.Note, l.NoteAP = next(), next()
		r := LineRect(4)
		objs[l.Note] = fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (note) /V () /F 4 /P %d 0 R /Rect [%g %g %g %g] /DA (/Helv 12 Tf 0 g) /AP << /N %d 0 R >> >>", l.Page, r[0], r[1], r[2], r[3], l.NoteAP)
		objs[l.NoteAP] = Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %g %g]", r[2]-r[0], r[3]-r[1]), fmt.Sprintf("1 g 0 0 %g %g re f", r[2]-r[0], r[3]-r[1]))
		annots = append(annots, fmt.Sprintf("%d 0 R", l.Note))
		fields = append(fields, fmt.Sprintf("%d 0 R", l.Note))
	}
	if o.Field {
		l.Field, l.FieldAP = next(), next()
		objs[l.Field] = fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /V (1000) /F 4 /P %d 0 R /Rect [72 500 272 530] /DA (/Helv 12 Tf 0 g) /AP << /N %d 0 R >> >>", l.Page, l.FieldAP)
		objs[l.FieldAP] = FieldAppearance("1000", l.Font)
		annots = append(annots, fmt.Sprintf("%d 0 R", l.Field))
		fields = append(fields, fmt.Sprintf("%d 0 R", l.Field))
	}
	if o.OverField {
		l.Memo, l.MemoAP = next(), next()
		r := LineRect(1)
		objs[l.Memo] = fmt.Sprintf("<< /Type /Annot /Subtype /Widget /FT /Tx /T (memo) /V () /F 4 /P %d 0 R /Rect [%g %g %g %g] /DA (/Helv 12 Tf 0 g) /AP << /N %d 0 R >> >>", l.Page, r[0], r[1], r[2], r[3], l.MemoAP)
		objs[l.MemoAP] = Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %g %g]", r[2]-r[0], r[3]-r[1]), "")
		annots = append(annots, fmt.Sprintf("%d 0 R", l.Memo))
		fields = append(fields, fmt.Sprintf("%d 0 R", l.Memo))
	}
	cat := fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R", l.Pages)
	if len(fields) > 0 {
		cat += fmt.Sprintf(" /AcroForm << /Fields [%s] /DR << /Font << /Helv %d 0 R >> >> /DA (/Helv 12 Tf 0 g) >>", strings.Join(fields, " "), l.Font)
	}
	if o.Struct {
		l.Struct = next()
		cat += fmt.Sprintf(" /StructTreeRoot %d 0 R /MarkInfo << /Marked true >>", l.Struct)
		objs[l.Struct] = fmt.Sprintf("<< /Type /StructTreeRoot /K << /Type /StructElem /S /P /K [0] /Pg %d 0 R /Alt %d 0 R >> >>", l.Page, l.Content)
	}
	if o.DSS {
		l.DSS = next()
		cat += fmt.Sprintf(" /DSS %d 0 R", l.DSS)
		objs[l.DSS] = fmt.Sprintf("<< /Type /DSS /Certs [%d 0 R] >>", l.Content)
	}
	objs[l.Catalog] = cat + " >>"
	objs[l.Pages] = fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", l.Page)
	page := fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << %s >>", l.Pages, l.Content, res)
	if len(annots) > 0 {
		page += " /Annots [" + strings.Join(annots, " ") + "]"
	}
	objs[l.Page] = page + " >>"
	objs[l.Font] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	cdict := ""
	if o.ContentType != "" {
		cdict = "/Type /" + o.ContentType + " /Subtype /XML"
	}
	data := content.String()
	if o.History {
		// first saved with another text; the real one is an update
		data = strings.ReplaceAll(data, "PAY 1000", "PAY 9000000")
	}
	if o.LengthRef {
		l.Length = next()
		objs[l.Content] = fmt.Sprintf("<< %s /Length %d 0 R >>\nstream\n%s\nendstream", cdict, l.Length, data)
		objs[l.Length] = fmt.Sprint(len(data))
	} else {
		objs[l.Content] = Stream(cdict, data)
	}
	l.Size = n + 1
	var out []byte
	if o.Compressed {
		l.ObjStm = next()
		l.Size = n + 2 // and the cross-reference stream
		out = writeCompressed(objs, n, l)
	} else {
		out = writeClassic(objs, n)
	}
	if o.History {
		u := NewUpdate(out)
		u.Set(l.Content, Stream(cdict, content.String()))
		if o.LengthRef {
			u.Set(l.Length, fmt.Sprint(len(content.String())))
		}
		out = u.Bytes()
	}
	return out, l
}

// Stream returns the body of a stream object with dictionary entries
// dict (without the brackets) and data.
func Stream(dict, data string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data)
}

// FieldAppearance is the normal appearance of a 200×30 text field showing
// s in Helvetica (font object font, resource name /Helv).
func FieldAppearance(s string, font int) string {
	return Stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 200 30] /Resources << /Font << /Helv %d 0 R >> >>", font),
		fmt.Sprintf("/Tx BMC BT /Helv 12 Tf 0 g 4 10 Td (%s) Tj ET EMC", s))
}

func writeClassic(objs map[int]string, n int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, n+1)
	for i := 1; i <= n; i++ {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i, objs[i])
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n+1)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offs[i])
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", n+1, xref)
	return b.Bytes()
}

// writeCompressed puts the catalog, the page tree, the page and the font
// into object stream l.ObjStm; the rest are objects in the file; the
// cross-reference data is a stream (the last object).
func writeCompressed(objs map[int]string, n int, l Layout) []byte {
	inStm := []int{l.Catalog, l.Pages, l.Page, l.Font}
	isIn := map[int]int{}
	var head, body strings.Builder
	for i, num := range inStm {
		isIn[num] = i
		fmt.Fprintf(&head, "%d %d ", num, body.Len())
		body.WriteString(objs[num])
		body.WriteString("\n")
	}
	first := head.Len()
	objs[l.ObjStm] = Stream(fmt.Sprintf("/Type /ObjStm /N %d /First %d", len(inStm), first), head.String()+body.String())
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, n+2)
	for i := 1; i <= l.ObjStm; i++ {
		if _, ok := isIn[i]; ok {
			continue
		}
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i, objs[i])
	}
	xnum := l.ObjStm + 1
	offs[xnum] = b.Len()
	var rows bytes.Buffer
	for i := 0; i <= xnum; i++ {
		switch k, ok := isIn[i]; {
		case i == 0:
			rows.Write([]byte{0, 0, 0, 0, 0xff, 0xff})
		case ok:
			rows.Write([]byte{2, 0, 0, byte(l.ObjStm >> 8), byte(l.ObjStm), byte(k)})
		default:
			o := offs[i]
			rows.Write([]byte{1, byte(o >> 24), byte(o >> 16), byte(o >> 8), byte(o), 0})
		}
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(rows.Bytes())
	w.Close()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root %d 0 R /Filter /FlateDecode /Length %d >>\nstream\n", xnum, xnum+1, l.Catalog, z.Len())
	b.Write(z.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offs[xnum])
	return b.Bytes()
}
