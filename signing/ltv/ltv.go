// Package ltv gathers the validation data of PAdES B-LT (certificates,
// OCSP responses and CRLs for the signer's chain and the time-stamping
// authority, issuers fetched through AIA when needed) and writes it as a
// /DSS incremental update with /VRI entries.
package ltv

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/vanthu/vanthu/signing/internal/fetch"
	"github.com/vanthu/vanthu/signing/pdf"
)

// Data is what a /DSS revision embeds (DER certificates, OCSP responses
// and CRLs, without duplicates).
type Data struct {
	Certs [][]byte
	OCSPs [][]byte
	CRLs  [][]byte
}

func addUnique(list [][]byte, b []byte) [][]byte {
	for _, e := range list {
		if bytes.Equal(e, b) {
			return list
		}
	}
	return append(list, b)
}

// Merge adds what o holds and v lacks.
func (v *Data) Merge(o *Data) {
	for _, c := range o.Certs {
		v.Certs = addUnique(v.Certs, c)
	}
	for _, c := range o.OCSPs {
		v.OCSPs = addUnique(v.OCSPs, c)
	}
	for _, c := range o.CRLs {
		v.CRLs = addUnique(v.CRLs, c)
	}
}

// Collector fetches revocation data and issuers over HTTP.
type Collector struct {
	HTTP *fetch.Client
}

// NewCollector returns a collector; a nil c is http.DefaultClient and a
// timeout <= 0 is 30 s per request.
func NewCollector(c *http.Client, timeout time.Duration) *Collector {
	return &Collector{HTTP: fetch.New(c, timeout)}
}

func isSelfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// findIssuer looks for c's issuer among pool.
func findIssuer(c *x509.Certificate, pool []*x509.Certificate) *x509.Certificate {
	for _, p := range pool {
		if bytes.Equal(p.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(p) == nil {
			return p
		}
	}
	return nil
}

// Collect gathers certificates and OCSP or CRL data for every non-root
// certificate of chain (issuers are looked up in pool too). It fails when
// any certificate has neither an OCSP answer nor a CRL.
func (f *Collector) Collect(ctx context.Context, chain, pool []*x509.Certificate, now time.Time) (*Data, error) {
	all := append(append([]*x509.Certificate(nil), chain...), pool...)
	v := &Data{}
	todo := append([]*x509.Certificate(nil), chain...)
	done := map[string]bool{}
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		if done[string(c.Raw)] {
			continue
		}
		done[string(c.Raw)] = true
		v.Certs = addUnique(v.Certs, c.Raw)
		if isSelfSigned(c) {
			continue
		}
		issuer := findIssuer(c, all)
		if issuer == nil {
			// Not on the token or in the time-stamp: ask the CA (AIA).
			for _, url := range c.IssuingCertificateURL {
				if ic := f.fetchIssuer(ctx, url, c); ic != nil {
					issuer = ic
					all = append(all, ic)
					break
				}
			}
		}
		if issuer == nil {
			return nil, fmt.Errorf("%w: the issuer of %q is not known", ErrUnavailable, c.Subject.CommonName)
		}
		todo = append(todo, issuer)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var errs []string
		got := false
		for _, url := range c.OCSPServer {
			resp, extra, err := f.fetchOCSP(ctx, url, c, issuer)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			v.OCSPs = addUnique(v.OCSPs, resp)
			for _, e := range extra {
				v.Certs = addUnique(v.Certs, e.Raw)
			}
			got = true
			break
		}
		if !got {
			for _, url := range c.CRLDistributionPoints {
				crl, err := f.fetchCRL(ctx, url, c, issuer, now)
				if err != nil {
					errs = append(errs, err.Error())
					continue
				}
				v.CRLs = addUnique(v.CRLs, crl)
				got = true
				break
			}
		}
		if !got {
			if len(errs) == 0 {
				errs = append(errs, "the certificate names no OCSP responder or CRL")
			}
			return nil, fmt.Errorf("%w for %q: %s", ErrUnavailable, c.Subject.CommonName, strings.Join(errs, "; "))
		}
	}
	return v, nil
}

func (f *Collector) fetchOCSP(ctx context.Context, url string, c, issuer *x509.Certificate) ([]byte, []*x509.Certificate, error) {
	req, err := ocsp.CreateRequest(c, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, nil, err
	}
	body, err := f.HTTP.Do(ctx, http.MethodPost, url, "application/ocsp-request", req)
	if err != nil {
		return nil, nil, err
	}
	resp, err := ocsp.ParseResponseForCert(body, c, issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("bad OCSP response from %s: %v", url, err)
	}
	switch resp.Status {
	case ocsp.Good:
	case ocsp.Revoked:
		return nil, nil, fmt.Errorf("%w: %q (OCSP, %s)", ErrRevoked, c.Subject.CommonName, resp.RevokedAt.UTC().Format(time.RFC3339))
	default:
		return nil, nil, fmt.Errorf("OCSP status unknown for %q", c.Subject.CommonName)
	}
	var extra []*x509.Certificate
	if resp.Certificate != nil {
		extra = append(extra, resp.Certificate)
	}
	return body, extra, nil
}

func (f *Collector) fetchCRL(ctx context.Context, url string, c, issuer *x509.Certificate, now time.Time) ([]byte, error) {
	body, err := f.HTTP.Do(ctx, http.MethodGet, url, "", nil)
	if err != nil {
		return nil, err
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return nil, fmt.Errorf("bad CRL from %s: %v", url, err)
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("CRL from %s is not signed by the issuer: %v", url, err)
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			return nil, fmt.Errorf("%w: %q (CRL)", ErrRevoked, c.Subject.CommonName)
		}
	}
	return body, nil
}

// AppendDSS builds an incremental update adding vd to the catalog's /DSS
// (merging with an existing one). vriKeys, if any, get /VRI entries.
func AppendDSS(f *pdf.View, vd *Data, vriKeys []string) (*pdf.Built, error) {
	cat, catRef, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	u := pdf.NewUpdate(f)
	dss := pdf.Dict{}
	var dssRef pdf.Ref
	if old, ok := cat["DSS"]; ok {
		d, err := f.ResolveDict(old)
		if err != nil {
			return nil, err
		}
		if d != nil {
			dss = d.Clone()
		}
		if r, ok := old.(pdf.Ref); ok {
			dssRef = r
		}
	}
	if dssRef.IsZero() {
		dssRef = u.Alloc()
		cat = cat.Clone()
		cat["DSS"] = dssRef
		u.Set(catRef, cat)
	}
	addStreams := func(key pdf.Name, items [][]byte) (pdf.Array, error) {
		var arr pdf.Array
		if o, err := f.Resolve(dss[key]); err == nil {
			if a, ok := o.(pdf.Array); ok {
				arr = append(arr, a...)
			}
		} else {
			return nil, err
		}
		var refs pdf.Array
		for _, it := range items {
			r := u.Alloc()
			u.Set(r, &pdf.Stream{Dict: pdf.Dict{}, Data: it, Offset: -1})
			refs = append(refs, r)
		}
		if len(arr)+len(refs) > 0 {
			dss[key] = append(arr, refs...)
		}
		return refs, nil
	}
	certRefs, err := addStreams("Certs", vd.Certs)
	if err != nil {
		return nil, err
	}
	ocspRefs, err := addStreams("OCSPs", vd.OCSPs)
	if err != nil {
		return nil, err
	}
	crlRefs, err := addStreams("CRLs", vd.CRLs)
	if err != nil {
		return nil, err
	}
	if len(vriKeys) > 0 {
		vri := pdf.Dict{}
		if o, err := f.ResolveDict(dss["VRI"]); err == nil && o != nil {
			vri = o.Clone()
		}
		for _, k := range vriKeys {
			e := pdf.Dict{}
			if len(certRefs) > 0 {
				e["Cert"] = certRefs
			}
			if len(ocspRefs) > 0 {
				e["OCSP"] = ocspRefs
			}
			if len(crlRefs) > 0 {
				e["CRL"] = crlRefs
			}
			vri[pdf.Name(k)] = e
		}
		dss["VRI"] = vri
	}
	dss["Type"] = pdf.Name("DSS")
	u.Set(dssRef, dss)
	return u.Build()
}

// fetchIssuer downloads c's issuer certificate from an AIA caIssuers URL
// (DER, PEM or a PKCS#7 bundle is not supported); nil if it fails.
func (f *Collector) fetchIssuer(ctx context.Context, url string, c *x509.Certificate) *x509.Certificate {
	body, err := f.HTTP.Do(ctx, http.MethodGet, url, "", nil)
	if err != nil {
		return nil
	}
	if blk, _ := pem.Decode(body); blk != nil {
		body = blk.Bytes
	}
	ic, err := x509.ParseCertificate(body)
	if err != nil || c.CheckSignatureFrom(ic) != nil {
		return nil
	}
	return ic
}
