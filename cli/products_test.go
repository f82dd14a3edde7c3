package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/connections"
)

// connect --product takes the four products by name; any other name is one sentence listing
// them, before anything is asked or opened.
func TestConnectProductNames(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	r := f.run(t, "", "connect", "--product", "z-series")
	if r.code != 2 || r.stdout != "" {
		t.Fatalf("connect --product z-series: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{`"z-series"`, "o-series (Restaurant O-Series (formerly Kounta))", "k-series (Restaurant K-Series)",
		"x-series (Retail X-Series (formerly Vend))", "r-series (Retail R-Series)"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the sentence lacks %q: %q", want, r.stderr)
		}
	}
	// A product not set up yet says so in its own name, with the command that sets it up.
	r = f.run(t, "", "connect", "--no-browser", "--product", "k-series")
	if r.code != 1 || !strings.Contains(r.stderr, "The Restaurant K-Series integration isn't set up on this computer yet.") || !strings.Contains(r.stderr, "Fix:") {
		t.Errorf("connect --product k-series without settings: exit %d, stderr %q", r.code, r.stderr)
	}
	// Settings given for X-Series are saved as X-Series': the consent goes to X-Series' own
	// address with its scopes (no answer comes: nothing is pasted), and O-Series stays
	// connectable (its settings untouched).
	r = f.run(t, "x-secret\n", "connect", "--no-browser", "--product", "X-Series", "--client-id", "x-client", "--client-secret-stdin",
		"--redirect-uri", "https://support.example.com/callback")
	if r.code == 0 || !strings.HasPrefix(r.stdout, "https://secure.retail.lightspeed.app/connect?") || !strings.Contains(r.stdout, "scope=retailer%3Aread") ||
		!strings.Contains(r.stdout, "client_id=x-client") {
		t.Errorf("connect --product x-series: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// K-Series registers only https Redirect URIs: without --redirect-uri it proposes an https
	// address on this computer (the person pastes the answer), and its consent asks for its
	// scopes; a plain http one is refused before anything opens. (Its token address is a
	// loopback one here, so the preflight stays on this computer.)
	r = f.run(t, "k-secret\n", "connect", "--no-browser", "--timeout", "5s", "--product", "k-series", "--client-id", "k-client", "--client-secret-stdin",
		"--token-url", f.practice.Settings.TokenURL)
	if r.code == 0 || !strings.HasPrefix(r.stdout, "https://auth.lsk-prod.app/realms/k-series/protocol/openid-connect/auth?") ||
		!strings.Contains(r.stdout, "redirect_uri=https%3A%2F%2F127.0.0.1%3A8765%2Fcallback") || !strings.Contains(r.stdout, "scope=financial-api+offline_access") {
		t.Errorf("connect --product k-series: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = f.run(t, "", "connect", "--no-browser", "--timeout", "5s", "--product", "k-series", "--redirect-uri", connections.SuggestedRedirectURI)
	if r.code == 0 || r.stdout != "" || !strings.Contains(r.stderr, "accepts only https://") {
		t.Errorf("connect --product k-series with an http Redirect URI: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := f.connect(t, 0, f.secret(), append([]string{"--product", "o-series"}, f.settingsFlags()...)...); r.code != 0 {
		t.Fatalf("connect --product o-series: exit %d\n%s", r.code, r.stderr)
	}
	// The product chosen last is the default: O-Series again, so a plain reconnect works.
	if r := f.connect(t, 0, ""); r.code != 0 || !strings.Contains(r.stdout, "(ID 31001)") {
		t.Fatalf("connect with the remembered product: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	f.assertNoSecretPrinted(t)
}

// status --json names each company's product and its shops in the product's words; status
// keeps its table for O-Series alone.
func TestStatusNamesTheProduct(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	r := f.run(t, "", "status", "--json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if got[0]["product"] != "o-series" || got[0]["product_name"] != "Restaurant O-Series (formerly Kounta)" ||
		got[0]["sites_summary"] != "3 sites" || got[0]["external_id"] != "31001" || got[0]["company_id"] != float64(31001) {
		t.Errorf("status --json: %s", r.stdout)
	}
	r = f.run(t, "", "status")
	if !strings.HasPrefix(r.stdout, "COMPANY") || !strings.Contains(strings.SplitN(r.stdout, "\n", 2)[0], "SITES") || strings.Contains(r.stdout, "PRODUCT") {
		t.Errorf("an O-Series table changed:\n%s", r.stdout)
	}
}

// With another product connected the table says each company's product, its own ID and its
// shops in its words.
func TestStatusTableWithSeveralProducts(t *testing.T) {
	x, _ := connections.ProductByID("x-series")
	o, _ := connections.ProductByID("o-series")
	total := 4
	statuses := []connections.CompanyStatus{
		{ID: 31001, ExternalID: "31001", Name: "Harbour Burgers", Product: o, Sites: make([]connections.Site, 3), SitesVisible: 3, Status: connections.StatusHealthy},
		{ID: -2305843009213693952, ExternalID: "0adfd74a-153e-11e9-fa42-67b5781ba1fb", Name: "Harbour Goods", Product: x,
			Sites: make([]connections.Site, 3), SitesVisible: 3, SitesTotal: &total, Status: connections.StatusNeedsReconnect, Detail: "Lightspeed no longer accepts this connection's access."},
	}
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Now: func() time.Time { return time.Now() }}
	printStatusTable(env, statuses)
	text := out.String()
	for _, want := range []string{"PRODUCT", "SHOPS", "O-Series", "X-Series", "3 sites", "3 of 4 outlets",
		"0adfd74a-153e-11e9-fa42-67b5781ba1fb", "Fix: lightspeed-connect connect --company 0adfd74a-153e-11e9-fa42-67b5781ba1fb"} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "-2305843009213693952") {
		t.Errorf("the table shows the app's own number for an X-Series store:\n%s", text)
	}
}

// token --json hands over the product and its API address with the token.
func TestTokenJSONNamesTheProductAndItsAPI(t *testing.T) {
	f := newFixture(t, connections.PracticeConfig{})
	f.connectFirst(t)
	r := f.run(t, "", "token", "--json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("token --json: exit %d, %v\n%s", r.code, err, r.stderr)
	}
	tok, _ := got["access_token"].(string)
	if got["product"] != "o-series" || got["api_base_url"] != f.practice.Settings.APIURL || got["company_id"] != float64(31001) ||
		got["external_id"] != "31001" || !f.apiAccepts(t, tok) {
		t.Errorf("token --json: %v", got)
	}
	if _, err := time.Parse(time.RFC3339, got["access_token_expires_at"].(string)); err != nil {
		t.Errorf("expiry: %v", err)
	}
}

// TestStatusSettingsLinePerProduct: each product's integration has its own settings, so a
// desk of several products whose settings differ gets a line per product under the table,
// and one whose settings agree gets the one line it always had.
func TestStatusSettingsLinePerProduct(t *testing.T) {
	x, _ := connections.ProductByID("x-series")
	o, _ := connections.ProductByID("o-series")
	paced := func(pace int) connections.SettingValues {
		return connections.SettingValues{"pkce": true, "requests_per_minute": pace}
	}
	show := func(statuses ...connections.CompanyStatus) string {
		var out bytes.Buffer
		printSettings(&Env{Stdout: &out, Stderr: &out}, statuses)
		return out.String()
	}
	differ := show(
		connections.CompanyStatus{Product: o, Settings: paced(120)},
		connections.CompanyStatus{Product: x, Settings: paced(60)},
		connections.CompanyStatus{Product: o, Settings: paced(120)})
	want := "\nO-Series: " + paced(120).Line() + "\nX-Series: " + paced(60).Line() + "\n"
	if differ != want {
		t.Errorf("settings that differ by product:\n%q\nwant\n%q", differ, want)
	}
	same := show(
		connections.CompanyStatus{Product: o, Settings: paced(90)},
		connections.CompanyStatus{Product: x, Settings: paced(90)})
	if want := "\n" + paced(90).Line() + "\n"; same != want {
		t.Errorf("settings every product shares:\n%q\nwant\n%q", same, want)
	}
}
