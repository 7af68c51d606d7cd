package client_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
)

// A sent document's PDF comes out of the package kept in the outbox —
// the exact bytes, their SHA-256 the register's, written into the data
// folder's documents/ atomically and never over the package; a changed
// or missing package, a hash the package does not hold, an unknown
// document are errors, and a failed extraction leaves nothing behind. A
// received document's PDF is the inbox's copy.
func TestDocumentFile(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b := env.AddAgency(t, h, codeA, "Sở Nội vụ"), env.AddAgency(t, h, codeB, "Văn phòng Chính phủ")
	ca, cb := env.Client(t, a), env.Client(t, b)
	ctx := context.Background()
	pdf := env.SignedPDFs(t, filepath.Join(t.TempDir(), "pdf"), 1, 8<<10)[0]
	want, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	d := docs([]string{pdf})[0]
	if _, err := ca.QueueDocuments(ctx, []client.OutgoingDocument{d}, []wire.Organization{{Code: codeB}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, ca)
	pkgs, _ := filepath.Glob(filepath.Join(a.DataDir, "outbox", "*.pkg"))
	if len(pkgs) != 1 {
		t.Fatalf("packages in the outbox: %v", pkgs)
	}
	pkg := pkgs[0]
	pkgBytes, _ := os.ReadFile(pkg)
	ref := client.DocumentRef{DocumentID: d.DocumentID, SHA256: sha256hex(want), FileName: "../Công văn 1.pdf"}

	got, err := ca.DocumentFile(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(a.DataDir, "documents")
	if filepath.Dir(filepath.Dir(got)) != cache || filepath.Base(got) != "Công văn 1.pdf" {
		t.Fatalf("extracted to %s, want a file named after the register in %s", got, cache)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, want) {
		t.Fatalf("extracted %d bytes, not the sent file's %d", len(b), len(want))
	}
	if b, _ := os.ReadFile(pkg); !bytes.Equal(b, pkgBytes) {
		t.Fatal("the package changed")
	}
	if again, err := ca.DocumentFile(ctx, client.DocumentRef{DocumentID: d.DocumentID, SHA256: strings.ToUpper(ref.SHA256), FileName: ref.FileName}); err != nil || again != got {
		t.Fatalf("second open: %s %v", again, err)
	}

	// A cached copy changed by hand is extracted again.
	if err := os.WriteFile(got, []byte("%PDF-1.7 not the document"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.DocumentFile(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, want) {
		t.Fatal("a changed cached copy was returned as the document")
	}

	for name, r := range map[string]client.DocumentRef{
		"another hash":     {DocumentID: d.DocumentID, SHA256: sha256hex([]byte("x"))},
		"no hash":          {DocumentID: d.DocumentID},
		"unknown document": {DocumentID: docID(99), SHA256: ref.SHA256},
		"no document ID":   {SHA256: ref.SHA256},
	} {
		if p, err := ca.DocumentFile(ctx, r); !errors.Is(err, client.ErrNoFile) {
			t.Errorf("%s: %q %v, want ErrNoFile", name, p, err)
		}
	}

	// A package changed in the outbox: one byte flipped in the attachment,
	// or in the hash as well (it still does not verify).
	if err := os.RemoveAll(cache); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(pkgBytes)
	i := bytes.LastIndex(bad, []byte("</"))
	bad[i-10] ^= 1
	if err := os.WriteFile(pkg, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if p, err := ca.DocumentFile(ctx, ref); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("tampered package: %q %v", p, err)
	}
	if left := allFiles(t, cache); len(left) != 0 {
		t.Fatalf("a failed extraction left %v", left)
	}
	// The package removed: not on this machine.
	if err := os.Remove(pkg); err != nil {
		t.Fatal(err)
	}
	if p, err := ca.DocumentFile(ctx, ref); !errors.Is(err, client.ErrNoFile) {
		t.Fatalf("missing package: %q %v", p, err)
	}

	// Received: the inbox's copy, checked against a hash when given.
	syncInbox(t, cb)
	in := client.DocumentRef{DocumentID: d.DocumentID, Received: true, From: codeA}
	p, err := cb.DocumentFile(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(b.DataDir, "inbox")
	if got, _ := os.ReadFile(p); !bytes.Equal(got, want) || !strings.HasPrefix(p, inbox) {
		t.Fatalf("received copy %s", p)
	}
	in.SHA256 = sha256hex([]byte("x"))
	if _, err := cb.DocumentFile(ctx, in); !errors.Is(err, client.ErrTampered) {
		t.Fatalf("received copy with another hash: %v", err)
	}
	for name, r := range map[string]client.DocumentRef{
		"another sender": {DocumentID: d.DocumentID, Received: true, From: codeB},
		"not received":   {DocumentID: d.DocumentID},
		"sent by B?":     {DocumentID: docID(2), Received: true},
	} {
		if p, err := cb.DocumentFile(ctx, r); !errors.Is(err, client.ErrNoFile) {
			t.Errorf("%s: %q %v, want ErrNoFile", name, p, err)
		}
	}
}

// allFiles lists every file under dir (none when it does not exist).
func allFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}
