package lightspeed

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/oauth"
)

// sampleValues fill every placeholder a profile may hold, as a consent answer and a company
// look-up would.
var sampleValues = map[string]string{PlaceholderDomainPrefix: "harbourgoods", PlaceholderAccountID: "123456"}

// TestProfilesAreUsable holds every profile to the engine's own rules for endpoints
// (oauth.Profile.Validate) once its placeholders are filled, and to https in production.
func TestProfilesAreUsable(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(string(p.ID), func(t *testing.T) {
			var addr [3]string
			for i, raw := range []string{p.AuthorizeURL, p.TokenURL, p.APIBaseURL} {
				got, err := Expand(raw, sampleValues)
				if err != nil {
					t.Fatalf("Expand(%q): %v", raw, err)
				}
				addr[i] = got
				if u, err := url.Parse(got); err != nil || u.Scheme != "https" || u.RawQuery != "" {
					t.Errorf("%q is not a plain https address", got)
				}
			}
			op := oauth.Profile{Name: p.Name, AuthorizeURL: addr[0], TokenURL: addr[1], APIURL: addr[2]}
			if err := op.Validate(); err != nil {
				t.Errorf("oauth.Profile.Validate: %v", err)
			}
			if !strings.HasSuffix(p.APIBaseURL, "/") {
				t.Errorf("API base %q must end in /", p.APIBaseURL)
			}
			for _, raw := range []string{p.AuthorizeURL, p.TokenURL, p.APIBaseURL} {
				for _, name := range Placeholders(raw) {
					if name != PlaceholderDomainPrefix && name != PlaceholderAccountID {
						t.Errorf("%q holds an unknown placeholder {%s}", raw, name)
					}
				}
			}
			if slices.Contains(Placeholders(p.AuthorizeURL), PlaceholderDomainPrefix) {
				t.Errorf("the consent address can't need what the consent answers: %q", p.AuthorizeURL)
			}
			// An address that needs the store's name must be given it by the consent answer.
			needsPrefix := slices.Contains(Placeholders(p.TokenURL), PlaceholderDomainPrefix) ||
				slices.Contains(Placeholders(p.APIBaseURL), PlaceholderDomainPrefix)
			if needsPrefix != (p.ConsentParam == PlaceholderDomainPrefix) {
				t.Errorf("addresses need domain_prefix: %t, but the consent answer's parameter is %q", needsPrefix, p.ConsentParam)
			}
			if slices.Contains(Placeholders(p.TokenURL), PlaceholderAccountID) {
				t.Errorf("the token address can't need the account, which is known only after the exchange: %q", p.TokenURL)
			}
			if p.ClientAuth != ClientAuthBody && p.ClientAuth != ClientAuthBasic {
				t.Errorf("client authentication %v", p.ClientAuth)
			}
			if p.Paging < PagingPageHeader || p.Paging > PagingNextAddress {
				t.Errorf("paging %v", p.Paging)
			}
			if p.PageSize < 0 || p.RateLimit.RequestsPerMinute <= 0 || p.RateLimit.Burst <= 0 ||
				p.RateLimit.RequestsPerMinute > 1000 || p.RateLimit.Limit == "" || len(p.RateLimit.Headers) == 0 {
				t.Errorf("rate limit or page size unusable: %+v, page size %d", p.RateLimit, p.PageSize)
			}
			if !p.RotationDocumented && !p.RefreshRotates {
				t.Errorf("rotation is undocumented, so it must be assumed (the stricter choice)")
			}
			for _, s := range p.Scopes {
				if s == "" || strings.ContainsAny(s, " +\"\\") {
					t.Errorf("scope %q can't be sent as one scope", s)
				}
			}
		})
	}
}

// TestProfilesNameThings: every product has its names and its words, in lower case, distinct
// in singular and plural, and the four IDs are the ones files and the command line use.
func TestProfilesNameThings(t *testing.T) {
	ps := Profiles()
	var ids []ProductID
	for _, p := range ps {
		ids = append(ids, p.ID)
		if p.Name == "" || p.ShortName == "" || p.Description == "" || !strings.Contains(p.Name, p.ShortName) {
			t.Errorf("%s: name %q, short name %q, description %q", p.ID, p.Name, p.ShortName, p.Description)
		}
		w := p.Words
		for _, word := range []string{w.Company, w.Companies, w.Shop, w.Shops} {
			if word == "" || word != strings.ToLower(word) || strings.TrimSpace(word) != word {
				t.Errorf("%s: word %q must be lower case, without spaces around it", p.ID, word)
			}
		}
		if w.Company == w.Companies || w.Shop == w.Shops {
			t.Errorf("%s: singular and plural are the same: %+v", p.ID, w)
		}
	}
	if want := []ProductID{OSeries, KSeries, XSeries, RSeries}; !slices.Equal(ids, want) {
		t.Fatalf("products %v, want %v (O-Series first: it is the default)", ids, want)
	}
	if DefaultProduct != ps[0].ID {
		t.Errorf("the default product %s is not listed first", DefaultProduct)
	}
	for _, id := range ids {
		if p, ok := ProfileOf(id); !ok || p.ID != id {
			t.Errorf("ProfileOf(%s) = %v, %t", id, p.ID, ok)
		}
	}
	if _, ok := ProfileOf("z-series"); ok {
		t.Error("ProfileOf found a product that doesn't exist")
	}
	ps[0].Words.Shop = "changed"
	if Profiles()[0].Words.Shop != "site" {
		t.Error("changing the returned profiles changed the product")
	}
}

// TestOSeriesProfileIsToday holds the O-Series profile to the values the app used before it
// knew other products: the engine's production profile and the API client's defaults.
func TestOSeriesProfileIsToday(t *testing.T) {
	p, _ := ProfileOf(OSeries)
	engine := oauth.Lightspeed()
	if p.AuthorizeURL != engine.AuthorizeURL || p.TokenURL != engine.TokenURL || p.APIBaseURL != engine.APIURL {
		t.Errorf("O-Series addresses %q %q %q, the engine's %q %q %q",
			p.AuthorizeURL, p.TokenURL, p.APIBaseURL, engine.AuthorizeURL, engine.TokenURL, engine.APIURL)
	}
	if p.APIBaseURL != DefaultBaseURL || p.PageSize != PageSize || p.Paging != PagingPageHeader {
		t.Errorf("O-Series API %q, %d a page by %v; the client's %q, %d", p.APIBaseURL, p.PageSize, p.Paging, DefaultBaseURL, PageSize)
	}
	if p.RateLimit.RequestsPerMinute != DefaultRequestsPerMinute || p.RateLimit.Burst != DefaultBurst {
		t.Errorf("O-Series pace %d/min, burst %d; the client's %d, %d",
			p.RateLimit.RequestsPerMinute, p.RateLimit.Burst, DefaultRequestsPerMinute, DefaultBurst)
	}
	if p.ClientAuth != ClientAuthBody || p.Scopes != nil || p.ConsentParam != "" || !p.RefreshRotates {
		t.Errorf("O-Series sends credentials by %v, scopes %q, needs %q, rotates %t", p.ClientAuth, p.Scopes, p.ConsentParam, p.RefreshRotates)
	}
	if p.Words != (Words{"company", "companies", "site", "sites"}) {
		t.Errorf("O-Series words %+v", p.Words)
	}
}

// TestExpandRefusesWhatIsNotOneName: a domain_prefix comes from an address the browser ended
// on; it must not be able to steer the token request (and the client secret) to another host.
func TestExpandRefusesWhatIsNotOneName(t *testing.T) {
	const tmpl = "https://{domain_prefix}.retail.lightspeed.app/api/1.0/token"
	got, err := Expand(tmpl, map[string]string{PlaceholderDomainPrefix: "harbour-goods2"})
	if err != nil || got != "https://harbour-goods2.retail.lightspeed.app/api/1.0/token" {
		t.Fatalf("Expand = %q, %v", got, err)
	}
	for _, bad := range []string{"", "evil.com/x?", "evil.com#", "a.b", "-a", "a-", "a b", "a@b", "a:1",
		"ünï", strings.Repeat("a", 64), "a/../b", "%2e"} {
		if got, err := Expand(tmpl, map[string]string{PlaceholderDomainPrefix: bad}); err == nil {
			t.Errorf("Expand accepted %q: %q", bad, got)
		}
	}
	if _, err := Expand(tmpl, nil); err == nil || !strings.Contains(err.Error(), "domain_prefix") {
		t.Errorf("a missing value: %v", err)
	}
	if got, err := Expand("https://api.kounta.com/v1/", nil); err != nil || got != "https://api.kounta.com/v1/" {
		t.Errorf("an address without placeholders: %q, %v", got, err)
	}
	if got := Placeholders("https://{a}.x/{b}/{a}/{"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Placeholders = %q", got)
	}
}
