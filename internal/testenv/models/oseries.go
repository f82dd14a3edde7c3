package models

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// O-Series (docs/providers.md): consent at /authorize with no scope; token at /v1/token.json
// with the client in the form body; companies/me.json and companies/{id}/sites.json paged by
// the X-Page request header from 0, 25 a page, with X-Pages and X-Next-Page; a refused token
// is 401 invalid_token. The reported limit (about 180 a minute per token) is enforced with a
// bare 429, the strictest of the answers recorded.

const (
	oPageSize  = 25
	oPerMinute = 180
)

func (m *Model) routesO(mux *http.ServeMux) {
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) { m.authorize(w, r, false, nil, false) })
	mux.HandleFunc("/v1/token.json", func(w http.ResponseWriter, r *http.Request) {
		form, ok := postForm(w, r)
		if !ok || !m.bodyCredentials(w, r, form) {
			return
		}
		if reply, _, ok := m.grantTokens(w, form, ""); ok {
			reply["scope"] = nil
			writeJSON(w, http.StatusOK, reply)
		}
	})
	mux.HandleFunc("GET /v1/companies/me.json", func(w http.ResponseWriter, r *http.Request) {
		g, ok := m.apiO(w, r)
		if !ok {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"id": businessID(g.business), "id_str": strconv.FormatInt(businessID(g.business), 10),
			"name": BusinessName(g.business), "sites": map[string]any{"count": m.opts.Shops},
		})
	})
	mux.HandleFunc("GET /v1/companies/{id}/sites.json", func(w http.ResponseWriter, r *http.Request) {
		g, ok := m.apiO(w, r)
		if !ok {
			return
		}
		if r.PathValue("id") != strconv.FormatInt(businessID(g.business), 10) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden"})
			return
		}
		page, err := strconv.Atoi(strings.TrimSpace(r.Header.Get("X-Page")))
		if r.Header.Get("X-Page") == "" {
			page, err = 0, nil
		}
		if err != nil || page < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		pages := max(1, (m.opts.Shops+oPageSize-1)/oPageSize)
		items := []map[string]any{}
		for j := page * oPageSize; j < min((page+1)*oPageSize, m.opts.Shops); j++ {
			items = append(items, map[string]any{"company_id": businessID(g.business), "id": shopID(g.business, j), "name": ShopName(g.business, j), "code": nil})
		}
		w.Header().Set("X-Pages", strconv.Itoa(pages))
		if page+1 < pages {
			// The next page's full address. It names no page of its own here: a client that
			// follows it must still send X-Page, which is what pages.
			w.Header().Set("X-Next-Page", m.URL+r.URL.Path)
		}
		writeJSON(w, http.StatusOK, items)
	})
}

// apiO checks an O-Series API call's token and limit; it writes the refusal.
func (m *Model) apiO(w http.ResponseWriter, r *http.Request) (*grant, bool) {
	m.apiN.Add(1)
	g := m.bearer(r)
	if g == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": "The access token provided is invalid"})
		return nil, false
	}
	if n, _ := m.count("o:"+r.Header.Get("Authorization"), time.Minute); n > oPerMinute {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "rate_limited"})
		return nil, false
	}
	return g, true
}
