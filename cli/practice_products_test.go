package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// TestEachProductAgainstThePracticeServer (issue 22, "How we will know"): for each product,
// connect --product P against the practice server playing P, then status --json names the
// product and its shops (60, over more than one of the product's pages where it pages them),
// and the token `token` prints works against that product's API.
func TestEachProductAgainstThePracticeServer(t *testing.T) {
	for _, id := range []string{"o-series", "k-series", "x-series", "r-series"} {
		t.Run(id, func(t *testing.T) {
			waitsForProductAPI(t, id)
			product, err := connections.ParsePracticeProduct(id)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixture(t, connections.PracticeConfig{Product: product, Sites: 260, RotateRefresh: true, StrictRotation: true})
			if r := f.connect(t, 1, f.secret(), append([]string{"--product", id}, f.settingsFlags()...)...); r.code != 0 {
				t.Fatalf("connect --product %s: exit %d\n%s%s", id, r.code, r.stdout, r.stderr)
			}
			f.assertOneStatus(t, id, "Bondi Bean Co.", "Campbell Parade", "Site 260", 260)
			if r := f.run(t, "", "refresh"); r.code != 0 {
				t.Fatalf("refresh: exit %d\n%s", r.code, r.stderr)
			}
			r := f.run(t, "", "token")
			tok := strings.TrimSpace(r.stdout)
			if r.code != 0 || tok == "" {
				t.Fatalf("token: exit %d\n%s", r.code, r.stderr)
			}
			info := f.practice.Server.Info()
			api := strings.ReplaceAll(info.APIURL, "{domain_prefix}", "bondibeanco")
			address := map[string]string{
				"o-series": api + "companies/me.json",
				"k-series": api + "f/data/businesses",
				"x-series": api + "retailer",
				"r-series": strings.Replace(api, "Account/{account_id}/", "Account.json", 1),
			}[id]
			req, _ := http.NewRequest(http.MethodGet, address, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("the handed-over token at %s: HTTP %d", address, resp.StatusCode)
			}
			f.assertNoSecretPrinted(t)
		})
	}
}
