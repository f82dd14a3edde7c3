package practice

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// rateWindow counts one key's requests in its current fixed window (Config.RateLimit): an
// access token's minute, or an X-Series store's five minutes.
type rateWindow struct {
	start  time.Time
	length time.Duration
	count  int
}

// windowCount is a request counted in a fixed window.
type windowCount struct {
	now, reset time.Time
	over       bool
	remaining  int
}

// countWindow counts a request against key's window of the given length, which holds limit
// requests.
func (s *Server) countWindow(key string, limit int, length time.Duration) windowCount {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	win := s.windows[key]
	if win == nil || !now.Before(win.start.Add(win.length)) {
		if len(s.windows) > 4096 {
			s.pruneWindowsLocked(now)
		}
		win = &rateWindow{start: now, length: length}
		s.windows[key] = win
	}
	win.count++
	if win.count > limit {
		s.limited.Add(1)
	}
	return windowCount{now: now, reset: win.start.Add(win.length), over: win.count > limit, remaining: max(0, limit-win.count)}
}

// overRateLimit counts an O-Series request against token's window and, when the window is
// full, answers 429 the way Config.RateLimitReply says and returns true.
func (s *Server) overRateLimit(w http.ResponseWriter, token string) bool {
	if s.cfg.RateLimit <= 0 {
		return false
	}
	c := s.countWindow(token, s.cfg.RateLimit, time.Minute)
	if !c.over {
		return false
	}
	now, reset := c.now, c.reset
	switch s.cfg.RateLimitReply {
	case RateLimitReset:
		w.Header().Set("X-Ratelimit-Reset", strconv.Itoa(int(math.Ceil(reset.Sub(now).Seconds()))))
	case RateLimitResetEpoch:
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(reset.Add(time.Second-1).Unix(), 10))
	case RateLimitBare:
	}
	writeJSON(w, http.StatusTooManyRequests, apiError("rate_limited", "Too many requests. Slow down."))
	return true
}

func (s *Server) pruneWindowsLocked(now time.Time) {
	for k, win := range s.windows {
		if !now.Before(win.start.Add(win.length)) {
			delete(s.windows, k)
		}
	}
}

// Why an access token is refused, as the error code of the OAuth-style body.
const (
	refusedInvalid = "invalid_token"
	refusedExpired = "expired_token"
)

// writeRefused answers an API call whose access token is not accepted, with
// Config.ExpiredStatus and an OAuth-style body naming why; a 401 from X- or R-Series carries
// the product's own error body instead, with no OAuth error code in it (their real bodies are
// unknown, so a client must go by the status alone).
func (s *Server) writeRefused(w http.ResponseWriter, why string) {
	desc := "The access token provided is invalid"
	if why == refusedExpired {
		desc = "The access token provided has expired"
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
	status := s.cfg.ExpiredStatus
	switch {
	case status == http.StatusUnauthorized && s.cfg.Product == XSeries:
		writeJSON(w, status, xError("Unauthorized", desc+"."))
	case status == http.StatusUnauthorized && s.cfg.Product == RSeries:
		writeJSON(w, status, rError(status, "Unauthorized", desc+"."))
	default:
		writeJSON(w, status, map[string]string{"error": why, "error_description": desc})
	}
}

// overWindowK counts a K-Series request against its token's minute (Config.RateLimit; K-Series
// publishes no limit) and answers 429 with Retry-After in seconds when it is over.
func (s *Server) overWindowK(w http.ResponseWriter, token string) bool {
	if s.cfg.RateLimit <= 0 {
		return false
	}
	c := s.countWindow("k:"+token, s.cfg.RateLimit, time.Minute)
	if !c.over {
		return false
	}
	if s.cfg.RateLimitReply != RateLimitBare {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(c.reset.Sub(c.now).Seconds()))))
	}
	writeJSON(w, http.StatusTooManyRequests, apiError("rate_limited", "Too many requests. Slow down."))
	return true
}

// xLimit is X-Series' own limit for one register: 300 × registers + 50 requests in 5 minutes.
const (
	xLimit       = 350
	xLimitWindow = 5 * time.Minute
)

// overWindowX counts an X-Series request against its store's window (Config.RateLimit a
// minute, else the real 350 in 5 minutes), sets X-RateLimit-Limit and X-RateLimit-Remaining
// as every X-Series reply carries them, and over the limit answers 429 with Retry-After as an
// HTTP date.
func (s *Server) overWindowX(w http.ResponseWriter, store string) bool {
	limit, length := xLimit, xLimitWindow
	if s.cfg.RateLimit > 0 {
		limit, length = s.cfg.RateLimit, time.Minute
	}
	c := s.countWindow("x:"+store, limit, length)
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(c.remaining))
	if !c.over {
		return false
	}
	if s.cfg.RateLimitReply != RateLimitBare {
		// Rounded up to the next whole second: an HTTP date has no fractions.
		w.Header().Set("Retry-After", c.reset.Add(time.Second-1).UTC().Format(http.TimeFormat))
	}
	writeJSON(w, http.StatusTooManyRequests, xError("Too Many Requests", "Rate limiting enforced"))
	return true
}

// xTokenLimit is how many token requests an X-Series store's token address takes a minute in
// practice. The real address has a limit of its own whose values are not published ("subject
// to change"); this one is generous enough for any honest client.
const xTokenLimit = 60

// overTokenLimitX counts a token request against the store's token address limit, sets
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (a Unix time) as the real
// one reports them, and answers 429 over it.
func (s *Server) overTokenLimitX(w http.ResponseWriter, store string) bool {
	c := s.countWindow("x-token:"+store, xTokenLimit, time.Minute)
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(xTokenLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(c.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(c.reset.Add(time.Second-1).Unix(), 10))
	if !c.over {
		return false
	}
	writeOAuthError(w, http.StatusTooManyRequests, "rate_limited", "Too many token requests for this store.")
	return true
}

// leakyBucket is an R-Series account's bucket: level units, as of at.
type leakyBucket struct {
	level float64
	at    time.Time
}

// R-Series' default bucket: 60 units draining at 1 a second; a GET costs 1.
const (
	rBucketSize = 60
	rDripRate   = 1.0
	rGetCost    = 1.0
)

// overBucketR pours a GET into the account's leaky bucket, sets X-LS-API-Bucket-Level
// (used/size) and X-LS-API-Drip-Rate as every R-Series reply carries them, and when the
// bucket can't hold the request answers 429 with Retry-After in seconds (nothing is poured).
func (s *Server) overBucketR(w http.ResponseWriter, account int64) bool {
	size, drip := float64(rBucketSize), rDripRate
	if s.cfg.RateLimit > 0 {
		size, drip = float64(s.cfg.RateLimit), float64(s.cfg.RateLimit)/60
	}
	now := s.now()
	s.mu.Lock()
	b := s.buckets[account]
	if b == nil {
		b = &leakyBucket{at: now}
		s.buckets[account] = b
	}
	b.level = max(0, b.level-drip*now.Sub(b.at).Seconds())
	b.at = now
	over := b.level+rGetCost > size
	if !over {
		b.level += rGetCost
	}
	level, wait := b.level, (b.level+rGetCost-size)/drip
	s.mu.Unlock()
	w.Header().Set("X-LS-API-Bucket-Level", units(level)+"/"+units(size))
	w.Header().Set("X-LS-API-Drip-Rate", units(drip))
	if !over {
		return false
	}
	s.limited.Add(1)
	if s.cfg.RateLimitReply != RateLimitBare {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait)))))
	}
	writeJSON(w, http.StatusTooManyRequests, rError(http.StatusTooManyRequests, "Too Many Requests", "Rate limit exceeded: the bucket is full."))
	return true
}

// units prints a bucket figure with at most two decimals ("10", "1.5").
func units(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }
