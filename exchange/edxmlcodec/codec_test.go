package edxmlcodec_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/edxml"
	"github.com/vanthu/vanthu/exchange/edxmlcodec"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/testpki"
	"github.com/vanthu/vanthu/signing/trust"
)

const docID = "H29.01,2026/03/10,12/UBND-VP"

// A document and its statuses written by the codec read back, verified,
// with the routing the hub needs and every value the client shows.
func TestRoundTrip(t *testing.T) {
	env := exchangetest.Shared(t)
	org, err := env.PKI.Issue(testpki.Spec{CommonName: "Sở Nội vụ", Organization: "Sở Nội vụ", Organisation: true, Key: testpki.ECP256, KeyID: "codec-a"})
	if err != nil {
		t.Fatal(err)
	}
	c := &edxmlcodec.Codec{Trust: env.Trust}
	ctx := context.Background()
	pdf := exchangetest.PaddedPDF(40 << 10)
	var buf bytes.Buffer
	r, err := c.WriteDocument(ctx, &buf, wire.Document{
		From: wire.Organization{Code: "H29.01", Name: "Sở Nội vụ"}, To: []wire.Organization{{Code: "H41"}, {Code: "000.00.00.G22"}},
		DocumentID: docID, Number: "12", Notation: "UBND-VP", Date: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC),
		Type: "Công văn", Subject: "Về việc thử", Priority: 1,
		Files: []wire.File{{Name: "vb.pdf", ContentType: "application/pdf", Size: int64(len(pdf)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pdf)), nil }}},
	}, org.Key, org.ChainWithLeaf())
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != wire.KindDocument || r.From != "H29.01" || len(r.To) != 2 || r.DocumentID != docID {
		t.Fatalf("route %+v", r)
	}
	var got bytes.Buffer
	in, err := c.Read(ctx, bytes.NewReader(buf.Bytes()), int64(buf.Len()), func(name, _ string) (io.WriteCloser, error) {
		return nopCloser{&got}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), pdf) || in.Document.Subject != "Về việc thử" || in.Document.Priority != 1 ||
		in.Document.Files[0].Name != "vb.pdf" || in.Signer == nil || in.Route.To[1] != "000.00.00.G22" {
		t.Fatalf("read back %+v", in.Document)
	}
	// A status answers the document: addressed to its sender.
	buf.Reset()
	if _, err := c.WriteStatus(ctx, &buf, wire.Status{From: wire.Organization{Code: "H41", Name: "Sở Nội vụ"}, To: wire.Organization{Code: "H29.01"},
		DocumentID: docID, Code: wire.StatusRefused, Description: "Sai thẩm quyền"}, org.Key, org.ChainWithLeaf()); err != nil {
		t.Fatal(err)
	}
	rt, err := c.Inspect(ctx, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || rt.Kind != wire.KindStatus || rt.To[0] != "H29.01" || rt.StatusCode != "02" || rt.Description != "Sai thẩm quyền" {
		t.Fatalf("status route %+v %v", rt, err)
	}
	// A refusal without a reason is not written.
	if _, err := c.WriteStatus(ctx, io.Discard, wire.Status{From: wire.Organization{Code: "H41"}, To: wire.Organization{Code: "H29.01"},
		DocumentID: docID, Code: wire.StatusRefused}, org.Key, org.ChainWithLeaf()); err == nil {
		t.Fatal("refusal without a reason written")
	}
}

// The hub's status signer is accepted through HubTrust for status 01 only;
// an untrusted signer is refused.
func TestHubStatusSigner(t *testing.T) {
	env := exchangetest.Shared(t)
	d := env.InitDir(t, "", hub.Limits{})
	hubs := trust.New()
	hubs.Add(d.CA.Cert, trust.RoleAnchor, "hub")
	c := &edxmlcodec.Codec{Trust: env.Trust, HubTrust: hubs}
	plain := &edxmlcodec.Codec{Trust: env.Trust}
	ctx := context.Background()
	for _, code := range []string{wire.StatusArrived, wire.StatusAccepted} {
		var buf bytes.Buffer
		if _, err := c.WriteStatus(ctx, &buf, wire.Status{From: wire.Organization{Code: "H41"}, To: wire.Organization{Code: "H29.01"},
			DocumentID: docID, Code: code, Description: "x"}, d.Signer, d.SignerChain); err != nil {
			t.Fatal(err)
		}
		_, err := c.Inspect(ctx, bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if code == wire.StatusArrived && err != nil {
			t.Fatalf("hub's 01 refused: %v", err)
		}
		if code != wire.StatusArrived && !errors.Is(err, edxml.ErrSignerUntrusted) {
			t.Fatalf("hub key accepted for %s: %v", code, err)
		}
		if _, err := plain.Inspect(ctx, bytes.NewReader(buf.Bytes()), int64(buf.Len())); !errors.Is(err, edxml.ErrSignerUntrusted) {
			t.Fatalf("without HubTrust %s: %v", code, err)
		}
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
