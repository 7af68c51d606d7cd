package verify

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestDumpCorpus prints a table of results (go test -run DumpCorpus -v with VANTHU_DUMP=1).
func TestDumpCorpus(t *testing.T) {
	if os.Getenv("VANTHU_DUMP") == "" {
		t.Skip("set VANTHU_DUMP=1")
	}
	results := verifyCorpus(t)
	names := make([]string, 0, len(results))
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r := results[n]
		fmt.Printf("%s\t%s\t%d sigs\t%v\n", filepath.Base(n), r.Status, len(r.Signatures), r.Problems)
		for _, s := range r.Signatures {
			var codes []string
			for _, p := range s.Problems {
				if p.Severity != "info" {
					codes = append(codes, p.Code+fmt.Sprint(p.Params))
				}
			}
			fmt.Printf("    %s\t%s\t%s intact=%v sig=%v cov=%v/%v rev=%d level=%s mod=%s %v\n", s.Field, s.Kind, s.Status, s.Intact, s.SignatureOK, s.CoversRevision, s.CoversDocument, s.Revision, s.Level, s.ModifiedAfter, codes)
		}
	}
}
