package lightspeed

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
)

// X-Series (Retail X-Series, formerly Vend): the API is the store's own,
// https://{domain_prefix}.retail.lightspeed.app/api/2.0/ (docs/providers.md). What was
// connected is the store (GET retailer: data.id, data.name, data.domain_prefix) and its
// outlets (GET outlets). Lists are paged by version: ask with after (0 first) and page_size;
// the reply holds data and version {min, max}; the next page starts after version.max; an
// empty data ends the list. A cursor that doesn't move on, or a page with items and no
// version, would loop or cut the list short, so both are errors, as is an outlet seen twice.
// Deleted outlets are not asked for (deleted=true is off by default); one sent anyway is not a
// shop and is left out.

// xRetailer is the reply of GET retailer.
type xRetailer struct {
	Data *struct {
		ID           flexString `json:"id"`
		Name         flexString `json:"name"`
		DomainPrefix flexString `json:"domain_prefix"`
		TimeZone     flexString `json:"time_zone"`
	} `json:"data"`
}

// xOutlets is one page of GET outlets.
type xOutlets struct {
	Data []struct {
		ID        flexString `json:"id"`
		Name      flexString `json:"name"`
		TimeZone  flexString `json:"time_zone"`
		DeletedAt flexString `json:"deleted_at"`
	} `json:"data"`
	Version *struct {
		Max *flexID `json:"max"`
	} `json:"version"`
}

// xStore reads the store and every outlet.
func (c *Client) xStore(ctx context.Context, info *CallInfo) ([]Account, error) {
	base := c.base()
	if names := Placeholders(base); len(names) > 0 {
		return nil, problem.New(problem.KindUsage, sayNoStore, nil).
			WithDetail("the API address still holds {%s}", safeDetail(strings.Join(names, "}, {")))
	}
	var r xRetailer
	address := base + "retailer"
	if _, err := c.getJSON(ctx, address, -1, &r, info); err != nil {
		return nil, err
	}
	if r.Data == nil || r.Data.ID == "" {
		return nil, badReply(info.Status, pathOf(address), "the reply has the wrong shape: the retailer has no id", nil)
	}
	a := Account{ID: string(r.Data.ID), Name: string(r.Data.Name), DomainPrefix: strings.ToLower(string(r.Data.DomainPrefix))}
	shops, err := c.xOutlets(ctx, base+"outlets", info)
	if err != nil {
		return nil, err
	}
	a.Shops = shops
	return []Account{a}, nil
}

// xOutlets reads every page of the outlets.
func (c *Client) xOutlets(ctx context.Context, list string, info *CallInfo) ([]Shop, error) {
	size := strconv.Itoa(c.pageSize())
	all := []Shop{}
	seen := map[string]bool{}
	var after int64
	for page := 0; ; page++ {
		if page >= c.maxPages() {
			return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("the list has more than %d pages", c.maxPages()), nil)
		}
		address := withQuery(list, url.Values{"after": {strconv.FormatInt(after, 10)}, "page_size": {size}})
		var raw xOutlets
		if _, err := c.getJSON(ctx, address, -1, &raw, info); err != nil {
			return nil, listStopped(err, page, len(all), c.words().Shops)
		}
		info.Pages++
		if len(raw.Data) == 0 {
			return all, nil
		}
		for _, o := range raw.Data {
			id := string(o.ID)
			switch {
			case id == "":
				return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("the reply has the wrong shape: an outlet on page %d has no id", page+1), nil)
			case seen[id]:
				return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("page %d repeats outlet %s: the server did not send the page asked for", page+1, safeDetail(id)), nil)
			}
			seen[id] = true
			if o.DeletedAt != "" {
				continue
			}
			all = append(all, Shop{ID: id, Name: string(o.Name), TimeZone: string(o.TimeZone)})
		}
		switch {
		case raw.Version == nil || raw.Version.Max == nil:
			return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("page %d has outlets but no version.max to read on from", page+1), nil)
		case int64(*raw.Version.Max) <= after:
			return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("page %d ends at version %d, not after %d: the list would not move on", page+1, int64(*raw.Version.Max), after), nil)
		}
		after = int64(*raw.Version.Max)
	}
}
