// Package lightspeed is a small client for the Lightspeed O-Series (Kounta) API: it reads
// the connected company (companies/me.json) and its sites (companies/{id}/sites.json).
//
// It does not store tokens. It asks a TokenSource for an access token before each call and,
// when Lightspeed answers 401, asks once more with forceRefresh=true and retries once. Every
// failure it understands comes back as a *problem.Error with a plain sentence, and every call
// can report the facts a health check needs (status, latency, the server's clock).
package lightspeed

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// DefaultBaseURL is the production API address.
const DefaultBaseURL = "https://api.kounta.com/v1/"

// Defaults used when a Client field is left at its zero value.
const (
	// DefaultTimeout bounds each HTTP request when the caller's context has no deadline.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRateLimitWait is the longest single wait the client accepts after HTTP 429.
	DefaultMaxRateLimitWait = 30 * time.Second
	// DefaultMaxPages bounds how many pages a list call follows, in case a server loops.
	DefaultMaxPages = 200
	// maxRateLimitRetries bounds how many 429 answers one request waits through.
	maxRateLimitRetries = 5
	// maxBody is the largest reply body the client reads.
	maxBody = 16 << 20
)

// TokenSource hands out access tokens. The app's connections core implements it: it reads
// the stored token, refreshes it when it is old, and stores what the refresh returns.
type TokenSource interface {
	// AccessToken returns a current access token. With forceRefresh, the stored one was just
	// refused (HTTP 401): refresh it now even if it does not look expired.
	AccessToken(ctx context.Context, forceRefresh bool) (string, error)
}

// Client calls the Lightspeed API for one connected company. Its fields may be changed
// before first use; a Client is safe for concurrent use afterwards.
type Client struct {
	// BaseURL is the API root ending in "/v1/". Empty: DefaultBaseURL.
	BaseURL string
	// HTTP sends the requests. Nil: a client without its own timeout (Timeout applies).
	HTTP *http.Client
	// Tokens supplies access tokens; required.
	Tokens TokenSource
	// Timeout bounds each HTTP request when ctx has no deadline. Zero: DefaultTimeout.
	Timeout time.Duration
	// MaxRateLimitWait is the longest wait accepted after HTTP 429; a longer Retry-After
	// fails at once with problem.KindRateLimited. Zero: DefaultMaxRateLimitWait.
	MaxRateLimitWait time.Duration
	// MaxPages bounds how many pages Sites follows. Zero: DefaultMaxPages.
	MaxPages int
	// UserAgent is sent with every request. Empty: "LightspeedConnect".
	UserAgent string
	// Now is the clock used to read Retry-After dates and stamp CallInfo. Nil: time.Now.
	Now func() time.Time
}

// New returns a Client for baseURL (DefaultBaseURL when "") that takes tokens from tokens.
func New(baseURL string, tokens TokenSource) *Client {
	return &Client{BaseURL: baseURL, Tokens: tokens}
}

// Company is the connected Lightspeed company.
type Company struct {
	// ID is the company's Lightspeed ID.
	ID int64
	// Name is the company's name as Lightspeed shows it.
	Name string
}

// Site is one site (shop, venue) of a company.
type Site struct {
	// ID is the site's Lightspeed ID.
	ID int64
	// Name is the site's name.
	Name string
	// Code is the site's short code; it may be empty.
	Code string
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
	var raw companyJSON
	u := c.base() + "companies/me.json"
	if _, err := c.getJSON(ctx, u, &raw, &info); err != nil {
		return Company{}, info, err
	}
	if raw.ID <= 0 {
		return Company{}, info, badReply(info.Status, pathOf(u), "the reply has the wrong shape: the company has no id", nil)
	}
	return Company{ID: int64(raw.ID), Name: raw.Name}, info, nil
}

// Sites returns all sites of the company, following pagination.
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

func (c *Client) sites(ctx context.Context, companyID int64, info *CallInfo) ([]Site, error) {
	next := fmt.Sprintf("%scompanies/%d/sites.json", c.base(), companyID)
	var all []Site
	for page := 0; next != ""; page++ {
		if page >= c.maxPages() {
			return nil, badReply(info.Status, pathOf(next), fmt.Sprintf("the list has more than %d pages", c.maxPages()), nil)
		}
		var raw []siteJSON
		h, err := c.getJSON(ctx, next, &raw, info)
		if err != nil {
			return nil, err
		}
		for _, s := range raw {
			if s.ID <= 0 {
				return nil, badReply(info.Status, pathOf(next), "the reply has the wrong shape: a site has no id", nil)
			}
			all = append(all, Site{ID: int64(s.ID), Name: s.Name, Code: s.Code})
		}
		if next, err = c.nextPage(next, h, len(raw)); err != nil {
			return nil, err
		}
	}
	if all == nil {
		all = []Site{}
	}
	return all, nil
}

func (c *Client) base() string {
	b := c.BaseURL
	if b == "" {
		b = DefaultBaseURL
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
