package enginetest

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"testing"

	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/verify"
)

// Helpers that tamper with signed files the way an attacker can without
// breaking a signature: appending validation data, and replacing the CMS
// in a signature's /Contents (the signed bytes stay the same).

// appendDSS appends an incremental update whose catalog carries a new
// document security store with the given OCSP responses and CRLs: an
// update any attacker can make, since a DSS update is an allowed change.
func appendDSS(t *testing.T, in []byte, ocsps, crls [][]byte) []byte {
	t.Helper()
	v, prev := lastView(t, in)
	rootRef, ok := v.Trailer.Get("Root").(pdf.Ref)
	if !ok {
		t.Fatal("no /Root reference")
	}
	size, _ := v.Trailer.Int("Size")
	next := int(size)
	var b bytes.Buffer
	b.Write(in)
	offs := map[int]int{}
	obj := func(num int, body string) {
		offs[num] = b.Len()
		fmt.Fprintf(&b, "\n%d 0 obj\n%s\nendobj\n", num, body)
		offs[num]++ // the leading newline
	}
	streams := func(list [][]byte) pdf.Array {
		var refs pdf.Array
		for _, d := range list {
			num := next
			next++
			obj(num, fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(d), d))
			refs = append(refs, pdf.Ref{Num: num})
		}
		return refs
	}
	dss := pdf.Dict{"OCSPs": streams(ocsps), "CRLs": streams(crls)}
	dssNum := next
	next++
	var db bytes.Buffer
	pdf.Canonical(&db, dss, 0)
	obj(dssNum, db.String())
	root := pdf.Dict{}
	for k, x := range v.Root() {
		root[k] = x
	}
	root["DSS"] = pdf.Ref{Num: dssNum}
	var rb bytes.Buffer
	pdf.Canonical(&rb, root, 0)
	obj(rootRef.Num, rb.String())
	nums := make([]int, 0, len(offs))
	for n := range offs {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	x := b.Len()
	b.WriteString("xref\n0 1\n0000000000 65535 f \n")
	for _, n := range nums {
		gen := 0
		if n == rootRef.Num {
			gen = rootRef.Gen
		}
		fmt.Fprintf(&b, "%d 1\n%010d %05d n \n", n, offs[n], gen)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		next, rootRef.Num, rootRef.Gen, prev, x)
	return b.Bytes()
}

// lastView reads the final revision of in, with its startxref.
func lastView(t *testing.T, in []byte) (*pdf.View, int64) {
	t.Helper()
	rd, err := pdf.Open(context.Background(), bytes.NewReader(in), int64(len(in)), pdf.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := rd.Final()
	if err != nil {
		t.Fatal(err)
	}
	return v, v.Revision().StartXRef
}

// signedContent returns the bytes the ByteRange of signature i designates.
func signedContent(t *testing.T, file []byte, s verify.Signature) []byte {
	t.Helper()
	br := s.ByteRange
	if len(br) != 4 {
		t.Fatalf("byte range %v", br)
	}
	out := append([]byte{}, file[br[0]:br[0]+br[1]]...)
	return append(out, file[br[2]:br[2]+br[3]]...)
}

// replaceCMS writes cms into the /Contents gap of signature s, padded with
// zeros, leaving every signed byte as it was.
func replaceCMS(t *testing.T, file []byte, s verify.Signature, cms []byte) []byte {
	t.Helper()
	br := s.ByteRange
	gap := int(br[2] - br[1] - 2) // without < and >
	h := hex.EncodeToString(cms)
	if len(h) > gap {
		t.Fatalf("crafted CMS of %d bytes does not fit the %d-byte placeholder", len(cms), gap/2)
	}
	out := append([]byte{}, file...)
	copy(out[br[1]+1:], h+string(bytes.Repeat([]byte{'0'}, gap-len(h))))
	return out
}

func problemWith(s verify.Signature, code, key, value string) bool {
	for _, p := range s.Problems {
		if p.Code == code && (key == "" || p.Params[key] == value) {
			return true
		}
	}
	return false
}
