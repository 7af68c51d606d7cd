package testpdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// Many writes, streaming, a tagged PDF of about objects objects: pages
// with content streams, and a logical structure tree whose elements (one
// per marked paragraph, in sections of about a thousand) make up the bulk,
// as in a long tagged document. With xrefStream the objects that may be
// are kept in object streams of 100 and the cross-reference data is a
// stream; else every object is in the file and the table is classic.
func Many(w io.Writer, objects, pages int, xrefStream bool) error {
	const sections = 1000
	elems := objects - 3 - 2*pages - sections
	if pages < 1 || elems < sections {
		return fmt.Errorf("testpdf: %d objects are too few for %d pages", objects, pages)
	}
	m := &many{w: bufio.NewWriterSize(w, 1<<20), stream: xrefStream, nextStm: objects + 1}
	m.put("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	// 1 catalog, 2 page tree, 3 structure tree root, then pages (page,
	// content), sections, elements.
	firstPage := 4
	firstSection := firstPage + 2*pages
	firstElem := firstSection + sections
	m.obj(1, "<< /Type /Catalog /Pages 2 0 R /StructTreeRoot 3 0 R /MarkInfo << /Marked true >> >>", true)
	var kids bytes.Buffer
	for i := range pages {
		fmt.Fprintf(&kids, "%d 0 R ", firstPage+2*i)
	}
	m.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids.String(), pages), true)
	kids.Reset()
	for s := range sections {
		fmt.Fprintf(&kids, "%d 0 R ", firstSection+s)
	}
	m.obj(3, fmt.Sprintf("<< /Type /StructTreeRoot /K [%s] >>", kids.String()), true)
	for i := range pages {
		m.obj(firstPage+2*i, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << >> /StructParents %d >>", firstPage+2*i+1, i), true)
		content := fmt.Sprintf("/P << /MCID 0 >> BDC 0 0 1 rg 72 %d 200 20 re f EMC", 100+i%600)
		m.obj(firstPage+2*i+1, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content), false)
	}
	per := elems / sections
	for s := range sections {
		n := per
		if s == sections-1 {
			n = elems - per*(sections-1)
		}
		kids.Reset()
		first := firstElem + s*per
		for e := range n {
			fmt.Fprintf(&kids, "%d 0 R ", first+e)
		}
		m.obj(firstSection+s, fmt.Sprintf("<< /Type /StructElem /S /Sect /P 3 0 R /K [%s] >>", kids.String()), true)
	}
	for e := range elems {
		s := min(e/per, sections-1)
		page := firstPage + 2*(e%pages)
		m.obj(firstElem+e, fmt.Sprintf("<< /Type /StructElem /S /P /P %d 0 R /Pg %d 0 R /K 0 >>", firstSection+s, page), true)
	}
	return m.finish()
}

type many struct {
	w       *bufio.Writer
	off     int64
	stream  bool
	offs    []int64 // by object number (0: free); -1 compressed
	stmOf   []int32 // object stream of a compressed object
	idxIn   []int32
	batch   [][2]any // pending objects of the current object stream
	nextStm int      // number of the next object stream (after every object)
	err     error
}

func (m *many) put(s string) {
	if m.err != nil {
		return
	}
	n, err := m.w.WriteString(s)
	m.off += int64(n)
	m.err = err
}

func (m *many) grow(num int) {
	for len(m.offs) <= num {
		m.offs = append(m.offs, 0)
		m.stmOf = append(m.stmOf, 0)
		m.idxIn = append(m.idxIn, 0)
	}
}

// obj writes object num; compressible objects go to an object stream
// when the file has cross-reference streams.
func (m *many) obj(num int, body string, compressible bool) {
	m.grow(num)
	if m.stream && compressible {
		m.offs[num] = -1
		m.batch = append(m.batch, [2]any{num, body})
		if len(m.batch) == 100 {
			m.flushStream()
		}
		return
	}
	m.offs[num] = m.off
	m.put(fmt.Sprintf("%d 0 obj\n%s\nendobj\n", num, body))
}

// flushStream writes the pending objects as the next object stream.
func (m *many) flushStream() {
	if len(m.batch) == 0 {
		return
	}
	next := m.nextStm
	m.nextStm++
	var head, body bytes.Buffer
	for k, o := range m.batch {
		num := o[0].(int)
		m.stmOf[num], m.idxIn[num] = int32(next), int32(k)
		fmt.Fprintf(&head, "%d %d ", num, body.Len())
		body.WriteString(o[1].(string))
		body.WriteByte('\n')
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(head.Bytes())
	zw.Write(body.Bytes())
	zw.Close()
	m.grow(next)
	m.offs[next] = m.off
	m.put(fmt.Sprintf("%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n", next, len(m.batch), head.Len(), z.Len()))
	m.put(z.String())
	m.put("\nendstream\nendobj\n")
	m.batch = m.batch[:0]
}

func (m *many) finish() error {
	next := len(m.offs)
	if m.stream {
		m.flushStream()
		xref := m.nextStm
		m.grow(xref)
		m.offs[xref] = m.off
		var rows bytes.Buffer
		zw := zlib.NewWriter(&rows)
		var row []byte
		for num := 0; num <= xref; num++ {
			switch o := m.offs[num]; {
			case num == 0:
				row = []byte{0, 0, 0, 0, 0, 0xff, 0xff}
			case o < 0:
				s := m.stmOf[num]
				row = []byte{2, byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s), byte(m.idxIn[num] >> 8), byte(m.idxIn[num])}
			default:
				row = []byte{1, byte(o >> 24), byte(o >> 16), byte(o >> 8), byte(o), 0, 0}
			}
			zw.Write(row)
		}
		zw.Close()
		m.put(fmt.Sprintf("%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /ID [<0123456789ABCDEF> <0123456789ABCDEF>] /Filter /FlateDecode /Length %d >>\nstream\n", xref, xref+1, rows.Len()))
		m.put(rows.String())
		m.put(fmt.Sprintf("\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", m.offs[xref]))
	} else {
		xref := m.off
		m.put(fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", next))
		for num := 1; num < next; num++ {
			m.put(fmt.Sprintf("%010d 00000 n \n", m.offs[num]))
		}
		m.put(fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R /ID [<0123456789ABCDEF> <0123456789ABCDEF>] >>\nstartxref\n%d\n%%%%EOF\n", next, xref))
	}
	if m.err != nil {
		return m.err
	}
	return m.w.Flush()
}

// ManyFile writes Many(objects, pages, xrefStream) to a file in tb's
// temporary directory and returns its path.
func ManyFile(tb testing.TB, objects, pages int, xrefStream bool) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "many.pdf")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := Many(f, objects, pages, xrefStream); err != nil {
		tb.Fatal(err)
	}
	return p
}
