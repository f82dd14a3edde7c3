package models

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// X-Series (docs/providers.md): consent at /connect, scope optional but only from the
// integration's list, the answer carrying domain_prefix; the token address is per store
// (https://{domain_prefix}.retail.lightspeed.app/api/1.0/token, here /x/{domain_prefix}/…),
// the client in the form body only; replies carry domain_prefix, expires and scope; the API is
// per store, the token in the Authorization header only: GET retailer and GET outlets, paged by
// after = the previous version.max until an empty data; 350 requests in 5 minutes per store,
// every reply carrying X-RateLimit-Limit and X-RateLimit-Remaining, a 429 with Retry-After as
// an HTTP date; a refused token is 401 (status inferred), body {"error","message"}.

var xAllowed = []string{"retailer:read", "outlets:read", "payment_types:read", "products:read", "sales:read"}

const (
	xPageDefault = 50
	xPageMax     = 200
	xLimit       = 350
	xWindow      = 5 * time.Minute
)

func (m *Model) routesX(mux *http.ServeMux) {
	mux.HandleFunc("GET /connect", func(w http.ResponseWriter, r *http.Request) { m.authorize(w, r, false, xAllowed, false) })
	mux.HandleFunc("/x/{store}/api/1.0/token", func(w http.ResponseWriter, r *http.Request) {
		store := r.PathValue("store")
		if !m.storeKnown(store) {
			http.NotFound(w, r)
			return
		}
		form, ok := postForm(w, r)
		if !ok || !m.bodyCredentials(w, r, form) {
			return
		}
		reply, g, ok := m.grantTokens(w, form, store)
		if !ok {
			return
		}
		reply["domain_prefix"] = DomainPrefix(g.business)
		reply["scope"] = g.scope
		reply["expires"] = time.Now().Add(m.opts.AccessTTL).Unix()
		writeJSON(w, http.StatusOK, reply)
	})
	mux.HandleFunc("GET /x/{store}/api/2.0/{what}", func(w http.ResponseWriter, r *http.Request) {
		m.apiN.Add(1)
		store := r.PathValue("store")
		if !m.storeKnown(store) {
			http.NotFound(w, r)
			return
		}
		g := m.bearer(r)
		if g == nil || DomainPrefix(g.business) != store {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "Unauthorized", "message": "model: the token is not accepted"})
			return
		}
		n, reset := m.count("x:"+store, xWindow)
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(xLimit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(0, xLimit-n)))
		if n > xLimit {
			w.Header().Set("Retry-After", reset.UTC().Format(http.TimeFormat))
			writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "Too Many Requests", "message": "Rate limiting enforced"})
			return
		}
		scopes := map[string]string{"retailer": "retailer:read", "outlets": "outlets:read"}
		need, known := scopes[r.PathValue("what")]
		if !known {
			http.NotFound(w, r)
			return
		}
		if !slices.Contains(strings.Fields(g.scope), need) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "Forbidden", "message": "model: missing scope " + need})
			return
		}
		if need == "retailer:read" {
			writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
				"id": xUUID(businessID(g.business)), "name": BusinessName(g.business), "domain_prefix": store, "timezone": "Pacific/Auckland"}})
			return
		}
		m.xOutlets(w, r.URL.Query(), g.business)
	})
}

func (m *Model) storeKnown(store string) bool {
	for i := range m.opts.Businesses {
		if DomainPrefix(i) == store {
			return true
		}
	}
	return false
}

// xOutlets answers the outlets whose version is above after, page_size of them.
func (m *Model) xOutlets(w http.ResponseWriter, q url.Values, business int) {
	after, err1 := strconv.ParseInt(orDefault(q.Get("after"), "0"), 10, 64)
	size, err2 := strconv.Atoi(orDefault(q.Get("page_size"), strconv.Itoa(xPageDefault)))
	if err1 != nil || err2 != nil || after < 0 || size < 1 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "Bad Request", "message": "model: after and page_size are numbers"})
		return
	}
	size = min(size, xPageMax)
	data := []map[string]any{}
	var lo, hi any
	for j := range m.opts.Shops {
		v := int64(500 + j + 5*(j/7)) // versions rise one by one, with a gap every seventh
		if v <= after || len(data) == size {
			continue
		}
		if lo == nil {
			lo = v
		}
		hi = v
		data = append(data, map[string]any{"id": xUUID(shopID(business, j)), "name": ShopName(business, j), "time_zone": "Pacific/Auckland", "deleted_at": nil, "version": v})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "version": map[string]any{"min": lo, "max": hi}})
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// xUUID is a stable UUID-shaped id.
func xUUID(n int64) string {
	s := strconv.FormatInt(n, 16)
	for len(s) < 12 {
		s = "0" + s
	}
	return "0b5e1d2c-7a11-4c0d-9e3f-" + s
}
