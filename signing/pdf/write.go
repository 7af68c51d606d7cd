package pdf

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"sort"
)

// Update collects the objects of one incremental update on top of a view
// (the file's final one) and serializes them, followed by a
// cross-reference section of the kind of the view's newest section.
type Update struct {
	v     *View
	base  int64 // size of everything before this update
	shift int64 // the file's offsets count from here
	next  int
	objs  map[int]pendingObj
}

type pendingObj struct {
	ref  Ref
	body []byte
}

// NewUpdate starts an incremental update on top of v, to be appended right
// after the v.Reader().Size() bytes of its file.
func NewUpdate(v *View) *Update {
	next := 1
	if n, ok := v.Trailer.Int("Size"); ok && n > 0 && n <= int64(v.r.lim.MaxObjectNumber) {
		next = int(n)
	}
	if m := v.MaxNumber() + 1; m > next {
		next = m
	}
	_, shift := v.r.Header()
	return &Update{v: v, base: v.r.size, shift: shift, next: next, objs: map[int]pendingObj{}}
}

// Alloc reserves a new object number.
func (u *Update) Alloc() Ref {
	r := Ref{Num: u.next}
	u.next++
	return r
}

// Set stores o as the new value of ref. A *Stream is written with its
// Data (a stream read from a file has none: fill Data before rewriting
// it).
func (u *Update) Set(ref Ref, o Object) {
	var b bytes.Buffer
	Serialize(&b, o)
	u.objs[ref.Num] = pendingObj{ref: ref, body: b.Bytes()}
}

// SetRaw stores pre-serialized object syntax as the value of ref. Offsets
// into body stay valid in the built update: Built.Body gives where it
// starts.
func (u *Update) SetRaw(ref Ref, body []byte) {
	u.objs[ref.Num] = pendingObj{ref: ref, body: body}
}

// Built is a serialized update.
type Built struct {
	Bytes   []byte
	Offsets map[int]int // object number → offset of "n g obj" in Bytes
	Bodies  map[int]int // object number → offset of the object's syntax in Bytes
	// XRef is the offset of the update's cross-reference section in
	// Bytes.
	XRef int
}

// Build serializes the update. The returned bytes are meant to be appended
// right after the base file.
func (u *Update) Build() (*Built, error) {
	var b bytes.Buffer
	b.WriteString("\n")
	nums := make([]int, 0, len(u.objs)+1)
	for n := range u.objs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	out := &Built{Offsets: map[int]int{}, Bodies: map[int]int{}}
	for _, n := range nums {
		o := u.objs[n]
		out.Offsets[n] = b.Len()
		fmt.Fprintf(&b, "%d %d obj\n", o.ref.Num, o.ref.Gen)
		out.Bodies[n] = b.Len()
		b.Write(o.body)
		b.WriteString("\nendobj\n")
	}
	head := u.v.Sections[0]
	trailer := Dict{"Root": u.v.Trailer["Root"], "Prev": head.Offset - u.shift}
	if info, ok := u.v.Trailer["Info"]; ok {
		trailer["Info"] = info
	}
	if id, ok := u.v.Trailer["ID"].(Array); ok && len(id) == 2 {
		trailer["ID"] = id
	} else {
		sum := md5.Sum(fmt.Appendf(nil, "%d %d", u.base, head.Offset))
		trailer["ID"] = Array{String(sum[:]), String(sum[:])}
	}
	out.XRef = b.Len()
	xrefAt := u.base + int64(b.Len()) - u.shift
	gens := map[int]int{}
	for _, n := range nums {
		gens[n] = u.objs[n].ref.Gen
	}
	fileOff := func(n int) int64 { return u.base + int64(out.Offsets[n]) - u.shift }
	if head.Stream {
		xs := u.Alloc()
		nums = append(nums, xs.Num)
		out.Offsets[xs.Num] = b.Len()
		trailer["Size"] = int64(u.next)
		trailer["Type"] = Name("XRef")
		w2 := 4
		if xrefAt > 0xffffffff {
			w2 = 8
		}
		trailer["W"] = Array{int64(1), int64(w2), int64(2)}
		var idx Array
		var data []byte
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			idx = append(idx, int64(nums[i]), int64(j-i+1))
			for k := i; k <= j; k++ {
				off := fileOff(nums[k])
				data = append(data, 1)
				for s := w2 - 1; s >= 0; s-- {
					data = append(data, byte(off>>(8*s)))
				}
				g := gens[nums[k]]
				data = append(data, byte(g>>8), byte(g))
			}
			i = j + 1
		}
		trailer["Index"] = idx
		fmt.Fprintf(&b, "%d 0 obj\n", xs.Num)
		out.Bodies[xs.Num] = b.Len()
		Serialize(&b, &Stream{Dict: trailer, Data: data, Offset: -1})
		b.WriteString("\nendobj\n")
	} else {
		trailer["Size"] = int64(u.next)
		b.WriteString("xref\n")
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			fmt.Fprintf(&b, "%d %d\n", nums[i], j-i+1)
			for k := i; k <= j; k++ {
				fmt.Fprintf(&b, "%010d %05d n\r\n", fileOff(nums[k]), gens[nums[k]])
			}
			i = j + 1
		}
		b.WriteString("trailer\n")
		Serialize(&b, trailer)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xrefAt)
	out.Bytes = b.Bytes()
	return out, nil
}
