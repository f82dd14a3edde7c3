package practice

import (
	"fmt"
	"regexp"
	"strings"
)

// Product is the Lightspeed product the practice server plays (Config.Product). Each plays its
// own addresses, consent parameters, client authentication, token replies, lists, paging, rate
// limits and refused-token answers, as docs/providers.md records them. The zero value is
// O-Series, the server's behaviour before it knew other products.
type Product string

// The products, by the names the app and the --product flag use.
const (
	// OSeries is Restaurant O-Series (formerly Kounta): the default.
	OSeries Product = "o-series"
	// KSeries is Restaurant K-Series (V2 clients: a Keycloak sign-in host).
	KSeries Product = "k-series"
	// XSeries is Retail X-Series (formerly Vend): a token address and API per store.
	XSeries Product = "x-series"
	// RSeries is Retail R-Series.
	RSeries Product = "r-series"
)

// Products lists every product the practice server can play, O-Series first.
var Products = []Product{OSeries, KSeries, XSeries, RSeries}

// ParseProduct reads a product name: o-series, k-series, x-series or r-series (any case; a
// bare letter o, k, x or r too). "" is O-Series.
func ParseProduct(s string) (Product, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return OSeries, nil
	}
	for _, p := range Products {
		if v == string(p) || v == string(p)[:1] {
			return p, nil
		}
	}
	names := make([]string, len(Products))
	for i, p := range Products {
		names[i] = string(p)
	}
	return "", fmt.Errorf("the practice server plays %s, and no product called %q", strings.Join(names, ", "), s)
}

// orDefault is p, or O-Series for the zero value.
func (p Product) orDefault() Product {
	if p == "" {
		return OSeries
	}
	return p
}

// words are the names a product's consent page uses for the business and its shops.
type words struct {
	product, business, businesses, shops string
}

func (p Product) words() words {
	switch p {
	case KSeries:
		return words{"Restaurant K-Series", "business", "businesses", "locations"}
	case XSeries:
		return words{"Retail X-Series", "store", "stores", "outlets"}
	case RSeries:
		return words{"Retail R-Series", "account", "accounts", "shops"}
	}
	return words{"Restaurant O-Series", "company", "companies", "sites"}
}

// Where each product's consent page and token endpoint are, on the practice server. The real
// hosts differ per product (docs/providers.md); on loopback one server answers at the real
// paths. X-Series' token address and API are per store: the real host
// https://{domain_prefix}.retail.lightspeed.app becomes the path prefix /x/{domain_prefix} here.
const (
	oAuthorizePath = "/authorize"
	oTokenPath     = "/v1/token.json"
	kAuthorizePath = "/realms/k-series/protocol/openid-connect/auth"
	kTokenPath     = "/realms/k-series/protocol/openid-connect/token"
	kBusinessPath  = "/f/data/businesses"
	xAuthorizePath = "/connect"
	rAuthorizePath = "/auth/oauth/authorize"
	rTokenPath     = "/auth/oauth/token"
)

// PrefixPlaceholder stands for an X-Series store's domain_prefix in Info.TokenURL and
// Info.APIURL, as in the product's real addresses (https://{domain_prefix}.retail.lightspeed.app/…,
// lightspeed.Profile's placeholder): the client puts the prefix from the consent answer in its
// place.
const PrefixPlaceholder = "{domain_prefix}"

// AccountPlaceholder stands for an R-Series account ID in Info.APIURL, as in the product's API
// base (https://api.lightspeedapp.com/API/V3/Account/{account_id}/): the client learns it from
// Account.json, one level up.
const AccountPlaceholder = "{account_id}"

// xStorePath is the practice stand-in for the store host https://{domain_prefix}.retail.lightspeed.app.
func xStorePath(prefix string) string { return "/x/" + prefix }

// domainPrefixRE is a DNS label, what an X-Series domain_prefix is.
var domainPrefixRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// scopes are the scopes the practice integration may ask for, per product (a real integration
// may only ask for what its developer-portal entry declares), and the one each list needs.
var (
	kScopes = []string{"orders-api", "financial-api", "items", "staff-api", "propertymanagement", "reservations-api", "offline_access"}
	xScopes = []string{"retailer:read", "outlets:read", "payment_types:read", "products:read", "sales:read"}
	rScopes = []string{"employee:all", "employee:register", "employee:inventory", "employee:reports", "employee:customers", "employee:admin"}
)

// DefaultScope is the scope a client of the product asks for by default (docs/providers.md,
// "What the app assumes"): what Info.AuthCodeURL sends. "" for O-Series, which takes none.
func (p Product) DefaultScope() string {
	switch p {
	case KSeries:
		return "financial-api offline_access"
	case XSeries:
		return "retailer:read outlets:read payment_types:read"
	case RSeries:
		return "employee:all"
	}
	return ""
}

// allowedScopes is what the practice integration of p may ask for (nil: p takes no scope).
func (p Product) allowedScopes() []string {
	switch p {
	case KSeries:
		return kScopes
	case XSeries:
		return xScopes
	case RSeries:
		return rScopes
	}
	return nil
}

// splitScope splits a scope parameter on spaces and, as R-Series writes them, on '+'.
func splitScope(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '+' })
}

// domainPrefixOf makes an X-Series domain_prefix from a store's name: its letters and digits,
// lower case, at most 30 of them ("Harbour Burgers Pty Ltd" → "harbourburgersptyltd").
func domainPrefixOf(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) > 30 {
		out = out[:30]
	}
	if out == "" {
		out = "store"
	}
	return out
}

// uuidOf is a stable UUID (version 4 layout) for a demo record, for X-Series' ids.
func uuidOf(id int64) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(id>>16), uint64(id)&0xffffffffffff)
}
