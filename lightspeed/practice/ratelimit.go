package practice

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// rateWindow counts one access token's requests in its current minute (Config.RateLimit).
type rateWindow struct {
	start time.Time
	count int
}

// overRateLimit counts a request against token's window and, when the window is full,
// answers 429 the way Config.RateLimitReply says and returns true.
func (s *Server) overRateLimit(w http.ResponseWriter, token string) bool {
	if s.cfg.RateLimit <= 0 {
		return false
	}
	now := s.now()
	s.mu.Lock()
	win := s.windows[token]
	if win == nil || !now.Before(win.start.Add(time.Minute)) {
		if len(s.windows) > 4096 {
			s.pruneWindowsLocked(now)
		}
		win = &rateWindow{start: now}
		s.windows[token] = win
	}
	win.count++
	over, reset := win.count > s.cfg.RateLimit, win.start.Add(time.Minute)
	s.mu.Unlock()
	if !over {
		return false
	}
	s.limited.Add(1)
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
		if !now.Before(win.start.Add(time.Minute)) {
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
// Config.ExpiredStatus and an OAuth-style body naming why.
func (s *Server) writeRefused(w http.ResponseWriter, why string) {
	desc := "The access token provided is invalid"
	if why == refusedExpired {
		desc = "The access token provided has expired"
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="api", error="invalid_token"`)
	writeJSON(w, s.cfg.ExpiredStatus, map[string]string{"error": why, "error_description": desc})
}
