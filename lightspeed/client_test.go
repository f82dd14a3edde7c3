package lightspeed

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

const testRedirect = "http://127.0.0.1:8765/callback"

// serverTokens is a TokenSource backed by a practice server: a forced call refreshes over
// real HTTP, as the connections core will.
type serverTokens struct {
	info   practice.Info
	mu     sync.Mutex
	ts     practice.TokenSet
	calls  int
	forced int
	err    error
}

func (p *serverTokens) AccessToken(ctx context.Context, force bool) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.err != nil {
		return "", p.err
	}
	if force {
		p.forced++
		if err := p.refresh(ctx); err != nil {
			return "", err
		}
	}
	return p.ts.AccessToken, nil
}

func (p *serverTokens) refresh(ctx context.Context) error {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {p.ts.RefreshToken},
		"client_id": {p.info.ClientID}, "client_secret": {p.info.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.info.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("refresh: HTTP %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(&p.ts)
}

func (p *serverTokens) counts() (calls, forced int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, p.forced
}

// fixture is a practice server, a granted company and a client for it.
type fixture struct {
	srv     *practice.Server
	company practice.Company
	tokens  *serverTokens
	client  *Client
}

func newFixture(t testing.TB, cfg practice.Config, companyIndex int) *fixture {
	t.Helper()
	cfg.RedirectURIs = []string{testRedirect}
	srv, err := practice.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	co := srv.Companies()[companyIndex]
	ts, err := srv.Grant(co.ID)
	if err != nil {
		t.Fatal(err)
	}
	tokens := &serverTokens{info: srv.Info(), ts: ts}
	client := New(srv.Info().APIURL, tokens)
	client.Pacer = NewPacer(0, 0) // pacing has its own tests; here it would only slow things
	return &fixture{srv: srv, company: co, tokens: tokens, client: client}
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// assertKind checks an error's kind and that no token leaked into what people or logs see.
func assertKind(t *testing.T, err error, want problem.Kind, tokens *serverTokens) {
	t.Helper()
	if got := problem.KindOf(err); got != want {
		t.Fatalf("kind = %q (%v), want %q", got, err, want)
	}
	if problem.Summary(err) == "" || problem.Detail(err) == "" {
		t.Fatalf("missing summary or detail: %q / %q", problem.Summary(err), problem.Detail(err))
	}
	if tokens != nil {
		for _, secret := range []string{tokens.ts.AccessToken, tokens.ts.RefreshToken, tokens.info.ClientSecret} {
			for _, shown := range []string{err.Error(), problem.Detail(err), fmt.Sprintf("%v %+v", err, problem.As(err))} {
				if secret != "" && strings.Contains(shown, secret) {
					t.Fatalf("a secret appears in the error")
				}
			}
		}
	}
}

func TestMeThroughConsent(t *testing.T) {
	srv, err := practice.New(practice.Config{RedirectURIs: []string{testRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	info := srv.Info()
	loc, err := practice.Consent(ctxFor(t), nil, info.AuthCodeURL(testRedirect, "s", ""), 1, true)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	resp, err := http.PostForm(info.TokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")},
		"redirect_uri": {testRedirect}, "client_id": {info.ClientID}, "client_secret": {info.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	var ts practice.TokenSet
	_ = json.NewDecoder(resp.Body).Decode(&ts)
	resp.Body.Close()
	c := New(info.APIURL, &serverTokens{info: info, ts: ts})
	co, ci, err := c.MeWithInfo(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if co.Name != "Bondi Bean Co." || co.ID != srv.Companies()[1].ID {
		t.Fatalf("Me = %+v", co)
	}
	if ci.Status != 200 || ci.Requests != 1 || ci.ServerDate.IsZero() || ci.Refreshed {
		t.Fatalf("CallInfo = %+v", ci)
	}
	sites, err := c.Sites(ctxFor(t), co.ID)
	if err != nil || len(sites) != 1 || sites[0].Name != "Campbell Parade" {
		t.Fatalf("Sites = %+v, %v", sites, err)
	}
}

func TestSitesPagination(t *testing.T) {
	tests := []struct {
		perPage, company, wantPages int
		noNext                      bool
		want                        string
	}{
		{1, 0, 3, false, "Parramatta/PAR,Manly/MAN,Bondi/"},
		{1, 0, 3, true, "Parramatta/PAR,Manly/MAN,Bondi/"},
		{2, 0, 2, false, "Parramatta/PAR,Manly/MAN,Bondi/"},
		{0, 0, 1, false, "Parramatta/PAR,Manly/MAN,Bondi/"},
		{1, 7, 4, true, "Site 1/S01,Site 2/S02,Site 3/S03,Site 4/S04"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("per%d_company%d_nonext%v", tt.perPage, tt.company, tt.noNext), func(t *testing.T) {
			f := newFixture(t, practice.Config{SitesPerPage: tt.perPage, Companies: 8, NoNextPage: tt.noNext}, tt.company)
			sites, ci, err := f.client.SitesWithInfo(ctxFor(t), f.company.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range sites {
				got = append(got, s.Name+"/"+s.Code)
				if s.ID <= 0 || s.CompanyID != f.company.ID {
					t.Errorf("site %q: id %d, company %d", s.Name, s.ID, s.CompanyID)
				}
			}
			if strings.Join(got, ",") != tt.want || ci.Requests != tt.wantPages || ci.Pages != tt.wantPages {
				t.Fatalf("sites %v in %d requests, want %s in %d", got, ci.Requests, tt.want, tt.wantPages)
			}
			wantNext := int64(tt.wantPages - 1)
			if tt.noNext {
				wantNext = 0
			}
			if n := f.srv.Stats().NextPageRequests; n != wantNext {
				t.Fatalf("%d requests through X-Next-Page, want %d", n, wantNext)
			}
		})
	}
}

func TestMaxPages(t *testing.T) {
	f := newFixture(t, practice.Config{SitesPerPage: 1}, 0)
	f.client.MaxPages = 2
	_, err := f.client.Sites(ctxFor(t), f.company.ID)
	assertKind(t, err, problem.KindBadReply, f.tokens)
}

// stripJSON is a transport that breaks the client's two ways of asking for JSON, to show
// that the server insists on one of them (HTTP 406) and how the client reports it.
type stripJSON struct{}

func (stripJSON) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Path = strings.TrimSuffix(r.URL.Path, ".json")
	r.Header.Del("Accept")
	return http.DefaultTransport.RoundTrip(r)
}

// dropAccept removes only the Accept header; the .json path alone must be enough.
type dropAccept struct{}

func (dropAccept) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("Accept")
	return http.DefaultTransport.RoundTrip(r)
}

func TestNotAcceptable(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	f.client.HTTP = &http.Client{Transport: stripJSON{}}
	_, ci, err := f.client.MeWithInfo(ctxFor(t))
	assertKind(t, err, problem.KindBadReply, f.tokens)
	if ci.Status != http.StatusNotAcceptable || !strings.Contains(problem.Detail(err), "406") {
		t.Fatalf("status %d, detail %q", ci.Status, problem.Detail(err))
	}
	f.client.HTTP = &http.Client{Transport: dropAccept{}}
	if _, err := f.client.Me(ctxFor(t)); err != nil {
		t.Fatalf("with .json and no Accept: %v", err)
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	f.srv.ExpireAccessTokens()
	co, ci, err := f.client.MeWithInfo(ctxFor(t))
	if err != nil || co.ID != f.company.ID {
		t.Fatalf("Me after expiry: %+v, %v", co, err)
	}
	if _, forced := f.tokens.counts(); forced != 1 || !ci.Refreshed || ci.Requests != 2 {
		t.Fatalf("forced refreshes %d, CallInfo %+v; want one refresh and two requests", forced, ci)
	}
}

func TestUnauthorizedTwice(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	f.srv.FailNextAPI(3, practice.FaultUnauthorized)
	_, ci, err := f.client.MeWithInfo(ctxFor(t))
	assertKind(t, err, problem.KindUnauthorized, f.tokens)
	if problem.Summary(err) != "Lightspeed no longer accepts this connection's access. Refresh or reconnect the company." {
		t.Fatalf("summary %q", problem.Summary(err))
	}
	if _, forced := f.tokens.counts(); forced != 1 || ci.Requests != 2 || ci.Status != 401 {
		t.Fatalf("forced refreshes %d, CallInfo %+v; want exactly one refresh and two requests", forced, ci)
	}
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
		times      int
		maxWait    time.Duration
		kind       problem.Kind
		requests   int
	}{
		{"honoured", time.Second, 1, 0, "", 2},
		{"over the cap", 61 * time.Second, 1, 0, problem.KindRateLimited, 1},
		{"over a small cap", 2 * time.Second, 1, time.Second, problem.KindRateLimited, 1},
		{"too many times", 0, 10, 0, problem.KindRateLimited, maxRateLimitRetries + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, practice.Config{}, 0)
			f.client.MaxRateLimitWait = tt.maxWait
			f.client.Sleep = func(context.Context, time.Duration) error { return nil } // the waits are counted, not slept
			f.srv.SetRetryAfter(tt.retryAfter)
			f.srv.FailNextAPI(tt.times, practice.FaultRateLimited)
			_, ci, err := f.client.MeWithInfo(ctxFor(t))
			if tt.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				if ci.RateLimitWait != tt.retryAfter || ci.RateLimited != 1 || ci.RateLimitNote() == "" {
					t.Fatalf("waited %s (%d times), want %s once", ci.RateLimitWait, ci.RateLimited, tt.retryAfter)
				}
			} else {
				assertKind(t, err, tt.kind, f.tokens)
			}
			if ci.Requests != tt.requests {
				t.Fatalf("%d requests, want %d", ci.Requests, tt.requests)
			}
		})
	}
}

func TestRateLimitLongerThanDeadline(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	f.srv.SetRetryAfter(20 * time.Second)
	f.srv.FailNextAPI(1, practice.FaultRateLimited)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := f.client.Me(ctx)
	assertKind(t, err, problem.KindRateLimited, f.tokens)
}

func TestFaults(t *testing.T) {
	tests := []struct {
		fault practice.Fault
		kind  problem.Kind
	}{
		{practice.FaultServerError, problem.KindServer},
		{practice.FaultHTML, problem.KindBadReply},
		{practice.FaultEmpty, problem.KindBadReply},
		{practice.FaultWrongShape, problem.KindBadReply},
	}
	for _, tt := range tests {
		for _, call := range []string{"me", "sites"} {
			t.Run(fmt.Sprintf("%d_%s", tt.fault, call), func(t *testing.T) {
				f := newFixture(t, practice.Config{SitesPerPage: 1}, 0)
				var err error
				f.srv.FailNextAPI(1, tt.fault)
				if call == "me" {
					_, err = f.client.Me(ctxFor(t))
				} else {
					_, err = f.client.Sites(ctxFor(t), f.company.ID)
				}
				assertKind(t, err, tt.kind, f.tokens)
				if !strings.Contains(problem.Detail(err), "/v1/companies/") {
					t.Fatalf("detail lacks the path: %q", problem.Detail(err))
				}
			})
		}
	}
}

func TestOtherCompany(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	other := f.srv.Companies()[1].ID
	_, err := f.client.Sites(ctxFor(t), other)
	assertKind(t, err, problem.KindUnauthorized, f.tokens)
	_, err = f.client.Sites(ctxFor(t), 42)
	assertKind(t, err, problem.KindNotFound, f.tokens)
}

func TestNetworkRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tokens := &serverTokens{ts: practice.TokenSet{AccessToken: "secret-access"}}
	_, ci, err := New("http://"+addr+"/v1/", tokens).MeWithInfo(ctxFor(t))
	assertKind(t, err, problem.KindNetwork, tokens)
	if problem.Summary(err) != sayNetwork || ci.Status != 0 {
		t.Fatalf("summary %q status %d", problem.Summary(err), ci.Status)
	}
}

func TestDeadlines(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration // Client.Timeout, used when ctx has no deadline
		ctx     func() (context.Context, context.CancelFunc)
		kind    problem.Kind
	}{
		{"caller deadline", 0, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}, problem.KindTimeout},
		{"default timeout", 300 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.Background(), func() {}
		}, problem.KindTimeout},
		{"cancelled", 0, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			return ctx, cancel
		}, problem.KindCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, practice.Config{}, 0)
			f.client.Timeout = tt.timeout
			f.srv.FailNextAPI(1, practice.FaultSlow)
			ctx, cancel := tt.ctx()
			defer cancel()
			_, err := f.client.Me(ctx)
			assertKind(t, err, tt.kind, f.tokens)
		})
	}
}

func TestTokenSourceError(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	f.tokens.err = problem.New(problem.KindInvalidGrant, "Reconnect.", nil).WithDetail("invalid_grant")
	_, ci, err := f.client.MeWithInfo(ctxFor(t))
	if problem.KindOf(err) != problem.KindInvalidGrant || ci.Requests != 0 {
		t.Fatalf("kind %q after %d requests; the token source's problem must pass through unchanged", problem.KindOf(err), ci.Requests)
	}
	if _, err := New("", nil).Me(ctxFor(t)); err == nil {
		t.Fatal("a client without a token source must fail")
	}
}

func TestClockSkew(t *testing.T) {
	ahead := 10 * time.Minute
	f := newFixture(t, practice.Config{Now: func() time.Time { return time.Now().Add(ahead) }}, 0)
	_, ci, err := f.client.MeWithInfo(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	skew, ok := ci.ClockSkew()
	if !ok || skew < ahead-30*time.Second || skew > ahead+30*time.Second {
		t.Fatalf("skew %s (%v), want about %s", skew, ok, ahead)
	}
	if _, ok := (CallInfo{}).ClockSkew(); ok {
		t.Fatal("no Date header must mean no skew")
	}
}

func TestFlexID(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{`{"id":123,"name":"A"}`, 123, true},
		{`{"id":"456","name":"A"}`, 456, true},
		{`{"id":null,"name":"A"}`, 0, true},
		{`{"id":"abc"}`, 0, false},
		{`{"id":1.5}`, 0, false},
	}
	for _, tt := range tests {
		var c companyJSON
		err := json.Unmarshal([]byte(tt.in), &c)
		if (err == nil) != tt.ok || int64(c.ID) != tt.want {
			t.Errorf("%s → %d, %v", tt.in, c.ID, err)
		}
	}
}

func TestRateLimitWait(t *testing.T) {
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	const maxWait = time.Minute
	tests := []struct {
		headers http.Header
		want    time.Duration
		source  string
	}{
		{http.Header{"Retry-After": {"5"}}, 5 * time.Second, "Retry-After"},
		{http.Header{"Retry-After": {"0"}}, 0, "Retry-After"},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, "Retry-After"},
		{http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0, "Retry-After"},
		{http.Header{"Retry-After": {"99999999999999999"}}, 365 * 24 * time.Hour, "Retry-After"},
		{http.Header{"Retry-After": {"5"}, "X-Ratelimit-Reset": {"30"}}, 5 * time.Second, "Retry-After"},
		{http.Header{"Retry-After": {"soon"}, "X-Ratelimit-Reset": {"30"}}, 30 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {"12"}}, 12 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {"12.2"}}, 13 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {"600"}}, maxWait, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(40 * time.Second).Unix())}}, 40 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(40 * time.Second).UnixMilli())}}, 40 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(-40 * time.Second).Unix())}}, 0, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(10 * time.Hour).Unix())}}, maxWait, "X-Ratelimit-Reset"},
		// An epoch is read against the server's own Date: this computer's clock is 5 minutes off.
		{http.Header{"X-Ratelimit-Reset": {fmt.Sprint(now.Add(5*time.Minute + 20*time.Second).Unix())},
			"Date": {now.Add(5 * time.Minute).Format(http.TimeFormat)}}, 20 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"Ratelimit-Reset": {"3"}}, 3 * time.Second, "X-Ratelimit-Reset"},
		{http.Header{"X-Ratelimit-Reset": {"NaN"}}, 0, "backoff"},
		{http.Header{"X-Ratelimit-Reset": {"-3"}}, 0, "backoff"},
		{http.Header{"Retry-After": {"-3"}}, 0, "backoff"},
		{http.Header{"X-Other": {"3"}}, 0, "backoff"},
	}
	for _, tt := range tests {
		got, source := rateLimitWait(tt.headers, now, 1, maxWait)
		if source != tt.source || (source != "backoff" && got != tt.want) {
			t.Errorf("%v → %s from %s, want %s from %s", tt.headers, got, source, tt.want, tt.source)
		}
	}
}

func TestBackoff(t *testing.T) {
	var total time.Duration
	for attempt := 1; attempt <= maxRateLimitRetries; attempt++ {
		full := min(backoffBase<<(attempt-1), backoffCap)
		for range 200 {
			d := backoff(attempt)
			if d < full/2 || d > full {
				t.Fatalf("attempt %d: %s, want between %s and %s", attempt, d, full/2, full)
			}
		}
		total += full / 2
		if full >= time.Minute {
			t.Fatalf("attempt %d waits %s, not under a minute", attempt, full)
		}
	}
	if total <= time.Minute {
		t.Fatalf("the shortest waits of all retries add up to %s: not a whole one-minute window", total)
	}
	if backoff(1) > 2*time.Second || backoff(1) < time.Second {
		t.Fatal("the first backoff is not a few seconds")
	}
}

func TestFollowAddress(t *testing.T) {
	c := New("http://127.0.0.1:1/v1/", nil)
	cur := "http://127.0.0.1:1/v1/companies/5/sites.json"
	tests := []struct {
		name    string
		header  http.Header
		want    string
		wantErr bool
	}{
		{"none", http.Header{}, "", false},
		{"x-next-page url", http.Header{"X-Next-Page": {"http://127.0.0.1:1/v1/companies/5/sites.json?after=7"}}, cur + "?after=7", false},
		{"x-next-page relative", http.Header{"X-Next-Page": {"/v1/companies/5/sites.json?after=7"}}, cur + "?after=7", false},
		{"x-next-page number is left to X-Page", http.Header{"X-Next-Page": {"2"}}, "", false},
		{"x-next-page on another host", http.Header{"X-Next-Page": {"http://evil.test/v1/x"}}, "", false},
		{"x-next-page on https of the same host", http.Header{"X-Next-Page": {"https://127.0.0.1:1/v1/x"}}, "", false},
		{"x-next-page to itself", http.Header{"X-Next-Page": {cur}}, "", false},
		{"x-next-page unreadable", http.Header{"X-Next-Page": {"http://[::1"}}, "", false},
		{"a Link header is not read", http.Header{"Link": {`<http://127.0.0.1:1/v1/companies/5/sites.json?p=2>; rel="next"`}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.followAddress(cur, tt.header)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("next = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
			if err != nil && problem.KindOf(err) != problem.KindBadReply {
				t.Fatalf("kind %q", problem.KindOf(err))
			}
		})
	}
}

func FuzzRateLimitWait(f *testing.F) {
	for _, s := range []string{"5", "0", "-1", "Sun, 06 Nov 1994 08:49:37 GMT", "99999999999999999999", "abc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, h := range []http.Header{{"Retry-After": {s}}, {"X-Ratelimit-Reset": {s}}, {"X-Ratelimit-Reset": {s}, "Date": {s}}} {
			d, source := rateLimitWait(h, time.Now(), 3, time.Minute)
			if d < 0 || (source != "Retry-After" && d > time.Minute) {
				t.Fatalf("wait %s from %s for %q", d, source, s)
			}
		}
	})
}

func TestErrorsAreProblems(t *testing.T) {
	// Every status the client maps has a sentence and a detail line naming the status.
	for _, st := range []int{400, 401, 403, 404, 409, 500, 502, 503} {
		err := statusProblem(oSeries().Words, st, "/v1/x.json", true, nil)
		pe := problem.As(err)
		if pe == nil || pe.Summary == "" || !strings.Contains(pe.Detail, fmt.Sprint(st)) {
			t.Errorf("status %d → %+v", st, pe)
		}
	}
}

func BenchmarkMe(b *testing.B) {
	f := newFixture(b, practice.Config{}, 0)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.client.Me(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSites(b *testing.B) {
	f := newFixture(b, practice.Config{SitesPerPage: 1}, 0) // three pages per call
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.client.Sites(ctx, f.company.ID); err != nil {
			b.Fatal(err)
		}
	}
}
