package models

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// K-Series (docs/providers.md): consent at the Keycloak realm with a required scope from the
// integration's list; token at the realm with the client only as HTTP Basic (a secret in the
// body is refused); replies carry scope and refresh_expires_in (0 with offline_access); the
// token sees every business of the person who approved; GET /f/data/businesses pages by page
// (from 0) and size (default 1000), gives no total, and needs the financial-api scope; at most
// 500 locations a business; a refused token is 401.

var kAllowed = []string{"orders-api", "financial-api", "items", "staff-api", "propertymanagement", "reservations-api", "offline_access"}

const (
	kSizeDefault  = 1000
	kLocationsMax = 500
	kRefreshLife  = 14 * 24 * 3600
)

func (m *Model) routesK(mux *http.ServeMux) {
	mux.HandleFunc("GET /realms/k-series/protocol/openid-connect/auth", func(w http.ResponseWriter, r *http.Request) {
		m.authorize(w, r, true, kAllowed, false)
	})
	mux.HandleFunc("/realms/k-series/protocol/openid-connect/token", func(w http.ResponseWriter, r *http.Request) {
		form, ok := postForm(w, r)
		if !ok {
			return
		}
		id, secret, basic := r.BasicAuth()
		if !basic || form.Get("client_secret") != "" || id != m.ClientID || secret != m.ClientSecret {
			w.Header().Set("WWW-Authenticate", `Basic realm="k-series"`)
			oauthError(w, http.StatusUnauthorized, "invalid_client")
			return
		}
		reply, g, ok := m.grantTokens(w, form, "")
		if !ok {
			return
		}
		reply["scope"] = g.scope
		reply["refresh_expires_in"] = kRefreshLife
		if slices.Contains(strings.Fields(g.scope), "offline_access") {
			reply["refresh_expires_in"] = 0
		}
		writeJSON(w, http.StatusOK, reply)
	})
	mux.HandleFunc("GET /f/data/businesses", func(w http.ResponseWriter, r *http.Request) {
		m.apiN.Add(1)
		g := m.bearer(r)
		if g == nil {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
			return
		}
		if !slices.Contains(strings.Fields(g.scope), "financial-api") {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope"})
			return
		}
		page, errP := intParam(r, "page", 0)
		size, errS := intParam(r, "size", kSizeDefault)
		if errP || errS || page < 0 || size < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		list := []map[string]any{}
		for i := page * size; i < min(m.opts.Businesses, (page+1)*size) && i >= 0; i++ {
			locations := []map[string]any{}
			for j := range min(m.opts.Shops, kLocationsMax) {
				locations = append(locations, map[string]any{"blID": shopID(i, j), "blName": ShopName(i, j), "country": "AU", "timezone": "Australia/Sydney"})
			}
			list = append(list, map[string]any{"businessId": businessID(i), "businessName": BusinessName(i), "currencyCode": "AUD", "businessLocations": locations})
		}
		writeJSON(w, http.StatusOK, map[string]any{"_embedded": map[string]any{"businessList": list}})
	})
}

// intParam reads an integer query parameter; bad is true when it is there and not a number.
func intParam(r *http.Request, name string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, false
	}
	n, err := strconv.Atoi(v)
	return n, err != nil || n > 1<<20
}
