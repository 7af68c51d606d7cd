package registerhub

import (
	"context"
	"net/http"

	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerapi"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/report/export"
	"github.com/vanthu/vanthu/exchange/store"
	"github.com/vanthu/vanthu/exchange/wire"
)

// New opens the registers and reports on the hub's database (migrating
// them) and returns the hook to put in hub.Config; call Attach once the hub
// is open.
func New(ctx context.Context, db *store.DB, codec wire.Codec, verifier register.Verifier, spoolDir string, opts report.Options) (*Hook, *report.Reporter, error) {
	reg, err := register.Open(ctx, register.Config{DB: db, Verifier: verifier})
	if err != nil {
		return nil, nil, err
	}
	rp, err := report.New(ctx, db, opts)
	if err != nil {
		return nil, nil, err
	}
	return &Hook{Register: reg, Codec: codec, SpoolDir: spoolDir}, rp, nil
}

// Attach lets the hook read the hub's stored packages and mounts the
// registers' and reports' HTTP API (exchange/registerapi) on the hub,
// served as the agency the hub authenticated. Call it before the hub
// serves.
func (k *Hook) Attach(h *hub.Hub, rp *report.Reporter, labels export.Labels) {
	k.Packages = h.OpenPackage
	api := registerapi.NewHandler(registerapi.Config{Register: k.Register, Reporter: rp, Labels: labels,
		Agency: func(r *http.Request) (string, bool) {
			c := hub.Caller(r)
			return c, c != ""
		}})
	h.Mount("/v1/register/", api)
	h.Mount("GET /v1/report", api)
}
