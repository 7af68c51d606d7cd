package oldpdf

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"sort"
)

// Update collects the objects of one incremental update and serializes
// them, followed by a cross-reference section of the base file's kind.
type Update struct {
	f    *File
	base int64 // size of everything before this update
	next int64
	objs map[int64]pendingObj
}

type pendingObj struct {
	ref  Ref
	body []byte
}

// NewUpdate starts an incremental update on top of f, whose bytes occupy
// [0, f.Size()).
func NewUpdate(f *File) *Update {
	next, _ := f.Trailer.Int("Size")
	if m := f.MaxObjectNumber() + 1; m > next {
		next = m
	}
	if next < 1 {
		next = 1
	}
	return &Update{f: f, base: f.size, next: next, objs: map[int64]pendingObj{}}
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

// SetRaw stores pre-serialized object syntax as the value of ref.
func (u *Update) SetRaw(ref Ref, body []byte) {
	u.objs[ref.Num] = pendingObj{ref: ref, body: body}
}

// Built is a serialized update.
type Built struct {
	Bytes   []byte
	Offsets map[int64]int // object number -> offset of "N G obj" in Bytes
}

// Build serializes the update. The returned bytes are meant to be appended
// right after the base file.
func (u *Update) Build() (*Built, error) {
	var b bytes.Buffer
	b.WriteString("\n")
	nums := make([]int64, 0, len(u.objs)+1)
	for n := range u.objs {
		nums = append(nums, n)
	}
	offs := map[int64]int{}
	sort.Slice(nums, func(i, j int) bool { return nums[i] < nums[j] })
	for _, n := range nums {
		o := u.objs[n]
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d %d obj\n", o.ref.Num, o.ref.Gen)
		b.Write(o.body)
		b.WriteString("\nendobj\n")
	}
	trailer := Dict{
		"Root": u.f.Trailer["Root"],
		"Prev": Integer(u.f.StartXRef),
	}
	if info, ok := u.f.Trailer["Info"]; ok {
		trailer["Info"] = info
	}
	if id, ok := u.f.Trailer["ID"].(Array); ok && len(id) == 2 {
		trailer["ID"] = id
	} else {
		sum := md5.Sum(fmt.Appendf(nil, "%d %d", u.f.size, u.f.StartXRef))
		s := String{Value: sum[:], Hex: true}
		trailer["ID"] = Array{s, s}
	}
	xrefAt := u.base + int64(b.Len())
	gens := map[int64]int64{}
	for _, n := range nums {
		gens[n] = u.objs[n].ref.Gen
	}
	if u.f.Kind == XRefStream {
		xs := u.Alloc()
		nums = append(nums, xs.Num)
		offs[xs.Num] = b.Len()
		gens[xs.Num] = 0
		trailer["Size"] = Integer(u.next)
		trailer["Type"] = Name("XRef")
		w2 := 4
		if xrefAt > 0xffffffff {
			w2 = 8
		}
		trailer["W"] = Array{Integer(1), Integer(w2), Integer(2)}
		var idx Array
		var data []byte
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			idx = append(idx, Integer(nums[i]), Integer(j-i+1))
			for k := i; k <= j; k++ {
				off := u.base + int64(offs[nums[k]])
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
		Serialize(&b, &Stream{Dict: trailer, Data: data, Offset: -1})
		b.WriteString("\nendobj\n")
	} else {
		trailer["Size"] = Integer(u.next)
		b.WriteString("xref\n")
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			fmt.Fprintf(&b, "%d %d\n", nums[i], j-i+1)
			for k := i; k <= j; k++ {
				fmt.Fprintf(&b, "%010d %05d n\r\n", u.base+int64(offs[nums[k]]), gens[nums[k]])
			}
			i = j + 1
		}
		b.WriteString("trailer\n")
		Serialize(&b, trailer)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", xrefAt)
	return &Built{Bytes: b.Bytes(), Offsets: offs}, nil
}
