// Package lightspeed is a small client for the Lightspeed O-Series (Kounta) API: it reads
// the connected company (companies/me.json) and its sites (companies/{id}/sites.json).
//
// It follows the API as public clients that talk to the real O-Series API record it:
//
//   - Lists come 25 items a page. The page is chosen with the X-Page request header, counted
//     from 0; the reply carries X-Pages, and may carry X-Next-Page with the next page's full
//     address, which is followed when present. A list is never returned short: if X-Pages
//     says there is more and it can't be fetched, the call fails. (Lightspeed sends no Link
//     header and reads no ?page=, so neither is used.)
//   - companies/me.json carries sites.count (every site, also those the person who granted
//     access can't see), registers, timezone and more; sites.json items are abridged to
//     company_id, id, name and a code that may be null.
//   - Rate limits are per access token and per minute. Requests are paced per token (see
//     Pacer) below the limit, and a 429 is waited out: Retry-After, else X-Ratelimit-Reset
//     (seconds or a Unix time, capped), else exponential backoff with jitter.
//   - A refused access token comes back as 401, or as 400 with {"error": "invalid_token" or
//     "expired_token"}: the client asks the TokenSource once more with forceRefresh=true
//     and retries once.
//   - Redirects are never followed, and plain http is used only to loopback.
//
// It does not store tokens. Every failure it understands comes back as a *problem.Error with
// a plain sentence, and every call can report the facts a health check needs (status,
// latency, the server's clock, whether it was rate limited) in a CallInfo.
package lightspeed

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// PageSize is how many items O-Series sends on one page of a list.
const PageSize = 25

// DefaultBaseURL is the production API address.
const DefaultBaseURL = "https://api.kounta.com/v1/"

// Defaults used when a Client field is left at its zero value.
const (
	// DefaultTimeout bounds each HTTP request when the caller's context has no deadline.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRateLimitWait is the longest single wait the client accepts after HTTP 429:
	// a longer Retry-After fails at once, and a longer X-Ratelimit-Reset is cut to it. A
	// per-minute limit never asks for more than a minute.
	DefaultMaxRateLimitWait = 60 * time.Second
	// DefaultMaxPages bounds how many pages a list call follows, in case a server loops.
	DefaultMaxPages = 200
	// maxRateLimitRetries bounds how many 429 answers one request waits through. With the
	// backoff for bare 429s (2 s doubling to 45 s, jittered down to half), seven waits add
	// up to more than a minute even at their shortest: a whole rate-limit window.
	maxRateLimitRetries = 7
	// maxBody is the largest reply body the client reads.
	maxBody = 16 << 20
)

// TokenSource hands out access tokens. The app's connections core implements it: it reads
// the stored token, refreshes it when it is old, and stores what the refresh returns.
type TokenSource interface {
	// AccessToken returns a current access token. With forceRefresh, the stored one was just
	// refused (HTTP 401, or 400 invalid_token/expired_token): refresh it now even if it does
	// not look expired.
	AccessToken(ctx context.Context, forceRefresh bool) (string, error)
}

// Client calls the Lightspeed API for one connected company. Its fields may be changed
// before first use; a Client is safe for concurrent use afterwards. It prints redacted: its
// token source may hold a token.
type Client struct {
	// Product is the Lightspeed product the connection belongs to. Empty: O-Series. It picks
	// how "what was connected" is read (Connected), how lists are paged, the default pace and
	// the words of the sentences.
	Product ProductID
	// BaseURL is the API root, ending in "/" (O-Series: ".../v1/"). Empty: the product's own
	// (DefaultBaseURL for O-Series), which for X-Series names no store and so can't be used:
	// give the store's address, its {domain_prefix} filled in. For R-Series the root
	// ".../API/V3/" and an account's ".../API/V3/Account/{id}/" both work, also with
	// {account_id} not filled in yet. It must be https, or
	// http to a loopback address (the practice server).
	BaseURL string
	// HTTP sends the requests. Nil: a client without its own timeout (Timeout applies). Its
	// CheckRedirect is not used: the client never follows a redirect.
	HTTP *http.Client
	// Tokens supplies access tokens; required.
	Tokens TokenSource
	// Timeout bounds each HTTP request when ctx has no deadline. Zero: DefaultTimeout.
	Timeout time.Duration
	// MaxRateLimitWait is the longest wait accepted after HTTP 429; a longer Retry-After
	// fails at once with problem.KindRateLimited. Zero: DefaultMaxRateLimitWait.
	MaxRateLimitWait time.Duration
	// MaxPages bounds how many pages one list follows. Zero: DefaultMaxPages.
	MaxPages int
	// PageSize is how many items a page is asked to hold, where the product takes a size
	// (K-Series' size, X-Series' page_size). Zero: the product's profile's. O-Series' pages
	// are always 25 and R-Series' 100, whatever it says.
	PageSize int
	// UserAgent is sent with every request. Empty: "LightspeedConnect".
	UserAgent string
	// Now is the clock used to pace requests, read Retry-After dates and stamp CallInfo.
	// Nil: time.Now.
	Now func() time.Time
	// Pacer spaces requests per access token. Nil: DefaultPacer for O-Series, else the
	// product's own (DefaultPacerFor), shared by every Client in the process, so that all calls
	// made with one token are paced together.
	Pacer *Pacer
	// Buckets follows R-Series' leaky bucket per access token, from the bucket headers of its
	// replies, and holds back a request the bucket can't take yet. Nil: DefaultBuckets. Other
	// products don't use it.
	Buckets *Buckets
	// Sleep waits d or until ctx ends (then it returns ctx.Err()); pacing and rate-limit
	// waits use it. Nil: a real timer. Tests pass one that advances a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
}

// New returns a Client for baseURL (DefaultBaseURL when "") that takes tokens from tokens.
func New(baseURL string, tokens TokenSource) *Client {
	return &Client{BaseURL: baseURL, Tokens: tokens}
}

// Company is the connected Lightspeed company, from companies/me.json.
type Company struct {
	// ID is the company's Lightspeed ID.
	ID int64
	// Name is the company's name as Lightspeed shows it.
	Name string
	// SitesCount is sites.count: how many sites the company has, including any the person
	// who granted access can't see (those are missing from Sites). Compare it with
	// len(Sites) to tell the person. 0 when the reply has no sites.count.
	SitesCount int
	// Registers is registers.count and registers.limit.
	Registers Registers
	// Timezone is the company's time zone.
	Timezone Timezone
	// Currency is the ISO 4217 code, such as "AUD"; may be empty.
	Currency string
	// BusinessNumber is the company's business number (an ABN in Australia); may be empty.
	BusinessNumber string
	// Website is the company's web address; may be empty.
	Website string
}

// Registers is how many registers a company has, and how many its plan allows.
type Registers struct {
	Count int
	Limit int
}

// Timezone is a company's time zone as Lightspeed sends it.
type Timezone struct {
	// Name is the IANA name, such as "Australia/Melbourne".
	Name string
	// Offset is the UTC offset as sent, such as "+10:00".
	Offset string
}

// Site is one site (shop, venue) of a company.
type Site struct {
	// ID is the site's Lightspeed ID.
	ID int64
	// Name is the site's name.
	Name string
	// Code is the site's short code; empty when Lightspeed sends null.
	Code string
	// CompanyID is the company the site belongs to (company_id).
	CompanyID int64
}

// CallInfo holds what a health check wants to know about a call, filled as far as the call
// got, also when it failed.
type CallInfo struct {
	// Status is the HTTP status of the last answer; 0 when no answer came.
	Status int
	// Latency is the round trip of the last answer (request sent to headers received).
	Latency time.Duration
	// Elapsed is the whole call, including refreshes, rate-limit waits and pages.
	Elapsed time.Duration
	// ServerDate is the Date header of the last answer; zero when absent or unreadable.
	ServerDate time.Time
	// ReceivedAt is this computer's clock when the last answer arrived.
	ReceivedAt time.Time
	// Requests counts the HTTP requests sent, including retries and pages.
	Requests int
	// Refreshed tells whether the client asked for a refreshed token after a 401.
	Refreshed bool
	// RateLimitWait is the total time spent waiting after HTTP 429.
	RateLimitWait time.Duration
	// RateLimited counts the HTTP 429 answers the call waited through and retried after.
	RateLimited int
	// PacingWait is the total time spent waiting for the Pacer before sending.
	PacingWait time.Duration
	// Pages counts the list pages read.
	Pages int
	// Budget is what the last answer said of the rate limit; zero when it said nothing.
	Budget Budget
}

// RateLimitNote is a sentence for a detail line when the call was rate limited and retried,
// or "" when it was not.
func (i CallInfo) RateLimitNote() string {
	if i.RateLimited == 0 {
		return ""
	}
	times := "once"
	if i.RateLimited > 1 {
		times = fmt.Sprintf("%d times", i.RateLimited)
	}
	return fmt.Sprintf("Lightspeed asked the app to slow down (HTTP 429) %s; it waited %s and tried again.",
		times, i.RateLimitWait.Round(time.Second))
}

// Followed adds the facts of a call made after this one (a list read after companies/me):
// its requests, pages and waits always, and its status and timing when it failed (that answer
// is the one to explain).
func (i CallInfo) Followed(next CallInfo, failed bool) CallInfo {
	out := i
	out.Requests += next.Requests
	out.Pages += next.Pages
	out.RateLimited += next.RateLimited
	out.RateLimitWait += next.RateLimitWait
	out.PacingWait += next.PacingWait
	out.Elapsed += next.Elapsed
	out.Refreshed = i.Refreshed || next.Refreshed
	if failed {
		out.Status, out.Latency, out.ServerDate, out.ReceivedAt = next.Status, next.Latency, next.ServerDate, next.ReceivedAt
	}
	return out
}

// ClockSkew returns how far Lightspeed's clock is ahead of this computer's (negative when
// behind), and false when the answer had no usable Date header. The Date header has a
// resolution of one second, so differences under about two seconds mean nothing.
func (i CallInfo) ClockSkew() (time.Duration, bool) {
	if i.ServerDate.IsZero() || i.ReceivedAt.IsZero() {
		return 0, false
	}
	return i.ServerDate.Sub(i.ReceivedAt.Add(-i.Latency / 2)), true
}

// Me returns the company the access token belongs to.
func (c *Client) Me(ctx context.Context) (Company, error) {
	co, _, err := c.MeWithInfo(ctx)
	return co, err
}

// MeWithInfo is Me that also reports the call's facts for a health check.
func (c *Client) MeWithInfo(ctx context.Context) (Company, CallInfo, error) {
	var info CallInfo
	start := c.now()
	defer func() { info.Elapsed = c.now().Sub(start) }()
	co, err := c.me(ctx, &info)
	return co, info, err
}

// me reads companies/me.json.
func (c *Client) me(ctx context.Context, info *CallInfo) (Company, error) {
	var raw companyJSON
	u := c.base() + "companies/me.json"
	if _, err := c.getJSON(ctx, u, -1, &raw, info); err != nil {
		return Company{}, err
	}
	if raw.ID <= 0 {
		return Company{}, badReply(info.Status, pathOf(u), "the reply has the wrong shape: the company has no id", nil)
	}
	return raw.company(), nil
}

// Sites returns every site of the company the token may see, across all pages. It fails
// rather than return fewer than the pages promise.
func (c *Client) Sites(ctx context.Context, companyID int64) ([]Site, error) {
	s, _, err := c.SitesWithInfo(ctx, companyID)
	return s, err
}

// SitesWithInfo is Sites that also reports the call's facts for a health check.
func (c *Client) SitesWithInfo(ctx context.Context, companyID int64) ([]Site, CallInfo, error) {
	var info CallInfo
	start := c.now()
	defer func() { info.Elapsed = c.now().Sub(start) }()
	sites, err := c.sites(ctx, companyID, &info)
	return sites, info, err
}

func (c *Client) base() string {
	b := c.BaseURL
	if b == "" {
		b = c.profile().APIBaseURL
	}
	if b[len(b)-1] != '/' {
		b += "/"
	}
	return b
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c *Client) maxWait() time.Duration {
	if c.MaxRateLimitWait > 0 {
		return c.MaxRateLimitWait
	}
	return DefaultMaxRateLimitWait
}

func (c *Client) maxPages() int {
	if c.MaxPages > 0 {
		return c.MaxPages
	}
	return DefaultMaxPages
}

func (c *Client) userAgent() string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	return "LightspeedConnect"
}
