package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// Defaults of Options.
const (
	DefaultTimeout   = 20 * time.Second
	DefaultMaxPixels = 40_000_000 // an A4 page at about 1,100 dpi; 160 MB of RGBA
	DefaultMaxMemory = 1 << 30    // PDFium's WebAssembly memory
)

// Options configure a Renderer.
type Options struct {
	// CacheDir keeps the compiled PDFium module between runs; empty means
	// DefaultCacheDir(). NoCache compiles in memory only.
	CacheDir string
	NoCache  bool
	// Timeout bounds each call (open, page size, render); default
	// DefaultTimeout. A call that overruns kills the PDFium instance.
	Timeout time.Duration
	// MaxPixels caps the width × height of one rendered image; default
	// DefaultMaxPixels.
	MaxPixels int
	// MaxMemory caps PDFium's memory in bytes; default DefaultMaxMemory.
	MaxMemory int64
}

// DefaultCacheDir is os.UserCacheDir()/vanthu/pdfium.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("failed to find the user cache dir: %w", err)
	}
	return filepath.Join(d, "vanthu", "pdfium"), nil
}

// caches holds one wazero compilation cache per directory for the whole
// process: runtimes that share a cache share the compiled code in memory,
// so only the first Renderer of a process compiles (or reads the disk).
var (
	cachesMu sync.Mutex
	caches   = map[string]wazero.CompilationCache{}
)

func compilationCache(dir string) (wazero.CompilationCache, error) {
	cachesMu.Lock()
	defer cachesMu.Unlock()
	if c, ok := caches[dir]; ok {
		return c, nil
	}
	var c wazero.CompilationCache
	if dir == "" {
		c = wazero.NewCompilationCache()
	} else {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("failed to create the render cache dir: %w", err)
		}
		var err error
		if c, err = wazero.NewCompilationCacheWithDir(dir); err != nil {
			return nil, fmt.Errorf("failed to open the render cache dir: %w", err)
		}
	}
	caches[dir] = c
	return c, nil
}

// Renderer is one PDFium instance behind a lock. It is safe for concurrent
// use; calls run one at a time.
type Renderer struct {
	opts Options
	pool pdfium.Pool
	sem  chan struct{} // held while a call runs (a lock that a context can abandon)

	// guarded by sem
	inst   pdfium.Pdfium
	gen    uint64 // incremented for each new instance; documents reopen when it changes
	closed bool
}

// New starts a Renderer. The first one of a machine compiles PDFium (a few
// seconds; see the package doc), later ones read the compiled code from the
// cache.
func New(ctx context.Context, opts Options) (*Renderer, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxPixels <= 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	if opts.MaxMemory <= 0 {
		opts.MaxMemory = DefaultMaxMemory
	}
	dir := ""
	if !opts.NoCache {
		dir = opts.CacheDir
		if dir == "" {
			d, err := DefaultCacheDir()
			if err != nil {
				return nil, err
			}
			dir = d
		}
	}
	cache, err := compilationCache(dir)
	if err != nil {
		return nil, err
	}
	pages := uint32(opts.MaxMemory / 65536)
	rc := wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
		WithCompilationCache(cache).
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(pages)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle: 0, MaxIdle: 1, MaxTotal: 1,
		RuntimeConfig: rc,
		FSConfig:      wazero.NewFSConfig(), // no file system: documents come from memory or readers
		Stdout:        io.Discard,
		Stderr:        io.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEngine, err)
	}
	return &Renderer{opts: opts, pool: pool, sem: make(chan struct{}, 1)}, nil
}

// Close releases PDFium; open Documents become unusable.
func (r *Renderer) Close() error {
	r.sem <- struct{}{}
	defer func() { <-r.sem }()
	if r.closed {
		return nil
	}
	r.closed = true
	if r.inst != nil {
		_ = r.inst.Close()
		r.inst = nil
	}
	return r.pool.Close()
}

// call runs fn with the PDFium instance, bounded by ctx and the Timeout: on
// overrun the instance is killed (interrupting PDFium) and dropped, and the
// next call starts a fresh one. d, when not nil, is opened (or reopened
// after a kill) first. Panics in the binding become ErrFailed.
func (r *Renderer) call(ctx context.Context, d *Document, fn func(inst pdfium.Pdfium) error) error {
	ctx, cancel := context.WithTimeoutCause(ctx, r.opts.Timeout, ErrTimeout)
	defer cancel()
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return callErr(ctx)
	}
	defer func() { <-r.sem }()
	if r.closed || (d != nil && d.closed) {
		return ErrClosed
	}
	if r.inst == nil {
		inst, err := r.pool.GetInstanceWithContext(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return callErr(ctx)
			}
			return fmt.Errorf("%w: %v", ErrEngine, err)
		}
		r.inst = inst
		r.gen++
	}
	inst := r.inst
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(killed)
		_ = inst.Kill()
	})
	err := protect(func() error {
		if d != nil && d.gen != r.gen {
			if err := d.open(inst, r.gen); err != nil {
				return err
			}
		}
		return fn(inst)
	})
	if !stop() {
		<-killed
		r.inst = nil
		if err == nil {
			return nil // finished just as the deadline hit; the result is complete
		}
		return callErr(ctx)
	}
	return err
}

// callErr is the error of a call whose context ended.
func callErr(ctx context.Context) error {
	if errors.Is(context.Cause(ctx), ErrTimeout) {
		return ErrTimeout
	}
	return ctx.Err()
}

// protect turns a panic inside the PDFium binding into an error.
func protect(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrFailed, p)
		}
	}()
	return fn()
}
