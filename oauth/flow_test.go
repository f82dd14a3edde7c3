package oauth

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestFlowCatchesAndExchanges runs the whole connect: Start, the browser visits AuthURL, the
// fake redirects to the catcher, Wait returns the tokens; the token request carried every
// parameter in the body and no Authorization header; the port is closed afterwards.
func TestFlowCatchesAndExchanges(t *testing.T) {
	for _, pkce := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "pkce"}[pkce], func(t *testing.T) {
			s, f := startFlow(t, "127.0.0.1", func(c *Config) { c.Profile.NoPKCE = !pkce })
			if !s.Catchable() {
				t.Fatal("127.0.0.1 with a port should be catchable")
			}
			checkAuthURL(t, s, f, pkce)
			status, body := get(t, browser(), s.AuthURL())
			if status != http.StatusOK || !strings.Contains(body, "Connected") {
				t.Fatalf("browser page: %d %q", status, body)
			}
			res, err := waitResult(t, s)
			if err != nil {
				t.Fatalf("Wait: %v (%s)", err, problem.Detail(err))
			}
			if !strings.HasPrefix(res.AccessToken, "AT-") || !strings.HasPrefix(res.RefreshToken, "RT-") || res.Expiry.IsZero() {
				t.Fatalf("result fields missing: expiry %v", res.Expiry)
			}
			checkTokenRequest(t, f, pkce)
			for _, addr := range listenAddrs(s) {
				if !dialFails(addr) {
					t.Errorf("%s still accepts connections after success", addr)
				}
			}
		})
	}
}

// checkAuthURL checks the consent address Lightspeed gets.
func checkAuthURL(t *testing.T, s *Session, f *fakeAS, pkce bool) {
	t.Helper()
	u, err := url.Parse(s.AuthURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/authorize" || q.Get("client_id") != testClientID || q.Get("redirect_uri") != f.redirect || q.Get("response_type") != "code" {
		t.Errorf("auth URL parameters wrong: path %q, keys %v", u.Path, keys(q))
	}
	if len(q.Get("state")) < 43 {
		t.Errorf("state has %d characters, want at least 43 (32 random bytes)", len(q.Get("state")))
	}
	if q.Has("client_secret") {
		t.Error("the auth URL carries the client secret")
	}
	if got := q.Get("code_challenge_method") == "S256" && q.Get("code_challenge") != ""; got != pkce {
		t.Errorf("PKCE challenge present = %v, want %v", got, pkce)
	}
}

// checkTokenRequest checks the one code exchange the fake saw.
func checkTokenRequest(t *testing.T, f *fakeAS, pkce bool) {
	t.Helper()
	reqs := f.tokenRequests()
	if len(reqs) != 1 {
		t.Fatalf("token endpoint saw %d requests, want 1", len(reqs))
	}
	form := reqs[0].form
	for k, want := range map[string]string{"grant_type": "authorization_code", "client_id": testClientID, "client_secret": testClientSecret, "redirect_uri": f.redirect} {
		if form.Get(k) != want {
			t.Errorf("token request %s wrong or missing", k)
		}
	}
	if !strings.HasPrefix(form.Get("code"), "CODE-") {
		t.Error("token request has no code")
	}
	if reqs[0].authHeader != "" {
		t.Error("token request has an Authorization header; credentials belong in the body")
	}
	if (form.Get("code_verifier") != "") != pkce {
		t.Errorf("code_verifier present = %v, want %v", form.Get("code_verifier") != "", pkce)
	}
}

func keys(q url.Values) []string {
	var out []string
	for k := range q {
		out = append(out, k)
	}
	return out
}

// TestBadCallbacksAreIgnored sends callbacks that must not count; each gets a refusal page, none
// reaches the token endpoint, and the real answer still completes the flow afterwards.
func TestBadCallbacksAreIgnored(t *testing.T) {
	s, f := startFlow(t, "127.0.0.1", nil)
	base := "http://" + s.redirect.HostPort
	state := url.QueryEscape(s.state)
	long := strings.Repeat("a", 9000)
	cases := []struct {
		name, method, path, host string
		header                   map[string]string
		want                     int
	}{
		{"wrong state", "GET", "/callback?code=CODE-1-x9&state=nope", "", nil, 400},
		{"missing state", "GET", "/callback?code=CODE-1-x9", "", nil, 400},
		{"repeated state", "GET", "/callback?code=CODE-1-x9&state=" + state + "&state=" + state, "", nil, 400},
		{"missing code", "GET", "/callback?state=" + state, "", nil, 400},
		{"empty code", "GET", "/callback?code=&state=" + state, "", nil, 400},
		{"two codes", "GET", "/callback?code=a&code=b&state=" + state, "", nil, 400},
		{"error with wrong state", "GET", "/callback?error=access_denied&state=nope", "", nil, 400},
		{"error without state", "GET", "/callback?error=server_error", "", nil, 400},
		{"bad query encoding", "GET", "/callback?code=%zz&state=" + state, "", nil, 400},
		{"post", "POST", "/callback?code=CODE-1-x9&state=" + state, "", nil, 405},
		{"put", "PUT", "/callback?code=CODE-1-x9&state=" + state, "", nil, 405},
		{"head", "HEAD", "/callback?code=CODE-1-x9&state=" + state, "", nil, 200},
		{"prefetch", "GET", "/callback?code=CODE-1-x9&state=" + state, "", map[string]string{"Sec-Purpose": "prefetch"}, 503},
		{"other path", "GET", "/other?code=CODE-1-x9&state=" + state, "", nil, 404},
		{"path prefix", "GET", "/callback/x?code=CODE-1-x9&state=" + state, "", nil, 404},
		{"favicon", "GET", "/favicon.ico", "", nil, 404},
		{"oversized query", "GET", "/callback?code=CODE-1-x9&state=" + state + "&pad=" + long, "", nil, 414},
		{"foreign host", "GET", "/callback?code=CODE-1-x9&state=" + state, "evil.example:" + portOf(s), nil, 421},
		{"foreign host same port 127.0.0.2", "GET", "/callback?code=CODE-1-x9&state=" + state, "127.0.0.2:" + portOf(s), nil, 421},
		{"localhost alias", "GET", "/callback?code=CODE-1-x9&state=" + state, "localhost:" + portOf(s), nil, 421},
	}
	c := browser()
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, base+tc.path, nil)
		if tc.host != "" {
			req.Host = tc.host
		}
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		select {
		case <-s.done:
			t.Fatalf("%s ended the flow", tc.name)
		default:
		}
	}
	if n := len(f.tokenRequests()); n != 0 {
		t.Fatalf("bad callbacks reached the token endpoint %d times", n)
	}
	if status, body := get(t, c, s.AuthURL()); status != 200 || !strings.Contains(body, "Connected") {
		t.Fatalf("real answer: %d %q", status, body)
	}
	if _, err := waitResult(t, s); err != nil {
		t.Fatalf("real answer after bad ones: %v (%s)", err, problem.Detail(err))
	}
}

func portOf(s *Session) string {
	_, p, _ := net.SplitHostPort(s.redirect.HostPort)
	return p
}

// TestSecondCallbackAfterSuccessIsRefused replays the successful callback: it is either
// refused by a closed port or answered "already finished", and never exchanged again.
func TestSecondCallbackAfterSuccessIsRefused(t *testing.T) {
	s, f := startFlow(t, "127.0.0.1", nil)
	var landed string
	c := browser()
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error { landed = req.URL.String(); return nil }
	if status, _ := get(t, c, s.AuthURL()); status != 200 {
		t.Fatalf("first callback: %d", status)
	}
	first, err := waitResult(t, s)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := browser().Get(landed)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Fatal("a replayed callback was accepted")
		}
	}
	again, err := waitResult(t, s)
	if err != nil || again.AccessToken != first.AccessToken {
		t.Fatal("the outcome changed after a replay")
	}
	if n := len(f.tokenRequests()); n != 1 {
		t.Fatalf("token endpoint saw %d requests, want 1", n)
	}
}

// TestConcurrentCallbacksExchangeOnce: while the first good answer is being exchanged, a
// second one is refused at once, and only one token request is ever sent.
func TestConcurrentCallbacksExchangeOnce(t *testing.T) {
	s, f := startFlow(t, "127.0.0.1", nil)
	hold, arrived := make(chan struct{}), make(chan struct{}, 4)
	f.mu.Lock()
	f.holdTokens, f.arrived = hold, arrived
	f.codes["CODE-0-x9"] = ""
	f.mu.Unlock()
	u := "http://" + s.redirect.HostPort + "/callback?code=CODE-0-x9&state=" + url.QueryEscape(s.state)
	var wg sync.WaitGroup
	wg.Add(1)
	firstStatus := 0
	go func() {
		defer wg.Done()
		if resp, err := browser().Get(u); err == nil {
			firstStatus = resp.StatusCode
			resp.Body.Close()
		}
	}()
	<-arrived // the first answer is being exchanged now
	if status, body := get(t, browser(), u); status != http.StatusConflict || !strings.Contains(body, "already finished") {
		t.Errorf("second answer during the exchange: %d", status)
	}
	close(hold)
	wg.Wait()
	if firstStatus != 200 {
		t.Errorf("first answer: %d", firstStatus)
	}
	if _, err := waitResult(t, s); err != nil {
		t.Fatal(err)
	}
	if n := len(f.tokenRequests()); n != 1 {
		t.Fatalf("token endpoint saw %d requests, want 1", n)
	}
}

// TestCallbackErrorsEndTheFlow checks error= answers that carry the right state.
func TestCallbackErrorsEndTheFlow(t *testing.T) {
	cases := []struct {
		name, query string
		kind        problem.Kind
		page        string
	}{
		{"denied", "error=access_denied", problem.KindAccessDenied, "did not grant access"},
		{"provider", "error=server_error&error_description=try+later", problem.KindProvider, "reported a problem"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, f := startFlow(t, "127.0.0.1", nil)
			u := "http://" + s.redirect.HostPort + "/callback?" + tc.query + "&state=" + url.QueryEscape(s.state)
			status, body := get(t, browser(), u)
			if status != 200 || !strings.Contains(body, tc.page) {
				t.Errorf("page: %d %q", status, body)
			}
			_, err := waitResult(t, s)
			if problem.KindOf(err) != tc.kind {
				t.Fatalf("kind %q, want %q", problem.KindOf(err), tc.kind)
			}
			if tc.kind == problem.KindProvider && !strings.Contains(problem.Detail(err), "server_error") {
				t.Errorf("detail %q lacks the error code", problem.Detail(err))
			}
			if tc.kind == problem.KindAccessDenied && problem.Summary(err) != msgAccessDenied {
				t.Errorf("summary %q", problem.Summary(err))
			}
			if len(f.tokenRequests()) != 0 || !dialFails(listenAddrs(s)[0]) {
				t.Error("an error answer exchanged something or left the port open")
			}
		})
	}
}

// TestDeniedInBrowser runs the denial through the fake's consent page, as a person would.
func TestDeniedInBrowser(t *testing.T) {
	s, f := startFlow(t, "127.0.0.1", nil)
	f.mu.Lock()
	f.deny = true
	f.mu.Unlock()
	get(t, browser(), s.AuthURL())
	if _, err := waitResult(t, s); !problem.Is(err, problem.KindAccessDenied) {
		t.Fatalf("got %v, want access denied", err)
	}
}

// TestPortInUse: a held port is reported before any browser opens.
func TestPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	f := newFakeAS(t, "")
	for _, host := range []string{"127.0.0.1", "localhost"} {
		redirect := "http://" + net.JoinHostPort(host, itoa(port)) + "/callback"
		_, err = Start(context.Background(), Config{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: redirect})
		if !problem.Is(err, problem.KindPortInUse) {
			t.Fatalf("%s: got %v, want port in use", host, err)
		}
		if want := "Another program is using port " + itoa(port) + ", which the Redirect URI needs."; !strings.HasPrefix(problem.Summary(err), want) {
			t.Errorf("summary %q", problem.Summary(err))
		}
	}
}

// TestTimeoutCancelClose: each way of ending without an answer gives its kind and frees the port.
func TestTimeoutCancelClose(t *testing.T) {
	cases := []struct {
		name string
		run  func(s *Session) error
		cfg  func(*Config)
		kind problem.Kind
	}{
		{"timeout", func(s *Session) error { _, err := waitResult(t, s); return err }, func(c *Config) { c.Timeout = time.Second }, problem.KindTimeout},
		{"ctx cancel", func(s *Session) error {
			ctx, cancel := context.WithCancel(context.Background())
			go func() { time.Sleep(50 * time.Millisecond); cancel() }()
			_, err := s.Wait(ctx)
			return err
		}, nil, problem.KindCanceled},
		{"ctx deadline", func(s *Session) error {
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			_, err := s.Wait(ctx)
			return err
		}, nil, problem.KindTimeout},
		{"close", func(s *Session) error {
			go func() { time.Sleep(50 * time.Millisecond); s.Close() }()
			_, err := waitResult(t, s)
			return err
		}, nil, problem.KindCanceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, f := startFlow(t, "127.0.0.1", tc.cfg)
			addr := listenAddrs(s)[0]
			if dialFails(addr) {
				select {
				case <-s.done: // a very slow machine may already have timed out
				default:
					t.Fatal("nothing listens while the flow runs")
				}
			}
			err := tc.run(s)
			if problem.KindOf(err) != tc.kind {
				t.Fatalf("got %q (%v), want %q", problem.KindOf(err), err, tc.kind)
			}
			if !dialFails(addr) {
				t.Error("the port still accepts connections")
			}
			// A late answer no longer counts.
			if _, err := s.Paste(context.Background(), s.redirect.raw+"?code=CODE-1-x9&state="+url.QueryEscape(s.state)); problem.KindOf(err) != tc.kind {
				t.Errorf("paste after the end: %v", err)
			}
			if len(f.tokenRequests()) != 0 {
				t.Error("something was exchanged after the end")
			}
		})
	}
}

// TestListenersAreLoopbackOnly checks where the catcher listens for each loopback host.
func TestListenersAreLoopbackOnly(t *testing.T) {
	hosts := []string{"127.0.0.1", "localhost"}
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		ln.Close()
		hosts = append(hosts, "::1")
	} else {
		t.Log("no IPv6 loopback here; [::1] not tested")
	}
	for _, host := range hosts {
		s, _ := startFlow(t, host, nil)
		addrs := listenAddrs(s)
		if len(addrs) == 0 {
			t.Fatalf("%s: no listener", host)
		}
		for _, a := range addrs {
			h, _, _ := net.SplitHostPort(a)
			ip := net.ParseIP(h)
			if ip == nil || !ip.IsLoopback() {
				t.Errorf("%s: listens on %s, which is not loopback", host, a)
			}
		}
		if host == "localhost" && len(s.redirect.ListenAddrs) != 2 {
			t.Errorf("localhost should ask for both loopbacks, got %v", s.redirect.ListenAddrs)
		}
		if status, body := get(t, browser(), s.AuthURL()); status != 200 || !strings.Contains(body, "Connected") {
			t.Errorf("%s: flow failed: %d", host, status)
		}
		if _, err := waitResult(t, s); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
}

// TestStartRejectsBadConfig: nothing binds or opens with an unusable config.
func TestStartRejectsBadConfig(t *testing.T) {
	good := Config{ClientID: testClientID, ClientSecret: testClientSecret, RedirectURI: SuggestedRedirectURI}
	cases := []struct {
		name string
		edit func(*Config)
		kind problem.Kind
	}{
		{"no client id", func(c *Config) { c.ClientID = "" }, problem.KindUsage},
		{"no secret", func(c *Config) { c.ClientSecret = "" }, problem.KindUsage},
		{"bad redirect", func(c *Config) { c.RedirectURI = "https://127.0.0.1:8765/callback" }, problem.KindRedirectURI},
		{"bad profile", func(c *Config) { c.Profile = Profile{Name: "x", AuthorizeURL: "ftp://x", TokenURL: "https://x/t"} }, problem.KindUsage},
	}
	for _, tc := range cases {
		cfg := good
		tc.edit(&cfg)
		s, err := Start(context.Background(), cfg)
		if s != nil || problem.KindOf(err) != tc.kind {
			t.Errorf("%s: got %v (%q), want %q", tc.name, err, problem.KindOf(err), tc.kind)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
