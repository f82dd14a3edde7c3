package connections

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/oauth"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// Settings are the integration's details: what Lightspeed calls the add-on with the client ID
// and secret, and where to reach Lightspeed. The secret lives in the keyring, the rest in the
// state file.
type Settings struct {
	// Product is the Lightspeed product the integration belongs to ("x-series"); "" is
	// O-Series, the default. A support desk registers one integration per product, and the
	// app keeps one Settings for each.
	Product string
	// ClientID identifies the integration at Lightspeed.
	ClientID string
	// ClientSecret is the integration's secret. Never printed, logged or written to the state.
	ClientSecret string
	// RedirectURI is the address registered for the integration, exactly as registered.
	RedirectURI string
	// AuthorizeURL is Lightspeed's sign-in (consent) address; empty means production's.
	AuthorizeURL string
	// TokenURL is Lightspeed's token address; empty means production's.
	TokenURL string
	// APIURL is the base address of Lightspeed's API; empty means production's.
	APIURL string
	// Practice is true when the endpoints are the built-in practice server's.
	Practice bool
	// NoPKCE leaves PKCE (RFC 7636) out of the consent and the exchange. PKCE is sent by
	// default, Lightspeed included: a server that doesn't know it must ignore it. Turn it off
	// only for a provider that refuses a request because of it.
	NoPKCE bool
	// RequestsPerMinute paces API requests per access token, below the integration's
	// per-minute limit at Lightspeed (about 60 for basic integrations, 180 for OAuth apps).
	// 0 means the app's default, DefaultRequestsPerMinute.
	RequestsPerMinute int
	// store is the X-Series store the settings are for (its domain_prefix), set by forCompany
	// with the store's addresses: a refresh passes it on, so a reply naming another store is
	// refused. Never saved: it is the company's, not the integration's.
	store string
}

// MaxRequestsPerMinute is the highest pace a person may set: well above any limit Lightspeed
// is known to grant, low enough that a typo can't make the app hammer the API.
const MaxRequestsPerMinute = 1000

// String describes the settings without the secret.
func (s Settings) String() string {
	product := ""
	if !vault.IsOSeries(s.Product) {
		product = "Product:" + s.Product + " "
	}
	return fmt.Sprintf("{%sClientID:%s ClientSecret:%s RedirectURI:%s Practice:%t NoPKCE:%t RequestsPerMinute:%d}",
		product, s.ClientID, redacted(s.ClientSecret), s.RedirectURI, s.Practice, s.NoPKCE, s.RequestsPerMinute)
}

// Format makes every fmt verb print the redacted form.
func (s Settings) Format(f fmt.State, _ rune) { fmt.Fprint(f, "connections.Settings"+s.String()) }

func redacted(secret string) string {
	if secret == "" {
		return "(none)"
	}
	return "(hidden)"
}

// Trimmed returns s with surrounding white space removed from every field a person types:
// a stray space from copy and paste must not break a connection.
func (s Settings) Trimmed() Settings {
	s.Product = strings.ToLower(strings.TrimSpace(s.Product))
	s.ClientID = strings.TrimSpace(s.ClientID)
	s.ClientSecret = strings.TrimSpace(s.ClientSecret)
	s.RedirectURI = strings.TrimSpace(s.RedirectURI)
	s.AuthorizeURL = strings.TrimSpace(s.AuthorizeURL)
	s.TokenURL = strings.TrimSpace(s.TokenURL)
	s.APIURL = strings.TrimSpace(s.APIURL)
	return s
}

// Validate checks the settings with the core's plain sentences: a client ID and secret
// present, a usable Redirect URI, and usable endpoints.
func (s Settings) Validate() error {
	if _, err := profileByID(s.Product); err != nil {
		return err
	}
	if s.ClientID == "" {
		return problem.New(problem.KindUsage, "Enter the integration's Client ID. Find it in Lightspeed under your integration's settings.", nil)
	}
	if s.ClientSecret == "" {
		return problem.New(problem.KindUsage, "Enter the integration's Client Secret. Find it in Lightspeed under your integration's settings.", nil)
	}
	if _, err := s.profile().CheckRedirectURI(s.RedirectURI); err != nil {
		return err
	}
	if err := s.validateAdvanced(); err != nil {
		return err
	}
	return sampleProfile(s.profile()).Validate()
}

// sampleProfile fills the placeholders of p's addresses (X-Series' per-store token address)
// with a sample store and account, so that the rest of each address can be checked before
// any store is known.
func sampleProfile(p oauth.Profile) oauth.Profile {
	values := map[string]string{lightspeed.PlaceholderDomainPrefix: "store", lightspeed.PlaceholderAccountID: "1"}
	for _, addr := range []*string{&p.AuthorizeURL, &p.TokenURL, &p.APIURL} {
		if filled, err := lightspeed.Expand(*addr, values); err == nil {
			*addr = filled
		}
	}
	return p
}

// validateAdvanced checks every advanced setting against its bounds.
func (s Settings) validateAdvanced() error {
	for _, st := range AdvancedSettings() {
		if err := st.Check(st.Value(s)); err != nil {
			return err
		}
	}
	return nil
}

// practiceName is how sentences name the practice server ("Couldn't reach …").
const practiceName = "the practice server"

// profile returns the endpoints, the product's production ones for any left empty, with how
// the product is spoken to: client authentication at the token address (K-Series: HTTP
// Basic), the scopes asked for, the parameter the consent answer names the store with
// (X-Series' domain_prefix) and whether only https Redirect URIs are registered (K-Series; not
// against a stand-in, see standIn).
// X-Series' token and API addresses hold the store's {domain_prefix} until forCompany fills it
// in.
func (s Settings) profile() oauth.Profile {
	def := s.productProfile()
	p := oauth.Profile{Name: "Lightspeed", AuthorizeURL: s.AuthorizeURL, TokenURL: s.TokenURL, APIURL: s.APIURL, NoPKCE: s.NoPKCE,
		BasicAuth:         def.ClientAuth == lightspeed.ClientAuthBasic,
		Scopes:            def.Scopes,
		ConsentParam:      def.ConsentParam,
		RedirectHTTPSOnly: def.RedirectHTTPSOnly && !s.standIn(),
	}
	if s.Practice {
		p.Name = practiceName
	}
	if p.AuthorizeURL == "" {
		p.AuthorizeURL = def.AuthorizeURL
	}
	if p.TokenURL == "" {
		p.TokenURL = def.TokenURL
	}
	if p.APIURL == "" {
		p.APIURL = def.APIBaseURL
	}
	return p
}

// standIn reports whether the settings point at a stand-in for Lightspeed rather than
// Lightspeed itself: practice mode, or a sign-in address on this computer (the
// practice-server command, a test's model). A stand-in plays the product on an http loopback
// address and registers the Redirect URI the app catches, so the product's own rule for
// Redirect URIs (K-Series: https only) is not the stand-in's.
func (s Settings) standIn() bool {
	if s.Practice {
		return true
	}
	u, err := url.Parse(s.AuthorizeURL)
	if err != nil || s.AuthorizeURL == "" {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Zone() == "" && addr.Unmap().IsLoopback()
}

// productProfile is the settings' product's profile; O-Series' for a product this version
// doesn't know (Validate refuses such settings before they are saved).
func (s Settings) productProfile() lightspeed.Profile {
	p, err := profileByID(s.Product)
	if err != nil {
		p, _ = lightspeed.ProfileOf(lightspeed.DefaultProduct)
	}
	return p
}

// productID is the settings' product's ID, "o-series" when they name none.
func (s Settings) productID() string { return string(s.productProfile().ID) }

// SaveSettings checks and stores the integration's details: the secret in the keyring first,
// then the rest in the state file.
func (c *Core) SaveSettings(ctx context.Context, s Settings) error {
	s = s.Trimmed()
	if err := s.Validate(); err != nil {
		return err
	}
	if err := c.writable(ctx); err != nil { // before the secret goes to the keychain
		return err
	}
	product := s.productID()
	if err := c.vault.Secrets.SetClientSecret(ctx, vault.IntegrationKey(product, s.ClientID), s.ClientSecret); err != nil {
		return fmt.Errorf("could not store the client secret: %w", err)
	}
	p := s.profile()
	return c.vault.Store.Update(ctx, func(st *vault.State) error {
		// Saving a product's settings chooses it: the next connect's default.
		st.Product = storedProduct(product)
		st.SetIntegrationFor(product, vault.Integration{
			ClientID:     s.ClientID,
			RedirectURI:  s.RedirectURI,
			AuthorizeURL: p.AuthorizeURL,
			TokenURL:     p.TokenURL,
			APIBaseURL:   p.APIURL,
			Practice:     s.Practice,
			NoPKCE:       s.NoPKCE,
			// A pace is the integration's: Lightspeed's limit is per app.
			RequestsPerMinute: s.RequestsPerMinute,
		})
		return nil
	})
}

// storedProduct is how a record names product: "" for O-Series, as before products existed.
func storedProduct(product string) string {
	if vault.IsOSeries(product) {
		return ""
	}
	return product
}

// NotSetUp says that nothing has been set up yet.
const NotSetUp = "The integration isn't set up on this computer yet."

// errNoSettings is returned when nothing has been set up yet.
var errNoSettings = problem.New(problem.KindNotFound, NotSetUp, nil).WithFix(problem.Fix{Action: problem.ActionSetUp})

// noSettings is errNoSettings naming the product, unless it is O-Series (whose sentence stays
// as it always was).
func noSettings(p lightspeed.Profile) error {
	if p.ID == lightspeed.OSeries {
		return errNoSettings
	}
	return problem.New(problem.KindNotFound,
		"The "+p.Name+" integration isn't set up on this computer yet.", nil).WithFix(problem.Fix{Action: problem.ActionSetUp})
}

// Settings loads the integration's details for the product chosen last (O-Series unless
// another was), the secret from the keyring.
func (c *Core) Settings(ctx context.Context) (Settings, error) {
	return c.SettingsFor(ctx, "")
}

// SettingsFor loads product's integration details ("" is the product chosen last), the secret
// from the keyring.
func (c *Core) SettingsFor(ctx context.Context, product string) (Settings, error) {
	st, err := c.load(ctx)
	if err != nil {
		return Settings{}, err
	}
	return c.settingsIn(ctx, st, product)
}

// settingsIn is SettingsFor with the state loaded already: st's details, the secret from the
// keyring.
func (c *Core) settingsIn(ctx context.Context, st *vault.State, product string) (Settings, error) {
	s, err := savedIn(st, product)
	if err != nil {
		return Settings{}, err
	}
	secret, err := c.vault.Secrets.ClientSecret(ctx, vault.IntegrationKey(s.productID(), s.ClientID))
	if err != nil {
		if problem.Is(err, problem.KindNotFound) {
			return s, problem.New(problem.KindInvalidClient,
				"The integration's Client Secret is missing from this computer's keychain.", err).
				WithFix(problem.Fix{Action: problem.ActionEnterSecret})
		}
		return s, fmt.Errorf("could not read the client secret: %w", err)
	}
	s.ClientSecret = secret
	return s, nil
}

// SavedSettings loads the details of the integration of the product chosen last, without the
// secret, for showing them; it does not touch the keyring.
func (c *Core) SavedSettings(ctx context.Context) (Settings, error) {
	return c.savedSettings(ctx, "")
}

// SavedSettingsFor is SavedSettings for product ("" is the product chosen last).
func (c *Core) SavedSettingsFor(ctx context.Context, product string) (Settings, error) {
	return c.savedSettings(ctx, product)
}

// ChosenProduct is the product chosen last (by saving its settings or connecting it): the
// wizard's preselected answer and connect's default. O-Series when none was.
func (c *Core) ChosenProduct(ctx context.Context) (Product, error) {
	st, err := c.load(ctx)
	if err != nil {
		return Product{}, err
	}
	p, err := ProductByID(st.Product)
	if err != nil { // a newer version's product: this one offers the default
		return ProductByID("")
	}
	return p, nil
}

func (c *Core) savedSettings(ctx context.Context, product string) (Settings, error) {
	st, err := c.load(ctx)
	if err != nil {
		return Settings{}, err
	}
	return savedIn(st, product)
}

// savedIn is product's saved details in st ("" is the product chosen last), without the secret.
func savedIn(st *vault.State, product string) (Settings, error) {
	if product == "" {
		product = st.Product
	}
	prof, err := profileByID(product)
	if err != nil {
		return Settings{}, err
	}
	product = string(prof.ID)
	in := st.IntegrationFor(product)
	if in.ClientID == "" {
		return Settings{}, noSettings(prof)
	}
	return settingsFrom(product, in), nil
}

// settingsFrom reads product's integration's saved details, without the secret.
func settingsFrom(product string, in vault.Integration) Settings {
	return Settings{
		Product:      storedProduct(product),
		ClientID:     in.ClientID,
		RedirectURI:  in.RedirectURI,
		AuthorizeURL: in.AuthorizeURL,
		TokenURL:     in.TokenURL,
		APIURL:       in.APIBaseURL,
		Practice:     in.Practice,
		NoPKCE:       in.NoPKCE,
		// Read back as saved; Validate refused anything out of range.
		RequestsPerMinute: in.RequestsPerMinute,
	}
}

// SuggestedRedirectURI is the Redirect URI the app proposes for a new integration of the
// settings' product: SuggestedRedirectURI, a loopback address the app catches the answer on,
// or for a product that registers only https Redirect URIs (K-Series, outside practice mode)
// an https address on this computer, whose answer the person pastes.
func (s Settings) SuggestedRedirectURI() string {
	if s.profile().RedirectHTTPSOnly {
		return SuggestedHTTPSRedirectURI
	}
	return SuggestedRedirectURI
}

// RedirectCheck is what the app makes of a Redirect URI.
type RedirectCheck struct {
	// Catchable is true when the app catches Lightspeed's answer itself (a loopback address);
	// otherwise the person pastes the address the browser ends on.
	Catchable bool
	// Note is information to show beside the field, such as why the answer must be pasted.
	Note string
	// Warning is a risk to show beside the field, such as a port other programs may take.
	Warning string
}

// CheckRedirectURI checks a Redirect URI as typed for the settings' product; the error is a
// plain sentence saying what is wrong with it. A product that registers only https Redirect
// URIs (K-Series) refuses a plain http one, and takes an https address on this computer,
// whose answer the person pastes; in practice mode every product takes the loopback address
// the practice server registered.
func (s Settings) CheckRedirectURI(raw string) (RedirectCheck, error) {
	r, err := s.profile().CheckRedirectURI(raw)
	if err != nil {
		return RedirectCheck{}, err
	}
	return RedirectCheck{Catchable: r.Catchable(), Note: r.Message, Warning: r.Warning}, nil
}
