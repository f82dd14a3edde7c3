package lightspeed

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
)

// connectedOf is what the core gets from Connected.
func connectedOf(c *Client) (Account, error) {
	return c.Connected(context.Background())
}

func kBusinesses(n, locations int) []kBiz {
	out := make([]kBiz, n)
	for i := range out {
		out[i] = kBiz{ID: int64(9000 + i), Name: fmt.Sprintf("Bistro %d", i+1)}
		for j := range locations {
			out[i].Locations = append(out[i].Locations, kLoc{ID: int64(100000*(i+1) + j), Name: fmt.Sprintf("Floor %d", j+1)})
		}
	}
	return out
}

// TestKSeriesPages: the businesses come over several pages of the size asked for, until a
// short page, or an empty one when the last page was full; each with its locations.
func TestKSeriesPages(t *testing.T) {
	for _, n := range []int{5, 4, 0} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			k := newKModel(t, newFakeClock(), kBusinesses(n, 2))
			k.valid = "token-0"
			c, _ := k.client(KSeries, k.srv.URL+"/")
			c.PageSize = 2
			list, info, err := c.AccountsWithInfo(context.Background())
			if err != nil {
				t.Fatalf("%v (%s)", err, problem.Detail(err))
			}
			if len(list) != n {
				t.Fatalf("%d businesses, want %d", len(list), n)
			}
			for i, a := range list {
				if a.ID != strconv.Itoa(9000+i) || a.Name != fmt.Sprintf("Bistro %d", i+1) || len(a.Shops) != 2 || a.Product != KSeries {
					t.Errorf("business %d: %+v", i, a)
				}
				if a.Shops[1].ID != strconv.Itoa(100000*(i+1)+1) || a.Shops[1].Name != "Floor 2" || a.Shops[1].TimeZone != "Australia/Sydney" {
					t.Errorf("location: %+v", a.Shops[1])
				}
			}
			wantPages := n/2 + 1
			if info.Pages != wantPages {
				t.Errorf("%d pages read, want %d", info.Pages, wantPages)
			}
			for i, u := range k.addresses() {
				if u.Query().Get("page") != strconv.Itoa(i) || u.Query().Get("size") != "2" {
					t.Errorf("request %d asked %q", i, u.RawQuery)
				}
			}
		})
	}
}

// TestKSeriesOneOrSeveral: Connected returns the one business; several are a problem in
// K-Series' words, and Accounts lists them.
func TestKSeriesOneOrSeveral(t *testing.T) {
	k := newKModel(t, newFakeClock(), kBusinesses(1, 3))
	c, _ := k.client(KSeries, k.srv.URL+"/")
	a, err := connectedOf(c)
	if err != nil || a.ID != "9000" || len(a.Shops) != 3 || a.ShopsCapped {
		t.Fatalf("one business: %+v, %v", a, err)
	}
	k.businesses = kBusinesses(3, 1)
	_, err = connectedOf(c)
	if !problem.Is(err, problem.KindProvider) || !strings.Contains(problem.Summary(err), "3 businesses") || !strings.Contains(problem.Summary(err), "one business per connection") {
		t.Fatalf("several: %v", err)
	}
	k.businesses = nil
	if _, err := connectedOf(c); !problem.Is(err, problem.KindNotFound) || !strings.Contains(problem.Summary(err), "no business") {
		t.Fatalf("none: %v", err)
	}
}

// TestKSeriesMisbehaves: a server that ignores the page asked for, states more than it sends,
// or fails half way never yields a short list.
func TestKSeriesMisbehaves(t *testing.T) {
	t.Run("ignores page", func(t *testing.T) {
		k := newKModel(t, newFakeClock(), kBusinesses(5, 1))
		k.ignorePage = true
		c, _ := k.client(KSeries, k.srv.URL+"/")
		c.PageSize = 2
		_, err := c.Accounts(context.Background())
		if !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "repeats business 9000") {
			t.Fatalf("%v (%s)", err, problem.Detail(err))
		}
	})
	t.Run("total", func(t *testing.T) {
		k := newKModel(t, newFakeClock(), kBusinesses(3, 1))
		k.total = 4
		c, _ := k.client(KSeries, k.srv.URL+"/")
		if _, err := c.Accounts(context.Background()); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "says 4") {
			t.Fatalf("%v (%s)", err, problem.Detail(err))
		}
		k.total = 3
		if list, err := c.Accounts(context.Background()); err != nil || len(list) != 3 {
			t.Fatalf("a total that holds: %v", err)
		}
	})
	t.Run("fails on page 2", func(t *testing.T) {
		k := newKModel(t, newFakeClock(), kBusinesses(5, 1))
		k.faults[2] = func(w http.ResponseWriter) { http.Error(w, "boom", http.StatusBadGateway) }
		c, _ := k.client(KSeries, k.srv.URL+"/")
		c.PageSize = 2
		list, err := c.Accounts(context.Background())
		if !problem.Is(err, problem.KindServer) || list != nil || !strings.Contains(problem.Detail(err), "page 2 of more pages could not be read after 2 businesses") {
			t.Fatalf("%v, %d (%s)", err, len(list), problem.Detail(err))
		}
	})
	t.Run("500 locations", func(t *testing.T) {
		k := newKModel(t, newFakeClock(), kBusinesses(1, kLocationCap))
		c, _ := k.client(KSeries, k.srv.URL+"/")
		if a, err := connectedOf(c); err != nil || !a.ShopsCapped || len(a.Shops) != kLocationCap {
			t.Fatalf("%v, capped %v", err, a.ShopsCapped)
		}
	})
}

// TestRefusedTokenThenRefresh: for every product, a refused access token is refreshed once and
// the call goes on with the new one; a second refusal is reported in the product's words.
func TestRefusedTokenThenRefresh(t *testing.T) {
	clock := newFakeClock()
	k := newKModel(t, clock, kBusinesses(1, 1))
	x := newXModel(t, clock, "harbourgoods", []xOut{{ID: "o-1", Name: "Pier", Version: 7}})
	r := newRModel(t, clock, []string{"Main St"})
	cases := []struct {
		product ProductID
		m       *model
		base    string
		word    string
	}{
		{KSeries, k.model, k.srv.URL + "/", "business"},
		{XSeries, x.model, x.base(), "store"},
		{RSeries, r.model, r.base(), "account"},
	}
	for _, tc := range cases {
		t.Run(string(tc.product), func(t *testing.T) {
			tc.m.mu.Lock()
			tc.m.valid = "token-1" // the client starts with token-0, which has expired
			tc.m.mu.Unlock()
			c, tokens := tc.m.client(tc.product, tc.base)
			a, info, err := c.ConnectedWithInfo(context.Background())
			if err != nil || len(a.Shops) != 1 {
				t.Fatalf("%v (%s)", err, problem.Detail(err))
			}
			if tokens.forcedCount() != 1 || !info.Refreshed {
				t.Errorf("forced refreshes %d, Refreshed %v; want one", tokens.forcedCount(), info.Refreshed)
			}
			tc.m.mu.Lock()
			tc.m.valid = "never"
			tc.m.mu.Unlock()
			_, err = connectedOf(c)
			want := fmt.Sprintf("Lightspeed no longer accepts this connection's access. Refresh or reconnect the %s.", tc.word)
			if !problem.Is(err, problem.KindUnauthorized) || problem.Summary(err) != want {
				t.Errorf("refused twice: %q, want %q", problem.Summary(err), want)
			}
			if !strings.Contains(problem.Detail(err), "also with a refreshed access token") {
				t.Errorf("detail %q", problem.Detail(err))
			}
		})
	}
}

// TestRefreshOnceThroughRateLimit: a 429 right after a refreshed token retries with that
// token; it never refreshes again (a rotating refresh token is spent on each refresh).
func TestRefreshOnceThroughRateLimit(t *testing.T) {
	k := newKModel(t, newFakeClock(), kBusinesses(1, 1))
	k.valid = "token-1"
	k.faults[2] = func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}
	c, tokens := k.client(KSeries, k.srv.URL+"/")
	_, info, err := c.ConnectedWithInfo(context.Background())
	if err != nil || tokens.forcedCount() != 1 || info.RateLimited != 1 {
		t.Fatalf("%v (%s): %d refreshes, %d 429s; want one of each", err, problem.Detail(err), tokens.forcedCount(), info.RateLimited)
	}
}

// TestRateLimitRetries: a 429 is waited out for every product: K-Series' and R-Series'
// Retry-After in seconds, X-Series' as an HTTP date read against the reply's Date (this
// computer's clock is an hour off).
func TestRateLimitRetries(t *testing.T) {
	t.Run("k-series seconds", func(t *testing.T) {
		clock := newFakeClock()
		k := newKModel(t, clock, kBusinesses(1, 1))
		k.faults[1] = func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "7")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}
		c, _ := k.client(KSeries, k.srv.URL+"/")
		_, info, err := c.ConnectedWithInfo(context.Background())
		if err != nil || info.RateLimited != 1 || info.RateLimitWait != 7*time.Second {
			t.Fatalf("%v: %+v", err, info)
		}
	})
	t.Run("r-series seconds", func(t *testing.T) {
		clock := newFakeClock()
		r := newRModel(t, clock, rShops(2))
		r.faults[2] = func(w http.ResponseWriter) {
			r.mu.Lock()
			r.limited++
			r.mu.Unlock()
			w.Header().Set("Retry-After", "3")
			writeModelJSON(w, http.StatusTooManyRequests, map[string]any{"httpCode": "429", "message": "Rate Limit Exceeded"})
		}
		c, _ := r.client(RSeries, r.base())
		a, info, err := c.ConnectedWithInfo(context.Background())
		if err != nil || len(a.Shops) != 2 || info.RateLimited != 1 || info.RateLimitWait != 3*time.Second {
			t.Fatalf("%v: %d shops, %+v", err, len(a.Shops), info)
		}
	})
	t.Run("x-series date", func(t *testing.T) {
		clock := newFakeClock()
		x := newXModel(t, clock, "harbourgoods", []xOut{{ID: "o-1", Name: "Pier", Version: 3}})
		x.serverTime = clock.Now().Add(-time.Hour) // the server's clock, not this computer's
		x.faults[2] = x.tooMany(42 * time.Second)
		c, _ := x.client(XSeries, x.base())
		a, info, err := c.ConnectedWithInfo(context.Background())
		if err != nil || len(a.Shops) != 1 {
			t.Fatalf("%v (%s)", err, problem.Detail(err))
		}
		if info.RateLimited != 1 || info.RateLimitWait != 42*time.Second {
			t.Errorf("waited %s over %d 429s, want 42s over one", info.RateLimitWait, info.RateLimited)
		}
		if info.Budget.Size != 350 || info.Budget.Used != 4 { // the store, a 429, a page, an empty page
			t.Errorf("budget %+v, want 4 of 350 used", info.Budget)
		}
	})
}

func someOutlets(n int) []xOut {
	out := make([]xOut, n)
	for i := range out {
		out[i] = xOut{ID: fmt.Sprintf("0adfd74a-%04d", i), Name: fmt.Sprintf("Outlet %d", i+1), Version: int64(1000 + 10*i)}
	}
	return out
}

// TestXSeriesPages: the store and its outlets over several pages of the version cursor, the
// deleted ones left out; a server whose cursor stands still or whose page has no version
// fails; a base with no store named sends nothing.
func TestXSeriesPages(t *testing.T) {
	outlets := someOutlets(7)
	outlets[3].Deleted = true
	x := newXModel(t, newFakeClock(), "harbourgoods", outlets)
	x.pageSize = 2       // the server sends fewer than asked
	x.sendDeleted = true // and a deleted outlet unasked
	c, _ := x.client(XSeries, x.base())
	c.PageSize = 3
	a, info, err := c.ConnectedWithInfo(context.Background())
	if err != nil {
		t.Fatalf("%v (%s)", err, problem.Detail(err))
	}
	if a.ID != "06e35f89-3e7d-11e4-ee27-a5e3a6a3a0d8" || a.Name != "Harbour Goods" || a.DomainPrefix != "harbourgoods" || len(a.Shops) != 6 {
		t.Fatalf("store %+v", a)
	}
	for _, s := range a.Shops {
		if s.ID == outlets[3].ID {
			t.Error("a deleted outlet is a shop")
		}
	}
	if info.Pages != 5 { // 2+2+2+1 outlets (one deleted), then an empty page
		t.Errorf("%d pages, want 5", info.Pages)
	}
	var afters []string
	for _, u := range x.addresses()[1:] {
		if u.Query().Get("page_size") != "3" {
			t.Errorf("page_size %q", u.Query().Get("page_size"))
		}
		afters = append(afters, u.Query().Get("after"))
	}
	if got := strings.Join(afters, ","); got != "0,1010,1030,1050,1060" {
		t.Errorf("after = %s, want 0,1010,1030,1050,1060 (each page's version.max)", got)
	}

	x.stuck = true
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "would not move on") {
		t.Errorf("stuck cursor: %v (%s)", err, problem.Detail(err))
	}
	x.stuck, x.noVersion = false, true
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "no version.max") {
		t.Errorf("no version: %v (%s)", err, problem.Detail(err))
	}
	x.noVersion, x.nullVersion = false, true
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "no version.max") {
		t.Errorf("null version: %v (%s)", err, problem.Detail(err))
	}
	x.nullVersion = false
	x.outlets = append(x.outlets, xOut{ID: outlets[0].ID, Name: "again", Version: 2000})
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "repeats outlet") {
		t.Errorf("repeat: %v (%s)", err, problem.Detail(err))
	}

	before, _, _ := x.counts()
	bare, _ := x.client(XSeries, "")
	_, err = connectedOf(bare)
	if !problem.Is(err, problem.KindUsage) || problem.Summary(err) != sayNoStore {
		t.Errorf("no store: %v", err)
	}
	if after, _, _ := x.counts(); after != before {
		t.Error("a request went out with no store named")
	}
}

func rShops(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Shop %d", i+1)
	}
	return out
}

// TestRSeriesPages: the account (a lone object) and its shops over pages followed by next,
// the last page's lone shop an object; the base may be the root or the account's address.
func TestRSeriesPages(t *testing.T) {
	r := newRModel(t, newFakeClock(), rShops(21))
	r.pageSize = 10
	for _, base := range []string{r.base(), r.base() + "Account/123456/"} {
		c, _ := r.client(RSeries, base)
		a, info, err := c.ConnectedWithInfo(context.Background())
		if err != nil {
			t.Fatalf("%s: %v (%s)", base, err, problem.Detail(err))
		}
		if a.ID != "123456" || a.Name != "Harbour Retail 123456" || len(a.Shops) != 21 || a.Shops[20].Name != "Shop 21" || a.Shops[20].ID != "21" {
			t.Fatalf("account %+v", a)
		}
		if info.Pages != 4 {
			t.Errorf("%d pages, want 4 (the account, then 10+10+1 shops)", info.Pages)
		}
	}
	r.oldForm = true
	c, _ := r.client(RSeries, r.base())
	if a, err := connectedOf(c); err != nil || len(a.Shops) != 21 {
		t.Fatalf("count and offset: %v (%s), %d shops", err, problem.Detail(err), len(a.Shops))
	}
	r.oldForm = false
	r.shops = nil
	if a, err := connectedOf(c); err != nil || len(a.Shops) != 0 {
		t.Fatalf("no shops: %v, %+v", err, a)
	}
}

// TestRSeriesMisbehaves: a next address on another host is not followed and fails the list;
// so does one leading back to a page already read, and a page repeating a shop; two accounts
// make Connected a problem.
func TestRSeriesMisbehaves(t *testing.T) {
	r := newRModel(t, newFakeClock(), rShops(15))
	r.pageSize = 10
	c, _ := r.client(RSeries, r.base())
	r.nextHost = "evil.example:443"
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "not the API's host") {
		t.Errorf("other host: %v (%s)", err, problem.Detail(err))
	}
	for _, u := range r.addresses() {
		if u.Host != "" && !strings.HasPrefix(r.srv.URL, "http://"+u.Host) {
			t.Errorf("a request went to %s", u.Host)
		}
	}
	r.nextHost, r.loop = "", true
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "already read") {
		t.Errorf("loop: %v (%s)", err, problem.Detail(err))
	}
	r.loop, r.stale = false, true
	if _, err := connectedOf(c); !problem.Is(err, problem.KindBadReply) || !strings.Contains(problem.Detail(err), "Shop 1 appears twice") {
		t.Errorf("stale cursor: %v (%s)", err, problem.Detail(err))
	}
	r.stale = false
	r.accounts = []string{"1", "2"}
	list, err := c.Accounts(context.Background())
	if err != nil || len(list) != 2 || len(list[1].Shops) != 15 {
		t.Fatalf("two accounts: %v", err)
	}
	if _, err := connectedOf(c); !problem.Is(err, problem.KindProvider) || !strings.Contains(problem.Summary(err), "2 accounts") {
		t.Errorf("Connected with two accounts: %v", err)
	}
}

// TestRSeriesBucket: the client reads the bucket from the replies and waits before a request
// the bucket can't hold, so a small, slow bucket never answers 429; the bucket goes over to
// the refreshed token.
func TestRSeriesBucket(t *testing.T) {
	clock := newFakeClock()
	r := newRModel(t, clock, rShops(45))
	r.pageSize, r.size, r.drip = 5, 3, 0.5
	c, _ := r.client(RSeries, r.base())
	a, info, err := c.ConnectedWithInfo(context.Background())
	if err != nil || len(a.Shops) != 45 {
		t.Fatalf("%v (%s)", err, problem.Detail(err))
	}
	requests, _, limited := r.counts()
	if limited != 0 || info.RateLimited != 0 {
		t.Errorf("the bucket overflowed %d times in %d requests", limited, requests)
	}
	// 10 requests through a bucket of 3 draining 0.5 a second: the last 7 wait 2 s each.
	if info.PacingWait < 14*time.Second || info.PacingWait > 15*time.Second {
		t.Errorf("waited %s for the bucket, want about 14 s", info.PacingWait)
	}
	if info.Budget.Size != 3 || info.Budget.Used != 3 {
		t.Errorf("budget %+v", info.Budget)
	}

	// Refused on the full bucket: the refreshed token must not start from an empty one.
	r.mu.Lock()
	r.valid = "token-1"
	r.mu.Unlock()
	if _, err := connectedOf(c); err != nil {
		t.Fatalf("after refresh: %v (%s)", err, problem.Detail(err))
	}
	if _, _, limited := r.counts(); limited != 0 {
		t.Errorf("the refreshed token overflowed the bucket %d times", limited)
	}
}

// TestProductPace: each product's default pace is its profile's, shared by its clients, and
// O-Series keeps DefaultPacer.
func TestProductPace(t *testing.T) {
	if DefaultPacerFor(OSeries) != DefaultPacer || DefaultPacerFor("") != DefaultPacer {
		t.Error("O-Series does not keep DefaultPacer")
	}
	for _, id := range []ProductID{KSeries, XSeries, RSeries} {
		p, _ := ProfileOf(id)
		got := DefaultPacerFor(id)
		if got.PerMinute() != p.RateLimit.RequestsPerMinute || got != DefaultPacerFor(id) || got == DefaultPacer {
			t.Errorf("%s: %s, want %d a minute, one per product", id, got, p.RateLimit.RequestsPerMinute)
		}
	}
	if DefaultPacerFor(KSeries).PerMinute() != 60 {
		t.Error("K-Series' rate limit is unknown: pace 60 a minute")
	}
}

// TestProductWords: the sentences name the product's business.
func TestProductWords(t *testing.T) {
	for id, want := range map[ProductID]string{OSeries: "Lightspeed doesn't know this company any more. Reconnect the company; your other companies are unaffected.",
		XSeries: "Lightspeed doesn't know this store any more. Reconnect the store; your other stores are unaffected."} {
		c := &Client{Product: id}
		if got := problem.Summary(statusProblem(c.words(), 404, "/x", false, nil)); got != want {
			t.Errorf("%s: %q", id, got)
		}
	}
}

// Connected reads O-Series' company and every site it may see (over pages), with the total
// that counts the hidden ones too.
func TestConnectedReadsAnOSeriesCompany(t *testing.T) {
	f := newFixture(t, practice.Config{Sites: 30, HiddenSites: 2}, 0)
	a, info, err := f.client.ConnectedWithInfo(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if a.Product != OSeries || a.ID != "31001" || a.Name == "" || len(a.Shops) != 28 || !a.ShopsCounted || a.ShopsTotal != 30 {
		t.Fatalf("Connected = %+v", a)
	}
	if a.Shops[0].ID == "" || a.Shops[0].Name == "" || info.Pages < 2 || info.Requests < 3 || info.Status != 200 {
		t.Errorf("shops %+v, %d pages, %d requests, status %d", a.Shops[0], info.Pages, info.Requests, info.Status)
	}
}

// A product the app doesn't know is refused in a sentence, without a request (the four are
// read through connectedOf in the tests above).
func TestConnectedRefusesAnUnknownProduct(t *testing.T) {
	f := newFixture(t, practice.Config{}, 0)
	c := *f.client
	c.Product = "q-series"
	before := f.srv.Stats().APIRequests
	if _, err := c.Connected(ctxFor(t)); !problem.Is(err, problem.KindUsage) {
		t.Errorf("unknown product: %v", err)
	}
	if f.srv.Stats().APIRequests != before {
		t.Error("a request was sent for a product the app doesn't know")
	}
}

// ExpandKnown fills what it knows and leaves the rest for later, still refusing a value that
// isn't one name.
func TestExpandKnown(t *testing.T) {
	const tmpl = "https://{domain_prefix}.example.com/Account/{account_id}/"
	got, err := ExpandKnown(tmpl, map[string]string{PlaceholderDomainPrefix: "shop1"})
	if err != nil || got != "https://shop1.example.com/Account/{account_id}/" {
		t.Errorf("ExpandKnown = %q, %v", got, err)
	}
	if _, err := ExpandKnown(tmpl, map[string]string{PlaceholderAccountID: "1/../x"}); err == nil {
		t.Error("ExpandKnown accepted a path")
	}
}
