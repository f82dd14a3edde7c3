package practice

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// productClient talks to a practice server the way a correct client of its product does:
// client authentication as the product takes it, X-Series' per-store token address.
type productClient struct {
	t     testing.TB
	s     *Server
	info  Info
	store string // X-Series domain_prefix, from the consent answer
}

func newProductClient(t testing.TB, s *Server) *productClient {
	return &productClient{t: t, s: s, info: s.Info()}
}

// storeURL puts the store's prefix into an X-Series address template; R-Series' API address
// is taken one level above the account, where Account.json is.
func (c *productClient) storeURL(template string) string {
	return strings.ReplaceAll(strings.ReplaceAll(template, PrefixPlaceholder, c.store), "Account/"+AccountPlaceholder+"/", "")
}

// reply is a decoded JSON answer.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r reply) str(key string) string { v, _ := r.body[key].(string); return v }

func do(t testing.TB, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &r.body)
	return r
}

// token posts form to the token endpoint with the product's client authentication.
func (c *productClient) token(form url.Values) reply {
	c.t.Helper()
	form = cloneValues(form)
	req, _ := http.NewRequest(http.MethodPost, c.storeURL(c.info.TokenURL), nil)
	if c.info.Product == KSeries {
		req.SetBasicAuth(c.info.ClientID, c.info.ClientSecret)
	} else {
		form.Set("client_id", c.info.ClientID)
		form.Set("client_secret", c.info.ClientSecret)
	}
	req.Body = io.NopCloser(strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(c.t, req)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// consent runs the consent page for company index i with the product's default scope and
// returns the callback's query.
func (c *productClient) consent(i int, authURL string) url.Values {
	c.t.Helper()
	if authURL == "" {
		authURL = c.info.AuthCodeURL(testRedirect, "st-9", "")
	}
	loc, err := Consent(testCtx(c.t), nil, authURL, i, true)
	if err != nil {
		c.t.Fatalf("Consent: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		c.t.Fatal(err)
	}
	return u.Query()
}

// connect consents for company index i and exchanges the code; it returns the token reply.
func (c *productClient) connect(i int) reply {
	c.t.Helper()
	q := c.consent(i, "")
	if q.Get("code") == "" || q.Get("state") != "st-9" {
		c.t.Fatalf("callback lacks code or state: %v", q)
	}
	if c.info.Product == XSeries {
		c.store = q.Get("domain_prefix")
	}
	r := c.token(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {testRedirect}})
	if r.status != http.StatusOK || r.str("access_token") == "" {
		c.t.Fatalf("exchange: HTTP %d %s", r.status, r.raw)
	}
	return r
}

func (c *productClient) refresh(rt string) reply {
	c.t.Helper()
	return c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

// get asks the API at address (relative to Info.APIURL unless absolute) with token.
func (c *productClient) get(address, token string) reply {
	c.t.Helper()
	if !strings.HasPrefix(address, "http") {
		address = c.storeURL(c.info.APIURL) + address
	}
	req, _ := http.NewRequest(http.MethodGet, address, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(c.t, req)
}

var otherProducts = []Product{KSeries, XSeries, RSeries}

func TestParseProduct(t *testing.T) {
	for in, want := range map[string]Product{"": OSeries, "o-series": OSeries, "K-Series": KSeries, " x ": XSeries, "r": RSeries} {
		if got, err := ParseProduct(in); err != nil || got != want {
			t.Errorf("ParseProduct(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"kounta", "s-series", "k-"} {
		if _, err := ParseProduct(bad); err == nil {
			t.Errorf("ParseProduct(%q) accepted", bad)
		}
	}
	if _, err := New(Config{Product: "vend"}); err == nil {
		t.Error("New accepted an unknown product")
	}
}

func TestProductInfo(t *testing.T) {
	for _, tc := range []struct {
		p                         Product
		authorize, token, apiBase string
	}{
		{OSeries, "/authorize", "/v1/token.json", "/v1/"},
		{KSeries, "/realms/k-series/protocol/openid-connect/auth", "/realms/k-series/protocol/openid-connect/token", "/"},
		{XSeries, "/connect", "/x/{domain_prefix}/api/1.0/token", "/x/{domain_prefix}/api/2.0/"},
		{RSeries, "/auth/oauth/authorize", "/auth/oauth/token", "/API/V3/Account/{account_id}/"},
	} {
		s := startServer(t, Config{Product: tc.p})
		info, base := s.Info(), s.URL()
		if info.Product != tc.p || info.AuthorizeURL != base+tc.authorize || info.TokenURL != base+tc.token || info.APIURL != base+tc.apiBase {
			t.Errorf("%s: Info = %+v", tc.p, info)
		}
		b, _ := json.Marshal(info)
		if !strings.Contains(string(b), `"product":"`+string(tc.p)+`"`) {
			t.Errorf("%s: Info JSON %s", tc.p, b)
		}
	}
}

// TestProductServesOnlyItsOwnAddresses: a server playing one product answers nothing at
// another's addresses.
func TestProductServesOnlyItsOwnAddresses(t *testing.T) {
	k := startServer(t, Config{Product: KSeries})
	o := startServer(t, Config{})
	for _, u := range []string{k.URL() + "/v1/token.json", k.URL() + "/authorize", o.URL() + kTokenPath, o.URL() + "/f/data/businesses"} {
		resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader("grant_type=refresh_token"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: HTTP %d, want 404", u, resp.StatusCode)
		}
	}
}

func TestProductTokenReplies(t *testing.T) {
	clock := newClock()
	for _, p := range otherProducts {
		t.Run(string(p), func(t *testing.T) {
			s := startServer(t, Config{Product: p, Now: clock.Now})
			c := newProductClient(t, s)
			r := c.connect(1)
			if r.str("token_type") != "Bearer" || r.body["expires_in"] != 3600.0 || r.str("scope") != p.DefaultScope() || r.str("refresh_token") == "" {
				t.Fatalf("reply %s", r.raw)
			}
			_, hasRefreshExpiry := r.body["refresh_expires_in"]
			_, hasExpires := r.body["expires"]
			_, hasPrefix := r.body["domain_prefix"]
			switch p {
			case KSeries:
				if r.body["refresh_expires_in"] != 0.0 || hasExpires || hasPrefix { // offline_access: no fixed expiry
					t.Fatalf("K-Series reply %s", r.raw)
				}
			case XSeries:
				if r.str("domain_prefix") != "bondibeanco" || c.store != "bondibeanco" || hasRefreshExpiry ||
					r.body["expires"] != float64(clock.Now().Add(time.Hour).Unix()) {
					t.Fatalf("X-Series reply %s (store from the consent answer %q)", r.raw, c.store)
				}
			case RSeries:
				if hasRefreshExpiry || hasExpires || hasPrefix {
					t.Fatalf("R-Series reply %s", r.raw)
				}
			}
		})
	}
}

// TestProductClientAuthentication: each product refuses the client authentication it does
// not take, as the real one would.
func TestProductClientAuthentication(t *testing.T) {
	for _, tc := range []struct {
		p          Product
		basic      bool   // credentials as HTTP Basic
		body       bool   // credentials in the body
		query      bool   // credentials in the address
		wantStatus int    // 0: accepted
		wantErr    string // OAuth error code
	}{
		{p: OSeries, body: true},
		{p: OSeries, basic: true},
		{p: KSeries, basic: true},
		{p: KSeries, body: true, wantStatus: 401, wantErr: "invalid_client"},
		{p: KSeries, basic: true, body: true, wantStatus: 400, wantErr: "invalid_request"},
		{p: XSeries, body: true},
		{p: XSeries, basic: true, wantStatus: 401, wantErr: "invalid_client"},
		{p: XSeries, query: true, wantStatus: 400, wantErr: "invalid_request"},
		{p: RSeries, body: true},
		{p: RSeries, basic: true, wantStatus: 401, wantErr: "invalid_client"},
		{p: RSeries, basic: true, body: true, wantStatus: 401, wantErr: "invalid_client"},
	} {
		name := string(tc.p) + "/" + strconv.FormatBool(tc.basic) + strconv.FormatBool(tc.body) + strconv.FormatBool(tc.query)
		t.Run(name, func(t *testing.T) {
			s := startServer(t, Config{Product: tc.p})
			info := s.Info()
			tok, _ := s.Grant(s.Companies()[0].ID)
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}
			if tc.body {
				form.Set("client_id", info.ClientID)
				form.Set("client_secret", info.ClientSecret)
			}
			address := strings.ReplaceAll(info.TokenURL, PrefixPlaceholder, s.Companies()[0].DomainPrefix)
			if tc.query {
				address += "?" + url.Values{"client_id": {info.ClientID}, "client_secret": {info.ClientSecret}}.Encode()
			}
			req, _ := http.NewRequest(http.MethodPost, address, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basic {
				req.SetBasicAuth(info.ClientID, info.ClientSecret)
			}
			r := do(t, req)
			want := tc.wantStatus
			if want == 0 {
				want = http.StatusOK
			}
			if r.status != want || r.str("error") != tc.wantErr {
				t.Fatalf("HTTP %d %s, want %d %q", r.status, r.raw, want, tc.wantErr)
			}
			if tc.wantStatus == 0 && r.str("access_token") == "" {
				t.Fatalf("no access token: %s", r.raw)
			}
		})
	}
}

// TestProductScopes: K- and R-Series require a scope; no product takes a scope its
// integration may not ask for; each list needs its own scope.
func TestProductScopes(t *testing.T) {
	errorOf := func(t *testing.T, s *Server, scope string) string {
		t.Helper()
		info := s.Info()
		q := url.Values{"client_id": {info.ClientID}, "redirect_uri": {testRedirect}, "state": {"s"}, "response_type": {"code"}}
		if scope != "" {
			q.Set("scope", scope)
		}
		status, _, h := getPageT(t, info.AuthorizeURL+"?"+q.Encode())
		if status == http.StatusOK {
			return ""
		}
		loc, _ := url.Parse(h.Get("Location"))
		return loc.Query().Get("error")
	}
	for _, tc := range []struct {
		p            Product
		scope, error string
	}{
		{KSeries, "", "invalid_request"},
		{KSeries, "financial-api admin-everything", "invalid_scope"},
		{KSeries, "financial-api", ""},
		{RSeries, "", "invalid_request"},
		{RSeries, "employee:register+employee:inventory", ""},
		{RSeries, "employee:all+root", "invalid_scope"},
		{XSeries, "", ""},
		{XSeries, "outlets:write", "invalid_scope"},
		{OSeries, "anything", ""},
	} {
		if got := errorOf(t, startServer(t, Config{Product: tc.p}), tc.scope); got != tc.error {
			t.Errorf("%s scope %q: error %q, want %q", tc.p, tc.scope, got, tc.error)
		}
	}

	// A token without the list's scope is refused 403.
	for _, tc := range []struct {
		p            Product
		scope, path  string
		wantForbided bool
	}{
		{KSeries, "orders-api", "f/data/businesses", true},
		{KSeries, "financial-api", "f/data/businesses", false},
		{XSeries, "outlets:read", "retailer", true},
		{XSeries, "retailer:read", "outlets", true},
		{XSeries, "retailer:read outlets:read", "outlets", false},
	} {
		s := startServer(t, Config{Product: tc.p})
		c := newProductClient(t, s)
		q := c.consent(0, strings.Replace(c.info.AuthCodeURL(testRedirect, "st-9", ""),
			"scope="+url.QueryEscape(tc.p.DefaultScope()), "scope="+url.QueryEscape(tc.scope), 1))
		c.store = q.Get("domain_prefix")
		tr := c.token(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {testRedirect}})
		if tr.str("scope") != tc.scope {
			t.Fatalf("%s: granted scope %q, asked %q", tc.p, tr.str("scope"), tc.scope)
		}
		if r := c.get(tc.path, tr.str("access_token")); (r.status == http.StatusForbidden) != tc.wantForbided {
			t.Errorf("%s with scope %q: %s answered HTTP %d %s", tc.p, tc.scope, tc.path, r.status, r.raw)
		}
	}
}

// TestProductRotation: K-, X- and R-Series rotate on every refresh and a refresh token is
// single use: the old one is refused at once (no grace period), while its successor keeps
// working. With StrictRotation, presenting the old one again also ends the successor.
func TestProductRotation(t *testing.T) {
	for _, p := range otherProducts {
		for _, strict := range []bool{false, true} {
			t.Run(string(p)+"/strict="+strconv.FormatBool(strict), func(t *testing.T) {
				s := startServer(t, Config{Product: p, StrictRotation: strict})
				c := newProductClient(t, s)
				first := c.connect(0)
				second := c.refresh(first.str("refresh_token"))
				if second.status != 200 || second.str("refresh_token") == first.str("refresh_token") || second.str("refresh_token") == "" {
					t.Fatalf("refresh did not rotate: HTTP %d %s", second.status, second.raw)
				}
				if r := c.refresh(first.str("refresh_token")); r.status != 400 || r.str("error") != "invalid_grant" {
					t.Fatalf("the used refresh token worked again: HTTP %d %s", r.status, r.raw)
				}
				third := c.refresh(second.str("refresh_token"))
				if ok := third.status == 200; ok == strict {
					t.Fatalf("after reuse, the successor answered HTTP %d (strict %v)", third.status, strict)
				}
				if got := s.Stats().ReuseDetected; (got == 1) != strict {
					t.Fatalf("ReuseDetected = %d (strict %v)", got, strict)
				}
			})
		}
	}
}

// TestKSeriesRefreshLifetime: without offline_access a K-Series refresh token lasts 14 days
// (refresh_expires_in says so); with it, refresh_expires_in is 0 and it does not expire.
func TestKSeriesRefreshLifetime(t *testing.T) {
	for _, offline := range []bool{false, true} {
		clock := newClock()
		s := startServer(t, Config{Product: KSeries, Now: clock.Now})
		c := newProductClient(t, s)
		scope := "financial-api"
		if offline {
			scope += " offline_access"
		}
		q := c.consent(0, strings.Replace(c.info.AuthCodeURL(testRedirect, "st-9", ""),
			"scope="+url.QueryEscape(KSeries.DefaultScope()), "scope="+url.QueryEscape(scope), 1))
		tr := c.token(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {testRedirect}})
		want := float64(14 * 24 * 3600)
		if offline {
			want = 0
		}
		if tr.body["refresh_expires_in"] != want {
			t.Fatalf("offline %v: refresh_expires_in %v, want %v", offline, tr.body["refresh_expires_in"], want)
		}
		clock.Advance(14*24*time.Hour + time.Second)
		if r := c.refresh(tr.str("refresh_token")); (r.status == 200) != offline {
			t.Fatalf("offline %v: refresh after 14 days answered HTTP %d %s", offline, r.status, r.raw)
		}
	}
}

// TestXSeriesPerStore: codes, refresh tokens and access tokens work only at their own store's
// addresses; an unknown store is not found.
func TestXSeriesPerStore(t *testing.T) {
	s := startServer(t, Config{Product: XSeries})
	c := newProductClient(t, s)
	q := c.consent(0, "")
	if q.Get("domain_prefix") != "harbourburgersptyltd" {
		t.Fatalf("consent answer %v", q)
	}
	c.store = "bondibeanco" // another store's token address
	if r := c.token(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {testRedirect}}); r.status != 400 || r.str("error") != "invalid_grant" {
		t.Fatalf("a code worked at another store: HTTP %d %s", r.status, r.raw)
	}
	c.store = "nosuchstore"
	if r := c.refresh("x"); r.status != 404 {
		t.Fatalf("unknown store's token address: HTTP %d", r.status)
	}
	c.store = ""
	tok := c.connect(0)
	c.store = "bondibeanco"
	if r := c.refresh(tok.str("refresh_token")); r.status != 400 {
		t.Fatalf("a refresh token worked at another store: HTTP %d %s", r.status, r.raw)
	}
	if r := c.get("retailer", tok.str("access_token")); r.status != 401 {
		t.Fatalf("an access token worked at another store: HTTP %d %s", r.status, r.raw)
	}
	c.store = "harbourburgersptyltd"
	r := c.get("retailer", tok.str("access_token"))
	data, _ := r.body["data"].(map[string]any)
	if r.status != 200 || data["domain_prefix"] != "harbourburgersptyltd" || data["name"] != "Harbour Burgers Pty Ltd" || data["id"] != uuidOf(31001) {
		t.Fatalf("retailer: HTTP %d %s", r.status, r.raw)
	}
	if r := c.get(c.storeURL(c.info.APIURL)+"retailer?access_token="+tok.str("access_token"), ""); r.status != 401 {
		t.Fatalf("a token in the address worked: HTTP %d", r.status)
	}
}

// TestKSeriesBusinesses: the list, its page/size paging (an empty page carries no
// _embedded), hidden locations and the 500-location cap.
func TestKSeriesBusinesses(t *testing.T) {
	s := startServer(t, Config{Product: KSeries, Sites: 503, HiddenSites: 2})
	c := newProductClient(t, s)
	tok := c.connect(2).str("access_token")
	r := c.get("f/data/businesses?page=0&size=1", tok)
	emb, _ := r.body["_embedded"].(map[string]any)
	list, _ := emb["businessList"].([]any)
	if r.status != 200 || len(list) != 1 {
		t.Fatalf("page 0: HTTP %d %.300s", r.status, r.raw)
	}
	b := list[0].(map[string]any)
	locs := b["businessLocations"].([]any)
	if b["businessId"] != 31003.0 || b["businessName"] != "Northside Noodles" || len(locs) != 500 {
		t.Fatalf("business %v with %d locations, want 31003 with 500 (501 visible, capped)", b["businessId"], len(locs))
	}
	if l := locs[0].(map[string]any); l["blID"] != 31003001.0 || l["blName"] != "Chatswood" {
		t.Fatalf("first location %v", l)
	}
	r = c.get("f/data/businesses?page=1&size=1", tok)
	if _, has := r.body["_embedded"]; r.status != 200 || has {
		t.Fatalf("page past the end: HTTP %d %s", r.status, r.raw)
	}
	if r := c.get("f/data/businesses?page=-1", tok); r.status != 400 {
		t.Fatalf("page -1: HTTP %d", r.status)
	}
	s2 := startServer(t, Config{Product: KSeries, HiddenSites: 1})
	c2 := newProductClient(t, s2)
	r = c2.get("f/data/businesses", c2.connect(0).str("access_token"))
	if !strings.Contains(r.raw, "Manly") || strings.Contains(r.raw, "Bondi") {
		t.Fatalf("hidden location: %s", r.raw)
	}
}

// TestXSeriesOutletPaging: after=version.max pages through, an empty data with null versions
// ends it, page_size is capped at 200, deleted outlets only with deleted=true, and the
// hidden outlets are missing.
func TestXSeriesOutletPaging(t *testing.T) {
	s := startServer(t, Config{Product: XSeries, Sites: 253, HiddenSites: 3})
	c := newProductClient(t, s)
	tok := c.connect(0).str("access_token")
	var names []string
	after, pages := "0", 0
	for {
		r := c.get("outlets?page_size=1000&after="+after, tok)
		data, _ := r.body["data"].([]any)
		version, _ := r.body["version"].(map[string]any)
		if r.status != 200 {
			t.Fatalf("HTTP %d %s", r.status, r.raw)
		}
		if len(data) == 0 {
			if version["min"] != nil || version["max"] != nil {
				t.Fatalf("an empty page's version: %v", version)
			}
			break
		}
		pages++
		if len(data) > 200 {
			t.Fatalf("page of %d outlets", len(data))
		}
		for _, o := range data {
			names = append(names, o.(map[string]any)["name"].(string))
		}
		after = strconv.FormatFloat(version["max"].(float64), 'f', -1, 64)
	}
	if pages != 2 || len(names) != 250 || names[0] != "Parramatta" || names[249] != "Site 250" {
		t.Fatalf("%d pages, %d outlets (%v … %v)", pages, len(names), names[0], names[len(names)-1])
	}
	if strings.Contains(c.get("outlets?page_size=1000&after="+after, tok).raw, xDeletedOutlet) {
		t.Fatal("a deleted outlet without deleted=true")
	}
	if !strings.Contains(c.get("outlets?deleted=true&after="+after, tok).raw, xDeletedOutlet) {
		t.Fatal("no deleted outlet with deleted=true")
	}
}

// TestRSeriesShopPaging: @attributes.next pages through (limit at most 100), "" ends it, a
// lone shop comes as an object, the account as an object, ids as strings.
func TestRSeriesShopPaging(t *testing.T) {
	s := startServer(t, Config{Product: RSeries, Sites: 203, HiddenSites: 2})
	c := newProductClient(t, s)
	tok := c.connect(1).str("access_token")
	acct := c.get("Account.json", tok)
	a, _ := acct.body["Account"].(map[string]any)
	if acct.status != 200 || a["accountID"] != "31002" || a["name"] != "Bondi Bean Co." {
		t.Fatalf("Account.json: HTTP %d %s", acct.status, acct.raw)
	}
	next := "Account/31002/Shop.json?limit=500"
	var pages []int
	var last any
	for next != "" {
		r := c.get(next, tok)
		if r.status != 200 {
			t.Fatalf("HTTP %d %s", r.status, r.raw)
		}
		switch shop := r.body["Shop"].(type) {
		case []any:
			pages = append(pages, len(shop))
			last = shop[len(shop)-1]
		case map[string]any:
			pages = append(pages, -1) // a lone shop, as an object
			last = shop
		default:
			t.Fatalf("Shop is %T: %s", shop, r.raw)
		}
		attrs, _ := r.body["@attributes"].(map[string]any)
		n, present := attrs["next"]
		if !present {
			t.Fatalf("no @attributes.next: %s", r.raw)
		}
		next = n.(string)
	}
	if len(pages) != 3 || pages[0] != 100 || pages[1] != 100 || pages[2] != -1 || last.(map[string]any)["name"] != "Site 201" || last.(map[string]any)["shopID"] != "31002201" {
		t.Fatalf("pages %v, last %v", pages, last)
	}
	if s.Stats().NextPageRequests != 2 {
		t.Fatalf("NextPageRequests = %d", s.Stats().NextPageRequests)
	}
	if r := c.get("Account/31001/Shop.json", tok); r.status != 403 {
		t.Fatalf("another account's shops: HTTP %d", r.status)
	}
	if r := c.get("Account/31002/Shop.json?after=bogus", tok); r.status != 400 {
		t.Fatalf("a bad cursor: HTTP %d", r.status)
	}
}

// TestRSeriesRegisteredRedirectAndJSONBody: R-Series' documented authorize address names no
// redirect_uri (the code goes to the registered one) and its clients may send JSON.
func TestRSeriesRegisteredRedirectAndJSONBody(t *testing.T) {
	s := startServer(t, Config{Product: RSeries})
	info := s.Info()
	q := url.Values{"client_id": {info.ClientID}, "state": {"s"}, "response_type": {"code"}, "scope": {"employee:all"}}
	loc, err := Consent(testCtx(t), nil, info.AuthorizeURL+"?"+q.Encode(), 0, true)
	if err != nil || !strings.HasPrefix(loc, testRedirect+"?") {
		t.Fatalf("Consent: %q, %v", loc, err)
	}
	u, _ := url.Parse(loc)
	body, _ := json.Marshal(map[string]string{"grant_type": "authorization_code", "code": u.Query().Get("code"),
		"client_id": info.ClientID, "client_secret": info.ClientSecret})
	req, _ := http.NewRequest(http.MethodPost, info.TokenURL, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if r := do(t, req); r.status != 200 || r.str("access_token") == "" {
		t.Fatalf("JSON exchange without redirect_uri: HTTP %d %s", r.status, r.raw)
	}
}

// TestProductRateLimits: each product's limit and headers.
func TestProductRateLimits(t *testing.T) {
	t.Run("k-series", func(t *testing.T) {
		s := startServer(t, Config{Product: KSeries, RateLimit: 2})
		c := newProductClient(t, s)
		tok := c.connect(0).str("access_token")
		for range 2 {
			if r := c.get("f/data/businesses", tok); r.status != 200 {
				t.Fatalf("HTTP %d", r.status)
			}
		}
		r := c.get("f/data/businesses", tok)
		if secs, err := strconv.Atoi(r.header.Get("Retry-After")); r.status != 429 || err != nil || secs < 1 || secs > 60 {
			t.Fatalf("over the limit: HTTP %d Retry-After %q", r.status, r.header.Get("Retry-After"))
		}
	})
	t.Run("x-series", func(t *testing.T) {
		clock := newClock()
		s := startServer(t, Config{Product: XSeries, RateLimit: 3, Now: clock.Now})
		c := newProductClient(t, s)
		a := c.connect(0).str("access_token")
		b := c.connect(0).str("access_token") // a second token of the same store shares its limit
		for i, tok := range []string{a, b, a} {
			r := c.get("retailer", tok)
			if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != strconv.Itoa(2-i) {
				t.Fatalf("request %d: HTTP %d, limit %q remaining %q", i, r.status, r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"))
			}
		}
		clock.Advance(10 * time.Second)
		r := c.get("retailer", b)
		when, err := http.ParseTime(r.header.Get("Retry-After"))
		if r.status != 429 || err != nil || r.str("error") != "Too Many Requests" || r.str("message") != "Rate limiting enforced" {
			t.Fatalf("over the limit: HTTP %d Retry-After %q %s", r.status, r.header.Get("Retry-After"), r.raw)
		}
		if wait := when.Sub(clock.Now()); wait < 49*time.Second || wait > 51*time.Second {
			t.Fatalf("Retry-After is %v away, want the window's end 50 s away", wait)
		}
		// The token address has a limit of its own, with a reset time.
		for i := range xTokenLimit - 2 {
			if r := c.refresh("not-a-token"); r.status != 400 || r.header.Get("X-RateLimit-Reset") != strconv.FormatInt(clock.Now().Add(50*time.Second).Unix(), 10) {
				t.Fatalf("token request %d: HTTP %d reset %q", i, r.status, r.header.Get("X-RateLimit-Reset"))
			}
		}
		if r := c.refresh("not-a-token"); r.status != 429 || r.header.Get("X-RateLimit-Remaining") != "0" {
			t.Fatalf("token request over the limit: HTTP %d remaining %q", r.status, r.header.Get("X-RateLimit-Remaining"))
		}
		plain := startServer(t, Config{Product: XSeries})
		pc := newProductClient(t, plain)
		if r := pc.get("retailer", pc.connect(0).str("access_token")); r.header.Get("X-RateLimit-Limit") != "350" {
			t.Fatalf("default limit %q, want 350", r.header.Get("X-RateLimit-Limit"))
		}
	})
	t.Run("r-series", func(t *testing.T) {
		clock := newClock()
		s := startServer(t, Config{Product: RSeries, RateLimit: 3, Now: clock.Now}) // bucket 3, drains 0.05/s
		c := newProductClient(t, s)
		tok := c.connect(0).str("access_token")
		for i := range 3 {
			r := c.get("Account.json", tok)
			if r.status != 200 || r.header.Get("X-LS-API-Bucket-Level") != strconv.Itoa(i+1)+"/3" || r.header.Get("X-LS-API-Drip-Rate") != "0.05" {
				t.Fatalf("request %d: HTTP %d, bucket %q drip %q", i, r.status, r.header.Get("X-LS-API-Bucket-Level"), r.header.Get("X-LS-API-Drip-Rate"))
			}
		}
		r := c.get("Account.json", tok)
		if r.status != 429 || r.header.Get("Retry-After") != "20" || r.header.Get("X-LS-API-Bucket-Level") != "3/3" {
			t.Fatalf("over the bucket: HTTP %d Retry-After %q level %q", r.status, r.header.Get("Retry-After"), r.header.Get("X-LS-API-Bucket-Level"))
		}
		clock.Advance(20 * time.Second)
		if r := c.get("Account.json", tok); r.status != 200 {
			t.Fatalf("after the bucket drained a unit: HTTP %d", r.status)
		}
		plain := startServer(t, Config{Product: RSeries})
		pc := newProductClient(t, plain)
		if r := pc.get("Account.json", pc.connect(0).str("access_token")); r.header.Get("X-LS-API-Bucket-Level") != "1/60" || r.header.Get("X-LS-API-Drip-Rate") != "1" {
			t.Fatalf("default bucket %q drip %q", r.header.Get("X-LS-API-Bucket-Level"), r.header.Get("X-LS-API-Drip-Rate"))
		}
	})
	t.Run("bare", func(t *testing.T) {
		for _, p := range otherProducts {
			s := startServer(t, Config{Product: p, RateLimit: 1, RateLimitReply: RateLimitBare})
			c := newProductClient(t, s)
			tok := c.connect(0).str("access_token")
			path := map[Product]string{KSeries: "f/data/businesses", XSeries: "retailer", RSeries: "Account.json"}[p]
			c.get(path, tok)
			if r := c.get(path, tok); r.status != 429 || r.header.Get("Retry-After") != "" {
				t.Fatalf("%s bare: HTTP %d Retry-After %q", p, r.status, r.header.Get("Retry-After"))
			}
		}
	})
}

// TestProductRefusedTokens: 401 with the product's own body (X, R: no OAuth error code),
// or 400 with an OAuth body naming invalid_token or expired_token.
func TestProductRefusedTokens(t *testing.T) {
	for _, p := range otherProducts {
		for _, status := range []int{401, 400} {
			s := startServer(t, Config{Product: p, ExpiredStatus: status})
			c := newProductClient(t, s)
			tok := c.connect(0).str("access_token")
			path := map[Product]string{KSeries: "f/data/businesses", XSeries: "retailer", RSeries: "Account.json"}[p]
			s.ExpireAccessTokens()
			r := c.get(path, tok)
			wantErr := "expired_token"
			switch {
			case status == 401 && p == XSeries:
				wantErr = "Unauthorized"
			case status == 401 && p == RSeries:
				wantErr = ""
				if r.str("httpCode") != "401" {
					t.Errorf("%s: body %s", p, r.raw)
				}
			}
			if r.status != status || r.str("error") != wantErr {
				t.Errorf("%s %d: HTTP %d %s", p, status, r.status, r.raw)
			}
		}
	}
}

// TestProductConsentWords: each consent page speaks the product's words and carries the
// scope through its form.
func TestProductConsentWords(t *testing.T) {
	for p, want := range map[Product]string{OSeries: "your company", KSeries: "your business", XSeries: "Harbour Burgers Pty Ltd (harbourburgersptyltd)", RSeries: "your account"} {
		s := startServer(t, Config{Product: p})
		_, body, _ := getPageT(t, s.Info().AuthCodeURL(testRedirect, "s", ""))
		if !strings.Contains(body, want) || !strings.Contains(body, p.words().product) {
			t.Errorf("%s consent page lacks %q", p, want)
		}
		if p != OSeries && !strings.Contains(body, `name="scope" value="`+p.DefaultScope()+`"`) {
			t.Errorf("%s consent form does not carry the scope", p)
		}
	}
}

// TestSlowTokenAnswerIsCarriedOutFirst: with latency, a token request is carried out when it
// arrives and only its answer waits, so a client that gives up while waiting has spent its
// refresh token (under strict rotation, the old one no longer works).
func TestSlowTokenAnswerIsCarriedOutFirst(t *testing.T) {
	for _, p := range Products {
		s := startServer(t, Config{Product: p, RotateRefresh: true, StrictRotation: true})
		c := newProductClient(t, s)
		first := c.connect(0)
		s.SetLatency(time.Second)
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}
		if p != KSeries {
			form.Set("client_id", c.info.ClientID)
			form.Set("client_secret", c.info.ClientSecret)
		}
		req, _ := http.NewRequest(http.MethodPost, c.storeURL(c.info.TokenURL), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if p == KSeries {
			req.SetBasicAuth(c.info.ClientID, c.info.ClientSecret)
		}
		impatient := &http.Client{Timeout: 100 * time.Millisecond}
		if resp, err := impatient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("%s: the slow answer came within 100 ms", p)
		}
		s.SetLatency(0)
		if r := c.refresh(first.str("refresh_token")); r.status != 400 {
			t.Fatalf("%s: the refresh token of a request given up on still works: HTTP %d", p, r.status)
		}
	}
}
