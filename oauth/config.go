package oauth

import (
	"net/http"
	"reflect"
	"time"

	"golang.org/x/oauth2"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// Defaults for the fields of Config and RefreshConfig left at their zero value.
const (
	// DefaultTimeout is how long a connect attempt waits for the browser's answer.
	DefaultTimeout = 5 * time.Minute
	// defaultHTTPTimeout bounds one HTTP request of the default client.
	defaultHTTPTimeout = 30 * time.Second
	// requestTimeout bounds a whole token request even when the caller's client has no timeout.
	requestTimeout = 60 * time.Second
	// RefreshTimeout bounds a refresh once its request is sent, when the caller's context no
	// longer counts (see Refresh); a caller that gives up waits at most this long.
	RefreshTimeout = 30 * time.Second
)

// Config describes one connect attempt.
type Config struct {
	// Profile names the endpoints. Default (zero value): Lightspeed().
	Profile Profile
	// ClientID is the integration's client ID. Required.
	ClientID string
	// ClientSecret is the integration's client secret. Required; it is sent in the form body
	// (as HTTP Basic credentials for a profile with BasicAuth).
	ClientSecret string
	// RedirectURI is the Redirect URI registered for the integration, exactly as registered.
	// Required: no default, because a URI Lightspeed doesn't know makes it show an error page.
	RedirectURI string
	// Timeout is how long the person has to approve in the browser, counted from Start.
	// Default (zero or negative): DefaultTimeout, five minutes.
	Timeout time.Duration
	// HTTPClient sends the token requests. Default (nil): a client with a 30-second timeout.
	// Its CheckRedirect is overridden: token traffic never follows a redirect.
	HTTPClient *http.Client
	// Now is the clock used for Expiry. Default (nil): time.Now.
	Now func() time.Time
}

// RefreshConfig describes one refresh.
type RefreshConfig struct {
	// Profile names the endpoints. Default (zero value): Lightspeed().
	Profile Profile
	// ClientID is the integration's client ID. Required.
	ClientID string
	// ClientSecret is the integration's client secret. Required.
	ClientSecret string
	// RefreshToken is the stored refresh token. Required.
	RefreshToken string
	// ConsentValue is what the connect's Result.ConsentValue returned (X-Series: the store's
	// domain_prefix), needed when the profile's TokenURL holds {ConsentParam}. It is checked to
	// be a DNS label before the address is built.
	ConsentValue string
	// HTTPClient sends the request. Default (nil): a client with a 30-second timeout. Its
	// CheckRedirect is overridden: token traffic never follows a redirect.
	HTTPClient *http.Client
	// Now is the clock used for Expiry. Default (nil): time.Now.
	Now func() time.Time
}

// client is what connect and refresh share once defaults are filled in.
type client struct {
	profile          Profile
	clientID, secret string
	http             *http.Client
	now              func() time.Time
}

// newClient fills defaults and checks what every token request needs.
func newClient(p Profile, id, secret string, hc *http.Client, now func() time.Time) (client, error) {
	if reflect.ValueOf(p).IsZero() {
		p = Lightspeed()
	}
	if hc == nil {
		hc = &http.Client{Timeout: defaultHTTPTimeout}
	}
	hc = noRedirects(hc)
	if now == nil {
		now = time.Now
	}
	c := client{profile: p, clientID: id, secret: secret, http: hc, now: now}
	if err := p.Validate(); err != nil {
		return c, err
	}
	if id == "" {
		return c, problem.New(problem.KindUsage, "Enter the integration's Client ID, from its settings in Lightspeed.", nil)
	}
	if secret == "" {
		return c, problem.New(problem.KindUsage, "Enter the integration's Client Secret, from its settings in Lightspeed.", nil)
	}
	return c, nil
}

// oauth2Config builds the oauth2 configuration. The AuthStyle is always explicit (the form
// body, or HTTP Basic for a profile with BasicAuth): auto-detection would try one way, and
// could burn the one-time code or a rotating refresh token on that try before the other.
func (c client) oauth2Config(redirectURI string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if c.profile.BasicAuth {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID:     c.clientID,
		ClientSecret: c.secret,
		RedirectURL:  redirectURI,
		Scopes:       c.profile.Scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.profile.AuthorizeURL,
			TokenURL:  c.profile.TokenURL,
			AuthStyle: style,
		},
	}
}

// noRedirects returns a copy of hc that hands a 3xx answer back instead of following it: a
// token request must never carry the client secret, a code or a refresh token on to another
// address. The caller's client is left as it is.
func noRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}
