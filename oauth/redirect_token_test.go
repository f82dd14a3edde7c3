package oauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// TestTokenEndpointRedirectIsNotFollowed: a token endpoint that answers 3xx gets an error that
// says it moved; the place it points to never receives the secret, the code or the refresh
// token, even when the caller's own client would follow redirects.
func TestTokenEndpointRedirectIsNotFollowed(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		writeJSON(w, 200, map[string]any{"access_token": "AT-stolen", "refresh_token": "RT-stolen", "expires_in": 3600})
	}))
	defer elsewhere.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, ph := range []phase{phaseConnect, phaseRefresh} {
			t.Run(strconv.Itoa(status)+map[phase]string{phaseConnect: " connect", phaseRefresh: " refresh"}[ph], func(t *testing.T) {
				f := newFakeAS(t, "http://127.0.0.1:8765/callback")
				f.tokenHook = func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, elsewhere.URL+"/v1/token.json?echo="+r.PostForm.Encode(), status)
				}
				followed := false
				caller := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { followed = true; return nil }}
				var err error
				if ph == phaseConnect {
					c, cerr := newClient(f.profile(), testClientID, testClientSecret, caller, nil)
					if cerr != nil {
						t.Fatal(cerr)
					}
					_, err = c.exchange(context.Background(), c.oauth2Config(f.redirect), "CODE-secret-code", "", "")
				} else {
					cfg := refreshCfg(f, "RT-secret-refresh")
					cfg.HTTPClient = caller
					_, err = Refresh(context.Background(), cfg)
				}
				if hits.Load() != 0 || followed {
					t.Fatalf("the redirect was followed (%d requests elsewhere)", hits.Load())
				}
				want := "Lightspeed's token address answered that it has moved, so the app sent nothing further. Check the token address the app was given for the integration."
				if problem.Summary(err) != want || !problem.Is(err, problem.KindProvider) {
					t.Fatalf("got %q %q", problem.KindOf(err), problem.Summary(err))
				}
				if d := problem.Detail(err); !strings.Contains(d, "HTTP "+strconv.Itoa(status)) || !strings.Contains(d, "127.0.0.1") {
					t.Errorf("detail %q lacks the status or the host", d)
				}
				assertNoSecrets(t, describeError(err), testClientSecret, "RT-secret-refresh", "CODE-secret-code")
				if len(f.tokenRequests()) != 1 {
					t.Errorf("token endpoint saw %d requests, want 1", len(f.tokenRequests()))
				}
			})
		}
	}
}

// TestTokenEndpointBusy: a 429 at the token endpoint says who is busy and for how long, read
// from Retry-After, then X-Ratelimit-Reset (seconds or Unix time), else a minute.
func TestTokenEndpointBusy(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cases := []struct {
		name   string
		header map[string]string
		body   string
		secs   int
	}{
		{"retry-after seconds", map[string]string{"Retry-After": "7"}, `{"error":"slow_down"}`, 7},
		{"retry-after date", map[string]string{"Retry-After": now.Add(20 * time.Second).Format(http.TimeFormat)}, ``, 20},
		{"retry-after wins", map[string]string{"Retry-After": "3", "X-Ratelimit-Reset": "50"}, ``, 3},
		{"retry-after garbage, reset used", map[string]string{"Retry-After": "soon", "X-Ratelimit-Reset": "5"}, ``, 5},
		{"reset seconds", map[string]string{"X-Ratelimit-Reset": "12"}, `rate limited`, 12},
		{"reset fractional", map[string]string{"X-Ratelimit-Reset": "2.2"}, ``, 3},
		{"reset unix time", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(now.Add(30*time.Second).Unix(), 10)}, ``, 30},
		{"reset unix ms", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(now.Add(45*time.Second).UnixMilli(), 10)}, ``, 45},
		{"reset in the past", map[string]string{"X-Ratelimit-Reset": strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)}, ``, 1},
		{"zero", map[string]string{"Retry-After": "0"}, ``, 1},
		{"overflows uint64", map[string]string{"Retry-After": "99999999999999999999"}, ``, 60},
		{"absurd but parses", map[string]string{"Retry-After": "86400"}, ``, 600},
		{"bare", nil, ``, 60},
		{"negative reset", map[string]string{"X-Ratelimit-Reset": "-5"}, ``, 60},
	}
	for _, tc := range cases {
		for _, ph := range []phase{phaseConnect, phaseRefresh} {
			f := newFakeAS(t, "http://127.0.0.1:8765/callback")
			f.tokenHook = func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(tc.body))
			}
			clock := func() time.Time { return now }
			var err error
			if ph == phaseConnect {
				c, cerr := newClient(f.profile(), testClientID, testClientSecret, nil, clock)
				if cerr != nil {
					t.Fatal(cerr)
				}
				_, err = c.exchange(context.Background(), c.oauth2Config(f.redirect), "CODE-secret-code", "", "")
			} else {
				cfg := refreshCfg(f, "RT-secret-refresh")
				cfg.Now = clock
				_, err = Refresh(context.Background(), cfg)
			}
			want := "Lightspeed is busy; try again in " + strconv.Itoa(tc.secs) + " s."
			if !problem.Is(err, problem.KindRateLimited) || problem.Summary(err) != want {
				t.Errorf("%s (phase %d): got %q %q, want %q", tc.name, ph, problem.KindOf(err), problem.Summary(err), want)
			}
			if !strings.Contains(problem.Detail(err), "HTTP 429") {
				t.Errorf("%s: detail %q", tc.name, problem.Detail(err))
			}
		}
	}
}

// TestBusyNamesTheProvider: the flow is provider-neutral; the sentence uses the profile's
// name, starting a sentence with a capital.
func TestBusyNamesTheProvider(t *testing.T) {
	f := newFakeAS(t, "")
	f.tokenHook = replyWith(429, "", "")
	cfg := refreshCfg(f, "RT-secret-refresh")
	cfg.Profile.Name = "the practice server"
	_, err := Refresh(context.Background(), cfg)
	if got := problem.Summary(err); got != "The practice server is busy; try again in 60 s." {
		t.Fatalf("summary %q", got)
	}
	f.tokenHook = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", 307) }
	_, err = Refresh(context.Background(), cfg)
	if got := problem.Summary(err); !strings.HasPrefix(got, "The practice server's token address answered that it has moved") {
		t.Fatalf("summary %q", got)
	}
}
