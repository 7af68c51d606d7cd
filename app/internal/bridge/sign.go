package bridge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/vanthu/vanthu/app/internal/demo"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/assets"
	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/pades"
)

// Jobs checks the inputs and outputs of a sign run — one input to outFile,
// or any number into outDir under their own names — before a token is
// touched: inputs exist and are files, no output is its input, no two
// outputs collide, the output folder exists.
func Jobs(files []string, outFile, outDir string) ([]pades.Job, error) {
	if err := CheckOutput(files, outFile, outDir); err != nil {
		return nil, err
	}
	var jobs []pades.Job
	seen := map[string]bool{}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || !st.Mode().IsRegular() {
			return nil, usage("sign.no_input", f)
		}
		out := outFile
		if out == "" {
			out = filepath.Join(outDir, filepath.Base(f))
		}
		if samePath(f, out) {
			return nil, usage("sign.same_file", f)
		}
		ao, _ := filepath.Abs(out)
		if seen[ao] {
			return nil, usage("sign.duplicate_output", out)
		}
		seen[ao] = true
		jobs = append(jobs, pades.Job{In: f, Out: out})
	}
	if outDir != "" {
		if st, err := os.Stat(outDir); err != nil || !st.IsDir() {
			return nil, usage("sign.no_out_dir", outDir)
		}
	}
	return jobs, nil
}

// CheckOutput checks the shape of a sign run's arguments: some inputs, and
// either one input to outFile or inputs into outDir.
func CheckOutput(files []string, outFile, outDir string) error {
	if len(files) == 0 {
		return usage("sign.usage")
	}
	if (outFile == "") == (outDir == "") {
		return usage("sign.need_output")
	}
	if outFile != "" && len(files) != 1 {
		return usage("sign.one_input")
	}
	return nil
}

func samePath(a, b string) bool {
	aa, _ := filepath.Abs(a)
	ab, _ := filepath.Abs(b)
	return aa == ab
}

// Level parses the PAdES level and picks its TSA (given, else $VANTHU_TSA),
// which B-T and up need.
func Level(level, tsa string, getenv func(string) string) (pades.Level, string, error) {
	lv, err := pades.ParseLevel(level)
	if err != nil {
		return "", "", usage("sign.bad_level", level)
	}
	if tsa == "" {
		tsa = getenv("VANTHU_TSA")
	}
	if lv != pades.LevelBB && tsa == "" {
		return "", "", usage("sign.need_tsa", string(lv))
	}
	return lv, tsa, nil
}

// Visible is the box of a visible plain signature.
type Visible struct {
	Page int
	Rect appearance.Rect
}

// PlainRequest is a batch of plain (not role) signatures.
type PlainRequest struct {
	Jobs                             []pades.Job
	Level                            pades.Level
	TSAURL                           string
	Timeout                          time.Duration
	Certify                          int
	Reason, Location, Contact, Field string
	Visible                          *Visible // nil: invisible
	Lang                             string   // of the visible text ("Ký bởi: …")
}

// SignPlain signs every job with s (one login for the batch). A failing
// file is reported in its result and the others go on; after ctx is
// cancelled the remaining files fail and no partial output is left.
// Demo signatures get the demo mark.
func SignPlain(ctx context.Context, s *Signer, req PlainRequest, progress func(pades.BatchProgress)) []pades.JobResult {
	opts := pades.Options{
		Signer: s.Key, Chain: s.Chain, Level: req.Level, TSAURL: req.TSAURL, Timeout: req.Timeout,
		Certify: req.Certify, Reason: req.Reason, Location: req.Location, ContactInfo: req.Contact,
		FieldName: req.Field,
	}
	if req.Visible != nil {
		now := time.Now()
		opts.Now = func() time.Time { return now }
		lines := []string{
			i18n.T(req.Lang, "sign.appearance.signer", s.Cert().Subject.CommonName),
			i18n.T(req.Lang, "sign.appearance.date", now.Format("02/01/2006 15:04:05 -07:00")),
		}
		var font *appearance.Font
		if s.Demo {
			lines = append(lines, demo.Mark)
			font = serifFont()
		}
		opts.Visible = appearance.TextAppearance(req.Visible.Page, req.Visible.Rect, lines, font)
	} else if s.Demo {
		opts.Widgets = []*appearance.Appearance{demoMarkWidget(1)}
	}
	return pades.SignBatch(ctx, req.Jobs, opts, progress)
}

var (
	serifOnce sync.Once
	serif     *appearance.Font
)

// serifFont is the embedded Liberation Serif (Vietnamese glyphs).
func serifFont() *appearance.Font {
	serifOnce.Do(func() {
		f, err := appearance.NewTrueTypeFont(assets.SerifRegular)
		if err != nil {
			panic(fmt.Sprintf("bridge: the bundled font does not parse: %v", err))
		}
		serif = f
	})
	return serif
}

// demoMarkWidget is the red "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" line that a demo
// signature without a visible image (review, an invisible plain signature)
// puts in the bottom-left margin of page.
func demoMarkWidget(page int) *appearance.Appearance {
	f := serifFont()
	text := demo.Mark + " – chữ ký thử nghiệm (demo)"
	const size = 9
	w := f.Width(text, size) + 8
	r := appearance.Rect{X: 28, Y: 10, W: w, H: size + 6}
	content := fmt.Appendf(nil, "q 0.8 0 0 RG 0.6 w 0.3 0.3 %.2f %.2f re S Q BT 0.8 0 0 rg /F1 %d Tf 4 4.5 Td %s Tj ET\n",
		r.W-0.6, r.H-0.6, size, f.Encode(text))
	return &appearance.Appearance{Page: page, Rect: r, Content: content, Fonts: map[string]*appearance.Font{"F1": f}}
}
