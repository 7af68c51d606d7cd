// Package registerhub registers the exchange's traffic automatically: a
// hub.Hook that turns each accepted document package into the sender's
// outgoing entry and the recipients' incoming entries (the signature
// verdicts decided by verifying the PDF the package carries), and each
// status into receipts, later statuses and recalls (exchange/register's
// RecordSent and RecordStatus).
package registerhub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/wire"
)

// ErrNoPackages is returned when the hook has no way to read stored
// packages yet (Packages not set).
var ErrNoPackages = errors.New("registerhub: no package reader")

// Hook is the hub's hook into the registers. Set Packages once the hub is
// open (hub.(*Hub).OpenPackage): the hook is given to hub.Config before
// the hub exists.
type Hook struct {
	Register *register.Register
	// Codec reads the package to find its signed document.
	Codec wire.Codec
	// Packages opens a stored package by its SHA-256.
	Packages func(ctx context.Context, sha256 string) io.Reader
	// SpoolDir holds the package and its document while they are read
	// (default: the system temp folder).
	SpoolDir string
	Logger   *slog.Logger
}

var _ hub.BatchHook = (*Hook)(nil)

// storedReader reads back a package its hub verified before storing it
// without verifying the signature again (edxmlcodec.Codec does).
type storedReader interface {
	ReadStored(ctx context.Context, r io.ReaderAt, size int64, sink wire.Sink) (*wire.Incoming, error)
}

// Sent registers an accepted document package. The package is the one the
// hub stored after verifying it; its signed PDF is verified here for the
// register's verdicts.
func (h *Hook) Sent(ctx context.Context, ev hub.SentEvent) error {
	s, done, err := h.prepare(ctx, ev)
	if err != nil {
		return err
	}
	defer done()
	return h.Register.RecordSent(ctx, s)
}

// prepare turns a send into the register's, with its signed document: the
// one the hub kept from the arrival, else read from the stored package.
// done releases the document.
func (h *Hook) prepare(ctx context.Context, ev hub.SentEvent) (s register.Sent, done func(), err error) {
	if ev.Document != nil {
		return sentOf(ev, ev.Document, arrivedPDF(ev.Files)), func() {}, nil
	}
	if h.Packages == nil {
		return s, nil, ErrNoPackages
	}
	pkg := &spool{dir: h.SpoolDir, pattern: "register-pkg-*"}
	defer pkg.Close()
	if _, err := io.Copy(pkg, h.Packages(ctx, ev.SHA256)); err != nil {
		return s, nil, fmt.Errorf("failed to read the stored package: %w", err)
	}
	var doc *spool
	var docName string
	sink := func(name, contentType string) (io.WriteCloser, error) {
		if doc != nil || !isPDF(name, contentType) {
			return discard{}, nil
		}
		doc, docName = &spool{dir: h.SpoolDir, pattern: "register-doc-*.pdf"}, name
		return nopClose{doc}, nil
	}
	read := h.Codec.Read
	if sr, ok := h.Codec.(storedReader); ok {
		read = sr.ReadStored
	}
	in, err := read(ctx, pkg.ReaderAt(), pkg.Size(), sink)
	done = func() {}
	if doc != nil {
		done = doc.Close
	}
	if err != nil {
		done()
		return s, nil, fmt.Errorf("failed to read the package: %w", err)
	}
	var pdf *document
	if doc != nil {
		pdf = &document{name: docName, r: doc.ReaderAt(), size: doc.Size()}
	}
	var meta *wire.Document
	if in != nil {
		meta = in.Document
	}
	return sentOf(ev, meta, pdf), done, nil
}

// document is the signed document of a package.
type document struct {
	name string
	r    io.ReaderAt
	size int64
}

// arrivedPDF is the first PDF among the attachments the hub kept.
func arrivedPDF(files []hub.File) *document {
	for _, f := range files {
		if isPDF(f.Name, f.ContentType) {
			return &document{name: f.Name, r: bytes.NewReader(f.Data), size: int64(len(f.Data))}
		}
	}
	return nil
}

// sentOf is the register's send for ev, with the package's metadata and
// its signed document (nil when it carries none).
func sentOf(ev hub.SentEvent, meta *wire.Document, doc *document) register.Sent {
	s := register.Sent{From: ev.From, To: ev.To, DocumentID: ev.DocumentID, Subject: ev.Subject, BusinessType: ev.BusinessType,
		MessageID: ev.MessageID, At: ev.At}
	if meta != nil {
		s.Type, s.FromName = meta.Type, meta.From.Name
		if s.Subject == "" {
			s.Subject = meta.Subject
		}
	}
	if doc != nil {
		s.Document, s.DocumentSize, s.DocumentName = doc.r, doc.size, doc.name
	}
	return s
}

// Status registers a status.
func (h *Hook) Status(ctx context.Context, ev hub.StatusEvent) error {
	return h.Register.RecordStatus(ctx, statusOf(ev))
}

func statusOf(ev hub.StatusEvent) register.StatusUpdate {
	return register.StatusUpdate{DocumentID: ev.DocumentID, DocSender: ev.DocSender,
		Recipient: ev.Recipient, Code: ev.Code, Description: ev.Description, At: ev.At}
}

// Events registers the hub's queued events together (the hub's worker
// hands them over a round at a time): the packages read where needed, the
// documents verified a few at a time, the entries written a handful per
// transaction (register.RecordAll). An event that cannot be registered
// holds back the later events of its document (hub.ErrHeldBack).
func (h *Hook) Events(ctx context.Context, evs []hub.Event) []error {
	errs := make([]error, len(evs))
	items := make([]register.Event, len(evs))
	dones := make([]func(), len(evs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, ev := range evs {
		switch {
		case ev.Sent != nil:
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				s, done, err := h.prepare(ctx, *ev.Sent)
				items[i].Sent, dones[i], errs[i] = &s, done, err
			}()
		case ev.Status != nil:
			st := statusOf(*ev.Status)
			items[i].Status = &st
		}
	}
	wg.Wait()
	defer func() {
		for _, done := range dones {
			if done != nil {
				done()
			}
		}
	}()
	failed := map[string]bool{}
	var keep []int
	var sub []register.Event
	for i, ev := range evs {
		doc := ev.DocumentID()
		switch {
		case errs[i] != nil:
			failed[doc] = true
		case failed[doc]:
			errs[i] = hub.ErrHeldBack
		default:
			keep, sub = append(keep, i), append(sub, items[i])
		}
	}
	for k, err := range h.Register.RecordAll(ctx, sub) {
		if errors.Is(err, register.ErrHeldBack) {
			err = fmt.Errorf("%w: %w", hub.ErrHeldBack, err)
		}
		errs[keep[k]] = err
	}
	return errs
}

func isPDF(name, contentType string) bool {
	return strings.Contains(strings.ToLower(contentType), "pdf") || strings.HasSuffix(strings.ToLower(name), ".pdf")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

type nopClose struct{ io.Writer }

func (nopClose) Close() error { return nil }

// memSpool is the most of a package or document kept in memory while it
// is read; beyond, it goes to a temporary file.
const memSpool = 2 << 20

// spool holds bytes being read: in memory up to memSpool, in a temporary
// file in dir beyond.
type spool struct {
	dir, pattern string
	mem          *bytes.Buffer
	f            *os.File
	n            int64
}

// spoolBufs keeps the memory of spools closed for the next ones.
var spoolBufs = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 512<<10)) }}

func (s *spool) Write(p []byte) (int, error) {
	if s.mem == nil && s.f == nil {
		s.mem = spoolBufs.Get().(*bytes.Buffer)
		s.mem.Reset()
	}
	if s.f == nil && s.mem.Len()+len(p) > memSpool {
		f, err := os.CreateTemp(s.dir, s.pattern)
		if err != nil {
			return 0, err
		}
		s.f = f
		if _, err := f.Write(s.mem.Bytes()); err != nil {
			return 0, err
		}
		s.release()
	}
	var n int
	var err error
	if s.f != nil {
		n, err = s.f.Write(p)
	} else {
		n, err = s.mem.Write(p)
	}
	s.n += int64(n)
	return n, err
}

// ReaderAt reads what was written (until Close).
func (s *spool) ReaderAt() io.ReaderAt {
	switch {
	case s.f != nil:
		return s.f
	case s.mem != nil:
		return bytes.NewReader(s.mem.Bytes())
	}
	return bytes.NewReader(nil)
}

func (s *spool) release() {
	if s.mem != nil && s.mem.Cap() <= 2*memSpool {
		spoolBufs.Put(s.mem)
	}
	s.mem = nil
}

// Size is the number of bytes written.
func (s *spool) Size() int64 { return s.n }

// Close gives the memory back and removes the temporary file, if any.
func (s *spool) Close() {
	s.release()
	if s.f != nil {
		_ = s.f.Close()
		_ = os.Remove(s.f.Name())
		s.f = nil
	}
}
