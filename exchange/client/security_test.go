package client_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
)

// rawClient is an HTTPS client with cert (none when nil) trusting the hub.
func rawClient(h *exchangetest.Hub, cert *tls.Certificate) *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(h.Dir.CA.Cert)
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

func tlsCert(t *testing.T, a *exchangetest.Agency) *tls.Certificate {
	cert, _, err := client.LoadTLS(a.ConfigDir)
	if err != nil {
		t.Fatal(err)
	}
	return &cert
}

func httpStatus(t *testing.T, hc *http.Client, method, url string, body []byte, hdr map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// B's certificate cannot list or fetch C's inbox, acknowledge C's
// deliveries, read A's document history or send as A.
func TestSecurityAgencyIsolation(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b, c := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B"), env.AddAgency(t, h, codeC, "Sở C")
	ca := env.Client(t, a)
	ctx := context.Background()
	if _, err := ca.QueueDocuments(ctx, sameFileDocs(t, env, 1), []wire.Organization{{Code: codeC}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, ca)
	items, err := transport(t, c, h.URL).Inbox(ctx, 0, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("C's inbox: %v %+v", err, items)
	}
	id := items[0].DeliveryID
	hb := rawClient(h, tlsCert(t, b))
	for _, tc := range []struct {
		name, method, path string
		body               []byte
	}{
		{"list C's inbox", "GET", wire.PathInbox + "?agency=" + codeC, nil},
		{"fetch C's delivery", "GET", fmt.Sprintf("%s%d/package", wire.PathDelivery, id), nil},
		{"acknowledge C's delivery", "POST", fmt.Sprintf("%s%d/ack", wire.PathDelivery, id), nil},
		{"acknowledge in bulk", "POST", wire.PathAck, []byte(fmt.Sprintf(`{"delivery_ids":[%d]}`, id))},
		{"read A's history", "GET", wire.PathDocStatus + "?doc=" + strings.ReplaceAll(docID(1), "/", "%2F") + "&sender=" + codeA, nil},
	} {
		if got := httpStatus(t, hb, tc.method, h.URL+tc.path, tc.body, nil); got != http.StatusForbidden {
			t.Errorf("B could %s: HTTP %d, want 403", tc.name, got)
		}
	}
	// A package from A, signed with A's key, posted over B's connection.
	var buf bytes.Buffer
	if _, err := env.Codec.WriteDocument(ctx, &buf, wire.Document{From: wire.Organization{Code: codeA}, To: []wire.Organization{{Code: codeC}},
		DocumentID: docID(99), Subject: "x"}, a.Signer.Key, a.Signer.Chain); err != nil {
		t.Fatal(err)
	}
	if got := httpStatus(t, hb, "POST", h.URL+wire.PathMessages, buf.Bytes(), map[string]string{wire.HeaderMessageID: "x"}); got != http.StatusForbidden {
		t.Errorf("B sent as A: HTTP %d, want 403", got)
	}
	// C still holds its delivery, untouched.
	if items, _ := transport(t, c, h.URL).Inbox(ctx, 0, 0); len(items) != 1 || items[0].Fetched {
		t.Fatalf("C's delivery after B's attempts: %+v", items)
	}
}

// A client with no, an unknown, an expired, an unrecorded or a revoked
// certificate is refused in the TLS handshake.
func TestSecurityTLSRefusals(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	b := env.AddAgency(t, h, codeB, "Sở B")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: codeB}}, key)

	other, _ := hub.NewCA("Trục giả", time.Now())
	unknown, _ := other.IssueClient(csr, codeB, "Sở B", time.Now(), time.Hour)
	expired, _ := h.Dir.CA.IssueClient(csr, codeB, "Sở B", time.Now().Add(-48*time.Hour), time.Hour)
	unrecorded, _ := h.Dir.CA.IssueClient(csr, codeB, "Sở B", time.Now(), time.Hour)

	good := tlsCert(t, b)
	open := rawClient(h, good)
	open.Transport.(*http.Transport).DisableKeepAlives = false // keeps its connection
	if got := httpStatus(t, open, "GET", h.URL+wire.PathHealth, nil, nil); got != http.StatusOK {
		t.Fatalf("the enrolled certificate is refused: %d", got)
	}
	cases := map[string]*tls.Certificate{
		"no certificate": nil,
		"unknown CA":     {Certificate: [][]byte{unknown.Raw}, PrivateKey: key},
		"expired":        {Certificate: [][]byte{expired.Raw}, PrivateKey: key},
		"unrecorded":     {Certificate: [][]byte{unrecorded.Raw}, PrivateKey: key},
	}
	for name, cert := range cases {
		if err := handshakeRefused(h, cert); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := h.Hub.RevokeCertificate(context.Background(), "admin:test", hub.SerialHex(b.Cert), "máy bị mất"); err != nil {
		t.Fatal(err)
	}
	if err := handshakeRefused(h, good); err != nil {
		t.Errorf("revoked: %v", err)
	}
	// A connection opened before the revocation is refused from its next
	// request on.
	if got := httpStatus(t, open, "GET", h.URL+wire.PathHealth, nil, nil); got != http.StatusUnauthorized {
		t.Errorf("revoked, on a connection opened before: %d", got)
	}
}

// handshakeRefused checks that a TLS 1.3 connection with cert fails: in
// TLS 1.3 the server's verdict on the client certificate arrives as an
// alert on the first read.
func handshakeRefused(h *exchangetest.Hub, cert *tls.Certificate) error {
	pool := x509.NewCertPool()
	pool.AddCert(h.Dir.CA.Cert)
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}
	if cert != nil {
		// Present the certificate whatever CAs the server names, so the
		// server's own verification is what refuses it.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	conn, err := tls.Dial("tcp", h.Addr, cfg)
	if err != nil {
		return nil
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", wire.PathHealth)
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err == nil {
		return fmt.Errorf("connection accepted, server said %q", buf[:n])
	}
	if strings.Contains(err.Error(), "remote error: tls: ") {
		return nil // the server's alert
	}
	return fmt.Errorf("no TLS alert but %v", err)
}

// A package changed at the hub — one byte of the attachment or of the
// envelope, with or without the listed hash made to match — is refused on
// arrival: kept as rejected with the reason, never offered for acceptance.
func TestSecurityTamperedOnArrival(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{})
	a, b := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B")
	ca, cb := env.Client(t, a), env.Client(t, b)
	ctx := context.Background()
	if _, err := ca.QueueDocuments(ctx, sameFileDocs(t, env, 3), []wire.Organization{{Code: codeB}}, a.Signer, nil); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, ca)
	type msg struct {
		id   int64
		sha  string
		data []byte
	}
	rows, err := h.DB.Query(ctx, `SELECT m.id, m.sha256, c.data FROM message m JOIN blob_chunk c ON c.sha256 = m.sha256 ORDER BY m.id`)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []msg
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.id, &m.sha, &m.data); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if len(msgs) != 3 {
		t.Fatalf("%d stored packages", len(msgs))
	}
	tamper := func(m msg, at int, fixHash bool) {
		data := bytes.Clone(m.data)
		if data[at] == 'A' {
			data[at] = 'B'
		} else {
			data[at] = 'A'
		}
		if !fixHash {
			if _, err := h.DB.Exec(ctx, "UPDATE blob_chunk SET data = ? WHERE sha256 = ?", data, m.sha); err != nil {
				t.Fatal(err)
			}
			return
		}
		sum := sha256.Sum256(data)
		newSHA := hex.EncodeToString(sum[:])
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO blob (sha256, size, created_at) VALUES (?, ?, 0)", []any{newSHA, len(data)}},
			{"INSERT INTO blob_chunk (sha256, seq, data) VALUES (?, 0, ?)", []any{newSHA, data}},
			{"UPDATE message SET sha256 = ? WHERE id = ?", []any{newSHA, m.id}},
		} {
			if _, err := h.DB.Exec(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
	}
	// One byte in the middle of the attachment's base64, swapped for another
	// base64 letter; one byte of the signed envelope (the document number).
	inAttachment := func(data []byte) int {
		start := bytes.Index(data, []byte("ContentTransferEncoded xmlns")) + 100
		end := bytes.LastIndex(data, []byte("</edXML:ContentTransferEncoded>"))
		if start < 100 || end <= start {
			t.Fatal("no attachment content found")
		}
		return (start + end) / 2
	}
	tamper(msgs[0], inAttachment(msgs[0].data), false)                  // attachment, hash left as listed
	tamper(msgs[1], bytes.Index(msgs[1].data, []byte("UBND-VP")), true) // envelope, listed hash made to match
	tamper(msgs[2], inAttachment(msgs[2].data), true)                   // attachment, listed hash made to match
	sum, err := cb.Sync(ctx, client.SyncOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rejected != 3 || sum.Documents != 0 {
		t.Fatalf("sync: %+v, want 3 rejected", sum)
	}
	in, _ := cb.Inbox(ctx, false)
	for _, d := range in {
		if d.State != client.InboxRejected || d.Verdict.Status != client.VerdictBadPackage || len(d.Files) != 0 {
			t.Fatalf("tampered package kept as %+v", d)
		}
		if _, err := cb.Receive(ctx, d.ID, client.Answer{Accept: true}, b.Signer); !errors.Is(err, client.ErrState) {
			t.Fatalf("accepting a rejected package: %v", err)
		}
	}
}

// Limits answer with clear errors: a package over the size limit is 413
// (too_large), an agency over its requests a minute is 429 with
// Retry-After, and the client maps both to its errors.
func TestLimitsOverHTTP(t *testing.T) {
	env := exchangetest.Shared(t)
	h := env.NewHub(t, "", hub.Limits{MaxPackageSize: 64 << 10, RequestsPerMinute: 8})
	a, _ := env.AddAgency(t, h, codeA, "Sở A"), env.AddAgency(t, h, codeB, "Sở B")
	ctx := context.Background()
	ta := transport(t, a, h.URL)
	big := bytes.Repeat([]byte{'x'}, 100<<10)
	var buf bytes.Buffer
	if _, err := env.Codec.WriteDocument(ctx, &buf, wire.Document{From: wire.Organization{Code: codeA}, To: []wire.Organization{{Code: codeB}},
		DocumentID: docID(1), Subject: "x", Files: []wire.File{{Name: "a.pdf", Size: int64(len(big)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(big)), nil }}}}, a.Signer.Key, a.Signer.Chain); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	_, err := ta.Send(ctx, client.OutgoingPackage{ClientID: "big", Kind: wire.KindDocument, Size: int64(len(raw)), SHA256: sha256hex(raw),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }})
	var he *client.HubError
	if !errors.Is(err, client.ErrTooLarge) || !errors.As(err, &he) || he.Status != http.StatusRequestEntityTooLarge || client.Temporary(err) {
		t.Fatalf("oversized package: %v", err)
	}
	hc := rawClient(h, tlsCert(t, a))
	var last *http.Response
	for i := 0; i < 10; i++ {
		resp, err := hc.Get(h.URL + wire.PathDirectory)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("after 10 requests with a limit of 8 a minute: HTTP %d, Retry-After %q", last.StatusCode, last.Header.Get("Retry-After"))
	}
	if _, err := ta.Directory(ctx); !errors.Is(err, client.ErrRateLimited) || !client.Temporary(err) {
		t.Fatalf("client error for the rate limit: %v", err)
	}
}
