package practice

import (
	"fmt"
	"strconv"
	"strings"
)

// RateLimitReply is how the practice server answers a request over Config.RateLimit. Both
// of Lightspeed's ways are offered: a 429 with only X-Ratelimit-Reset, and a bare 429. Neither
// carries Retry-After.
type RateLimitReply int

const (
	// RateLimitReset answers 429 with only X-Ratelimit-Reset: the seconds until the window
	// ends.
	RateLimitReset RateLimitReply = iota
	// RateLimitResetEpoch answers 429 with only X-Ratelimit-Reset: the Unix time at which the
	// window ends.
	RateLimitResetEpoch
	// RateLimitBare answers 429 with no header that says how long to wait.
	RateLimitBare
)

// String is the flag spelling of r: "reset", "epoch" or "bare".
func (r RateLimitReply) String() string {
	switch r {
	case RateLimitReset:
		return "reset"
	case RateLimitResetEpoch:
		return "epoch"
	case RateLimitBare:
		return "bare"
	}
	return "RateLimitReply(" + strconv.Itoa(int(r)) + ")"
}

// ParseRateLimitReply reads the --rate-limit-reply flag: "reset", "epoch" or "bare".
func ParseRateLimitReply(s string) (RateLimitReply, error) {
	for _, r := range []RateLimitReply{RateLimitReset, RateLimitResetEpoch, RateLimitBare} {
		if strings.EqualFold(strings.TrimSpace(s), r.String()) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("a rate-limit reply is reset, epoch or bare, not %q", s)
}

// ParsePerMinute reads a rate such as "60/min" (also "60/minute", "60/m" or a bare "60") for
// the --rate-limit flag, and returns the number of requests per minute. "0/min" is allowed
// and means no limit.
func ParsePerMinute(s string) (int, error) {
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(s), "/")
	if hasUnit {
		switch strings.ToLower(strings.TrimSpace(unit)) {
		case "min", "minute", "m":
		default:
			return 0, fmt.Errorf("a rate is a number of requests per minute, such as 60/min, not %q", s)
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("a rate is a number of requests per minute, such as 60/min, not %q", s)
	}
	return n, nil
}
