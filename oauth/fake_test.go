package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Test credentials; the tests assert that none of them leaks.
const (
	testClientID     = "client-id-123"
	testClientSecret = "SECRET-do-not-print-7f3a"
)

// tokenRequest is what the fake token endpoint received.
type tokenRequest struct {
	form       url.Values
	authHeader string
}

// fakeAS is a small authorization server in Lightspeed's shape: /authorize redirects with a
// one-time code; /v1/token.json takes credentials in the form body only.
type fakeAS struct {
	srv      *httptest.Server
	redirect string // the registered Redirect URI

	mu         sync.Mutex
	deny       bool
	iss        string // when set, the authorization response carries iss=iss (RFC 9207)
	rotate     bool
	codes      map[string]string // unused code -> PKCE challenge ("" when none)
	refresh    map[string]bool   // valid refresh tokens
	requests   []tokenRequest
	n          int
	tokenHook  http.HandlerFunc // when set, answers /v1/token.json instead
	arrived    chan struct{}    // when set, gets a value per token request
	holdTokens chan struct{}    // when set, token requests wait for it to close

	// Per product (see products_test.go).
	basic       bool           // the client authenticates with HTTP Basic only (K-Series)
	answerExtra url.Values     // added to the consent answer (X-Series: domain_prefix)
	replyExtra  map[string]any // added to every token reply
	stores      []string       // the store of each request to /stores/{prefix}/token
}

func newFakeAS(t testing.TB, redirect string) *fakeAS {
	t.Helper()
	f := &fakeAS{redirect: redirect, codes: map[string]string{}, refresh: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", f.authorize)
	mux.HandleFunc("/v1/token.json", f.token)
	mux.HandleFunc("/stores/{prefix}/token", f.storeToken)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	fakes.Store(f.srv.URL+"/authorize", f)
	t.Cleanup(func() { fakes.Delete(f.srv.URL + "/authorize") })
	return f
}

// fakes finds a fake by its consent address (see fakeOf).
var fakes sync.Map

// profile points the flow at the fake.
func (f *fakeAS) profile() Profile {
	return Profile{Name: "Lightspeed", AuthorizeURL: f.srv.URL + "/authorize", TokenURL: f.srv.URL + "/v1/token.json", APIURL: f.srv.URL + "/v1/"}
}

func (f *fakeAS) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	redirect := f.redirect
	f.mu.Unlock()
	if q.Get("client_id") != testClientID || q.Get("redirect_uri") != redirect || q.Get("response_type") != "code" || q.Get("state") == "" {
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError) // what Lightspeed does
		return
	}
	if q.Has("code_challenge") && q.Get("code_challenge_method") != "S256" {
		http.Error(w, "400 PKCE method must be S256", http.StatusBadRequest) // no plain challenges
		return
	}
	f.mu.Lock()
	deny := f.deny
	f.n++
	code := "CODE-" + strconv.Itoa(f.n) + "-x9"
	if !deny {
		f.codes[code] = q.Get("code_challenge")
	}
	f.mu.Unlock()
	back := url.Values{"state": {q.Get("state")}}
	f.mu.Lock()
	if f.iss != "" {
		back.Set("iss", f.iss)
	}
	f.mu.Unlock()
	for k, v := range f.answerExtra {
		back[k] = v
	}
	if deny {
		back.Set("error", "access_denied")
	} else {
		back.Set("code", code)
	}
	http.Redirect(w, r, redirect+"?"+back.Encode(), http.StatusFound)
}

func (f *fakeAS) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	f.requests = append(f.requests, tokenRequest{form: r.PostForm, authHeader: r.Header.Get("Authorization")})
	hook, arrived, hold := f.tokenHook, f.arrived, f.holdTokens
	f.mu.Unlock()
	if arrived != nil {
		select {
		case arrived <- struct{}{}:
		default: // nobody is counting any more
		}
	}
	if hold != nil {
		<-hold
	}
	if hook != nil {
		hook(w, r)
		return
	}
	f.mu.Lock()
	basic := f.basic
	f.mu.Unlock()
	if !f.clientAuthenticated(r, basic) {
		writeJSON(w, 401, map[string]any{"error": "invalid_client"})
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		f.grantCode(w, r.PostForm)
	case "refresh_token":
		f.grantRefresh(w, r.PostForm)
	default:
		writeJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
	}
}

// clientAuthenticated checks the client's credentials the one way the server accepts:
// HTTP Basic (RFC 6749 §2.3.1: each part form-encoded first) with no secret in the body, or
// the body with no Authorization header.
func (f *fakeAS) clientAuthenticated(r *http.Request, basic bool) bool {
	if !basic {
		return r.Header.Get("Authorization") == "" &&
			r.PostForm.Get("client_id") == testClientID && r.PostForm.Get("client_secret") == testClientSecret
	}
	id, secret, ok := r.BasicAuth()
	if !ok || r.PostForm.Has("client_secret") {
		return false
	}
	id, err1 := url.QueryUnescape(id)
	secret, err2 := url.QueryUnescape(secret)
	return err1 == nil && err2 == nil && id == testClientID && secret == testClientSecret
}

// storeToken is a store's own token address (X-Series: https://{prefix}.retail.lightspeed.app/
// api/1.0/token), played on one host by a path per store.
func (f *fakeAS) storeToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.stores = append(f.stores, r.PathValue("prefix"))
	f.mu.Unlock()
	f.token(w, r)
}

func (f *fakeAS) grantCode(w http.ResponseWriter, form url.Values) {
	f.mu.Lock()
	challenge, ok := f.codes[form.Get("code")]
	delete(f.codes, form.Get("code"))
	redirect := f.redirect
	f.mu.Unlock()
	if !ok || form.Get("redirect_uri") != redirect {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "code is invalid or expired"})
		return
	}
	if challenge != "" {
		sum := sha256.Sum256([]byte(form.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "PKCE verification failed"})
			return
		}
	}
	f.issue(w, true)
}

func (f *fakeAS) grantRefresh(w http.ResponseWriter, form url.Values) {
	f.mu.Lock()
	ok := f.refresh[form.Get("refresh_token")]
	rotate := f.rotate
	if ok && rotate {
		delete(f.refresh, form.Get("refresh_token"))
	}
	f.mu.Unlock()
	if !ok {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "refresh token revoked"})
		return
	}
	f.issue(w, rotate)
}

// issue answers with a fresh access token, and a fresh refresh token when withRefresh.
func (f *fakeAS) issue(w http.ResponseWriter, withRefresh bool) {
	f.mu.Lock()
	f.n++
	body := map[string]any{"access_token": fmt.Sprintf("AT-%d-secretish", f.n), "expires_in": 3600, "token_type": "bearer"}
	for k, v := range f.replyExtra {
		if v == nil {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	if withRefresh {
		rt := fmt.Sprintf("RT-%d-secretish", f.n)
		f.refresh[rt] = true
		body["refresh_token"] = rt
	}
	f.mu.Unlock()
	writeJSON(w, 200, body)
}

// hold makes token requests wait until release is called, and at the latest when the test
// ends, so that a failing test never leaves a request (and the server's Close) stuck.
func (f *fakeAS) hold(t testing.TB) (release func(), arrived chan struct{}) {
	ch, arrived := make(chan struct{}), make(chan struct{}, 8)
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	f.mu.Lock()
	f.holdTokens, f.arrived = ch, arrived
	f.mu.Unlock()
	t.Cleanup(release)
	return release, arrived
}

func (f *fakeAS) tokenRequests() []tokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tokenRequest(nil), f.requests...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// freePort finds a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startFlow starts a session against a fresh fake on a free port (retrying if another test
// grabbed the port meanwhile) and closes it at the end of the test.
func startFlow(t testing.TB, host string, mutate func(*Config)) (*Session, *fakeAS) {
	t.Helper()
	for try := 0; ; try++ {
		redirect := fmt.Sprintf("http://%s/callback", net.JoinHostPort(host, strconv.Itoa(freePort(t))))
		if host == "localhost" {
			redirect = fmt.Sprintf("http://localhost:%d/callback", freePort(t))
		}
		f := newFakeAS(t, redirect)
		cfg := Config{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect, Timeout: 2 * time.Minute}
		if mutate != nil {
			mutate(&cfg)
		}
		s, err := Start(context.Background(), cfg)
		if problem.Is(err, problem.KindPortInUse) && try < 5 {
			continue
		}
		if err != nil {
			t.Fatalf("Start: %v (%s)", err, problem.Detail(err))
		}
		t.Cleanup(func() { _ = s.Close() })
		return s, f
	}
}

// browser is an HTTP client that follows redirects like a browser, on loopback only.
func browser() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

// waitResult runs Wait with a generous deadline.
func waitResult(t testing.TB, s *Session) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return s.Wait(ctx)
}

// dialFails reports whether nothing listens on addr any more.
func dialFails(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		c.Close()
		return false
	}
	return true
}

// get fetches u and returns the status and body.
func get(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET: %v", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(body)
}

// listenAddrs returns the addresses a session actually listens on.
func listenAddrs(s *Session) []string {
	out := make([]string, 0, len(s.listeners))
	for _, ln := range s.listeners {
		out = append(out, ln.Addr().String())
	}
	return out
}
