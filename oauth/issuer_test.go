package oauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestAcceptsIssuer: RFC 9207 §2.4. An exact Issuer is compared character for character;
// without one, only an iss at the authorize endpoint's origin is accepted; an answer without
// iss is accepted either way.
func TestAcceptsIssuer(t *testing.T) {
	exact := Profile{AuthorizeURL: "https://as.example/oauth/authorize", Issuer: "https://as.example/oauth"}
	derived := Profile{AuthorizeURL: "https://as.example/oauth/authorize"}
	local := Profile{AuthorizeURL: "http://127.0.0.1:9000/authorize"}
	cases := []struct {
		p    Profile
		iss  []string
		want bool
	}{
		{exact, nil, true},
		{exact, []string{"https://as.example/oauth"}, true},
		{exact, []string{"https://as.example/oauth/"}, false}, // simple string comparison
		{exact, []string{"https://AS.example/oauth"}, false},
		{exact, []string{"https://as.example"}, false},
		{exact, []string{"https://evil.example/oauth"}, false},
		{exact, []string{""}, false},
		{exact, []string{"https://as.example/oauth", "https://as.example/oauth"}, false},
		{derived, nil, true},
		{derived, []string{"https://as.example"}, true},
		{derived, []string{"https://as.example/"}, true},
		{derived, []string{"https://as.example:443/realm"}, true},
		{derived, []string{"https://AS.EXAMPLE"}, true},
		{derived, []string{"http://as.example"}, false},
		{derived, []string{"https://as.example:8443"}, false},
		{derived, []string{"https://evil.example"}, false},
		{derived, []string{"https://as.example.evil.example"}, false},
		{derived, []string{"https://as.example@evil.example"}, false},
		{derived, []string{"https://evil.example@as.example"}, false}, // no userinfo at all
		{derived, []string{"https://as.example?x=1"}, false},
		{derived, []string{"https://as.example#x"}, false},
		{derived, []string{"as.example"}, false},
		{derived, []string{""}, false},
		{local, []string{"http://127.0.0.1:9000"}, true},
		{local, []string{"http://127.0.0.1:9000/"}, true},
		{local, []string{"http://127.0.0.1:9001"}, false},
		{local, []string{"http://localhost:9000"}, false},
	}
	for _, tc := range cases {
		if got := tc.p.acceptsIssuer(tc.iss); got != tc.want {
			t.Errorf("Issuer %q, authorize %q, iss %q: %v, want %v", tc.p.Issuer, tc.p.AuthorizeURL, tc.iss, got, tc.want)
		}
	}
}

// TestIssuerInTheFlow: a caught or pasted answer with a wrong iss is refused, its code is
// never exchanged and the attempt goes on waiting; the right iss completes it.
func TestIssuerInTheFlow(t *testing.T) {
	t.Run("caught, derived issuer", func(t *testing.T) {
		s, f := startFlow(t, "127.0.0.1", nil)
		f.mu.Lock()
		f.iss = "https://evil.example"
		f.mu.Unlock()
		status, body := get(t, browser(), s.AuthURL())
		if status != http.StatusBadRequest || !strings.Contains(body, "another server") {
			t.Fatalf("wrong iss page: %d %q", status, body)
		}
		select {
		case <-s.done:
			t.Fatal("a wrong iss ended the attempt")
		default:
		}
		u := "http://" + s.redirect.HostPort + "/callback?error=access_denied&iss=https%3A%2F%2Fevil.example&state=" + url.QueryEscape(s.state)
		if status, _ := get(t, browser(), u); status != http.StatusBadRequest {
			t.Fatalf("an error answer with a wrong iss: %d", status)
		}
		f.mu.Lock()
		f.iss = f.srv.URL // the practice server's way: its base address
		f.mu.Unlock()
		if status, body := get(t, browser(), s.AuthURL()); status != 200 || !strings.Contains(body, "Connected") {
			t.Fatalf("right iss: %d %q", status, body)
		}
		if _, err := waitResult(t, s); err != nil {
			t.Fatal(err)
		}
		if n := len(f.tokenRequests()); n != 1 {
			t.Fatalf("%d exchanges, want 1", n)
		}
	})
	t.Run("pasted, exact issuer", func(t *testing.T) {
		s, f := startFlow(t, "127.0.0.1", func(c *Config) { c.Profile.Issuer = "https://as.example/tenant" })
		f.mu.Lock()
		f.iss = "https://as.example/tenant/"
		f.mu.Unlock()
		_, err := s.Paste(context.Background(), landedAddress(t, s.AuthURL()))
		if !problem.Is(err, problem.KindStateMismatch) || problem.Summary(err) != msgIssuerMismatch || !strings.Contains(problem.Detail(err), "https://as.example/tenant/") {
			t.Fatalf("wrong iss pasted: %q %q %q", problem.KindOf(err), problem.Summary(err), problem.Detail(err))
		}
		f.mu.Lock()
		f.iss = "https://as.example/tenant"
		f.mu.Unlock()
		if _, err := s.Paste(context.Background(), landedAddress(t, s.AuthURL())); err != nil {
			t.Fatalf("right iss pasted: %v", err)
		}
		if n := len(f.tokenRequests()); n != 1 {
			t.Fatalf("%d exchanges, want 1", n)
		}
	})
}
