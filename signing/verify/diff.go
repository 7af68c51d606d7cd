package verify

import (
	"bytes"
	"crypto/sha256"
	"io"
	"sort"
	"strconv"

	"github.com/vanthu/vanthu/signing/pdf"
)

const (
	maxPages       = 100000
	maxFieldsWalk  = 20000
	maxTreeDepth   = 64
	maxChangedObjs = 200000
)

// docInfo is what the diff needs to know about one revision.
type docInfo struct {
	v         *pdf.View
	rootNum   int
	infoNum   int
	pages     map[int]bool   // page object numbers
	pageNodes map[int]bool   // intermediate /Pages nodes
	annotArr  map[int]bool   // indirect /Annots arrays
	fields    map[int]bool   // field / widget objects reachable from AcroForm
	sigFields map[int]bool   // signature fields and their widgets
	fieldArr  map[int]bool   // indirect /Fields and /Kids arrays
	apStreams map[int]bool   // appearance streams of fields
	apOwner   map[int]int    // appearance stream → field object
	fieldName map[int]string // field object → fully qualified name
	structure map[int]bool   // logical structure tree objects (no effect on rendering); lazy, see isStructure
	dr        map[int]bool   // AcroForm default resources and their font dictionary
	acroForm  int
	dss       map[int]bool // DSS dict, VRI dicts, DSS arrays and streams
}

func refNum(o pdf.Object) int {
	if r, ok := o.(pdf.Ref); ok {
		return r.Num
	}
	return -1
}

func analyse(v *pdf.View) *docInfo {
	d := &docInfo{v: v, rootNum: refNum(v.Trailer.Get("Root")), infoNum: refNum(v.Trailer.Get("Info")),
		pages: map[int]bool{}, pageNodes: map[int]bool{}, annotArr: map[int]bool{}, fields: map[int]bool{},
		sigFields: map[int]bool{}, fieldArr: map[int]bool{}, apStreams: map[int]bool{}, apOwner: map[int]int{}, fieldName: map[int]string{}, dr: map[int]bool{}, dss: map[int]bool{}, acroForm: -1}
	root := v.Root()
	if root == nil {
		return d
	}
	// page tree
	seen := map[int]bool{}
	var walk func(o pdf.Object, depth int)
	walk = func(o pdf.Object, depth int) {
		n := refNum(o)
		if depth > maxTreeDepth || len(seen) > maxPages || (n >= 0 && seen[n]) {
			return
		}
		if n >= 0 {
			seen[n] = true
		}
		node := v.Dict(o)
		if node == nil {
			return
		}
		if kids, ok := node.Get("Kids").(pdf.Ref); ok {
			d.pageNodes[kids.Num] = true // an indirect Kids array is part of the tree
		}
		if node.Name("Type") == "Pages" || node.Get("Kids") != nil {
			if n >= 0 {
				d.pageNodes[n] = true
			}
			for _, k := range v.Array(node.Get("Kids")) {
				walk(k, depth+1)
			}
			return
		}
		if n >= 0 {
			d.pages[n] = true
		}
		if a := refNum(node.Get("Annots")); a >= 0 {
			d.annotArr[a] = true
		}
	}
	walk(root.Get("Pages"), 0)
	// form fields
	d.acroForm = refNum(root.Get("AcroForm"))
	if af := v.Dict(root.Get("AcroForm")); af != nil {
		if a := refNum(af.Get("Fields")); a >= 0 {
			d.fieldArr[a] = true
		}
		if r := refNum(af.Get("DR")); r >= 0 {
			d.dr[r] = true
		}
		if dr := v.Dict(af.Get("DR")); dr != nil {
			if r := refNum(dr.Get("Font")); r >= 0 {
				d.dr[r] = true
			}
		}
		fseen := map[int]bool{}
		var fw func(o pdf.Object, sig bool, parent string, depth int)
		fw = func(o pdf.Object, sig bool, parent string, depth int) {
			n := refNum(o)
			if depth > maxTreeDepth || len(fseen) > maxFieldsWalk || (n >= 0 && fseen[n]) {
				return
			}
			if n >= 0 {
				fseen[n] = true
			}
			f := v.Dict(o)
			if f == nil {
				return
			}
			if f.Name("FT") == "Sig" {
				sig = true
			}
			name := parent
			if t, ok := f.Get("T").(pdf.String); ok {
				if name != "" {
					name += "."
				}
				name += textString(t)
			}
			if n >= 0 {
				d.fieldName[n] = name
				d.fields[n] = true
				if sig {
					d.sigFields[n] = true
				}
			}
			if ap := v.Dict(f.Get("AP")); ap != nil {
				for _, k := range []string{"N", "D", "R"} {
					x := ap.Get(k)
					if m := refNum(x); m >= 0 {
						d.apStreams[m] = true
						d.apOwner[m] = n
						if _, ok := mustResolve(v, x).(*pdf.Stream); ok {
							continue
						}
					}
					// appearance sub-dictionary (states)
					if sub, ok := mustResolve(v, x).(pdf.Dict); ok {
						for _, s := range sub {
							if m := refNum(s); m >= 0 {
								d.apStreams[m] = true
								d.apOwner[m] = n
							}
						}
					}
				}
			}
			if a := refNum(f.Get("Kids")); a >= 0 {
				d.fieldArr[a] = true
			}
			for _, k := range v.Array(f.Get("Kids")) {
				fw(k, sig, name, depth+1)
			}
		}
		for _, f := range v.Array(af.Get("Fields")) {
			fw(f, false, "", 0)
		}
	}
	// DSS
	if x := root.Get("DSS"); x != nil {
		if n := refNum(x); n >= 0 {
			d.dss[n] = true
		}
		dss := v.Dict(x)
		for _, k := range []string{"Certs", "OCSPs", "CRLs", "VRI"} {
			o := dss.Get(k)
			if n := refNum(o); n >= 0 {
				d.dss[n] = true
			}
			if k == "VRI" {
				for _, e := range v.Dict(o) {
					if n := refNum(e); n >= 0 {
						d.dss[n] = true
					}
					for _, ee := range v.Dict(e) {
						if n := refNum(ee); n >= 0 {
							d.dss[n] = true
						}
						for _, x := range v.Array(ee) {
							if n := refNum(x); n >= 0 {
								d.dss[n] = true
							}
						}
					}
				}
				continue
			}
			for _, e := range v.Array(o) {
				if n := refNum(e); n >= 0 {
					d.dss[n] = true
				}
			}
		}
	}
	return d
}

func mustResolve(v *pdf.View, o pdf.Object) pdf.Object {
	x, _ := v.Resolve(o)
	return x
}

// canon returns a digest of an object's canonical form; for streams the
// raw data is hashed too.
func canon(v *pdf.View, o pdf.Object) [32]byte {
	var b bytes.Buffer
	pdf.Canonical(&b, o, 0)
	h := sha256.New()
	h.Write(b.Bytes())
	if st, ok := o.(*pdf.Stream); ok {
		r := io.NewSectionReader(v.Reader().ReaderAt(), st.Offset, st.Length)
		buf := make([]byte, 32<<10)
		_, _ = io.CopyBuffer(h, r, buf)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func sameObject(oldV, newV *pdf.View, a, b pdf.Object) bool {
	return canon(oldV, a) == canon(newV, b)
}

// perms is what the signature's DocMDP allows: 0 none (approval only), 1, 2 or 3.
type perms int

// diffRevisions classifies the changes from old to new.
func diffRevisions(old, nw *docInfo, p perms, revIndex int) Change {
	ch := Change{Revision: revIndex, Class: ModNone}
	add := func(cls Modification, kind string, obj int) {
		rank := map[Modification]int{ModNone: 0, ModAllowed: 1, ModDisallowed: 2}
		if rank[cls] > rank[ch.Class] {
			ch.Class = cls
		}
		code, sev := CodeModifiedAllowed, problemSevInfo
		if cls == ModDisallowed {
			code, sev = CodeModified, problemSevFail
		}
		for _, x := range ch.Problems { // one problem per kind
			if x.Code == code && x.Params["kind"] == kind {
				return
			}
		}
		ch.Problems = append(ch.Problems, mkProblem(sev, code, "kind", kind, "object", strconv.Itoa(obj), "revision", strconv.Itoa(revIndex)))
	}
	// allowed-with-permission helper
	allow := func(kind string, obj int, minP perms) {
		if p != 0 && p < minP {
			ch.Problems = append(ch.Problems, mkProblem(problemSevFail, CodeDocMDPForbids, "kind", kind, "p", strconv.Itoa(int(p)), "revision", strconv.Itoa(revIndex)))
			ch.Class = ModDisallowed
			return
		}
		add(ModAllowed, kind, obj)
	}
	oldSecs := map[*pdf.Section]bool{}
	for _, s := range old.v.Sections {
		oldSecs[s] = true
	}
	// every section of the old revision must still be in the new chain;
	// otherwise the update re-roots the xref chain and silently reverts
	// signed objects to older definitions
	newSecs := map[*pdf.Section]bool{}
	for _, s := range nw.v.Sections {
		newSecs[s] = true
	}
	for _, s := range old.v.Sections {
		if !newSecs[s] {
			add(ModDisallowed, ChangeXrefChain, -1)
			break
		}
	}
	changed := map[int]pdf.Entry{}
	for _, s := range nw.v.Sections {
		if oldSecs[s] {
			continue
		}
		for n, e := range s.Entries() {
			if _, ok := changed[n]; !ok {
				changed[n] = e
			}
			if len(changed) > maxChangedObjs {
				add(ModDisallowed, ChangeObjectOverridden, n)
				return ch
			}
		}
	}
	if nw.rootNum != old.rootNum {
		// a new catalog object: judge it as a modified catalog
		oc, nc := old.v.Root(), nw.v.Root()
		if oc == nil || nc == nil {
			add(ModDisallowed, ChangeRootReplaced, nw.rootNum)
		} else if !sameObject(old.v, nw.v, oc, nc) {
			classifyObject(old, nw, old.rootNum, oc, nc, p, add, allow)
		}
	}
	if nw.v.Trailer.Get("Encrypt") != nil && old.v.Trailer.Get("Encrypt") == nil {
		add(ModDisallowed, ChangeEncryption, -1)
	}
	nums := make([]int, 0, len(changed))
	for n := range changed {
		nums = append(nums, n)
	}
	sortInts(nums)
	for _, n := range nums {
		if old.v.Reader().Err() != nil {
			add(ModDisallowed, ChangeObjectOverridden, n)
			return ch
		}
		e := changed[n]
		oe, existed := old.v.Lookup(n)
		if !existed || oe.Type == 0 {
			continue // a new object: judged through what references it
		}
		oldObj, err1 := old.v.Get(pdf.Ref{Num: n, Gen: oe.Gen})
		if e.Type == 0 {
			if err1 == nil && oldObj != nil && !deletable(old, n, oldObj) {
				add(ModDisallowed, ChangeObjectDeleted, n)
			}
			continue
		}
		newObj, err2 := nw.v.Get(pdf.Ref{Num: n, Gen: e.Gen})
		if err1 != nil || err2 != nil {
			add(ModDisallowed, ChangeObjectOverridden, n)
			continue
		}
		if oldObj == nil {
			continue
		}
		if sameObject(old.v, nw.v, oldObj, newObj) {
			continue
		}
		classifyObject(old, nw, n, oldObj, newObj, p, add, allow)
	}
	return ch
}

// deletable: objects whose removal cannot change what is displayed
// (validation data, metadata, xref and object streams).
func deletable(d *docInfo, n int, o pdf.Object) bool {
	if d.dss[n] || n == d.infoNum {
		return true
	}
	if dd := dictOf(o); dd != nil {
		switch dd.Name("Type") {
		case "XRef", "ObjStm", "Metadata":
			return true
		}
	}
	return false
}

func sortInts(a []int) { sort.Ints(a) }

func dictOf(o pdf.Object) pdf.Dict {
	switch x := o.(type) {
	case pdf.Dict:
		return x
	case *pdf.Stream:
		return x.Dict
	}
	return nil
}

func isSigDict(d pdf.Dict) bool {
	t := d.Name("Type")
	return (t == "Sig" || t == "DocTimeStamp") || (d.Get("ByteRange") != nil && d.Get("Contents") != nil)
}

// changedKeys lists keys whose values differ.
func changedKeys(ov, nv *pdf.View, a, b pdf.Dict) []string {
	var out []string
	for k, x := range a {
		y, ok := b[k]
		if !ok || !sameObject(ov, nv, x, y) {
			out = append(out, string(k))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, string(k))
		}
	}
	return out
}

func onlyKeys(keys []string, allowed ...string) bool {
	for _, k := range keys {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func contains(keys []string, k string) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// harmlessPageKeys may change on pages and page tree nodes without
// changing what is displayed.
var harmlessPageKeys = []string{"StructParents", "Tabs", "PieceInfo", "LastModified", "ITXT"}

// commentAnnots cannot hide content: they are drawn as icons or markup.
var commentAnnots = map[string]bool{"Text": true, "Highlight": true, "Underline": true, "StrikeOut": true, "Squiggly": true, "Popup": true, "Link": true}

func classifyObject(old, nw *docInfo, n int, oldObj, newObj pdf.Object, p perms,
	add func(Modification, string, int), allow func(string, int, perms)) {
	od, nd := dictOf(oldObj), dictOf(newObj)
	switch {
	case old.dss[n] || (od != nil && od.Name("Type") == "DSS"):
		add(ModAllowed, ChangeDSS, n)
	case n == old.infoNum:
		add(ModAllowed, ChangeMetadata, n)
	case od != nil && isSigDict(od):
		add(ModDisallowed, ChangeSignatureAltered, n)
	case n == old.rootNum:
		if nd == nil {
			add(ModDisallowed, ChangeCatalog, n)
			return
		}
		keys := changedKeys(old.v, nw.v, od, nd)
		for _, k := range keys {
			switch k {
			case "DSS":
				add(ModAllowed, ChangeDSS, n)
			case "AcroForm":
				// a new AcroForm (first signature field) or a different one
				if od.Get("AcroForm") == nil {
					allow(ChangeSignatureAdded, n, 2)
				} else {
					checkAcroForm(old, nw, n, old.v.Dict(od.Get("AcroForm")), nw.v.Dict(nd.Get("AcroForm")), p, add, allow)
				}
			case "Metadata", "Extensions", "Version", "Lang", "PieceInfo":
				add(ModAllowed, ChangeMetadata, n)
			case "StructTreeRoot", "MarkInfo":
				add(ModAllowed, ChangeStructure, n)
			default:
				add(ModDisallowed, ChangeCatalog, n)
			}
		}
	case old.dr[n]:
		// default resources: adding entries (fonts for new fields) is fine,
		// changing existing ones could change how fields are drawn
		if od != nil && nd != nil && onlyAdded(old.v, nw.v, od, nd) {
			add(ModAllowed, ChangeAcroForm, n)
			return
		}
		add(ModDisallowed, ChangeFieldModified, n)
	case n == old.acroForm:
		checkAcroForm(old, nw, n, od, nd, p, add, allow)
	case old.pageNodes[n]:
		// only producer bookkeeping keys may change on a page tree node
		if od != nil && nd != nil && onlyKeys(changedKeys(old.v, nw.v, od, nd), harmlessPageKeys...) {
			add(ModAllowed, ChangeMetadata, n)
			return
		}
		add(ModDisallowed, ChangePages, n)
	case old.pages[n]:
		if nd == nil {
			add(ModDisallowed, ChangePage, n)
			return
		}
		keys := changedKeys(old.v, nw.v, od, nd)
		for _, k := range keys {
			if k == "Annots" {
				checkAnnots(old, nw, n, old.v.Array(od.Get("Annots")), nw.v.Array(nd.Get("Annots")), p, add, allow)
				continue
			}
			if onlyKeys([]string{k}, harmlessPageKeys...) {
				add(ModAllowed, ChangeStructure, n) // tagging, tab order, producer data: nothing displayed changes
				continue
			}
			if k == "Contents" || k == "Resources" {
				add(ModDisallowed, ChangePageContent, n)
				continue
			}
			add(ModDisallowed, ChangePage, n)
		}
	case old.annotArr[n]:
		oa, _ := oldObj.(pdf.Array)
		na, _ := newObj.(pdf.Array)
		checkAnnots(old, nw, n, oa, na, p, add, allow)
	case old.fieldArr[n]:
		oa, _ := oldObj.(pdf.Array)
		na, _ := newObj.(pdf.Array)
		checkFieldArray(old, nw, n, oa, na, p, add, allow)
	case old.fields[n]:
		if nd == nil {
			add(ModDisallowed, ChangeFieldModified, n)
			return
		}
		keys := changedKeys(old.v, nw.v, od, nd)
		if old.sigFields[n] {
			// signing an empty signature field: /V set, appearance updated
			if od.Get("V") != nil && contains(keys, "V") {
				add(ModDisallowed, ChangeSignatureAltered, n)
				return
			}
			if onlyKeys(keys, "V", "AP", "AS", "MK", "F", "P", "Lock", "SV", "DA") {
				allow(ChangeSignatureAdded, n, 2)
				return
			}
			add(ModDisallowed, ChangeFieldModified, n)
			return
		}
		if !contains(keys, "V") && !valueChanged(old, nw, n) && (contains(keys, "AP") || contains(keys, "AS") || contains(keys, "MK")) {
			// the value the signer saw is unchanged but what is displayed changed
			add(ModDisallowed, ChangeAppearance, n)
			return
		}
		if onlyKeys(keys, "V", "AP", "AS", "MK", "DV", "DA", "RV", "I", "Opt", "P") {
			allow(ChangeFormFill, n, 2)
			return
		}
		add(ModDisallowed, ChangeFieldModified, n)
	case old.apStreams[n] || nw.apStreams[n]:
		// an appearance stream rewritten in place: allowed only with a value change
		owner, ok := old.apOwner[n]
		if !ok {
			owner, ok = nw.apOwner[n]
		}
		if ok && valueChanged(old, nw, owner) {
			if old.sigFields[owner] {
				allow(ChangeSignatureAdded, n, 2)
			} else {
				allow(ChangeFormFill, n, 2)
			}
			return
		}
		add(ModDisallowed, ChangeAppearance, n)
	case od != nil && (od.Name("Type") == "Metadata" || od.Name("Type") == "XRef" || od.Name("Type") == "ObjStm"):
		add(ModAllowed, ChangeMetadata, n)
	case od != nil && od.Name("Type") == "Annot" || od != nil && od.Get("Subtype") != nil && od.Get("Rect") != nil:
		sub := od.Name("Subtype")
		if commentAnnots[sub] {
			allow(ChangeAnnotationEdited, n, 3)
		} else {
			add(ModDisallowed, ChangeAnnotationEdited, n)
		}
	case !old.pages[n] && !old.fields[n] && !old.apStreams[n] && old.isStructure(n):
		if _, isStream := oldObj.(*pdf.Stream); isStream {
			add(ModDisallowed, ChangeStream, n)
			return
		}
		add(ModAllowed, ChangeStructure, n)
	default:
		if _, ok := oldObj.(*pdf.Stream); ok {
			add(ModDisallowed, ChangeStream, n)
			return
		}
		add(ModDisallowed, ChangeObjectOverridden, n)
	}
}

func checkAcroForm(old, nw *docInfo, n int, od, nd pdf.Dict, p perms,
	add func(Modification, string, int), allow func(string, int, perms)) {
	if od == nil || nd == nil {
		add(ModDisallowed, ChangeCatalog, n)
		return
	}
	for _, k := range changedKeys(old.v, nw.v, od, nd) {
		switch k {
		case "Fields":
			checkFieldArray(old, nw, n, old.v.Array(od.Get("Fields")), nw.v.Array(nd.Get("Fields")), p, add, allow)
		case "SigFlags", "DR", "DA":
			add(ModAllowed, ChangeAcroForm, n)
		default:
			add(ModDisallowed, ChangeFieldModified, n)
		}
	}
}

func refSet(a pdf.Array) map[pdf.Ref]bool {
	m := map[pdf.Ref]bool{}
	for _, x := range a {
		if r, ok := x.(pdf.Ref); ok {
			m[r] = true
		}
	}
	return m
}

// checkFieldArray: fields may be added only as signature fields.
func checkFieldArray(old, nw *docInfo, n int, oa, na pdf.Array, p perms,
	add func(Modification, string, int), allow func(string, int, perms)) {
	om, nm := refSet(oa), refSet(na)
	for r := range om {
		if !nm[r] {
			add(ModDisallowed, ChangeFieldModified, r.Num)
		}
	}
	for r := range nm {
		if om[r] {
			continue
		}
		f := nw.v.Dict(r)
		if f != nil && f.Name("FT") == "Sig" {
			allow(ChangeSignatureAdded, r.Num, 2)
			continue
		}
		add(ModDisallowed, ChangeFieldAdded, r.Num)
	}
}

// checkAnnots: new widget annotations of signature fields are allowed; comment
// annotations are allowed when permissions allow; others may cover content.
func checkAnnots(old, nw *docInfo, n int, oa, na pdf.Array, p perms,
	add func(Modification, string, int), allow func(string, int, perms)) {
	om, nm := refSet(oa), refSet(na)
	for r := range om {
		if !nm[r] {
			add(ModDisallowed, ChangeAnnotationGone, r.Num)
		}
	}
	for r := range nm {
		if om[r] {
			continue
		}
		a := nw.v.Dict(r)
		if a == nil {
			continue
		}
		sub := a.Name("Subtype")
		switch {
		case sub == "Widget" && (nw.sigFields[r.Num] || a.Name("FT") == "Sig" || isSigParent(nw, a)):
			allow(ChangeSignatureAdded, r.Num, 2)
		case sub == "Widget":
			add(ModDisallowed, ChangeFieldAdded, r.Num)
		case commentAnnots[sub]:
			allow(ChangeAnnotationAdded, r.Num, 3)
		default:
			if p == 3 {
				add(ModAllowed, ChangeAnnotationAdded, r.Num)
			} else {
				add(ModDisallowed, ChangeAnnotationAdded, r.Num)
			}
		}
	}
}

func isSigParent(d *docInfo, a pdf.Dict) bool {
	for i, x := 0, a.Get("Parent"); x != nil && i < 16; i++ {
		p := d.v.Dict(x)
		if p == nil {
			return false
		}
		if p.Name("FT") == "Sig" {
			return true
		}
		x = p.Get("Parent")
	}
	return false
}

// valueChanged reports whether field n's /V (or, for a widget without its
// own value, its parent field's) differs between the revisions.
func valueChanged(old, nw *docInfo, n int) bool {
	for i := 0; i < 16; i++ {
		a := old.v.Dict(pdf.Ref{Num: n})
		b := nw.v.Dict(pdf.Ref{Num: n})
		if a == nil || b == nil {
			return false
		}
		if a.Get("V") != nil || b.Get("V") != nil {
			return valueDiffers(old, nw, a, b)
		}
		p := refNum(a.Get("Parent"))
		if p < 0 || p != refNum(b.Get("Parent")) {
			return false
		}
		n = p
	}
	return false
}

func valueDiffers(old, nw *docInfo, a, b pdf.Dict) bool {
	x, y := a.Get("V"), b.Get("V")
	if x == nil && y == nil {
		return false
	}
	if x == nil || y == nil {
		return true
	}
	return !sameObject(old.v, nw.v, x, y)
}

// onlyAdded: every key of a keeps its value in b (b may add keys); nested
// direct dictionaries are compared the same way.
func onlyAdded(ov, nv *pdf.View, a, b pdf.Dict) bool {
	for k, x := range a {
		y, ok := b[k]
		if !ok {
			return false
		}
		xd, xok := x.(pdf.Dict)
		yd, yok := y.(pdf.Dict)
		if xok && yok {
			if !onlyAdded(ov, nv, xd, yd) {
				return false
			}
			continue
		}
		if !sameObject(ov, nv, x, y) {
			return false
		}
	}
	return true
}

// isStructure reports whether object n belongs to the logical structure
// tree. The tree is walked on first use only.
func (d *docInfo) isStructure(n int) bool {
	if d.structure == nil {
		d.structure = map[int]bool{}
		v := d.v
		root := v.Root()
		if root == nil {
			return false
		}
		// logical structure: walk from StructTreeRoot without following the
		// links into page content (Pg, Obj, Stm, StmOwn)
		if x := root.Get("StructTreeRoot"); x != nil {
			var sw func(o pdf.Object, depth int)
			sw = func(o pdf.Object, depth int) {
				if depth > maxTreeDepth || len(d.structure) > maxPages {
					return
				}
				if n := refNum(o); n >= 0 {
					if d.structure[n] || d.pages[n] || n == d.rootNum {
						return
					}
					d.structure[n] = true
				}
				switch x := mustResolve(v, o).(type) {
				case pdf.Dict:
					for k, e := range x {
						switch k {
						case "Pg", "Obj", "Stm", "StmOwn", "P":
							continue
						}
						sw(e, depth+1)
					}
				case pdf.Array:
					for _, e := range x {
						sw(e, depth+1)
					}
				}
			}
			sw(x, 0)
		}
	}
	return d.structure[n]
}
