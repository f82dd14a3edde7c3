package practice

import (
	"net/http"
	"slices"
	"strings"
)

// X-Series "what was connected": the store (GET /api/2.0/retailer) and its outlets
// (GET /api/2.0/outlets), per store under /x/{domain_prefix} (docs/providers.md, X-Series).

// xMaxPageSize is the most outlets one page holds, whatever page_size asks (0.x's maximum;
// 2.0's is not stated).
const xMaxPageSize = 200

type xRetailerJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	DomainPrefix string `json:"domain_prefix"`
	Timezone     string `json:"timezone"`
	Currency     string `json:"currency"`
}

type xOutletJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	TimeZone  string  `json:"time_zone"`
	DeletedAt *string `json:"deleted_at"`
	Version   int64   `json:"version"`
}

// xVersionJSON is a page's version range; both null on an empty page.
type xVersionJSON struct {
	Min *int64 `json:"min"`
	Max *int64 `json:"max"`
}

type xOutletsJSON struct {
	Data    []xOutletJSON `json:"data"`
	Version xVersionJSON  `json:"version"`
}

// xError is X-Series' error body: {"error": title, "message": detail}.
func xError(title, message string) map[string]string {
	return map[string]string{"error": title, "message": message}
}

// storeExists reports whether a demo store has this domain prefix.
func (s *Server) storeExists(prefix string) bool {
	if !domainPrefixRE.MatchString(prefix) {
		return false
	}
	for _, c := range s.companies {
		if c.DomainPrefix == prefix {
			return true
		}
	}
	return false
}

// xAPI serves /x/{domain_prefix}/api/2.0/{resource}: retailer and outlets. The access token goes in
// the Authorization header only, and works only at its own store.
func (s *Server) xAPI(w http.ResponseWriter, r *http.Request) {
	if s.begin(w, r, &s.apiReqs, &s.apiFaults) {
		return
	}
	store := r.PathValue("prefix")
	if !s.storeExists(store) {
		writeJSON(w, http.StatusNotFound, xError("Not Found", "No store has this domain prefix."))
		return
	}
	if !allowGet(w, r) {
		return
	}
	if strings.TrimSpace(r.UserAgent()) == "" {
		writeJSON(w, http.StatusBadRequest, xError("Bad Request", "Send a User-Agent header that names the integration."))
		return
	}
	g, why := s.accessFor(bearer(r))
	if why == "" && s.prefixOf(g.companyID) != store {
		why = refusedInvalid // a token of another store is unknown here
	}
	if why != "" {
		s.writeRefused(w, why)
		return
	}
	if s.overWindowX(w, store) {
		return
	}
	c, _ := s.company(g.companyID)
	switch r.PathValue("resource") {
	case "retailer":
		if s.xNeedScope(w, g, "retailer:read") {
			writeJSON(w, http.StatusOK, map[string]xRetailerJSON{"data": {
				ID: uuidOf(c.ID), Name: c.Name, DomainPrefix: c.DomainPrefix, Timezone: "Australia/Sydney", Currency: "AUD",
			}})
		}
	case "outlets":
		if s.xNeedScope(w, g, "outlets:read") {
			s.xOutlets(w, r, c)
		}
	default:
		writeJSON(w, http.StatusNotFound, xError("Not Found", "No such resource."))
	}
}

// xNeedScope answers 403 and returns false when the token lacks scope.
func (s *Server) xNeedScope(w http.ResponseWriter, g accessGrant, scope string) bool {
	if slices.Contains(g.scopes, scope) {
		return true
	}
	writeJSON(w, http.StatusForbidden, xError("Forbidden", "The access token lacks the "+scope+" scope."))
	return false
}

// xDeletedOutlet is the name of each store's one deleted outlet, listed only with deleted=true.
const xDeletedOutlet = "Closed Pop-up"

// xOutlets answers one page of a store's outlets by version: those after `after` (and before
// `before`, if given), oldest version first (the list is built in version order), page_size of them (Config.SitesPerPage if not
// given, at most xMaxPageSize). The next page is after=version.max; an empty data (version
// null) ends the list.
func (s *Server) xOutlets(w http.ResponseWriter, r *http.Request, c Company) {
	after, okAfter := queryInt(r, "after", 0, 0)
	before, okBefore := queryInt(r, "before", 0, 0)
	size, okSize := queryInt(r, "page_size", s.cfg.SitesPerPage, 1)
	if !okAfter || !okBefore || !okSize {
		writeJSON(w, http.StatusBadRequest, xError("Bad Request", "after, before and page_size are whole numbers."))
		return
	}
	if after > 0 {
		s.nextReqs.Add(1)
	}
	size = min(size, xMaxPageSize)
	var all []xOutletJSON
	for i, st := range s.visibleSites(c) {
		all = append(all, xOutletJSON{ID: uuidOf(st.ID), Name: st.Name, TimeZone: "Australia/Sydney", Version: xVersion(i)})
	}
	if r.URL.Query().Get("deleted") == "true" {
		deleted := demoTimestamp
		all = append(all, xOutletJSON{ID: uuidOf(c.ID*1000 + 999), Name: xDeletedOutlet, TimeZone: "Australia/Sydney",
			DeletedAt: &deleted, Version: xVersion(len(c.Sites))})
	}
	page := xOutletsJSON{Data: []xOutletJSON{}}
	for _, o := range all {
		if o.Version > int64(after) && (before == 0 || o.Version < int64(before)) && len(page.Data) < size {
			page.Data = append(page.Data, o)
		}
	}
	if n := len(page.Data); n > 0 {
		lo, hi := page.Data[0].Version, page.Data[n-1].Version
		page.Version = xVersionJSON{Min: &lo, Max: &hi}
	}
	writeJSON(w, http.StatusOK, page)
}

// xVersion is the version of a store's i-th outlet: increasing, with gaps, as versions are
// shared with every other change in the store.
func xVersion(i int) int64 { return 1000 + 37*int64(i) }
