package lightspeed_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/testenv/models"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed"
)

// The independent check at the API client's level (issue 22): each product's Accounts against
// a model written from docs/providers.md apart from the practice server and from this
// package's own test servers, over more than one of the product's pages. K-Series pages its
// businesses, so there a token that reaches 101 businesses spans two pages of 100.

type fixedToken string

func (t fixedToken) AccessToken(context.Context, bool) (string, error) { return string(t), nil }

func TestAccountsAgainstEachModel(t *testing.T) {
	for _, tc := range []struct {
		product    string
		id         lightspeed.ProductID
		opts       models.Options
		scope      string
		businesses int // businesses the token reaches
		calls      int // the fewest API requests that read it all: more than one page of the list
	}{
		{models.OSeries, lightspeed.OSeries, models.Options{Businesses: 2, Business: 1, Shops: 30}, "", 1, 3},
		{models.KSeries, lightspeed.KSeries, models.Options{Businesses: 101, Shops: 3}, "financial-api offline_access", 101, 2},
		{models.XSeries, lightspeed.XSeries, models.Options{Businesses: 2, Business: 1, Shops: 201}, "retailer:read outlets:read", 1, 4},
		{models.RSeries, lightspeed.RSeries, models.Options{Businesses: 2, Business: 1, Shops: 101}, "employee:all", 1, 3},
	} {
		t.Run(tc.product, func(t *testing.T) {
			m := models.New(t, tc.product, tc.opts)
			access, _ := m.Grant(tc.scope)
			base := strings.ReplaceAll(m.APIURL, "{domain_prefix}", models.DomainPrefix(tc.opts.Business))
			c := lightspeed.New(base, fixedToken(access))
			c.Product = tc.id
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			accounts, err := c.Accounts(ctx)
			if err != nil {
				t.Fatalf("Accounts: %v", err)
			}
			if len(accounts) != tc.businesses {
				t.Fatalf("%d accounts, want %d", len(accounts), tc.businesses)
			}
			first := tc.opts.Business
			if tc.product == models.KSeries {
				first = 0
			}
			a := accounts[0]
			if a.Name != models.BusinessName(first) || len(a.Shops) != tc.opts.Shops ||
				a.Shops[0].Name != models.ShopName(first, 0) || a.Shops[tc.opts.Shops-1].Name != models.ShopName(first, tc.opts.Shops-1) {
				t.Fatalf("account %q with %d shops, want %q with %d", a.Name, len(a.Shops), models.BusinessName(first), tc.opts.Shops)
			}
			if last := accounts[len(accounts)-1]; tc.product == models.KSeries && last.Name != models.BusinessName(100) {
				t.Fatalf("the last business is %q: the second page was not read", last.Name)
			}
			if calls := m.APIRequests(); calls < int64(tc.calls) {
				t.Fatalf("%d API requests: the list did not span more than one page", calls)
			}
		})
	}
}
