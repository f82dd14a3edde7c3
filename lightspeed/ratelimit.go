package lightspeed

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// defaultRateLimitWait is the wait after a 429 that names no time, multiplied by the attempt.
const defaultRateLimitWait = time.Second

// waitRateLimit waits as long as a 429 answer asks, or fails with KindRateLimited when the
// wait is longer than the cap, than the caller's deadline allows, or has happened too often.
func (c *Client) waitRateLimit(ctx context.Context, h http.Header, attempt int, path string, info *CallInfo) error {
	wait, ok := rateLimitWait(h, c.now())
	if !ok {
		wait = time.Duration(attempt) * defaultRateLimitWait
	}
	switch {
	case attempt > maxRateLimitRetries:
		return rateLimited(path, wait, fmt.Sprintf("it answered 429 %d times in a row", attempt))
	case wait > c.maxWait():
		return rateLimited(path, wait, fmt.Sprintf("the app waits at most %s", c.maxWait()))
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return rateLimited(path, wait, "that is longer than the time left for this request")
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		info.RateLimitWait += wait
		return nil
	case <-ctx.Done():
		return transportProblem(ctx, ctx.Err(), path)
	}
}

// rateLimitWait reads how long a 429 answer asks to wait: Retry-After in seconds or as an
// HTTP date, else a rate-limit reset header (seconds to wait, or a Unix time when large).
func rateLimitWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			return clampSeconds(n), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(0, t.Sub(now)), true
		}
	}
	for _, name := range []string{"X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset"} {
		n, err := strconv.ParseInt(strings.TrimSpace(h.Get(name)), 10, 64)
		if err != nil || n < 0 {
			continue
		}
		if n > 1_000_000_000 { // a Unix time, not a number of seconds
			return max(0, time.Unix(n, 0).Sub(now)), true
		}
		return clampSeconds(n), true
	}
	return 0, false
}

// clampSeconds turns seconds into a Duration without overflowing on absurd values.
func clampSeconds(n int64) time.Duration {
	const limit = int64(365 * 24 * time.Hour / time.Second)
	return time.Duration(min(n, limit)) * time.Second
}

// linkNext returns the target of the rel="next" entry of RFC 8288 Link headers, or "".
func linkNext(values []string) string {
	for _, v := range values {
		for {
			v = strings.TrimLeft(v, " \t,")
			if !strings.HasPrefix(v, "<") {
				break
			}
			end := strings.IndexByte(v, '>')
			if end < 0 {
				break
			}
			target := v[1:end]
			params, rest, _ := strings.Cut(v[end+1:], ",")
			if hasRelNext(params) {
				return strings.TrimSpace(target)
			}
			v = rest
		}
	}
	return ""
}

func hasRelNext(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
			if strings.EqualFold(r, "next") {
				return true
			}
		}
	}
	return false
}
