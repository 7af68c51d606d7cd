package roles

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/vanthu/vanthu/signing/appearance"
	"github.com/vanthu/vanthu/signing/layout"
)

// numberAndDate builds the widgets that write the number and the date on
// the first page, and returns the place name of the date line.
func numberAndDate(ctx context.Context, r io.ReaderAt, size int64, req Request, date time.Time) ([]*appearance.Appearance, *Placement, *Placement, string, error) {
	regular, err := appearance.NewTrueTypeFont(req.Fonts.Regular)
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	italic := regular
	if len(req.Fonts.Italic) > 0 {
		if italic, err = appearance.NewTrueTypeFont(req.Fonts.Italic); err != nil {
			return nil, nil, nil, "", fmt.Errorf("%w: %w", ErrBadRequest, err)
		}
	}
	date = date.In(Vietnam)
	var page1 *layout.Page
	if req.NumberAt == nil || req.DateAt == nil {
		doc, err := layout.Open(ctx, r, size, req.Layout)
		if err != nil {
			return nil, nil, nil, "", err
		}
		if page1, err = doc.Page(ctx, 1); err != nil {
			return nil, nil, nil, "", err
		}
	}
	numAp, numPl, err := numberWidget(req, page1, regular, italic)
	if err != nil {
		return nil, nil, nil, "", err
	}
	dateAp, datePl, found, err := dateWidget(req, page1, regular, italic, date)
	if err != nil {
		return nil, nil, nil, "", err
	}
	place := req.DatePlace
	if place == "" {
		place = found
	}
	return []*appearance.Appearance{numAp, dateAp}, numPl, datePl, place, nil
}

// numberWidget writes the number where asked, or into the blank after
// "Số:" on page 1: right-aligned against the printed notation ("/UBND-VP"),
// which must match the number given.
func numberWidget(req Request, page1 *layout.Page, regular, italic *appearance.Font) (*appearance.Appearance, *Placement, error) {
	number := strings.Join(strings.Fields(req.Number), " ")
	if at := req.NumberAt; at != nil {
		text := "Số: " + number
		ap, rect := textWidget(at.Page, regular, at.X, at.Y, at.Size, []positioned{{0, text}})
		return ap, &Placement{Page: at.Page, Rect: rect, How: HowManual, Text: text}, nil
	}
	np, err := FindNumber(page1)
	if err != nil {
		return nil, nil, err
	}
	font := regular
	if np.Italic {
		font = italic
	}
	write := number
	var x float64
	sz := np.Size
	if np.Notation != "" {
		if i := strings.Index(number, "/"); i >= 0 {
			if !strings.EqualFold(strings.ReplaceAll(number[i:], " ", ""), strings.ReplaceAll(np.Notation, " ", "")) {
				return nil, nil, fmt.Errorf("%w: %q given, the document prints %q", ErrNumberMismatch, number, np.Notation)
			}
			write = strings.TrimSpace(number[:i])
		}
		if write == "" {
			return nil, nil, fmt.Errorf("%w: the number %q has nothing before the notation", ErrBadRequest, number)
		}
		// Right-aligned against the notation's "/", at least a
		// quarter em after "Số:"; a smaller size if it must.
		room := np.X1 - np.X0 - 0.25*np.Size
		w := font.Width(write, sz)
		if w > room {
			if sz = np.Size * room / w; sz < 0.75*np.Size {
				return nil, nil, fmt.Errorf("%w: %q does not fit the %.0f pt blank after \"Số:\"", ErrNoRoom, write, np.X1-np.X0)
			}
			w = font.Width(write, sz)
		}
		x = np.X1 - w - 0.02*np.Size
	} else {
		x = np.X0 + 0.25*np.Size
	}
	ap, rect := textWidget(1, font, x, np.Baseline, sz, []positioned{{0, write}})
	return ap, &Placement{Page: 1, Rect: rect, How: HowAuto, Found: np.Line, Text: write}, nil
}

// dateWidget writes the date line where asked, or day, month and year
// into the blanks of page 1's date line (whose printed year must be the
// issue date's); found is the place the line prints before the date.
func dateWidget(req Request, page1 *layout.Page, regular, italic *appearance.Font, date time.Time) (ap *appearance.Appearance, pl *Placement, found string, err error) {
	if at := req.DateAt; at != nil {
		text := DateLine(req.DatePlace, date)
		ap, rect := textWidget(at.Page, italic, at.X, at.Y, at.Size, []positioned{{0, text}})
		return ap, &Placement{Page: at.Page, Rect: rect, How: HowManual, Text: text}, "", nil
	}
	dp, err := FindDate(page1)
	if err != nil {
		return nil, nil, "", err
	}
	if dp.YearText != "" && dp.YearText != fmt.Sprint(date.Year()) {
		return nil, nil, "", fmt.Errorf("%w: the document prints the year %s, the issue date is %s", ErrDateMismatch, dp.YearText, date.Format(time.DateOnly))
	}
	font := regular
	if dp.Italic {
		font = italic
	}
	var runs []positioned
	centred := func(s Slot, text string) error {
		w := font.Width(text, dp.Size)
		if w > s.X1-s.X0-0.1*dp.Size {
			return fmt.Errorf("%w: %q does not fit the %.0f pt blank of the date line", ErrNoRoom, text, s.X1-s.X0)
		}
		runs = append(runs, positioned{(s.X0+s.X1)/2 - w/2, text})
		return nil
	}
	if err := centred(dp.Day, Day(date)); err != nil {
		return nil, nil, "", err
	}
	if err := centred(dp.Month, Month(date)); err != nil {
		return nil, nil, "", err
	}
	if dp.Year != nil {
		runs = append(runs, positioned{dp.Year.X0 + 0.25*dp.Size, fmt.Sprint(date.Year())})
	}
	x0 := runs[0].x
	for i := range runs {
		runs[i].x -= x0
	}
	ap, rect := textWidget(1, font, x0, dp.Baseline, dp.Size, runs)
	return ap, &Placement{Page: 1, Rect: rect, How: HowAuto, Found: dp.Line, Text: DateLine(dp.Place, date)}, dp.Place, nil
}

// positioned is text at an x offset from the widget's first run.
type positioned struct {
	x    float64
	text string
}

// textWidget makes a transparent widget holding runs set on one baseline
// that starts at (x, y) on the page.
func textWidget(page int, f *appearance.Font, x, y, size float64, runs []positioned) (*appearance.Appearance, appearance.Rect) {
	w := 0.0
	for _, r := range runs {
		w = math.Max(w, r.x+f.Width(r.text, size))
	}
	const pad = 1.0
	rect := appearance.Rect{X: x - pad, Y: y - 0.3*size, W: w + 2*pad, H: 1.3 * size}
	tr := make([]textRun, len(runs))
	for i, r := range runs {
		tr[i] = textRun{x: pad + r.x, y: 0.3 * size, size: size, text: r.text}
	}
	return textAppearance(page, rect, f, tr), round3(rect)
}
