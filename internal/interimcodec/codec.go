// Package interimcodec is a stand-in for exchange/edxml behind the
// wire.Codec interface while the edXML package is being written: a signed
// container (a JSON header with the routing facts, the attachments' SHA-256
// and an ECDSA/RSA signature over the header, then the attachments' bytes).
// It is NOT edXML and must not reach users: the hub and client tests use it
// so that storage, routing, TLS and the outbox can be tested end to end
// today, and exchange/edxml replaces it in the product.
package interimcodec

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/vanthu/vanthu/exchange/wire"
)

const magic = "VANTHU-INTERIM/1\n"

const maxHeader = 1 << 20

// ErrBad is returned for a package that is malformed, changed or signed
// by an untrusted key.
var ErrBad = errors.New("interimcodec: package refused")

// Codec implements wire.Codec.
type Codec struct {
	// Trust, if set, checks the signer's chain (leaf first).
	Trust func(chain []*x509.Certificate) error
}

var _ wire.Codec = (*Codec)(nil)

type fileRef struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

type header struct {
	Route    wire.Route     `json:"route"`
	Document *wire.Document `json:"document,omitempty"`
	Status   *wire.Status   `json:"status,omitempty"`
	Files    []fileRef      `json:"files"`
	Chain    [][]byte       `json:"chain"`
	Sig      []byte         `json:"sig,omitempty"`
}

func (c *Codec) WriteDocument(ctx context.Context, w io.Writer, doc wire.Document, signer crypto.Signer, chain []*x509.Certificate) (wire.Route, error) {
	r := wire.Route{Kind: wire.KindDocument, From: doc.From.Code, DocumentID: doc.DocumentID,
		BusinessType: doc.BusinessType, Subject: doc.Subject}
	for _, to := range doc.To {
		r.To = append(r.To, to.Code)
	}
	h := header{Route: r}
	meta := doc
	meta.Files = nil
	h.Document = &meta
	for _, f := range doc.Files {
		ref, err := digest(f)
		if err != nil {
			return r, err
		}
		h.Files = append(h.Files, ref)
	}
	if err := writeSigned(w, &h, signer, chain); err != nil {
		return r, err
	}
	for i, f := range doc.Files {
		if err := copyFile(ctx, w, f, h.Files[i]); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (c *Codec) WriteStatus(ctx context.Context, w io.Writer, st wire.Status, signer crypto.Signer, chain []*x509.Certificate) (wire.Route, error) {
	r := wire.Route{Kind: wire.KindStatus, From: st.From.Code, To: []string{st.To.Code}, DocumentID: st.DocumentID,
		StatusCode: st.Code, Description: st.Description}
	s := st
	if s.At.IsZero() {
		s.At = time.Now()
	}
	return r, writeSigned(w, &header{Route: r, Status: &s}, signer, chain)
}

func digest(f wire.File) (fileRef, error) {
	rc, err := f.Open()
	if err != nil {
		return fileRef{}, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fileRef{}, err
	}
	return fileRef{Name: f.Name, Type: f.ContentType, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func copyFile(ctx context.Context, w io.Writer, f wire.File, ref fileRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), rc)
	if err != nil {
		return err
	}
	if n != ref.Size || hex.EncodeToString(h.Sum(nil)) != ref.SHA256 {
		return fmt.Errorf("interimcodec: %s changed while it was packed", f.Name)
	}
	return nil
}

func signedBytes(h *header) ([]byte, error) {
	c := *h
	c.Sig = nil
	return json.Marshal(&c)
}

func writeSigned(w io.Writer, h *header, signer crypto.Signer, chain []*x509.Certificate) error {
	if signer == nil || len(chain) == 0 {
		return errors.New("interimcodec: a signer and its certificate are needed")
	}
	for _, c := range chain {
		h.Chain = append(h.Chain, c.Raw)
	}
	tbs, err := signedBytes(h)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(tbs)
	if h.Sig, err = signer.Sign(rand.Reader, sum[:], crypto.SHA256); err != nil {
		return fmt.Errorf("interimcodec: failed to sign: %w", err)
	}
	raw, err := json.Marshal(h)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%d\n%s", magic, len(raw), raw)
	return err
}

// readHeader reads and verifies the header; it returns the header and the
// offset of the first attachment byte.
func (c *Codec) readHeader(r io.ReaderAt, size int64) (*header, int64, error) {
	br := bufio.NewReader(io.NewSectionReader(r, 0, size))
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(br, m); err != nil || string(m) != magic {
		return nil, 0, fmt.Errorf("%w: not a package", ErrBad)
	}
	line, err := br.ReadString('\n')
	if err != nil || len(line) > 10 {
		return nil, 0, fmt.Errorf("%w: bad header length", ErrBad)
	}
	n, err := strconv.Atoi(line[:len(line)-1])
	if err != nil || n <= 0 || n > maxHeader {
		return nil, 0, fmt.Errorf("%w: bad header length", ErrBad)
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, 0, fmt.Errorf("%w: truncated header", ErrBad)
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, 0, fmt.Errorf("%w: header: %v", ErrBad, err)
	}
	if err := c.verify(&h); err != nil {
		return nil, 0, err
	}
	off := int64(len(magic) + len(line) + n)
	var total int64
	for _, f := range h.Files {
		if f.Size < 0 {
			return nil, 0, fmt.Errorf("%w: negative size", ErrBad)
		}
		total += f.Size
	}
	if off+total != size {
		return nil, 0, fmt.Errorf("%w: %d bytes of attachments, header says %d", ErrBad, size-off, total)
	}
	return &h, off, nil
}

func (c *Codec) verify(h *header) error {
	if len(h.Chain) == 0 || len(h.Sig) == 0 {
		return fmt.Errorf("%w: not signed", ErrBad)
	}
	var chain []*x509.Certificate
	for _, der := range h.Chain {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Errorf("%w: signer certificate: %v", ErrBad, err)
		}
		chain = append(chain, cert)
	}
	tbs, err := signedBytes(h)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(tbs)
	switch pub := chain[0].PublicKey.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, sum[:], h.Sig) {
			return fmt.Errorf("%w: signature does not match", ErrBad)
		}
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], h.Sig); err != nil {
			return fmt.Errorf("%w: signature does not match", ErrBad)
		}
	default:
		return fmt.Errorf("%w: key type %T", ErrBad, pub)
	}
	if c.Trust != nil {
		if err := c.Trust(chain); err != nil {
			return fmt.Errorf("%w: signer not trusted: %v", ErrBad, err)
		}
	}
	h.Route.Signer = chain[0]
	return nil
}

func (c *Codec) Inspect(ctx context.Context, r io.ReaderAt, size int64) (*wire.Route, error) {
	in, err := c.Read(ctx, r, size, nil)
	if err != nil {
		return nil, err
	}
	return &in.Route, nil
}

func (c *Codec) Read(ctx context.Context, r io.ReaderAt, size int64, sink wire.Sink) (*wire.Incoming, error) {
	h, off, err := c.readHeader(r, size)
	if err != nil {
		return nil, err
	}
	for _, f := range h.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var w io.Writer = io.Discard
		var wc io.WriteCloser
		if sink != nil {
			if wc, err = sink(f.Name, f.Type); err != nil {
				return nil, err
			}
			w = wc
		}
		hash := sha256.New()
		_, err := io.Copy(io.MultiWriter(w, hash), io.NewSectionReader(r, off, f.Size))
		if wc != nil {
			if cerr := wc.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, err
		}
		if hex.EncodeToString(hash.Sum(nil)) != f.SHA256 {
			return nil, fmt.Errorf("%w: attachment %s changed", ErrBad, f.Name)
		}
		off += f.Size
	}
	in := &wire.Incoming{Route: h.Route, Document: h.Document, Status: h.Status}
	if in.Document != nil {
		for _, f := range h.Files {
			in.Document.Files = append(in.Document.Files, wire.File{Name: f.Name, ContentType: f.Type, Size: f.Size})
		}
	}
	return in, nil
}
