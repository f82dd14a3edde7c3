package connections

import (
	"context"

	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

// The Lightspeed API as the core calls it: a client with the core's HTTP client, clock and
// pacer, and the look-up of the company a fresh access token belongs to.

// sitesTotal is how many sites the company has in all, from companies/me's sites.count, or
// nil when the reply did not say (no sites.count, yet sites are visible).
func sitesTotal(me lightspeed.Company, visible int) *int {
	if me.SitesCount == 0 && visible > 0 {
		return nil
	}
	n := me.SitesCount
	return &n
}

func (c *Core) apiClient(s Settings, tokens lightspeed.TokenSource) *lightspeed.Client {
	client := lightspeed.New(s.profile().APIURL, tokens)
	client.Product = lightspeed.ProductID(s.productID())
	client.HTTP = c.http
	client.Now = c.now
	client.Pacer = c.pacerFor(s)
	client.Buckets = c.buckets
	return client
}

func toVaultSites(sites []lightspeed.Site) []vault.Site {
	out := make([]vault.Site, 0, len(sites))
	for _, s := range sites {
		out = append(out, vault.Site{ID: s.ID, Name: s.Name, Code: s.Code})
	}
	return out
}

// staticToken is the token source of a connection not stored yet: the fresh access token.
type staticToken string

func (t staticToken) AccessToken(context.Context, bool) (string, error) { return string(t), nil }
