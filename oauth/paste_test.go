package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// landedAddress follows the consent page like a browser but stops at the redirect, returning
// the address the browser would end on (nothing outside loopback is ever contacted).
func landedAddress(t *testing.T, authURL string) string {
	t.Helper()
	var landed string
	c := browser()
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		landed = req.URL.String()
		return http.ErrUseLastResponse
	}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if landed == "" {
		t.Fatalf("no redirect (status %d)", resp.StatusCode)
	}
	return landed
}

// TestPasteFallback: a web-address Redirect URI is not caught; the pasted address finishes the
// flow, after refusals for garbage, a wrong state and the sign-in address itself.
func TestPasteFallback(t *testing.T) {
	redirect := "https://integration.example.com/oauth/callback"
	f := newFakeAS(t, redirect)
	s, err := Start(context.Background(), Config{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Catchable() || len(listenAddrs(s)) != 0 || s.redirect.Message == "" {
		t.Fatal("a web address must not be caught or listened for")
	}
	landed := landedAddress(t, s.AuthURL())
	u, _ := url.Parse(landed)
	wrong := *u
	q := wrong.Query()
	q.Set("state", "someone-elses-state")
	wrong.RawQuery = q.Encode()
	refusals := []struct {
		name, text string
		kind       problem.Kind
	}{
		{"empty", "  ", problem.KindUsage},
		{"garbage", "hello there", problem.KindUsage},
		{"no query", redirect, problem.KindUsage},
		{"wrong state", wrong.String(), problem.KindStateMismatch},
		{"sign-in address", s.AuthURL(), problem.KindUsage},
		{"huge", redirect + "?" + strings.Repeat("a=b&", 5000), problem.KindUsage},
	}
	for _, tc := range refusals {
		if _, err := s.Paste(context.Background(), tc.text); problem.KindOf(err) != tc.kind {
			t.Errorf("%s: got %q (%v), want %q", tc.name, problem.KindOf(err), err, tc.kind)
		}
	}
	if got, want := problem.Summary(mustErr(s.Paste(context.Background(), s.AuthURL()))), msgPasteAuthorize; got != want {
		t.Errorf("sign-in address: %q", got)
	}
	if len(f.tokenRequests()) != 0 {
		t.Fatal("a refused paste reached the token endpoint")
	}
	res, err := s.Paste(context.Background(), "  "+landed+"  ")
	if err != nil || !strings.HasPrefix(res.AccessToken, "AT-") {
		t.Fatalf("good paste: %v (%s)", err, problem.Detail(err))
	}
	if w, err := waitResult(t, s); err != nil || w.AccessToken != res.AccessToken {
		t.Fatal("Wait does not see the pasted outcome")
	}
	// Pasting again does not spend another code.
	if again, err := s.Paste(context.Background(), landed); err != nil || again.AccessToken != res.AccessToken || len(f.tokenRequests()) != 1 {
		t.Fatal("a second paste exchanged again or changed the outcome")
	}
}

func mustErr(_ *Result, err error) error { return err }

// TestPasteOnCatchableSession: the paste box works even when the app listens.
func TestPasteOnCatchableSession(t *testing.T) {
	s, f := startFlow(t, "127.0.0.1", nil)
	landed := landedAddress(t, s.AuthURL())
	if _, err := s.Paste(context.Background(), landed); err != nil {
		t.Fatal(err)
	}
	if !dialFails(listenAddrs(s)[0]) || len(f.tokenRequests()) != 1 {
		t.Fatal("port still open or wrong number of exchanges")
	}
}

// TestPasteDenied: a pasted denial with the right state ends the flow.
func TestPasteDenied(t *testing.T) {
	s, _ := startFlow(t, "127.0.0.1", nil)
	_, err := s.Paste(context.Background(), s.redirect.raw+"?error=access_denied&state="+url.QueryEscape(s.state))
	if !problem.Is(err, problem.KindAccessDenied) {
		t.Fatalf("got %v", err)
	}
	if _, err := waitResult(t, s); !problem.Is(err, problem.KindAccessDenied) {
		t.Fatalf("Wait: %v", err)
	}
}

// TestPasteMustBeAtRedirectURI: a pasted address counts only at the Redirect URI's scheme,
// host, port and path; a default port may be written or not. Refusals say so plainly, send
// nothing to the token endpoint and leave the attempt waiting.
func TestPasteMustBeAtRedirectURI(t *testing.T) {
	redirect := "https://integration.example.com/oauth/callback"
	f := newFakeAS(t, redirect)
	s, err := Start(context.Background(), Config{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	landed, err := url.Parse(landedAddress(t, s.AuthURL()))
	if err != nil {
		t.Fatal(err)
	}
	query := "?" + landed.RawQuery
	refused := []string{
		"http://integration.example.com/oauth/callback" + query,
		"https://integration.example.com:8443/oauth/callback" + query,
		"https://evil.example/oauth/callback" + query,
		"https://integration.example.com.evil.example/oauth/callback" + query,
		"https://integration.example.com@evil.example/oauth/callback" + query,
		"https://integration.example.com/oauth/callback/" + query,
		"https://integration.example.com/oauth/Callback" + query,
		"https://integration.example.com/oauth" + query,
		"https://integration.example.com/" + query,
		"/oauth/callback" + query,
		"//integration.example.com/oauth/callback" + query,
	}
	for _, text := range refused {
		_, err := s.Paste(context.Background(), text)
		if strings.HasPrefix(text, "/") && problem.Is(err, problem.KindUsage) {
			continue // no scheme: not an address at all
		}
		if !problem.Is(err, problem.KindUsage) || problem.Summary(err) != "This isn't an address at the Redirect URI, "+redirect+", so the app didn't use it. Paste the whole address the browser ends on after approving; if it is a different one, check that the Redirect URI here matches the one registered for the integration." {
			t.Errorf("%s: got %q %q", text, problem.KindOf(err), problem.Summary(err))
		}
	}
	if _, err := s.Paste(context.Background(), landed.RawQuery); !problem.Is(err, problem.KindUsage) {
		t.Errorf("the query alone was accepted: %v", err)
	}
	if n := len(f.tokenRequests()); n != 0 {
		t.Fatalf("a refused paste reached the token endpoint %d times", n)
	}
	res, err := s.Paste(context.Background(), "https://Integration.Example.COM:443/oauth/callback"+query+"#frag")
	if err != nil || !strings.HasPrefix(res.AccessToken, "AT-") {
		t.Fatalf("the same address with its default port written: %v (%s)", err, problem.Detail(err))
	}
}

// TestAtRedirect covers the default ports and hosts directly.
func TestAtRedirect(t *testing.T) {
	cases := []struct {
		redirect, landed string
		want             bool
	}{
		{"https://x.example/cb", "https://x.example:443/cb?code=a", true},
		{"https://x.example:443/cb", "https://x.example/cb?code=a", true},
		{"https://x.example/cb", "https://x.example:80/cb?code=a", false},
		{"https://x.example/cb", "http://x.example:443/cb?code=a", false},
		{"http://127.0.0.1:8765/callback", "http://127.0.0.1:8765/callback?code=a", true},
		{"http://127.0.0.1:8765/callback", "http://localhost:8765/callback?code=a", false},
		{"http://127.0.0.1:8765/callback", "http://127.0.0.1:8766/callback?code=a", false},
		{"http://127.0.0.1:80/callback", "http://127.0.0.1/callback?code=a", true},
		{"http://127.0.0.1:8765", "http://127.0.0.1:8765/?code=a", true},
		{"http://127.0.0.1:8765/", "http://127.0.0.1:8765?code=a", true},
		{"http://[::1]:8765/cb", "http://[0:0:0:0:0:0:0:1]:8765/cb?code=a", true},
		{"http://localhost:8765/cb", "http://LOCALHOST:8765/cb?code=a", true},
	}
	for _, tc := range cases {
		r, err := CheckRedirectURI(tc.redirect)
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := parsePasted(tc.landed)
		if err != nil {
			t.Fatal(err)
		}
		if got := atRedirect(u, r); got != tc.want {
			t.Errorf("%s at %s: %v, want %v", tc.landed, tc.redirect, got, tc.want)
		}
	}
}
