// Package models holds one small, strict stand-in per Lightspeed product, for tests only. Each
// is written from docs/providers.md alone and apart from the practice server (it imports no
// part of the app, and shares no code with lightspeed/practice: internal/layering holds it so),
// so that a test against it checks the app against the recorded facts rather than against the
// practice server's reading of them.
//
// A model plays the consent (approved at once for a chosen business), the token address with
// the product's client authentication, single-use refresh tokens whose reuse ends the grant,
// and the lists of what was connected with the product's paging. Where docs/providers.md says
// "unknown", a model takes its stricter choice.
package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Product names, as docs/providers.md writes them.
const (
	OSeries = "o-series"
	KSeries = "k-series"
	XSeries = "x-series"
	RSeries = "r-series"
)

// All is every product, O-Series first.
var All = []string{OSeries, KSeries, XSeries, RSeries}

// Options shape a model.
type Options struct {
	// Businesses is how many businesses the model knows (at least 1; default 2). K-Series
	// tokens see every one of them ("all businesses the token has access to"); the other
	// products connect the one the person picks (Business).
	Businesses int
	// Business is the index of the business the person picks on the consent page.
	Business int
	// Shops is how many shops (sites, locations, outlets) each business has (default 3).
	Shops int
	// AccessTTL is how long an access token works (default an hour).
	AccessTTL time.Duration
}

// Model is one product's stand-in on loopback HTTP. Its addresses hold the product's
// placeholders where the real ones do: {domain_prefix} (X-Series) and {account_id} (R-Series).
type Model struct {
	Product      string
	URL          string
	AuthorizeURL string
	TokenURL     string
	APIURL       string
	ClientID     string
	ClientSecret string
	// RedirectURI is registered when the model starts; more can be added with Register.
	RedirectURI string

	opts    Options
	srv     *httptest.Server
	latency atomic.Int64
	tokenN  atomic.Int64
	apiN    atomic.Int64
	reuses  atomic.Int64

	mu        sync.Mutex
	redirects map[string]bool
	codes     map[string]*code
	refresh   map[string]*refreshToken
	access    map[string]*accessToken
	limits    map[string]*window
	buckets   map[string]*bucket
}

// code is an authorization code not yet exchanged.
type code struct {
	business    int
	redirectURI string
	scope       string
	challenge   string
	expires     time.Time
	used        bool
	client      string
}

// grant is one consent: every token descended from it dies with it.
type grant struct {
	business int
	scope    string
	revoked  bool
}

type refreshToken struct {
	grant *grant
	used  bool
}

type accessToken struct {
	grant   *grant
	expires time.Time
}

// New starts a model of product on loopback for the test's duration.
func New(tb testing.TB, product string, opts Options) *Model {
	tb.Helper()
	if opts.Businesses <= 0 {
		opts.Businesses = 2
	}
	if opts.Shops < 0 {
		opts.Shops = 0
	} else if opts.Shops == 0 {
		opts.Shops = 3
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = time.Hour
	}
	m := &Model{
		Product: product, opts: opts,
		ClientID: "model-" + product, ClientSecret: random(),
		RedirectURI: "http://127.0.0.1:1/model-callback",
		redirects:   map[string]bool{}, codes: map[string]*code{},
		refresh: map[string]*refreshToken{}, access: map[string]*accessToken{}, limits: map[string]*window{},
	}
	m.redirects[m.RedirectURI] = true
	mux := http.NewServeMux()
	switch product {
	case OSeries:
		m.routesO(mux)
	case KSeries:
		m.routesK(mux)
	case XSeries:
		m.routesX(mux)
	case RSeries:
		m.routesR(mux)
	default:
		tb.Fatalf("models: no product %q", product)
	}
	m.srv = httptest.NewServer(m.slow(mux))
	tb.Cleanup(m.srv.Close)
	m.URL = m.srv.URL
	m.AuthorizeURL, m.TokenURL, m.APIURL = m.addresses()
	return m
}

// addresses are the model's consent, token and API addresses, with placeholders.
func (m *Model) addresses() (string, string, string) {
	u := m.URL
	switch m.Product {
	case KSeries:
		return u + "/realms/k-series/protocol/openid-connect/auth", u + "/realms/k-series/protocol/openid-connect/token", u + "/"
	case XSeries:
		store := u + "/x/{domain_prefix}"
		return u + "/connect", store + "/api/1.0/token", store + "/api/2.0/"
	case RSeries:
		return u + "/auth/oauth/authorize", u + "/auth/oauth/token", u + "/API/V3/Account/{account_id}/"
	}
	return u + "/authorize", u + "/v1/token.json", u + "/v1/"
}

// Register adds a redirect URI (exact match) to the integration.
func (m *Model) Register(uri string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.redirects[uri] = true
}

// SetLatency delays every token and API answer by d.
func (m *Model) SetLatency(d time.Duration) { m.latency.Store(int64(d)) }

// TokenRequests counts requests to the token address, from the moment each arrives.
func (m *Model) TokenRequests() int64 { return m.tokenN.Load() }

// APIRequests counts requests to the API.
func (m *Model) APIRequests() int64 { return m.apiN.Load() }

// Reuses counts used refresh tokens presented again (each ended its grant).
func (m *Model) Reuses() int64 { return m.reuses.Load() }

// BusinessName is the name of business i, as its lists give it.
func BusinessName(i int) string { return fmt.Sprintf("Model Business %03d", i+1) }

// ShopName is the name of shop j of business i.
func ShopName(i, j int) string { return fmt.Sprintf("Model Shop %03d-%03d", i+1, j+1) }

// DomainPrefix is business i's X-Series store name.
func DomainPrefix(i int) string { return fmt.Sprintf("modelstore%03d", i+1) }

// businessID is business i's numeric id (K businessId, R accountID, O company id).
func businessID(i int) int64 { return 7700 + int64(i) }

// shopID is shop j of business i's numeric id.
func shopID(i, j int) int64 { return businessID(i)*10000 + int64(j) + 1 }

// slow counts token requests as they arrive and delays every answer but the consent's by the
// latency (SetLatency). A token request is carried out at once and only its answer waits, as
// when a reply is slow to come back: a client that gives up while waiting has already had its
// refresh token used up, and must not lose the new one.
func (m *Model) slow(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := time.Duration(m.latency.Load())
		if d <= 0 || m.AuthorizeURL == m.URL+r.URL.Path {
			if isToken(r) {
				m.tokenN.Add(1)
			}
			h.ServeHTTP(w, r)
			return
		}
		if !isToken(r) {
			wait(r, d)
			h.ServeHTTP(w, r)
			return
		}
		m.tokenN.Add(1)
		answer := httptest.NewRecorder()
		h.ServeHTTP(answer, r)
		wait(r, d)
		for k, vs := range answer.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(answer.Code)
		_, _ = w.Write(answer.Body.Bytes())
	})
}

func isToken(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, "/token") || strings.HasSuffix(r.URL.Path, "/token.json")
}

// wait waits d, or until the client has gone.
func wait(r *http.Request, d time.Duration) {
	select {
	case <-time.After(d):
	case <-r.Context().Done():
	}
}

func random() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": "model: " + code})
}

// authorize checks a consent request, and answers as the person approving it at once: a
// redirect to the registered redirect URI with a code (or an OAuth error). need says whether
// scope is required; allowed lists the scopes the integration may ask (nil: any, ignored).
func (m *Model) authorize(w http.ResponseWriter, r *http.Request, needScope bool, allowed []string, redirectOptional bool) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	if redirect == "" && redirectOptional {
		redirect = m.RedirectURI
	}
	m.mu.Lock()
	known := m.redirects[redirect]
	m.mu.Unlock()
	if q.Get("client_id") != m.ClientID || !known {
		http.Error(w, "model: unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		u, _ := url.Parse(redirect)
		v := u.Query()
		for k, vs := range params {
			v[k] = vs
		}
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	scope := strings.Join(strings.Fields(strings.ReplaceAll(q.Get("scope"), "+", " ")), " ")
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case needScope && scope == "":
		back(url.Values{"error": {"invalid_request"}})
		return
	case q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256":
		back(url.Values{"error": {"invalid_request"}})
		return
	}
	if allowed != nil {
		for _, s := range strings.Fields(scope) {
			if !slices.Contains(allowed, s) {
				back(url.Values{"error": {"invalid_scope"}})
				return
			}
		}
	}
	c := random()
	m.mu.Lock()
	m.codes[c] = &code{business: m.opts.Business, redirectURI: q.Get("redirect_uri"), scope: scope,
		challenge: q.Get("code_challenge"), expires: time.Now().Add(time.Minute), client: m.ClientID}
	m.mu.Unlock()
	params := url.Values{"code": {c}}
	if m.Product == XSeries {
		params.Set("domain_prefix", DomainPrefix(m.opts.Business))
	}
	back(params)
}

// tokenReply is what a token request earns; product files add their own fields.
type tokenReply map[string]any

// grantTokens handles a checked token request's grant: the code exchange or a refresh. It
// returns the new grant's business and scope and the fresh tokens, or writes the error.
// store is X-Series' store from the token address ("" elsewhere).
func (m *Model) grantTokens(w http.ResponseWriter, form url.Values, store string) (tokenReply, *grant, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var g *grant
	switch form.Get("grant_type") {
	case "authorization_code":
		c, ok := m.codes[form.Get("code")]
		if !ok || c.used || time.Now().After(c.expires) || c.redirectURI != form.Get("redirect_uri") ||
			(store != "" && store != DomainPrefix(c.business)) || !pkceOK(c.challenge, form.Get("code_verifier")) {
			if ok {
				c.used = true
			}
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return nil, nil, false
		}
		c.used = true
		g = &grant{business: c.business, scope: c.scope}
	case "refresh_token":
		rt, ok := m.refresh[form.Get("refresh_token")]
		switch {
		case !ok || rt.grant.revoked || (store != "" && store != DomainPrefix(rt.grant.business)):
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return nil, nil, false
		case rt.used:
			// Single use: a used refresh token presented again ends the whole grant.
			rt.grant.revoked = true
			m.reuses.Add(1)
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return nil, nil, false
		}
		rt.used = true
		g = rt.grant
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return nil, nil, false
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return nil, nil, false
	}
	at, rtok := random(), random()
	m.access[at] = &accessToken{grant: g, expires: time.Now().Add(m.opts.AccessTTL)}
	m.refresh[rtok] = &refreshToken{grant: g}
	return tokenReply{"access_token": at, "refresh_token": rtok, "token_type": "Bearer",
		"expires_in": int64(m.opts.AccessTTL / time.Second)}, g, true
}

// bearer returns the grant of the request's access token (Authorization header only), or nil.
func (m *Model) bearer(r *http.Request) *grant {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.access[tok]
	if !ok || a.grant.revoked || time.Now().After(a.expires) {
		return nil
	}
	return a.grant
}

// ExpireAccessTokens makes every access token issued so far expired.
func (m *Model) ExpireAccessTokens() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.access {
		a.expires = time.Time{}
	}
}

// RefreshWorks reports whether refreshToken is live: unused, of a grant not revoked. It asks
// the model's state, not the token address, so it uses nothing up.
func (m *Model) RefreshWorks(refreshToken string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	rt, ok := m.refresh[refreshToken]
	return ok && !rt.used && !rt.grant.revoked
}

// IssuedSecrets returns every code and token the model issued, and the client secret.
func (m *Model) IssuedSecrets() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []string{m.ClientSecret}
	for k := range m.codes {
		out = append(out, k)
	}
	for k := range m.refresh {
		out = append(out, k)
	}
	for k := range m.access {
		out = append(out, k)
	}
	return out
}

// window is a fixed-window request count.
type window struct {
	start time.Time
	n     int
}

// count counts a request in key's window of length d, and reports the count and the window's
// end.
func (m *Model) count(key string, d time.Duration) (int, time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	w := m.limits[key]
	if w == nil || now.Sub(w.start) >= d {
		w = &window{start: now}
		m.limits[key] = w
	}
	w.n++
	return w.n, w.start.Add(d)
}

// pkceOK checks an S256 verifier against the code's challenge; no challenge wants no verifier.
func pkceOK(challenge, verifier string) bool {
	if challenge == "" {
		return verifier == ""
	}
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:]) == challenge
}

// bodyCredentials checks client_id and client_secret in the form body, refusing HTTP Basic
// and credentials in the address (X- and R-Series, and O-Series' token address). It writes
// the error and returns false.
func (m *Model) bodyCredentials(w http.ResponseWriter, r *http.Request, form url.Values) bool {
	if r.Header.Get("Authorization") != "" || r.URL.Query().Get("client_secret") != "" {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return false
	}
	if form.Get("client_id") != m.ClientID || form.Get("client_secret") != m.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return false
	}
	return true
}

// postForm reads a token request's form body; anything but a POST is refused.
func postForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request")
		return nil, false
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return nil, false
	}
	return r.PostForm, true
}

// Browse plays the person's browser on authURL: the model approves at once and redirects, and
// Browse follows that redirect to the app's callback. It fails when the model answers with
// anything but a redirect carrying a code.
func (m *Model) Browse(ctx context.Context, authURL string) error {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		return fmt.Errorf("models: the consent answered HTTP %d, %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return err
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// AccessWorks reports whether accessToken is live at the model.
func (m *Model) AccessWorks(accessToken string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.access[accessToken]
	return ok && !a.grant.revoked && time.Now().Before(a.expires)
}

// String names the model by product and address; it holds made-up secrets and prints none.
func (m *Model) String() string {
	return "models.Model{" + m.Product + " " + m.URL + " secrets:[redacted]}"
}

// GoString is String, so %#v is redacted too.
func (m *Model) GoString() string { return m.String() }

// Format prints String for every verb.
func (m *Model) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, m.String()) }

// Grant issues tokens for the business the person picks (Options.Business) with scope, as if
// the consent had been approved and the code exchanged: a shortcut for tests of the API
// alone. It returns the access and refresh tokens.
func (m *Model) Grant(scope string) (access, refresh string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := &grant{business: m.opts.Business, scope: scope}
	access, refresh = random(), random()
	m.access[access] = &accessToken{grant: g, expires: time.Now().Add(m.opts.AccessTTL)}
	m.refresh[refresh] = &refreshToken{grant: g}
	return access, refresh
}
