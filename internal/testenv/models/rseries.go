package models

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// R-Series (docs/providers.md): consent at /auth/oauth/authorize with a required employee:*
// scope, no redirect_uri needed (the code goes to the registered one); token at
// /auth/oauth/token with the client in the body (form or JSON); GET /API/V3/Account.json and
// /API/V3/Account/{accountID}/Shop.json, ids as strings, at most 100 a page, followed by
// @attributes.next until it is empty, a list of one as an object; a leaky bucket of 60 per
// account draining 1 a second, every reply carrying X-LS-API-Bucket-Level and
// X-LS-API-Drip-Rate, a 429 with Retry-After in seconds; a refused token is 401.

var rAllowed = []string{"employee:all", "employee:register", "employee:inventory", "employee:reports"}

const (
	rPageMax = 100
	rBucket  = 60.0
	rDrip    = 1.0
)

func (m *Model) routesR(mux *http.ServeMux) {
	mux.HandleFunc("GET /auth/oauth/authorize", func(w http.ResponseWriter, r *http.Request) { m.authorize(w, r, true, rAllowed, true) })
	mux.HandleFunc("/auth/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		var form url.Values
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && r.Method == http.MethodPost {
			var body map[string]string
			if json.NewDecoder(r.Body).Decode(&body) != nil {
				oauthError(w, http.StatusBadRequest, "invalid_request")
				return
			}
			form = url.Values{}
			for k, v := range body {
				form.Set(k, v)
			}
		} else {
			var ok bool
			if form, ok = postForm(w, r); !ok {
				return
			}
		}
		if !m.bodyCredentials(w, r, form) {
			return
		}
		if reply, g, ok := m.grantTokens(w, form, ""); ok {
			reply["scope"] = g.scope
			writeJSON(w, http.StatusOK, reply)
		}
	})
	mux.HandleFunc("GET /API/V3/Account.json", func(w http.ResponseWriter, r *http.Request) {
		if g, ok := m.apiR(w, r); ok {
			writeJSON(w, http.StatusOK, map[string]any{"@attributes": map[string]string{"count": "1"},
				"Account": map[string]string{"accountID": strconv.FormatInt(businessID(g.business), 10), "name": BusinessName(g.business)}})
		}
	})
	mux.HandleFunc("GET /API/V3/Account/{id}/Shop.json", func(w http.ResponseWriter, r *http.Request) {
		g, ok := m.apiR(w, r)
		if !ok {
			return
		}
		if r.PathValue("id") != strconv.FormatInt(businessID(g.business), 10) {
			writeJSON(w, http.StatusForbidden, map[string]string{"message": "model: not this token's account"})
			return
		}
		limit, err1 := strconv.Atoi(orDefault(r.URL.Query().Get("limit"), strconv.Itoa(rPageMax)))
		from, err2 := strconv.Atoi(orDefault(r.URL.Query().Get("model_from"), "0"))
		if err1 != nil || err2 != nil || limit < 1 || from < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "model: bad limit or cursor"})
			return
		}
		limit = min(limit, rPageMax)
		var shops []map[string]string
		for j := from; j < min(from+limit, m.opts.Shops); j++ {
			shops = append(shops, map[string]string{"shopID": strconv.FormatInt(shopID(g.business, j), 10), "name": ShopName(g.business, j)})
		}
		next := ""
		if from+limit < m.opts.Shops {
			next = m.URL + r.URL.Path + "?" + url.Values{"limit": {strconv.Itoa(limit)}, "model_from": {strconv.Itoa(from + limit)}}.Encode()
		}
		reply := map[string]any{"@attributes": map[string]string{"next": next, "previous": ""}}
		switch len(shops) {
		case 0:
		case 1:
			reply["Shop"] = shops[0]
		default:
			reply["Shop"] = shops
		}
		writeJSON(w, http.StatusOK, reply)
	})
}

// apiR checks an R-Series call's token and pours it into the account's bucket.
func (m *Model) apiR(w http.ResponseWriter, r *http.Request) (*grant, bool) {
	m.apiN.Add(1)
	g := m.bearer(r)
	if g == nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "model: Unauthorized"})
		return nil, false
	}
	level, ok := m.pour("r:"+strconv.Itoa(g.business), 1)
	w.Header().Set("X-LS-API-Bucket-Level", strconv.FormatFloat(math.Round(level*100)/100, 'f', -1, 64)+"/60")
	w.Header().Set("X-LS-API-Drip-Rate", "1")
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil((level+1-rBucket)/rDrip))))
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "model: bucket full"})
		return nil, false
	}
	return g, true
}

// bucket is a leaky bucket's level as of a time.
type bucket struct {
	level float64
	at    time.Time
}

// pour adds cost to key's bucket if it fits, and returns the level.
func (m *Model) pour(key string, cost float64) (float64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets == nil {
		m.buckets = map[string]*bucket{}
	}
	now := time.Now()
	b := m.buckets[key]
	if b == nil {
		b = &bucket{at: now}
		m.buckets[key] = b
	}
	b.level = math.Max(0, b.level-rDrip*now.Sub(b.at).Seconds())
	b.at = now
	if b.level+cost > rBucket {
		return b.level, false
	}
	b.level += cost
	return b.level, true
}
