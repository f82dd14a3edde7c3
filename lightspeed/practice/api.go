package practice

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// companyJSON is the shape of companies/me.json, as Lightspeed sends it.
type companyJSON struct {
	ID             int64         `json:"id"`
	Name           string        `json:"name"`
	ShippingAddr   *struct{}     `json:"shipping_address"`
	Addresses      countJSON     `json:"addresses"`
	BusinessNumber string        `json:"business_number"`
	Website        string        `json:"website"`
	Currency       string        `json:"currency"`
	Timezone       timezoneJSON  `json:"timezone"`
	Sites          countJSON     `json:"sites"`
	Registers      registersJSON `json:"registers"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
}

// countJSON is Lightspeed's summary of a related list: how many, and when it last changed.
type countJSON struct {
	Count     int    `json:"count"`
	UpdatedAt string `json:"updated_at"`
}

type registersJSON struct {
	Count     int    `json:"count"`
	Limit     int    `json:"limit"`
	UpdatedAt string `json:"updated_at"`
}

type timezoneJSON struct {
	Offset string `json:"offset"`
	Name   string `json:"name"`
}

// siteJSON is the shape of one element of companies/{id}/sites.json: abridged, as Lightspeed
// sends lists. A site without a code has "code": null.
type siteJSON struct {
	CompanyID int64   `json:"company_id"`
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Code      *string `json:"code"`
}

// demoTimestamp is the fixed creation time of every demo record, so replies are stable.
const demoTimestamp = "2021-03-01T09:00:00+11:00"

// api serves everything under /v1/ except the token endpoint.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if s.begin(w, r, &s.apiReqs, &s.apiFaults) {
		return
	}
	if !allowGet(w, r) {
		return
	}
	rest, isJSON := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/v1/"), ".json")
	if !isJSON && !acceptsJSON(r) {
		writeJSON(w, http.StatusNotAcceptable, apiError("not_acceptable", "Add .json to the path or send Accept: application/json."))
		return
	}
	token := bearer(r)
	companyID, why := s.companyForAccess(token)
	if why != "" {
		s.writeRefused(w, why)
		return
	}
	if s.overRateLimit(w, token) {
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
		ID: c.ID, Name: c.Name,
		Addresses:      countJSON{Count: 1, UpdatedAt: demoTimestamp},
		BusinessNumber: fmt.Sprintf("%02d %03d %03d %03d", c.ID%89+10, c.ID%997, c.ID%991, c.ID%983),
		Currency:       "AUD",
		Timezone:       timezoneJSON{Offset: "+10:00", Name: "Australia/Sydney"},
		Sites:          countJSON{Count: len(c.Sites), UpdatedAt: demoTimestamp},
		Registers:      registersJSON{Count: len(c.Sites), Limit: len(c.Sites) + 2, UpdatedAt: demoTimestamp},
		CreatedAt:      demoTimestamp, UpdatedAt: demoTimestamp,
	})
}

// nextPageParam is the query parameter of the practice server's X-Next-Page addresses. The
// address is opaque to clients: they follow it as given. It is not a ?page= parameter, which
// nothing supports.
const nextPageParam = "after"

// serveSites answers one page of the sites the token's grantor can see. The page is chosen
// with the X-Page request header, counted from 0 (missing: 0), or by an X-Next-Page address.
// The reply carries X-Page and X-Pages and, unless Config.NoNextPage or on the last page,
// X-Next-Page with the next page's full address. A page past the end is an empty list.
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
	visible := s.visibleSites(c)
	per := s.cfg.SitesPerPage
	pages := max(1, (len(visible)+per-1)/per)
	page, ok := s.requestedPage(r, visible, per)
	if !ok {
		writeJSON(w, http.StatusBadRequest, apiError("invalid_request", "The X-Page header is not a page number."))
		return
	}
	out := []siteJSON{}
	for i := page * per; i < min((page+1)*per, len(visible)); i++ {
		st := visible[i]
		sj := siteJSON{CompanyID: c.ID, ID: st.ID, Name: st.Name}
		if st.Code != "" {
			sj.Code = &st.Code
		}
		out = append(out, sj)
	}
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Pages", strconv.Itoa(pages))
	if !s.cfg.NoNextPage && page+1 < pages {
		h.Set("X-Next-Page", nextPageURL(r, visible[(page+1)*per-1].ID))
	}
	writeJSON(w, http.StatusOK, out)
}

// visibleSites are the company's sites the person who granted access can see: all but the
// last Config.HiddenSites.
func (s *Server) visibleSites(c Company) []Site {
	return c.Sites[:len(c.Sites)-min(s.cfg.HiddenSites, len(c.Sites))]
}

// requestedPage reads which page a list request asks for: an X-Next-Page address (the site
// ID the page starts after) wins over the X-Page header.
func (s *Server) requestedPage(r *http.Request, sites []Site, per int) (int, bool) {
	if after := r.URL.Query().Get(nextPageParam); after != "" {
		s.nextReqs.Add(1)
		id, err := strconv.ParseInt(after, 10, 64)
		if err != nil {
			return 0, false
		}
		for i, st := range sites {
			if st.ID == id {
				return (i + 1) / per, true
			}
		}
		return 0, false
	}
	v := strings.TrimSpace(r.Header.Get("X-Page"))
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

// nextPageURL is the full address of the page after the site with ID after.
func nextPageURL(r *http.Request, after int64) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path + "?" + nextPageParam + "=" + strconv.FormatInt(after, 10)
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
