package pades

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/vanthu/vanthu/signing/pdf"
)

// FuzzXrefPrepareRevision: on arbitrary input, opening the file and
// building the signature revision (lock checks, field tree walk, page
// tree walk, /Annots and /AcroForm rewriting) never panics; when it
// succeeds the result re-opens and the new field is reachable.
func FuzzXrefPrepareRevision(f *testing.F) {
	f.Add(simplePDF("1.7", 2, true))
	f.Add(simplePDF("1.3", 1, false))
	f.Add(hybridPDF())
	f.Add(formWithSigFields("<</Type /SigFieldLock /Action /Include /Fields [(VanThu)]>>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := pdf.OpenFinal(context.Background(), bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		rev, err := prepareRevision(pf, &revisionSpec{kind: kindCAdES, contentsLen: 64, when: time.Unix(0, 0)})
		if err != nil {
			return
		}
		all := append(bytes.Clone(b), rev.built.Bytes...)
		pf2, err := pdf.OpenFinal(context.Background(), bytes.NewReader(all), int64(len(all)))
		if err != nil {
			t.Fatalf("re-open after revision: %v", err)
		}
		cat, _, err := pf2.Catalog()
		if err != nil {
			t.Fatalf("catalog: %v", err)
		}
		acro, _ := pf2.ResolveDict(cat["AcroForm"])
		fields, err := pf2.Fields(acro)
		if err != nil {
			t.Fatalf("fields: %v", err)
		}
		for _, fl := range fields {
			if fl.FullName == rev.fieldName {
				return
			}
		}
		t.Fatalf("new field %q unreachable", rev.fieldName)
	})
}
