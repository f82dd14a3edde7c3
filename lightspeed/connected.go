package lightspeed

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// What was connected, for every product: the business (O-Series' company, K-Series' business,
// X-Series' store, R-Series' account) and its shops (sites, locations, outlets, shops). Each
// product reads it its own way (kseries.go, xseries.go, rseries.go; O-Series in client.go and
// paging.go), and every list is read whole or not at all.

// Account is the business a token was granted for, in every product's terms: an O-Series
// company, a K-Series business, an X-Series store (retailer), an R-Series account.
type Account struct {
	// Product is the product that answered.
	Product ProductID
	// ID is the product's own ID of the business, as text: O-Series' company ID in decimal
	// ("31001"), K-Series' businessId, X-Series' retailer UUID, R-Series' accountID. The
	// app's local ID is made from it (vault.LocalID).
	ID string
	// Name is the business's name as the product shows it.
	Name string
	// DomainPrefix is an X-Series store's name in its addresses (its domain_prefix, in lower
	// case); "" for other products.
	DomainPrefix string
	// Shops are the business's shops (sites, locations, outlets, shops) that the token may
	// see, in the order the product lists them.
	Shops []Shop
	// ShopsTotal is how many shops the business has in all, including any the person who
	// granted access can't see (missing from Shops); meaningful only when ShopsCounted.
	ShopsTotal int
	// ShopsCounted is true when the product said how many shops there are in all (only
	// O-Series does, as sites.count).
	ShopsCounted bool
	// ShopsCapped is true when the product returns at most a fixed number of shops and Shops
	// reached it, so there may be more (K-Series: 500 locations a business).
	ShopsCapped bool
}

// Shop is one of a business's shops, in every product's terms.
type Shop struct {
	// ID is the product's own ID of the shop, as text.
	ID string
	// Name is the shop's name.
	Name string
	// Code is the shop's short code, if it has one (O-Series' site code).
	Code string
	// TimeZone is its IANA time zone when the product says ("Australia/Sydney"); may be empty.
	TimeZone string
}

// Connected returns the business the client's token was granted for, with its shops: the one
// call the core makes after a consent, and again on every health check, whatever the
// product. A token that reaches several (a K-Series sign-in with access to more than one business, an R-Series
// employee of several accounts) is a problem whose sentence says so; Accounts lists them.
func (c *Client) Connected(ctx context.Context) (Account, error) {
	a, _, err := c.ConnectedWithInfo(ctx)
	return a, err
}

// ConnectedWithInfo is Connected that also reports the calls' facts for a health check. A
// product the app doesn't know is refused before any request.
func (c *Client) ConnectedWithInfo(ctx context.Context) (Account, CallInfo, error) {
	list, info, err := c.AccountsWithInfo(ctx)
	switch {
	case err != nil:
		return Account{}, info, err
	case len(list) == 1:
		return list[0], info, nil
	case len(list) == 0:
		w := c.words()
		return Account{}, info, problem.New(problem.KindNotFound, fmt.Sprintf(sayNoAccount, w.Company), nil).
			WithDetail("%s: the token reaches no %s", c.product(), w.Company)
	}
	w := c.words()
	return Account{}, info, problem.New(problem.KindProvider, fmt.Sprintf(saySeveralAccounts, len(list), w.Companies, w.Company, w.Company), nil).
		WithDetail("%s: the token reaches %d %s", c.product(), len(list), w.Companies)
}

// Accounts returns every business the access token reaches, each with all its shops.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	list, _, err := c.AccountsWithInfo(ctx)
	return list, err
}

// AccountsWithInfo is Accounts that also reports the calls' facts for a health check.
func (c *Client) AccountsWithInfo(ctx context.Context) ([]Account, CallInfo, error) {
	var info CallInfo
	start := c.now()
	defer func() { info.Elapsed = c.now().Sub(start) }()
	var list []Account
	var err error
	switch c.product() {
	case KSeries:
		list, err = c.kBusinesses(ctx, &info)
	case XSeries:
		list, err = c.xStore(ctx, &info)
	case RSeries:
		list, err = c.rAccounts(ctx, &info)
	case OSeries:
		list, err = c.oCompany(ctx, &info)
	default:
		err = unknownProduct(c.Product)
	}
	if err != nil {
		return nil, info, err
	}
	for i := range list {
		list[i].Product = c.product()
	}
	return list, info, nil
}

// oCompany is O-Series' company (companies/me.json) with every site.
func (c *Client) oCompany(ctx context.Context, info *CallInfo) ([]Account, error) {
	me, err := c.me(ctx, info)
	if err != nil {
		return nil, err
	}
	sites, err := c.sites(ctx, me.ID, info)
	if err != nil {
		return nil, err
	}
	a := Account{ID: strconv.FormatInt(me.ID, 10), Name: me.Name, Shops: make([]Shop, 0, len(sites))}
	for _, s := range sites {
		a.Shops = append(a.Shops, Shop{ID: strconv.FormatInt(s.ID, 10), Name: s.Name, Code: s.Code, TimeZone: me.Timezone.Name})
	}
	// companies/me.json without sites.count while sites are visible: the total is not known.
	a.ShopsTotal, a.ShopsCounted = me.SitesCount, !(me.SitesCount == 0 && len(sites) > 0)
	return []Account{a}, nil
}

// unknownProduct is the sentence for a product the app doesn't know.
func unknownProduct(id ProductID) error {
	return problem.New(problem.KindUsage, sayUnknownProduct, nil).WithDetail("product %q", safeDetail(string(id)))
}

// product is the client's product, O-Series when it names none.
func (c *Client) product() ProductID {
	if c.Product == "" {
		return DefaultProduct
	}
	return c.Product
}

// profile is the client's product's profile; O-Series' for a product it doesn't know (the
// call then fails in AccountsWithInfo before any request).
func (c *Client) profile() Profile {
	if p, ok := ProfileOf(c.product()); ok {
		return p
	}
	return oSeries()
}

// words are what the client's product calls the business and its shops.
func (c *Client) words() Words { return c.profile().Words }

// pageSize is how many items a page is asked to hold.
func (c *Client) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	if n := c.profile().PageSize; n > 0 {
		return n
	}
	return PageSize
}

// productPacers are the default Pacers of the products other than O-Series, made on first use.
var productPacers sync.Map // ProductID -> *Pacer

// DefaultPacerFor is the Pacer a Client of product uses when it has none of its own: the
// product's pace per token (its profile's RateLimit), shared by every Client in the process.
// O-Series' is DefaultPacer.
func DefaultPacerFor(product ProductID) *Pacer {
	if product == "" || product == OSeries {
		return DefaultPacer
	}
	if p, ok := productPacers.Load(product); ok {
		return p.(*Pacer)
	}
	prof, ok := ProfileOf(product)
	if !ok {
		return DefaultPacer
	}
	p, _ := productPacers.LoadOrStore(product, NewPacer(prof.RateLimit.RequestsPerMinute, prof.RateLimit.Burst))
	return p.(*Pacer)
}

// safeDetail keeps text from a reply or a caller printable and short for a detail line.
func safeDetail(s string) string {
	out := make([]rune, 0, 64)
	for _, r := range s {
		if len(out) == 64 {
			return string(out) + "…"
		}
		if r < ' ' || r == 0x7f {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}
