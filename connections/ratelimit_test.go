package connections

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// TestCheckRateLimitedCompanyDoesNotFailAnother: one company's 429 is waited out and
// retried, and its detail says so; when Lightspeed asks for a wait too long to take, that
// company alone fails, and the next is checked as usual.
func TestCheckRateLimitedCompanyDoesNotFailAnother(t *testing.T) {
	f := newFixture(t, PracticeConfig{Companies: 2})
	ids := f.grantAll(t)
	ctx := context.Background()
	if _, err := f.core.Check(ctx); err != nil { // learn the sites, so a check is one request
		t.Fatal(err)
	}
	f.core.parallelism = 1 // in state order, so the fault lands on the first company

	f.practice.Server.Faults().SetRetryAfter(time.Second)
	f.practice.Server.Faults().NextAPI(1, practice.FaultRateLimitedReset)
	statuses, err := f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range statuses {
		if s.Status != StatusHealthy {
			t.Fatalf("%s: %s (%s)", s.Name, s.Status, s.Detail)
		}
	}
	if d := statuses[0].Detail; !strings.Contains(d, "slow down (HTTP 429) once") || !strings.Contains(d, "tried again") {
		t.Errorf("rate-limited company's detail %q does not say it was rate limited and retried", d)
	}
	if d := statuses[1].Detail; strings.Contains(d, "429") {
		t.Errorf("the other company's detail %q mentions a 429", d)
	}

	// A Retry-After of five minutes is longer than the app waits: that company fails with a
	// plain sentence, the other one is healthy.
	f.practice.Server.Faults().SetRetryAfter(5 * time.Minute)
	f.practice.Server.Faults().NextAPI(1, practice.FaultRateLimited)
	statuses, err = f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := statuses[0]; s.ID != ids[0] || s.Kind != problem.KindRateLimited || !strings.Contains(s.Detail, "slow down") {
		t.Errorf("first company: %s %s (%s)", s.Status, s.Kind, s.Detail)
	}
	if fix := statuses[0].Fix(); fix.Action != problem.ActionRetry {
		t.Errorf("a rate-limited company's fix is %v, want a retry (not the internet connection)", fix.Action)
	}
	if s := statuses[1]; s.Status != StatusHealthy {
		t.Errorf("second company: %s (%s)", s.Status, s.Detail)
	}
}

// TestCheckRefreshesOnceWhenTheAPIRefusesAnExpiredToken: Lightspeed refuses an access token
// the app still thinks good, with 401 or with 400, and {"error": "expired_token"}: the check
// refreshes once, retries and is healthy.
func TestCheckRefreshesOnceWhenTheAPIRefusesAnExpiredToken(t *testing.T) {
	for _, status := range []int{401, 400} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFixture(t, PracticeConfig{ExpiredStatus: status})
			ids := f.grantAll(t)
			ctx := context.Background()
			before, err := f.vault.Tokens(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			f.practice.Server.ExpireAccessTokens()
			tokenReqs := f.practice.Server.Stats().TokenRequests
			statuses, err := f.core.Check(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if s := statuses[0]; s.Status != StatusHealthy || s.LastRefreshAt == nil {
				t.Fatalf("%s (%s), last refresh %v", s.Status, s.Detail, s.LastRefreshAt)
			}
			if n := f.practice.Server.Stats().TokenRequests - tokenReqs; n != 1 {
				t.Errorf("%d refreshes, want exactly 1", n)
			}
			after, err := f.vault.Tokens(ctx, ids[0])
			if err != nil || after.AccessToken == before.AccessToken {
				t.Fatalf("the refreshed access token was not stored (err %v)", err)
			}
		})
	}
}

// TestCheckHundredCompaniesUnderAPerTokenLimit: 100 companies, 100 ms latency, and a limit
// of 60 requests a minute per access token at Lightspeed and in the app: every company's
// check passes, because each token is paced on its own. (Paced together, the 200 requests
// would need more than three minutes and run out of time.)
func TestCheckHundredCompaniesUnderAPerTokenLimit(t *testing.T) {
	f := newFixtureWith(t, PracticeConfig{Companies: 100, RateLimit: 60, RateLimitReply: practice.RateLimitBare},
		Options{RequestsPerMinute: 60})
	f.grantAll(t)
	f.practice.Server.SetLatency(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	for round := range 2 { // the first check also reads each site list; the second does not
		start := time.Now()
		statuses, err := f.core.Check(ctx)
		t.Logf("round %d in %s", round, time.Since(start))
		if err != nil || len(statuses) != 100 {
			t.Fatalf("round %d: %d statuses, %v", round, len(statuses), err)
		}
		for _, s := range statuses {
			if s.Status != StatusHealthy || s.SitesTotal == nil || s.SitesVisible != *s.SitesTotal {
				t.Fatalf("round %d: %s: %s (%s)", round, s.Name, s.Status, s.Detail)
			}
		}
	}
	if n := f.practice.Server.Stats().RateLimited; n != 0 {
		t.Errorf("the server answered 429 %d times", n)
	}
}

// TestTokenEndpoint429PassesThrough: when the refresh a check needs is answered 429 at the
// token endpoint, that company's status carries the OAuth flow's own sentence and kind for
// it ("… is busy; try again in 30 s."), unchanged by the API client or the core, with a retry
// as its fix, and the other company is checked as usual.
func TestTokenEndpoint429PassesThrough(t *testing.T) {
	f := newFixture(t, PracticeConfig{Companies: 2})
	ids := f.grantAll(t)
	ctx := context.Background()
	f.core.parallelism = 1
	// The first company's access token runs out now, so its check refreshes first.
	tokens, err := f.vault.Tokens(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	tokens.Expiry = time.Now().Add(-time.Minute)
	if err := f.vault.SaveCompany(ctx, vault.Company{ID: ids[0], Name: "Harbour Burgers Pty Ltd"}, tokens); err != nil {
		t.Fatal(err)
	}
	f.practice.Server.Faults().SetRetryAfter(30 * time.Second)
	f.practice.Server.Faults().NextToken(1, practice.FaultRateLimited)
	statuses, err := f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// What the OAuth flow itself says about the same answer.
	s, err := f.core.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.practice.Server.Faults().NextToken(1, practice.FaultRateLimited)
	var direct oauth.Refresher
	_, want := direct.Refresh(ctx, "direct", oauth.RefreshConfig{Profile: s.profile(), ClientID: s.ClientID,
		ClientSecret: s.ClientSecret, RefreshToken: tokens.RefreshToken, HTTPClient: f.core.http})
	if want == nil {
		t.Fatal("the token endpoint's 429 was not a failure")
	}
	if got := statuses[0]; got.Detail != problem.Summary(want) || got.Kind != problem.KindOf(want) || got.Status == StatusHealthy {
		t.Errorf("first company: %s %s %q; the OAuth flow says %s %q", got.Status, got.Kind, got.Detail, problem.KindOf(want), problem.Summary(want))
	}
	if got := statuses[0]; got.Kind != problem.KindRateLimited || !strings.HasSuffix(got.Detail, " is busy; try again in 30 s.") || got.Fix().Action != problem.ActionRetry {
		t.Errorf("first company: %s %q, fix %v; want rate_limited, \"… is busy; try again in 30 s.\" and a retry", got.Kind, got.Detail, got.Fix().Action)
	}
	if got := statuses[1]; got.Status != StatusHealthy {
		t.Errorf("second company: %s (%s)", got.Status, got.Detail)
	}
}
