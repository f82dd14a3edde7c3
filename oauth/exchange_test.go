package oauth

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// refreshCfg is a RefreshConfig against the fake.
func refreshCfg(f *fakeAS, rt string) RefreshConfig {
	return RefreshConfig{Profile: f.profile(), ClientID: testClientID, ClientSecret: testClientSecret, RefreshToken: rt}
}

// TestRefresh: with rotation the new refresh token comes back; without, the old one.
func TestRefresh(t *testing.T) {
	for _, rotate := range []bool{true, false} {
		f := newFakeAS(t, "")
		f.rotate = rotate
		f.refresh["RT-0-secretish"] = true
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		cfg := refreshCfg(f, "RT-0-secretish")
		cfg.Now = func() time.Time { return now }
		res, err := Refresh(context.Background(), cfg)
		if err != nil {
			t.Fatalf("rotate=%v: %v (%s)", rotate, err, problem.Detail(err))
		}
		if (res.RefreshToken == "RT-0-secretish") == rotate || !strings.HasPrefix(res.RefreshToken, "RT-") {
			t.Errorf("rotate=%v: refresh token kept=%v", rotate, res.RefreshToken == "RT-0-secretish")
		}
		if !strings.HasPrefix(res.AccessToken, "AT-") || !res.Expiry.Equal(now.Add(time.Hour)) {
			t.Errorf("rotate=%v: access token or expiry wrong (%v)", rotate, res.Expiry)
		}
		req := f.tokenRequests()[0]
		for k, want := range map[string]string{"grant_type": "refresh_token", "refresh_token": "RT-0-secretish", "client_id": testClientID, "client_secret": testClientSecret} {
			if req.form.Get(k) != want {
				t.Errorf("refresh request %s wrong", k)
			}
		}
		if req.authHeader != "" {
			t.Error("refresh request has an Authorization header")
		}
		// The stored token keeps working (no rotation) or is spent (rotation).
		_, err = Refresh(context.Background(), cfg)
		if rotate != problem.Is(err, problem.KindInvalidGrant) {
			t.Errorf("rotate=%v: second refresh with the old token: %v", rotate, err)
		}
		if rotate && problem.Summary(err) != msgInvalidGrantRefresh {
			t.Errorf("summary %q", problem.Summary(err))
		}
	}
}

// replyWith answers the token request with a fixed status, type and body; the body echoes
// the secret, as a careless server might, to prove it never leaks.
func replyWith(status int, ctype, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		io.WriteString(w, strings.ReplaceAll(body, "ECHO", r.PostForm.Encode()))
	}
}

// TestTokenErrorMapping covers every way a token request can fail, for connect and refresh.
func TestTokenErrorMapping(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL + "/v1/token.json"
	refused.Close()
	block := make(chan struct{})
	defer close(block)
	cases := []struct {
		name    string
		hook    http.HandlerFunc
		url     string // overrides the token URL
		client  *http.Client
		ph      phase
		kind    problem.Kind
		summary string
		detail  string
	}{
		{"invalid_client", replyWith(401, "application/json", `{"error":"invalid_client","error_description":"ECHO"}`), "", nil, phaseConnect, problem.KindInvalidClient, msgInvalidClient, "HTTP 401"},
		{"401 without code", replyWith(401, "text/html", `<h1>nope ECHO</h1>`), "", nil, phaseRefresh, problem.KindInvalidClient, msgInvalidClient, "HTTP 401"},
		{"invalid_grant connect", replyWith(400, "application/json", `{"error":"invalid_grant"}`), "", nil, phaseConnect, problem.KindInvalidGrant, msgInvalidGrantConnect, "error=invalid_grant"},
		{"invalid_grant refresh", replyWith(400, "application/json", `{"error":"invalid_grant"}`), "", nil, phaseRefresh, problem.KindInvalidGrant, msgInvalidGrantRefresh, "error=invalid_grant"},
		{"error in a 200", replyWith(200, "application/json", `{"error":"invalid_grant"}`), "", nil, phaseRefresh, problem.KindInvalidGrant, msgInvalidGrantRefresh, "HTTP 200"},
		{"other oauth error", replyWith(400, "application/json", `{"error":"invalid_request","error_description":"bad"}`), "", nil, phaseRefresh, problem.KindProvider, msgProviderToken, "error=invalid_request"},
		{"500 html connect", replyWith(500, "text/html", `<html>oops ECHO</html>`), "", nil, phaseConnect, problem.KindServer, msgServerConnect, "HTTP 500"},
		{"503 json refresh", replyWith(503, "application/json", `{"message":"ECHO"}`), "", nil, phaseRefresh, problem.KindServer, msgServerRefresh, "HTTP 503"},
		{"html 200", replyWith(200, "text/html", `<html>login ECHO</html>`), "", nil, phaseRefresh, problem.KindBadReply, msgBadReply, "neither JSON"},
		{"empty 200", replyWith(200, "application/json", ``), "", nil, phaseRefresh, problem.KindBadReply, msgBadReply, "neither JSON"},
		{"empty 400", replyWith(400, "", ``), "", nil, phaseRefresh, problem.KindBadReply, msgBadReply, "HTTP 400"},
		{"404 html", replyWith(404, "text/html", `not found ECHO`), "", nil, phaseConnect, problem.KindBadReply, msgBadReply, "HTTP 404"},
		{"no access_token", replyWith(200, "application/json", `{"token_type":"bearer","note":"ECHO"}`), "", nil, phaseRefresh, problem.KindBadReply, msgBadReply, "no access_token"},
		{"no refresh_token on connect", replyWith(200, "application/json", `{"access_token":"AT-x","expires_in":3600}`), "", nil, phaseConnect, problem.KindBadReply, msgNoRefreshToken, "no refresh_token"},
		{"slow server", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}, "", &http.Client{Timeout: 200 * time.Millisecond}, phaseRefresh, problem.KindTimeout, sprintfName(msgRefreshUnanswered, "Lightspeed"), "no answer in time (after the request was sent)"},
		{"slow server connect", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}, "", &http.Client{Timeout: 200 * time.Millisecond}, phaseConnect, problem.KindTimeout, msgNetworkTimeout, "no answer in time"},
		{"connection refused", nil, refusedURL, nil, phaseRefresh, problem.KindNetwork, msgNetwork, "refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAS(t, "http://127.0.0.1:8765/callback")
			f.tokenHook = tc.hook
			p := f.profile()
			if tc.url != "" {
				p.TokenURL = tc.url
			}
			var err error
			if tc.ph == phaseConnect {
				c, cerr := newClient(p, testClientID, testClientSecret, tc.client, nil)
				if cerr != nil {
					t.Fatal(cerr)
				}
				_, err = c.exchange(context.Background(), c.oauth2Config(f.redirect), "CODE-secret-code", "", "")
			} else {
				cfg := refreshCfg(f, "RT-secret-refresh")
				cfg.Profile, cfg.HTTPClient = p, tc.client
				_, err = Refresh(context.Background(), cfg)
			}
			if problem.KindOf(err) != tc.kind || problem.Summary(err) != tc.summary {
				t.Fatalf("got %q %q, want %q %q", problem.KindOf(err), problem.Summary(err), tc.kind, tc.summary)
			}
			if !strings.Contains(problem.Detail(err), tc.detail) {
				t.Errorf("detail %q lacks %q", problem.Detail(err), tc.detail)
			}
			assertNoSecrets(t, describeError(err), testClientSecret, "RT-secret-refresh", "CODE-secret-code")
		})
	}
}

// describeError renders every way an error might be printed or logged.
func describeError(err error) string {
	var all []string
	for e := err; e != nil; {
		all = append(all, e.Error(), fmt.Sprintf("%v %+v", e, e))
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	return strings.Join(append(all, problem.Summary(err), problem.Detail(err)), "\n")
}

// assertNoSecrets fails when text contains any secret.
func assertNoSecrets(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("secret #%d leaked into a printed or logged form (%d characters, not shown)", i, len(text))
		}
	}
}

// TestRefresherSingleFlight: N concurrent refreshes of one company send one request and all
// get the result; another company refreshes on its own.
func TestRefresherSingleFlight(t *testing.T) {
	const n = 8
	f := newFakeAS(t, "")
	f.rotate = true
	f.refresh["RT-0-secretish"] = true
	release, _ := f.hold(t)
	var joined sync.WaitGroup
	joined.Add(n)
	r := &Refresher{joined: joined.Done}
	results := make([]*Result, n)
	errs := make([]error, n)
	var done sync.WaitGroup
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			results[i], errs[i] = r.Refresh(context.Background(), "company-1", refreshCfg(f, "RT-0-secretish"))
		}()
	}
	joined.Wait() // every caller is in; only now may the one request finish
	release()
	done.Wait()
	if got := len(f.tokenRequests()); got != 1 {
		t.Fatalf("%d concurrent refreshes sent %d requests, want 1", n, got)
	}
	for i := range n {
		if errs[i] != nil || results[i].RefreshToken != results[0].RefreshToken || results[i].RefreshToken == "RT-0-secretish" {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	results[0].AccessToken = "changed"
	if results[1].AccessToken == "changed" {
		t.Error("callers share one Result; each should get a copy")
	}
}

// TestRefresherCallerCancel: a caller that gives up after the request was sent still gets
// the new tokens (CallerGaveUp set), and so does a caller still waiting; one request is sent.
func TestRefresherCallerCancel(t *testing.T) {
	f := newFakeAS(t, "")
	f.rotate = true
	f.refresh["RT-0-secretish"] = true
	release, arrived := f.hold(t)
	var joined sync.WaitGroup
	joined.Add(2)
	r := &Refresher{joined: joined.Done}
	ctx, cancel := context.WithCancel(context.Background())
	type outcome struct {
		res *Result
		err error
	}
	first := make(chan outcome, 1)
	go func() { res, err := r.Refresh(ctx, "c", refreshCfg(f, "RT-0-secretish")); first <- outcome{res, err} }()
	<-arrived
	second := make(chan outcome, 1)
	go func() {
		res, err := r.Refresh(context.Background(), "c", refreshCfg(f, "RT-0-secretish"))
		second <- outcome{res, err}
	}()
	joined.Wait()
	cancel()
	select {
	case o := <-first:
		t.Fatalf("the cancelled caller returned before the reply: %v", o.err)
	case <-time.After(200 * time.Millisecond):
	}
	release()
	a, b := <-first, <-second
	if a.err != nil || b.err != nil {
		t.Fatalf("errors: %v / %v", a.err, b.err)
	}
	if !a.res.CallerGaveUp || b.res.CallerGaveUp || a.res.RefreshToken != b.res.RefreshToken || a.res.RefreshToken == "RT-0-secretish" {
		t.Fatalf("cancelled caller: gave up %v, waiting caller: gave up %v, same token %v", a.res.CallerGaveUp, b.res.CallerGaveUp, a.res.RefreshToken == b.res.RefreshToken)
	}
	if n := len(f.tokenRequests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestRefresherAloneCancels: a single caller that gives up after sending gets the tokens; the
// next refresh with them works, with the old token refused (strict rotation).
func TestRefresherAloneCancels(t *testing.T) {
	f := newFakeAS(t, "")
	f.rotate = true
	f.refresh["RT-0-secretish"] = true
	release, arrived := f.hold(t)
	var r Refresher
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *Result, 1)
	go func() {
		res, err := r.Refresh(ctx, "c", refreshCfg(f, "RT-0-secretish"))
		if err != nil {
			t.Errorf("refresh: %v", err)
		}
		done <- res
	}()
	<-arrived
	cancel()
	release()
	res := <-done
	if res == nil || !res.CallerGaveUp || res.RefreshToken == "RT-0-secretish" {
		t.Fatalf("the reply was lost: %v", res)
	}
	if _, err := r.Refresh(context.Background(), "c", refreshCfg(f, "RT-0-secretish")); !problem.Is(err, problem.KindInvalidGrant) {
		t.Fatalf("the old token still works, so the test proves nothing: %v", err)
	}
	if _, err := r.Refresh(context.Background(), "c", refreshCfg(f, res.RefreshToken)); err != nil {
		t.Fatalf("the returned token doesn't work: %v", err)
	}
	if _, err := r.Refresh(ctx, "c", refreshCfg(f, res.RefreshToken)); !problem.Is(err, problem.KindCanceled) {
		t.Fatalf("a caller already gone: %v", err)
	}
}

// TestProbeTokenEndpoint: any HTTP answer is reachable; a refused connection is not.
func TestProbeTokenEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(405) }))
	defer srv.Close()
	if err := ProbeTokenEndpoint(context.Background(), srv.URL+"/v1/token.json", nil); err != nil {
		t.Fatalf("reachable endpoint: %v", err)
	}
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	err := ProbeTokenEndpoint(context.Background(), "http://"+addr+"/v1/token.json", nil)
	if !problem.Is(err, problem.KindNetwork) || !strings.Contains(problem.Summary(err), "Couldn't reach Lightspeed at 127.0.0.1.") {
		t.Fatalf("refused endpoint: %v", err)
	}
	if err := ProbeTokenEndpoint(context.Background(), "nope", nil); !problem.Is(err, problem.KindUsage) {
		t.Fatalf("bad URL: %v", err)
	}
}
