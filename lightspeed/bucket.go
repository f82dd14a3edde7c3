package lightspeed

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// R-Series limits an account with a leaky bucket: every request pours its cost in (a GET 1
// unit), the bucket drains at the drip rate, and a request that would overflow it is answered
// 429. Each reply says where the bucket stands: X-LS-API-Bucket-Level "used/size" (such as
// "10/60") and X-LS-API-Drip-Rate in units a second. The client keeps that picture per
// access token, drains it by the clock, and waits before a request the bucket can't hold
// rather than be refused (docs/providers.md).

// Until a reply says otherwise, R-Series' bucket is assumed to hold 60 and drain 1 a second
// (the vendor's default; larger plans have larger buckets).
const (
	defaultBucketSize = 60
	defaultDripRate   = 1.0
	// getCost is what one GET pours into the bucket.
	getCost = 1.0
)

// Buckets follows leaky buckets per access token (by a SHA-256 of it, so it holds no secret).
// Share one between every Client that may use the same token; DefaultBuckets is shared by
// default. It is safe for concurrent use.
type Buckets struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]*leakyBucket
}

// leakyBucket is one bucket as last seen: level units at the time at.
type leakyBucket struct {
	level, size, drip float64
	at                time.Time
}

// DefaultBuckets follows the buckets of Clients that have none of their own.
var DefaultBuckets = NewBuckets()

// NewBuckets returns an empty Buckets.
func NewBuckets() *Buckets { return &Buckets{m: map[[sha256.Size]byte]*leakyBucket{}} }

// String describes the Buckets; it never names a token.
func (b *Buckets) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprintf("lightspeed.Buckets{Tokens:%d}", len(b.m))
}

// bucketLocked is token's bucket, made with the defaults when new.
func (b *Buckets) bucketLocked(token string, now time.Time) *leakyBucket {
	key := sha256.Sum256([]byte(token))
	lb := b.m[key]
	if lb == nil {
		if len(b.m) >= 1024 {
			b.pruneLocked(now)
		}
		lb = &leakyBucket{size: defaultBucketSize, drip: defaultDripRate, at: now}
		b.m[key] = lb
	}
	return lb
}

// pruneLocked forgets buckets that have drained empty.
func (b *Buckets) pruneLocked(now time.Time) {
	for k, lb := range b.m {
		if lb.levelAt(now) == 0 {
			delete(b.m, k)
		}
	}
}

// levelAt is the bucket's level at now, drained since it was last seen.
func (lb *leakyBucket) levelAt(now time.Time) float64 {
	return max(0, lb.level-lb.drip*now.Sub(lb.at).Seconds())
}

// reserve pours cost into token's bucket at now and returns how long to wait first so that
// it fits: 0 when it fits at once.
func (b *Buckets) reserve(token string, cost float64, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	lb := b.bucketLocked(token, now)
	level := lb.levelAt(now)
	if level+cost <= lb.size {
		lb.level, lb.at = level+cost, now
		return 0
	}
	// Whole milliseconds, one more than enough: the server counts on its own clock.
	wait := time.Duration(math.Ceil((level+cost-lb.size)/lb.drip*1000)+1) * time.Millisecond
	// At now+wait the bucket holds exactly its size, this request included.
	lb.level, lb.at = lb.size, now.Add(wait)
	return wait
}

// carry gives a refreshed token the bucket of the token it replaces: the bucket is the
// account's, not the token's.
func (b *Buckets) carry(from, to string) {
	if from == to {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old, ok := b.m[sha256.Sum256([]byte(from))]
	if !ok {
		return
	}
	lb := *old
	b.m[sha256.Sum256([]byte(to))] = &lb
}

// observe takes a reply's word for where token's bucket stands. A reply without the headers,
// or with figures that make no sense, changes nothing.
func (b *Buckets) observe(token string, h http.Header, now time.Time) {
	used, size, ok := bucketLevel(h)
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	lb := b.bucketLocked(token, now)
	lb.level, lb.size, lb.at = used, size, now
	if drip, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-LS-API-Drip-Rate")), 64); err == nil && drip > 0 && drip < 1e6 {
		lb.drip = drip
	}
}

// bucketLevel reads X-LS-API-Bucket-Level: "used/size", used from 0 to size, size above 0.
func bucketLevel(h http.Header) (used, size float64, ok bool) {
	u, s, found := strings.Cut(strings.TrimSpace(h.Get("X-LS-API-Bucket-Level")), "/")
	if !found {
		return 0, 0, false
	}
	used, err1 := strconv.ParseFloat(strings.TrimSpace(u), 64)
	size, err2 := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err1 != nil || err2 != nil || math.IsNaN(used) || math.IsNaN(size) || size <= 0 || size > 1e6 || used < 0 || used > size*2 {
		return 0, 0, false
	}
	return used, size, true
}

// buckets is the client's Buckets.
func (c *Client) buckets() *Buckets {
	if c.Buckets != nil {
		return c.Buckets
	}
	return DefaultBuckets
}

// waitBucket holds back a request the product's bucket can't take yet (R-Series only).
func (c *Client) waitBucket(ctx context.Context, token, path string, info *CallInfo) error {
	if c.product() != RSeries {
		return nil
	}
	d := c.buckets().reserve(token, getCost, c.now())
	if d <= 0 {
		return nil
	}
	if err := c.sleep(ctx, d); err != nil {
		return transportProblem(ctx, err, path)
	}
	info.PacingWait += d
	return nil
}

// observeBudget records what a reply says of the rate limit: in info.Budget for any product
// that says it, and in the bucket for R-Series.
func (c *Client) observeBudget(token string, h http.Header, info *CallInfo) {
	if used, size, ok := bucketLevel(h); ok {
		info.Budget = Budget{Used: int(math.Ceil(used)), Size: int(size)}
		if c.product() == RSeries {
			c.buckets().observe(token, h, c.now())
		}
		return
	}
	limit, okL := headerInt(h, "X-RateLimit-Limit")
	left, okR := headerInt(h, "X-RateLimit-Remaining")
	if okL && okR && limit > 0 && left <= limit {
		info.Budget = Budget{Used: limit - left, Size: limit}
	}
}

// Budget is what the last answer said of the rate limit: how much of it is used and how
// large it is (X-Series' X-RateLimit-Limit and -Remaining, R-Series' bucket level). Zero when
// the answer didn't say.
type Budget struct {
	Used, Size int
}
