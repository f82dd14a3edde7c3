package connections

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// What was connected, for every product: the core asks the API client's Connected (one call
// whatever the product) and keeps the answer under the company's local ID (vault.LocalID).

// lookUp asks the API which business the fresh access token belongs to, with its shops.
// domainPrefix is X-Series' store from the consent answer ("" for the other products).
func (c *Core) lookUp(ctx context.Context, s Settings, accessToken, domainPrefix string) (vault.Company, error) {
	p := s.profile()
	values := map[string]string{lightspeed.PlaceholderDomainPrefix: domainPrefix}
	var err error
	if s.TokenURL, err = lightspeed.ExpandKnown(p.TokenURL, values); err == nil {
		s.APIURL, err = lightspeed.ExpandKnown(p.APIURL, values)
	}
	if err != nil {
		return vault.Company{}, problem.New(problem.KindBadReply,
			"Lightspeed's answer named a store the app can't use. Connect again; if it keeps happening, copy the diagnostics and send them to support.", err).
			WithDetail("consent answer: %v", err)
	}
	a, err := c.apiClient(s, staticToken(accessToken)).Connected(ctx)
	if err != nil {
		return vault.Company{}, err
	}
	if a.DomainPrefix == "" {
		a.DomainPrefix = domainPrefix
	}
	return companyOfAccount(s.productID(), a, c.now())
}

// companyOfAccount is the record of a business the API reported.
func companyOfAccount(product string, a lightspeed.Account, now time.Time) (vault.Company, error) {
	id, ok := vault.LocalID(product, a.ID)
	if !ok {
		return vault.Company{}, problem.New(problem.KindBadReply,
			"Lightspeed sent an answer the app doesn't understand. Try again later; if it keeps happening, copy the diagnostics and send them to support.", nil).
			WithDetail("%s: the connected business has no usable id (%q)", product, a.ID)
	}
	co := vault.Company{ID: id, Name: a.Name, Sites: shopsOf(product, a.Shops), ConnectedAt: now}
	if a.ShopsCounted {
		n := a.ShopsTotal
		co.SitesTotal = &n
	}
	if !vault.IsOSeries(product) {
		co.Product, co.ExternalID, co.DomainPrefix = product, a.ID, a.DomainPrefix
	}
	return co, nil
}

// shopsOf is the record of a business's shops. An O-Series site keeps its numeric ID; another
// product's shop keeps its own ID as ExternalID, and as ID the number it is when it is one,
// else a local ID derived from it.
func shopsOf(product string, shops []lightspeed.Shop) []vault.Site {
	out := make([]vault.Site, 0, len(shops))
	for _, sh := range shops {
		site := vault.Site{Name: sh.Name, Code: sh.Code}
		n, err := strconv.ParseInt(sh.ID, 10, 64)
		switch {
		case vault.IsOSeries(product):
			site.ID = n
		case err == nil && n > 0:
			site.ID, site.ExternalID = n, sh.ID
		default:
			site.ID, _ = vault.LocalID(product, sh.ID)
			site.ExternalID = sh.ID
		}
		out = append(out, site)
	}
	return out
}

// checkAccount is the health check of a company of a product other than O-Series: the
// product's "what was connected" must answer with the business's own ID, and its shops are
// recorded again.
func (c *Core) checkAccount(ctx context.Context, s Settings, co vault.Company, tokens lightspeed.TokenSource) checked {
	if check, ok := c.handedOffCheck(co); ok {
		return checked{id: co.ID, check: check}
	}
	a, info, err := c.apiClient(s, tokens).ConnectedWithInfo(ctx)
	if err == nil && a.ID != co.ExternalID {
		words := productOf(s.productProfile())
		err = problem.New(problem.KindWrongCompany,
			fmt.Sprintf("Lightspeed answered for another %s (%s) with %s's tokens. Reconnect %s.", words.Company, a.Name, co.Name, co.Name), nil).
			WithDetail("%s: connected business %q, want %q", co.ProductOf(), a.ID, co.ExternalID)
	}
	check := c.checkOf(info, err)
	if err != nil {
		return checked{id: co.ID, check: check}
	}
	out := checked{id: co.ID, check: check, sites: shopsOf(co.ProductOf(), a.Shops)}
	if a.ShopsCounted {
		n := a.ShopsTotal
		out.total = &n
	}
	return out
}
