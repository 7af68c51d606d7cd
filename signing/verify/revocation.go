package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/vanthu/vanthu/signing/pdf"
	"github.com/vanthu/vanthu/signing/verify/internal/cms"
)

const (
	maxDSSItems   = 1000
	maxFetchBytes = 16 << 20
)

// dssData is the document security store of the final revision.
type dssData struct {
	certs []*x509.Certificate
	ocsps [][]byte
	crls  [][]byte
}

func (d *dssData) hasRevocation() bool { return len(d.ocsps) > 0 || len(d.crls) > 0 }

func loadDSS(v *pdf.View) *dssData {
	d := &dssData{}
	root := v.Root()
	dss := v.Dict(root.Get("DSS"))
	if dss == nil {
		return d
	}
	read := func(key string) [][]byte {
		var out [][]byte
		for i, x := range v.Array(dss.Get(key)) {
			if i >= maxDSSItems {
				break
			}
			st, ok := mustResolve(v, x).(*pdf.Stream)
			if !ok {
				continue
			}
			b, err := v.Decode(st)
			if err == nil {
				out = append(out, b)
			}
		}
		return out
	}
	for _, b := range read("Certs") {
		if c, err := x509.ParseCertificate(b); err == nil {
			d.certs = append(d.certs, c)
		}
	}
	d.ocsps = read("OCSPs")
	d.crls = read("CRLs")
	return d
}

func (v *verifier) dssRevBefore(rev int) bool {
	info := v.info(rev)
	if info == nil {
		return false
	}
	root := info.v.Root()
	dss := info.v.Dict(root.Get("DSS"))
	return dss != nil && (len(info.v.Array(dss.Get("OCSPs"))) > 0 || len(info.v.Array(dss.Get("CRLs"))) > 0)
}

// revocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRLs OPTIONAL,
// ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, otherRevInfo [2] … }
type adbeRevInfo struct {
	CRL   []asn1.RawValue `asn1:"explicit,optional,tag:0"`
	OCSP  []asn1.RawValue `asn1:"explicit,optional,tag:1"`
	Other asn1.RawValue   `asn1:"explicit,optional,tag:2"`
}

type revResult struct {
	status    string
	source    string
	revokedAt time.Time
}

// revocationFor checks every non-anchor certificate of chain.
func (v *verifier) revocationFor(chain []*x509.Certificate, p7 *cms.SignedData, si *cms.SignerInfo) revResult {
	ocsps := append([][]byte{}, v.dss.ocsps...)
	crls := append([][]byte{}, v.dss.crls...)
	crls = append(crls, p7.CRLs...)
	ocsps = append(ocsps, p7.OtherRevoc...)
	if a, n := cms.Attr(si.SignedAttrs, cms.OIDAdbeRevocationInfo); n > 0 {
		var ri adbeRevInfo
		if _, err := asn1.Unmarshal(a.FullBytes, &ri); err == nil {
			for _, c := range ri.CRL {
				crls = append(crls, c.FullBytes)
			}
			for _, o := range ri.OCSP {
				ocsps = append(ocsps, o.FullBytes)
			}
		}
	}
	res := revResult{status: RevGood, source: RevSrcEmbedded}
	anyChecked := false
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		r := checkOne(cert, issuer, ocsps, crls)
		if r.status == RevUnknown && v.opts.Online {
			r = v.checkOnline(cert, issuer)
		}
		if r.status == RevNotRequired {
			continue
		}
		anyChecked = true
		switch r.status {
		case RevRevoked:
			return r
		case RevUnknown:
			res.status = RevUnknown
		}
		if r.source == RevSrcOnline && res.status != RevUnknown {
			res.source = RevSrcOnline
		}
	}
	if !anyChecked {
		return revResult{status: RevNotRequired}
	}
	if res.status == RevUnknown {
		res.source = RevSrcNone
	}
	return res
}

func checkOne(cert, issuer *x509.Certificate, ocsps, crls [][]byte) revResult {
	if len(cert.OCSPServer) == 0 && len(cert.CRLDistributionPoints) == 0 {
		return revResult{status: RevNotRequired}
	}
	for _, raw := range ocsps {
		resp, err := ocsp.ParseResponseForCert(raw, cert, issuer)
		if err != nil || resp == nil || resp.SerialNumber == nil || resp.SerialNumber.Cmp(cert.SerialNumber) != 0 {
			continue
		}
		switch resp.Status {
		case ocsp.Good:
			return revResult{status: RevGood, source: RevSrcEmbedded}
		case ocsp.Revoked:
			return revResult{status: RevRevoked, source: RevSrcEmbedded, revokedAt: resp.RevokedAt}
		}
	}
	for _, raw := range crls {
		if r, ok := checkCRL(raw, cert, issuer); ok {
			r.source = RevSrcEmbedded
			return r
		}
	}
	return revResult{status: RevUnknown}
}

func checkCRL(raw []byte, cert, issuer *x509.Certificate) (revResult, bool) {
	crl, err := x509.ParseRevocationList(raw)
	if err != nil || !bytes.Equal(crl.RawIssuer, cert.RawIssuer) || crl.CheckSignatureFrom(issuer) != nil {
		return revResult{}, false
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return revResult{status: RevRevoked, revokedAt: e.RevocationTime}, true
		}
	}
	return revResult{status: RevGood}, true
}

func fetchTimeout(o Options) time.Duration {
	if o.FetchTimeout > 0 {
		return o.FetchTimeout
	}
	return 10 * time.Second
}

func (v *verifier) client() *http.Client {
	if v.opts.HTTPClient != nil {
		return v.opts.HTTPClient
	}
	return &http.Client{Timeout: fetchTimeout(v.opts)}
}

func (v *verifier) fetch(method, url string, body []byte, ctype string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(v.ctx, fetchTimeout(v.opts))
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("failed to build request: %w", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := v.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("failed to fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("failed to fetch %s: status %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBytes+1))
	if err != nil {
		return nil, fmt.Errorf("failed to read %s: %w", url, err)
	}
	if len(b) > maxFetchBytes {
		return nil, fmt.Errorf("failed to read %s: response too large", url)
	}
	return b, nil
}

func (v *verifier) checkOnline(cert, issuer *x509.Certificate) revResult {
	for _, u := range cert.OCSPServer {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			continue
		}
		req, err := ocsp.CreateRequest(cert, issuer, nil)
		if err != nil {
			continue
		}
		b, err := v.fetch(http.MethodPost, u, req, "application/ocsp-request")
		if err != nil {
			continue
		}
		r := checkOne(cert, issuer, [][]byte{b}, nil)
		if r.status != RevUnknown {
			r.source = RevSrcOnline
			return r
		}
	}
	for _, u := range cert.CRLDistributionPoints {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			continue
		}
		b, err := v.fetch(http.MethodGet, u, nil, "")
		if err != nil {
			continue
		}
		if r, ok := checkCRL(b, cert, issuer); ok {
			r.source = RevSrcOnline
			return r
		}
	}
	return revResult{status: RevUnknown}
}
