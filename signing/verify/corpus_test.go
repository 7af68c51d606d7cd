package verify

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/signing/trust"
)

const dssDir = "../../../shared/fixtures/pdf-signatures/dss"
const dssTSV = "../../../shared/fixtures/pdf-signatures/dss-reference-pyhanko.tsv"

func dssFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dssDir, "*.pdf"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("DSS corpus not found at %s (shared/ must sit next to the repository)", dssDir)
	}
	sort.Strings(files)
	return files
}

func testStore(tb testing.TB) *trust.Store {
	tb.Helper()
	s, err := trust.Load(context.Background(), trust.Options{SkipUserDir: true})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

type refRow struct {
	file, field, intact string
}

func loadReference(tb testing.TB) []refRow {
	f, err := os.Open(dssTSV)
	if err != nil {
		tb.Fatalf("reference TSV: %v", err)
	}
	defer f.Close()
	var rows []refRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 3 {
			continue
		}
		rows = append(rows, refRow{file: c[0], field: strings.TrimSuffix(c[1], "(TS)"), intact: c[2]})
	}
	return rows
}

func verifyCorpus(t *testing.T) map[string]*Result {
	store := testStore(t)
	out := map[string]*Result{}
	var slowest time.Duration
	var slowName string
	var maxAlloc uint64
	defer func() {
		t.Logf("slowest file %s: %v; max allocation %d MB", slowName, slowest, maxAlloc>>20)
	}()
	for _, f := range dssFiles(t) {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		res, _ := VerifyFile(context.Background(), f, Options{Trust: store})
		el := time.Since(start)
		if el > 5*time.Second {
			t.Errorf("%s: took %v (> 5 s)", filepath.Base(f), el)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if after.TotalAlloc-before.TotalAlloc > 512<<20 {
			t.Errorf("%s: allocated %d MB (> 512 MB)", filepath.Base(f), (after.TotalAlloc-before.TotalAlloc)>>20)
		}
		if el > slowest {
			slowest, slowName = el, filepath.Base(f)
		}
		maxAlloc = max(maxAlloc, after.TotalAlloc-before.TotalAlloc)
		out[filepath.Base(f)] = res
	}
	return out
}

// TestDSSAgreement compares our intact flag with pyHanko's wherever it gave
// a True/False verdict.
func TestDSSAgreement(t *testing.T) {
	results := verifyCorpus(t)
	agree, disagree, skipped := 0, 0, 0
	for _, row := range loadReference(t) {
		if row.intact != "True" && row.intact != "False" {
			skipped++
			continue
		}
		res := results[row.file]
		if res == nil {
			t.Errorf("%s: not verified", row.file)
			continue
		}
		var sig *Signature
		for i := range res.Signatures {
			if res.Signatures[i].Field == row.field {
				sig = &res.Signatures[i]
				break
			}
		}
		if sig == nil {
			disagree++
			t.Errorf("%s / %s: signature not found (have %d signatures, problems %v)", row.file, row.field, len(res.Signatures), res.Problems)
			continue
		}
		want := row.intact == "True"
		if sig.Intact != want {
			disagree++
			t.Errorf("%s / %s: intact=%v, pyHanko %v; problems %v", row.file, row.field, sig.Intact, want, sig.Problems)
			continue
		}
		agree++
	}
	t.Logf("intact vs pyHanko: %d agree, %d disagree, %d rows without a verdict", agree, disagree, skipped)
}

// attackFiles are the tampered, added/removed-page, hidden/replaced content,
// spoofing, signature-wrapping and byte-range attack files of the corpus.
// Each must be reported invalid (not merely untrusted) by integrity or
// modification checks.
var attackFiles = []string{
	"hello_signed_INCSAVE_signed_EDITED.pdf", // content edited, signature bytes reused
	"pdf-signed-added-page.pdf",
	"pdf-removed-pages.pdf",
	"modified_after_signature.pdf",
	"dss-2236_hide.pdf",
	"dss-2236_replace.pdf",
	"dss-2236_annotation-and-visible-change.pdf",
	"pades-signed-annot-added.pdf",
	"pades-spoofing-replaced-reason.pdf",
	"pdf-spoofing-attack.pdf",
	"pdf-byterange-overlap.pdf",
	"pdf-signed-out-of-byteRange.pdf",
	"siwa.pdf", // signature wrapping
	"pdf-eof.pdf",
	"pades-lta-copied-doctst.pdf",
	"pades-t-duplicated-doctst.pdf",
	"pades-two-sig-copied-tst.pdf",
	"pdf-double-signer-info.pdf",
	"pades-enveloping-cms.pdf",
	"pades-enveloping-empty-bytes-cms.pdf",
	"pdf-with-empty-sig.pdf",
	"pdf-with-two-empty-sigs.pdf",
	"pdf-signed-corrupted.pdf",
	"pades_infinite_loop.pdf",
	"pades_opposite_infinite_loop.pdf",
	"BadEncodedCMS.pdf",
	"malformed-pades.pdf",
	"Signature-P-DE_SCI-4.pdf",               // page content changed after signing
	"retrieved-modified_after_signature.pdf", // signature removed: no signature at all
}

func TestDSSAttacksNotValid(t *testing.T) {
	results := verifyCorpus(t)
	for _, f := range attackFiles {
		r := results[f]
		if r == nil {
			t.Errorf("%s: missing", f)
			continue
		}
		if r.Status == StatusValid {
			t.Errorf("%s: reported valid", f)
		}
		switch f {
		case "retrieved-modified_after_signature.pdf":
			continue // not valid is enough (no signature)
		}
		if r.Status != StatusInvalid {
			t.Errorf("%s: status %s, want invalid (integrity or modification problem)", f, r.Status)
		}
	}
	// nothing in the corpus chains to the Vietnamese roots: nothing is valid
	for name, r := range results {
		for _, s := range r.Signatures {
			if s.Status == StatusValid {
				t.Errorf("%s / %s: valid without a trusted root", name, s.Field)
			}
		}
	}
}

// legitimateUpdates are files whose later revisions only add signatures,
// timestamps, validation data, form values or tagging: no disallowed change
// may be reported for them (false-positive guard).
var legitimateUpdates = []string{
	"DSS-3577.pdf",                   // form filled after signing, fonts added to /DR
	"DSS-2821.pdf",                   // second signature on a tagged PDF (StructParents, Tabs)
	"pdf-structtreeroot-changes.pdf", // structure tree updated with a new signature
	"pkcs7_sha1.pdf",                 // iText adds /ITXT to the page tree root
	"lt-short.pdf",                   // 25 signatures and timestamps
	"PAdES-LT.pdf",
	"dss-1696_Test.signed_Certipost-2048-SHA512.extended.extended-LTA-dss-5.4.pdf",
	"Signature-P-HU_POL-7.pdf",
	"pades-ocsp-sign-cert.pdf", // catalog object replaced by a new one with a DSS
}

func TestDSSLegitimateUpdates(t *testing.T) {
	results := verifyCorpus(t)
	for _, f := range legitimateUpdates {
		r := results[f]
		if r == nil {
			t.Errorf("%s: missing", f)
			continue
		}
		for _, s := range r.Signatures {
			if s.ModifiedAfter == ModDisallowed {
				t.Errorf("%s / %s: disallowed change reported: %v", f, s.Field, s.Problems)
			}
		}
	}
}
