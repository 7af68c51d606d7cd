// Package stamp checks and stores the images of visible signatures: a
// person's handwritten signature (blue, PNG with a transparent background)
// and an organisation's seal (red, PNG with transparency), kept per user or
// organisation in a data directory the caller chooses (the app uses
// os.UserConfigDir()/vanthu).
package stamp

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/vanthu/vanthu/signing/appearance"
)

// Kind is what an image shows.
type Kind string

// Kinds.
const (
	KindSignature Kind = "signature" // a person's handwritten signature
	KindSeal      Kind = "seal"      // an organisation's seal
)

// ParseKind accepts "signature"/"chu-ky" and "seal"/"con-dau".
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "signature", "sig", "chu-ky", "chuky":
		return KindSignature, nil
	case "seal", "con-dau", "condau", "dau":
		return KindSeal, nil
	}
	return "", fmt.Errorf("%w: %q", ErrBadKind, s)
}

// Limits of accepted images.
const (
	MaxBytes  = 5 << 20
	MinPixels = 32   // per side
	MaxPixels = 4000 // per side
	// MinTransparent is the share of (almost) fully transparent pixels a
	// signature or seal image must have: its background.
	MinTransparent = 0.15
	// MinInk is the share of visible pixels it must have.
	MinInk = 0.002
)

// Ink is the dominant colour of an image's visible pixels.
type Ink string

// Ink colours.
const (
	InkBlue  Ink = "blue"
	InkRed   Ink = "red"
	InkBlack Ink = "black"
	InkOther Ink = "other"
)

// Info describes a checked image.
type Info struct {
	Width, Height int
	Transparent   float64     // share of transparent pixels (alpha < 16)
	Ink           Ink         // dominant colour of the visible pixels
	Mean          color.NRGBA // mean colour of the visible pixels
	Bounds        image.Rectangle
}

// Check decodes data and checks that it is a PNG with a transparent
// background and something drawn on it, within the size limits.
func Check(data []byte) (*Info, image.Image, error) {
	if len(data) > MaxBytes {
		return nil, nil, &SizeError{What: "bytes", Got: len(data), Min: 1, Max: MaxBytes}
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return nil, nil, ErrNotPNG
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotPNG, err)
	}
	for _, d := range []struct {
		what string
		v    int
	}{{"width", cfg.Width}, {"height", cfg.Height}} {
		if d.v < MinPixels || d.v > MaxPixels {
			return nil, nil, &SizeError{What: d.what, Got: d.v, Min: MinPixels, Max: MaxPixels}
		}
	}
	switch cfg.ColorModel {
	case color.NRGBAModel, color.NRGBA64Model, color.RGBAModel, color.RGBA64Model:
	default:
		if _, ok := cfg.ColorModel.(color.Palette); !ok {
			// Gray, Gray16 and RGB without tRNS: no alpha at all.
			return nil, nil, fmt.Errorf("%w: the PNG has no alpha channel", ErrNoTransparency)
		}
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNotPNG, err)
	}
	b := img.Bounds()
	info := &Info{Width: b.Dx(), Height: b.Dy()}
	var transparent, ink int
	var sr, sg, sb uint64
	minX, minY, maxX, maxY := b.Max.X, b.Max.Y, b.Min.X-1, b.Min.Y-1
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A < 16 {
				transparent++
				continue
			}
			if c.A >= 128 {
				ink++
				sr, sg, sb = sr+uint64(c.R), sg+uint64(c.G), sb+uint64(c.B)
			}
			minX, minY = min(minX, x), min(minY, y)
			maxX, maxY = max(maxX, x), max(maxY, y)
		}
	}
	total := float64(b.Dx() * b.Dy())
	info.Transparent = float64(transparent) / total
	if info.Transparent < MinTransparent {
		return info, nil, fmt.Errorf("%w: only %.0f%% of the pixels are transparent", ErrNoTransparency, info.Transparent*100)
	}
	if float64(ink)/total < MinInk {
		return info, nil, ErrEmpty
	}
	info.Mean = color.NRGBA{R: uint8(sr / uint64(ink)), G: uint8(sg / uint64(ink)), B: uint8(sb / uint64(ink)), A: 255}
	info.Ink = classify(info.Mean)
	info.Bounds = image.Rect(minX, minY, maxX+1, maxY+1)
	return info, img, nil
}

func classify(c color.NRGBA) Ink {
	r, g, b := int(c.R), int(c.G), int(c.B)
	switch {
	case max(r, g, b) < 90:
		return InkBlack
	case b > r+40 && b > g+20:
		return InkBlue
	case r > g+60 && r > b+50:
		return InkRed
	}
	return InkOther
}

// Load checks data and returns it as an appearance image cropped to its
// visible pixels (so that the drawn size is the size of the ink: a seal's
// rendered width is the seal's diameter).
func Load(data []byte) (*appearance.Image, *Info, error) {
	info, img, err := Check(data)
	if err != nil {
		return nil, info, err
	}
	type subImager interface {
		SubImage(r image.Rectangle) image.Image
	}
	if s, ok := img.(subImager); ok {
		img = s.SubImage(info.Bounds)
	}
	return appearance.ImageFromImage(img), info, nil
}

// Store keeps images under Dir/images/<kind>/<owner>.png, with a JSON
// sidecar holding the owner's name as typed.
type Store struct {
	Dir string
}

// Entry is one stored image.
type Entry struct {
	Kind     Kind      `json:"kind"`
	Owner    string    `json:"owner"`
	Path     string    `json:"path"`
	SHA256   string    `json:"sha256"`
	Imported time.Time `json:"imported"`
	Width    int       `json:"width"`
	Height   int       `json:"height"`
	Ink      Ink       `json:"ink"`
}

// Slug turns an owner name into a file name: ASCII letters and digits
// without diacritics, lower case, words joined by "-" ("Nguyễn Văn Ánh" →
// "nguyen-van-anh").
func Slug(owner string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(owner) {
		switch {
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.Is(unicode.Mn, r):
			continue
		}
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	return s
}

func (s *Store) paths(kind Kind, owner string) (string, string, error) {
	if kind != KindSignature && kind != KindSeal {
		return "", "", fmt.Errorf("%w: %q", ErrBadKind, kind)
	}
	slug := Slug(owner)
	if slug == "" {
		return "", "", fmt.Errorf("%w: %q", ErrBadOwner, owner)
	}
	dir := filepath.Join(s.Dir, "images", string(kind))
	return filepath.Join(dir, slug+".png"), filepath.Join(dir, slug+".json"), nil
}

// Import checks data and stores it as owner's image of the given kind,
// replacing an earlier one. The files are written atomically.
func (s *Store) Import(kind Kind, owner string, data []byte) (*Entry, error) {
	pngPath, metaPath, err := s.paths(kind, owner)
	if err != nil {
		return nil, err
	}
	info, _, err := Check(data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(pngPath), 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the image directory: %w", err)
	}
	sum := sha256.Sum256(data)
	e := &Entry{Kind: kind, Owner: strings.TrimSpace(owner), Path: pngPath, SHA256: hex.EncodeToString(sum[:]),
		Imported: time.Now().UTC().Truncate(time.Second), Width: info.Width, Height: info.Height, Ink: info.Ink}
	meta, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("failed to store the image: %w", err)
	}
	if err := writeAtomic(pngPath, data); err != nil {
		return nil, err
	}
	if err := writeAtomic(metaPath, meta); err != nil {
		return nil, err
	}
	return e, nil
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("failed to store the image: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to store the image: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("failed to store the image: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("failed to store the image: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("failed to store the image: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("failed to store the image: %w", err)
	}
	return nil
}

// Get returns owner's stored image of the given kind.
func (s *Store) Get(kind Kind, owner string) ([]byte, *Entry, error) {
	pngPath, metaPath, err := s.paths(kind, owner)
	if err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(pngPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%w: %s %q", ErrNotFound, kind, owner)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("failed to read the stored image: %w", err)
	}
	e := &Entry{Kind: kind, Owner: owner, Path: pngPath}
	if m, err := os.ReadFile(metaPath); err == nil {
		_ = json.Unmarshal(m, e)
		e.Path = pngPath
	}
	return data, e, nil
}

// Remove deletes owner's image of the given kind.
func (s *Store) Remove(kind Kind, owner string) error {
	pngPath, metaPath, err := s.paths(kind, owner)
	if err != nil {
		return err
	}
	if err := os.Remove(pngPath); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s %q", ErrNotFound, kind, owner)
	} else if err != nil {
		return fmt.Errorf("failed to remove the image: %w", err)
	}
	_ = os.Remove(metaPath)
	return nil
}

// List returns the stored images, signatures first, by owner.
func (s *Store) List() ([]Entry, error) {
	var out []Entry
	for _, kind := range []Kind{KindSignature, KindSeal} {
		dir := filepath.Join(s.Dir, "images", string(kind))
		ents, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("failed to list images: %w", err)
		}
		for _, de := range ents {
			if !strings.HasSuffix(de.Name(), ".png") {
				continue
			}
			e := Entry{Kind: kind, Owner: strings.TrimSuffix(de.Name(), ".png"), Path: filepath.Join(dir, de.Name())}
			if m, err := os.ReadFile(strings.TrimSuffix(e.Path, ".png") + ".json"); err == nil {
				_ = json.Unmarshal(m, &e)
				e.Path = filepath.Join(dir, de.Name())
			}
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind == KindSignature
		}
		return out[i].Owner < out[j].Owner
	})
	return out, nil
}
