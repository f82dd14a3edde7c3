package practice

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testRedirect = "http://127.0.0.1:8765/callback"

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)} }

// startServer runs a practice server on loopback for one test.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.RedirectURIs == nil {
		cfg.RedirectURIs = []string{testRedirect}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// tokenReply is the token endpoint's answer, success or error.
type tokenReply struct {
	Status int
	TokenSet
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func postToken(t testing.TB, info Info, form url.Values) tokenReply {
	t.Helper()
	resp, err := http.PostForm(info.TokenURL, form)
	if err != nil {
		t.Fatalf("token request: %v", err)
	}
	defer resp.Body.Close()
	var r tokenReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("token reply is not JSON (HTTP %d): %v", resp.StatusCode, err)
	}
	r.Status = resp.StatusCode
	return r
}

func exchangeForm(info Info, code, redirect, verifier string) url.Values {
	f := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
		"client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
	}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return f
}

func refreshForm(info Info, rt string) url.Values {
	return url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt},
		"client_id": {info.ClientID}, "client_secret": {info.ClientSecret},
	}
}

// consentCode runs the consent for company index i and returns the code from the callback.
func consentCode(t testing.TB, s *Server, i int, challenge string) string {
	t.Helper()
	info := s.Info()
	loc, err := Consent(testCtx(t), nil, info.AuthCodeURL(testRedirect, "st-1", challenge), i, true)
	if err != nil {
		t.Fatalf("Consent: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("callback address: %v", err)
	}
	if u.Query().Get("state") != "st-1" || u.Query().Get("code") == "" {
		t.Fatalf("callback lacks code or state: %v", u.Query())
	}
	return u.Query().Get("code")
}

// connect runs consent and exchange for company index i and returns its tokens.
func connect(t testing.TB, s *Server, i int) TokenSet {
	t.Helper()
	ts, err := connectE(s, i)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// connectE is connect for goroutines: it returns the failure instead of ending the test.
func connectE(s *Server, i int) (TokenSet, error) {
	info := s.Info()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	loc, err := Consent(ctx, nil, info.AuthCodeURL(testRedirect, "st", ""), i, true)
	if err != nil {
		return TokenSet{}, err
	}
	u, err := url.Parse(loc)
	if err != nil {
		return TokenSet{}, err
	}
	resp, err := http.PostForm(info.TokenURL, exchangeForm(info, u.Query().Get("code"), testRedirect, ""))
	if err != nil {
		return TokenSet{}, err
	}
	defer resp.Body.Close()
	var ts TokenSet
	if err := json.NewDecoder(resp.Body).Decode(&ts); err != nil || resp.StatusCode != 200 || ts.AccessToken == "" {
		return TokenSet{}, fmt.Errorf("exchange: HTTP %d, %v", resp.StatusCode, err)
	}
	return ts, nil
}

func getPageT(t testing.TB, u string) (int, string, http.Header) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestConsentPage(t *testing.T) {
	s := startServer(t, Config{})
	status, body, h := getPageT(t, s.Info().AuthCodeURL(testRedirect, "abc", ""))
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("consent page: HTTP %d %s", status, h.Get("Content-Type"))
	}
	for _, want := range []string{"Practice", "Harbour Burgers Pty Ltd", "Bondi Bean Co.", "Northside Noodles",
		`name="company_id"`, `name="decision" value="grant"`, `name="decision" value="deny"`, `name="state" value="abc"`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	external := regexp.MustCompile(`(?i)(src|href|action)\s*=\s*"(https?:)?//`)
	if m := external.FindString(body); m != "" {
		t.Errorf("consent page loads an external resource: %s", m)
	}
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Error("consent page uses a script; it must work without JavaScript")
	}
}

func TestAuthorizeRejects(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	bad := info
	bad.ClientID = "someone-else"
	tests := []struct {
		name     string
		url      string
		status   int
		location string
	}{
		{"unknown client", bad.AuthCodeURL(testRedirect, "x", ""), http.StatusBadRequest, ""},
		{"redirect not registered", info.AuthCodeURL("http://127.0.0.1:9999/callback", "x", ""), http.StatusInternalServerError, ""},
		{"redirect differs by a slash", info.AuthCodeURL(testRedirect+"/", "x", ""), http.StatusInternalServerError, ""},
		{"plain PKCE", strings.Replace(info.AuthCodeURL(testRedirect, "x", "abc"), "S256", "plain", 1), http.StatusFound, "error=invalid_request"},
		{"wrong response type", strings.Replace(info.AuthCodeURL(testRedirect, "x", ""), "response_type=code", "response_type=token", 1), http.StatusFound, "error=unsupported_response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, h := getPageT(t, tt.url)
			if status != tt.status {
				t.Fatalf("HTTP %d, want %d", status, tt.status)
			}
			if tt.location != "" && !strings.Contains(h.Get("Location"), tt.location) {
				t.Fatalf("Location %q lacks %q", h.Get("Location"), tt.location)
			}
			if tt.status == http.StatusInternalServerError && !strings.Contains(body, "500") {
				t.Fatalf("error page does not look like Lightspeed's 500 page")
			}
			if tt.status == http.StatusInternalServerError && h.Get("Location") != "" {
				t.Fatalf("a mismatched redirect URI must not redirect")
			}
		})
	}
}

func TestConsentGrantDeny(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	for _, grant := range []bool{true, false} {
		loc, err := Consent(testCtx(t), nil, info.AuthCodeURL(testRedirect, "s t&x", ""), 1, grant)
		if err != nil {
			t.Fatalf("Consent(grant=%v): %v", grant, err)
		}
		u, _ := url.Parse(loc)
		q := u.Query()
		if !strings.HasPrefix(loc, testRedirect+"?") || q.Get("state") != "s t&x" {
			t.Fatalf("grant=%v: redirect %q lacks the registered URI or the state", grant, u.Path)
		}
		if grant && (q.Get("code") == "" || q.Get("error") != "") {
			t.Fatalf("grant: want a code, got error %q", q.Get("error"))
		}
		if !grant && (q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("error_description") == "") {
			t.Fatalf("deny: want access_denied without a code, got %q", q.Get("error"))
		}
	}
}

func TestConsentMismatchedRedirect(t *testing.T) {
	s := startServer(t, Config{})
	_, err := Consent(testCtx(t), nil, s.Info().AuthCodeURL("http://localhost:8765/callback", "x", ""), 0, true)
	var pe *PageError
	if !errors.As(err, &pe) || pe.Status != http.StatusInternalServerError {
		t.Fatalf("want a PageError with HTTP 500, got %v", err)
	}
	s.AddRedirectURI("http://localhost:8765/callback")
	if _, err := Consent(testCtx(t), nil, s.Info().AuthCodeURL("http://localhost:8765/callback", "x", ""), 0, true); err != nil {
		t.Fatalf("after AddRedirectURI: %v", err)
	}
}

func TestExchange(t *testing.T) {
	clock := newClock()
	s := startServer(t, Config{Now: clock.Now, CodeTTL: time.Minute})
	info := s.Info()
	verifier := "a-verifier-that-is-long-enough-for-pkce-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	tests := []struct {
		name    string
		prepare func(code string) url.Values
		pkce    bool
		advance time.Duration
		status  int
		errCode string
	}{
		{"ok", func(c string) url.Values { return exchangeForm(info, c, testRedirect, "") }, false, 0, 200, ""},
		{"ok with PKCE", func(c string) url.Values { return exchangeForm(info, c, testRedirect, verifier) }, true, 0, 200, ""},
		{"PKCE wrong verifier", func(c string) url.Values { return exchangeForm(info, c, testRedirect, verifier+"x") }, true, 0, 400, "invalid_grant"},
		{"PKCE missing verifier", func(c string) url.Values { return exchangeForm(info, c, testRedirect, "") }, true, 0, 400, "invalid_grant"},
		{"redirect mismatch", func(c string) url.Values { return exchangeForm(info, c, testRedirect+"x", "") }, false, 0, 400, "invalid_grant"},
		{"expired", func(c string) url.Values { return exchangeForm(info, c, testRedirect, "") }, false, time.Minute, 400, "invalid_grant"},
		{"almost expired", func(c string) url.Values { return exchangeForm(info, c, testRedirect, "") }, false, time.Minute - time.Second, 200, ""},
		{"unknown code", func(string) url.Values { return exchangeForm(info, "made-up", testRedirect, "") }, false, 0, 400, "invalid_grant"},
		{"wrong secret", func(c string) url.Values {
			f := exchangeForm(info, c, testRedirect, "")
			f.Set("client_secret", "x")
			return f
		}, false, 0, 401, "invalid_client"},
		{"no grant type", func(c string) url.Values { f := exchangeForm(info, c, testRedirect, ""); f.Del("grant_type"); return f }, false, 0, 400, "invalid_request"},
		{"odd grant type", func(c string) url.Values {
			f := exchangeForm(info, c, testRedirect, "")
			f.Set("grant_type", "password")
			return f
		}, false, 0, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := ""
			if tt.pkce {
				ch = challenge
			}
			code := consentCode(t, s, 0, ch)
			clock.Advance(tt.advance)
			r := postToken(t, info, tt.prepare(code))
			if r.Status != tt.status || r.Error != tt.errCode {
				t.Fatalf("HTTP %d %q, want %d %q", r.Status, r.Error, tt.status, tt.errCode)
			}
			if r.Status == 200 && (r.AccessToken == "" || r.RefreshToken == "" || r.ExpiresIn != 3600) {
				t.Fatalf("token set incomplete: expires_in %d", r.ExpiresIn)
			}
		})
	}
}

func TestCodeSingleUse(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	code := consentCode(t, s, 0, "")
	if r := postToken(t, info, exchangeForm(info, code, testRedirect, "")); r.Status != 200 {
		t.Fatalf("first use: HTTP %d %s", r.Status, r.Error)
	}
	if r := postToken(t, info, exchangeForm(info, code, testRedirect, "")); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("second use: HTTP %d %q, want 400 invalid_grant", r.Status, r.Error)
	}
}

func TestBasicAuthAccepted(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	code := consentCode(t, s, 0, "")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect}}
	req, _ := http.NewRequest(http.MethodPost, info.TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(info.ClientID, info.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d with Basic client authentication", resp.StatusCode)
	}
}

func TestRefresh(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		t.Run("rotate="+strconv.FormatBool(rotate), func(t *testing.T) {
			s := startServer(t, Config{RotateRefresh: rotate})
			info := s.Info()
			first := connect(t, s, 0)
			r := postToken(t, info, refreshForm(info, first.RefreshToken))
			if r.Status != 200 || r.AccessToken == first.AccessToken {
				t.Fatalf("refresh: HTTP %d %q", r.Status, r.Error)
			}
			if rotated := r.RefreshToken != first.RefreshToken; rotated != rotate {
				t.Fatalf("refresh token rotated = %v, want %v", rotated, rotate)
			}
			// The old refresh token still works until the new one is used (grace).
			again := postToken(t, info, refreshForm(info, first.RefreshToken))
			if again.Status != 200 {
				t.Fatalf("old refresh token before the new one is used: HTTP %d %q", again.Status, again.Error)
			}
			if used := postToken(t, info, refreshForm(info, again.RefreshToken)); used.Status != 200 {
				t.Fatalf("new refresh token: HTTP %d %q", used.Status, used.Error)
			}
			old := postToken(t, info, refreshForm(info, first.RefreshToken))
			sibling := postToken(t, info, refreshForm(info, r.RefreshToken))
			if rotate && (old.Error != "invalid_grant" || sibling.Error != "invalid_grant") {
				t.Fatalf("after the new token was used, old %q and unused sibling %q should be invalid_grant", old.Error, sibling.Error)
			}
			if !rotate && (old.Status != 200 || sibling.Status != 200) {
				t.Fatalf("without rotation the refresh token must keep working: %q %q", old.Error, sibling.Error)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	companies := s.Companies()
	a, b := connect(t, s, 0), connect(t, s, 1)
	s.RevokeRefreshTokens(companies[0].ID)
	if r := postToken(t, info, refreshForm(info, a.RefreshToken)); r.Status != 400 || r.Error != "invalid_grant" {
		t.Fatalf("revoked refresh: HTTP %d %q", r.Status, r.Error)
	}
	if r := postToken(t, info, refreshForm(info, b.RefreshToken)); r.Status != 200 {
		t.Fatalf("other company's refresh after revoking one: HTTP %d %q", r.Status, r.Error)
	}
	if st, _ := apiGet(t, s, a.AccessToken, "companies/me.json", ""); st != 200 {
		t.Fatalf("access token after revoking refresh tokens only: HTTP %d", st)
	}
	s.RevokeAll()
	if r := postToken(t, info, refreshForm(info, b.RefreshToken)); r.Error != "invalid_grant" {
		t.Fatalf("after RevokeAll: %q", r.Error)
	}
	if st, _ := apiGet(t, s, a.AccessToken, "companies/me.json", ""); st != 401 {
		t.Fatalf("access token after RevokeAll: HTTP %d", st)
	}
}

func apiGet(t testing.TB, s *Server, token, path, accept string) (int, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.Info().APIURL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp.StatusCode, resp
}

func TestAPI(t *testing.T) {
	clock := newClock()
	s := startServer(t, Config{Now: clock.Now})
	tok := connect(t, s, 0)
	other := s.Companies()[1].ID
	own := s.Companies()[0].ID
	tests := []struct {
		name, token, path, accept string
		status                    int
	}{
		{"me", tok.AccessToken, "companies/me.json", "", 200},
		{"me with Accept", tok.AccessToken, "companies/me", "application/json", 200},
		{"me with Accept list", tok.AccessToken, "companies/me", "text/html, application/json;q=0.9", 200},
		{"me without json", tok.AccessToken, "companies/me", "", 406},
		{"me without json, html", tok.AccessToken, "companies/me", "text/html", 406},
		{"no token", "", "companies/me.json", "", 401},
		{"unknown token", "nope", "companies/me.json", "", 401},
		{"sites", tok.AccessToken, "companies/" + strconv.FormatInt(own, 10) + "/sites.json", "", 200},
		{"other company's sites", tok.AccessToken, "companies/" + strconv.FormatInt(other, 10) + "/sites.json", "", 403},
		{"unknown company", tok.AccessToken, "companies/1/sites.json", "", 404},
		{"unknown path", tok.AccessToken, "products.json", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, resp := apiGet(t, s, tt.token, tt.path, tt.accept)
			if st != tt.status {
				t.Fatalf("HTTP %d, want %d", st, tt.status)
			}
			if d, err := http.ParseTime(resp.Header.Get("Date")); err != nil || !d.Equal(clock.Now()) {
				t.Fatalf("Date header %q does not follow the server clock", resp.Header.Get("Date"))
			}
		})
	}
	_, resp := apiGet(t, s, tok.AccessToken, "companies/me.json", "")
	var me struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.ID != own || me.Name != "Harbour Burgers Pty Ltd" {
		t.Fatalf("me.json = %+v, %v", me, err)
	}
	clock.Advance(time.Hour)
	if st, _ := apiGet(t, s, tok.AccessToken, "companies/me.json", ""); st != 401 {
		t.Fatalf("expired access token: HTTP %d", st)
	}
}

// sitesPage asks for one page of a company's sites, with X-Page when page >= 0.
func sitesPage(t testing.TB, address, token string, page int) ([]map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, address, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if page >= 0 {
		req.Header.Set("X-Page", strconv.Itoa(page))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d", address, resp.StatusCode)
	}
	var out []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out, resp.Header
}

func names(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprint(it["name"]))
	}
	return out
}

func TestSitesPagination(t *testing.T) {
	for _, noNext := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoNextPage=%v", noNext), func(t *testing.T) {
			s := startServer(t, Config{Sites: 60, NoNextPage: noNext})
			c := s.Companies()[0]
			tok, err := s.Grant(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			list := s.Info().APIURL + "companies/" + strconv.FormatInt(c.ID, 10) + "/sites.json"
			var byHeader []string
			for page := range 3 {
				items, h := sitesPage(t, list, tok.AccessToken, page)
				if h.Get("X-Pages") != "3" || h.Get("X-Page") != strconv.Itoa(page) || h.Get("Link") != "" {
					t.Fatalf("page %d headers: X-Page %q X-Pages %q Link %q", page, h.Get("X-Page"), h.Get("X-Pages"), h.Get("Link"))
				}
				if want := []int{25, 25, 10}[page]; len(items) != want {
					t.Fatalf("page %d has %d sites, want %d", page, len(items), want)
				}
				if next := h.Get("X-Next-Page"); (next != "") != (!noNext && page < 2) {
					t.Fatalf("page %d X-Next-Page = %q (NoNextPage %v)", page, next, noNext)
				}
				byHeader = append(byHeader, names(items)...)
			}
			if len(byHeader) != 60 || byHeader[0] != "Parramatta" || byHeader[59] != "Site 60" {
				t.Fatalf("sites by X-Page: %d, first %q", len(byHeader), byHeader[0])
			}
			// ?page= is not supported: it is the first page again.
			items, _ := sitesPage(t, list+"?page=2", tok.AccessToken, -1)
			if names(items)[0] != "Parramatta" {
				t.Fatalf("?page=2 should be ignored, got %q first", names(items)[0])
			}
			// Past the end: an empty list.
			if items, _ := sitesPage(t, list, tok.AccessToken, 3); len(items) != 0 {
				t.Fatalf("page past the end has %d sites", len(items))
			}
			if noNext {
				return
			}
			var byNext []string
			next := list
			for next != "" {
				items, h := sitesPage(t, next, tok.AccessToken, -1)
				byNext = append(byNext, names(items)...)
				next = h.Get("X-Next-Page")
				if next != "" && !strings.HasPrefix(next, s.URL()+"/v1/") {
					t.Fatalf("X-Next-Page is not a full address: %q", next)
				}
			}
			if strings.Join(byNext, ",") != strings.Join(byHeader, ",") {
				t.Fatalf("X-Next-Page walk differs from X-Page walk")
			}
			if st := s.Stats(); st.NextPageRequests != 2 {
				t.Fatalf("NextPageRequests = %d, want 2", st.NextPageRequests)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	s := startServer(t, Config{})
	info := s.Info()
	tok := connect(t, s, 0)
	s.SetRetryAfter(7 * time.Second)
	tests := []struct {
		fault  Fault
		status int
		check  func(*http.Response, string) bool
	}{
		{FaultServerError, 500, func(_ *http.Response, b string) bool { return strings.Contains(b, "<html") }},
		{FaultHTML, 200, func(r *http.Response, _ string) bool {
			return strings.HasPrefix(r.Header.Get("Content-Type"), "text/html")
		}},
		{FaultEmpty, 200, func(_ *http.Response, b string) bool { return b == "" }},
		{FaultInvalidGrant, 400, func(_ *http.Response, b string) bool { return strings.Contains(b, `"invalid_grant"`) }},
		{FaultInvalidClient, 401, func(_ *http.Response, b string) bool { return strings.Contains(b, `"invalid_client"`) }},
		{FaultRateLimited, 429, func(r *http.Response, _ string) bool { return r.Header.Get("Retry-After") == "7" }},
		{FaultRateLimitedReset, 429, func(r *http.Response, _ string) bool {
			return r.Header.Get("X-Ratelimit-Reset") == "7" && r.Header.Get("Retry-After") == ""
		}},
		{FaultRateLimitedBare, 429, func(r *http.Response, _ string) bool {
			return r.Header.Get("X-Ratelimit-Reset") == "" && r.Header.Get("Retry-After") == ""
		}},
		{FaultUnauthorized, 401, func(r *http.Response, _ string) bool { return r.Header.Get("WWW-Authenticate") != "" }},
		{FaultWrongShape, 200, func(_ *http.Response, b string) bool { return strings.HasPrefix(b, `"`) }},
	}
	for _, tt := range tests {
		s.FailNextToken(1, tt.fault)
		resp, err := http.PostForm(info.TokenURL, refreshForm(info, tok.RefreshToken))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !tt.check(resp, string(b)) {
			t.Errorf("token fault %d: HTTP %d %.60q", tt.fault, resp.StatusCode, b)
		}
		s.FailNextAPI(1, tt.fault)
		st, _ := apiGet(t, s, tok.AccessToken, "companies/me.json", "")
		if st != tt.status {
			t.Errorf("API fault %d: HTTP %d", tt.fault, st)
		}
	}
	// Faults are used up one request each: the next ones work again.
	if r := postToken(t, info, refreshForm(info, tok.RefreshToken)); r.Status != 200 {
		t.Fatalf("after faults: HTTP %d", r.Status)
	}
	before := s.Stats()
	if before.TokenRequests < int64(len(tests)+2) || before.APIRequests < int64(len(tests)) {
		t.Fatalf("counters too low: %+v", before)
	}
}

func TestRedirectAndNoneFaults(t *testing.T) {
	s := startServer(t, Config{})
	tok := connect(t, s, 0)
	s.Faults().NextAPI(1, FaultNone)
	s.Faults().NextAPI(1, FaultRedirect)
	if st, _ := apiGet(t, s, tok.AccessToken, "companies/me.json", ""); st != 200 {
		t.Fatalf("FaultNone: HTTP %d", st)
	}
	req, _ := http.NewRequest(http.MethodGet, s.Info().APIURL+"companies/me.json", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || !strings.HasPrefix(resp.Header.Get("Location"), s.URL()+"/moved/") {
		t.Fatalf("FaultRedirect: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s.Stats().RedirectsFollowed != 0 {
		t.Fatal("counted a follow that did not happen")
	}
	_, _, _ = getPageT(t, resp.Header.Get("Location"))
	if s.Stats().RedirectsFollowed != 1 {
		t.Fatal("a followed redirect is not counted")
	}
}

func TestSlowFaultEndsWithClient(t *testing.T) {
	s := startServer(t, Config{})
	s.FailNextToken(1, FaultSlow)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.Info().TokenURL, strings.NewReader(""))
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow fault: want the client's deadline, got %v", err)
	}
}

func TestInfo(t *testing.T) {
	s := startServer(t, Config{ClientID: "cid", ClientSecret: "sec"})
	info := s.Info()
	base := s.URL()
	if info.AuthorizeURL != base+"/authorize" || info.TokenURL != base+"/v1/token.json" || info.APIURL != base+"/v1/" ||
		info.ClientID != "cid" || info.ClientSecret != "sec" || info.RedirectURI != testRedirect {
		t.Fatalf("Info = %+v", info)
	}
	b, _ := json.Marshal(info)
	for _, k := range []string{"authorize_url", "token_url", "api_url", "client_id", "client_secret", "redirect_uri"} {
		if !strings.Contains(string(b), `"`+k+`"`) {
			t.Errorf("Info JSON lacks %s", k)
		}
	}
	gen1, _ := New(Config{})
	gen2, _ := New(Config{})
	if gen1.InfoAt("").ClientSecret == gen2.InfoAt("").ClientSecret || len(gen1.InfoAt("").ClientSecret) < 20 {
		t.Fatal("generated client secrets must be random and long")
	}
}

func TestConcurrentFlows(t *testing.T) {
	s := startServer(t, Config{RotateRefresh: true, Companies: 5})
	info := s.Info()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Go(func() {
			tok, err := connectE(s, i%5)
			if err != nil {
				errs <- err
				return
			}
			resp, err := http.PostForm(info.TokenURL, refreshForm(info, tok.RefreshToken))
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("refresh: HTTP %d", resp.StatusCode)
			}
		})
		wg.Go(func() {
			s.SetLatency(0)
			s.AddRedirectURI("http://127.0.0.1:1/cb" + strconv.Itoa(i))
			_ = s.Stats()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewRejectsNegative(t *testing.T) {
	if _, err := New(Config{Companies: -1}); err == nil {
		t.Fatal("negative company count accepted")
	}
}
