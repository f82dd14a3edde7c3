package lightspeed

import (
	"context"
	"fmt"
	"strconv"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// What was connected, for every product: the one call the core makes after a consent, and
// again on every health check, whatever the product. Each product answers it with its own API
// (O-Series: companies/me.json and the company's sites.json).

// Account is the business a token was granted for, in every product's terms: an O-Series
// company, a K-Series business, an X-Series store (retailer), an R-Series account.
type Account struct {
	// Product is the product that answered.
	Product ProductID
	// ID is the product's own ID of the business, as text: O-Series' company ID in decimal,
	// X-Series' retailer UUID.
	ID string
	// Name is the business's name as the product shows it.
	Name string
	// DomainPrefix is an X-Series store's name in its addresses; "" for other products.
	DomainPrefix string
	// Shops are the business's shops (sites, locations, outlets) that the token may see.
	Shops []Shop
	// ShopsTotal is how many shops the business has in all, including any the person who
	// granted access can't see (missing from Shops); meaningful only when ShopsCounted.
	ShopsTotal int
	// ShopsCounted is true when the product said how many shops there are in all.
	ShopsCounted bool
}

// Shop is one of a business's shops, in every product's terms.
type Shop struct {
	// ID is the product's own ID of the shop, as text.
	ID string
	// Name is the shop's name.
	Name string
	// Code is the shop's short code, if it has one.
	Code string
}

// Connected returns the business the client's token was granted for, with its shops.
func (c *Client) Connected(ctx context.Context) (Account, error) {
	a, _, err := c.ConnectedWithInfo(ctx)
	return a, err
}

// ConnectedWithInfo is Connected that also reports the calls' facts for a health check.
func (c *Client) ConnectedWithInfo(ctx context.Context) (Account, CallInfo, error) {
	switch c.product() {
	case OSeries:
		return c.oSeriesConnected(ctx)
	}
	p, _ := ProfileOf(c.product())
	return Account{}, CallInfo{}, notReadable(p)
}

// ReadsConnected reports whether this version of the client can read what was connected in
// product; the core asks before it sends anyone to a consent page it couldn't finish.
func ReadsConnected(product ProductID) bool {
	return product == OSeries || product == ""
}

// notReadable is the sentence for a product whose API for "what was connected" this version
// can't read.
func notReadable(p Profile) error {
	name := p.Name
	if name == "" {
		name = "this Lightspeed product"
	}
	return problem.New(problem.KindUnknown,
		fmt.Sprintf("This version of the app can't read what was connected in %s yet. Update the app to connect it.", name), nil).
		WithDetail("no API client for product %q", p.ID)
}

func (c *Client) product() ProductID {
	if c.Product == "" {
		return OSeries
	}
	return c.Product
}

// oSeriesConnected reads companies/me.json and the company's sites.
func (c *Client) oSeriesConnected(ctx context.Context) (Account, CallInfo, error) {
	me, info, err := c.MeWithInfo(ctx)
	if err != nil {
		return Account{}, info, err
	}
	sites, listInfo, err := c.SitesWithInfo(ctx, me.ID)
	info = info.Followed(listInfo, err != nil)
	if err != nil {
		return Account{}, info, err
	}
	a := Account{Product: OSeries, ID: strconv.FormatInt(me.ID, 10), Name: me.Name, Shops: make([]Shop, 0, len(sites))}
	for _, s := range sites {
		a.Shops = append(a.Shops, Shop{ID: strconv.FormatInt(s.ID, 10), Name: s.Name, Code: s.Code})
	}
	// companies/me.json without sites.count while sites are visible: the total is not known.
	a.ShopsTotal, a.ShopsCounted = me.SitesCount, !(me.SitesCount == 0 && len(sites) > 0)
	return a, info, nil
}
