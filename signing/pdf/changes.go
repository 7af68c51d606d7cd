package pdf

import (
	"iter"
	"slices"
)

// Diff calls fn, in ascending order, for every object number that old or
// v defines whose effective Location differs between the two views of the
// same file (fn returns false to stop). An object whose Location is the
// same is the same object: it needs no parsing.
//
// The work is proportional to the sections one chain has and the other
// lacks, unless the shared sections are searched in another order (a
// reordered chain) or an object stream is redefined: then every number
// of both views is compared.
func (v *View) Diff(old *View, fn func(num int) bool) error {
	if v.r != old.r {
		return errf(ErrNotFound, "views of different files")
	}
	inOld := map[*Section]bool{}
	for _, s := range old.Sections {
		inOld[s] = true
	}
	inNew := map[*Section]bool{}
	for _, s := range v.Sections {
		inNew[s] = true
	}
	var onlyOne, shared1, shared2 []*Section
	for _, s := range v.Sections {
		if inOld[s] {
			shared1 = append(shared1, s)
		} else {
			onlyOne = append(onlyOne, s)
		}
	}
	for _, s := range old.Sections {
		if inNew[s] {
			shared2 = append(shared2, s)
		} else {
			onlyOne = append(onlyOne, s)
		}
	}
	all := !slices.Equal(shared1, shared2)
	if !all {
		// A number no unshared section defines resolves, in both views,
		// in the same shared section; unless it is compressed in an
		// object stream whose own number now resolves elsewhere. Look
		// for such a stream among the changed numbers first.
		var err error
		all, err = v.objStmMoved(old, onlyOne, shared1)
		if err != nil {
			return err
		}
	}
	srcs := onlyOne
	if all {
		srcs = append(append([]*Section(nil), v.Sections...), old.Sections...)
	}
	n := 0
	for num := range mergeNumbers(srcs) {
		if n++; n%4096 == 0 {
			if err := v.r.check(); err != nil {
				return err
			}
		}
		if v.Location(num) != old.Location(num) && !fn(num) {
			return nil
		}
	}
	return v.r.check()
}

// objStmMoved reports whether a number defined in secs has another
// Location in the two views and is named as an object stream by a
// compressed entry of a shared section.
func (v *View) objStmMoved(old *View, secs, shared []*Section) (bool, error) {
	named := map[int]bool{}
	for _, s := range shared {
		for num := range s.objStreams() {
			named[num] = true
			if len(named) > 1<<20 {
				return true, nil // too many to track: compare everything
			}
		}
	}
	if len(named) == 0 {
		return false, nil
	}
	n := 0
	for num := range mergeNumbers(secs) {
		if n++; n%4096 == 0 {
			if err := v.r.check(); err != nil {
				return false, err
			}
		}
		if named[num] && v.Location(num) != old.Location(num) {
			return true, nil
		}
	}
	return false, nil
}

// mergeNumbers yields each number defined by any of secs once, ascending.
func mergeNumbers(secs []*Section) iter.Seq[int] {
	return func(yield func(int) bool) {
		type cur struct {
			next func() (int, Entry, bool)
			stop func()
			num  int
		}
		var cs []*cur
		defer func() {
			for _, c := range cs {
				c.stop()
			}
		}()
		for _, s := range secs {
			next, stop := iter.Pull2(s.Entries())
			c := &cur{next: next, stop: stop}
			if num, _, ok := next(); ok {
				c.num = num
				cs = append(cs, c)
			} else {
				stop()
			}
		}
		last := -1
		for len(cs) > 0 {
			k := 0
			for i, c := range cs {
				if c.num < cs[k].num {
					k = i
				}
			}
			c := cs[k]
			if c.num != last {
				last = c.num
				if !yield(c.num) {
					return
				}
			}
			if num, _, ok := c.next(); ok {
				c.num = num
			} else {
				c.stop()
				cs = append(cs[:k], cs[k+1:]...)
			}
		}
	}
}
