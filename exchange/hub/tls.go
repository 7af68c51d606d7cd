package hub

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// TLSConfig is the hub's server TLS: TLS 1.3 only, and a client
// certificate issued by the hub's CA, recorded, unexpired and unrevoked, is
// required in the handshake itself — a client without one never reaches
// the API.
func (h *Hub) TLSConfig(ca *x509.Certificate, server tls.Certificate) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{server},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("client certificate required")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := h.Authenticate(ctx, cs.PeerCertificates[0]); err != nil {
				return err
			}
			return nil
		},
	}
}

// Server returns an HTTP server for the API on TLS (not yet listening).
func (h *Hub) Server(ca *x509.Certificate, server tls.Certificate) *http.Server {
	return &http.Server{
		Handler:           NewHandler(h),
		TLSConfig:         h.TLSConfig(ca, server),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// Refused handshakes (no, unknown, expired or revoked client
		// certificates) are worth an administrator's look, at Info.
		ErrorLog: slog.NewLogLogger(h.log.Handler(), slog.LevelInfo),
	}
}

// Serve serves the API on ln until ctx ends, then shuts down gracefully.
func (h *Hub) Serve(ctx context.Context, ln net.Listener, ca *x509.Certificate, server tls.Certificate) error {
	srv := h.Server(ca, server)
	srv.BaseContext = func(net.Listener) context.Context { return ctx } // ends long-polls on shutdown
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("hub server stopped: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return nil
	}
}
