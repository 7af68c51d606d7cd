package verify

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type modRow struct {
	file, field, level, docmdp string
}

func loadModReference(tb testing.TB) []modRow {
	f, err := os.Open(dssTSV)
	if err != nil {
		tb.Fatalf("reference TSV: %v", err)
	}
	defer f.Close()
	var rows []modRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 8 || (c[2] != "True" && c[2] != "False") {
			continue
		}
		rows = append(rows, modRow{file: c[0], field: strings.TrimSuffix(c[1], "(TS)"), level: c[6], docmdp: c[7]})
	}
	return rows
}

func refModification(level string) Modification {
	switch level {
	case "NONE":
		return ModNone
	case "OTHER":
		return ModDisallowed
	}
	return ModAllowed
}

func TestDSSModificationDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip("DUMP not set")
	}
	results := verifyCorpus(t)
	for _, row := range loadModReference(t) {
		res := results[row.file]
		var sig *Signature
		for i := range res.Signatures {
			if res.Signatures[i].Field == row.field {
				sig = &res.Signatures[i]
			}
		}
		if sig == nil {
			fmt.Printf("MISSING %s %s\n", row.file, row.field)
			continue
		}
		want := refModification(row.level)
		mark := "  "
		if want != sig.ModifiedAfter || (row.docmdp == "False" && sig.ModifiedAfter != ModDisallowed) {
			mark = "XX"
		}
		fmt.Printf("%s %s / %s: ref %s %s, ours %s visual=%s\n", mark, row.file, row.field, row.level, row.docmdp, sig.ModifiedAfter, sig.Visual)
		if mark == "XX" || os.Getenv("DUMP") == "all" {
			for _, ch := range sig.Changes {
				fmt.Printf("      rev %d %s objs %v areas %d\n", ch.Revision, ch.Class, ch.Objects, len(ch.Areas))
				for _, p := range ch.Problems {
					fmt.Printf("        %s %s %v\n", p.Severity, p.Code, p.Params)
				}
			}
			for _, p := range sig.Problems {
				if strings.HasPrefix(p.Code, "visual") {
					fmt.Printf("        %s %s %v\n", p.Severity, p.Code, p.Params)
				}
			}
		}
	}
	var names []string
	for n := range results {
		names = append(names, n)
	}
	sort.Strings(names)
	_ = filepath.Base
}
