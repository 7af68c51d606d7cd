package rolestest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const odtNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2"`

// odtText escapes text and keeps runs of spaces (text:s).
func odtText(s string) string {
	var b strings.Builder
	spaces := 0
	flush := func() {
		if spaces == 0 {
			return
		}
		b.WriteString(" ")
		if spaces > 1 {
			fmt.Fprintf(&b, `<text:s text:c="%d"/>`, spaces-1)
		}
		spaces = 0
	}
	for _, r := range s {
		if r == ' ' {
			spaces++
			continue
		}
		flush()
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return b.String()
}

// ODT returns the document as an OpenDocument text file laid out the way
// clerks type it in a word processor: borderless tables for the header and
// the signer block, Times New Roman.
func (d Doc) ODT() ([]byte, error) {
	p := func(style, text string) string {
		return fmt.Sprintf(`<text:p text:style-name="%s">%s</text:p>`, style, odtText(text))
	}
	var body strings.Builder
	body.WriteString(`<table:table table:name="Header" table:style-name="Tbl"><table:table-column table:style-name="ColL"/><table:table-column table:style-name="ColR"/>`)
	body.WriteString(`<table:table-row><table:table-cell table:style-name="Cell">` + p("HdrL", d.Parent) + p("HdrLB", d.Org) +
		`</table:table-cell><table:table-cell table:style-name="Cell">` + p("HdrR12", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") + p("HdrRB", "Độc lập - Tự do - Hạnh phúc") + `</table:table-cell></table:table-row>`)
	body.WriteString(`<table:table-row><table:table-cell table:style-name="Cell">` + p("Num", d.NumberText()) + p("Subj", d.Subject) +
		`</table:table-cell><table:table-cell table:style-name="Cell">` + p("Date", d.DateText()) + `</table:table-cell></table:table-row></table:table>`)
	body.WriteString(p("Recip", d.Recipient))
	paragraphs := d.Body
	if d.Pages > 1 {
		for len(paragraphs) < 24 {
			paragraphs = append(paragraphs, d.Body...)
		}
	}
	for _, para := range paragraphs {
		body.WriteString(p("Body", para))
	}
	body.WriteString(`<table:table table:name="Signer" table:style-name="Tbl"><table:table-column table:style-name="ColL2"/><table:table-column table:style-name="ColR2"/>`)
	body.WriteString(`<table:table-row><table:table-cell table:style-name="Cell">` + p("Recv", "Nơi nhận:") + p("List", "- Như trên;") +
		p("List", "- Chủ tịch, các PCT UBND tỉnh;") + p("List", "- Lưu: VT, VP.") + `</table:table-cell><table:table-cell table:style-name="Cell">`)
	for _, t := range d.Titles {
		body.WriteString(p("Title", t))
	}
	for i := 0; i < 4; i++ {
		body.WriteString(p("Title", ""))
	}
	body.WriteString(p("Name", d.Signer) + `</table:table-cell></table:table-row></table:table>`)

	ps := func(name, size, weight, style, align string, extra string) string {
		if !strings.Contains(extra, "fo:margin-top") {
			extra += ` fo:margin-top="0cm"`
		}
		if !strings.Contains(extra, "fo:margin-bottom") {
			extra += ` fo:margin-bottom="0cm"`
		}
		return fmt.Sprintf(`<style:style style:name="%s" style:family="paragraph"><style:paragraph-properties fo:text-align="%s" %s/><style:text-properties style:font-name="Times New Roman" fo:font-size="%s" fo:font-weight="%s" fo:font-style="%s"/></style:style>`,
			name, align, extra, size, weight, style)
	}
	content := `<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odtNS + `>` +
		`<office:font-face-decls><style:font-face style:name="Times New Roman" svg:font-family="'Times New Roman'" style:font-family-generic="roman"/></office:font-face-decls>` +
		`<office:automatic-styles>` +
		`<style:style style:name="Tbl" style:family="table"><style:table-properties style:width="16cm" table:align="left"/></style:style>` +
		`<style:style style:name="ColL" style:family="table-column"><style:table-column-properties style:column-width="6.5cm"/></style:style>` +
		`<style:style style:name="ColR" style:family="table-column"><style:table-column-properties style:column-width="9.5cm"/></style:style>` +
		`<style:style style:name="ColL2" style:family="table-column"><style:table-column-properties style:column-width="8cm"/></style:style>` +
		`<style:style style:name="ColR2" style:family="table-column"><style:table-column-properties style:column-width="8cm"/></style:style>` +
		`<style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:padding="0.05cm" fo:border="none"/></style:style>` +
		ps("HdrL", "13pt", "normal", "normal", "center", "") +
		ps("HdrLB", "13pt", "bold", "normal", "center", "") +
		ps("HdrR12", "12pt", "bold", "normal", "center", "") +
		ps("HdrRB", "13pt", "bold", "normal", "center", "") +
		ps("Num", "13pt", "normal", "normal", "center", `fo:margin-top="0.3cm"`) +
		ps("Subj", "12pt", "normal", "normal", "center", "") +
		ps("Date", "13pt", "normal", "italic", "center", `fo:margin-top="0.3cm"`) +
		ps("Recip", "14pt", "normal", "normal", "center", `fo:margin-top="0.4cm" fo:margin-bottom="0.3cm"`) +
		ps("Body", "14pt", "normal", "normal", "justify", `fo:text-indent="1.27cm" fo:margin-bottom="0.15cm"`) +
		ps("Recv", "12pt", "bold", "italic", "left", `fo:margin-top="0.3cm"`) +
		ps("List", "11pt", "normal", "normal", "left", "") +
		ps("Title", "13pt", "bold", "normal", "center", "") +
		ps("Name", "14pt", "bold", "normal", "center", "") +
		`</office:automatic-styles><office:body><office:text>` + body.String() + `</office:text></office:body></office:document-content>`

	styles := `<?xml version="1.0" encoding="UTF-8"?><office:document-styles ` + odtNS + `>` +
		`<office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="3cm" fo:margin-right="2cm" style:print-orientation="portrait"/></style:page-layout></office:automatic-styles>` +
		`<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles></office:document-styles>`
	manifest := `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
		`<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>` +
		`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>` +
		`<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/></manifest:manifest>`

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// The mimetype entry comes first and uncompressed.
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		return nil, err
	}
	w.Write([]byte("application/vnd.oasis.opendocument.text"))
	for _, f := range []struct{ name, data string }{{"META-INF/manifest.xml", manifest}, {"content.xml", content}, {"styles.xml", styles}} {
		w, err := zw.Create(f.name)
		if err != nil {
			return nil, err
		}
		w.Write([]byte(f.data))
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LibreOfficePDF converts the document's .odt to PDF with LibreOffice in
// headless mode, in dir (a private profile is made there).
func (d Doc) LibreOfficePDF(ctx context.Context, dir string) ([]byte, error) {
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		return nil, ErrNoLibreOffice
	}
	odt, err := d.ODT()
	if err != nil {
		return nil, err
	}
	in := filepath.Join(dir, "congvan.odt")
	if err := os.WriteFile(in, odt, 0o644); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	prof := "file://" + filepath.ToSlash(filepath.Join(dir, "lo-profile"))
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+prof, "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("soffice: %v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "congvan.pdf"))
	if err != nil {
		return nil, fmt.Errorf("soffice wrote no PDF (%s): %w", out, err)
	}
	return b, nil
}
