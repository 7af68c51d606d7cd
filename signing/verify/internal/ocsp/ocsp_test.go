package ocsp

import (
	"testing"
	"time"

	"github.com/vanthu/vanthu/internal/testpki"
)

func TestParse(t *testing.T) {
	now := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	p := testpki.New(t, testpki.WithClock(func() time.Time { return now }))
	good, err := p.CraftOCSP(testpki.OCSPSpec{Cert: p.Leader.Cert})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Singles) != 1 || r.Singles[0].Status != Good || !r.Singles[0].ThisUpdate.Equal(now) ||
		!r.Singles[0].NextUpdate.Equal(now.Add(24*time.Hour)) || !r.ProducedAt.Equal(now) {
		t.Fatalf("good response: %+v", r)
	}
	if !r.Singles[0].Names(p.Leader.Cert, p.Intermediate.Cert) || r.Singles[0].Names(p.Leader.Cert, p.Root.Cert) ||
		r.Singles[0].Names(p.Director.Cert, p.Intermediate.Cert) {
		t.Error("CertID matching")
	}
	if len(r.Certs) != 1 || !r.IdentifiesResponder(p.OCSPSigner.Cert) || r.IdentifiesResponder(p.Intermediate.Cert) {
		t.Error("responder by name")
	}
	revAt := now.Add(-3 * time.Hour)
	rev, err := p.CraftOCSP(testpki.OCSPSpec{Cert: p.Leader.Cert, Status: testpki.OCSPRevoked, RevokedAt: revAt,
		Reason: testpki.ReasonAffiliationChanged, NoNextUpdate: true, ResponderByKey: true, NoCerts: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err = Parse(rev)
	if err != nil {
		t.Fatal(err)
	}
	s := r.Singles[0]
	if s.Status != Revoked || !s.RevokedAt.Equal(revAt) || s.Reason != testpki.ReasonAffiliationChanged || !s.NextUpdate.IsZero() ||
		len(r.Certs) != 0 || !r.IdentifiesResponder(p.OCSPSigner.Cert) || r.ResponderName != nil {
		t.Fatalf("revoked response: %+v %+v", r, s)
	}
	if _, err := Parse([]byte{0x30, 0x03, 0x0a, 0x01, 0x06}); err == nil {
		t.Error("unauthorized status parsed")
	}
	if _, err := Parse(append(good, 0)); err == nil {
		t.Error("trailing data accepted")
	}
}
