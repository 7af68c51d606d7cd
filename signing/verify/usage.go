package verify

import (
	"fmt"

	"github.com/vanthu/vanthu/signing/pdf"
)

// role is one way a viewer reaches an object from the trailer. The change
// analysis judges an object by the roles it had in the signed revision
// (and has in the final file), never by what the object says about
// itself: a stream the signed revision's pages draw is page content,
// whatever its /Type.
type role uint8

const (
	rContent  role = iota // drawn, or acting on what is shown: page content, resources, actions, anything unclassified
	rCatalog              // the catalog dictionary
	rPageTree             // a page tree node, its /Kids array
	rPage                 // a page dictionary (owner: the page)
	rAnnots               // a page's indirect /Annots array (owner: the page)
	rAnnot                // an annotation and what it reaches (owner: the annotation, -1 when direct)
	rField                // a form field, its widgets' and values' objects (owner: the field)
	rSigValue             // a signature dictionary and what it reaches (owner: the field)
	rAcroForm             // the AcroForm dictionary, its /Fields and /CO arrays
	rDR                   // the AcroForm default resources
	rDSS                  // /DSS and /Extensions: validation data
	rMeta                 // the trailer's /Info and the catalog's /Metadata
	rStruct               // the logical structure (/StructTreeRoot, /MarkInfo)
	rPrivate              // /PieceInfo and producers' private keys
	rPerms                // the catalog's /Perms
	rObjStm               // an object stream holding used objects
	numRoles
)

var roleNames = [numRoles]string{"content", "catalog", "page_tree", "page", "annots", "annotation", "field",
	"signature", "acroform", "default_resources", "dss", "metadata", "structure", "private", "perms", "object_stream"}

func (r role) String() string {
	if r < numRoles {
		return roleNames[r]
	}
	return "?"
}

// owned roles record by which page, annotation or field an object is
// reached: a rule that explains a change of one field explains its
// objects only when no other field or annotation reaches them.
func (r role) owned() bool {
	switch r {
	case rPage, rAnnots, rAnnot, rField, rSigValue:
		return true
	}
	return false
}

// owner is an owned role with its owner's object number.
type owner struct {
	role role
	id   int
}

const (
	maxOwners    = 16       // owners kept per object and role; beyond, the object is shared by "many"
	maxVisits    = 20 << 20 // objects visited in one usage walk
	denseNumbers = 1 << 21  // object numbers kept in a slice; beyond, in a map
)

// roleSet holds the role bits of every reached number.
type roleSet struct {
	dense  []uint32
	sparse map[int]uint32
}

func (s *roleSet) get(n int) uint32 {
	if n >= 0 && n < len(s.dense) {
		return s.dense[n]
	}
	return s.sparse[n]
}

func (s *roleSet) set(n int, bits uint32) {
	if n >= 0 && n < len(s.dense) {
		s.dense[n] = bits
		return
	}
	if s.sparse == nil {
		s.sparse = map[int]uint32{}
	}
	s.sparse[n] = bits
}

// annotEntry is one entry of a page's /Annots.
type annotEntry struct {
	num  int      // -1 for a direct dictionary
	dict pdf.Dict // nil when it is not a dictionary
}

// formField is a node of the AcroForm field tree.
type formField struct {
	num     int
	name    string // fully qualified
	ft      string // field type, inherited
	parent  int    // -1 at the top
	dict    pdf.Dict
	widgets []int // widget annotations (the field itself when merged)
	kids    []int // child fields
}

// value returns the field's /V, inherited from its ancestors.
func (u *usage) value(f *formField) pdf.Object {
	for i := 0; f != nil && i < maxTreeDepth; i++ {
		if x := f.dict.Get("V"); x != nil {
			return x
		}
		f = u.fields[f.parent]
	}
	return nil
}

// usage is how one view uses its objects: the roles (and owners) of every
// object number a viewer can reach from the trailer — including numbers
// that are referenced but free or undefined, which a later revision could
// fill in — and the structures the change rules compare (catalog, pages,
// their annotations, the field tree).
//
// The final view is walked in full. Of a signed revision's view
// (content: false) only the structures are read — catalog, page tree,
// annotations, fields — the rest is walked, without page content, only
// to name what is refused (complete). A changed object the signed
// revision drew is reached, in the final view, through objects that did
// not change (and so draw it there too) or through a changed one, which
// is itself drawn and judged — from an unchanged page, node or catalog
// key down to it. So every change to what the signed revision drew is a
// changed object the final view draws, and the final walk finds it; and
// an object of the signed revision's annotations, fields or validation
// data that the final file still uses is reached there too, by the same
// owners unless one of them changed and is judged.
type usage struct {
	v        *pdf.View
	content  bool // page content was walked
	complete bool // everything queued was walked
	roles    roleSet
	owners   map[int][]owner
	many     map[int]uint32 // owned roles with more than maxOwners owners
	errs     map[int]error  // reached objects that cannot be read

	structural map[int]bool // objects judged by their own rule (catalog, page tree, pages, annotations, fields)
	catalogNum int
	catalog    pdf.Dict
	nodes      map[int]bool // page tree nodes
	pages      []int        // page numbers in viewing order (-1 for a direct one)
	pageIndex  map[int]int  // page object → 1-based page number
	annotsNum  map[int]int  // page → its indirect /Annots array
	annots     map[int][]annotEntry
	annotPages map[int][]int // annotation → pages listing it (1-based)
	acroForm   pdf.Dict
	acroNum    int
	fieldsNum  int
	fieldsArr  pdf.Array // the /Fields entries
	topFields  []int
	fields     map[int]*formField
	fieldOrder []int
	widgetOf   map[int]int // widget annotation → field

	work    []workItem
	stmSeen map[owner]bool // object streams whose dictionary was walked, per role
	visits  int
	// The logical structure (often as many objects as the rest together)
	// draws nothing: it is walked only when a rule needs to know an
	// object belongs to it (walkStruct).
	structRoots []pdf.Object
	structDone  bool
}

type workItem struct {
	ref  pdf.Ref
	role role
	id   int
}

// newUsage walks v from its trailer (page content too when content).
func newUsage(v *pdf.View, content bool) (*usage, error) {
	u := &usage{v: v, content: content, owners: map[int][]owner{}, many: map[int]uint32{}, errs: map[int]error{},
		structural: map[int]bool{}, catalogNum: -1, nodes: map[int]bool{}, pageIndex: map[int]int{},
		annotsNum: map[int]int{}, annots: map[int][]annotEntry{}, annotPages: map[int][]int{},
		acroNum: -1, fieldsNum: -1, fields: map[int]*formField{}, widgetOf: map[int]int{}, stmSeen: map[owner]bool{}}
	u.roles.dense = make([]uint32, min(v.MaxNumber()+1, denseNumbers))
	u.trailer()
	if content {
		if err := u.walkAll(); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// walkAll walks what the structures reach (once).
func (u *usage) walkAll() error {
	if u.complete {
		return nil
	}
	u.complete = true
	return u.drain()
}

// drain walks the queued work.
func (u *usage) drain() error {
	for len(u.work) > 0 {
		it := u.work[len(u.work)-1]
		u.work = u.work[:len(u.work)-1]
		if u.visits++; u.visits%4096 == 0 {
			if err := u.v.Reader().Err(); err != nil {
				return err
			}
		}
		if u.visits > maxVisits {
			return fmt.Errorf("%w: more than %d objects reached", pdf.ErrLimit, maxVisits)
		}
		u.visit(it)
	}
	return u.v.Reader().Err()
}

// walkStruct walks the logical structure (once).
func (u *usage) walkStruct() error {
	if u.structDone {
		return nil
	}
	if err := u.walkAll(); err != nil {
		return err
	}
	u.structDone = true
	for _, x := range u.structRoots {
		u.walk(x, rStruct, 0)
	}
	return u.drain()
}

// has reports whether n is reached in role r (by any owner).
func (u *usage) has(n int, r role) bool { return u.roles.get(n)&(1<<r) != 0 }

// pairs lists every (role, owner) n is reached by; owned roles with too
// many owners are listed once with owner manyOwners.
func (u *usage) pairs(n int) []owner {
	bits := u.roles.get(n)
	if bits == 0 {
		return nil
	}
	var out []owner
	for r := role(0); r < numRoles; r++ {
		if bits&(1<<r) == 0 {
			continue
		}
		if !r.owned() {
			out = append(out, owner{role: r})
			continue
		}
		for _, o := range u.owners[n] {
			if o.role == r {
				out = append(out, o)
			}
		}
		if u.many[n]&(1<<r) != 0 {
			out = append(out, owner{role: r, id: manyOwners})
		}
	}
	return out
}

// manyOwners stands for owners beyond maxOwners: no rule explains them.
const manyOwners = -1 << 30

// mark records that n is reached in role r by owner id; it reports
// whether that is new (the object must then be walked in that role).
func (u *usage) mark(n int, r role, id int) bool {
	if n < 0 {
		return false
	}
	bits := u.roles.get(n)
	if !r.owned() {
		if bits&(1<<r) != 0 {
			return false
		}
		u.roles.set(n, bits|1<<r)
		return true
	}
	u.roles.set(n, bits|1<<r)
	k := 0
	for _, o := range u.owners[n] {
		if o.role == r {
			if o.id == id {
				return false
			}
			k++
		}
	}
	if k >= maxOwners {
		if u.many[n]&(1<<r) != 0 {
			return false
		}
		u.many[n] |= 1 << r
		return true
	}
	u.owners[n] = append(u.owners[n], owner{role: r, id: id})
	return true
}

// walk queues what a direct or indirect object reaches, in role r.
func (u *usage) walk(o pdf.Object, r role, id int) { u.walkDepth(o, r, id, 0) }

func (u *usage) walkDepth(o pdf.Object, r role, id int, depth int) {
	if depth > pdf.DefaultLimits.MaxDepth || (r == rContent && !u.content) {
		return
	}
	switch x := o.(type) {
	case pdf.Ref:
		u.work = append(u.work, workItem{ref: x, role: r, id: id})
	case pdf.Array:
		for _, e := range x {
			u.walkDepth(e, r, id, depth+1)
		}
	case pdf.Dict:
		for k, e := range x {
			if r == rStruct {
				switch k {
				case "Pg", "Obj", "Stm", "StmOwn":
					// links into pages and their content, judged there
					continue
				}
			}
			u.walkDepth(e, r, id, depth+1)
		}
	case *pdf.Stream:
		u.walkDepth(x.Dict, r, id, depth+1)
	}
}

// visit marks and walks one queued reference.
func (u *usage) visit(it workItem) {
	n := it.ref.Num
	if u.structural[n] {
		// Judged by its own rule. A page or page tree node is reached
		// from destinations and outlines; any other structural object
		// (annotation, field, catalog) that page content reaches is drawn
		// a second way and may not change.
		if it.role == rContent && !u.nodes[n] && u.pageIndex[n] == 0 {
			u.mark(n, rContent, 0)
		}
		return
	}
	if !u.mark(n, it.role, it.id) {
		return
	}
	o, err := u.v.Get(it.ref)
	if err != nil {
		u.errs[n] = err
		return
	}
	u.container(n, it.role, it.id)
	u.walk(o, it.role, it.id)
}

// container: an object compressed in an object stream is read through
// that stream's dictionary (/Length, /N, /First, /Filter may be
// references): those objects are used in the object's role, so changing
// them is changing the object.
func (u *usage) container(n int, r role, id int) {
	e, ok := u.v.Lookup(n)
	if !ok || e.Type != pdf.EntryCompressed {
		return
	}
	key := owner{role: r, id: e.Stream}
	if r.owned() {
		key.id = e.Stream ^ id<<24
	}
	u.mark(e.Stream, rObjStm, 0)
	if u.stmSeen[key] || len(u.stmSeen) > maxVisits/16 {
		return
	}
	u.stmSeen[key] = true
	se, ok := u.v.Lookup(e.Stream)
	if !ok || se.Type != pdf.EntryInUse {
		return
	}
	o, err := u.v.Get(pdf.Ref{Num: e.Stream, Gen: se.Gen})
	if err != nil {
		u.errs[e.Stream] = err
		return
	}
	if st, ok := o.(*pdf.Stream); ok {
		u.walk(st.Dict, r, id)
	}
}

// structure marks n as judged by its own rule, in role r.
func (u *usage) structure(n int, r role, id int) {
	if n < 0 {
		return
	}
	u.mark(n, r, id)
	u.structural[n] = true
}

func (u *usage) trailer() {
	for k, x := range u.v.Trailer {
		switch k {
		case "Root":
			u.catalogNum = refNum(x)
			u.structure(u.catalogNum, rCatalog, 0)
			u.catalog = u.dict(x)
		case "Info":
			u.walk(x, rMeta, 0)
		case "Encrypt":
			u.walk(x, rContent, 0)
		default:
			// the section's own data (/Prev, /Size, /ID, /W …) and keys
			// viewers do not read
		}
	}
	if u.catalog == nil {
		return
	}
	// pages first, then the form: annotations are known before the
	// fields that own some of them
	u.pageTree(u.catalog.Get("Pages"))
	u.form(u.catalog.Get("AcroForm"))
	for k, x := range u.catalog {
		switch k {
		case "Type", "Version", "Lang":
			u.scalar(x)
		case "Pages", "AcroForm":
		case "DSS", "Extensions":
			u.walk(x, rDSS, 0)
		case "Metadata":
			u.walk(x, rMeta, 0)
		case "StructTreeRoot", "MarkInfo":
			u.structRoots = append(u.structRoots, x)
		case "PieceInfo":
			u.walk(x, rPrivate, 0)
		case "Perms":
			u.walk(x, rPerms, 0)
		default:
			u.walk(x, rContent, 0)
		}
	}
	// a page or node whose /Parent is no node of the tree inherits
	// attributes from it
	for n := range u.structural {
		if !u.nodes[n] && u.pageIndex[n] == 0 {
			continue
		}
		if p := refNum(u.dict(pdf.Ref{Num: n, Gen: u.gen(n)}).Get("Parent")); p >= 0 && !u.nodes[p] {
			u.walk(pdf.Ref{Num: p, Gen: u.gen(p)}, rContent, 0)
		}
	}
}

// scalar values are expected direct; a reference is followed as content.
func (u *usage) scalar(x pdf.Object) {
	if _, ok := x.(pdf.Ref); ok {
		u.walk(x, rContent, 0)
	}
}

func (u *usage) gen(n int) int {
	e, _ := u.v.Lookup(n)
	return e.Gen
}

// dict resolves o as a dictionary, recording read errors.
func (u *usage) dict(o pdf.Object) pdf.Dict {
	d, err := u.v.ResolveDict(o)
	if err != nil {
		if n := refNum(o); n >= 0 {
			u.errs[n] = err
		}
		return nil
	}
	return d
}

// pageTree walks the page tree the way viewers count pages: a node is a
// dictionary whose /Kids is an array, anything else is a page.
func (u *usage) pageTree(root pdf.Object) {
	type frame struct {
		o     pdf.Object
		depth int
	}
	stack := []frame{{o: root}}
	seen := map[int]bool{}
	for len(stack) > 0 && len(u.pages) < maxPages {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := refNum(f.o)
		if n >= 0 {
			if seen[n] {
				continue
			}
			seen[n] = true
		}
		d := u.dict(f.o)
		if d == nil || f.depth > maxTreeDepth {
			continue
		}
		kids, err := u.v.Resolve(d.Get("Kids"))
		if err != nil {
			u.errs[refNum(d.Get("Kids"))] = err
		}
		if arr, ok := kids.(pdf.Array); ok {
			u.structure(n, rPageTree, 0)
			if n >= 0 {
				u.nodes[n] = true
			}
			if kr := refNum(d.Get("Kids")); kr >= 0 {
				u.structure(kr, rPageTree, 0)
			}
			for k, x := range d {
				switch k {
				case "Kids", "Parent", "Count", "Type":
				case "PieceInfo", "ITXT", "LastModified":
					u.walk(x, rPrivate, 0)
				default:
					u.walk(x, rContent, 0) // inheritable attributes
				}
			}
			for i := len(arr) - 1; i >= 0; i-- {
				stack = append(stack, frame{o: arr[i], depth: f.depth + 1})
			}
			continue
		}
		u.pages = append(u.pages, n)
		if n < 0 {
			u.walk(d, rContent, 0)
			continue
		}
		if u.pageIndex[n] != 0 {
			continue // a page listed twice: judged once, by the page rule
		}
		u.structure(n, rPage, n)
		u.pageIndex[n] = len(u.pages)
		for k, x := range d {
			switch k {
			case "Type", "Parent":
			case "Annots":
				u.annotations(n, len(u.pages), x)
			case "StructParents", "Tabs", "LastModified":
				u.scalar(x)
			case "PieceInfo":
				u.walk(x, rPrivate, 0)
			default:
				u.walk(x, rContent, 0)
			}
		}
	}
}

// annotations walks page n's /Annots (page number idx).
func (u *usage) annotations(n, idx int, x pdf.Object) {
	if r := refNum(x); r >= 0 {
		u.structure(r, rAnnots, n)
		u.annotsNum[n] = r
	}
	arr, err := u.v.Resolve(x)
	if err != nil {
		u.errs[refNum(x)] = err
	}
	a, _ := arr.(pdf.Array)
	for _, e := range a {
		an := refNum(e)
		d := u.dict(e)
		u.annots[n] = append(u.annots[n], annotEntry{num: an, dict: d})
		if an >= 0 {
			u.annotPages[an] = append(u.annotPages[an], idx)
			if u.nodes[an] || u.pageIndex[an] != 0 || an == u.catalogNum {
				continue // a page, node or the catalog listed as an annotation
			}
		}
		id := an
		if an < 0 {
			id = -1
		}
		if an >= 0 {
			if !u.mark(an, rAnnot, an) {
				continue
			}
			u.structural[an] = true
		}
		for k, y := range d {
			switch k {
			case "P", "Parent", "IRT":
				// links to the page, the field and the replied-to annotation
			default:
				u.walk(y, rAnnot, id)
			}
		}
	}
}

// form walks the AcroForm dictionary and its field tree.
func (u *usage) form(x pdf.Object) {
	if r := refNum(x); r >= 0 {
		u.structure(r, rAcroForm, 0)
		u.acroNum = r
	}
	u.acroForm = u.dict(x)
	for k, y := range u.acroForm {
		switch k {
		case "Fields":
			if r := refNum(y); r >= 0 {
				u.structure(r, rAcroForm, 0)
				u.fieldsNum = r
			}
			arr, err := u.v.Resolve(y)
			if err != nil {
				u.errs[refNum(y)] = err
			}
			a, _ := arr.(pdf.Array)
			u.fieldsArr = a
			seen := map[int]bool{}
			for _, f := range a {
				if n := u.field(f, "", "", -1, 0, seen); n != 0 {
					u.topFields = append(u.topFields, n)
				}
			}
		case "CO":
			// calculation order: references to fields of the tree
			if r := refNum(y); r >= 0 {
				u.structure(r, rAcroForm, 0)
			}
		case "DR":
			u.walk(y, rDR, 0)
		case "SigFlags", "NeedAppearances", "DA", "Q":
			u.scalar(y)
		default:
			u.walk(y, rContent, 0) // /XFA and anything unknown
		}
	}
}

// isFieldKid tells a child field from a widget among a field's kids.
func isFieldKid(d pdf.Dict) bool { return d.Get("T") != nil || d.Get("Kids") != nil }

// field walks one field node; it returns its number (0 when not walked).
func (u *usage) field(o pdf.Object, parent, ft string, parentNum, depth int, seen map[int]bool) int {
	n := refNum(o)
	if depth > maxTreeDepth || len(u.fields) > maxFieldsWalk {
		return 0
	}
	if n >= 0 {
		if seen[n] {
			return 0
		}
		seen[n] = true
	} else {
		n = -2 - len(u.fieldOrder) // a direct field: an owner no rule explains
	}
	d := u.dict(o)
	if d == nil {
		return 0
	}
	name, ft := fieldName(parent, ft, d)
	f := &formField{num: n, name: name, ft: ft, parent: parentNum, dict: d}
	u.fields[n] = f
	u.fieldOrder = append(u.fieldOrder, n)
	u.structure(n, rField, n)
	kidsObj := d.Get("Kids")
	if r := refNum(kidsObj); r >= 0 {
		u.structure(r, rField, n)
	}
	kids, err := u.v.Resolve(kidsObj)
	if err != nil {
		u.errs[refNum(kidsObj)] = err
	}
	ka, _ := kids.(pdf.Array)
	for _, k := range ka {
		kd := u.dict(k)
		if kd == nil {
			continue
		}
		if isFieldKid(kd) {
			if c := u.field(k, name, ft, n, depth+1, seen); c != 0 {
				f.kids = append(f.kids, c)
			}
			continue
		}
		wn := refNum(k)
		if wn < 0 {
			continue // a direct widget cannot be on a page
		}
		f.widgets = append(f.widgets, wn)
		u.widgetOf[wn] = n
		u.structure(wn, rField, n)
		for kk, y := range kd {
			switch kk {
			case "P", "Parent":
			default:
				u.walk(y, rField, n)
			}
		}
	}
	if len(ka) == 0 && n >= 0 {
		f.widgets = append(f.widgets, n) // field and widget merged
		u.widgetOf[n] = n
	}
	for k, y := range d {
		switch k {
		case "Kids", "Parent":
			// the tree, walked above
		case "T", "FT", "Ff":
			u.scalar(y)
		case "V":
			if ft == "Sig" {
				u.walk(y, rSigValue, n)
			} else {
				u.walk(y, rField, n)
			}
		default:
			u.walk(y, rField, n)
		}
	}
	return n
}
