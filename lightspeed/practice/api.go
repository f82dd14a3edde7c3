package practice

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// companyJSON is the shape of companies/me.json (the fields the practice server fills).
type companyJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Currency  string `json:"currency"`
	Website   string `json:"website"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// siteJSON is the shape of one element of companies/{id}/sites.json.
type siteJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Code      string `json:"code"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// demoTimestamp is the fixed creation time of every demo record, so replies are stable.
const demoTimestamp = "2021-03-01T09:00:00+11:00"

// api serves everything under /v1/ except the token endpoint.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if s.begin(w, r, &s.apiReqs, &s.apiFaults) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, apiError("method_not_allowed", "Only GET is supported here."))
		return
	}
	rest, isJSON := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/"), ".json")
	if !isJSON && !acceptsJSON(r) {
		writeJSON(w, http.StatusNotAcceptable, apiError("not_acceptable", "Add .json to the path or send Accept: application/json."))
		return
	}
	companyID, ok := s.companyForAccess(bearer(r))
	if !ok {
		writeUnauthorized(w)
		return
	}
	parts := strings.Split(rest, "/")
	switch {
	case len(parts) == 2 && parts[0] == "companies" && parts[1] == "me":
		s.serveMe(w, companyID)
	case len(parts) == 3 && parts[0] == "companies" && parts[2] == "sites":
		s.serveSites(w, r, companyID, parts[1])
	default:
		writeJSON(w, http.StatusNotFound, apiError("not_found", "No such resource."))
	}
}

func (s *Server) serveMe(w http.ResponseWriter, companyID int64) {
	c, _ := s.company(companyID)
	writeJSON(w, http.StatusOK, companyJSON{
		ID: c.ID, Name: c.Name, Currency: "AUD", Website: "",
		CreatedAt: demoTimestamp, UpdatedAt: demoTimestamp,
	})
}

// serveSites answers one page of a company's sites. Pages are chosen with ?page=N (from 1);
// the answer carries X-Page, X-Pages, X-Total-Count and, unless it is the last page,
// a Link header with rel="next".
func (s *Server) serveSites(w http.ResponseWriter, r *http.Request, tokenCompany int64, idText string) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		writeJSON(w, http.StatusNotFound, apiError("not_found", "No such company."))
		return
	}
	c, ok := s.company(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError("not_found", "No such company."))
		return
	}
	if id != tokenCompany {
		writeJSON(w, http.StatusForbidden, apiError("forbidden", "This access token belongs to another company."))
		return
	}
	per := s.cfg.SitesPerPage
	pages := max(1, (len(c.Sites)+per-1)/per)
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	out := []siteJSON{}
	for i := (page - 1) * per; i < min(page*per, len(c.Sites)); i++ {
		st := c.Sites[i]
		out = append(out, siteJSON{ID: st.ID, Name: st.Name, Code: st.Code, CreatedAt: demoTimestamp, UpdatedAt: demoTimestamp})
	}
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Pages", strconv.Itoa(pages))
	h.Set("X-Total-Count", strconv.Itoa(len(c.Sites)))
	if page < pages {
		h.Set("Link", fmt.Sprintf(`<%s>; rel="next"`, pageURL(r, page+1)))
	}
	writeJSON(w, http.StatusOK, out)
}

// pageURL is the absolute address of another page of the request's list.
func pageURL(r *http.Request, page int) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(page))
	return scheme + "://" + r.Host + r.URL.Path + "?" + q.Encode()
}

func acceptsJSON(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for part := range strings.SplitSeq(v, ",") {
			mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
			if strings.EqualFold(strings.TrimSpace(mt), "application/json") {
				return true
			}
		}
	}
	return false
}

func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func apiError(code, desc string) map[string]string {
	return map[string]string{"error": code, "error_description": desc}
}

// setDate sets the Date header from the server's clock, so tests can fake clock skew.
func (s *Server) setDate(w http.ResponseWriter) {
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
}
