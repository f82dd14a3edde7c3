package vault

import (
	"slices"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// SchemaVersion is the state file's format while it holds only Lightspeed O-Series, as every
// version of the app has written it. A state holding another product is written as
// SchemaProducts (see products.go). A file with a number higher than this app knows was
// written by a newer app that changed what a field means; this one reads what it can but
// refuses to overwrite it. A newer app that only adds fields keeps the number and raises
// SchemaMinor: this one reads such a file fully and keeps, on every rewrite, the fields it
// doesn't know (see unknownFields and docs/architecture.md).
const SchemaVersion = 1

// SchemaMinor counts the additions to schema SchemaVersion this app knows: 1 is the first
// that keeps unknown fields and writes the last-good copy. A file keeps the highest minor
// that wrote it, since it may still hold that version's fields.
const SchemaMinor = 1

// State is everything the app remembers that is not secret. It is stored as JSON in
// StateFileName inside the state directory.
type State struct {
	// Schema is the file's format version (SchemaVersion when written by this app).
	Schema int `json:"schema"`
	// SchemaMinor is the highest SchemaMinor of the apps that wrote the file (0 before it was
	// written at all).
	SchemaMinor int `json:"schema_minor,omitempty"`
	// Integration is the O-Series add-on the O-Series companies are connected to.
	Integration Integration `json:"integration"`
	// ProductIntegrations are the other products' integrations, by product ID ("x-series"):
	// a support desk registers one per product. Never holds "o-series" (that is Integration).
	// A state that has any is written as SchemaProducts.
	ProductIntegrations map[string]Integration `json:"product_integrations,omitempty"`
	// Product is the product the person chose last (connect --product, the wizard's
	// question), "" for O-Series: the next connect's default.
	Product string `json:"product,omitempty"`
	// Companies are the connected companies, in the order they were connected.
	Companies []Company `json:"companies"`
	// RefreshRotation records, per integration (client ID), whether Lightspeed answered a
	// refresh with a new refresh token (true) or the one it was sent (false). An integration
	// not in the map has not been refreshed yet: unknown. Added after schema 1 was first
	// written; older files simply lack it.
	RefreshRotation map[string]bool `json:"refresh_rotation,omitempty"`

	unknown unknownFields
}

// Integration is the OAuth client the app connects companies to. Its client secret is in the
// keyring under its ClientID.
type Integration struct {
	// ClientID identifies the integration at Lightspeed.
	ClientID string `json:"client_id"`
	// RedirectURI is the address registered for the integration.
	RedirectURI string `json:"redirect_uri"`
	// AuthorizeURL is where the browser goes for consent.
	AuthorizeURL string `json:"authorize_url"`
	// TokenURL exchanges codes and refresh tokens.
	TokenURL string `json:"token_url"`
	// APIBaseURL is the Lightspeed API's base address.
	APIBaseURL string `json:"api_base_url"`
	// Practice is true when the URLs point at the built-in practice server.
	Practice bool `json:"practice"`
	// NoPKCE turns PKCE off, for a provider that refuses its parameters.
	NoPKCE bool `json:"no_pkce,omitempty"`
	// RequestsPerMinute paces API requests per access token; 0 means the app's default.
	RequestsPerMinute int `json:"requests_per_minute,omitempty"`

	unknown unknownFields
}

// Company is one connected Lightspeed company. Its tokens are in the keyring under its ID.
type Company struct {
	// ID is the company's local ID, the key of its keyring items and its lock: for O-Series
	// Lightspeed's company ID, for other products one derived from ExternalID (LocalID).
	ID int64 `json:"id"`
	// Product is the product the company was connected through, "" for O-Series.
	Product string `json:"product,omitempty"`
	// ExternalID is the product's own ID of the business (a K-Series business ID, an X-Series
	// retailer's UUID, an R-Series account ID); "" for O-Series, whose ID is ID.
	ExternalID string `json:"external_id,omitempty"`
	// DomainPrefix is an X-Series store's name in its addresses (its token address and API are
	// per store), from the consent answer; "" for the other products.
	DomainPrefix string `json:"domain_prefix,omitempty"`
	// Name is the company's name as Lightspeed reports it.
	Name string `json:"name"`
	// Sites are the company's sites (Lightspeed calls them sites; some APIs say stores).
	Sites []Site `json:"sites"`
	// SitesTotal is how many sites the company has in all (sites.count from companies/me),
	// including any the person who granted access can't see, which are missing from Sites.
	// Nil when not known: a state file from before the app counted them, or a reply without
	// sites.count. A new field of schema 1: older files simply load without it.
	SitesTotal *int `json:"sites_total,omitempty"`
	// ConnectedAt is when the company was (re)connected.
	ConnectedAt time.Time `json:"connected_at"`
	// AccessExpiry is when the access token in the keyring stops working.
	AccessExpiry time.Time `json:"access_expiry"`
	// LastRefresh is when the tokens were last refreshed successfully.
	LastRefresh time.Time `json:"last_refresh,omitzero"`
	// LastCheck is the result of the last health check, if any.
	LastCheck *Check `json:"last_check,omitempty"`
	// LastError is the last failure seen for this company (refresh, check), if any.
	LastError *Failure `json:"last_error,omitempty"`
	// HandedOff, when set, says the company's refresh token was exported to the integration,
	// which now owns it: the app no longer refreshes the company (see Vault.Refresh).
	// Reconnecting replaces the record and so takes it back.
	HandedOff *HandOff `json:"handed_off,omitempty"`

	unknown unknownFields
}

// HandOff is when, and to which file, a company's refresh token was handed to the integration.
type HandOff struct {
	// To is the absolute path of the file the tokens were written to.
	To string `json:"to"`
	// At is when.
	At time.Time `json:"at"`

	unknown unknownFields
}

// Rotation reports what is known about whether the integration clientID's refresh tokens
// rotate: rotates, and whether that is known at all.
func (s *State) Rotation(clientID string) (rotates, known bool) {
	rotates, known = s.RefreshRotation[clientID]
	return rotates, known
}

// noteRotation records what one refresh showed. Rotation once seen stays recorded: a provider
// that rotated once may rotate again.
func (s *State) noteRotation(clientID string, rotated bool) {
	if clientID == "" {
		return
	}
	if s.RefreshRotation == nil {
		s.RefreshRotation = map[string]bool{}
	}
	s.RefreshRotation[clientID] = s.RefreshRotation[clientID] || rotated
}

// Site is one of a company's sites.
type Site struct {
	// ID is Lightspeed's site ID; for a product whose shop IDs are not numbers, one derived
	// from ExternalID (LocalID).
	ID int64 `json:"id"`
	// ExternalID is the product's own ID of the shop when it differs from ID (an X-Series
	// outlet's UUID); "" for O-Series.
	ExternalID string `json:"external_id,omitempty"`
	// Name is the site's name.
	Name string `json:"name"`
	// Code is the site's short code, if it has one.
	Code string `json:"code,omitempty"`

	unknown unknownFields
}

// Check is the outcome of one health check against the API.
type Check struct {
	// Status is a short word for a badge, e.g. "healthy", "needs_reconnect", "offline".
	Status string `json:"status"`
	// Detail is one plain sentence about the outcome.
	Detail string `json:"detail,omitempty"`
	// HTTPStatus is the API's status code, 0 when there was no answer.
	HTTPStatus int `json:"http_status,omitempty"`
	// Latency is how long the API took to answer.
	Latency time.Duration `json:"latency_ns,omitempty"`
	// ClockSkew is the server's Date header minus the local clock.
	ClockSkew time.Duration `json:"clock_skew_ns,omitempty"`
	// CheckedAt is when the check ran.
	CheckedAt time.Time `json:"checked_at"`
	// ErrorKind is the problem kind when the check failed, "" when it passed.
	ErrorKind problem.Kind `json:"error_kind,omitempty"`

	unknown unknownFields
}

// Failure records a failure for the dashboard and the diagnostics. Never a secret.
type Failure struct {
	// Kind is the problem kind.
	Kind problem.Kind `json:"kind"`
	// Summary is the plain sentence that was shown.
	Summary string `json:"summary"`
	// Detail is the support line, if any.
	Detail string `json:"detail,omitempty"`
	// At is when it happened.
	At time.Time `json:"at"`

	unknown unknownFields
}

// newState returns an empty state of the current schema.
func newState() *State { return &State{Schema: SchemaVersion, SchemaMinor: SchemaMinor} }

// SetSites replaces the company's sites, keeping for each site still there the fields of its
// old record this version doesn't know.
func (c *Company) SetSites(sites []Site) {
	old := make(map[int64]unknownFields, len(c.Sites))
	for _, site := range c.Sites {
		if site.unknown != nil {
			old[site.ID] = site.unknown
		}
	}
	c.Sites = slices.Clone(sites)
	for i := range c.Sites {
		if c.Sites[i].unknown == nil {
			c.Sites[i].unknown = old[c.Sites[i].ID]
		}
	}
}

// Company returns the company with id, or nil. The pointer stays valid until Companies changes.
func (s *State) Company(id int64) *Company {
	i := s.index(id)
	if i < 0 {
		return nil
	}
	return &s.Companies[i]
}

// putCompany replaces the company with c.ID, or appends c when it is new. A replaced company's
// fields this version doesn't know are kept (a reconnect renews what this version knows of
// the company, not what a newer version recorded about it), as are its sites'.
func (s *State) putCompany(c Company) {
	if i := s.index(c.ID); i >= 0 {
		old := s.Companies[i]
		if c.unknown == nil {
			c.unknown = old.unknown
		}
		sites := c.Sites
		c.Sites = old.Sites
		c.SetSites(sites)
		s.Companies[i] = c
		return
	}
	s.Companies = append(s.Companies, c)
}

// removeCompany removes the company with id and reports whether it was there.
func (s *State) removeCompany(id int64) bool {
	i := s.index(id)
	if i < 0 {
		return false
	}
	s.Companies = slices.Delete(s.Companies, i, i+1)
	return true
}

func (s *State) index(id int64) int {
	return slices.IndexFunc(s.Companies, func(c Company) bool { return c.ID == id })
}
