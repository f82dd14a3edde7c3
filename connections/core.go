// Package connections is the one place that knows how to connect, check, refresh, export and
// disconnect Lightspeed companies. The window and the command line are two thin faces on it;
// it knows nothing of either.
package connections

import (
	"net/http"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Defaults for Options left at their zero value.
const (
	// DefaultParallelism bounds how many companies are checked or refreshed at once.
	DefaultParallelism = 16
	// RefreshMargin is how long before expiry an access token is refreshed.
	RefreshMargin = 5 * time.Minute
	// DefaultAutoRefreshInterval is how often the window looks for tokens to refresh.
	DefaultAutoRefreshInterval = time.Minute
)

// Options configures New.
type Options struct {
	// Vault keeps the secrets and the state. Required.
	Vault *vault.Vault
	// HTTPClient talks to Lightspeed (token endpoint and API). Default: a client with a
	// 30-second timeout.
	HTTPClient *http.Client
	// Parallelism bounds concurrent checks and refreshes. Default: DefaultParallelism.
	Parallelism int
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Core is the connections core. It is safe for concurrent use; share one per vault.
type Core struct {
	vault       *vault.Vault
	http        *http.Client
	parallelism int
	now         func() time.Time
	refresher   oauth.Refresher
}

// New returns a Core over opts.Vault.
func New(opts Options) *Core {
	c := &Core{vault: opts.Vault, http: opts.HTTPClient, parallelism: opts.Parallelism, now: opts.Now}
	if c.http == nil {
		c.http = &http.Client{Timeout: 30 * time.Second}
	}
	if c.parallelism <= 0 {
		c.parallelism = DefaultParallelism
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Vault returns the vault the core works on.
func (c *Core) Vault() *vault.Vault { return c.vault }
