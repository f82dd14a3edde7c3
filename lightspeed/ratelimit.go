package lightspeed

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacing. Lightspeed limits requests per access token per minute. Reported figures are
// about 180 a minute for OAuth apps (this app is one) and about 60 for basic ones; the
// vendor does not publish a contract, so the client paces itself well below the OAuth
// figure and treats a 429 as normal, never as a failure it can't wait through.
const (
	// DefaultRequestsPerMinute is the pace per access token: 120 a minute, two thirds of
	// the ~180 reported for OAuth apps. With DefaultBurst, any 60-second window holds at most
	// 125 requests (burst plus rate), so a server that counts in fixed minute windows,
	// whatever their alignment, stays under 180 with room for a second copy of the app or
	// a clock that disagrees by some seconds.
	DefaultRequestsPerMinute = 120
	// DefaultBurst is how many requests one token may send at once before pacing starts:
	// enough for companies/me plus a few pages of sites without any wait.
	DefaultBurst = 5
)

// Backoff after a 429 that names no wait.
const (
	// backoffBase is the first wait; it doubles on each further 429.
	backoffBase = 2 * time.Second
	// backoffCap is the longest backoff wait, under a minute.
	backoffCap = 45 * time.Second
)

// Pacer spaces API requests per access token with a token bucket (golang.org/x/time/rate).
// It keys its limiters by a SHA-256 of the token, so it holds no secret. Share one Pacer
// between every Client that may use the same token; DefaultPacer is shared by default.
// A Pacer is safe for concurrent use.
type Pacer struct {
	limit rate.Limit
	burst int

	mu       sync.Mutex
	limiters map[[sha256.Size]byte]*pacedToken
}

type pacedToken struct {
	lim  *rate.Limiter
	used time.Time
}

// DefaultPacer paces Clients that have no Pacer of their own, at DefaultRequestsPerMinute.
var DefaultPacer = NewPacer(DefaultRequestsPerMinute, DefaultBurst)

// NewPacer returns a Pacer allowing perMinute requests a minute per token, with bursts of
// up to burst (at least 1). perMinute <= 0 means no pacing.
func NewPacer(perMinute, burst int) *Pacer {
	l := rate.Inf
	if perMinute > 0 {
		l = rate.Limit(float64(perMinute) / 60)
	}
	return &Pacer{limit: l, burst: max(1, burst), limiters: map[[sha256.Size]byte]*pacedToken{}}
}

// PerMinute is the pace in requests a minute; 0 means no pacing.
func (p *Pacer) PerMinute() int {
	if p.limit == rate.Inf {
		return 0
	}
	return int(float64(p.limit)*60 + 0.5)
}

// String describes the pace; it never names a token.
func (p *Pacer) String() string {
	return fmt.Sprintf("lightspeed.Pacer{PerMinute:%d Burst:%d}", p.PerMinute(), p.burst)
}

// delay reserves one request for token at now and returns how long to wait before sending,
// and a function that gives the reservation back (when the wait is abandoned).
func (p *Pacer) delay(token string, now time.Time) (time.Duration, func()) {
	key := sha256.Sum256([]byte(token))
	p.mu.Lock()
	pt := p.limiters[key]
	if pt == nil {
		if len(p.limiters) >= 1024 {
			p.pruneLocked(now)
		}
		pt = &pacedToken{lim: rate.NewLimiter(p.limit, p.burst)}
		p.limiters[key] = pt
	}
	pt.used = now
	p.mu.Unlock()
	r := pt.lim.ReserveN(now, 1)
	if !r.OK() {
		return 0, func() {}
	}
	return r.DelayFrom(now), func() { r.CancelAt(now) }
}

// pruneLocked forgets tokens not used for ten minutes (their buckets are full again).
func (p *Pacer) pruneLocked(now time.Time) {
	for k, pt := range p.limiters {
		if now.Sub(pt.used) > 10*time.Minute {
			delete(p.limiters, k)
		}
	}
}

// pace waits for the Pacer's turn for token.
func (c *Client) pace(ctx context.Context, token, path string, info *CallInfo) error {
	p := c.Pacer
	if p == nil {
		p = DefaultPacerFor(c.product())
	}
	d, cancel := p.delay(token, c.now())
	if d <= 0 {
		return nil
	}
	if err := c.sleep(ctx, d); err != nil {
		cancel()
		return transportProblem(ctx, err, path)
	}
	info.PacingWait += d
	return nil
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitRateLimit waits as long as a 429 answer asks, or fails with KindRateLimited when
// Retry-After asks for more than the cap, when the caller's deadline is nearer, or when it
// has happened too often.
func (c *Client) waitRateLimit(ctx context.Context, h http.Header, attempt int, path string, info *CallInfo) error {
	wait, source := rateLimitWait(h, c.now(), attempt, c.maxWait())
	switch {
	case attempt > maxRateLimitRetries:
		return rateLimited(path, wait, source, fmt.Sprintf("it answered 429 %d times in a row", attempt))
	case source == "Retry-After" && wait > c.maxWait():
		return rateLimited(path, wait, source, fmt.Sprintf("the app waits at most %s", c.maxWait()))
	}
	if deadline, ok := ctx.Deadline(); ok && deadline.Sub(c.now()) < wait {
		return rateLimited(path, wait, source, "that is longer than the time left for this request")
	}
	if err := c.sleep(ctx, wait); err != nil {
		return transportProblem(ctx, err, path)
	}
	info.RateLimitWait += wait
	info.RateLimited++
	return nil
}

// rateLimitWait reads how long a 429 answer asks to wait, and where that came from:
//
//   - Retry-After, in seconds or as an HTTP date (returned as is, even above maxWait); a date
//     is measured from the reply's Date header when there is one, like a Unix time below;
//   - else X-Ratelimit-Reset (or RateLimit-Reset, X-Rate-Limit-Reset): seconds to wait, or
//     a Unix time when it is larger than a billion (milliseconds when larger than a
//     trillion). A Unix time is measured from the reply's Date header when there is one, so
//     a wrong clock on this computer doesn't matter. Capped at maxWait;
//   - else exponential backoff for the attempt-th 429 in a row: 2 s, 4 s, 8 s … capped at
//     45 s, each with jitter (between half and all of it), so that many clients limited at
//     once don't come back at once.
func rateLimitWait(h http.Header, now time.Time, attempt int, maxWait time.Duration) (time.Duration, string) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return clampSeconds(n), "Retry-After"
		}
		if t, err := http.ParseTime(v); err == nil { // an HTTP date, as X-Series sends it
			return untilUnix(t, h, now), "Retry-After"
		}
	}
	for _, name := range []string{"X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset"} {
		v := strings.TrimSpace(h.Get(name))
		n, err := strconv.ParseFloat(v, 64)
		if v == "" || err != nil || n < 0 || math.IsNaN(n) || math.IsInf(n, 0) {
			continue
		}
		var wait time.Duration
		switch {
		case n > 1e12: // a Unix time in milliseconds
			wait = untilUnix(time.UnixMilli(int64(n)), h, now)
		case n > 1e9: // a Unix time in seconds
			wait = untilUnix(time.Unix(int64(n), 0), h, now)
		default:
			wait = clampSeconds(int64(n + 0.999))
		}
		return min(wait, maxWait), "X-Ratelimit-Reset"
	}
	return backoff(attempt), "backoff"
}

// untilUnix is how long until t, by the reply's Date header when present, else by now: the
// server's clock set both, so a wrong clock on this computer doesn't matter.
func untilUnix(t time.Time, h http.Header, now time.Time) time.Duration {
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		now = date
	}
	return max(0, t.Sub(now))
}

// backoff is the wait after the attempt-th bare 429 in a row: 2 s doubling, capped at 45 s,
// with jitter between half and all of it.
func backoff(attempt int) time.Duration {
	d := backoffBase
	for i := 1; i < attempt && d < backoffCap; i++ {
		d *= 2
	}
	d = min(d, backoffCap)
	return d/2 + rand.N(d/2+1)
}

// clampSeconds turns seconds into a Duration without overflowing on absurd values.
func clampSeconds(n int64) time.Duration {
	const limit = int64(365 * 24 * time.Hour / time.Second)
	return time.Duration(min(n, limit)) * time.Second
}
