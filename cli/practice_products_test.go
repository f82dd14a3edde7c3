package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv"
)

// TestEachProductAgainstThePracticeServer (issue 22, "How we will know"): for each product,
// connect --product P against the practice server playing P, then status --json names the
// product and its shops (260, over more than one of the product's pages), two refreshes under
// strict rotation each store a new refresh token, and the token `token` hands over works at
// the API base it names for that product.
func TestEachProductAgainstThePracticeServer(t *testing.T) {
	for _, id := range []string{"o-series", "k-series", "x-series", "r-series"} {
		t.Run(id, func(t *testing.T) {
			product, err := connections.ParsePracticeProduct(id)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, connections.PracticeConfig{Product: product, Sites: 260, RotateRefresh: true, StrictRotation: true})
			if r := f.connect(t, 1, f.secret(), append([]string{"--product", id}, f.settingsFlags()...)...); r.code != 0 {
				t.Fatalf("connect --product %s: exit %d\n%s%s", id, r.code, r.stdout, r.stderr)
			} else if want, _ := connections.ProductByID(id); !strings.Contains(r.stderr, want.ConsentSteps()[1]) {
				t.Errorf("connect --product %s says the steps in other words than the product's %q:\n%s", id, want.ConsentSteps()[1], r.stderr)
			}
			f.assertOneStatus(t, id, "Bondi Bean Co.", "Campbell Parade", "Site 260", 260)
			// Two refreshes under strict rotation: each stores a new refresh token, and a used
			// one is never sent again (the practice server would end the grant).
			for round := range 2 {
				before := f.keptRefreshToken(t)
				if r := f.run(t, "", "refresh"); r.code != 0 {
					t.Fatalf("refresh %d: exit %d\n%s", round, r.code, r.stderr)
				}
				if f.keptRefreshToken(t) == before {
					t.Fatalf("refresh %d stored the same refresh token", round)
				}
			}
			if n := f.practice.Server.Stats().ReuseDetected; n != 0 {
				t.Fatalf("a rotated-out refresh token was sent again %d times", n)
			}
			// token --json hands over the token with the product and its API base (X-Series: the
			// store's, R-Series: the account's), and a call there with the token succeeds.
			r := f.run(t, "", "token", "--json")
			var handed struct {
				Token   string `json:"access_token"`
				Product string `json:"product"`
				API     string `json:"api_base_url"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &handed); r.code != 0 || err != nil || handed.Token == "" {
				t.Fatalf("token --json: exit %d, %v\n%s", r.code, err, r.stderr)
			}
			if handed.Product != id || strings.Contains(handed.API, "{") {
				t.Fatalf("token --json: product %q, API base %q", handed.Product, handed.API)
			}
			address := handed.API + map[string]string{
				"o-series": "companies/me.json",
				"k-series": "f/data/businesses",
				"x-series": "retailer",
				"r-series": "Shop.json",
			}[id]
			if !testenv.APIAnswers(t, address, handed.Token) {
				t.Fatalf("the handed-over token at %s is refused", address)
			}
			if r := f.run(t, "", "token"); r.code != 0 || strings.TrimSpace(r.stdout) != handed.Token {
				t.Fatalf("token: exit %d, not the token token --json handed over\n%s", r.code, r.stderr)
			}
			f.assertNoSecretPrinted(t)
		})
	}
}
