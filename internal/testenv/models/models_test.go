package models

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The models' own tests: each model, driven over HTTP as its product's docs say a client
// does, connects, lists what was connected over more than one page, refreshes twice, and
// refuses what its product refuses.

type got struct {
	status int
	header http.Header
	body   map[string]any
	list   []any
}

func call(t *testing.T, req *http.Request) got {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	g := got{status: resp.StatusCode, header: resp.Header}
	if json.Unmarshal(b, &g.body) != nil {
		_ = json.Unmarshal(b, &g.list)
	}
	return g
}

// client plays a correct client of m's product.
type client struct {
	t     *testing.T
	m     *Model
	store string
	acct  string
	lone  int // R-Series pages whose one shop came as an object
}

var scopes = map[string]string{KSeries: "financial-api offline_access", XSeries: "retailer:read outlets:read", RSeries: "employee:all"}

func (c *client) expand(address string) string {
	return strings.NewReplacer("{domain_prefix}", c.store, "{account_id}", c.acct).Replace(address)
}

func (c *client) consent() url.Values {
	c.t.Helper()
	q := url.Values{"client_id": {c.m.ClientID}, "redirect_uri": {c.m.RedirectURI}, "state": {"s1"}, "response_type": {"code"}}
	if s := scopes[c.m.Product]; s != "" {
		q.Set("scope", s)
	}
	req, _ := http.NewRequest(http.MethodGet, c.m.AuthorizeURL+"?"+q.Encode(), nil)
	g := call(c.t, req)
	loc, _ := url.Parse(g.header.Get("Location"))
	if g.status != http.StatusFound || loc == nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		c.t.Fatalf("consent: HTTP %d %v", g.status, g.header.Get("Location"))
	}
	return loc.Query()
}

func (c *client) token(form url.Values) got {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.expand(c.m.TokenURL), nil)
	if c.m.Product == KSeries {
		req.SetBasicAuth(c.m.ClientID, c.m.ClientSecret)
	} else {
		form.Set("client_id", c.m.ClientID)
		form.Set("client_secret", c.m.ClientSecret)
	}
	req.Body = io.NopCloser(strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return call(c.t, req)
}

func (c *client) connect() (access, refresh string) {
	c.t.Helper()
	q := c.consent()
	c.store = q.Get("domain_prefix")
	g := c.token(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {c.m.RedirectURI}})
	if g.status != 200 {
		c.t.Fatalf("exchange: HTTP %d %v", g.status, g.body)
	}
	return g.body["access_token"].(string), g.body["refresh_token"].(string)
}

func (c *client) get(address, access string, header map[string]string) got {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, address, nil)
	req.Header.Set("Authorization", "Bearer "+access)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return call(c.t, req)
}

// list pages through what was connected and returns the shop names and the page count.
func (c *client) list(access string) ([]string, int) {
	c.t.Helper()
	var names []string
	pages := 0
	switch c.m.Product {
	case OSeries:
		me := c.get(c.m.APIURL+"companies/me.json", access, nil)
		id := strconv.FormatFloat(me.body["id"].(float64), 'f', -1, 64)
		for page := 0; ; page++ {
			g := c.get(c.m.APIURL+"companies/"+id+"/sites.json", access, map[string]string{"X-Page": strconv.Itoa(page)})
			pages++
			for _, s := range g.list {
				names = append(names, s.(map[string]any)["name"].(string))
			}
			if n, _ := strconv.Atoi(g.header.Get("X-Pages")); page+1 >= n {
				return names, pages
			}
		}
	case KSeries:
		for page := 0; ; page++ {
			g := c.get(c.m.APIURL+"f/data/businesses?size=1&page="+strconv.Itoa(page), access, nil)
			list := g.body["_embedded"].(map[string]any)["businessList"].([]any)
			if len(list) == 0 {
				return names, pages
			}
			pages++
			for _, b := range list {
				for _, l := range b.(map[string]any)["businessLocations"].([]any) {
					names = append(names, l.(map[string]any)["blName"].(string))
				}
			}
		}
	case XSeries:
		after := "0"
		for {
			g := c.get(c.expand(c.m.APIURL)+"outlets?page_size=200&after="+after, access, nil)
			data := g.body["data"].([]any)
			if len(data) == 0 {
				return names, pages
			}
			pages++
			for _, o := range data {
				names = append(names, o.(map[string]any)["name"].(string))
			}
			after = strconv.FormatFloat(g.body["version"].(map[string]any)["max"].(float64), 'f', -1, 64)
		}
	case RSeries:
		acct := c.get(strings.Replace(c.m.APIURL, "Account/{account_id}/", "Account.json", 1), access, nil)
		c.acct = acct.body["Account"].(map[string]any)["accountID"].(string)
		next := c.expand(c.m.APIURL) + "Shop.json"
		for next != "" {
			g := c.get(next, access, nil)
			pages++
			switch s := g.body["Shop"].(type) {
			case []any:
				for _, x := range s {
					names = append(names, x.(map[string]any)["name"].(string))
				}
			case map[string]any:
				names = append(names, s["name"].(string))
				c.lone++
			}
			next = g.body["@attributes"].(map[string]any)["next"].(string)
		}
		return names, pages
	}
	return nil, 0
}

// shopsFor makes every product's list span more than one page for the client above.
var shopsFor = map[string]int{OSeries: 30, KSeries: 2, XSeries: 201, RSeries: 101}

func TestModelsConnectListRefresh(t *testing.T) {
	for _, p := range All {
		t.Run(p, func(t *testing.T) {
			m := New(t, p, Options{Shops: shopsFor[p], Businesses: 3, Business: 1})
			c := &client{t: t, m: m}
			access, refresh := c.connect()
			names, pages := c.list(access)
			want := shopsFor[p]
			first := ShopName(1, 0)
			if p == KSeries { // the token sees every business
				want, first = 3*shopsFor[p], ShopName(0, 0)
			}
			if len(names) != want || pages < 2 || names[0] != first {
				t.Fatalf("listed %d in %d pages (first %q), want %d in more than one", len(names), pages, names[0], want)
			}
			if p == RSeries && c.lone != 1 { // 101 shops: the second page holds one, as an object
				t.Fatalf("%d pages held a lone shop as an object, want 1", c.lone)
			}
			for round := range 2 {
				g := c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
				if g.status != 200 || g.body["refresh_token"] == refresh {
					t.Fatalf("refresh %d: HTTP %d %v", round, g.status, g.body)
				}
				if m.RefreshWorks(refresh) {
					t.Fatalf("refresh %d: the used refresh token still works", round)
				}
				refresh = g.body["refresh_token"].(string)
			}
			// A used one again ends the grant: the newest dies with it.
			g := c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
			if g.status != 200 {
				t.Fatal(g.status)
			}
			if again := c.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}); again.status != 400 || again.body["error"] != "invalid_grant" {
				t.Fatalf("reuse: HTTP %d %v", again.status, again.body)
			}
			if m.RefreshWorks(g.body["refresh_token"].(string)) || m.Reuses() != 1 {
				t.Fatal("a reused refresh token did not end the grant")
			}
		})
	}
}

// TestModelsRefuse: each model refuses the client authentication its product does not take,
// a missing required scope, and an expired access token.
func TestModelsRefuse(t *testing.T) {
	for _, p := range All {
		t.Run(p, func(t *testing.T) {
			m := New(t, p, Options{})
			c := &client{t: t, m: m}
			access, refresh := c.connect()
			// The other way of authenticating.
			req, _ := http.NewRequest(http.MethodPost, c.expand(m.TokenURL), nil)
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
			if p == KSeries {
				form.Set("client_id", m.ClientID)
				form.Set("client_secret", m.ClientSecret)
			} else {
				req.SetBasicAuth(m.ClientID, m.ClientSecret)
			}
			req.Body = io.NopCloser(strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if g := call(t, req); g.status != 401 || g.body["error"] != "invalid_client" {
				t.Fatalf("wrong client authentication: HTTP %d %v", g.status, g.body)
			}
			// Both ways at once: two methods (RFC 6749 section 2.3), or Basic where the body is
			// the way.
			both := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {m.ClientID}, "client_secret": {m.ClientSecret}}
			req, _ = http.NewRequest(http.MethodPost, c.expand(m.TokenURL), strings.NewReader(both.Encode()))
			req.SetBasicAuth(m.ClientID, m.ClientSecret)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if g := call(t, req); g.status != 401 {
				t.Fatalf("Basic and body together: HTTP %d %v", g.status, g.body)
			}
			if !m.RefreshWorks(refresh) {
				t.Fatal("a refused request used up the refresh token")
			}
			if p == XSeries { // another store's addresses know neither the tokens nor the code
				other := &client{t: t, m: m, store: DomainPrefix(1)}
				if g := other.get(other.expand(m.APIURL)+"retailer", access, nil); g.status != 401 {
					t.Fatalf("a token at another store: HTTP %d", g.status)
				}
				if g := other.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}); g.status != 400 {
					t.Fatalf("a refresh token at another store: HTTP %d", g.status)
				}
				q := c.consent()
				if g := other.token(url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {m.RedirectURI}}); g.status != 400 {
					t.Fatalf("a code at another store: HTTP %d", g.status)
				}
			}
			if p == KSeries || p == RSeries {
				q := url.Values{"client_id": {m.ClientID}, "redirect_uri": {m.RedirectURI}, "response_type": {"code"}}
				req, _ := http.NewRequest(http.MethodGet, m.AuthorizeURL+"?"+q.Encode(), nil)
				loc, _ := url.Parse(call(t, req).header.Get("Location"))
				if loc.Query().Get("error") != "invalid_request" {
					t.Fatalf("no scope: %v", loc)
				}
			}
			m.ExpireAccessTokens()
			address := map[string]string{OSeries: m.APIURL + "companies/me.json", KSeries: m.APIURL + "f/data/businesses",
				XSeries: c.expand(m.APIURL) + "retailer", RSeries: strings.Replace(m.APIURL, "Account/{account_id}/", "Account.json", 1)}[p]
			if g := c.get(address, access, nil); g.status != 401 {
				t.Fatalf("expired token: HTTP %d", g.status)
			}
		})
	}
}

// TestModelsRateLimitHeaders: X-Series and R-Series replies say how much of the limit is left.
func TestModelsRateLimitHeaders(t *testing.T) {
	x := New(t, XSeries, Options{})
	cx := &client{t: t, m: x}
	ax, _ := cx.connect()
	g := cx.get(cx.expand(x.APIURL)+"retailer", ax, nil)
	if g.header.Get("X-RateLimit-Limit") != "350" || g.header.Get("X-RateLimit-Remaining") != "349" {
		t.Fatalf("X-Series headers %v", g.header)
	}
	r := New(t, RSeries, Options{})
	cr := &client{t: t, m: r}
	ar, _ := cr.connect()
	for i := range int(rBucket) {
		g := cr.get(strings.Replace(r.APIURL, "Account/{account_id}/", "Account.json", 1), ar, nil)
		if g.status != 200 {
			t.Fatalf("request %d: HTTP %d", i, g.status)
		}
	}
	g = cr.get(strings.Replace(r.APIURL, "Account/{account_id}/", "Account.json", 1), ar, nil)
	if secs, _ := strconv.Atoi(g.header.Get("Retry-After")); g.status != 429 || secs < 1 {
		t.Fatalf("over the bucket: HTTP %d Retry-After %q level %q", g.status, g.header.Get("Retry-After"), g.header.Get("X-LS-API-Bucket-Level"))
	}
}

// TestModelBrowse: Browse approves and lands on the app's callback with the code, and fails
// on a consent the model refuses.
func TestModelBrowse(t *testing.T) {
	codes := make(chan string, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { codes <- r.URL.Query().Get("code") }))
	defer app.Close()
	m := New(t, XSeries, Options{})
	m.Register(app.URL + "/cb")
	q := url.Values{"client_id": {m.ClientID}, "redirect_uri": {app.URL + "/cb"}, "response_type": {"code"}, "state": {"s"}}
	if err := m.Browse(context.Background(), m.AuthorizeURL+"?"+q.Encode()); err != nil || <-codes == "" {
		t.Fatalf("Browse: %v", err)
	}
	q.Set("scope", "everything:write")
	if err := m.Browse(context.Background(), m.AuthorizeURL+"?"+q.Encode()); err == nil {
		t.Fatal("Browse followed a refused consent")
	}
}

func TestModelPrintsNoSecret(t *testing.T) {
	m := New(t, OSeries, Options{})
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if out := fmt.Sprintf(verb, m); strings.Contains(out, m.ClientSecret) {
			t.Errorf("%s shows the client secret: %s", verb, out)
		}
	}
}

// TestModelCountsTokenRequestsOnArrival: a slow token request is counted before it is
// answered, so a test can interrupt a client while the request is on its way.
func TestModelCountsTokenRequestsOnArrival(t *testing.T) {
	m := New(t, RSeries, Options{})
	c := &client{t: t, m: m}
	_, refresh := c.connect()
	m.SetLatency(700 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {m.ClientID}, "client_secret": {m.ClientSecret}}
		resp, err := http.PostForm(m.TokenURL, form)
		if err == nil {
			resp.Body.Close()
		}
	}()
	deadline := time.Now().Add(500 * time.Millisecond)
	for m.TokenRequests() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the slow token request was not counted while on its way")
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("the token request was answered before the latency")
	default:
	}
	m.SetLatency(0)
	<-done
}
