// Package practice is a small, faithful stand-in for Lightspeed: its consent page, its token
// endpoint and the API calls the app needs to learn what was connected. It plays one product at
// a time (Config.Product): O-Series (formerly Kounta, the default: companies/me.json and
// companies/{id}/sites.json), K-Series, X-Series or R-Series, each as docs/providers.md records
// it (product.go and the kseries, xseries and rseries files).
//
// It has two faces, kept apart:
//
//   - The practice mode the app ships ("Practice with a demo company"): New with a Config,
//     Start, Info. Config describes a server that behaves as Lightspeed does; every field is
//     documented with the practice-server flag it maps to.
//   - Fault injection for tests and benchmarks (faults.go, Server.Faults): one-off failures
//     such as HTML instead of JSON, a slow answer or a 429. The shipped practice mode never
//     injects faults.
//
// What it follows from the real O-Series API (as public clients that talk to it record it): lists come
// 25 items a page, chosen with the X-Page request header counted from 0; replies carry X-Pages
// and, unless turned off, X-Next-Page with the next page's full address. There is no Link
// header and no ?page= parameter. companies/me.json carries sites.count, registers and
// timezone; sites carry company_id and may have a null code. A refused access token is
// answered 401 (or 400, see Config.ExpiredStatus) with an OAuth-style body. Token replies
// carry token_type "Bearer" and a null scope.
//
// The server never logs. Secrets it hands out (client secret, codes, tokens) come from
// crypto/rand and are only ever written into HTTP responses; every type that holds one
// prints redacted.
package practice

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults used when a Config field is left at its zero value.
const (
	// DefaultCompanies is how many demo companies the server offers on its consent page.
	DefaultCompanies = 3
	// DefaultAccessTTL is how long an access token works, as at Lightspeed.
	DefaultAccessTTL = time.Hour
	// DefaultCodeTTL is how long an authorization code can be exchanged.
	DefaultCodeTTL = 60 * time.Second
	// DefaultSitesPerPage is the page size of sites.json, as at Lightspeed (25).
	DefaultSitesPerPage = 25
	// DefaultRetryAfter is the wait a FaultRateLimited answer asks for.
	DefaultRetryAfter = time.Second
)

// Config describes a practice server. Every field has a sensible zero value, which is the
// practice mode the app ships. The fields marked "Flag:" are the practice-server command's
// options; they make the server stricter or closer to a particular Lightspeed account:
//
//	practice-server --product o-series|k-series|x-series|r-series
//	                --strict-rotation --rotate-refresh --no-next-page --hidden-sites N
//	                --rate-limit N/min --rate-limit-reply reset|epoch|bare
//	                --expired-status 400|401 --send-iss --sites N
type Config struct {
	// Product is the Lightspeed product the server plays. Zero: O-Series. Flag: --product.
	Product Product
	// ClientID is the integration's client ID. Empty: a random one ("practice-…").
	ClientID string
	// ClientSecret is the integration's client secret. Empty: a random one.
	ClientSecret string
	// RedirectURIs are the redirect URIs registered for the integration. Matching is exact,
	// as at Lightspeed: an authorize request with any other redirect_uri gets an HTTP 500
	// page and no redirect. Empty: none yet (see AddRedirectURI).
	RedirectURIs []string
	// Companies is the number of demo companies. Zero: DefaultCompanies (3). The first three
	// are named ("Harbour Burgers Pty Ltd", "Bondi Bean Co.", "Northside Noodles"); more are
	// generated deterministically ("Demo Company 4", …).
	Companies int
	// Latency is added to every token and API response (not to the consent page).
	Latency time.Duration
	// AccessTTL is how long an access token works. Zero: DefaultAccessTTL (1 h).
	AccessTTL time.Duration
	// CodeTTL is how long an authorization code can be exchanged. Zero: DefaultCodeTTL (60 s).
	CodeTTL time.Duration
	// RotateRefresh makes every refresh return a new refresh token. Without StrictRotation
	// the old one keeps working until the new one has been used once (a grace period), so a
	// client that dies between the server's answer and saving the new token can still
	// refresh with the one it stored. False: the refresh token stays the same forever.
	// K-, X- and R-Series always rotate, and their refresh tokens are single use: the old one
	// is refused from the moment its successor is issued (docs/providers.md), so for them this
	// field changes nothing. Flag: --rotate-refresh.
	RotateRefresh bool
	// StrictRotation, with RotateRefresh, rotates as RFC 9700 (section 4.14.2) describes: the
	// old refresh token is refused from the moment its successor is issued, and presenting a
	// refused (rotated-out) refresh token again is taken as theft: the whole grant is revoked,
	// every refresh and access token descended from the same consent. A client that loses a
	// rotated token loses the connection. For K-, X- and R-Series, which rotate anyway, it
	// adds that revocation on reuse. Flag: --strict-rotation.
	StrictRotation bool
	// SitesPerPage is the page size of sites.json. Zero: DefaultSitesPerPage (25). For X- and
	// R-Series it is the page size when the client names none (zero: 100); the client's own
	// page_size or limit wins, up to the product's most (X 200, R 100). K-Series pages by the
	// client's size alone.
	SitesPerPage int
	// NoNextPage leaves the X-Next-Page header out of list replies, so a client must page
	// with X-Page 0 … X-Pages-1 on its own. Flag: --no-next-page.
	NoNextPage bool
	// Sites, when positive, gives every demo company exactly this many sites: the named
	// demo sites first, then generated ones ("Site 4", …). Zero: the demo data's own sites.
	// Flag: --sites N.
	Sites int
	// HiddenSites is how many of each company's sites the person who granted access can't
	// see: companies/me.json still counts them in sites.count, but sites.json leaves them
	// out (the last N; at most all of them). For the other products, the last N locations,
	// outlets or shops of each business are missing from its list. Flag: --hidden-sites N.
	HiddenSites int
	// RateLimit is the number of API requests each access token may make per minute (a
	// fixed window starting at the token's first request); more are answered 429 as
	// RateLimitReply says. Zero: no limit. X-Series counts per store, not per token, and
	// without RateLimit plays its real limit (350 requests in 5 minutes). R-Series is a leaky
	// bucket per account holding RateLimit units that drain at RateLimit/60 a second; without
	// RateLimit its real default (60, 1 a second). Flag: --rate-limit N/min (see
	// ParsePerMinute).
	RateLimit int
	// RateLimitReply is how a 429 from RateLimit looks. Zero: RateLimitReset. For K-, X- and
	// R-Series, reset and epoch both mean the product's own Retry-After (K and R in seconds,
	// X as an HTTP date) and bare leaves it out. Flag: --rate-limit-reply reset|epoch|bare
	// (see ParseRateLimitReply).
	RateLimitReply RateLimitReply
	// ExpiredStatus is the HTTP status of a refused access token: 401 or 400 (both are seen
	// from Lightspeed), always with an OAuth-style body naming invalid_token or
	// expired_token, except a 401 from X-Series ({"error":"Unauthorized","message":…}) and
	// from R-Series (its own error object), whose real bodies are unknown. Zero: 401.
	// Flag: --expired-status 400|401.
	ExpiredStatus int
	// SendIssuer adds iss (RFC 9207) to the authorize redirect, with the server's issuer
	// identifier: its base address as the client reached it, "http://127.0.0.1:PORT" (also
	// Info.Issuer). Flag: --send-iss.
	SendIssuer bool
	// Now is the clock for code and token expiry and for the Date header. Nil: time.Now.
	Now func() time.Time
}

// Server is a running (or ready to run) practice Lightspeed. It is safe for concurrent use.
type Server struct {
	cfg       Config
	companies []Company
	handler   http.Handler

	latency    atomic.Int64 // time.Duration
	retryAfter atomic.Int64 // time.Duration
	tokenReqs  atomic.Int64
	apiReqs    atomic.Int64
	authReqs   atomic.Int64
	nextReqs   atomic.Int64
	limited    atomic.Int64
	reuses     atomic.Int64
	movedReqs  atomic.Int64

	mu           sync.Mutex
	redirectURIs []string
	codes        map[string]*codeGrant
	access       map[string]*accessGrant
	refresh      map[string]*refreshGrant
	tokenFaults  []Fault
	apiFaults    []Fault
	windows      map[string]*rateWindow // per access token (per store for X), for Config.RateLimit
	buckets      map[int64]*leakyBucket // per R-Series account
	nextFamily   int64

	closing   chan struct{}
	closeOnce sync.Once
	srv       *http.Server
	url       string
}

// Company is a demo company with its sites, as the practice server knows it. Other products
// call it a business (K), a store (X) or an account (R), and its sites locations, outlets or
// shops.
type Company struct {
	// ID is the company's Lightspeed ID (K: businessId, R: accountID; X uses a UUID made from
	// it).
	ID int64
	// Name is the company's trading name.
	Name string
	// DomainPrefix is the company's X-Series store name in its addresses
	// (https://{domain_prefix}.retail.lightspeed.app), made from Name.
	DomainPrefix string
	// Sites are the company's sites, in order.
	Sites []Site
}

// Site is one site (a shop or venue) of a demo company.
type Site struct {
	// ID is the site's Lightspeed ID.
	ID int64
	// Name is the site's name, as shown on the consent result and in the app.
	Name string
	// Code is the site's short code; "" is sent as null, as Lightspeed does for a site
	// without one.
	Code string
}

// Info is what the app needs to talk to the practice server as if it were Lightspeed.
// It holds the client secret: show it only where the real one would be shown.
//
// For X-Series, TokenURL and APIURL are per store: they hold PrefixPlaceholder where the
// store's domain_prefix goes (the consent answer carries it). R-Series' APIURL holds
// AccountPlaceholder; Account.json, which names the account, is at APIURL's ../../Account.json.
type Info struct {
	// Product is the product the server plays.
	Product      Product `json:"product"`
	AuthorizeURL string  `json:"authorize_url"`
	TokenURL     string  `json:"token_url"`
	APIURL       string  `json:"api_url"`
	ClientID     string  `json:"client_id"`
	ClientSecret string  `json:"client_secret"`
	// RedirectURI is the first registered redirect URI, or "" when none is registered.
	RedirectURI string `json:"redirect_uri"`
	// Issuer is the server's issuer identifier (RFC 9207): its base address. It is the iss
	// value on the authorize redirect when Config.SendIssuer is set.
	Issuer string `json:"issuer"`
}

// New returns a practice server with cfg's defaults filled in. It does not listen yet:
// call Start, or mount Handler on an httptest server.
func New(cfg Config) (*Server, error) {
	if err := fillDefaults(&cfg); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:          cfg,
		companies:    demoCompanies(cfg.Companies, cfg.Sites),
		redirectURIs: append([]string(nil), cfg.RedirectURIs...),
		codes:        map[string]*codeGrant{},
		access:       map[string]*accessGrant{},
		refresh:      map[string]*refreshGrant{},
		windows:      map[string]*rateWindow{},
		buckets:      map[int64]*leakyBucket{},
		closing:      make(chan struct{}),
	}
	s.latency.Store(int64(cfg.Latency))
	s.retryAfter.Store(int64(DefaultRetryAfter))
	s.handler = s.routes()
	return s, nil
}

func fillDefaults(cfg *Config) error {
	if cfg.Companies < 0 || cfg.SitesPerPage < 0 || cfg.AccessTTL < 0 || cfg.CodeTTL < 0 || cfg.Latency < 0 ||
		cfg.Sites < 0 || cfg.HiddenSites < 0 || cfg.RateLimit < 0 {
		return errors.New("could not set up the practice server: negative numbers in its settings")
	}
	product, err := ParseProduct(string(cfg.Product))
	if err != nil {
		return fmt.Errorf("could not set up the practice server: %w", err)
	}
	cfg.Product = product
	switch cfg.ExpiredStatus {
	case 0:
		cfg.ExpiredStatus = http.StatusUnauthorized
	case http.StatusBadRequest, http.StatusUnauthorized:
	default:
		return fmt.Errorf("could not set up the practice server: a refused access token is answered 400 or 401, not %d", cfg.ExpiredStatus)
	}
	if cfg.RateLimitReply < 0 || cfg.RateLimitReply > RateLimitBare {
		return errors.New("could not set up the practice server: unknown rate-limit reply")
	}
	if cfg.ClientID == "" {
		if cfg.ClientID, err = randomString(9); err != nil {
			return err
		}
		cfg.ClientID = "practice-" + cfg.ClientID
	}
	if cfg.ClientSecret == "" {
		if cfg.ClientSecret, err = randomString(24); err != nil {
			return err
		}
	}
	if cfg.Companies == 0 {
		cfg.Companies = DefaultCompanies
	}
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = DefaultAccessTTL
	}
	if cfg.CodeTTL == 0 {
		cfg.CodeTTL = DefaultCodeTTL
	}
	if cfg.SitesPerPage == 0 {
		cfg.SitesPerPage = DefaultSitesPerPage
		if cfg.Product == XSeries || cfg.Product == RSeries {
			cfg.SitesPerPage = 100
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return nil
}

// Start listens on addr (for example "127.0.0.1:0" for any free port) and serves in the
// background until Close or Shutdown.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("could not start the practice server on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.url = "http://" + ln.Addr().String()
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// URL is the server's base address ("http://127.0.0.1:PORT"), or "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Info describes the started server in the terms of a Lightspeed integration.
func (s *Server) Info() Info { return s.InfoAt(s.URL()) }

// InfoAt is Info for a server reached at baseURL, for when Handler is mounted elsewhere
// (for example on an httptest.Server).
func (s *Server) InfoAt(baseURL string) Info {
	first := s.firstRedirect()
	info := Info{
		Product:      s.cfg.Product,
		AuthorizeURL: baseURL + oAuthorizePath,
		TokenURL:     baseURL + oTokenPath,
		APIURL:       baseURL + "/v1/",
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		RedirectURI:  first,
		Issuer:       baseURL,
	}
	switch s.cfg.Product {
	case KSeries:
		info.AuthorizeURL, info.TokenURL, info.APIURL = baseURL+kAuthorizePath, baseURL+kTokenPath, baseURL+"/"
	case XSeries:
		store := baseURL + xStorePath(PrefixPlaceholder)
		info.AuthorizeURL, info.TokenURL, info.APIURL = baseURL+xAuthorizePath, store+"/api/1.0/token", store+"/api/2.0/"
	case RSeries:
		info.AuthorizeURL, info.TokenURL, info.APIURL = baseURL+rAuthorizePath, baseURL+rTokenPath, baseURL+"/API/V3/Account/"+AccountPlaceholder+"/"
	}
	return info
}

// Handler serves the practice Lightspeed; Start uses it, tests may mount it on httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the server at once; requests in flight (including slow faults) end.
func (s *Server) Close() error {
	s.signalClosing()
	if srv := s.server(); srv != nil {
		return srv.Close()
	}
	return nil
}

// Shutdown stops the server gracefully, waiting for requests in flight until ctx ends.
// Slow faults are released so they do not hold the shutdown up.
func (s *Server) Shutdown(ctx context.Context) error {
	s.signalClosing()
	if srv := s.server(); srv != nil {
		return srv.Shutdown(ctx)
	}
	return nil
}

func (s *Server) signalClosing() { s.closeOnce.Do(func() { close(s.closing) }) }

func (s *Server) server() *http.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv
}

// AddRedirectURI registers one more redirect URI for the integration (exact match), as
// the app does at run time for its own loopback redirect. Adding one twice is harmless.
func (s *Server) AddRedirectURI(uri string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.redirectURIs {
		if u == uri {
			return
		}
	}
	s.redirectURIs = append(s.redirectURIs, uri)
}

// firstRedirect is the first registered redirect URI, or "".
func (s *Server) firstRedirect() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.redirectURIs) == 0 {
		return ""
	}
	return s.redirectURIs[0]
}

func (s *Server) redirectRegistered(uri string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.redirectURIs {
		if u == uri {
			return true
		}
	}
	return false
}

// Companies returns the demo companies in consent-page order (a copy).
func (s *Server) Companies() []Company {
	out := make([]Company, len(s.companies))
	for i, c := range s.companies {
		out[i] = c
		out[i].Sites = append([]Site(nil), c.Sites...)
	}
	return out
}

func (s *Server) company(id int64) (Company, bool) {
	for _, c := range s.companies {
		if c.ID == id {
			return c, true
		}
	}
	return Company{}, false
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// randomString returns n random bytes as unpadded base64url text.
func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("could not make a random value: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// firstCompanyID is the ID of the first demo company; IDs count up from it.
const firstCompanyID = 31001

// demoCompanies builds n deterministic demo companies; sites > 0 gives each that many sites.
// Some sites have no code (null in sites.json), as real ones may.
func demoCompanies(n, sites int) []Company {
	named := []struct {
		name  string
		sites [][2]string
	}{
		{"Harbour Burgers Pty Ltd", [][2]string{{"Parramatta", "PAR"}, {"Manly", "MAN"}, {"Bondi", ""}}},
		{"Bondi Bean Co.", [][2]string{{"Campbell Parade", "CAM"}}},
		{"Northside Noodles", [][2]string{{"Chatswood", "CHA"}, {"North Sydney", ""}}},
	}
	out := make([]Company, n)
	for i := range out {
		id := int64(firstCompanyID + i)
		c := Company{ID: id}
		var own [][2]string
		if i < len(named) {
			c.Name, own = named[i].name, named[i].sites
		} else {
			c.Name = fmt.Sprintf("Demo Company %d", i+1)
			for j := range 1 + i%4 {
				own = append(own, [2]string{fmt.Sprintf("Site %d", j+1), fmt.Sprintf("S%02d", j+1)})
			}
		}
		if sites > 0 {
			own = own[:min(sites, len(own))]
			for j := len(own); j < sites; j++ {
				code := fmt.Sprintf("S%02d", j+1)
				if (j+1)%7 == 0 {
					code = ""
				}
				own = append(own, [2]string{fmt.Sprintf("Site %d", j+1), code})
			}
		}
		c.DomainPrefix = domainPrefixOf(c.Name)
		for j, st := range own {
			c.Sites = append(c.Sites, Site{ID: id*1000 + int64(j+1), Name: st[0], Code: st[1]})
		}
		out[i] = c
	}
	return out
}

// SetLatency changes the delay added to every token and API response.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// Stats counts requests the server has seen, for tests.
type Stats struct {
	// AuthorizeRequests counts GET and POST requests to /authorize.
	AuthorizeRequests int64
	// TokenRequests counts requests to the token endpoint, faulted ones included.
	TokenRequests int64
	// APIRequests counts requests to the API (under /v1/ for O-Series).
	APIRequests int64
	// NextPageRequests counts list requests that came through an X-Next-Page address.
	NextPageRequests int64
	// RateLimited counts API requests answered 429 because of Config.RateLimit.
	RateLimited int64
	// ReuseDetected counts grants revoked because a rotated-out refresh token came back
	// (Config.StrictRotation).
	ReuseDetected int64
	// RedirectsFollowed counts requests that arrived where a FaultRedirect pointed.
	RedirectsFollowed int64
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	return Stats{
		AuthorizeRequests: s.authReqs.Load(),
		TokenRequests:     s.tokenReqs.Load(),
		APIRequests:       s.apiReqs.Load(),
		NextPageRequests:  s.nextReqs.Load(),
		RateLimited:       s.limited.Load(),
		ReuseDetected:     s.reuses.Load(),
		RedirectsFollowed: s.movedReqs.Load(),
	}
}

// delay waits for the configured latency, or less if the request or server ends first.
func (s *Server) delay(r *http.Request) {
	d := time.Duration(s.latency.Load())
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.closing:
	}
}

// routes serves the product's own addresses only: another product's are not found.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	authorize := map[Product]string{OSeries: oAuthorizePath, KSeries: kAuthorizePath, XSeries: xAuthorizePath, RSeries: rAuthorizePath}[s.cfg.Product]
	mux.HandleFunc("GET "+authorize, s.authorizeForm)
	mux.HandleFunc("POST "+authorize, s.authorizeDecision)
	switch s.cfg.Product {
	case OSeries:
		mux.HandleFunc(oTokenPath, s.token)
		mux.HandleFunc("/v1/", s.api)
	case KSeries:
		mux.HandleFunc(kTokenPath, s.token)
		mux.HandleFunc(kBusinessPath, s.kBusinesses)
	case XSeries:
		mux.HandleFunc(xStorePath("{prefix}")+"/api/1.0/token", s.token)
		mux.HandleFunc(xStorePath("{prefix}")+"/api/2.0/{resource}", s.xAPI)
	case RSeries:
		mux.HandleFunc(rTokenPath, s.token)
		mux.HandleFunc("/API/V3/", s.rAPI)
	}
	mux.HandleFunc("/", s.notFoundPage)
	return mux
}

// AuthCodeURL builds an authorize address for this integration, as the app would: with
// response_type=code, the redirect URI, the state, the product's default scope (none for
// O-Series) and, if codeChallenge is not "", PKCE S256.
func (i Info) AuthCodeURL(redirectURI, state, codeChallenge string) string {
	q := url.Values{
		"client_id":     {i.ClientID},
		"redirect_uri":  {redirectURI},
		"state":         {state},
		"response_type": {"code"},
	}
	if scope := i.Product.orDefault().DefaultScope(); scope != "" {
		q.Set("scope", scope)
	}
	if codeChallenge != "" {
		q.Set("code_challenge", codeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	return i.AuthorizeURL + "?" + q.Encode()
}
