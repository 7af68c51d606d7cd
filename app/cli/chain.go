package cli

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/token"
)

// chainFetchTimeout bounds each download of a missing issuer (caIssuers).
const chainFetchTimeout = 10 * time.Second

// signingChain is the chain a signature embeds: the signer's certificate
// and its issuers from the token, the bundled intermediates, the user's
// trust folder and, when they are missing there, the caIssuers URLs. An
// incomplete chain is still used, with a warning.
func (e *env) signingChain(ctx context.Context, leaf *x509.Certificate, onToken []token.Certificate) []*x509.Certificate {
	cands := make([]*x509.Certificate, 0, len(onToken))
	for _, c := range onToken {
		cands = append(cands, c.X509)
	}
	store, err := trust.Load(ctx, trust.Options{})
	if err != nil { // an unreadable trust folder: go on without it
		e.warnf(e.tr("verify.trust_error", err.Error()))
		if store, err = trust.Load(ctx, trust.Options{SkipUserDir: true}); err != nil {
			store = trust.New()
		}
	}
	chain, err := store.CompleteChain(ctx, leaf, cands, trust.ChainOptions{Fetch: true, Timeout: chainFetchTimeout})
	if err != nil {
		e.warnf(e.tr("sign.warn.chain_incomplete", leaf.Subject.CommonName))
	}
	return chain
}
