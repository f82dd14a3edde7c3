package practice

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// R-Series "what was connected": GET /API/V3/Account.json and
// GET /API/V3/Account/{accountID}/Shop.json (docs/providers.md, R-Series). Ids and numbers
// come as strings; a list of one comes as an object, not an array; a list is followed by
// @attributes.next, a full address, until it is empty.

// rMaxLimit is the most objects one R-Series page holds.
const rMaxLimit = 100

type rAccountJSON struct {
	AccountID string `json:"accountID"`
	Name      string `json:"name"`
}

type rShopJSON struct {
	ShopID   string `json:"shopID"`
	Name     string `json:"name"`
	TimeZone string `json:"timeZone"`
	Archived string `json:"archived"`
}

// rError is an R-Series error object (its real shape for a refused token is unknown).
func rError(status int, title, message string) map[string]string {
	return map[string]string{"httpCode": strconv.Itoa(status), "httpMessage": title, "message": message, "errorClass": "Exception"}
}

// rAPI serves /API/V3/: Account.json and Account/{id}/Shop.json.
func (s *Server) rAPI(w http.ResponseWriter, r *http.Request) {
	if s.begin(w, r, &s.apiReqs, &s.apiFaults) {
		return
	}
	if !allowGet(w, r) {
		return
	}
	rest, isJSON := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/API/V3/"), ".json")
	if !isJSON {
		writeJSON(w, http.StatusNotFound, rError(http.StatusNotFound, "Not Found", "Ask for .json (this practice server speaks no XML)."))
		return
	}
	g, why := s.accessFor(bearer(r))
	if why != "" {
		s.writeRefused(w, why)
		return
	}
	if s.overBucketR(w, g.companyID) {
		return
	}
	c, _ := s.company(g.companyID)
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 1 && parts[0] == "Account":
		writeJSON(w, http.StatusOK, map[string]any{
			"@attributes": map[string]string{"count": "1", "offset": "0", "limit": strconv.Itoa(rMaxLimit)},
			"Account":     rAccountJSON{AccountID: strconv.FormatInt(c.ID, 10), Name: c.Name},
		})
	case len(parts) == 3 && parts[0] == "Account" && parts[2] == "Shop":
		if parts[1] != strconv.FormatInt(c.ID, 10) {
			writeJSON(w, http.StatusForbidden, rError(http.StatusForbidden, "Forbidden", "The access token is not for this account."))
			return
		}
		s.rShops(w, r, c)
	default:
		writeJSON(w, http.StatusNotFound, rError(http.StatusNotFound, "Not Found", "No such resource."))
	}
}

// rShops answers one page of an account's shops: limit of them (Config.SitesPerPage if not
// given, at most rMaxLimit) after the cursor in `after`, with @attributes.next the next page's
// full address, "" on the last.
func (s *Server) rShops(w http.ResponseWriter, r *http.Request, c Company) {
	limit, ok := queryInt(r, "limit", s.cfg.SitesPerPage, 1)
	if !ok {
		writeJSON(w, http.StatusBadRequest, rError(http.StatusBadRequest, "Bad Request", "limit is a whole number from 1."))
		return
	}
	limit = min(limit, rMaxLimit)
	shops := s.visibleSites(c)
	start := 0
	if cursor := r.URL.Query().Get("after"); cursor != "" {
		s.nextReqs.Add(1)
		if start, ok = rCursorStart(cursor, shops); !ok {
			writeJSON(w, http.StatusBadRequest, rError(http.StatusBadRequest, "Bad Request", "The after cursor is not valid."))
			return
		}
	}
	end := start + min(limit, len(shops)-start)
	next := ""
	if end < len(shops) {
		q := url.Values{"limit": {strconv.Itoa(limit)}, "after": {rCursor(shops[end-1].ID)}}
		next = issuerOf(r) + r.URL.Path + "?" + q.Encode()
	}
	reply := map[string]any{"@attributes": map[string]string{"next": next, "previous": ""}}
	var page []rShopJSON
	for _, st := range shops[start:end] {
		page = append(page, rShopJSON{ShopID: strconv.FormatInt(st.ID, 10), Name: st.Name, TimeZone: "Australia/Sydney", Archived: "false"})
	}
	switch len(page) {
	case 0: // no Shop at all
	case 1:
		reply["Shop"] = page[0]
	default:
		reply["Shop"] = page
	}
	writeJSON(w, http.StatusOK, reply)
}

// rCursor is the opaque cursor of the page after the shop with this ID.
func rCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("shop:" + strconv.FormatInt(id, 10)))
}

// rCursorStart is where the page after cursor starts in shops.
func rCursorStart(cursor string, shops []Site) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return 0, false
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(string(b), "shop:"), 10, 64)
	if err != nil {
		return 0, false
	}
	for i, st := range shops {
		if st.ID == id {
			return i + 1, true
		}
	}
	return 0, false
}
