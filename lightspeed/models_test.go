package lightspeed

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Models of K-, X- and R-Series' "what was connected", written from docs/providers.md and
// apart from the practice server: each accepts one access token, pages as the product does,
// and can be told to misbehave. They are as strict as the record: a request without the
// parameters the product documents is refused.

// rotatingTokens hands out "token-N"; a forced call moves to the next one, as a refresh does.
type rotatingTokens struct {
	mu     sync.Mutex
	n      int
	forced int
}

func (r *rotatingTokens) AccessToken(_ context.Context, force bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if force {
		r.n++
		r.forced++
	}
	return "token-" + strconv.Itoa(r.n), nil
}

func (r *rotatingTokens) forcedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forced
}

// model is what the three share: the accepted token, the requests seen, faults to inject.
type model struct {
	clock *fakeClock
	srv   *httptest.Server

	mu       sync.Mutex
	valid    string                            // the one access token accepted
	seen     []*url.URL                        // every request's address, refused ones included
	refused  int                               // 401s sent
	limited  int                               // 429s sent
	faults   map[int]func(http.ResponseWriter) // by request number, from 1
	requests int
	// before, when set, sees every request first, refused ones included, and answers it
	// itself when it returns false.
	before func(http.ResponseWriter) bool
}

func newModel(t *testing.T, clock *fakeClock, h func(*model, http.ResponseWriter, *http.Request)) *model {
	m := &model{clock: clock, valid: "token-0", faults: map[int]func(http.ResponseWriter){}}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.requests++
		m.seen = append(m.seen, r.URL)
		fault := m.faults[m.requests]
		valid := m.valid
		m.mu.Unlock()
		if r.Method != http.MethodGet {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		if m.before != nil && !m.before(w) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+valid {
			m.mu.Lock()
			m.refused++
			m.mu.Unlock()
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeModelJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token"})
			return
		}
		if fault != nil {
			fault(w)
			return
		}
		h(m, w, r)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

// client is a Client of product for the model, unpaced, on the model's clock.
func (m *model) client(product ProductID, base string) (*Client, *rotatingTokens) {
	tokens := &rotatingTokens{}
	c := &Client{Product: product, BaseURL: base, Tokens: tokens, Now: m.clock.Now, Sleep: m.clock.Sleep,
		Pacer: NewPacer(0, 0), Buckets: NewBuckets()}
	return c, tokens
}

func (m *model) addresses() []*url.URL {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*url.URL(nil), m.seen...)
}

func (m *model) counts() (requests, refused, limited int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.requests, m.refused, m.limited
}

func writeModelJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// intParam reads a whole-number query parameter; ok is false when it is missing or not one.
func intParam(q url.Values, name string) (int, bool) {
	if !q.Has(name) {
		return 0, false
	}
	n, err := strconv.Atoi(q.Get(name))
	return n, err == nil && n >= 0
}

// ---- K-Series: GET /f/data/businesses?page=&size= ----

type kBiz struct {
	ID        int64
	Name      string
	Locations []kLoc
}

type kLoc struct {
	ID   int64
	Name string
}

type kModel struct {
	*model
	businesses []kBiz
	ignorePage bool // always sends page 0
	total      int  // when > 0, the reply states page.totalElements
}

func newKModel(t *testing.T, clock *fakeClock, businesses []kBiz) *kModel {
	k := &kModel{businesses: businesses}
	k.model = newModel(t, clock, k.serve)
	return k
}

func (k *kModel) serve(m *model, w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/f/data/businesses" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	page, okP := intParam(q, "page")
	size, okS := intParam(q, "size")
	if !okP || !okS || size < 1 || size > 1000 {
		writeModelJSON(w, http.StatusBadRequest, map[string]any{"error": "bad_request"})
		return
	}
	if k.ignorePage {
		page = 0
	}
	from := min(page*size, len(k.businesses))
	to := min(from+size, len(k.businesses))
	body := map[string]any{"_links": map[string]any{"self": map[string]any{"href": r.URL.String()}}}
	if to > from { // Spring's HAL leaves _embedded out of an empty page
		list := []any{}
		for _, b := range k.businesses[from:to] {
			locs := []any{}
			for _, l := range b.Locations {
				locs = append(locs, map[string]any{"blID": l.ID, "blName": l.Name, "country": "AU", "timezone": "Australia/Sydney"})
			}
			list = append(list, map[string]any{"businessId": b.ID, "businessName": b.Name, "currencyCode": "AUD", "businessLocations": locs})
		}
		body["_embedded"] = map[string]any{"businessList": list}
	}
	if k.total > 0 {
		body["page"] = map[string]any{"size": size, "number": page, "totalElements": k.total}
	}
	writeModelJSON(w, http.StatusOK, body)
}

// ---- X-Series: GET /api/2.0/retailer, GET /api/2.0/outlets?after=&page_size= ----

type xOut struct {
	ID      string
	Name    string
	Version int64
	Deleted bool
}

type xModel struct {
	*model
	prefix      string
	outlets     []xOut
	pageSize    int       // the most a page holds, whatever is asked
	limit       int       // X-RateLimit-Limit
	stuck       bool      // version.max says the page asked for, never moving on
	sendDeleted bool      // deleted outlets come without deleted=true
	noVersion   bool      // pages come without version
	nullVersion bool      // pages with outlets say version {min: null, max: null}
	serverTime  time.Time // the Date header; zero: the model's clock
}

func newXModel(t *testing.T, clock *fakeClock, prefix string, outlets []xOut) *xModel {
	x := &xModel{prefix: prefix, outlets: outlets, pageSize: 1000, limit: 350}
	x.model = newModel(t, clock, x.serve)
	return x
}

// base is the store's API address on the model.
func (x *xModel) base() string { return x.srv.URL + "/api/2.0/" }

func (x *xModel) date() time.Time {
	if !x.serverTime.IsZero() {
		return x.serverTime
	}
	return x.clock.Now()
}

func (x *xModel) serve(m *model, w http.ResponseWriter, r *http.Request) {
	x.mu.Lock()
	used := x.requests
	x.mu.Unlock()
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(x.limit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(0, x.limit-used)))
	w.Header().Set("Date", x.date().Format(http.TimeFormat))
	switch r.URL.Path {
	case "/api/2.0/retailer":
		writeModelJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
			"id": "06e35f89-3e7d-11e4-ee27-a5e3a6a3a0d8", "name": "Harbour Goods", "domain_prefix": x.prefix, "time_zone": "Australia/Sydney"}})
	case "/api/2.0/outlets":
		q := r.URL.Query()
		after, okA := intParam(q, "after")
		size, okS := intParam(q, "page_size")
		if !okA || !okS || size < 1 {
			writeModelJSON(w, http.StatusBadRequest, map[string]any{"error": "Bad Request", "message": "after and page_size are required"})
			return
		}
		list := []xOut{}
		for _, o := range x.outlets {
			if int(o.Version) > after && (!o.Deleted || q.Get("deleted") == "true" || x.sendDeleted) {
				list = append(list, o)
			}
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
		list = list[:min(len(list), size, x.pageSize)]
		data := []any{}
		version := map[string]any{"min": nil, "max": nil}
		for _, o := range list {
			var deleted any
			if o.Deleted {
				deleted = "2026-01-02T03:04:05Z"
			}
			data = append(data, map[string]any{"id": o.ID, "name": o.Name, "time_zone": "Australia/Sydney", "deleted_at": deleted, "version": o.Version})
		}
		if len(list) > 0 {
			version = map[string]any{"min": list[0].Version, "max": list[len(list)-1].Version}
		}
		if x.stuck {
			version["max"] = after
		}
		body := map[string]any{"data": data, "version": version}
		if x.noVersion {
			delete(body, "version")
		}
		if x.nullVersion {
			body["version"] = map[string]any{"min": nil, "max": nil}
		}
		writeModelJSON(w, http.StatusOK, body)
	default:
		writeModelJSON(w, http.StatusNotFound, map[string]any{"error": "Not Found", "message": "no such endpoint"})
	}
}

// tooMany is X-Series' 429: Retry-After as an HTTP date, on the server's clock.
func (x *xModel) tooMany(after time.Duration) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		x.mu.Lock()
		x.limited++
		x.mu.Unlock()
		w.Header().Set("Date", x.date().Format(http.TimeFormat))
		w.Header().Set("Retry-After", x.date().Add(after).Format(http.TimeFormat))
		writeModelJSON(w, http.StatusTooManyRequests, map[string]any{"error": "Too Many Requests", "message": "Rate limiting enforced"})
	}
}

// ---- R-Series: GET /API/V3/Account.json, GET /API/V3/Account/{id}/Shop.json ----

type rModel struct {
	*model
	accounts []string // accountIDs; each has the same shops
	shops    []string // shop names; IDs are 1..n
	pageSize int      // the most a page holds (the API: 100)
	oldForm  bool     // count and offset instead of next
	nextHost string   // when set, next addresses point at this host
	loop     bool     // next always points at the first page
	stale    bool     // the cursor in next is ignored: every page is the first

	size, drip float64 // the leaky bucket
	level      float64
	at         time.Time
}

func newRModel(t *testing.T, clock *fakeClock, shops []string) *rModel {
	r := &rModel{accounts: []string{"123456"}, shops: shops, pageSize: 100, size: 60, drip: 1}
	r.model = newModel(t, clock, r.serve)
	r.model.before = r.bucket
	return r
}

func (rm *rModel) base() string { return rm.srv.URL + "/API/V3/" }

// pour is the leaky bucket: the request fits, or the answer is how long to wait.
func (rm *rModel) pour(now time.Time) (time.Duration, bool) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if !rm.at.IsZero() {
		rm.level = max(0, rm.level-rm.drip*now.Sub(rm.at).Seconds())
	}
	rm.at = now
	if rm.level+1 > rm.size+1e-9 {
		rm.limited++
		return time.Duration(math.Ceil((rm.level+1-rm.size)/rm.drip)) * time.Second, false
	}
	rm.level++
	return 0, true
}

// bucket pours every request into the account's bucket, a refused one too, and answers 429
// when it would overflow; every answer states the bucket.
func (rm *rModel) bucket(w http.ResponseWriter) bool {
	wait, ok := rm.pour(rm.clock.Now())
	rm.mu.Lock()
	w.Header().Set("X-LS-API-Bucket-Level", strconv.FormatFloat(rm.level, 'f', -1, 64)+"/"+strconv.FormatFloat(rm.size, 'f', -1, 64))
	w.Header().Set("X-LS-API-Drip-Rate", strconv.FormatFloat(rm.drip, 'f', -1, 64))
	rm.mu.Unlock()
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
		writeModelJSON(w, http.StatusTooManyRequests, map[string]any{"httpCode": "429", "message": "Rate Limit Exceeded"})
	}
	return ok
}

func (rm *rModel) serve(m *model, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, okL := intParam(q, "limit")
	if !okL || limit < 1 || limit > 100 {
		writeModelJSON(w, http.StatusBadRequest, map[string]any{"httpCode": "400", "message": "limit must be 1 to 100"})
		return
	}
	switch {
	case r.URL.Path == "/API/V3/Account.json":
		items := []any{}
		for _, id := range rm.accounts {
			items = append(items, map[string]any{"accountID": id, "name": "Harbour Retail " + id})
		}
		rm.page(w, r, "Account", items, limit)
	case strings.HasPrefix(r.URL.Path, "/API/V3/Account/") && strings.HasSuffix(r.URL.Path, "/Shop.json"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/API/V3/Account/"), "/Shop.json")
		known := false
		for _, a := range rm.accounts {
			known = known || a == id
		}
		if !known {
			writeModelJSON(w, http.StatusNotFound, map[string]any{"httpCode": "404", "message": "Account not found"})
			return
		}
		items := []any{}
		for i, name := range rm.shops {
			items = append(items, map[string]any{"shopID": strconv.Itoa(i + 1), "name": name, "timeZone": "US/Eastern"})
		}
		rm.page(w, r, "Shop", items, limit)
	default:
		writeModelJSON(w, http.StatusNotFound, map[string]any{"httpCode": "404", "message": "not found"})
	}
}

// page answers one page of items: by the after cursor (next) or, in the old form, by offset
// with a count. A lone item is an object; no items, no key.
func (rm *rModel) page(w http.ResponseWriter, r *http.Request, key string, items []any, limit int) {
	q := r.URL.Query()
	from := 0
	if rm.oldForm {
		from, _ = intParam(q, "offset")
	} else if c := q.Get("after"); c != "" && !rm.stale {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "cursor-"))
		if err != nil {
			writeModelJSON(w, http.StatusBadRequest, map[string]any{"httpCode": "400", "message": "bad cursor"})
			return
		}
		from = n
	}
	from = min(from, len(items))
	to := min(from+limit, from+rm.pageSize, len(items))
	attrs := map[string]any{}
	if rm.oldForm {
		attrs = map[string]any{"count": strconv.Itoa(len(items)), "offset": strconv.Itoa(from), "limit": strconv.Itoa(limit)}
	} else {
		next := ""
		if to < len(items) || rm.loop {
			u := *r.URL
			u.Scheme, u.Host = "http", r.Host
			if rm.nextHost != "" {
				u.Host = rm.nextHost
			}
			nq := u.Query()
			nq.Set("after", fmt.Sprintf("cursor-%d", to))
			if rm.loop {
				nq.Del("after")
			}
			u.RawQuery = nq.Encode()
			next = u.String()
		}
		attrs = map[string]any{"next": next, "previous": ""}
	}
	body := map[string]any{"@attributes": attrs}
	switch page := items[from:to]; len(page) {
	case 0:
	case 1:
		body[key] = page[0]
	default:
		body[key] = page
	}
	writeModelJSON(w, http.StatusOK, body)
}
