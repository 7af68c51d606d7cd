package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/digitorus/timestamp"
)

const maxBody = 1 << 20

func (p *PKI) handler() http.Handler {
	mux := http.NewServeMux()
	ocspHandler := p.wrap(ServiceOCSP, p.serveOCSP)
	mux.Handle("/crl/ca-g2.crl", p.wrap(ServiceCRL, func(w http.ResponseWriter, r *http.Request) { p.serveCRL(w, r, false) }))
	mux.Handle("/crl/root-g2.crl", p.wrap(ServiceCRL, func(w http.ResponseWriter, r *http.Request) { p.serveCRL(w, r, true) }))
	mux.Handle("/certs/ca-g2.cer", p.wrap(ServiceCAIssuers, func(w http.ResponseWriter, r *http.Request) {
		serveDER(w, r, "application/pkix-cert", p.Intermediate.Cert.Raw)
	}))
	mux.Handle("/certs/root-g2.cer", p.wrap(ServiceCAIssuers, func(w http.ResponseWriter, r *http.Request) {
		serveDER(w, r, "application/pkix-cert", p.Root.Cert.Raw)
	}))
	mux.Handle("/tsa", p.wrap(ServiceTSA, p.serveTSA))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// OCSP GET paths are base64 and may contain "//", which ServeMux
		// would "clean" with a redirect: route them before the mux.
		if ep := r.URL.EscapedPath(); ep == "/ocsp" || strings.HasPrefix(ep, "/ocsp/") {
			ocspHandler.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// wrap adds hit counting, delay and outage injection.
func (p *PKI) wrap(s Service, h http.HandlerFunc) http.Handler {
	st := &p.services[s]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.hits.Add(1)
		if d := time.Duration(st.delay.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if st.down.Load() {
			http.Error(w, s.String()+" service unavailable (testpki.SetDown)", http.StatusServiceUnavailable)
			return
		}
		h(w, r)
	})
}

func serveDER(w http.ResponseWriter, r *http.Request, ctype string, der []byte) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(der)
}

// ---- OCSP ----

func (p *PKI) serveOCSP(w http.ResponseWriter, r *http.Request) {
	var der []byte
	switch r.Method {
	case http.MethodPost:
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		der = b
	case http.MethodGet:
		// RFC 6960 A.1: GET {url}/{url-encoding of base-64 encoding of the DER request}
		raw := strings.TrimPrefix(r.URL.EscapedPath(), "/ocsp")
		raw = strings.TrimPrefix(raw, "/")
		s, err := url.PathUnescape(raw)
		if err == nil {
			der, err = base64.StdEncoding.DecodeString(s)
		}
		if err != nil {
			writeOCSP(w, ocspError(ocspMalformedRequest))
			return
		}
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	writeOCSP(w, p.OCSPResponse(der))
}

func writeOCSP(w http.ResponseWriter, resp []byte) {
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(resp)
}

// ---- CRL ----

func (p *PKI) serveCRL(w http.ResponseWriter, r *http.Request, root bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	der, err := p.CRL(root)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	serveDER(w, r, "application/pkix-crl", der)
}

// CRL builds a fresh DER CRL: the intermediate's CRL (leaf revocations), or
// the root's CRL (covering the intermediate) when root is true. Every call
// increments that CRL's number.
func (p *PKI) CRL(root bool) ([]byte, error) {
	now := p.now()
	p.mu.Lock()
	src := p.revokedCA
	num := &p.crlNumCA
	issuer := p.Intermediate
	if root {
		src, num, issuer = p.revokedRoot, &p.crlNumRoot, p.Root
	}
	*num++
	number := big.NewInt(*num)
	entries := make([]x509.RevocationListEntry, 0, len(src))
	for _, rv := range src {
		entries = append(entries, x509.RevocationListEntry{
			SerialNumber:   rv.serial,
			RevocationTime: rv.at,
			ReasonCode:     rv.reason,
		})
	}
	p.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].SerialNumber.Cmp(entries[j].SerialNumber) < 0 })
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    number,
		ThisUpdate:                now,
		NextUpdate:                now.AddDate(0, 0, 7),
		RevokedCertificateEntries: entries,
	}, issuer.Cert, issuer.Key)
}

// ---- TSA ----

func (p *PKI) serveTSA(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(p.TimestampResponse(body))
}

func tsaReject(fi timestamp.FailureInfo) []byte {
	b, err := timestamp.CreateErrorResponse(timestamp.Rejection, fi)
	if err != nil {
		// Cannot happen for the fixed inputs used here; fall back to a bare
		// rejection (PKIStatusInfo{status=2}).
		return []byte{0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02}
	}
	return b
}

// TimestampResponse answers a DER RFC 3161 TimeStampReq with a DER
// TimeStampResp (granted, or a rejection with a failure info).
func (p *PKI) TimestampResponse(reqDER []byte) []byte {
	req, err := timestamp.ParseRequest(reqDER)
	if err != nil {
		return tsaReject(timestamp.BadDataFormat)
	}
	switch req.HashAlgorithm {
	case crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return tsaReject(timestamp.BadAlgorithm)
	}
	if len(req.HashedMessage) != req.HashAlgorithm.Size() {
		return tsaReject(timestamp.BadDataFormat)
	}
	if len(req.TSAPolicyOID) > 0 && !req.TSAPolicyOID.Equal(TSAPolicy) {
		return tsaReject(timestamp.UnacceptedPolicy)
	}
	for _, e := range req.Extensions {
		if e.Critical {
			return tsaReject(timestamp.UnacceptedExtension)
		}
	}
	serial := new(big.Int).SetInt64(p.tsaSerial.Add(1))
	resp, err := timestampToken(p.TSA, []*x509.Certificate{p.Intermediate.Cert, p.Root.Cert},
		req.HashAlgorithm, req.HashedMessage, serial, req.Nonce, p.now(),
		req.Certificates) // RFC 3161 2.4.1: certificates only when certReq is true
	if err != nil {
		return tsaReject(timestamp.SystemFailure)
	}
	return resp
}
