package lightspeed

import (
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

// Connected reads O-Series' company and every site it may see (over pages), with the total
// that counts the hidden ones too.
func TestConnectedReadsAnOSeriesCompany(t *testing.T) {
	f := newFixture(t, practice.Config{Sites: 30, HiddenSites: 2}, 0)
	a, info, err := f.client.ConnectedWithInfo(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Product != OSeries || a.ID != "31001" || a.Name == "" || len(a.Shops) != 28 || !a.ShopsCounted || a.ShopsTotal != 30 {
		t.Fatalf("Connected = %+v", a)
	}
	if a.Shops[0].ID == "" || a.Shops[0].Name == "" || info.Pages < 2 || info.Requests < 3 || info.Status != 200 {
		t.Errorf("shops %+v, %d pages, %d requests, status %d", a.Shops[0], info.Pages, info.Requests, info.Status)
	}
}

// Until a product's API client exists, Connected says so in a sentence naming the product,
// and sends nothing.
func TestConnectedSaysWhatItCantReadYet(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	for _, id := range []ProductID{KSeries, XSeries, RSeries} {
		c := *f.client
		c.Product = id
		p, _ := ProfileOf(id)
		before := f.srv.Stats().APIRequests
		_, err := c.Connected(ctxFor(t))
		if !problem.Is(err, problem.KindUnknown) || !strings.Contains(problem.Summary(err), p.Name) || ReadsConnected(id) {
			t.Errorf("%s: %v", id, err)
		}
		if f.srv.Stats().APIRequests != before {
			t.Errorf("%s: a request was sent", id)
		}
	}
	if !ReadsConnected(OSeries) || !ReadsConnected("") {
		t.Error("O-Series must be readable")
	}
}

// ExpandKnown fills what it knows and leaves the rest for later, still refusing a value that
// isn't one name.
func TestExpandKnown(t *testing.T) {
	const tmpl = "https://{domain_prefix}.example.com/Account/{account_id}/"
	got, err := ExpandKnown(tmpl, map[string]string{PlaceholderDomainPrefix: "shop1"})
	if err != nil || got != "https://shop1.example.com/Account/{account_id}/" {
		t.Errorf("ExpandKnown = %q, %v", got, err)
	}
	if _, err := ExpandKnown(tmpl, map[string]string{PlaceholderAccountID: "1/../x"}); err == nil {
		t.Error("ExpandKnown accepted a path")
	}
}
