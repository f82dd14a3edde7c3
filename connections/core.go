// Package connections is the one place that knows how to connect, check, refresh, export and
// disconnect Lightspeed companies, and the faces' only door to the parts behind it (the OAuth
// flow, the API client, the vault, the export files, the practice server). The window and the
// command line are two thin faces on it: they see only the types and words defined here, and
// it knows nothing of either.
package connections

import (
	"net/http"
	"sync"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Defaults for Options left at their zero value.
const (
	// DefaultParallelism bounds how many companies are checked or refreshed at once.
	//
	// Lightspeed limits requests per access token (the client paces each token on its own),
	// so checking many companies side by side costs no company its budget: a check sends one
	// request per company. The bound is ours: sockets (one connection per worker to each host,
	// see pooledTransport), CPU, and above all the keyring, which on Linux answers one call at
	// a time in a few milliseconds. BenchmarkCheck200 (200 companies, 100 ms latency, on two
	// busy cores) measured 16 at 1.07-1.18 × the ideal latency × ⌈200 ÷ 16⌉; 8 at 1.04-1.11 ×
	// but twice as long in all; 32 at 1.21-2.2 × and 64 at 1.7-2.9 ×, where the keyring and
	// the CPU become the wait.
	DefaultParallelism = 16
	// RefreshMargin is how long before expiry an access token is refreshed.
	RefreshMargin = 5 * time.Minute
	// defaultAutoRefreshInterval is how often the window looks for tokens to refresh.
	defaultAutoRefreshInterval = time.Minute
	// DefaultConnectTimeout is how long a person has to approve in the browser.
	DefaultConnectTimeout = oauth.DefaultTimeout
	// SuggestedRedirectURI is the Redirect URI the app proposes for a new integration.
	SuggestedRedirectURI = oauth.SuggestedRedirectURI
	// SuggestedHTTPSRedirectURI is the one it proposes where a product registers only https
	// Redirect URIs (K-Series): the person pastes the address the browser ends on.
	SuggestedHTTPSRedirectURI = oauth.SuggestedHTTPSRedirectURI
)

// Keyring is the operating system's keyring as the core uses it. Leave Options.Keyring nil
// for the real one; tests pass a wrapper that injects failures.
type Keyring interface {
	// Set stores password under service and user, replacing any earlier value.
	Set(service, user, password string) error
	// Get returns the value under service and user.
	Get(service, user string) (string, error)
	// Delete removes the item under service and user.
	Delete(service, user string) error
	// DeleteAll removes every item under service.
	DeleteAll(service string) error
}

// Options configures Open; the zero value is the real keyring and the user's config folder.
type Options struct {
	// Dir is the state directory. Default: <user config dir>/lightspeed-connect.
	Dir string
	// Service is the keyring service name. Default: "Lightspeed Connect".
	Service string
	// KeyringTimeout bounds each keyring call. Default: five seconds.
	KeyringTimeout time.Duration
	// Keyring is the keyring. Default: the operating system's.
	Keyring Keyring
	// HTTPClient talks to Lightspeed (token endpoint and API). Default: a client with a
	// 30-second timeout.
	HTTPClient *http.Client
	// Parallelism bounds concurrent checks and refreshes. Default: DefaultParallelism.
	Parallelism int
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// RequestsPerMinute paces API requests per access token (each company has its own), below
	// Lightspeed's per-minute limit. Default: lightspeed.DefaultRequestsPerMinute (120, two
	// thirds of the ~180 a minute reported for integrations like this one); set 60 or less
	// for an account on the ~60 a minute limit; 0 or less means the default. Whatever the
	// pace, a 429 from Lightspeed is waited out and retried.
	RequestsPerMinute int
}

// Core is the connections core. It is safe for concurrent use; share one per state directory.
type Core struct {
	vault       *vault.Vault
	http        *http.Client
	parallelism int
	now         func() time.Time
	refresher   oauth.Refresher
	pacer       *lightspeed.Pacer
	// buckets follows R-Series' leaky bucket per access token for every API client of the
	// core: shared by the whole process (lightspeed.DefaultBuckets), like the pacers, so a
	// check and a token hand-off in one process never each think the bucket is theirs.
	buckets  *lightspeed.Buckets
	pacersMu sync.Mutex
	pacers   map[int]*lightspeed.Pacer // by requests a minute, for settings with a pace of their own
	flights  flights                   // refreshes in their critical section (see Drain)
	// unstored holds tokens refreshed but not stored (the keyring refused them), per
	// company: the next refresh or retry uses them, never the older stored ones, which a
	// server that rotates refresh tokens has revoked.
	unstoredMu sync.Mutex
	unstored   map[int64]*UnsavedError
	// replied holds, per company, the tokens of a refresh whose reply has come and whose
	// outcome (stored, or held in unstored) is not settled yet: the company's lock may
	// already be free by then, and the next refresh must use these, not the stored ones.
	replied map[int64]heldReply
	// gens counts, per company, the refresh replies this core has had; taken under the
	// company's lock, so a higher one is always the newer tokens (see holdUnstored).
	gens map[int64]uint64
	// afterVaultRefresh, set by tests only, runs between the vault's refresh returning and
	// its outcome being settled.
	afterVaultRefresh func()
	onUnsaved         func(*UnsavedError)
}

// Open returns a Core over the vault that opts locate. It touches neither the disk nor the
// keyring until something is asked of it.
func Open(opts Options) (*Core, error) {
	vo := vault.Options{Dir: opts.Dir, Service: opts.Service, KeyringTimeout: opts.KeyringTimeout, Now: opts.Now}
	if opts.Keyring != nil {
		vo.Backend = opts.Keyring
	}
	v, err := vault.Open(vo)
	if err != nil {
		return nil, err
	}
	return newCore(v, opts), nil
}

func newCore(v *vault.Vault, opts Options) *Core {
	c := &Core{vault: v, http: opts.HTTPClient, parallelism: opts.Parallelism, now: opts.Now}
	if c.parallelism <= 0 {
		c.parallelism = DefaultParallelism
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second, Transport: pooledTransport(c.parallelism)}
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.buckets = lightspeed.DefaultBuckets
	c.pacer = lightspeed.DefaultPacer // shared by every core of the process, so one token is paced once
	if opts.RequestsPerMinute > 0 && opts.RequestsPerMinute != lightspeed.DefaultRequestsPerMinute {
		c.pacer = lightspeed.NewPacer(opts.RequestsPerMinute, lightspeed.DefaultBurst)
	}
	return c
}

// pooledTransport keeps one idle connection per parallel check to each Lightspeed host. The
// standard transport keeps two, so a check of many companies would otherwise close and
// re-open (with a new TLS handshake) most of its connections every round.
func pooledTransport(parallelism int) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = parallelism
	return t
}

// DefaultRequestsPerMinute is the pace of API requests per access token when the settings
// name none: two thirds of the ~180 a minute reported for OAuth apps (see the lightspeed
// package for the reasoning).
const DefaultRequestsPerMinute = lightspeed.DefaultRequestsPerMinute

// pacerFor is the pacer for API requests under s: the integration's own pace when its settings
// name one, else the core's for O-Series and the product's own pace below its limit for the
// others (lightspeed.DefaultPacerFor, shared by the whole process like the core's). One pacer
// per pace is kept, so a token is paced once however many checks use it.
func (c *Core) pacerFor(s Settings) *lightspeed.Pacer {
	n := s.RequestsPerMinute
	if n <= 0 {
		if s.productID() == DefaultProductID {
			return c.pacer
		}
		return lightspeed.DefaultPacerFor(lightspeed.ProductID(s.productID()))
	}
	c.pacersMu.Lock()
	defer c.pacersMu.Unlock()
	if p, ok := c.pacers[n]; ok {
		return p
	}
	if c.pacers == nil {
		c.pacers = map[int]*lightspeed.Pacer{}
	}
	p := lightspeed.NewPacer(n, lightspeed.DefaultBurst)
	c.pacers[n] = p
	return p
}
