package verify

import (
	"bufio"
	"os"
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

// knownDisagreements are the signatures whose modification verdict
// differs from pyHanko's modification_level / docmdp_ok, with ours and the
// reference's (level, docmdp_ok). README.md, "Comparison with pyHanko",
// gives the rule that decides each.
var knownDisagreements = map[[2]string]struct {
	ours Modification
	ref  string
}{
	{"DSS-2199.pdf", "Signature1"}:                                                   {ModAllowed, "OTHER None"},
	{"DSS-2821.pdf", "Signature1"}:                                                   {ModAllowed, "OTHER None"},
	{"DSS-3577.pdf", "SignHere_4c04142c-ee5a-448b-a3d5-b4c6d5063e59"}:                {ModAllowed, "OTHER False"},
	{"PAdES-LT.pdf", "Signature4"}:                                                   {ModAllowed, "OTHER False"},
	{"Signature-P-FR_CS-5.pdf", "SigCS-1460553902201"}:                               {ModAllowed, "OTHER None"},
	{"Signature-P-HU_POL-7.pdf", "DocumentTimeStamp-20191101-155421"}:                {ModAllowed, "OTHER None"},
	{"Signature-P-HU_POL-7.pdf", "Signature-20191101-155926"}:                        {ModAllowed, "OTHER False"},
	{"adbe_crl_signed.pdf", "Signature2"}:                                            {ModAllowed, "OTHER False"},
	{"adbe_crl_signed.pdf", "Sig 2"}:                                                 {ModAllowed, "OTHER None"},
	{"dss-1376_DSS1376-rev_n.pdf", "Sig1"}:                                           {ModAllowed, "OTHER False"},
	{"dss-1959_pades-revoc-removed-from-dss-dict.pdf", "Signature2"}:                 {ModAllowed, "OTHER None"},
	{"dss-1959_pades-revoc-removed-from-dss-dict.pdf", "Signature3"}:                 {ModAllowed, "OTHER None"},
	{"dss-1959_pades-tst-with-orphan-refs.pdf", "DocumentTimeStamp-20191101-155421"}: {ModAllowed, "OTHER None"},
	{"dss-1959_pades-tst-with-orphan-refs.pdf", "Signature-20191101-155926"}:         {ModAllowed, "OTHER False"},
	{"dss-2236_replace.pdf", "Signature2"}:                                           {ModDisallowed, "FORM_FILLING True"},
	{"hello_signed_INCSAVE_signed_EDITED.pdf", "Signature1"}:                         {ModDisallowed, "LTA_UPDATES True"},
	{"lt-short.pdf", "Signature4"}:                                                   {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature5"}:                                                   {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature6"}:                                                   {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature7"}:                                                   {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature8"}:                                                   {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature9"}:                                                   {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature10"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature11"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature12"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature13"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature14"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature15"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature16"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature17"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature18"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature19"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature20"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature21"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature22"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature23"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature24"}:                                                  {ModAllowed, "OTHER False"},
	{"lt-short.pdf", "Signature25"}:                                                  {ModAllowed, "OTHER False"},
	{"pades-lt-extended-abde.pdf", "Signature2"}:                                     {ModAllowed, "OTHER None"},
	{"pades-lt-extended-dss.pdf", "Signature2"}:                                      {ModAllowed, "OTHER None"},
	{"pades-ltv-from-epes.pdf", "Signature2"}:                                        {ModAllowed, "OTHER None"},
	{"pades-ltv-with-reason.pdf", "Signature2"}:                                      {ModAllowed, "OTHER None"},
	{"pades-ltv.pdf", "Signature2"}:                                                  {ModAllowed, "OTHER None"},
	{"pades-ocsp-archiveCutOff-invalid.pdf", "Signature2"}:                           {ModAllowed, "OTHER False"},
	{"pades-tst-with-sig-type.pdf", "Signature1"}:                                    {ModAllowed, "OTHER False"},
	{"pdf-byterange-overlap.pdf", "Signature1"}:                                      {ModDisallowed, "FORM_FILLING True"},
	{"pdf-structtreeroot-changes.pdf", "sign3"}:                                      {ModAllowed, "OTHER False"},
	{"timestamped-fields.pdf", "signature1"}:                                         {ModAllowed, "OTHER None"},
	{"wrong-digest-algo.pdf", "Sig_25021452"}:                                        {ModAllowed, "OTHER None"},
	{"wrong-digest-algo.pdf", "Sig_530649210"}:                                       {ModAllowed, "OTHER None"},
}

// TestDSSModifications compares the modification verdict of every
// signature of the corpus with pyHanko's (NONE ↔ none; LTA_UPDATES,
// FORM_FILLING, ANNOTATIONS ↔ allowed; OTHER or docmdp_ok False ↔
// disallowed): every disagreement must be a known one, and every known one
// must still occur.
func TestDSSModifications(t *testing.T) {
	results := verifyCorpus(t)
	agree, seen := 0, map[[2]string]bool{}
	for _, row := range loadModReference(t) {
		res := results[row.file]
		var sig *Signature
		for i := range res.Signatures {
			if res.Signatures[i].Field == row.field {
				sig = &res.Signatures[i]
			}
		}
		if sig == nil {
			t.Errorf("%s / %s: not found", row.file, row.field)
			continue
		}
		want := refModification(row.level)
		if row.docmdp == "False" {
			want = ModDisallowed
		}
		key := [2]string{row.file, row.field}
		if sig.ModifiedAfter == want {
			agree++
			if _, ok := knownDisagreements[key]; ok {
				t.Errorf("%s / %s: now agrees with pyHanko (%s): remove it from knownDisagreements and README.md", row.file, row.field, want)
			}
			continue
		}
		seen[key] = true
		k, ok := knownDisagreements[key]
		if !ok || k.ours != sig.ModifiedAfter {
			t.Errorf("%s / %s: modified_after %s, pyHanko %s %s (unexplained disagreement); changes %+v", row.file, row.field, sig.ModifiedAfter, row.level, row.docmdp, sig.Changes)
		}
	}
	for k := range knownDisagreements {
		if !seen[k] {
			t.Errorf("%v: listed disagreement not seen", k)
		}
	}
	t.Logf("modification verdict vs pyHanko: %d agree, %d differ (all explained)", agree, len(seen))
}
