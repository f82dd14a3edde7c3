package lightspeed

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
)

// K-Series (Restaurant K-Series): what was connected is GET /f/data/businesses, "all
// businesses the token has access to", each with its locations nested (docs/providers.md).
// The list is paged by page number (page from 0) and size; no total or next address is
// documented, so the client asks for the profile's page size and reads on until a short or
// empty page. A business appears once: one seen again means the server ignored the page
// asked for, and is an error rather than a list with a repeat. A business's locations come
// whole with it, at most 500.

// kLocationCap is how many locations K-Series returns for one business at most.
const kLocationCap = 500

// kPage is one page of /f/data/businesses. Spring's HAL replies leave _embedded out of an
// empty page, so a missing one is an empty page. page.totalElements is not documented; when a
// reply carries it, the list must reach it.
type kPage struct {
	Embedded struct {
		BusinessList []kBusiness `json:"businessList"`
	} `json:"_embedded"`
	Page *struct {
		TotalElements *flexID `json:"totalElements"`
	} `json:"page"`
}

type kBusiness struct {
	BusinessID   flexString  `json:"businessId"`
	BusinessName flexString  `json:"businessName"`
	Locations    []kLocation `json:"businessLocations"`
}

type kLocation struct {
	ID       flexString `json:"blID"`
	Name     flexString `json:"blName"`
	Timezone flexString `json:"timezone"`
}

// kBusinesses reads every page of the businesses the token reaches.
func (c *Client) kBusinesses(ctx context.Context, info *CallInfo) ([]Account, error) {
	size := c.pageSize()
	list := c.base() + "f/data/businesses"
	all := []Account{}
	seen := map[string]bool{}
	total := -1
	for page := 0; ; page++ {
		if page >= c.maxPages() {
			return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("the list has more than %d pages", c.maxPages()), nil)
		}
		address := withQuery(list, url.Values{"page": {strconv.Itoa(page)}, "size": {strconv.Itoa(size)}})
		var raw kPage
		if _, err := c.getJSON(ctx, address, -1, &raw, info); err != nil {
			return nil, listStopped(err, page, len(all), c.words().Companies)
		}
		info.Pages++
		if raw.Page != nil && raw.Page.TotalElements != nil {
			total = int(*raw.Page.TotalElements)
		}
		for _, b := range raw.Embedded.BusinessList {
			a, err := kAccount(b, page, seen)
			if err != nil {
				return nil, badReply(info.Status, pathOf(list), err.Error(), nil)
			}
			all = append(all, a)
		}
		if len(raw.Embedded.BusinessList) < size {
			break
		}
	}
	if total > len(all) {
		return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("the list says %d businesses but its pages held %d", total, len(all)), nil)
	}
	return all, nil
}

// kAccount turns one business into an Account, refusing one without an ID, one seen before
// and a location without an ID or seen twice.
func kAccount(b kBusiness, page int, seen map[string]bool) (Account, error) {
	id := string(b.BusinessID)
	switch {
	case id == "":
		return Account{}, fmt.Errorf("the reply has the wrong shape: a business on page %d has no businessId", page)
	case seen[id]:
		return Account{}, fmt.Errorf("page %d repeats business %s: the server did not send the page asked for", page, safeDetail(id))
	}
	seen[id] = true
	a := Account{ID: id, Name: string(b.BusinessName), Shops: make([]Shop, 0, len(b.Locations))}
	shops := map[string]bool{}
	for _, l := range b.Locations {
		lid := string(l.ID)
		switch {
		case lid == "":
			return Account{}, fmt.Errorf("the reply has the wrong shape: a location of business %s has no blID", safeDetail(id))
		case shops[lid]:
			return Account{}, fmt.Errorf("business %s lists location %s twice", safeDetail(id), safeDetail(lid))
		}
		shops[lid] = true
		a.Shops = append(a.Shops, Shop{ID: lid, Name: string(l.Name), TimeZone: string(l.Timezone)})
	}
	a.ShopsCapped = len(a.Shops) >= kLocationCap
	return a, nil
}
