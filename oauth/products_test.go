package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// What the flow does per product (docs/providers.md): K-Series authenticates the client with
// HTTP Basic and asks for scopes; X-Series' consent answer names the store (domain_prefix),
// whose own token address gets the code and every refresh; K-Series accepts only https
// Redirect URIs, so the person pastes the address the browser ends on.

// storeProfile is an X-Series-like profile on the fake: the token address is per store.
func storeProfile(f *fakeAS) Profile {
	p := f.profile()
	p.TokenURL = f.srv.URL + "/stores/{domain_prefix}/token"
	p.ConsentParam = "domain_prefix"
	p.Scopes = []string{"retailer:read", "outlets:read"}
	return p
}

// storeFlow starts an X-Series-like attempt whose consent answer carries answer.
func storeFlow(t *testing.T, answer url.Values, reply map[string]any) (*Session, *fakeAS) {
	t.Helper()
	return startFlow(t, "127.0.0.1", func(c *Config) {
		f := fakeOf(t, c)
		f.answerExtra, f.replyExtra = answer, reply
		c.Profile = storeProfile(f)
	})
}

// fakeOf finds the fake a startFlow config points at (startFlow makes a new one per try).
func fakeOf(t *testing.T, c *Config) *fakeAS {
	t.Helper()
	f, ok := fakes.Load(c.Profile.AuthorizeURL)
	if !ok {
		t.Fatal("no fake for this config")
	}
	return f.(*fakeAS)
}

// TestBasicAuthAtTokenAddress: with BasicAuth the exchange and the refresh carry the client's
// credentials in the Authorization header only (the fake accepts no other way), with the
// scope on the consent address; without it, the form body only and no scope parameter.
func TestBasicAuthAtTokenAddress(t *testing.T) {
	s, f := startFlow(t, "127.0.0.1", func(c *Config) {
		fakeOf(t, c).basic = true
		c.Profile.BasicAuth = true
		c.Profile.Scopes = []string{"financial-api", "offline_access"}
	})
	u, _ := url.Parse(s.AuthURL())
	if got := u.Query()["scope"]; len(got) != 1 || got[0] != "financial-api offline_access" {
		t.Errorf("scope on the consent address: %q, want one value \"financial-api offline_access\"", got)
	}
	if status, body := get(t, browser(), s.AuthURL()); status != http.StatusOK {
		t.Fatalf("browser page: %d %q", status, body)
	}
	res, err := waitResult(t, s)
	if err != nil {
		t.Fatalf("Wait: %v (%s)", err, problem.Detail(err))
	}
	p := f.profile()
	p.BasicAuth = true
	if _, err := Refresh(context.Background(), RefreshConfig{Profile: p, ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: res.RefreshToken}); err != nil {
		t.Fatalf("refresh: %v (%s)", err, problem.Detail(err))
	}
	reqs := f.tokenRequests()
	if len(reqs) != 2 {
		t.Fatalf("%d token requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		if !strings.HasPrefix(r.authHeader, "Basic ") || r.form.Has("client_secret") || r.form.Has("client_id") {
			t.Errorf("request %d: Authorization %q, body keys %v: want Basic and no credentials in the body", i, strings.Fields(r.authHeader + " x")[0], keys(r.form))
		}
	}
	if reqs[0].form.Get("grant_type") != "authorization_code" || reqs[1].form.Get("grant_type") != "refresh_token" {
		t.Errorf("grant types %q, %q", reqs[0].form.Get("grant_type"), reqs[1].form.Get("grant_type"))
	}

	// The form-body profile (O-Series, as before): no header, no scope.
	s2, f2 := startFlow(t, "127.0.0.1", nil)
	u2, _ := url.Parse(s2.AuthURL())
	if u2.Query().Has("scope") {
		t.Error("a profile without scopes sends a scope parameter")
	}
	get(t, browser(), s2.AuthURL())
	if _, err := waitResult(t, s2); err != nil {
		t.Fatalf("body auth: %v (%s)", err, problem.Detail(err))
	}
	if r := f2.tokenRequests(); len(r) != 1 || r[0].authHeader != "" || r[0].form.Get("client_secret") != testClientSecret {
		t.Error("the form-body profile sent an Authorization header or no secret in the body")
	}
}

// TestStoreTokenAddress: the consent answer's domain_prefix picks the store's own token
// address for the exchange and, given back as ConsentValue, for every refresh; the result
// names the store; the reply's own domain_prefix (any case) and expires are accepted.
func TestStoreTokenAddress(t *testing.T) {
	s, f := storeFlow(t, url.Values{"domain_prefix": {"Bondi-Bean"}}, map[string]any{"domain_prefix": "bondi-bean", "expires": 4102444800})
	if status, body := get(t, browser(), s.AuthURL()); status != http.StatusOK || !strings.Contains(body, "Connected") {
		t.Fatalf("browser page: %d %q", status, body)
	}
	res, err := waitResult(t, s)
	if err != nil {
		t.Fatalf("Wait: %v (%s)", err, problem.Detail(err))
	}
	if res.ConsentValue != "bondi-bean" {
		t.Errorf("ConsentValue %q, want bondi-bean", res.ConsentValue)
	}
	cfg := RefreshConfig{Profile: storeProfile(f), ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: res.RefreshToken, ConsentValue: res.ConsentValue}
	again, err := Refresh(context.Background(), cfg)
	if err != nil || again.ConsentValue != "bondi-bean" {
		t.Fatalf("refresh: %v (%s), store %q", err, problem.Detail(err), again)
	}
	f.mu.Lock()
	stores := append([]string(nil), f.stores...)
	f.mu.Unlock()
	if strings.Join(stores, ",") != "bondi-bean,bondi-bean" {
		t.Errorf("token requests went to stores %q, want bondi-bean twice", stores)
	}

	// A refresh with no store to build the address from sends nothing.
	cfg.ConsentValue = ""
	if _, err := Refresh(context.Background(), cfg); !problem.Is(err, problem.KindUsage) || problem.Summary(err) != msgStoreUnknown {
		t.Errorf("refresh without a store: %v", err)
	}
	cfg.ConsentValue = "evil.example/x"
	if _, err := Refresh(context.Background(), cfg); !problem.Is(err, problem.KindUsage) {
		t.Errorf("refresh with a bad store: %v", err)
	}
	if n := len(f.tokenRequests()); n != 2 {
		t.Errorf("%d token requests, want 2 (the refused refreshes sent nothing)", n)
	}
}

// TestStoreMissingOrBad: a caught answer without a usable domain_prefix ends the attempt with
// a plain sentence and sends nothing; a value that would steer the address elsewhere counts
// as bad.
func TestStoreMissingOrBad(t *testing.T) {
	cases := []struct {
		name   string
		answer url.Values
		want   string
	}{
		{"missing", nil, msgStoreMissing},
		{"empty", url.Values{"domain_prefix": {""}}, msgStoreMissing},
		{"twice", url.Values{"domain_prefix": {"a", "b"}}, msgStoreBad},
		{"dots", url.Values{"domain_prefix": {"evil.example"}}, msgStoreBad},
		{"path", url.Values{"domain_prefix": {"x/../../v1"}}, msgStoreBad},
		{"at", url.Values{"domain_prefix": {"x@evil"}}, msgStoreBad},
		{"hyphen first", url.Values{"domain_prefix": {"-x"}}, msgStoreBad},
		{"too long", url.Values{"domain_prefix": {strings.Repeat("a", 64)}}, msgStoreBad},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, f := storeFlow(t, tc.answer, nil)
			get(t, browser(), s.AuthURL())
			_, err := waitResult(t, s)
			if !problem.Is(err, problem.KindBadReply) || problem.Summary(err) != tc.want {
				t.Fatalf("got %v (%s), want %q", err, problem.Detail(err), tc.want)
			}
			if n := len(f.tokenRequests()); n != 0 {
				t.Errorf("%d token requests for an unusable store", n)
			}
		})
	}
}

// TestStorePasted: a pasted address that lost its domain_prefix is refused and the attempt
// keeps waiting; the whole address then finishes it.
func TestStorePasted(t *testing.T) {
	redirect := "https://integration.example.com/oauth/callback"
	f := newFakeAS(t, redirect)
	f.answerExtra = url.Values{"domain_prefix": {"bondi-bean"}}
	s, err := Start(context.Background(), Config{Profile: storeProfile(f), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	landed := landedAddress(t, s.AuthURL())
	u, _ := url.Parse(landed)
	q := u.Query()
	q.Del("domain_prefix")
	cut := *u
	cut.RawQuery = q.Encode()
	if _, err := s.Paste(context.Background(), cut.String()); !problem.Is(err, problem.KindUsage) || problem.Summary(err) != msgPasteNoStore {
		t.Fatalf("paste without the store: %v", err)
	}
	res, err := s.Paste(context.Background(), landed)
	if err != nil || res.ConsentValue != "bondi-bean" {
		t.Fatalf("whole address: %v (%s)", err, problem.Detail(err))
	}
}

// TestStoreReplyMismatch: a token reply naming another store is refused, at connect and at
// refresh; its tokens are not returned.
func TestStoreReplyMismatch(t *testing.T) {
	s, f := storeFlow(t, url.Values{"domain_prefix": {"bondi-bean"}}, map[string]any{"domain_prefix": "other-store"})
	get(t, browser(), s.AuthURL())
	res, err := waitResult(t, s)
	if !problem.Is(err, problem.KindWrongCompany) || res != nil || problem.Summary(err) != msgStoreMismatch {
		t.Fatalf("connect: %v, result %v", err, res)
	}
	if !strings.Contains(problem.Detail(err), `"other-store"`) {
		t.Errorf("detail %q does not name the store the reply named", problem.Detail(err))
	}
	f.mu.Lock()
	f.refresh["RT-known"] = true
	f.replyExtra = map[string]any{"domain_prefix": 42}
	f.mu.Unlock()
	cfg := RefreshConfig{Profile: storeProfile(f), ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: "RT-known", ConsentValue: "bondi-bean"}
	res, err = Refresh(context.Background(), cfg)
	if !problem.Is(err, problem.KindWrongCompany) || res != nil || problem.Summary(err) != msgStoreRefresh {
		t.Fatalf("refresh: %v, result %v", err, res)
	}
}

// TestExpiresTolerated: a reply's expires (Unix time) is read when expires_in is missing, and
// ignored when unusable; expires_in wins when both are there.
func TestExpiresTolerated(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	later := now.Add(7 * 24 * time.Hour)
	cases := []struct {
		name  string
		reply map[string]any
		want  time.Time
	}{
		{"expires only", map[string]any{"expires_in": nil, "expires": later.Unix()}, later},
		{"expires as text", map[string]any{"expires_in": nil, "expires": strconv.FormatInt(later.Unix(), 10)}, later},
		{"both", map[string]any{"expires_in": 60, "expires": later.Unix()}, now.Add(time.Minute)},
		{"expires in the past", map[string]any{"expires_in": nil, "expires": now.Add(-time.Hour).Unix()}, now.Add(assumedLifetime)},
		{"expires unreadable", map[string]any{"expires_in": nil, "expires": "soon"}, now.Add(assumedLifetime)},
		{"expires an object", map[string]any{"expires_in": nil, "expires": map[string]any{"at": 1}}, now.Add(assumedLifetime)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t, "http://127.0.0.1:8765/callback")
			f.replyExtra = tc.reply
			f.refresh["RT-known"] = true
			res, err := Refresh(context.Background(), RefreshConfig{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret,
				RefreshToken: "RT-known", Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("%v (%s)", err, problem.Detail(err))
			}
			if !res.Expiry.Equal(tc.want) {
				t.Errorf("expiry %s, want %s", res.Expiry, tc.want)
			}
		})
	}
}

// TestProfileTemplates: a placeholder is allowed where the flow fills it (TokenURL, the
// profile's ConsentParam) or the caller does (APIURL), and refused elsewhere.
func TestProfileTemplates(t *testing.T) {
	base := Profile{Name: "Lightspeed", AuthorizeURL: "https://secure.retail.lightspeed.app/connect",
		TokenURL:     "https://{domain_prefix}.retail.lightspeed.app/api/1.0/token",
		APIURL:       "https://{domain_prefix}.retail.lightspeed.app/api/2.0/",
		ConsentParam: "domain_prefix"}
	if err := base.Validate(); err != nil {
		t.Fatalf("X-Series profile refused: %v", err)
	}
	r := Profile{Name: "Lightspeed", AuthorizeURL: "https://cloud.lightspeedapp.com/auth/oauth/authorize",
		TokenURL: "https://cloud.lightspeedapp.com/auth/oauth/token", APIURL: "https://api.lightspeedapp.com/API/V3/Account/{account_id}/"}
	if err := r.Validate(); err != nil {
		t.Fatalf("R-Series profile refused: %v", err)
	}
	bad := map[string]func(p *Profile){
		"no consent param":       func(p *Profile) { p.ConsentParam = "" },
		"another placeholder":    func(p *Profile) { p.TokenURL = "https://{account_id}.example.com/token" },
		"placeholder at sign-in": func(p *Profile) { p.AuthorizeURL = "https://{domain_prefix}.example.com/connect" },
		"unmatched brace":        func(p *Profile) { p.TokenURL = "https://{domain_prefix.example.com/token" },
		"plain http":             func(p *Profile) { p.TokenURL = "http://{domain_prefix}.example.com/token" },
		"odd param name":         func(p *Profile) { p.ConsentParam = "a b" },
	}
	for name, mutate := range bad {
		p := base
		mutate(&p)
		if err := p.Validate(); !problem.Is(err, problem.KindUsage) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	if err := ProbeTokenEndpoint(context.Background(), base.TokenURL, nil); err != nil {
		t.Errorf("a per-store token address is probed: %v", err)
	}
}

// TestHTTPSOnlyRedirect: where the product accepts only https (K-Series), an https address on
// this computer or the web is accepted for pasting, a plain http one refused with a sentence
// that suggests https; other profiles keep today's rules.
func TestHTTPSOnlyRedirect(t *testing.T) {
	k := Profile{RedirectHTTPSOnly: true}
	for _, raw := range []string{"https://127.0.0.1:8765/callback", "https://localhost/callback", "https://[::1]:9000/cb", "https://integration.example.com/cb"} {
		r, err := k.CheckRedirectURI(raw)
		if err != nil || r.Catchable() || r.Message == "" {
			t.Errorf("%s: %v, catchable %v, message %q", raw, err, r.Catchable(), r.Message)
		}
	}
	for _, raw := range []string{"http://127.0.0.1:8765/callback", "http://integration.example.com/cb", "", "https://0.0.0.0:8765/cb"} {
		_, err := k.CheckRedirectURI(raw)
		if !problem.Is(err, problem.KindRedirectURI) || strings.Contains(problem.Summary(err), "http://") {
			t.Errorf("%q: %v (a sentence here must suggest https only)", raw, err)
		}
	}
	if _, err := (Profile{}).CheckRedirectURI("https://127.0.0.1:8765/callback"); problem.Summary(err) != msgRedirectHTTPS {
		t.Errorf("O-Series rules changed: %v", err)
	}

	// The whole K-Series connect: an https loopback Redirect URI, nothing listens, the pasted
	// address finishes it.
	redirect := "https://127.0.0.1:8765/callback"
	f := newFakeAS(t, redirect)
	f.basic = true
	p := f.profile()
	p.BasicAuth, p.RedirectHTTPSOnly, p.Scopes = true, true, []string{"financial-api"}
	s, err := Start(context.Background(), Config{Profile: p, ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer s.Close()
	if s.Catchable() || len(listenAddrs(s)) != 0 {
		t.Fatal("an https Redirect URI was listened for")
	}
	if res, err := s.Paste(context.Background(), landedAddress(t, s.AuthURL())); err != nil || res.AccessToken == "" {
		t.Fatalf("paste: %v (%s)", err, problem.Detail(err))
	}
	p.RedirectHTTPSOnly = true
	if _, err := Start(context.Background(), Config{Profile: p, ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: "http://127.0.0.1:8765/callback"}); !problem.Is(err, problem.KindRedirectURI) {
		t.Errorf("Start took a plain http Redirect URI for an https-only product: %v", err)
	}
}

// TestRefreshExpiry: K-Series' refresh_expires_in gives the refresh token's end; 0 (an
// offline_access token), nothing or nonsense gives none.
func TestRefreshExpiry(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		v    any
		want time.Time
	}{
		{"14 days", 1209600, now.Add(14 * 24 * time.Hour)},
		{"as text", "1800", now.Add(30 * time.Minute)},
		{"offline", 0, time.Time{}},
		{"absent", nil, time.Time{}},
		{"negative", -5, time.Time{}},
		{"absurd", 1e15, time.Time{}},
		{"words", "a while", time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t, "http://127.0.0.1:8765/callback")
			f.replyExtra = map[string]any{"refresh_expires_in": tc.v}
			f.refresh["RT-known"] = true
			res, err := Refresh(context.Background(), RefreshConfig{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret,
				RefreshToken: "RT-known", Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("%v (%s)", err, problem.Detail(err))
			}
			if !res.RefreshExpiry.Equal(tc.want) {
				t.Errorf("refresh expiry %s, want %s", res.RefreshExpiry, tc.want)
			}
		})
	}
}
