package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vanthu/vanthu/internal/fsutil"
)

// DocumentRef names a document whose signed PDF is wanted, as a register
// entry knows it.
type DocumentRef struct {
	// DocumentID is the edXML DocumentId.
	DocumentID string
	// Received: a document this client received (its inbox's copy);
	// otherwise one it sent (the PDF in its stored package).
	Received bool
	// From is the sender's agency code of a received document ("" any).
	From string
	// SHA256 is the file's hash (hex) as the register keeps it: required
	// for a sent document, checked when given for a received one.
	SHA256 string
	// FileName names the extracted copy of a sent document ("" for
	// "document.pdf").
	FileName string
}

// documentsDir is the folder of the extracted copies of sent documents.
const documentsDir = "documents"

// DocumentFile returns the path of a document's signed PDF on this
// machine. For a document this client sent, the package kept in the
// outbox (newest first) is checked against the hash it was queued with,
// read and verified again, and its PDF attachment whose SHA-256 is
// ref.SHA256 is extracted — atomically, once — into documents/ of the
// data folder; the package itself is never changed. For a received one it
// is the inbox's copy. ErrNoFile when the file is not on this machine,
// ErrTampered when the stored copy is not the one registered.
func (c *Client) DocumentFile(ctx context.Context, ref DocumentRef) (string, error) {
	if strings.TrimSpace(ref.DocumentID) == "" {
		return "", fmt.Errorf("%w: no document ID", ErrNoFile)
	}
	if ref.Received {
		return c.receivedFile(ctx, ref)
	}
	return c.sentFile(ctx, ref)
}

func (c *Client) sentFile(ctx context.Context, ref DocumentRef) (string, error) {
	want := strings.ToLower(strings.TrimSpace(ref.SHA256))
	if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
		return "", fmt.Errorf("%w: no file hash registered for %s", ErrNoFile, ref.DocumentID)
	}
	dst := filepath.Join(c.opts.DataDir, documentsDir, want[:16], pdfName(ref.FileName))
	if h, err := fileSHA256(dst); err == nil && h == want {
		return dst, nil // extracted before
	}
	entries, err := c.queryOutbox(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE kind = 'edoc' AND document_id = ? ORDER BY id DESC", ref.DocumentID)
	if err != nil {
		return "", err
	}
	var tampered error
	for _, e := range entries {
		err := c.extractPDF(ctx, e, want, dst)
		switch {
		case err == nil:
			return dst, nil
		case ctx.Err() != nil:
			return "", ctx.Err()
		case errors.Is(err, ErrTampered) && tampered == nil:
			tampered = err
		}
	}
	if tampered != nil {
		return "", tampered
	}
	return "", fmt.Errorf("%w: no stored package of %s holds its file %s", ErrNoFile, ref.DocumentID, want)
}

// extractPDF writes the attachment of e's package whose SHA-256 is want
// to dst (temporary file, fsync, rename).
func (c *Client) extractPDF(ctx context.Context, e OutboxEntry, want, dst string) error {
	f, err := os.Open(e.path)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoFile, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoFile, err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("failed to read the package: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != e.sha {
		return fmt.Errorf("%w: the stored package of %s is not the one queued", ErrTampered, e.DocumentID)
	}
	// First pass: verify the package and find the attachment; second: write it.
	index, n := -1, 0
	_, err = c.codec.Read(ctx, f, st.Size(), func(string, string) (io.WriteCloser, error) {
		n++
		return &hashSink{i: n - 1, want: want, found: &index, h: sha256.New()}, nil
	})
	if err != nil {
		return fmt.Errorf("%w: the stored package of %s does not verify: %w", ErrTampered, e.DocumentID, err)
	}
	if index < 0 {
		return fmt.Errorf("%w: the package of %s holds no file %s", ErrNoFile, e.DocumentID, want)
	}
	return fsutil.Write(dst, 0o600, func(w io.Writer) error {
		i, got := 0, sha256.New()
		if _, err := c.codec.Read(ctx, f, st.Size(), func(string, string) (io.WriteCloser, error) {
			defer func() { i++ }()
			if i != index {
				return nopCloser{io.Discard}, nil
			}
			return nopCloser{io.MultiWriter(w, got)}, nil
		}); err != nil {
			return fmt.Errorf("%w: the stored package of %s does not verify: %w", ErrTampered, e.DocumentID, err)
		}
		if hex.EncodeToString(got.Sum(nil)) != want {
			return fmt.Errorf("%w: the file of %s changed while it was extracted", ErrTampered, e.DocumentID)
		}
		return nil
	})
}

// hashSink hashes one attachment and, on Close, marks it found when its
// hash is the one wanted.
type hashSink struct {
	i     int
	want  string
	found *int
	h     hash.Hash
}

func (s *hashSink) Write(p []byte) (int, error) { return s.h.Write(p) }

func (s *hashSink) Close() error {
	if *s.found < 0 && hex.EncodeToString(s.h.Sum(nil)) == s.want {
		*s.found = s.i
	}
	return nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func (c *Client) receivedFile(ctx context.Context, ref DocumentRef) (string, error) {
	docs, err := c.queryInbox(ctx, "SELECT "+inboxColumns+` FROM inbox WHERE kind = 'edoc' AND document_id = ?
		AND (? = '' OR from_code = ?) ORDER BY id DESC`, ref.DocumentID, ref.From, ref.From)
	if err != nil {
		return "", err
	}
	want := strings.ToLower(strings.TrimSpace(ref.SHA256))
	for _, d := range docs {
		for _, f := range d.Files {
			if !strings.EqualFold(filepath.Ext(f), ".pdf") {
				continue
			}
			h, err := fileSHA256(f)
			if err != nil {
				continue // recalled, or removed by hand
			}
			if want != "" && h != want {
				return "", fmt.Errorf("%w: the inbox's copy of %s is not the registered file", ErrTampered, ref.DocumentID)
			}
			return f, nil
		}
	}
	return "", fmt.Errorf("%w: %s is not in this installation's inbox", ErrNoFile, ref.DocumentID)
}

// pdfName is a file name for an extracted copy: the registered name's
// last element, without separators or control characters.
func pdfName(name string) string {
	name = strings.TrimPrefix(safeName(name, 0), "01-")
	if name == "attachment" {
		name = "document"
	}
	if !strings.EqualFold(filepath.Ext(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
