package client

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/revcache"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// SignatureVerifier checks PDFs with signing/verify against the trust
// store: a file is "valid" only when it carries signatures and the
// verifier's verdict on the whole file is valid.
func SignatureVerifier(ts *trust.Store, online bool) PDFVerifier {
	// Revocation answers are kept until their next update (at most a few
	// minutes): a batch of documents signed by the same people asks each
	// responder once.
	hc := revcache.Client(10 * time.Second)
	return func(ctx context.Context, path string) Verdict {
		res, err := verify.VerifyFile(ctx, path, verify.Options{Trust: ts, Online: online, HTTPClient: hc})
		if err != nil {
			return Verdict{Status: string(verify.StatusInvalid), Detail: err.Error()}
		}
		if len(res.Signatures) == 0 {
			return Verdict{Status: VerdictUnsigned, Detail: "no signature"}
		}
		v := Verdict{Status: string(res.Status)}
		var parts []string
		for _, s := range res.Signatures {
			parts = append(parts, fmt.Sprintf("%s: %s", s.Signer, s.Status))
		}
		for _, p := range res.Problems {
			if p.Severity != "info" {
				parts = append(parts, p.Code)
			}
		}
		v.Detail = strings.Join(parts, ", ")
		return v
	}
}
