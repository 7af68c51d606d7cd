package pdf

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// FuzzXref walks revisions, xref chains and every object of the last view.
func FuzzXref(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n45\n%%EOF\n"))
	f.Add([]byte("%PDF-1.5\n1 0 obj\n<< /Type /XRef /W [1 2 1] /Size 2 /Length 8 >>\nstream\n\x01\x00\x09\x00\x01\x00\x09\x00\nendstream\nendobj\nstartxref\n9\n%%EOF"))
	f.Add([]byte("xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Prev 0 >>\nstartxref\n0\n%%EOF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r := NewReader(ctx, bytes.NewReader(b), int64(len(b)))
		revs, err := r.Revisions()
		if err != nil {
			return
		}
		v, err := r.ViewAt(revs[len(revs)-1].StartXref)
		if err != nil {
			return
		}
		for i, n := range v.Nums() {
			if i > 1000 {
				break
			}
			o, err := v.Get(Ref{Num: n})
			if err != nil {
				continue
			}
			if st, ok := o.(*Stream); ok {
				_, _ = v.Decode(st)
			}
			var buf bytes.Buffer
			Canonical(&buf, o, 0)
		}
	})
}
