package practice

import (
	"net/http"
	"slices"
	"strconv"
)

// K-Series "what was connected": GET /f/data/businesses (docs/providers.md, K-Series).

// kLocationCap is the most locations K-Series returns for one business.
const kLocationCap = 500

// kDefaultSize is the page size of /f/data/businesses when the client names none.
const kDefaultSize = 1000

type kBusinessesJSON struct {
	// Embedded is left out of a page with no businesses, as a HAL reply leaves out an empty
	// _embedded: a client must not need it.
	Embedded *kEmbeddedJSON `json:"_embedded,omitempty"`
}

type kEmbeddedJSON struct {
	BusinessList []kBusinessJSON `json:"businessList"`
}

type kBusinessJSON struct {
	BusinessID        int64           `json:"businessId"`
	BusinessName      string          `json:"businessName"`
	CurrencyCode      string          `json:"currencyCode"`
	BusinessLocations []kLocationJSON `json:"businessLocations"`
}

type kLocationJSON struct {
	BLID     int64  `json:"blID"`
	BLName   string `json:"blName"`
	Country  string `json:"country"`
	Timezone string `json:"timezone"`
}

// kBusinesses serves GET /f/data/businesses: the businesses the token may see (the one whose
// owner granted access) with their locations, paged by page (from 0) and size. It needs the
// financial-api scope. There is no total and no next link: a client pages until a short or
// empty page.
func (s *Server) kBusinesses(w http.ResponseWriter, r *http.Request) {
	if s.begin(w, r, &s.apiReqs, &s.apiFaults) {
		return
	}
	if !allowGet(w, r) {
		return
	}
	token := bearer(r)
	g, why := s.accessFor(token)
	if why != "" {
		s.writeRefused(w, why)
		return
	}
	if s.overWindowK(w, token) {
		return
	}
	if !slices.Contains(g.scopes, "financial-api") {
		writeJSON(w, http.StatusForbidden, apiError("insufficient_scope", "The access token lacks the financial-api scope."))
		return
	}
	page, okPage := queryInt(r, "page", 0, 0)
	size, okSize := queryInt(r, "size", kDefaultSize, 1)
	if !okPage || !okSize {
		writeJSON(w, http.StatusBadRequest, apiError("invalid_request", "page is a number from 0 and size a number from 1."))
		return
	}
	c, _ := s.company(g.companyID)
	all := []Company{c}
	var out kBusinessesJSON
	if start, end, ok := pageBounds(page, size, len(all)); ok {
		list := []kBusinessJSON{}
		for _, b := range all[start:end] {
			kb := kBusinessJSON{BusinessID: b.ID, BusinessName: b.Name, CurrencyCode: "AUD", BusinessLocations: []kLocationJSON{}}
			for _, st := range s.visibleSites(b) {
				if len(kb.BusinessLocations) == kLocationCap {
					break
				}
				kb.BusinessLocations = append(kb.BusinessLocations, kLocationJSON{BLID: st.ID, BLName: st.Name, Country: "AU", Timezone: "Australia/Sydney"})
			}
			list = append(list, kb)
		}
		out.Embedded = &kEmbeddedJSON{BusinessList: list}
	}
	writeJSON(w, http.StatusOK, out)
}

// pageBounds is page's slice [start, end) of n items, size a page (page from 0, size from 1),
// safe from overflow; ok is false for a page past the end.
func pageBounds(page, size, n int) (start, end int, ok bool) {
	if page >= n || size >= n && page > 0 {
		return 0, 0, false
	}
	start = page * size // page < n and size < n here (or page is 0): no overflow
	if start >= n {
		return 0, 0, false
	}
	return start, start + min(size, n-start), true
}

// queryInt reads an integer query parameter of at least least, or def when it is absent.
func queryInt(r *http.Request, name string, def, least int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= least
}

// allowGet answers 405 to anything but GET and HEAD and returns false.
func allowGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, apiError("method_not_allowed", "Only GET is supported here."))
	return false
}
