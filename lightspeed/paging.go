package lightspeed

import (
	"context"
	"fmt"
	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// sites reads every page of companies/{id}/sites.json.
//
// Page n (from 0) is asked for with the X-Page header. When a reply carries X-Next-Page, that
// full address is followed for the next page (still with X-Page, which names the same page);
// otherwise the client asks for X-Page n+1 while n+1 < X-Pages. A reply without X-Pages is
// taken as the only page unless it is full (PageSize items or more), in which case the next
// page is asked for too, until a short or empty one: a server that leaves X-Pages out never
// makes the list silently short. A site seen twice means the server ignored the page asked
// for, and is an error rather than a list with duplicates.
func (c *Client) sites(ctx context.Context, companyID int64, info *CallInfo) ([]Site, error) {
	list := fmt.Sprintf("%scompanies/%d/sites.json", c.base(), companyID)
	all := []Site{}
	seen := map[int64]bool{}
	pages := -1 // X-Pages from the replies; -1 until one says
	address := list
	for page := 0; ; page++ {
		if page >= c.maxPages() {
			return nil, badReply(info.Status, pathOf(list), fmt.Sprintf("the list has more than %d pages", c.maxPages()), nil)
		}
		var raw []siteJSON
		h, err := c.getJSON(ctx, address, page, &raw, info)
		if err != nil {
			if pages > page || page > 0 {
				return nil, shortList(err, page, pages, len(all), "sites")
			}
			return nil, err
		}
		info.Pages++
		for _, s := range raw {
			switch {
			case s.ID <= 0:
				return nil, badReply(info.Status, pathOf(address), "the reply has the wrong shape: a site has no id", nil)
			case s.CompanyID != 0 && int64(s.CompanyID) != companyID:
				return nil, badReply(info.Status, pathOf(address), fmt.Sprintf("the list holds a site of company %d", int64(s.CompanyID)), nil)
			case seen[int64(s.ID)]:
				return nil, badReply(info.Status, pathOf(address), fmt.Sprintf("page %d repeats site %d: the server did not send the page asked for", page, int64(s.ID)), nil)
			}
			seen[int64(s.ID)] = true
			all = append(all, Site{ID: int64(s.ID), Name: s.Name, Code: string(s.Code), CompanyID: int64(s.CompanyID)})
		}
		if n, ok := headerInt(h, "X-Pages"); ok {
			pages = n
		}
		next, err := c.followAddress(address, h)
		if err != nil {
			return nil, err
		}
		switch {
		case next != "":
			address = next
		case pages >= 0 && page+1 < pages:
			address = list
		case pages < 0 && len(raw) >= PageSize:
			address = list
		default:
			return all, nil
		}
	}
}

// shortList explains a list that stopped before its last page (pages: how many the replies
// promised, -1 when unknown; what: the items, in the product's words).
func shortList(err error, page, pages, got int, what string) error {
	p := problem.As(err)
	if p == nil {
		return err
	}
	of := "more pages"
	if pages > 0 {
		of = fmt.Sprintf("%d pages", pages)
	}
	out := *p
	out.Detail = strings.TrimSpace(fmt.Sprintf("%s (page %d of %s could not be read after %d %s; nothing was kept)", p.Detail, page+1, of, got, what))
	return &out
}

// listStopped is shortList for a list whose length no reply states: a failure on the first
// page is returned as it is, a later one says how far the list got.
func listStopped(err error, page, got int, what string) error {
	if page == 0 {
		return err
	}
	return shortList(err, page, -1, got, what)
}

// followAddress returns the absolute next-page address a reply names in X-Next-Page (a full
// address), or "". Lightspeed sends no Link header, so none is read. An address
// the client won't use is ignored and the X-Page walk goes on instead, so the list is still
// whole: one on another host or scheme (the access token is sent nowhere but the API; a
// proxy that writes http:// addresses for an https API is common), an unreadable one, the
// same page again, or a bare page number.
func (c *Client) followAddress(current string, h http.Header) (string, error) {
	next := strings.TrimSpace(h.Get("X-Next-Page"))
	if next == "" {
		return "", nil
	}
	cur, err := url.Parse(current)
	if err != nil {
		return "", fmt.Errorf("could not read the page address: %w", err)
	}
	if _, isNumber := headerInt(http.Header{"N": {next}}, "N"); isNumber {
		return "", nil
	}
	ref, err := url.Parse(next)
	if err != nil {
		return "", nil
	}
	abs := cur.ResolveReference(ref)
	if !strings.EqualFold(abs.Scheme, cur.Scheme) || !strings.EqualFold(abs.Host, cur.Host) || abs.String() == cur.String() {
		return "", nil
	}
	return abs.String(), nil
}

// headerInt reads a header holding a whole number >= 0.
func headerInt(h http.Header, name string) (int, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// withQuery is address with q's parameters set: how K-, X- and R-Series lists ask for a page.
func withQuery(address string, q url.Values) string {
	u, err := url.Parse(address)
	if err != nil {
		return address
	}
	v := u.Query()
	for k, vals := range q {
		v[k] = vals
	}
	u.RawQuery = v.Encode()
	return u.String()
}
