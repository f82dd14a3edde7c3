package connections

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
)

// productFixture is a fixture whose practice server plays product, under strict rotation.
func productFixture(t *testing.T, product string) *fixture {
	t.Helper()
	pp, err := ParsePracticeProduct(product)
	if err != nil {
		t.Fatal(err)
	}
	return newFixture(t, PracticeConfig{Product: pp, RotateRefresh: true, StrictRotation: true})
}

// handOffProbe is, per product, a read an integration makes at the API base the hand-off
// carries: it works only at the right base (X-Series: the store's; R-Series: the account's).
var handOffProbe = map[string]string{
	"o-series": "companies/me.json",
	"k-series": "f/data/businesses",
	"x-series": "retailer",
	"r-series": "Shop.json",
}

// TestEachProductConnectsChecksRefreshesAndHandsOff: for each product, against the practice
// server playing it under strict rotation, a connect stores the business with its own ID and
// shops, a check finds it healthy, two refreshes each rotate the refresh token, and the
// hand-off's API base with its access token answers at that product's API.
func TestEachProductConnectsChecksRefreshesAndHandsOff(t *testing.T) {
	for _, p := range Products() {
		t.Run(p.ID, func(t *testing.T) {
			f := productFixture(t, p.ID)
			ctx := context.Background()
			got, err := f.connect(t, 0, ConnectOptions{Product: p.ID})
			if err != nil {
				t.Fatalf("connect: %v (%s)", err, problem.Detail(err))
			}
			co := got.Company
			if co.Name != "Harbour Burgers Pty Ltd" || co.Product.ID != p.ID || len(co.Sites) != 3 || co.ExternalID == "" {
				t.Fatalf("connected %+v", co)
			}
			statuses, err := f.core.Check(ctx)
			if err != nil || len(statuses) != 1 || statuses[0].Status != StatusHealthy {
				t.Fatalf("check: %+v, %v", statuses, err)
			}
			for round := range 2 {
				before, _ := f.vault.Tokens(ctx, co.ID)
				if err := f.core.Refresh(ctx, co.ID); err != nil {
					t.Fatalf("refresh %d: %v (%s)", round, err, problem.Detail(err))
				}
				after, _ := f.vault.Tokens(ctx, co.ID)
				if after.RefreshToken == before.RefreshToken {
					t.Fatalf("refresh %d stored the same refresh token", round)
				}
			}
			cr, err := f.core.Credentials(ctx, co.ID, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if cr.Product.ID != p.ID || strings.Contains(cr.APIBaseURL, "{") || !testenv.APIAnswers(t, cr.APIBaseURL+handOffProbe[p.ID], cr.Token.Value) {
				t.Fatalf("hand-off of %s: API %q does not answer its token", p.ID, cr.APIBaseURL)
			}
			if n := f.practice.Server.Stats().ReuseDetected; n != 0 {
				t.Fatalf("a rotated-out refresh token was sent again %d times", n)
			}
		})
	}
}

// The client authentication, scopes, store parameter and Redirect URI rule of each product
// reach the consent flow; in practice mode K-Series takes the practice server's http loopback
// Redirect URI, and outside it only https.
func TestSettingsSpeakEachProduct(t *testing.T) {
	for _, lp := range lightspeed.Profiles() {
		s := Settings{Product: string(lp.ID)}
		p := s.profile()
		if p.BasicAuth != (lp.ClientAuth == lightspeed.ClientAuthBasic) || strings.Join(p.Scopes, " ") != strings.Join(lp.Scopes, " ") ||
			p.ConsentParam != lp.ConsentParam || p.RedirectHTTPSOnly != lp.RedirectHTTPSOnly {
			t.Errorf("%s: profile %+v", lp.ID, p)
		}
		s.Practice = true
		if s.profile().RedirectHTTPSOnly {
			t.Errorf("%s: practice mode refuses its own http loopback Redirect URI", lp.ID)
		}
	}
	k := Settings{Product: "k-series"}
	if _, err := k.CheckRedirectURI(SuggestedRedirectURI); !problem.Is(err, problem.KindRedirectURI) {
		t.Errorf("K-Series took an http Redirect URI: %v", err)
	}
	if r, err := k.CheckRedirectURI(k.SuggestedRedirectURI()); err != nil || r.Catchable || r.Note == "" || !strings.HasPrefix(k.SuggestedRedirectURI(), "https://127.0.0.1:") {
		t.Errorf("K-Series' suggested %q: %+v, %v", k.SuggestedRedirectURI(), r, err)
	}
	for _, standIn := range []Settings{
		{Product: "k-series", Practice: true},
		{Product: "k-series", AuthorizeURL: "http://127.0.0.1:41234/realms/k-series/protocol/openid-connect/auth"},
		{Product: "k-series", AuthorizeURL: "http://localhost:41234/auth"},
	} {
		if r, err := standIn.CheckRedirectURI(SuggestedRedirectURI); err != nil || !r.Catchable || standIn.SuggestedRedirectURI() != SuggestedRedirectURI {
			t.Errorf("K-Series stand-in %v at %q: %+v, %v", standIn.Practice, standIn.AuthorizeURL, r, err)
		}
	}
	trial := Settings{Product: "k-series", AuthorizeURL: "https://auth.lsk-demo.app/realms/k-series/protocol/openid-connect/auth"}
	if _, err := trial.CheckRedirectURI(SuggestedRedirectURI); !problem.Is(err, problem.KindRedirectURI) {
		t.Errorf("K-Series' trial server took an http Redirect URI: %v", err)
	}
	if r, err := (Settings{}).CheckRedirectURI(SuggestedRedirectURI); err != nil || !r.Catchable {
		t.Errorf("O-Series: %+v, %v", r, err)
	}
}

// Every product's API client is paced by its product's own pacer, shared by the whole process
// (so a check and a hand-off in one process pace a token once), unless the integration names a
// pace; and R-Series' leaky buckets are the process's one set.
func TestEachProductsClientIsPacedAndBucketedOnce(t *testing.T) {
	c, err := Open(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, lp := range lightspeed.Profiles() {
		cl := c.apiClient(Settings{Product: string(lp.ID)}, staticToken("t"))
		if cl.Pacer != lightspeed.DefaultPacerFor(lp.ID) || cl.Buckets != lightspeed.DefaultBuckets {
			t.Errorf("%s: pacer %v (want the product's), buckets %v", lp.ID, cl.Pacer, cl.Buckets)
		}
		own := c.apiClient(Settings{Product: string(lp.ID), RequestsPerMinute: 17}, staticToken("t"))
		if own.Pacer.PerMinute() != 17 || own.Pacer != c.apiClient(Settings{Product: string(lp.ID), RequestsPerMinute: 17}, staticToken("u")).Pacer {
			t.Errorf("%s at 17 a minute: paced at %d", lp.ID, own.Pacer.PerMinute())
		}
	}
}
