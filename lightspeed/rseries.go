package lightspeed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// R-Series (Retail R-Series): what was connected is the account (GET …/API/V3/Account.json:
// accountID, name) and its shops (GET …/API/V3/Account/{accountID}/Shop.json: shopID, name,
// timeZone) (docs/providers.md). A reply holds @attributes and the items under their type's
// name, an array, or a lone object when there is one, or nothing when there are none. Pages
// are followed by @attributes.next, a full address, until it is absent or empty; the older
// form states count, offset and limit instead, and a list that states a count is read on by
// offset until it is reached. Every page asks for the most the API sends (100). A next
// address on another host or scheme is not followed (the access token goes nowhere but the
// API), so such a list fails rather than come back short; so does a page seen before or an
// item seen twice.

// rMaxPageSize is the most items an R-Series page holds.
const rMaxPageSize = 100

// rAttributes is a reply's @attributes; the API writes numbers as strings.
type rAttributes struct {
	Next  flexString `json:"next"`
	Count *flexID    `json:"count"`
}

type rAccount struct {
	AccountID flexString `json:"accountID"`
	Name      flexString `json:"name"`
}

type rShop struct {
	ShopID   flexString `json:"shopID"`
	Name     flexString `json:"name"`
	TimeZone flexString `json:"timeZone"`
}

// rRoot is the API root ".../API/V3/" of the client's base, which may be the root itself or
// an account's address ".../API/V3/Account/{id}/".
func (c *Client) rRoot() string {
	base := c.base()
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if i := strings.LastIndex(u.Path, "/Account/"); i >= 0 {
		u.Path, u.RawPath = u.Path[:i+1], ""
	}
	return u.String()
}

// rAccounts reads the accounts the token reaches, each with every shop.
func (c *Client) rAccounts(ctx context.Context, info *CallInfo) ([]Account, error) {
	root := c.rRoot()
	var accounts []Account
	seen := map[string]bool{}
	err := c.rList(ctx, root+"Account.json", "Account", info, func(raw json.RawMessage) error {
		a, id, err := rUnique(raw, "Account", "accountID", func(a rAccount) flexString { return a.AccountID }, seen)
		if err == nil {
			accounts = append(accounts, Account{ID: id, Name: string(a.Name)})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range accounts {
		shops, err := c.rShops(ctx, root, accounts[i].ID, info)
		if err != nil {
			return nil, err
		}
		accounts[i].Shops = shops
	}
	return accounts, nil
}

// rShops reads every shop of an account.
func (c *Client) rShops(ctx context.Context, root, accountID string, info *CallInfo) ([]Shop, error) {
	shops := []Shop{}
	seen := map[string]bool{}
	address := root + "Account/" + url.PathEscape(accountID) + "/Shop.json"
	err := c.rList(ctx, address, "Shop", info, func(raw json.RawMessage) error {
		sh, id, err := rUnique(raw, "Shop", "shopID", func(s rShop) flexString { return s.ShopID }, seen)
		if err == nil {
			shops = append(shops, Shop{ID: id, Name: string(sh.Name), TimeZone: string(sh.TimeZone)})
		}
		return err
	})
	return shops, err
}

// rUnique reads one item of kind (an object), whose ID (the member idName) must be there and
// not seen before on the list.
func rUnique[T any](raw json.RawMessage, kind, idName string, idOf func(T) flexString, seen map[string]bool) (T, string, error) {
	var item T
	if err := json.Unmarshal(raw, &item); err != nil {
		return item, "", fmt.Errorf("the reply has the wrong shape: a %s is not an object", kind)
	}
	id := string(idOf(item))
	switch {
	case id == "":
		return item, "", fmt.Errorf("the reply has the wrong shape: a %s has no %s", kind, idName)
	case seen[id]:
		return item, "", fmt.Errorf("%s %s appears twice: the server did not send the page asked for", kind, safeDetail(id))
	}
	seen[id] = true
	return item, id, nil
}

// rList reads every page of an R-Series list starting at first and hands each item under key
// to each, in order.
func (c *Client) rList(ctx context.Context, first, key string, info *CallInfo, each func(json.RawMessage) error) error {
	address := withQuery(first, url.Values{"limit": {strconv.Itoa(rMaxPageSize)}})
	visited := map[string]bool{}
	got := 0
	for page := 0; ; page++ {
		if page >= c.maxPages() {
			return badReply(info.Status, pathOf(first), fmt.Sprintf("the list has more than %d pages", c.maxPages()), nil)
		}
		visited[address] = true
		var raw map[string]json.RawMessage
		if _, err := c.getJSON(ctx, address, -1, &raw, info); err != nil {
			return listStopped(err, page, got, strings.ToLower(key)+"s")
		}
		info.Pages++
		items, err := rItems(raw[key])
		if err != nil {
			return badReply(info.Status, pathOf(first), err.Error(), nil)
		}
		for _, it := range items {
			if err := each(it); err != nil {
				return badReply(info.Status, pathOf(first), err.Error(), nil)
			}
		}
		got += len(items)
		var attrs rAttributes
		if a, ok := raw["@attributes"]; ok {
			if err := json.Unmarshal(a, &attrs); err != nil {
				return badReply(info.Status, pathOf(first), "the reply has the wrong shape: @attributes", err)
			}
		}
		next, err := rNext(address, first, attrs, got, len(items))
		if err != nil {
			return badReply(info.Status, pathOf(first), err.Error(), nil)
		}
		if next == "" {
			return nil
		}
		if visited[next] {
			return badReply(info.Status, pathOf(first), fmt.Sprintf("page %d sends the list back to a page already read", page+1), nil)
		}
		address = next
	}
}

// rNext is the address of the page after current, or "" when the list is whole.
func rNext(current, first string, attrs rAttributes, got, onPage int) (string, error) {
	if next := strings.TrimSpace(string(attrs.Next)); next != "" {
		cur, _ := url.Parse(current)
		ref, err := url.Parse(next)
		if err != nil {
			return "", fmt.Errorf("the next page's address can't be read")
		}
		abs := cur.ResolveReference(ref)
		if !strings.EqualFold(abs.Scheme, cur.Scheme) || !strings.EqualFold(abs.Host, cur.Host) {
			return "", fmt.Errorf("the next page is on %s://%s, not the API's host; it was not followed", abs.Scheme, abs.Host)
		}
		return abs.String(), nil
	}
	if attrs.Count == nil || got >= int(*attrs.Count) {
		return "", nil
	}
	// The older form: a count and no next address. Read on by offset.
	if onPage == 0 {
		return "", fmt.Errorf("the list says %d items, but a page held none after %d", int64(*attrs.Count), got)
	}
	return withQuery(first, url.Values{"limit": {strconv.Itoa(rMaxPageSize)}, "offset": {strconv.Itoa(got)}}), nil
}

// rItems reads the items under a type's name: an array, a lone object, or nothing (absent,
// null or "").
func rItems(raw json.RawMessage) ([]json.RawMessage, error) {
	b := bytes.TrimSpace(raw)
	switch {
	case len(b) == 0 || string(b) == "null" || string(b) == `""`:
		return nil, nil
	case b[0] == '{':
		return []json.RawMessage{b}, nil
	case b[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, fmt.Errorf("the reply has the wrong shape: the list can't be read")
		}
		return items, nil
	}
	return nil, fmt.Errorf("the reply has the wrong shape: the list is neither an array nor an object")
}
