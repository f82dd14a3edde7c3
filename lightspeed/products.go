package lightspeed

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/dnslabel"
)

// The Lightspeed products a merchant can have, as data: one Profile each. Every fact here comes
// from docs/providers.md, which names the public address each one came from; where the record
// is silent the profile takes the stricter choice that page lists (rotation assumed single use,
// a slow pace where no limit is published). Change that page first, then the profile.
//
// Adding a product adds a Profile here and its API client for "what was connected"; the
// consent flow, the storage, the refresh and the hand-off are the same for every product.

// ProductID names a product in the state file, on the command line (connect --product) and in
// the hand-off (LIGHTSPEED_PRODUCT). These words never change once written.
type ProductID string

// The products. OSeries is the first and the default: every state written before products
// existed is an O-Series state.
const (
	OSeries ProductID = "o-series"
	KSeries ProductID = "k-series"
	XSeries ProductID = "x-series"
	RSeries ProductID = "r-series"
)

// ClientAuth is how the app proves the integration's identity at the token address.
type ClientAuth int

const (
	// ClientAuthBody sends client_id and client_secret as form parameters in the request body.
	ClientAuthBody ClientAuth = iota
	// ClientAuthBasic sends them as HTTP Basic credentials in the Authorization header
	// (RFC 6749 §2.3.1); the other parameters stay in the form body.
	ClientAuthBasic
)

func (a ClientAuth) String() string {
	switch a {
	case ClientAuthBody:
		return "form body"
	case ClientAuthBasic:
		return "HTTP Basic"
	}
	return fmt.Sprintf("ClientAuth(%d)", int(a))
}

// Paging is how a product's API splits a list into pages.
type Paging int

const (
	// PagingPageHeader: request header X-Page counted from 0; the reply says X-Pages and may
	// give X-Next-Page, the next page's full address (O-Series).
	PagingPageHeader Paging = iota + 1
	// PagingPageNumber: query parameters page (from 0) and size; no total is sent, so the list
	// ends at a short or empty page (K-Series).
	PagingPageNumber
	// PagingVersionCursor: query parameters after and page_size; the next page starts after
	// the reply's version.max, and the list ends at an empty data (X-Series API 2.0).
	PagingVersionCursor
	// PagingNextAddress: the reply's @attributes.next is the next page's full address; the
	// list ends when it is absent or empty (R-Series API V3).
	PagingNextAddress
)

func (p Paging) String() string {
	switch p {
	case PagingPageHeader:
		return "X-Page header"
	case PagingPageNumber:
		return "page and size"
	case PagingVersionCursor:
		return "version cursor"
	case PagingNextAddress:
		return "next address"
	}
	return fmt.Sprintf("Paging(%d)", int(p))
}

// Words are what a product calls the business that was connected and one of its shops, in
// lower case as they stand inside a sentence. The faces get them through connections.
type Words struct {
	// Company is the business as a whole: "company", "business", "store", "account".
	Company string
	// Companies is its plural.
	Companies string
	// Shop is one place that sells: "site", "location", "outlet", "shop".
	Shop string
	// Shops is its plural.
	Shops string
}

// RateLimit is what a product says about how fast an integration may call its API, and the
// pace the app keeps below it.
type RateLimit struct {
	// Limit describes the product's own limit in a few words, for the documentation and the
	// diagnostics ("about 180 a minute per token").
	Limit string
	// RequestsPerMinute is the app's default pace per access token, below Limit.
	RequestsPerMinute int
	// Burst is how many requests may go at once before pacing starts.
	Burst int
	// Headers are the reply headers that state the limit or how much of it is left, in the
	// order they are read.
	Headers []string
	// RetryAfterDate is true when a 429's Retry-After is an HTTP date rather than seconds.
	// The client accepts both either way; this records which the product sends.
	RetryAfterDate bool
}

// Profile is everything the app knows about one product.
type Profile struct {
	// ID is the product's word in files and on the command line.
	ID ProductID
	// Name is the name merchants know, as the wizard and messages write it.
	Name string
	// ShortName is the name where room is short, such as a dashboard badge ("X-Series").
	ShortName string
	// Description is one line under the name in the wizard's product question.
	Description string
	// Words name the business and its shops.
	Words Words

	// AuthorizeURL is the consent page the browser opens.
	AuthorizeURL string
	// TokenURL receives the code exchange and the refreshes. It may hold a {placeholder} (see
	// Expand) filled from the consent answer: X-Series' token address is per store.
	TokenURL string
	// APIBaseURL is the API's root, ending in "/". It may hold a {placeholder} filled from the
	// consent answer or from what was connected: X-Series' is per store, R-Series' per account.
	APIBaseURL string
	// ConsentParam names a parameter the consent answer carries beside code and state that
	// the addresses need ("domain_prefix" for X-Series); "" when none.
	ConsentParam string
	// ClientAuth is how the integration authenticates at the token address.
	ClientAuth ClientAuth
	// Scopes are the scopes asked for when the integration's settings name none; nil sends no
	// scope parameter. They are joined with spaces (RFC 6749 §3.3); R-Series' documented "+"
	// between scopes is a space once the query is decoded.
	Scopes []string
	// RedirectHTTPSOnly is true when the product accepts only https Redirect URIs, so the
	// app's loopback catcher can't be registered and the person pastes the address instead.
	RedirectHTTPSOnly bool

	// RefreshRotates is true when a refresh may return a new refresh token and revoke the old
	// one. Where the record is silent it is true: the stricter assumption.
	RefreshRotates bool
	// RotationDocumented is true when the product's documentation says whether refresh tokens
	// rotate; false when RefreshRotates is only the app's assumption.
	RotationDocumented bool
	// AccessLifetime is how long an access token lasts when the token reply doesn't say
	// (expires_in); 0 when the product publishes no figure.
	AccessLifetime time.Duration

	// Paging is how the API's lists are paged.
	Paging Paging
	// PageSize is how many items a page holds (or is asked to hold); 0 when the product
	// decides and doesn't say.
	PageSize int
	// RateLimit is the product's limit and the app's pace.
	RateLimit RateLimit
}

// Profiles returns every product, O-Series first: it is the default. The slice is new on every
// call; changing it changes nothing here.
func Profiles() []Profile {
	return []Profile{oSeries(), kSeries(), xSeries(), rSeries()}
}

// ProfileOf returns the profile of id, and false when id names no product.
func ProfileOf(id ProductID) (Profile, bool) {
	for _, p := range Profiles() {
		if p.ID == id {
			return p, true
		}
	}
	return Profile{}, false
}

// DefaultProduct is the product of every integration and company that names none.
const DefaultProduct = OSeries

// Production addresses of O-Series (Kounta). oauth.Lightspeed() and DefaultBaseURL carry the
// same values; products_test.go holds them equal.
const (
	oSeriesAuthorizeURL = "https://my.kounta.com/authorize"
	oSeriesTokenURL     = "https://api.kounta.com/v1/token.json"
)

func oSeries() Profile {
	return Profile{
		ID:          OSeries,
		Name:        "Restaurant O-Series (formerly Kounta)",
		ShortName:   "O-Series",
		Description: "Lightspeed's restaurant point of sale that was Kounta: a company and its sites.",
		Words:       Words{Company: "company", Companies: "companies", Shop: "site", Shops: "sites"},

		AuthorizeURL: oSeriesAuthorizeURL,
		TokenURL:     oSeriesTokenURL,
		APIBaseURL:   DefaultBaseURL,
		ClientAuth:   ClientAuthBody,
		// No scope parameter is documented for O-Series.
		Scopes: nil,

		// Not documented: assumed rotating and single use (docs/providers.md).
		RefreshRotates:     true,
		RotationDocumented: false,
		// Not published; the practice server and the app's tests use an hour.
		AccessLifetime: 0,

		Paging:   PagingPageHeader,
		PageSize: PageSize,
		RateLimit: RateLimit{
			Limit:             "about 180 a minute per token (reported, not published)",
			RequestsPerMinute: DefaultRequestsPerMinute,
			Burst:             DefaultBurst,
			Headers:           []string{"Retry-After", "X-Ratelimit-Reset"},
		},
	}
}

func kSeries() Profile {
	return Profile{
		ID:          KSeries,
		Name:        "Restaurant K-Series",
		ShortName:   "K-Series",
		Description: "Lightspeed's restaurant point of sale for table service: a business and its locations.",
		Words:       Words{Company: "business", Companies: "businesses", Shop: "location", Shops: "locations"},

		// The V2 (Keycloak) addresses; V1 clients and the trial environment are set as the
		// integration's own addresses.
		AuthorizeURL: "https://auth.lsk-prod.app/realms/k-series/protocol/openid-connect/auth",
		TokenURL:     "https://auth.lsk-prod.app/realms/k-series/protocol/openid-connect/token",
		APIBaseURL:   "https://api.lsk.lightspeed.app/",
		ClientAuth:   ClientAuthBasic,
		// scope is required; financial-api reads the businesses and their locations, and
		// offline_access keeps the refresh token alive between sessions.
		Scopes:            []string{"financial-api", "offline_access"},
		RedirectHTTPSOnly: true,

		RefreshRotates:     true,
		RotationDocumented: true,
		AccessLifetime:     time.Hour,

		Paging: PagingPageNumber,
		// The businesses list defaults to 1000 a page; the app asks for fewer, so that a
		// second page is an ordinary event it has been tested with.
		PageSize: 100,
		RateLimit: RateLimit{
			Limit:             "not published",
			RequestsPerMinute: 60,
			Burst:             DefaultBurst,
			Headers:           []string{"Retry-After"},
		},
	}
}

func xSeries() Profile {
	return Profile{
		ID:          XSeries,
		Name:        "Retail X-Series (formerly Vend)",
		ShortName:   "X-Series",
		Description: "Lightspeed's retail point of sale that was Vend: a store and its outlets.",
		Words:       Words{Company: "store", Companies: "stores", Shop: "outlet", Shops: "outlets"},

		AuthorizeURL: "https://secure.retail.lightspeed.app/connect",
		TokenURL:     "https://{domain_prefix}.retail.lightspeed.app/api/1.0/token",
		APIBaseURL:   "https://{domain_prefix}.retail.lightspeed.app/api/2.0/",
		ConsentParam: "domain_prefix",
		ClientAuth:   ClientAuthBody,
		Scopes:       []string{"retailer:read", "outlets:read", "payment_types:read"},

		RefreshRotates:     true,
		RotationDocumented: true,
		// Documented examples disagree (7 days, 1 day); expires_in is read on every reply.
		AccessLifetime: 0,

		Paging:   PagingVersionCursor,
		PageSize: 100,
		RateLimit: RateLimit{
			Limit:             "300 per register plus 50, per 5 minutes per store",
			RequestsPerMinute: 60,
			Burst:             DefaultBurst,
			Headers:           []string{"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
			RetryAfterDate:    true,
		},
	}
}

func rSeries() Profile {
	return Profile{
		ID:          RSeries,
		Name:        "Retail R-Series",
		ShortName:   "R-Series",
		Description: "Lightspeed's retail point of sale (Lightspeed Retail): an account and its shops.",
		Words:       Words{Company: "account", Companies: "accounts", Shop: "shop", Shops: "shops"},

		AuthorizeURL: "https://cloud.lightspeedapp.com/auth/oauth/authorize",
		TokenURL:     "https://cloud.lightspeedapp.com/auth/oauth/token",
		APIBaseURL:   "https://api.lightspeedapp.com/API/V3/Account/{account_id}/",
		ClientAuth:   ClientAuthBody,
		// The smallest scope that reads Account and Shop is not published.
		Scopes: []string{"employee:all"},

		RefreshRotates:     true,
		RotationDocumented: true,
		AccessLifetime:     0,

		Paging:   PagingNextAddress,
		PageSize: 100,
		RateLimit: RateLimit{
			Limit:             "a leaky bucket per account: about 60 units, draining 1 a second (a read costs 1)",
			RequestsPerMinute: 50,
			Burst:             DefaultBurst,
			Headers:           []string{"Retry-After", "X-LS-API-Bucket-Level", "X-LS-API-Drip-Rate"},
		},
	}
}

// Placeholders an address may hold.
const (
	// PlaceholderDomainPrefix is X-Series' store name, from the consent answer.
	PlaceholderDomainPrefix = "domain_prefix"
	// PlaceholderAccountID is R-Series' account ID, from what was connected.
	PlaceholderAccountID = "account_id"
)

// Placeholders returns the names of the {placeholders} in address, in order, once each.
func Placeholders(address string) []string {
	var names []string
	for rest := address; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return names
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return names
		}
		name := rest[open+1 : open+end]
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
		rest = rest[open+end+1:]
	}
}

// Expand fills address's {placeholders} from values. A value must be one DNS label (letters,
// digits and inner hyphens, at most 63): that is what a domain_prefix or an account ID is, and
// it keeps a value from a browser's address bar from steering a secret to another host or
// path. A placeholder without a value, or a value that isn't a label, is an error naming it.
func Expand(address string, values map[string]string) (string, error) {
	out := address
	for _, name := range Placeholders(address) {
		v, ok := values[name]
		if !ok || v == "" {
			return "", fmt.Errorf("the address %s needs the %s, which is not known", address, name)
		}
		if !IsLabel(v) {
			return "", fmt.Errorf("the %s %q is not a single name of letters, digits and hyphens", name, v)
		}
		out = strings.ReplaceAll(out, "{"+name+"}", v)
	}
	return out, nil
}

// ExpandKnown is Expand for the placeholders values has (non-empty); the others stay as
// they are, for an address completed later (R-Series' account, known once it is read).
func ExpandKnown(address string, values map[string]string) (string, error) {
	known := map[string]string{}
	for _, name := range Placeholders(address) {
		if v := values[name]; v != "" {
			known[name] = v
		}
	}
	out := address
	for name, v := range known {
		if !IsLabel(v) {
			return "", fmt.Errorf("the %s %q is not a single name of letters, digits and hyphens", name, v)
		}
		out = strings.ReplaceAll(out, "{"+name+"}", v)
	}
	return out, nil
}

// IsLabel reports whether s is one DNS label: 1 to 63 ASCII letters, digits and hyphens, not
// starting or ending with a hyphen (dnslabel.Valid, which oauth uses for the same value).
func IsLabel(s string) bool { return dnslabel.Valid(s) }
