package hub

import (
	"io"
	"sync"

	"github.com/vanthu/vanthu/exchange/wire"
)

// The register hook wants the documents of each accepted package. The hub
// decodes them anyway while it checks the package on arrival, so it keeps
// them, in memory and for a while, for the hook worker of this process: it
// then needs neither read the package back from the database nor decode it
// again. This is only a shortcut; when a package's documents are not kept
// (another process took the queue, the hub restarted, the package was
// large or the memory full) the hook reads the stored package.

// File is an attachment of an accepted package as the hub decoded it.
type File struct {
	Name, ContentType string
	Data              []byte
}

const (
	arrivedMaxPackage = memSpool // attachments kept of one package
	arrivedMaxTotal   = 32 << 20 // of all packages waiting for the hook
)

// arrivals keeps the metadata and attachments of packages just accepted,
// by message ID, oldest first out.
type arrivals struct {
	mu      sync.Mutex
	entries map[int64]arrival
	order   []int64
	size    int64
}

type arrival struct {
	doc   *wire.Document
	files []File
	size  int64
}

func (a *arrivals) put(id int64, doc *wire.Document, c *capture) {
	if c == nil || c.over || doc == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.entries == nil {
		a.entries = map[int64]arrival{}
	}
	for a.size+c.size > arrivedMaxTotal && len(a.order) > 0 {
		old := a.order[0]
		a.order = a.order[1:]
		a.size -= a.entries[old].size
		delete(a.entries, old)
	}
	a.entries[id] = arrival{doc: doc, files: c.files, size: c.size}
	a.order = append(a.order, id)
	a.size += c.size
}

// take hands out what is kept of a package, once.
func (a *arrivals) take(id int64) (arrival, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.entries[id]
	if ok {
		delete(a.entries, id)
		a.size -= e.size
		for i, x := range a.order {
			if x == id {
				a.order = append(a.order[:i], a.order[i+1:]...)
				break
			}
		}
	}
	return e, ok
}

// capture is a wire.Sink that keeps a package's attachments in memory, up
// to arrivedMaxPackage in all (beyond, it keeps nothing).
type capture struct {
	files []File
	size  int64
	over  bool
}

func (c *capture) sink(name, contentType string) (io.WriteCloser, error) {
	if c.over {
		return discardCloser{}, nil
	}
	c.files = append(c.files, File{Name: name, ContentType: contentType})
	return &captureWriter{c: c, i: len(c.files) - 1}, nil
}

type captureWriter struct {
	c *capture
	i int
}

func (w *captureWriter) Write(p []byte) (int, error) {
	c := w.c
	switch {
	case c.over:
	case c.size+int64(len(p)) > arrivedMaxPackage:
		c.over, c.files = true, nil
	default:
		c.files[w.i].Data = append(c.files[w.i].Data, p...)
		c.size += int64(len(p))
	}
	return len(p), nil
}

func (w *captureWriter) Close() error { return nil }

type discardCloser struct{}

func (discardCloser) Write(p []byte) (int, error) { return len(p), nil }
func (discardCloser) Close() error                { return nil }
