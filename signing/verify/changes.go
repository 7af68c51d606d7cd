package verify

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vanthu/vanthu/signing/pdf"
)

// The change analysis compares the signed revision's view with the final
// one, object number by object number (pdf.View.Diff), and explains every
// difference by a rule or reports it. See README.md, "Changes after a
// signature", for the rules in words.

// perms is what the certification allows: 0 none (approval signatures
// only, treated like 2), 1, 2 or 3.
type perms int

const (
	maxChangedObjs = 200000
	maxListed      = 16 // object numbers listed in one problem
	maxPages       = 100000
	maxFieldsWalk  = 20000
	maxTreeDepth   = 64
)

// grant is a rule's acceptance of the changes of one owner (a field, an
// annotation, a page, the catalog …).
type grant struct {
	rev  int // ≥ 0: the owner's objects must be as the signature of that revision signed them
	kind string
}

// reason is why a rule refused an owner's changes.
type reason struct {
	code   string
	kind   string
	params []string
}

// pending is a problem before it is attached to a revision's Change.
type pending struct {
	code, sev, kind string
	rev             int
	objs            []int
	params          []string
}

// judge analyses the changes after one signature.
type judge struct {
	v        *verifier
	s        *Signature
	R, last  int
	p        perms
	locked   func(name string) bool
	old, cur *usage

	changed   []int
	isChanged map[int]bool
	def       map[int]int // number → the revision that gave it its final definition

	pagesSame bool
	grants    map[owner]grant
	rejects   map[owner]reason
	annotDone map[owner]bool // annotations judged, and the verdict

	problems  []pending
	infos     []pending
	areas     []Area
	formLevel bool // a change that may redraw any field (default resources)
}

// checkChanges analyses what changed after signature s and fills its
// Changes and ModifiedAfter; p is the DocMDP permission in force.
func (v *verifier) checkChanges(s *Signature, p perms) *visualPlan {
	last := v.final.Revision().Index
	if last < 0 {
		last = len(v.revs) - 1
	}
	j := &judge{v: v, s: s, R: s.Revision, last: last, p: p, locked: v.fieldLock(s),
		isChanged: map[int]bool{}, def: map[int]int{}, grants: map[owner]grant{}, rejects: map[owner]reason{},
		annotDone: map[owner]bool{}}
	err := j.run()
	if err != nil {
		code := CodeRevisionUnparsed
		if errors.Is(err, pdf.ErrLimit) || v.ctx.Err() != nil {
			code = CodeLimitExceeded
		}
		j.problems = append(j.problems, pending{code: code, sev: problemSevFail, rev: j.last, params: []string{"error", err.Error()}})
	}
	s.Changes = j.result()
	s.ModifiedAfter = ModNone
	for _, ch := range s.Changes {
		if rank(ch.Class) > rank(s.ModifiedAfter) {
			s.ModifiedAfter = ch.Class
		}
		for _, pr := range ch.Problems {
			if pr.Severity != problemSevInfo {
				s.Problems = append(s.Problems, pr)
			}
		}
	}
	if s.ModifiedAfter == ModDisallowed || err != nil {
		return nil
	}
	plan := &visualPlan{areas: j.areas, formLevel: j.formLevel, revision: j.R, pages: j.cur}
	plan.hideOld, plan.hideCur = j.hiding()
	return plan
}

// hiding returns the annotations the visual check leaves out of the
// signed and the final render: those that did not change (drawn alike in
// both), and in the final render the new ones whose area is not compared.
// With a form-level change every widget may be redrawn: nothing is hidden.
func (j *judge) hiding() (hideOld, hideCur []int) {
	if j.formLevel || j.old == nil || j.cur == nil || !j.pagesSame {
		return nil, nil
	}
	touched := map[int]bool{}
	for _, n := range j.changed {
		for _, u := range []*usage{j.old, j.cur} {
			for _, o := range u.pairs(n) {
				switch o.role {
				case rAnnot:
					touched[o.id] = true
				case rField, rSigValue:
					for _, w := range []*usage{j.old, j.cur} {
						if f := w.fields[o.id]; f != nil {
							for _, x := range f.widgets {
								touched[x] = true
							}
						}
					}
				}
			}
		}
	}
	excluded := map[int]bool{}
	for _, a := range j.areas {
		if !a.Redrawn {
			excluded[a.Object] = true
		}
	}
	inOld := map[int]bool{}
	for _, pg := range j.old.pages {
		for _, e := range j.old.annots[pg] {
			if e.num >= 0 {
				inOld[e.num] = true
			}
		}
	}
	seen := map[int]bool{}
	for _, pg := range j.cur.pages {
		for _, e := range j.cur.annots[pg] {
			a := e.num
			if a < 0 || seen[a] {
				continue
			}
			seen[a] = true
			switch {
			case inOld[a] && !touched[a]:
				hideCur = append(hideCur, a)
			case !inOld[a] && excluded[a]:
				hideCur = append(hideCur, a)
			}
		}
	}
	for a := range inOld {
		if !touched[a] && seen[a] {
			hideOld = append(hideOld, a)
		}
	}
	return hideOld, hideCur
}

func (j *judge) run() error {
	v := j.v
	if _, junk := v.rd.Trailing(); junk {
		start, _ := v.rd.Trailing()
		j.problem(CodeUnsignedData, ChangeUnsignedData, len(v.revs), nil, "offset", strconv.FormatInt(start, 10))
	}
	if v.final.Broken != nil {
		j.problem(CodeModified, ChangeXrefBroken, j.last, nil)
	}
	for k := j.last + 1; k < len(v.revs); k++ {
		// a revision viewers read (rebuilding the file) but that cannot
		// be analysed: the final view is an older one
		j.problem(CodeModified, ChangeXrefBroken, k, nil)
	}
	for k := j.R + 1; k < len(v.revs); k++ {
		if !v.revs[k].EOF {
			j.problem(CodeModified, ChangeNoEOF, k, nil)
		}
	}
	if j.R >= j.last {
		return nil
	}
	var err error
	if j.old, err = v.usageOf(j.R); err != nil {
		return err
	}
	if j.cur, err = v.usageOf(j.last); err != nil {
		return err
	}
	if j.cur.v.Encrypted() && !j.old.v.Encrypted() {
		j.problem(CodeModified, ChangeEncryption, j.last, nil)
	}
	if !chainKept(j.old.v, j.cur.v) {
		j.infos = append(j.infos, pending{code: CodeXrefRewritten, sev: problemSevInfo, kind: ChangeXrefChain, rev: j.last})
	}
	for k := j.R + 1; k < j.last; k++ {
		// a revision the final chain no longer reads: what it changed is
		// not in the document
		if vk, err := v.view(k); err == nil && !j.cur.v.Reaches(vk.Sections[0]) {
			j.infos = append(j.infos, pending{code: CodeXrefRewritten, sev: problemSevInfo, kind: ChangeRevisionDropped, rev: k})
		}
	}
	if err := j.collect(); err != nil {
		return err
	}
	if len(j.changed) == 0 {
		return nil
	}
	j.rules()
	j.cover()
	return nil
}

// chainKept reports whether every section of old is in cur's chain, in
// the same order.
func chainKept(old, cur *pdf.View) bool {
	i := 0
	for _, s := range cur.Sections {
		if i < len(old.Sections) && s == old.Sections[i] {
			i++
		}
	}
	return i == len(old.Sections)
}

// collect lists the numbers whose effective object differs, leaving out
// objects rewritten identically.
func (j *judge) collect() error {
	var tooMany bool
	err := j.cur.v.Diff(j.old.v, func(n int) bool {
		if len(j.changed) >= maxChangedObjs {
			tooMany = true
			return false
		}
		j.changed = append(j.changed, n)
		return true
	})
	if err != nil {
		return err
	}
	if tooMany {
		j.problem(CodeModified, ChangeObjectOverridden, j.last, nil, "count", ">"+strconv.Itoa(maxChangedObjs))
	}
	kept := j.changed[:0]
	for _, n := range j.changed {
		if err := j.v.ctx.Err(); err != nil {
			return err
		}
		if j.same(n) {
			continue
		}
		kept = append(kept, n)
		j.isChanged[n] = true
		j.def[n] = j.definedIn(n)
	}
	j.changed = kept
	return nil
}

// same reports whether n is the same object in both views (a rewrite with
// equal value, generation and stream data).
func (j *judge) same(n int) bool { return j.sameIn(j.old.v, n) }

// sameIn reports whether n is the same object in view w and the final one.
func (j *judge) sameIn(w *pdf.View, n int) bool {
	lo, ln := w.Location(n), j.cur.v.Location(n)
	gen := func(l pdf.Location) int {
		if l.Type == pdf.EntryInUse {
			return l.Gen
		}
		return 0
	}
	if (lo.Type == pdf.EntryFree) != (ln.Type == pdf.EntryFree) || gen(lo) != gen(ln) {
		return false
	}
	a, err1 := w.Object(n)
	b, err2 := j.cur.v.Object(n)
	if err1 != nil || err2 != nil {
		return false
	}
	if !sameValue(a, b) {
		return false
	}
	sa, ok1 := a.(*pdf.Stream)
	sb, ok2 := b.(*pdf.Stream)
	if ok1 != ok2 {
		return false
	}
	return !ok1 || sameData(j.v.r, sa, sb)
}

// sameValue compares two objects as values (references by number and
// generation, streams by dictionary).
func sameValue(a, b pdf.Object) bool {
	var x, y bytes.Buffer
	pdf.Canonical(&x, a, 0)
	pdf.Canonical(&y, b, 0)
	return bytes.Equal(x.Bytes(), y.Bytes())
}

func canonical(o pdf.Object) string {
	var b bytes.Buffer
	pdf.Canonical(&b, o, 0)
	return b.String()
}

// sameData compares the raw data of two streams of the file.
func sameData(ra io.ReaderAt, a, b *pdf.Stream) bool {
	if a.Length != b.Length || a.Length < 0 {
		return false
	}
	if a.Offset == b.Offset {
		return true
	}
	const chunk = 32 << 10
	x, y := make([]byte, chunk), make([]byte, chunk)
	for off := int64(0); off < a.Length; off += chunk {
		k := min(chunk, a.Length-off)
		n1, _ := ra.ReadAt(x[:k], a.Offset+off)
		n2, _ := ra.ReadAt(y[:k], b.Offset+off)
		if int64(n1) != k || int64(n2) != k || !bytes.Equal(x[:k], y[:k]) {
			return false
		}
	}
	return true
}

// definedIn returns the revision that gave n its final definition: the
// one holding the section the final view takes n's entry from, when that
// is after the signed revision; else (a later section bringing back an
// older entry) the first revision after the signed one whose view has
// the final definition.
func (j *judge) definedIn(n int) int {
	for _, s := range j.cur.v.Sections {
		if _, ok := s.Lookup(n); ok {
			if k := j.v.revisionAt(s.Offset); k > j.R && k <= j.last {
				return k
			}
			break
		}
	}
	want := j.cur.v.Location(n)
	for k := j.R + 1; k < j.last; k++ {
		if vk, err := j.v.view(k); err == nil && vk.Location(n) == want {
			return k
		}
	}
	return j.last
}

// revisionAt returns the revision holding byte off.
func (v *verifier) revisionAt(off int64) int {
	return sort.Search(len(v.revs), func(i int) bool { return v.revs[i].End > off })
}

// inRevision reports whether n's final definition is the one revision k
// wrote (or kept) within the bytes its signature covers, or a later copy
// of it with the same value.
func (j *judge) inRevision(n, k int) bool {
	vk, err := j.v.view(k)
	if err != nil {
		return false
	}
	l := j.cur.v.Location(n)
	if vk.Location(n) != l {
		lk := vk.Location(n)
		return lk.Type != pdf.EntryFree && lk.Offset >= 0 && lk.Offset < j.v.revs[k].End && j.sameIn(vk, n)
	}
	if l.Type == pdf.EntryFree {
		return true
	}
	return l.Offset >= 0 && l.Offset < j.v.revs[k].End
}

func (j *judge) problem(code, kind string, rev int, objs []int, params ...string) {
	j.problems = append(j.problems, pending{code: code, sev: problemSevFail, kind: kind, rev: rev, objs: objs, params: params})
}

func (j *judge) info(kind string, rev int, params ...string) {
	for _, x := range j.infos {
		if x.kind == kind && x.rev == rev && slices.Equal(x.params, params) {
			return
		}
	}
	j.infos = append(j.infos, pending{code: CodeModifiedAllowed, sev: problemSevInfo, kind: kind, rev: rev, params: params})
}

func (j *judge) reject(o owner, code, kind string, params ...string) {
	if _, ok := j.rejects[o]; !ok {
		j.rejects[o] = reason{code: code, kind: kind, params: params}
	}
	delete(j.grants, o)
}

// rules evaluates every structure whose objects changed.
func (j *judge) rules() {
	j.pagesSame = slices.Equal(j.old.pages, j.cur.pages)
	fields, annots := j.touched()
	// new top-level fields first: the /Fields and /Annots rules need them
	for _, n := range j.cur.topFields {
		if j.old.fields[n] == nil {
			j.newField(n)
		}
	}
	for _, n := range fields {
		switch {
		case j.old.fields[n] != nil:
			j.existingField(n)
		case j.cur.fields[n] != nil && j.cur.fields[n].parent == -1:
			// a new top-level field, judged above (or not listed in /Fields)
			if _, done := j.grants[owner{rField, n}]; !done {
				if _, no := j.rejects[owner{rField, n}]; !no {
					j.reject(owner{rField, n}, CodeModified, ChangeFieldAdded)
				}
			}
		default:
			j.reject(owner{rField, n}, CodeModified, ChangeFieldAdded)
		}
	}
	if j.pagesSame {
		for _, pg := range j.cur.pages {
			if pg >= 0 {
				j.annotsRule(pg)
			}
		}
	}
	for _, a := range annots {
		j.modifiedAnnot(a)
	}
	if j.pagesSame {
		for _, pg := range j.cur.pages {
			if pg >= 0 && j.isChanged[pg] {
				j.pageRule(pg)
			}
		}
	}
	j.acroFormRule()
	j.catalogRule()
}

// touched lists the fields and the annotations (not widgets of a field)
// some changed object belongs to.
func (j *judge) touched() (fields, annots []int) {
	fs, as := map[int]bool{}, map[int]bool{}
	add := func(u *usage, o owner) {
		switch o.role {
		case rField, rSigValue:
			fs[o.id] = true
		case rAnnot:
			if f, ok := u.widgetOf[o.id]; ok {
				fs[f] = true
			} else if o.id != manyOwners {
				as[o.id] = true
			}
		}
	}
	for _, n := range j.changed {
		for _, o := range j.old.pairs(n) {
			add(j.old, o)
		}
		for _, o := range j.cur.pairs(n) {
			add(j.cur, o)
		}
	}
	for f := range fs {
		if f != manyOwners {
			fields = append(fields, f)
		}
	}
	for a := range as {
		if j.old.has(a, rAnnot) && j.cur.has(a, rAnnot) {
			annots = append(annots, a)
		}
	}
	sort.Ints(fields)
	sort.Ints(annots)
	return fields, annots
}

// signer returns the signature whose /V the field holds.
func (j *judge) signer(f *formField) *Signature {
	val := f.dict.Get("V")
	if val == nil {
		return nil
	}
	for i := range j.v.res.Signatures {
		t := &j.v.res.Signatures[i]
		if r, ok := val.(pdf.Ref); ok {
			if tr, ok := t.vobj.(pdf.Ref); ok && tr == r {
				return t
			}
			continue
		}
		if t.Field == f.name && sameValue(t.vobj, val) {
			return t
		}
	}
	return nil
}

// signedHere returns the revision signature t signed, when t is a valid
// signature of a revision after the judged one whose dictionary is the
// field's /V as that revision wrote it.
//
// A signature whose value could not be checked (an unsupported algorithm,
// a missing certificate) but that nothing proves wrong signs its revision
// unconfirmed: what it added is allowed, and the judged signature is
// indeterminate for it.
func (j *judge) signedHere(t *Signature, val pdf.Object) (int, bool) {
	if t == nil || !t.Intact || !t.CoversRevision || t.Revision <= j.R || t.Revision > j.last {
		return -1, false
	}
	if !t.SignatureOK {
		for _, p := range t.Problems {
			if p.Severity == problemSevFail {
				return -1, false
			}
		}
		j.problems = append(j.problems, pending{code: CodeSignatureUnconfirmed, sev: problemSevIndet, rev: t.Revision, params: []string{"field", t.Field}})
	}
	k := t.Revision
	if n := refNum(val); n >= 0 {
		l := j.cur.v.Location(n)
		if !j.inRevision(n, k) || l.Type != pdf.EntryInUse || l.Offset < j.v.revs[k].Start || len(t.ByteRange) != 4 || l.Offset >= t.ByteRange[1] {
			return -1, false
		}
	}
	return k, true
}

// widgetDict returns widget w of field f in u.
func (u *usage) widgetDict(f *formField, w int) pdf.Dict {
	if w == f.num {
		return f.dict
	}
	return u.dict(pdf.Ref{Num: w, Gen: u.gen(w)})
}

// drawn reports whether annotation n of u (dictionary d) can be drawn: it
// is on a page, not hidden, and its rectangle is not empty.
func (u *usage) drawn(n int, d pdf.Dict) bool {
	if n >= 0 && len(u.annotPages[n]) == 0 {
		return false
	}
	return visible(u.v, d)
}

func visible(v *pdf.View, d pdf.Dict) bool {
	if d == nil {
		return false
	}
	if f, ok := mustResolve(v, d.Get("F")).(int64); ok && f&(2|32) != 0 {
		return false // Hidden or NoView
	}
	r, ok := rectOf(v, d)
	return !ok || (r[2] > r[0] && r[3] > r[1])
}

// rectOf returns an annotation's normalised /Rect.
func rectOf(v *pdf.View, d pdf.Dict) ([4]float64, bool) {
	var r [4]float64
	a := v.Array(d.Get("Rect"))
	if len(a) != 4 {
		return r, false
	}
	for i, x := range a {
		f, ok := pdf.Number(mustResolve(v, x))
		if !ok || f != f || f > 1e9 || f < -1e9 {
			return r, false
		}
		r[i] = f
	}
	if r[0] > r[2] {
		r[0], r[2] = r[2], r[0]
	}
	if r[1] > r[3] {
		r[1], r[3] = r[3], r[1]
	}
	return r, true
}

func mustResolve(v *pdf.View, o pdf.Object) pdf.Object {
	x, _ := v.Resolve(o)
	return x
}

// area records where an allowed change draws on the pages listing
// annotation n (of u) — excluded from the visual check.
func (j *judge) area(u *usage, n int, d pdf.Dict, kind string, rev int, redrawn bool) {
	j.areaKeep(u, n, d, kind, rev, redrawn, false)
}

func (j *judge) areaKeep(u *usage, n int, d pdf.Dict, kind string, rev int, redrawn, keep bool) {
	if !u.drawn(n, d) {
		return
	}
	r, ok := rectOf(u.v, d)
	if !ok {
		return // drawn nowhere a viewer can place; the visual check compares the whole page
	}
	for _, pg := range u.annotPages[n] {
		j.areas = append(j.areas, Area{Page: pg, Rect: r, Kind: kind, Object: n, Revision: rev, Redrawn: redrawn, KeepContent: keep})
	}
}

// fieldDrawn reports whether any widget of f (in u) is drawn.
func (u *usage) fieldDrawn(f *formField) bool {
	for _, w := range f.widgets {
		if u.drawn(w, u.widgetDict(f, w)) {
			return true
		}
	}
	return false
}

// newField judges a field the signed revision did not have, listed in
// the final /Fields.
func (j *judge) newField(n int) {
	f := j.cur.fields[n]
	key := owner{rField, n}
	drawn := j.cur.fieldDrawn(f)
	if len(f.kids) > 0 {
		j.reject(key, CodeModified, ChangeFieldAdded, "field", f.name)
		return
	}
	if f.ft != "Sig" {
		kind := ChangeFieldAdded
		if drawn {
			kind = ChangeOverlay
		}
		j.reject(key, CodeModified, kind, "field", f.name)
		return
	}
	t := j.signer(f)
	k, signed := j.signedHere(t, f.dict.Get("V"))
	if !signed && f.dict.Get("V") != nil {
		// a signature value that does not verify, or not as the
		// revision that wrote it: no rule can claim its objects
		j.reject(key, CodeModified, ChangeBadSignature, "field", f.name)
		return
	}
	if !signed {
		// an empty signature field: allowed only when nothing of it can
		// be drawn
		if drawn {
			j.reject(key, CodeModified, ChangeOverlay, "field", f.name)
			return
		}
		if j.p == 1 {
			j.reject(key, CodeDocMDPForbids, ChangeSigFieldAdded, "field", f.name)
			return
		}
		j.grants[key] = grant{rev: -1, kind: ChangeSigFieldAdded}
		j.grants[owner{rSigValue, n}] = grant{rev: -1, kind: ChangeSigFieldAdded}
		j.info(ChangeSigFieldAdded, j.defOf(n), "field", f.name)
		return
	}
	kind := ChangeSignatureAdded
	if t.Kind == KindDocTimestamp {
		kind = ChangeDocTimestamp
	} else if j.p == 1 {
		j.reject(key, CodeDocMDPForbids, kind, "field", f.name)
		return
	}
	j.grants[key] = grant{rev: k, kind: kind}
	j.grants[owner{rSigValue, n}] = grant{rev: k, kind: kind}
	for _, w := range f.widgets {
		j.area(j.cur, w, j.cur.widgetDict(f, w), kind, k, false)
	}
	j.info(kind, k, "field", f.name)
}

func (j *judge) defOf(n int) int {
	if k, ok := j.def[n]; ok {
		return k
	}
	return j.last
}

// existingField judges a field of the signed revision whose objects changed.
func (j *judge) existingField(n int) {
	of, nf := j.old.fields[n], j.cur.fields[n]
	key := owner{rField, n}
	if nf == nil {
		j.reject(key, CodeModified, ChangeFieldRemoved, "field", of.name)
		return
	}
	if !slices.Equal(of.widgets, nf.widgets) || !slices.Equal(of.kids, nf.kids) || of.name != nf.name || of.ft != nf.ft || of.parent != nf.parent {
		j.reject(key, CodeModified, ChangeFieldModified, "field", of.name)
		return
	}
	if of.ft == "Sig" {
		j.signExisting(of, nf)
		return
	}
	j.fill(of, nf)
}

// widgetKeys lists the keys changed on f's widget dictionaries (other
// than the field's own).
func (j *judge) widgetKeys(of, nf *formField) []string {
	var keys []string
	for _, w := range nf.widgets {
		if w == nf.num {
			continue
		}
		keys = append(keys, changedKeys(j.old.widgetDict(of, w), j.cur.widgetDict(nf, w))...)
	}
	return keys
}

// signExisting judges an empty signature field of the signed revision
// that a later signature signed.
func (j *judge) signExisting(of, nf *formField) {
	key := owner{rField, nf.num}
	fk := changedKeys(of.dict, nf.dict)
	wk := j.widgetKeys(of, nf)
	if j.old.value(of) != nil {
		j.reject(key, CodeModified, ChangeSignatureAltered, "field", of.name)
		return
	}
	t := j.signer(nf)
	k, signed := j.signedHere(t, nf.dict.Get("V"))
	if !signed {
		kind := ChangeFieldModified
		if anyKey(append(fk, wk...), "AP", "AS", "MK", "Rect", "F") {
			kind = ChangeAppearance
		}
		j.reject(key, CodeModified, kind, "field", of.name)
		return
	}
	if !onlyKeys(fk, "V", "AP", "AS", "MK", "Rect", "F", "Lock", "SV", "DA", "P") || !onlyKeys(wk, "AP", "AS", "MK", "Rect", "F") {
		j.reject(key, CodeModified, ChangeFieldModified, "field", of.name)
		return
	}
	kind := ChangeSignatureAdded
	if t.Kind == KindDocTimestamp {
		kind = ChangeDocTimestamp
	} else if j.p == 1 {
		j.reject(key, CodeDocMDPForbids, kind, "field", of.name)
		return
	}
	if j.locked(of.name) {
		j.reject(key, CodeFieldLocked, kind, "field", of.name)
		return
	}
	j.grants[key] = grant{rev: k, kind: kind}
	j.grants[owner{rSigValue, nf.num}] = grant{rev: k, kind: kind}
	for _, w := range nf.widgets {
		// what the signature draws is its signer's; what its old
		// appearance hid must not come out
		j.area(j.old, w, j.old.widgetDict(of, w), kind, k, true)
		j.area(j.cur, w, j.cur.widgetDict(nf, w), kind, k, false)
	}
	j.info(kind, k, "field", of.name)
}

// fill judges a form field whose value changed.
func (j *judge) fill(of, nf *formField) {
	key := owner{rField, nf.num}
	fk := changedKeys(of.dict, nf.dict)
	wk := j.widgetKeys(of, nf)
	vo, vn := j.old.value(of), j.cur.value(nf)
	valueChanged := !sameValue(vo, vn) || (refNum(vn) >= 0 && j.isChanged[refNum(vn)])
	if !valueChanged {
		// the value the signer saw is unchanged, what is shown is not
		kind := ChangeFieldModified
		if anyKey(append(fk, wk...), "AP", "AS", "MK") || len(fk)+len(wk) == 0 {
			kind = ChangeAppearance
		}
		j.reject(key, CodeModified, kind, "field", of.name)
		return
	}
	if !onlyKeys(fk, "V", "RV", "AS", "AP", "DV", "DA") || !onlyKeys(wk, "AS", "AP", "DA") {
		j.reject(key, CodeModified, ChangeFieldModified, "field", of.name)
		return
	}
	if j.p == 1 {
		j.reject(key, CodeDocMDPForbids, ChangeFormFill, "field", of.name)
		return
	}
	if j.locked(of.name) {
		j.reject(key, CodeFieldLocked, ChangeFormFill, "field", of.name)
		return
	}
	j.grants[key] = grant{rev: -1, kind: ChangeFormFill}
	rev := j.defOf(nf.num)
	for _, w := range nf.widgets {
		// a filled field shows its new value, but may neither hide nor
		// uncover page content
		j.areaKeep(j.cur, w, j.cur.widgetDict(nf, w), ChangeFormFill, rev, true, true)
	}
	j.info(ChangeFormFill, rev, "field", of.name)
}

// entryKey identifies an /Annots entry: by number, or a direct
// dictionary by value.
func entryKey(e annotEntry) string {
	if e.num >= 0 {
		return "n" + strconv.Itoa(e.num)
	}
	var b bytes.Buffer
	pdf.Canonical(&b, e.dict, 0)
	return "d" + b.String()
}

// annotsRule judges the change of page pg's /Annots: entries the signed
// revision had keep their order; removed and added ones are judged one
// by one.
func (j *judge) annotsRule(pg int) {
	oa, na := j.old.annots[pg], j.cur.annots[pg]
	key := owner{rAnnots, pg}
	oldIdx := map[string]int{}
	for i, e := range oa {
		oldIdx[entryKey(e)] = i
	}
	ok := true
	kept := map[string]bool{}
	last := -1
	for _, e := range na {
		k := entryKey(e)
		if i, was := oldIdx[k]; was {
			if kept[k] || i < last {
				j.reject(key, CodeModified, ChangeAnnotsReordered)
				ok = false
			}
			kept[k] = true
			last = i
			continue
		}
		if !j.addedAnnot(e) {
			j.rejectLike(key, e)
			ok = false
		}
	}
	for _, e := range oa {
		if !kept[entryKey(e)] && !j.removedAnnot(e) {
			j.rejectLike(key, e)
			ok = false
		}
	}
	if ok {
		j.grants[key] = grant{rev: -1}
	}
}

// rejectLike refuses o for the reason the annotation or field behind
// entry e was refused.
func (j *judge) rejectLike(o owner, e annotEntry) {
	for _, u := range []*usage{j.cur, j.old} {
		if f, ok := u.widgetOf[e.num]; ok && e.num >= 0 {
			if r, ok := j.rejects[owner{rField, f}]; ok {
				j.reject(o, r.code, r.kind, r.params...)
				return
			}
		}
	}
	id := e.num
	if id < 0 {
		id = -1
	}
	if r, ok := j.rejects[owner{rAnnot, id}]; ok {
		j.reject(o, r.code, r.kind, r.params...)
		return
	}
	j.reject(o, CodeModified, ChangeAnnotsChanged)
}

// addedAnnot judges an entry added to a page's /Annots.
func (j *judge) addedAnnot(e annotEntry) bool {
	if e.num >= 0 {
		if f, isWidget := j.cur.widgetOf[e.num]; isWidget {
			if j.old.fields[f] != nil && !slices.Contains(j.old.fields[f].widgets, e.num) {
				j.reject(owner{rField, f}, CodeModified, ChangeFieldModified, "field", j.cur.fields[f].name)
				return false
			}
			_, ok := j.grants[owner{rField, f}]
			return ok
		}
	}
	return j.annotRule(j.cur, e, ChangeAnnotationAdded)
}

// removedAnnot judges an entry removed from a page's /Annots.
func (j *judge) removedAnnot(e annotEntry) bool {
	if e.num >= 0 {
		if f, isWidget := j.old.widgetOf[e.num]; isWidget {
			j.reject(owner{rField, f}, CodeModified, ChangeFieldModified, "field", j.old.fields[f].name)
			return false
		}
	}
	return j.annotRule(j.old, e, ChangeAnnotationGone)
}

// modifiedAnnot judges an annotation (not a field's widget) of the
// signed revision whose objects changed.
func (j *judge) modifiedAnnot(a int) {
	if !j.pagesSame || len(j.cur.annotPages[a]) == 0 {
		return
	}
	if j.annotRule(j.cur, annotEntry{num: a, dict: j.cur.dict(pdf.Ref{Num: a, Gen: j.cur.gen(a)})}, ChangeAnnotationEdited) {
		j.area(j.old, a, j.old.dict(pdf.Ref{Num: a, Gen: j.old.gen(a)}), ChangeAnnotationEdited, j.defOf(a), true)
	}
}

// annotRule: annotations (anything on a page that no field owns) may be
// added, removed or changed only under a certification with P=3, without
// actions; their areas are excluded from the visual check.
func (j *judge) annotRule(u *usage, e annotEntry, kind string) bool {
	id := e.num
	if id < 0 {
		id = -1
	}
	key := owner{rAnnot, id}
	if ok, done := j.annotDone[key]; done {
		return ok
	}
	ok := j.annotJudge(u, e, kind, key)
	j.annotDone[key] = ok
	return ok
}

func (j *judge) annotJudge(u *usage, e annotEntry, kind string, key owner) bool {
	d := e.dict
	drawn := u.drawn(e.num, d)
	if j.p != 3 {
		k := kind
		if kind == ChangeAnnotationAdded && drawn {
			k = ChangeOverlay
		}
		if j.p == 0 {
			j.reject(key, CodeModified, k)
		} else {
			j.reject(key, CodeDocMDPForbids, k, "p", strconv.Itoa(int(j.p)))
		}
		return false
	}
	if d.Get("AA") != nil || (d.Get("A") != nil && !safeLink(u.v, d)) {
		j.reject(key, CodeModified, ChangeAnnotAction)
		return false
	}
	if d.Name("Subtype") == "Widget" {
		// a widget no field owns is drawn like an annotation but is no
		// annotation a commenter adds
		k := ChangeFieldAdded
		if drawn {
			k = ChangeOverlay
		}
		j.reject(key, CodeModified, k)
		return false
	}
	rev := j.last
	if e.num >= 0 {
		rev = j.defOf(e.num)
	}
	j.grants[key] = grant{rev: -1, kind: kind}
	j.area(u, e.num, d, kind, rev, kind != ChangeAnnotationAdded)
	j.info(kind, rev)
	return true
}

// safeLink: a link annotation whose action only goes to a page or a URI.
func safeLink(v *pdf.View, d pdf.Dict) bool {
	if d.Name("Subtype") != "Link" {
		return false
	}
	a := v.Dict(d.Get("A"))
	if a == nil || a.Get("Next") != nil {
		return false
	}
	switch a.Name("S") {
	case "URI", "GoTo":
		return true
	}
	return false
}

// pageRule judges a changed page dictionary: only /Annots (as the annots
// rule allows) and keys that draw nothing may change.
func (j *judge) pageRule(pg int) {
	od := j.old.dict(pdf.Ref{Num: pg, Gen: j.old.gen(pg)})
	nd := j.cur.dict(pdf.Ref{Num: pg, Gen: j.cur.gen(pg)})
	key := owner{rPage, pg}
	if od == nil || nd == nil {
		j.reject(key, CodeModified, ChangePage)
		return
	}
	for _, k := range changedKeys(od, nd) {
		switch k {
		case "Annots":
			if _, ok := j.grants[owner{rAnnots, pg}]; !ok {
				if r, no := j.rejects[owner{rAnnots, pg}]; no {
					j.reject(key, r.code, r.kind, r.params...)
				} else {
					j.reject(key, CodeModified, ChangeAnnotsChanged)
				}
				return
			}
		case "Tabs", "StructParents", "LastModified", "PieceInfo":
			if _, isRef := nd[pdf.Name(k)].(pdf.Ref); isRef && k != "PieceInfo" {
				j.reject(key, CodeModified, ChangePage, "key", k)
				return
			}
			if j.p == 1 {
				j.reject(key, CodeDocMDPForbids, ChangeStructure, "key", k)
				return
			}
		default:
			kind := ChangePage
			if k == "Contents" || k == "Resources" {
				kind = ChangePageContent
			}
			j.reject(key, CodeModified, kind, "key", k)
			return
		}
	}
	j.grants[key] = grant{rev: -1}
}

// nodeOK judges a changed page tree node: the same pages in the same
// order, only producers' private keys changed.
func (j *judge) nodeOK(n int) bool {
	if !j.pagesSame || !j.old.nodes[n] || !j.cur.nodes[n] || j.p == 1 {
		return false
	}
	od := j.old.dict(pdf.Ref{Num: n, Gen: j.old.gen(n)})
	nd := j.cur.dict(pdf.Ref{Num: n, Gen: j.cur.gen(n)})
	return od != nil && nd != nil && onlyKeys(changedKeys(od, nd), "ITXT", "LastModified", "PieceInfo")
}

// acroFormRule judges the AcroForm dictionary: /Fields grows by accepted
// new fields only, /SigFlags may change; the form-level defaults (/DA,
// /DR, /NeedAppearances) only matter to a viewer that regenerates field
// appearances, so they may change where filling and signing may, and the
// visual check then compares every page with a widget.
func (j *judge) acroFormRule() {
	oa, na := j.old.acroForm, j.cur.acroForm
	key := owner{rAcroForm, 0}
	if na == nil {
		if oa != nil {
			j.reject(key, CodeModified, ChangeFieldRemoved)
		} else {
			j.grants[key] = grant{rev: -1}
		}
		return
	}
	if oa == nil {
		oa = pdf.Dict{}
	}
	if !j.fieldsRule() {
		return
	}
	for _, k := range changedKeys(oa, na) {
		switch k {
		case "Fields", "SigFlags":
		case "DA", "DR", "NeedAppearances":
			if j.p == 1 {
				j.reject(key, CodeDocMDPForbids, ChangeFormResources, "key", k)
				return
			}
			j.formChanged()
		default:
			j.reject(key, CodeModified, ChangeAcroForm, "key", k)
			return
		}
	}
	j.grants[key] = grant{rev: -1}
}

// formChanged notes a change of the form-level defaults: drawable when a
// viewer may regenerate some field's appearance.
func (j *judge) formChanged() {
	if j.cur.regenerable() {
		j.formLevel = true
	}
	j.info(ChangeFormResources, j.last)
}

// regenerable reports whether a viewer may draw some field of u from the
// form-level defaults: /NeedAppearances, or a widget on a page without a
// normal appearance.
func (u *usage) regenerable() bool {
	if b, _ := mustResolve(u.v, u.acroForm.Get("NeedAppearances")).(bool); b {
		return true
	}
	for w, f := range u.widgetOf {
		if len(u.annotPages[w]) == 0 {
			continue
		}
		d := u.widgetDict(u.fields[f], w)
		if ap := u.v.Dict(d.Get("AP")); ap == nil || ap.Get("N") == nil {
			return true
		}
	}
	return false
}

// fieldsRule: the final /Fields holds the signed one's entries (in any
// order: the order of fields draws nothing) and new fields a rule
// accepted.
func (j *judge) fieldsRule() bool {
	key := owner{rAcroForm, 0}
	of, nf := j.old.fieldsArr, j.cur.fieldsArr
	have := map[string]int{}
	for _, x := range nf {
		have[canonical(x)]++
	}
	for _, x := range of {
		k := canonical(x)
		if have[k] == 0 {
			j.reject(key, CodeModified, ChangeFieldRemoved)
			return false
		}
		have[k]--
	}
	old := map[string]int{}
	for _, x := range of {
		old[canonical(x)]++
	}
	for _, x := range nf {
		if k := canonical(x); old[k] > 0 {
			old[k]--
			continue
		}
		n := refNum(x)
		if n < 0 || j.old.fields[n] != nil || j.cur.fields[n] == nil {
			j.reject(key, CodeModified, ChangeFieldAdded)
			return false
		}
		if _, ok := j.grants[owner{rField, n}]; !ok {
			if r, no := j.rejects[owner{rField, n}]; no {
				j.reject(key, r.code, r.kind, r.params...)
			}
			return false
		}
	}
	return true
}

// catalogRule judges the catalog dictionary key by key.
func (j *judge) catalogRule() {
	oc, nc := j.old.catalog, j.cur.catalog
	key := owner{rCatalog, 0}
	if oc == nil || nc == nil {
		j.reject(key, CodeModified, ChangeRootReplaced)
		return
	}
	for _, k := range changedKeys(oc, nc) {
		switch k {
		case "DSS", "Extensions", "Version":
		case "AcroForm":
			if _, ok := j.grants[owner{rAcroForm, 0}]; !ok {
				if r, no := j.rejects[owner{rAcroForm, 0}]; no {
					j.reject(key, r.code, r.kind, r.params...)
				} else {
					j.reject(key, CodeModified, ChangeAcroForm)
				}
				return
			}
		case "Metadata", "Lang", "StructTreeRoot", "MarkInfo", "PieceInfo":
			if j.p == 1 {
				j.reject(key, CodeDocMDPForbids, ChangeMetadata, "key", k)
				return
			}
		default:
			j.reject(key, CodeModified, ChangeCatalog, "key", k)
			return
		}
	}
	j.grants[key] = grant{rev: -1}
}

// changedKeys lists the keys whose values differ.
func changedKeys(a, b pdf.Dict) []string {
	var out []string
	for k, x := range a {
		if y, ok := b[k]; !ok || !sameValue(x, y) {
			out = append(out, string(k))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, string(k))
		}
	}
	sort.Strings(out)
	return out
}

func onlyKeys(keys []string, allowed ...string) bool {
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			return false
		}
	}
	return true
}

func anyKey(keys []string, some ...string) bool {
	for _, k := range keys {
		if slices.Contains(some, k) {
			return true
		}
	}
	return false
}

// covered reports whether a rule explains the change of n in the role
// and owner o of u (the signed or the final view), and the revision whose
// signature must cover n (-1 for none).
func (j *judge) covered(u *usage, n int, o owner) (bool, int) {
	if o.id == manyOwners {
		return false, -1
	}
	g, ok := grant{rev: -1}, false
	switch o.role {
	case rContent, rPerms:
		return false, -1
	case rObjStm, rDSS:
		// object streams: their objects are judged by their own
		// locations; validation data: PAdES allows it under any DocMDP
		return true, -1
	case rMeta, rStruct, rPrivate:
		return j.p != 1, -1
	case rCatalog, rAcroForm:
		g, ok = j.grants[owner{o.role, 0}]
	case rDR:
		// default resources draw only fields a viewer regenerates
		if j.p == 1 {
			return false, -1
		}
		j.formChanged()
		return true, -1
	case rPageTree:
		return j.nodeOK(n), -1
	case rPage, rAnnots:
		if !j.pagesSame {
			return false, -1
		}
		g, ok = j.grants[o]
	case rAnnot:
		if f, isWidget := u.widgetOf[o.id]; isWidget {
			g, ok = j.grants[owner{rField, f}]
		} else {
			g, ok = j.grants[o]
		}
	case rField, rSigValue:
		g, ok = j.grants[o]
	}
	return ok, g.rev
}

// cover checks every changed number against the grants and reports the
// ones no rule explains, named by how the signed revision used them.
func (j *judge) cover() {
	type key struct {
		code, kind string
		rev        int
		params     string
	}
	groups := map[key]*pending{}
	var order []key
	if j.p == 1 {
		// no change is allowed but validation data: an object reached
		// by nothing else may be part of the structure tree
		for _, n := range j.changed {
			if len(j.old.pairs(n)) == 0 && len(j.cur.pairs(n)) == 0 {
				j.structure()
				break
			}
		}
	}
	for _, n := range j.changed {
		why, ok := j.explain(n)
		if ok {
			continue
		}
		k := key{code: why.code, kind: why.kind, rev: j.defOf(n), params: strings.Join(why.params, "\x00")}
		g := groups[k]
		if g == nil {
			g = &pending{code: why.code, sev: problemSevFail, kind: why.kind, rev: k.rev, params: why.params}
			groups[k] = g
			order = append(order, k)
		}
		g.objs = append(g.objs, n)
	}
	for _, k := range order {
		j.problems = append(j.problems, *groups[k])
	}
	// allowed validation data, metadata and structure
	for _, n := range j.changed {
		for _, u := range []*usage{j.old, j.cur} {
			for _, o := range u.pairs(n) {
				switch o.role {
				case rDSS:
					j.info(ChangeDSS, j.defOf(n))
				case rMeta, rPrivate:
					j.info(ChangeMetadata, j.defOf(n))
				case rStruct:
					j.info(ChangeStructure, j.defOf(n))
				}
			}
		}
	}
}

// explain returns whether changed number n is explained, and if not, why.
func (j *judge) explain(n int) (reason, bool) {
	if _, bad := j.old.errs[n]; bad {
		return reason{code: CodeModified, kind: ChangeUnreadable}, false
	}
	if _, bad := j.cur.errs[n]; bad {
		return reason{code: CodeModified, kind: ChangeUnreadable}, false
	}
	for _, side := range []*usage{j.old, j.cur} {
		for _, o := range side.pairs(n) {
			ok, rev := j.covered(side, n, o)
			if ok && rev >= 0 && !j.inRevision(n, rev) {
				return j.name(n, side, o, reason{code: CodeModified, kind: ChangeNotSigned}), false
			}
			if !ok {
				return j.name(n, side, o, reason{}), false
			}
		}
	}
	return reason{}, true
}

// name chooses the problem of an unexplained change of n, first found in
// role o of side.
func (j *judge) name(n int, side *usage, o owner, r reason) reason {
	switch {
	case j.reverted(n):
		return reason{code: CodeModified, kind: ChangeXrefReverted}
	case r.kind != "":
		return r
	}
	j.named()
	if j.reassigned(n) {
		return reason{code: CodeModified, kind: ChangeReassigned}
	}
	rk := o
	if o.role == rAnnot {
		if f, ok := side.widgetOf[o.id]; ok {
			rk = owner{rField, f}
		}
	}
	if !o.role.owned() {
		rk = owner{o.role, 0}
	}
	if rj, ok := j.rejects[rk]; ok {
		return rj
	}
	if o.role == rContent {
		j.structure() // to tell if the structure tree reaches it too
		if t, ok := j.disguised(n); ok {
			return reason{code: CodeModified, kind: ChangeDisguised, params: []string{"declared", t}}
		}
	}
	switch o.role {
	case rContent:
		return reason{code: CodeModified, kind: ChangePageContent}
	case rCatalog, rPerms:
		return reason{code: CodeModified, kind: ChangeCatalog}
	case rPageTree:
		return reason{code: CodeModified, kind: ChangePages}
	case rPage, rAnnots:
		if !j.pagesSame {
			return reason{code: CodeModified, kind: ChangePages}
		}
		return reason{code: CodeModified, kind: ChangePage}
	case rAnnot:
		return reason{code: CodeModified, kind: ChangeAnnotationEdited}
	case rSigValue:
		return reason{code: CodeModified, kind: ChangeSignatureAltered}
	case rMeta, rPrivate:
		return reason{code: CodeDocMDPForbids, kind: ChangeMetadata, params: []string{"p", "1"}}
	case rStruct:
		return reason{code: CodeDocMDPForbids, kind: ChangeStructure, params: []string{"p", "1"}}
	case rAcroForm:
		return reason{code: CodeModified, kind: ChangeAcroForm}
	}
	return reason{code: CodeModified, kind: ChangeFieldModified}
}

// structure walks the structure trees of both views (errors leave the
// walk partial: the objects it did not reach stay unexplained or named
// by their other roles).
func (j *judge) structure() {
	_ = j.old.walkStruct()
	_ = j.cur.walkStruct()
}

// named completes the signed view's walk, to name refused changes by how
// the signed revision used them.
func (j *judge) named() { _ = j.old.walkAll() }

// reverted: n's final definition lies in the bytes the signature covers
// but is not the signed one — a later cross-reference section brought
// back an older definition.
func (j *judge) reverted(n int) bool {
	l := j.cur.v.Location(n)
	return l.Type != pdf.EntryFree && l.Offset >= 0 && l.Offset < j.v.revs[j.R].End
}

// benignTypes are what objects that draw nothing call themselves.
var benignTypes = map[string]bool{"Metadata": true, "XRef": true, "ObjStm": true, "Sig": true, "DocTimeStamp": true,
	"DSS": true, "VRI": true, "StructTreeRoot": true, "StructElem": true, "MCR": true, "OBJR": true, "ParentTree": true,
	"Catalog": true, "Annot": true, "EmbeddedFile": true, "Filespec": true, "SigRef": true, "TransformParams": true}

// disguised: an object the signed revision drew that calls itself
// something that draws nothing, or that is also reached in a role that
// draws nothing (validation data, structure, metadata).
func (j *judge) disguised(n int) (string, bool) {
	for _, u := range []*usage{j.old, j.cur} {
		o, err := u.v.Object(n)
		if err != nil {
			continue
		}
		if d := dictOf(o); d != nil && benignTypes[d.Name("Type")] {
			return d.Name("Type"), true
		}
	}
	for _, u := range []*usage{j.old, j.cur} {
		for _, o := range u.pairs(n) {
			if o.role != rContent && o.role != rObjStm {
				return o.role.String(), true
			}
		}
	}
	return "", false
}

// reassigned: an object of one annotation or field of the signed
// revision that the final file gives to another.
func (j *judge) reassigned(n int) bool {
	was := map[int]bool{}
	for _, o := range j.old.pairs(n) {
		if o.role == rAnnot || o.role == rField {
			was[o.id] = true
		}
	}
	if len(was) == 0 {
		return false
	}
	for _, o := range j.cur.pairs(n) {
		if (o.role == rAnnot || o.role == rField) && !was[o.id] {
			return true
		}
	}
	return false
}

func dictOf(o pdf.Object) pdf.Dict {
	switch x := o.(type) {
	case pdf.Dict:
		return x
	case *pdf.Stream:
		return x.Dict
	}
	return nil
}

func refNum(o pdf.Object) int {
	if r, ok := o.(pdf.Ref); ok {
		return r.Num
	}
	return -1
}

// result groups problems, allowed changes, areas and changed numbers by
// revision.
func (j *judge) result() []Change {
	byRev := map[int]*Change{}
	get := func(rev int) *Change {
		if c := byRev[rev]; c != nil {
			return c
		}
		end := j.v.size
		if rev >= 0 && rev < len(j.v.revs) {
			end = j.v.revs[rev].End
		}
		c := &Change{Revision: rev, End: end, Class: ModNone}
		byRev[rev] = c
		return c
	}
	for k := j.R + 1; k <= j.last; k++ {
		get(k)
	}
	for _, n := range j.changed {
		c := get(j.defOf(n))
		c.Objects = append(c.Objects, n)
	}
	for _, p := range append(j.problems, j.infos...) {
		c := get(p.rev)
		kv := []string{}
		if p.kind != "" {
			kv = append(kv, "kind", p.kind)
		}
		if p.rev >= 0 {
			kv = append(kv, "revision", strconv.Itoa(p.rev))
		}
		if len(p.objs) > 0 {
			kv = append(kv, "objects", listNums(p.objs))
		}
		if p.code == CodeDocMDPForbids && !slices.Contains(p.params, "p") {
			kv = append(kv, "p", strconv.Itoa(int(j.p)))
		}
		kv = append(kv, p.params...)
		c.Problems = append(c.Problems, mkProblem(p.sev, p.code, kv...))
		switch {
		case p.sev == problemSevFail:
			c.Class = ModDisallowed
		case p.code == CodeModifiedAllowed && c.Class == ModNone:
			c.Class = ModAllowed
		}
	}
	for _, a := range j.areas {
		c := get(a.Revision)
		c.Areas = append(c.Areas, a)
	}
	revs := make([]int, 0, len(byRev))
	for r := range byRev {
		revs = append(revs, r)
	}
	sort.Ints(revs)
	out := make([]Change, 0, len(revs))
	for _, r := range revs {
		c := byRev[r]
		if c.Class == ModNone && len(c.Objects) > 0 {
			c.Class = ModAllowed // explained changes that need no mention (object streams, rewrites)
		}
		out = append(out, *c)
	}
	return out
}

func listNums(ns []int) string {
	var b strings.Builder
	for i, n := range ns {
		if i == maxListed {
			b.WriteString(" …")
			break
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// usageOf returns the usage of revision i's view (walked once).
func (v *verifier) usageOf(i int) (*usage, error) {
	if u, ok := v.usages[i]; ok {
		if u == nil {
			return nil, errRevisionUnreadable
		}
		return u, nil
	}
	if v.usages == nil {
		v.usages = map[int]*usage{}
	}
	x, err := v.view(i)
	if err != nil {
		v.usages[i] = nil
		return nil, err
	}
	u, err := newUsage(x, i == v.final.Revision().Index)
	if err != nil {
		if v.ctx.Err() == nil && !errors.Is(err, pdf.ErrLimit) {
			v.usages[i] = nil
		}
		return nil, err
	}
	v.usages[i] = u
	return u, nil
}

var errRevisionUnreadable = errors.New("revision unreadable")

// fieldLock returns whether signature s's FieldMDP transform locks a
// field name (a name, or a name under it).
func (v *verifier) fieldLock(s *Signature) func(string) bool {
	action, names := fieldLocks(v.final, v.final.Dict(s.vobj))
	in := func(name string) bool {
		for l := range names {
			if name == l || strings.HasPrefix(name, l+".") {
				return true
			}
		}
		return false
	}
	return func(name string) bool {
		switch action {
		case "All":
			return true
		case "Include":
			return in(name)
		case "Exclude":
			return !in(name)
		}
		return false
	}
}
