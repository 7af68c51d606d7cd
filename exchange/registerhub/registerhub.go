// Package registerhub registers the exchange's traffic automatically: a
// hub.Hook that turns each accepted document package into the sender's
// outgoing entry and the recipients' incoming entries (the signature
// verdicts decided by verifying the PDF the package carries), and each
// status into receipts, later statuses and recalls (exchange/register's
// RecordSent and RecordStatus).
package registerhub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

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

var _ hub.Hook = (*Hook)(nil)

// Sent registers an accepted document package.
func (h *Hook) Sent(ctx context.Context, ev hub.SentEvent) error {
	if h.Packages == nil {
		return ErrNoPackages
	}
	pkg, err := h.spool(h.Packages(ctx, ev.SHA256), "pkg")
	if err != nil {
		return err
	}
	defer cleanup(pkg)
	st, err := pkg.Stat()
	if err != nil {
		return err
	}
	var doc *os.File
	var docName string
	sink := func(name, contentType string) (io.WriteCloser, error) {
		if doc != nil || !isPDF(name, contentType) {
			return discard{}, nil
		}
		f, err := os.CreateTemp(h.SpoolDir, "register-doc-*.pdf")
		if err != nil {
			return nil, err
		}
		doc, docName = f, name
		return nopClose{f}, nil
	}
	in, err := h.Codec.Read(ctx, pkg, st.Size(), sink)
	if doc != nil {
		defer cleanup(doc)
	}
	if err != nil {
		return fmt.Errorf("failed to read the package: %w", err)
	}
	s := register.Sent{From: ev.From, To: ev.To, DocumentID: ev.DocumentID, Subject: ev.Subject, BusinessType: ev.BusinessType,
		MessageID: ev.MessageID, At: ev.At}
	if in != nil && in.Document != nil {
		s.Type, s.FromName = in.Document.Type, in.Document.From.Name
		if s.Subject == "" {
			s.Subject = in.Document.Subject
		}
	}
	if doc != nil {
		dst, err := doc.Stat()
		if err != nil {
			return err
		}
		s.Document, s.DocumentSize, s.DocumentName = doc, dst.Size(), docName
	}
	return h.Register.RecordSent(ctx, s)
}

// Status registers a status.
func (h *Hook) Status(ctx context.Context, ev hub.StatusEvent) error {
	return h.Register.RecordStatus(ctx, register.StatusUpdate{DocumentID: ev.DocumentID, DocSender: ev.DocSender,
		Recipient: ev.Recipient, Code: ev.Code, Description: ev.Description, At: ev.At})
}

func (h *Hook) spool(r io.Reader, kind string) (*os.File, error) {
	f, err := os.CreateTemp(h.SpoolDir, "register-"+kind+"-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, r); err != nil {
		cleanup(f)
		return nil, fmt.Errorf("failed to read the stored package: %w", err)
	}
	return f, nil
}

func cleanup(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

func isPDF(name, contentType string) bool {
	return strings.Contains(strings.ToLower(contentType), "pdf") || strings.HasSuffix(strings.ToLower(name), ".pdf")
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) Close() error                { return nil }

type nopClose struct{ io.Writer }

func (nopClose) Close() error { return nil }
