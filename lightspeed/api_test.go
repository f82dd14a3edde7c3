package lightspeed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

// These tests check each fact of the real API (see the package comment) against the
// practice server over real HTTP on loopback, and the reply shapes against fixtures written
// from what public clients of the real API record.

// fakeClock is a clock that only moves when something sleeps on it: the client's waits
// advance it, and the practice server reads it, so minutes of rate limiting take no time.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// onClock puts the practice server and the client of f on clock.
func newClockedFixture(t *testing.T, cfg practice.Config, company int) (*fixture, *fakeClock) {
	clock := newFakeClock()
	cfg.Now = clock.Now
	f := newFixture(t, cfg, company)
	f.client.Now, f.client.Sleep = clock.Now, clock.Sleep
	return f, clock
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixtureCompaniesMe(t *testing.T) {
	var raw companyJSON
	if err := json.Unmarshal(readFixture(t, "companies_me.json"), &raw); err != nil {
		t.Fatal(err)
	}
	got := raw.company()
	want := Company{ID: 4821, Name: "Harbour Burgers Pty Ltd", SitesCount: 60, Registers: Registers{Count: 34, Limit: 40},
		Timezone: Timezone{Name: "Australia/Sydney", Offset: "+11:00"}, Currency: "AUD",
		BusinessNumber: "51 824 753 556", Website: "https://harbourburgers.example"}
	if got != want {
		t.Fatalf("companies/me.json fixture read as\n%+v\nwant\n%+v", got, want)
	}
}

func TestFixtureSitesPage(t *testing.T) {
	var raw []siteJSON
	if err := json.Unmarshal(readFixture(t, "sites_page.json"), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != PageSize {
		t.Fatalf("%d sites on a full page, want %d", len(raw), PageSize)
	}
	nulls := 0
	for _, s := range raw {
		if s.CompanyID != 4821 || s.ID <= 0 || s.Name == "" {
			t.Fatalf("site read as %+v", s)
		}
		if s.Code == "" {
			nulls++
		}
	}
	if nulls == 0 {
		t.Fatal("the fixture's null codes were not read as empty")
	}
}

// TestPracticeShapedLikeFixtures: the practice server's replies have the keys, and the JSON
// kinds, of the fixtures; a sites item has exactly the fixture's keys.
func TestPracticeShapedLikeFixtures(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	get := func(path string) []byte {
		req, _ := http.NewRequest(http.MethodGet, f.srv.Info().APIURL+path, nil)
		req.Header.Set("Authorization", "Bearer "+f.tokens.ts.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		return buf.Bytes()
	}
	kinds := func(b []byte) map[string]string {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range m {
			out[k] = fmt.Sprintf("%T", v)
			if sub, ok := v.(map[string]any); ok {
				for sk, sv := range sub {
					out[k+"."+sk] = fmt.Sprintf("%T", sv)
				}
			}
		}
		return out
	}
	fixture, served := kinds(readFixture(t, "companies_me.json")), kinds(get("companies/me.json"))
	for _, k := range []string{"id", "name", "sites", "sites.count", "sites.updated_at", "registers", "registers.count",
		"registers.limit", "timezone", "timezone.offset", "timezone.name", "currency", "business_number", "addresses", "website"} {
		if fixture[k] == "" || served[k] != fixture[k] {
			t.Errorf("companies/me.json %s: practice %q, fixture %q", k, served[k], fixture[k])
		}
	}
	var fixtureSites, servedSites []map[string]any
	_ = json.Unmarshal(readFixture(t, "sites_page.json"), &fixtureSites)
	_ = json.Unmarshal(get(fmt.Sprintf("companies/%d/sites.json", f.company.ID)), &servedSites)
	keys := func(m map[string]any) []string { return slices.Sorted(mapsKeys(m)) }
	if len(servedSites) == 0 || !reflect.DeepEqual(keys(servedSites[0]), keys(fixtureSites[0])) {
		t.Fatalf("sites.json item keys: practice %v, fixture %v", servedSites, keys(fixtureSites[0]))
	}
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestMeReadsCompanyFacts(t *testing.T) {
	f := newFixture(t, practice.Config{Sites: 20, HiddenSites: 2}, 0)
	co, err := f.client.Me(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if co.SitesCount != 20 || co.Timezone.Name != "Australia/Sydney" || co.Timezone.Offset == "" ||
		co.Registers.Limit < co.Registers.Count || co.Registers.Count == 0 || co.Currency != "AUD" {
		t.Fatalf("Me = %+v", co)
	}
	sites, err := f.client.Sites(ctxFor(t), co.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 18 {
		t.Fatalf("%d visible sites, want 18 of %d", len(sites), co.SitesCount)
	}
}

// TestSixtySitesAfterBare429 is the big chain: 60 sites on 3 pages, the first page answered
// with a bare 429 (no Retry-After, no X-Ratelimit-Reset), stored whole with X-Next-Page on
// and with it off.
func TestSixtySitesAfterBare429(t *testing.T) {
	for _, noNext := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoNextPage=%v", noNext), func(t *testing.T) {
			f, clock := newClockedFixture(t, practice.Config{Sites: 60, NoNextPage: noNext}, 0)
			f.srv.Faults().NextAPI(1, practice.FaultRateLimitedBare)
			sites, ci, err := f.client.SitesWithInfo(ctxFor(t), f.company.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(sites) != 60 || sites[59].Name != "Site 60" || ci.Pages != 3 || ci.Requests != 4 {
				t.Fatalf("%d sites in %d pages and %d requests, want 60 in 3 and 4", len(sites), ci.Pages, ci.Requests)
			}
			if ci.RateLimited != 1 || ci.RateLimitWait < time.Second || ci.RateLimitWait > 2*time.Second ||
				!strings.Contains(ci.RateLimitNote(), "slow down") {
				t.Fatalf("rate limited %d times, waited %s; want once, 1-2 s of backoff", ci.RateLimited, ci.RateLimitWait)
			}
			if len(clock.Sleeps()) != 1 {
				t.Fatalf("slept %v", clock.Sleeps())
			}
			want := int64(2)
			if noNext {
				want = 0
			}
			if got := f.srv.Stats().NextPageRequests; got != want {
				t.Fatalf("%d pages through X-Next-Page, want %d", got, want)
			}
		})
	}
}

// TestNeverShort: a page that can't be fetched fails the whole list, whichever page it is.
func TestNeverShort(t *testing.T) {
	for _, noNext := range []bool{false, true} {
		for failAt := range 3 {
			t.Run(fmt.Sprintf("page%d_nonext%v", failAt, noNext), func(t *testing.T) {
				f := newFixture(t, practice.Config{Sites: 60, NoNextPage: noNext}, 0)
				for range failAt {
					f.srv.Faults().NextAPI(1, practice.FaultNone)
				}
				f.srv.Faults().NextAPI(1, practice.FaultServerError)
				sites, err := f.client.Sites(ctxFor(t), f.company.ID)
				assertKind(t, err, problem.KindServer, f.tokens)
				if sites != nil {
					t.Fatalf("%d sites returned with the error", len(sites))
				}
				if failAt > 0 && !strings.Contains(problem.Detail(err), fmt.Sprintf("page %d of 3", failAt+1)) {
					t.Fatalf("detail %q does not say which page", problem.Detail(err))
				}
			})
		}
	}
}

// rewrite changes requests or replies on their way, to play servers that break the rules.
type rewrite struct {
	req  func(*http.Request)
	resp func(*http.Response)
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if r.req != nil {
		r.req(req)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil && r.resp != nil {
		r.resp(resp)
	}
	return resp, err
}

// TestServerIgnoringXPage: a server that answers the first page whatever is asked gives a
// clear error, never a list with duplicates or a short one.
func TestServerIgnoringXPage(t *testing.T) {
	f := newFixture(t, practice.Config{Sites: 60, NoNextPage: true}, 0)
	f.client.HTTP = &http.Client{Transport: rewrite{req: func(r *http.Request) { r.Header.Del("X-Page") }}}
	_, err := f.client.Sites(ctxFor(t), f.company.ID)
	assertKind(t, err, problem.KindBadReply, f.tokens)
	if !strings.Contains(problem.Detail(err), "repeats") {
		t.Fatalf("detail %q", problem.Detail(err))
	}
}

// TestServerWithoutXPages: without X-Pages (and X-Next-Page), full pages are followed until a
// short one, so the list is whole.
func TestServerWithoutXPages(t *testing.T) {
	f := newFixture(t, practice.Config{Sites: 50}, 0)
	f.client.HTTP = &http.Client{Transport: rewrite{resp: func(r *http.Response) {
		r.Header.Del("X-Pages")
		r.Header.Del("X-Next-Page")
	}}}
	sites, ci, err := f.client.SitesWithInfo(ctxFor(t), f.company.ID)
	if err != nil || len(sites) != 50 || ci.Pages != 3 {
		t.Fatalf("%d sites in %d pages, %v; want 50 in 3 (the last one empty)", len(sites), ci.Pages, err)
	}
}

func TestNeverSendsPageQuery(t *testing.T) {
	f := newFixture(t, practice.Config{Sites: 60, NoNextPage: true}, 0)
	var mu sync.Mutex
	var pages []string
	f.client.HTTP = &http.Client{Transport: rewrite{req: func(r *http.Request) {
		if r.URL.Query().Has("page") {
			t.Errorf("?page= sent: %s", r.URL)
		}
		mu.Lock()
		pages = append(pages, r.Header.Get("X-Page"))
		mu.Unlock()
	}}}
	if _, err := f.client.Sites(ctxFor(t), f.company.ID); err != nil {
		t.Fatal(err)
	}
	if strings.Join(pages, ",") != "0,1,2" {
		t.Fatalf("X-Page headers sent: %v", pages)
	}
}

// TestRateLimitedByServer: the practice server's per-token per-minute limit, answered in
// each of Lightspeed's ways, is waited out and every call succeeds.
func TestRateLimitedByServer(t *testing.T) {
	for _, reply := range []practice.RateLimitReply{practice.RateLimitReset, practice.RateLimitResetEpoch, practice.RateLimitBare} {
		t.Run(reply.String(), func(t *testing.T) {
			f, clock := newClockedFixture(t, practice.Config{RateLimit: 5, RateLimitReply: reply}, 0)
			limited := 0
			for i := range 12 {
				_, ci, err := f.client.MeWithInfo(ctxFor(t))
				if err != nil {
					t.Fatalf("call %d: %v (%s)", i+1, err, problem.Detail(err))
				}
				limited += ci.RateLimited
			}
			if limited == 0 || f.srv.Stats().RateLimited != int64(limited) {
				t.Fatalf("client saw %d 429s, server sent %d", limited, f.srv.Stats().RateLimited)
			}
			for _, d := range clock.Sleeps() {
				if d > DefaultMaxRateLimitWait {
					t.Fatalf("slept %s at once", d)
				}
			}
			if reply != practice.RateLimitBare && limited != 2 {
				// With X-Ratelimit-Reset the client waits exactly to the end of the window: one
				// 429 per window (calls 6 and 11).
				t.Fatalf("%d 429s with X-Ratelimit-Reset, want 2", limited)
			}
		})
	}
}

// TestPacingPerToken: calls with one token are paced together across Clients sharing a
// Pacer, and another token is not held up.
func TestPacingPerToken(t *testing.T) {
	f, clock := newClockedFixture(t, practice.Config{}, 0)
	pacer := NewPacer(60, 2)
	f.client.Pacer = pacer
	other := New(f.srv.Info().APIURL, f.tokens)
	other.Pacer, other.Now, other.Sleep = pacer, clock.Now, clock.Sleep
	var waited time.Duration
	for i := range 4 {
		c := f.client
		if i%2 == 1 {
			c = other
		}
		_, ci, err := c.MeWithInfo(ctxFor(t))
		if err != nil {
			t.Fatal(err)
		}
		waited += ci.PacingWait
	}
	if waited != 2*time.Second {
		t.Fatalf("4 calls at 60/min with a burst of 2 waited %s, want 2s", waited)
	}
	// Another company's token starts with a full bucket.
	co2, _ := f.srv.Grant(f.srv.Companies()[1].ID)
	third := New(f.srv.Info().APIURL, staticTokens(co2.AccessToken))
	third.Pacer, third.Now, third.Sleep = pacer, clock.Now, clock.Sleep
	if _, ci, err := third.MeWithInfo(ctxFor(t)); err != nil || ci.PacingWait != 0 {
		t.Fatalf("another token waited %s (%v)", ci.PacingWait, err)
	}
	if DefaultPacer.PerMinute() != DefaultRequestsPerMinute || DefaultRequestsPerMinute >= 180 {
		t.Fatalf("default pace %d/min", DefaultPacer.PerMinute())
	}
}

type staticTokens string

func (s staticTokens) AccessToken(context.Context, bool) (string, error) { return string(s), nil }

// TestRefusedTokenRefreshes: Lightspeed refuses an expired access token with 400 or 401 and
// an OAuth-style body; either refreshes once and retries.
func TestRefusedTokenRefreshes(t *testing.T) {
	for _, status := range []int{400, 401} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFixture(t, practice.Config{ExpiredStatus: status}, 0)
			f.srv.ExpireAccessTokens()
			co, ci, err := f.client.MeWithInfo(ctxFor(t))
			if err != nil || co.ID != f.company.ID {
				t.Fatalf("Me after expiry: %v", err)
			}
			if _, forced := f.tokens.counts(); forced != 1 || !ci.Refreshed || ci.Requests != 2 {
				t.Fatalf("forced %d, CallInfo %+v", forced, ci)
			}
			// Refused again after the refresh: one refresh only, then a plain sentence.
			f.srv.ExpireAccessTokens()
			f.srv.RevokeRefreshTokens(f.company.ID)
			_, _, err = f.client.MeWithInfo(ctxFor(t))
			if err == nil {
				t.Fatal("no error with a refused token and a revoked refresh token")
			}
			if _, forced := f.tokens.counts(); forced != 2 {
				t.Fatalf("forced refreshes %d, want 2", forced)
			}
		})
	}
}

// TestOther400DoesNotRefresh: a 400 that is not about the token is not a reason to refresh.
func TestOther400DoesNotRefresh(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	f.srv.Faults().NextAPI(1, practice.FaultInvalidGrant)
	_, ci, err := f.client.MeWithInfo(ctxFor(t))
	assertKind(t, err, problem.KindBadReply, f.tokens)
	if _, forced := f.tokens.counts(); forced != 0 || ci.Requests != 1 || !strings.Contains(problem.Detail(err), "invalid_grant") {
		t.Fatalf("forced %d, %d requests, detail %q", forced, ci.Requests, problem.Detail(err))
	}
}

// TestNoRedirect: a redirect is never followed, even by an HTTP client that would, and the
// sentence says the endpoint moved.
func TestNoRedirect(t *testing.T) {
	for _, hc := range []*http.Client{nil, {}, {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}} {
		f := newFixture(t, practice.Config{}, 0)
		f.client.HTTP = hc
		f.srv.Faults().NextAPI(1, practice.FaultRedirect)
		_, ci, err := f.client.MeWithInfo(ctxFor(t))
		assertKind(t, err, problem.KindProvider, f.tokens)
		if problem.Summary(err) != sayMoved || ci.Status != http.StatusTemporaryRedirect || !strings.Contains(problem.Detail(err), "/moved/") {
			t.Fatalf("summary %q, status %d, detail %q", problem.Summary(err), ci.Status, problem.Detail(err))
		}
		if n := f.srv.Stats().RedirectsFollowed; n != 0 {
			t.Fatalf("the redirect was followed %d times", n)
		}
	}
}

// failTransport fails the test if any request is sent.
type failTransport struct{ t *testing.T }

func (f failTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("a request was sent to %s", r.URL.Host)
	return nil, fmt.Errorf("not sent")
}

func TestPlainHTTPOnlyToLoopback(t *testing.T) {
	for _, base := range []string{"http://api.example.com/v1/", "http://192.168.1.20:8080/v1/", "ftp://127.0.0.1/v1/", "127.0.0.1/v1/"} {
		c := New(base, staticTokens("tok"))
		c.HTTP = &http.Client{Transport: failTransport{t}}
		_, ci, err := c.MeWithInfo(ctxFor(t))
		if problem.KindOf(err) != problem.KindProvider || ci.Requests != 0 || !strings.Contains(problem.Summary(err), "API address") || problem.FixOf(err).Action != problem.ActionSetUp {
			t.Errorf("%s: %v (%d requests)", base, err, ci.Requests)
		}
	}
	for _, base := range []string{"http://127.0.0.1:1/v1/", "http://localhost:1/v1/", "http://[::1]:1/v1/"} {
		c := New(base, staticTokens("tok"))
		_, err := c.Me(ctxFor(t))
		if k := problem.KindOf(err); k != problem.KindNetwork {
			t.Errorf("%s: kind %q, want a network error (the request was allowed)", base, k)
		}
	}
}

// TestClientRedacted plants a token in a Client's token source and scans every verb and slog.
func TestClientRedacted(t *testing.T) {
	const secret = "PLANTED-ACCESS-TOKEN-77"
	c := New("https://api.example.com/v1/", staticTokens(secret))
	c.Pacer = NewPacer(10, 1)
	for _, v := range []any{c, *c} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) || !strings.Contains(out, "redacted") {
				t.Errorf("%s of %T: %s", verb, v, out)
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "client", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "client", v)
		if strings.Contains(buf.String(), secret) {
			t.Errorf("slog of %T: %s", v, buf.String())
		}
	}
}

// TestNextPageElsewhereIgnored: an X-Next-Page on another host (here: an evil one) gets no
// request and no token; the X-Page walk still reads the whole list.
func TestNextPageElsewhereIgnored(t *testing.T) {
	for _, next := range []string{"http://evil.test/v1/steal", "SAME"} {
		f := newFixture(t, practice.Config{Sites: 60}, 0)
		f.client.HTTP = &http.Client{Transport: rewrite{
			req: func(r *http.Request) {
				if r.URL.Host == "evil.test" {
					t.Errorf("a request went to %s", r.URL)
				}
			},
			resp: func(r *http.Response) {
				if r.Header.Get("X-Next-Page") != "" {
					v := next
					if v == "SAME" {
						v = r.Request.URL.String()
					}
					r.Header.Set("X-Next-Page", v)
				}
			},
		}}
		sites, ci, err := f.client.SitesWithInfo(ctxFor(t), f.company.ID)
		if err != nil || len(sites) != 60 || ci.Requests != 3 {
			t.Fatalf("X-Next-Page %s: %d sites in %d requests, %v", next, len(sites), ci.Requests, err)
		}
	}
}
