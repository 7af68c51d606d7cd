package pades

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pdf"
)

// sigKind selects the signature dictionary flavour.
type sigKind int

const (
	kindCAdES sigKind = iota // ETSI.CAdES.detached signature
	kindDocTS                // ETSI.RFC3161 document time-stamp
)

// revisionSpec is what prepareRevision needs to add one signature.
type revisionSpec struct {
	kind        sigKind
	contentsLen int // bytes reserved for the CMS / token (hex doubles it)
	fieldName   string
	visible     *appearance.Appearance
	widgets     []*appearance.Appearance // further widgets of the field (in /Kids)
	certify     int
	when        time.Time
	name        string
	reason      string
	location    string
	contactInfo string
}

// preparedRevision is a serialized signature revision with its /Contents
// placeholder located.
type preparedRevision struct {
	built     *pdf.Built
	base      int64 // size of the file the revision is appended to
	contents  [2]int
	byteRange [2]int // span of the ByteRange array's inner text
	fieldName string
	sigNum    int // object number of the signature dictionary
}

const byteRangePlaceholder = "0 ********** ********** **********"

// docState is what the lock checks found in the document.
type docState struct {
	signatures int
	docMDP     int // P of an existing certification, 0 if none
}

// inspectLocks checks DocMDP/FieldMDP restrictions of existing signatures.
// target is the full name of the field that will be signed.
func inspectLocks(f *pdf.View, cat pdf.Dict, fields []pdf.Field, target string) (docState, error) {
	var st docState
	if perms, err := f.ResolveDict(cat["Perms"]); err == nil && perms != nil {
		if sd, err := f.ResolveDict(perms["DocMDP"]); err == nil && sd != nil {
			st.docMDP = 2
			if p, ok := transformP(f, sd, "DocMDP"); ok {
				st.docMDP = p
			}
		}
	}
	if st.docMDP == 1 {
		return st, ErrCertified
	}
	for _, fl := range fields {
		if fl.Type != "Sig" {
			continue
		}
		v, err := f.ResolveDict(fl.Dict["V"])
		if err != nil || v == nil {
			continue
		}
		st.signatures++
		// A signed field's /Lock (or its signature's FieldMDP reference).
		locks := []pdf.Dict{}
		if l, err := f.ResolveDict(fl.Dict["Lock"]); err == nil && l != nil {
			locks = append(locks, l)
		}
		if refs, err := f.Resolve(v["Reference"]); err == nil {
			arr, _ := refs.(pdf.Array)
			for _, r := range arr {
				rd, err := f.ResolveDict(r)
				if err != nil || rd == nil || rd.Name("TransformMethod") != "FieldMDP" {
					continue
				}
				if tp, err := f.ResolveDict(rd["TransformParams"]); err == nil && tp != nil {
					locks = append(locks, tp)
				}
			}
		}
		for _, l := range locks {
			if p, ok := l.Int("P"); ok && p == 1 {
				return st, fmt.Errorf("%w (%q allows no further changes)", ErrFieldLocked, fl.FullName)
			}
			if lockedBy(f, l, target) {
				return st, fmt.Errorf("%w (%q is locked by %q)", ErrFieldLocked, target, fl.FullName)
			}
		}
	}
	return st, nil
}

// transformP finds the /P of a signature's reference with method m.
func transformP(f *pdf.View, sig pdf.Dict, m pdf.Name) (int, bool) {
	refs, err := f.Resolve(sig["Reference"])
	if err != nil {
		return 0, false
	}
	arr, _ := refs.(pdf.Array)
	for _, r := range arr {
		rd, err := f.ResolveDict(r)
		if err != nil || rd == nil || rd.Name("TransformMethod") != string(m) {
			continue
		}
		tp, err := f.ResolveDict(rd["TransformParams"])
		if err != nil || tp == nil {
			return 2, true
		}
		if p, ok := tp.Int("P"); ok {
			return int(p), true
		}
		return 2, true
	}
	return 0, false
}

// lockedBy reports whether a FieldMDP lock dictionary covers name.
func lockedBy(f *pdf.View, lock pdf.Dict, name string) bool {
	if name == "" {
		return false
	}
	var list []string
	if o, err := f.Resolve(lock["Fields"]); err == nil {
		arr, _ := o.(pdf.Array)
		for _, e := range arr {
			if s, ok := e.(pdf.String); ok {
				list = append(list, pdf.DecodeText(s))
			}
		}
	}
	in := func() bool {
		for _, l := range list {
			if l == name || strings.HasPrefix(name, l+".") {
				return true
			}
		}
		return false
	}
	switch lock.Name("Action") {
	case "All":
		return true
	case "Include":
		return in()
	case "Exclude":
		return !in()
	}
	return false
}

func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, (off%3600)/60)
}

// sigBody is a serialized signature dictionary and where its
// placeholders are in it, recorded while it was written.
type sigBody struct {
	bytes     []byte
	byteRange int // offset of the ByteRange placeholder's first byte
	contents  int // offset of the "<" that opens /Contents
}

// sigDictBody serializes the signature dictionary with placeholders. The
// placeholders' offsets are taken as they are written: nothing is ever
// searched for in the bytes, which hold the signer's reason, location and
// name (any text, PDF syntax included).
func sigDictBody(spec *revisionSpec) sigBody {
	var b bytes.Buffer
	if spec.kind == kindDocTS {
		b.WriteString("<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161")
	} else {
		b.WriteString("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached")
		b.WriteString(" /M ")
		pdf.Serialize(&b, pdf.String(pdfDate(spec.when)))
		for _, kv := range []struct {
			k pdf.Name
			v string
		}{{"Name", spec.name}, {"Reason", spec.reason}, {"Location", spec.location}, {"ContactInfo", spec.contactInfo}} {
			if kv.v == "" {
				continue
			}
			b.WriteString(" ")
			pdf.Serialize(&b, kv.k)
			b.WriteString(" ")
			pdf.Serialize(&b, pdf.TextString(kv.v))
		}
		if spec.certify > 0 {
			b.WriteString(" /Reference ")
			pdf.Serialize(&b, pdf.Array{pdf.Dict{
				"Type":            pdf.Name("SigRef"),
				"TransformMethod": pdf.Name("DocMDP"),
				"TransformParams": pdf.Dict{
					"Type": pdf.Name("TransformParams"),
					"P":    pdf.Integer(spec.certify),
					"V":    pdf.Name("1.2"),
				},
			}})
		}
	}
	var sb sigBody
	b.WriteString(" /ByteRange [")
	sb.byteRange = b.Len()
	b.WriteString(byteRangePlaceholder + "]")
	b.WriteString(" /Contents ")
	sb.contents = b.Len()
	b.WriteString("<")
	b.Write(bytes.Repeat([]byte("0"), 2*spec.contentsLen))
	b.WriteString(">>>")
	sb.bytes = b.Bytes()
	return sb
}

// prepareRevision builds the incremental update that adds one signature
// (or document time-stamp) field and its placeholder signature dictionary.
func prepareRevision(f *pdf.View, spec *revisionSpec) (*preparedRevision, error) {
	if f.Encrypted() {
		return nil, ErrEncrypted
	}
	b, err := newRevisionBuilder(f, spec)
	if err != nil {
		return nil, err
	}
	if err := b.chooseField(); err != nil {
		return nil, err
	}
	sb := sigDictBody(spec)
	b.u.SetRaw(b.sigRef, sb.bytes)
	if err := b.writeField(); err != nil {
		return nil, err
	}
	if err := b.updateAcroForm(); err != nil {
		return nil, err
	}
	b.updateCatalog()
	return b.finish(sb)
}

// revisionBuilder builds the incremental update that adds one signature:
// the signature dictionary, its field and widgets, the AcroForm and the
// catalog entries they need.
type revisionBuilder struct {
	f      *pdf.View
	spec   *revisionSpec
	cat    pdf.Dict
	catRef pdf.Ref
	newCat pdf.Dict
	// catChanged: newCat differs from cat and is written
	catChanged bool
	acroObj    pdf.Object
	acro       pdf.Dict
	fields     []pdf.Field
	u          *pdf.Update
	sigRef     pdf.Ref
	name       string
	existing   *pdf.Field // the empty signature field signed, or nil
	fieldRef   pdf.Ref
}

func newRevisionBuilder(f *pdf.View, spec *revisionSpec) (*revisionBuilder, error) {
	cat, catRef, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	b := &revisionBuilder{f: f, spec: spec, cat: cat, catRef: catRef, newCat: cat.Clone(), acroObj: cat["AcroForm"]}
	if b.acro, err = f.ResolveDict(b.acroObj); err != nil {
		return nil, err
	}
	if b.fields, err = f.Fields(b.acro); err != nil {
		return nil, err
	}
	b.u = pdf.NewUpdate(f)
	b.sigRef = b.u.Alloc()
	return b, nil
}

// chooseField picks the field to sign — the named empty signature field,
// a new one by that name, or the first free "SignatureN" — and checks the
// document's locks and certification allow it.
func (b *revisionBuilder) chooseField() error {
	spec := b.spec
	names := map[string]*pdf.Field{}
	for i := range b.fields {
		names[b.fields[i].FullName] = &b.fields[i]
	}
	b.name = spec.fieldName
	if b.name != "" {
		if fl, ok := names[b.name]; ok {
			if fl.Type != "Sig" || fl.Dict["V"] != nil || fl.Ref.IsZero() {
				return fmt.Errorf("%w: %q", ErrFieldExists, b.name)
			}
			b.existing = fl
		} else if strings.Contains(b.name, ".") {
			return fmt.Errorf("%w: field names may not contain dots", ErrBadOptions)
		}
	} else {
		for i := 1; ; i++ {
			b.name = fmt.Sprintf("Signature%d", i)
			if _, ok := names[b.name]; !ok {
				break
			}
		}
	}
	if b.existing != nil && len(spec.widgets) > 0 {
		return fmt.Errorf("%w: extra widgets need a new signature field, %q exists", ErrBadOptions, b.name)
	}
	// Field locks only concern fields that exist; a new field is not
	// covered by earlier FieldMDP locks.
	lockTarget := ""
	if b.existing != nil {
		lockTarget = b.name
	}
	st, err := inspectLocks(b.f, b.cat, b.fields, lockTarget)
	if err != nil && spec.kind == kindDocTS && (errors.Is(err, ErrCertified) || errors.Is(err, ErrFieldLocked)) {
		// Validation data and document time-stamps are not document
		// changes in the sense of DocMDP/FieldMDP (ISO 32000-2 12.8.2.2,
		// ETSI EN 319 142-1): a certified document may be extended.
		err = nil
	}
	if err != nil {
		return err
	}
	if spec.certify > 0 && (st.signatures > 0 || st.docMDP > 0) {
		return ErrCertifyNotFirst
	}
	return nil
}

// widgetPage is the page the widget goes on: the existing field's own
// page when it is signed invisibly, else the page asked for.
func (b *revisionBuilder) widgetPage() (pdf.Ref, pdf.Dict, error) {
	pageNo := 1
	if b.spec.visible != nil {
		pageNo = b.spec.visible.Page
	}
	if b.existing != nil && b.spec.visible == nil {
		if pr, ok := b.existing.Dict["P"].(pdf.Ref); ok && !pr.IsZero() {
			return pr, nil, nil
		}
	}
	n, err := b.f.PageCount()
	if err != nil {
		return pdf.Ref{}, nil, err
	}
	if pageNo < 1 || pageNo > n {
		return pdf.Ref{}, nil, &PageError{Page: pageNo, Pages: n}
	}
	return b.f.Page(pageNo)
}

// writeField writes the signature field: kid widgets, the existing field
// given its value (and appearance), or a new merged field and widget
// listed on its page.
func (b *revisionBuilder) writeField() error {
	spec, u := b.spec, b.u
	pageRef, page, err := b.widgetPage()
	if err != nil {
		return err
	}
	rect := pdf.Array{pdf.Integer(0), pdf.Integer(0), pdf.Integer(0), pdf.Integer(0)}
	var ap pdf.Object
	if spec.visible != nil && len(spec.widgets) == 0 {
		r := spec.visible.Rect
		rect = pdf.Array{pdf.Real(r.X), pdf.Real(r.Y), pdf.Real(r.X + r.W), pdf.Real(r.Y + r.H)}
		ap = pdf.Dict{"N": appearance.Write(u, spec.visible)}
	}
	switch {
	case len(spec.widgets) > 0:
		b.fieldRef = u.Alloc()
		return addKidWidgets(b.f, u, spec, b.name, b.sigRef, b.fieldRef)
	case b.existing != nil:
		b.fieldRef = b.existing.Ref
		d := b.existing.Dict.Clone()
		d["V"] = b.sigRef
		if spec.visible != nil {
			d["Rect"] = rect
			d["AP"] = ap
		}
		if spec.certify > 0 || spec.kind == kindDocTS {
			delete(d, "Lock")
		}
		u.Set(b.fieldRef, d)
		return nil
	}
	b.fieldRef = u.Alloc()
	d := pdf.Dict{
		"Type": pdf.Name("Annot"), "Subtype": pdf.Name("Widget"),
		"FT": pdf.Name("Sig"), "T": pdf.TextString(b.name), "V": b.sigRef,
		"F": pdf.Integer(132), "Rect": rect, "P": pageRef,
	}
	if ap != nil {
		d["AP"] = ap
	}
	u.Set(b.fieldRef, d)
	return addAnnots(b.f, u, pageRef, page, []pdf.Ref{b.fieldRef})
}

// updateAcroForm sets SigFlags and lists a new field in /Fields, writing
// the AcroForm where it lives (its own object, or the catalog).
func (b *revisionBuilder) updateAcroForm() error {
	u := b.u
	newAcro := pdf.Dict{}
	if b.acro != nil {
		newAcro = b.acro.Clone()
	}
	newAcro["SigFlags"] = pdf.Integer(3)
	if b.existing == nil {
		fo, err := b.f.Resolve(newAcro["Fields"])
		if err != nil {
			return err
		}
		farr, isArr := fo.(pdf.Array)
		farr = append(append(pdf.Array{}, farr...), b.fieldRef)
		if fr, ok := newAcro["Fields"].(pdf.Ref); ok && isArr {
			u.Set(fr, farr)
		} else {
			newAcro["Fields"] = farr
		}
	} else if _, ok := newAcro["Fields"]; !ok {
		newAcro["Fields"] = pdf.Array{b.fieldRef}
	}
	switch ar, ok := b.acroObj.(pdf.Ref); {
	case ok && b.acro != nil:
		u.Set(ar, newAcro)
	case b.acro != nil:
		b.newCat["AcroForm"] = newAcro
		b.catChanged = true
	default:
		ar := u.Alloc()
		u.Set(ar, newAcro)
		b.newCat["AcroForm"] = ar
		b.catChanged = true
	}
	return nil
}

// updateCatalog adds the certification's /Perms and, for PAdES, raises
// the version to 1.7; the catalog is written when anything changed.
func (b *revisionBuilder) updateCatalog() {
	spec, f := b.spec, b.f
	if spec.certify > 0 {
		perms := pdf.Dict{}
		if p, err := f.ResolveDict(b.cat["Perms"]); err == nil && p != nil {
			perms = p.Clone()
		}
		perms["DocMDP"] = b.sigRef
		b.newCat["Perms"] = perms
		b.catChanged = true
	}
	if spec.kind == kindCAdES && versionLess(f.Reader().Version(), "1.7") && versionLess(string(b.cat.Name("Version")), "1.7") {
		b.newCat["Version"] = pdf.Name("1.7")
		b.catChanged = true
	}
	if b.catChanged {
		b.u.Set(b.catRef, b.newCat)
	}
}

// finish serialises the update and finds the ByteRange and Contents
// placeholders by the offsets recorded while writing.
func (b *revisionBuilder) finish(sb sigBody) (*preparedRevision, error) {
	built, err := b.u.Build()
	if err != nil {
		return nil, err
	}
	pr := &preparedRevision{built: built, base: b.f.Reader().Size(), fieldName: b.name, sigNum: b.sigRef.Num}
	body := built.Bodies[b.sigRef.Num]
	pr.byteRange = [2]int{body + sb.byteRange, body + sb.byteRange + len(byteRangePlaceholder)}
	pr.contents = [2]int{body + sb.contents, body + sb.contents + 2*b.spec.contentsLen + 2}
	if string(built.Bytes[pr.byteRange[0]:pr.byteRange[1]]) != byteRangePlaceholder ||
		built.Bytes[pr.contents[0]] != '<' || built.Bytes[pr.contents[1]-1] != '>' {
		return nil, fmt.Errorf("failed to place the signature placeholder") // a bug, never input
	}
	if err := pr.patchByteRange(); err != nil {
		return nil, err
	}
	return pr, nil
}

// addAnnots appends refs to the page's /Annots (the indirect array when
// the page has one, else a new direct array in a new page dictionary).
func addAnnots(f *pdf.View, u *pdf.Update, pageRef pdf.Ref, page pdf.Dict, refs []pdf.Ref) error {
	annots, err := f.Resolve(page["Annots"])
	if err != nil {
		return err
	}
	arr, _ := annots.(pdf.Array)
	arr = append(pdf.Array{}, arr...)
	for _, r := range refs {
		arr = append(arr, r)
	}
	if ar, ok := page["Annots"].(pdf.Ref); ok {
		if _, isArr := annots.(pdf.Array); isArr {
			u.Set(ar, arr)
			return nil
		}
	}
	np := page.Clone()
	np["Annots"] = arr
	u.Set(pageRef, np)
	return nil
}

// addKidWidgets writes a new signature field whose widgets (the visible
// appearance, if any, then spec.widgets) are kids of the field, and adds
// each widget to its page's /Annots.
//
// The kids carry no /Parent: poppler before 23.x (pdfsig, Evince, Okular
// on Debian 12 and Ubuntu 22.04/24.04) takes any kid with /Parent for a
// child field and then reports the signature as several unsigned fields,
// while every reader we know of (poppler, pyHanko, pdf.js, qpdf, this
// project's verifier) links the widgets to the field through /Kids.
func addKidWidgets(f *pdf.View, u *pdf.Update, spec *revisionSpec, name string, sigRef, fieldRef pdf.Ref) error {
	all := make([]*appearance.Appearance, 0, len(spec.widgets)+1)
	if spec.visible != nil {
		all = append(all, spec.visible)
	}
	all = append(all, spec.widgets...)
	n, err := f.PageCount()
	if err != nil {
		return err
	}
	type pageInfo struct {
		ref  pdf.Ref
		dict pdf.Dict
		kids []pdf.Ref
	}
	pages := map[int]*pageInfo{}
	var order []int
	var kids pdf.Array
	for _, a := range all {
		if a.Page < 1 || a.Page > n {
			return &PageError{Page: a.Page, Pages: n}
		}
		pi := pages[a.Page]
		if pi == nil {
			pr, pd, err := f.Page(a.Page)
			if err != nil {
				return err
			}
			pi = &pageInfo{ref: pr, dict: pd}
			pages[a.Page] = pi
			order = append(order, a.Page)
		}
		wr := u.Alloc()
		r := a.Rect
		u.Set(wr, pdf.Dict{
			"Type": pdf.Name("Annot"), "Subtype": pdf.Name("Widget"),
			"F": pdf.Integer(132), "P": pi.ref,
			"Rect": pdf.Array{pdf.Real(r.X), pdf.Real(r.Y), pdf.Real(r.X + r.W), pdf.Real(r.Y + r.H)},
			"AP":   pdf.Dict{"N": appearance.Write(u, a)},
		})
		kids = append(kids, wr)
		pi.kids = append(pi.kids, wr)
	}
	u.Set(fieldRef, pdf.Dict{"FT": pdf.Name("Sig"), "T": pdf.TextString(name), "V": sigRef, "Kids": kids})
	for _, p := range order {
		pi := pages[p]
		if err := addAnnots(f, u, pi.ref, pi.dict, pi.kids); err != nil {
			return err
		}
	}
	return nil
}

func versionLess(a, b string) bool {
	if a == "" {
		return true
	}
	var am, an, bm, bn int
	fmt.Sscanf(a, "%d.%d", &am, &an)
	fmt.Sscanf(b, "%d.%d", &bm, &bn)
	return am < bm || (am == bm && an < bn)
}

// patchByteRange writes the final /ByteRange into the placeholder.
func (p *preparedRevision) patchByteRange() error {
	total := p.base + int64(len(p.built.Bytes))
	a := p.base + int64(p.contents[0])
	b := p.base + int64(p.contents[1])
	s := fmt.Sprintf("0 %d %d %d", a, b, total-b)
	w := p.byteRange[1] - p.byteRange[0]
	if len(s) > w {
		return fmt.Errorf("failed to write /ByteRange: file too large")
	}
	s += strings.Repeat(" ", w-len(s))
	copy(p.built.Bytes[p.byteRange[0]:p.byteRange[1]], s)
	return nil
}

// hashedParts returns the parts of the revision covered by the signature.
func (p *preparedRevision) hashedParts() ([]byte, []byte) {
	return p.built.Bytes[:p.contents[0]], p.built.Bytes[p.contents[1]:]
}

// contentsCap is the number of bytes the /Contents placeholder holds.
func (p *preparedRevision) contentsCap() int { return (p.contents[1] - p.contents[0] - 2) / 2 }

// setContents writes the DER signature into the placeholder.
func (p *preparedRevision) setContents(der []byte) error {
	room := p.contentsCap()
	if len(der) > room {
		return fmt.Errorf("%w (%d bytes needed, %d reserved)", ErrPlaceholderTooSmall, len(der), room)
	}
	const hx = "0123456789ABCDEF"
	dst := p.built.Bytes[p.contents[0]+1:]
	for i, c := range der {
		dst[2*i] = hx[c>>4]
		dst[2*i+1] = hx[c&15]
	}
	return nil
}
