package layout

import (
	"context"
	"fmt"
	"math"

	"github.com/vanthu/vanthu/signing/pdf"
)

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (m applied first).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m matrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

func (m matrix) finite() bool {
	for _, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e7 {
			return false
		}
	}
	return true
}

// glyph is one shown character code, in user space.
type glyph struct {
	text   string
	x, y   float64 // origin on the baseline
	adv    float64 // advance along the baseline
	size   float64 // font size in user space
	horiz  bool    // the baseline runs left to right, upright
	italic bool
	bold   bool
	font   string
	invis  bool
}

type gstate struct {
	ctm matrix
	// text state (kept across BT/ET, saved by q/Q)
	font   *font
	fsize  float64
	tc, tw float64
	th     float64 // horizontal scaling, 1 = 100 %
	tl     float64
	rise   float64
	mode   int
}

// extractor runs the content streams of one page.
type extractor struct {
	ctx    context.Context
	f      *pdf.View
	opts   Options
	fonts  map[pdf.Ref]*font
	glyphs []glyph
	images []Rect
	ops    int
	bytes  int
	forms  map[pdf.Ref]bool // forms being drawn (cycle guard)
}

func (x *extractor) streamData(s *pdf.Stream) ([]byte, error) {
	data, err := x.f.Decode(s)
	if err != nil {
		return nil, err
	}
	x.bytes += len(data)
	if x.bytes > x.opts.MaxContentBytes {
		return nil, fmt.Errorf("%w: more than %d bytes of content", ErrLimit, x.opts.MaxContentBytes)
	}
	return data, nil
}

// run interprets content with the given resources and initial CTM.
func (x *extractor) run(content []byte, res pdf.Dict, ctm matrix, depth int) error {
	l := &lexer{b: content}
	gs := gstate{ctm: ctm, th: 1, fsize: 0}
	var stack []gstate
	var tm, tlm matrix
	var args []operand
	fonts := x.subDict(res, "Font")
	xobjs := x.subDict(res, "XObject")
	for {
		o := l.next(0)
		if o.k == kEOF {
			return nil
		}
		if o.k != kOp {
			if len(args) >= 64 {
				args = args[1:]
			}
			args = append(args, o)
			continue
		}
		x.ops++
		if x.ops > x.opts.MaxOps {
			return fmt.Errorf("%w: more than %d operators", ErrLimit, x.opts.MaxOps)
		}
		if x.ops%4096 == 0 {
			if err := x.ctx.Err(); err != nil {
				return err
			}
		}
		nums := func(n int) ([]float64, bool) {
			if len(args) < n {
				return nil, false
			}
			v := make([]float64, n)
			for i, a := range args[len(args)-n:] {
				if a.k != kNum {
					return nil, false
				}
				v[i] = a.num
			}
			return v, true
		}
		switch string(o.s) {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, gs)
			}
		case "Q":
			if len(stack) > 0 {
				gs = stack[len(stack)-1]
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if v, ok := nums(6); ok {
				m := matrix{v[0], v[1], v[2], v[3], v[4], v[5]}.mul(gs.ctm)
				if m.finite() {
					gs.ctm = m
				}
			}
		case "BT":
			tm, tlm = identity, identity
		case "ET":
		case "Tf":
			if len(args) >= 2 && args[len(args)-2].k == kName && args[len(args)-1].k == kNum {
				gs.fsize = args[len(args)-1].num
				name := pdf.Name(args[len(args)-2].s)
				if fonts != nil {
					gs.font = x.loadFont(fonts[name])
				} else {
					gs.font = x.loadFont(nil)
				}
			}
		case "Tc":
			if v, ok := nums(1); ok {
				gs.tc = v[0]
			}
		case "Tw":
			if v, ok := nums(1); ok {
				gs.tw = v[0]
			}
		case "Tz":
			if v, ok := nums(1); ok {
				gs.th = v[0] / 100
			}
		case "TL":
			if v, ok := nums(1); ok {
				gs.tl = v[0]
			}
		case "Ts":
			if v, ok := nums(1); ok {
				gs.rise = v[0]
			}
		case "Tr":
			if v, ok := nums(1); ok {
				gs.mode = int(v[0])
			}
		case "Td":
			if v, ok := nums(2); ok {
				tlm = matrix{1, 0, 0, 1, v[0], v[1]}.mul(tlm)
				tm = tlm
			}
		case "TD":
			if v, ok := nums(2); ok {
				gs.tl = -v[1]
				tlm = matrix{1, 0, 0, 1, v[0], v[1]}.mul(tlm)
				tm = tlm
			}
		case "Tm":
			if v, ok := nums(6); ok {
				m := matrix{v[0], v[1], v[2], v[3], v[4], v[5]}
				if m.finite() {
					tlm, tm = m, m
				}
			}
		case "T*":
			tlm = matrix{1, 0, 0, 1, 0, -gs.tl}.mul(tlm)
			tm = tlm
		case "Tj":
			if len(args) >= 1 && args[len(args)-1].k == kStr {
				if err := x.show(&gs, &tm, args[len(args)-1].s); err != nil {
					return err
				}
			}
		case "'":
			tlm = matrix{1, 0, 0, 1, 0, -gs.tl}.mul(tlm)
			tm = tlm
			if len(args) >= 1 && args[len(args)-1].k == kStr {
				if err := x.show(&gs, &tm, args[len(args)-1].s); err != nil {
					return err
				}
			}
		case "\"":
			if len(args) >= 3 && args[len(args)-3].k == kNum && args[len(args)-2].k == kNum {
				gs.tw, gs.tc = args[len(args)-3].num, args[len(args)-2].num
			}
			tlm = matrix{1, 0, 0, 1, 0, -gs.tl}.mul(tlm)
			tm = tlm
			if len(args) >= 1 && args[len(args)-1].k == kStr {
				if err := x.show(&gs, &tm, args[len(args)-1].s); err != nil {
					return err
				}
			}
		case "TJ":
			if len(args) >= 1 && args[len(args)-1].k == kArr {
				for _, e := range args[len(args)-1].arr {
					switch e.k {
					case kStr:
						if err := x.show(&gs, &tm, e.s); err != nil {
							return err
						}
					case kNum:
						tx := -e.num / 1000 * gs.fsize * gs.th
						if !math.IsNaN(tx) && !math.IsInf(tx, 0) {
							tm = matrix{1, 0, 0, 1, tx, 0}.mul(tm)
						}
					}
				}
			}
		case "Do":
			if len(args) >= 1 && args[len(args)-1].k == kName && xobjs != nil {
				if err := x.do(xobjs[pdf.Name(args[len(args)-1].s)], gs.ctm, res, depth); err != nil {
					return err
				}
			}
		case "BI":
			// Inline image: its dictionary then data; it fills the unit
			// square under the CTM.
			for {
				t := l.next(0)
				if t.k == kEOF {
					return nil
				}
				if t.k == kOp && string(t.s) == "ID" {
					break
				}
			}
			l.skipInlineImage()
			x.addImage(gs.ctm)
		}
		args = args[:0]
	}
}

func (x *extractor) subDict(res pdf.Dict, key pdf.Name) pdf.Dict {
	if res == nil {
		return nil
	}
	d, err := x.f.ResolveDict(res[key])
	if err != nil {
		return nil
	}
	return d
}

func (x *extractor) addImage(ctm matrix) {
	if len(x.images) >= 10000 {
		return
	}
	r := Rect{X0: math.Inf(1), Y0: math.Inf(1), X1: math.Inf(-1), Y1: math.Inf(-1)}
	for _, p := range [][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		px, py := ctm.apply(p[0], p[1])
		r.X0, r.Y0 = math.Min(r.X0, px), math.Min(r.Y0, py)
		r.X1, r.Y1 = math.Max(r.X1, px), math.Max(r.Y1, py)
	}
	x.images = append(x.images, r)
}

// do draws an XObject: images are recorded, forms interpreted.
func (x *extractor) do(o pdf.Object, ctm matrix, parentRes pdf.Dict, depth int) error {
	ref, _ := o.(pdf.Ref)
	s, err := x.f.Resolve(o)
	if err != nil {
		return nil
	}
	st, ok := s.(*pdf.Stream)
	if !ok {
		return nil
	}
	switch st.Dict.Name("Subtype") {
	case "Image":
		x.addImage(ctm)
	case "Form":
		if depth >= x.opts.MaxFormDepth || (!ref.IsZero() && x.forms[ref]) {
			return nil
		}
		data, err := x.streamData(st)
		if err != nil {
			if isLimit(err) {
				return err
			}
			return nil
		}
		m := identity
		if mo, err := x.f.Resolve(st.Dict["Matrix"]); err == nil {
			if arr, ok := mo.(pdf.Array); ok && len(arr) == 6 {
				var v [6]float64
				good := true
				for i := range v {
					v[i], ok = num(arr[i])
					good = good && ok
				}
				if good {
					m = matrix(v)
				}
			}
		}
		res := parentRes
		if r, err := x.f.ResolveDict(st.Dict["Resources"]); err == nil && r != nil {
			res = r
		}
		nm := m.mul(ctm)
		if !nm.finite() {
			return nil
		}
		if !ref.IsZero() {
			x.forms[ref] = true
			defer delete(x.forms, ref)
		}
		return x.run(data, res, nm, depth+1)
	}
	return nil
}

// show records the glyphs of one shown string and advances the text
// matrix.
func (x *extractor) show(gs *gstate, tm *matrix, s []byte) error {
	f := gs.font
	if f == nil {
		f = x.loadFont(nil)
		gs.font = f
	}
	var err error
	f.each(s, func(code uint32, n int, text string, w float64) {
		if err != nil {
			return
		}
		if len(x.glyphs) >= x.opts.MaxGlyphs {
			err = fmt.Errorf("%w: more than %d glyphs", ErrLimit, x.opts.MaxGlyphs)
			return
		}
		trm := matrix{gs.fsize * gs.th, 0, 0, gs.fsize, 0, gs.rise}.mul(*tm).mul(gs.ctm)
		full := tm.mul(gs.ctm)
		// The displacement, character and word spacing included (a
		// letter-spaced word stays one word).
		tx := (w*gs.fsize + gs.tc) * gs.th
		if n == 1 && code == 32 {
			tx += gs.tw * gs.th
		}
		dx, dy := tx*full[0], tx*full[1]
		g := glyph{
			text: text, x: trm[4], y: trm[5],
			adv:  math.Copysign(math.Hypot(dx, dy), tx),
			size: math.Abs(gs.fsize) * math.Hypot(full[2], full[3]),
			font: f.name, italic: f.italic, bold: f.bold, invis: gs.mode == 3 || gs.mode == 7,
		}
		// Upright, left-to-right text: the baseline goes right and the
		// glyph's up vector goes up.
		g.horiz = full[0] > 0 && math.Abs(full[1]) <= 0.05*math.Abs(full[0]) && full[3]*gs.fsize > 0 &&
			math.Abs(full[2]) <= 0.3*math.Abs(full[3])
		if trm.finite() && g.size > 0.5 && g.size < 2000 {
			x.glyphs = append(x.glyphs, g)
		}
		if !math.IsNaN(tx) && !math.IsInf(tx, 0) {
			*tm = matrix{1, 0, 0, 1, tx, 0}.mul(*tm)
		}
	})
	return err
}
