package connections

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lightspeedconnect/lightspeed-connect/internal/problem"
	"github.com/lightspeedconnect/lightspeed-connect/lightspeed/practice"
	"github.com/lightspeedconnect/lightspeed-connect/vault"
)

func TestSitesNoteWords(t *testing.T) {
	co := func(name string, visible, total int) Company {
		return Company{Name: name, Sites: make([]Site, visible), SitesTotal: total}
	}
	cases := []struct {
		c    Company
		want string
	}{
		{co("Harbour Burgers Pty Ltd", 18, 20), "You can see 18 of Harbour Burgers Pty Ltd's 20 sites. Whoever clicked Grant Access can't see the other 2. Reconnect as the owner to include them."},
		{co("Northside Noodles", 2, 3), "You can see 2 of Northside Noodles' 3 sites. Whoever clicked Grant Access can't see the other one. Reconnect as the owner to include it."},
		{co("Bondi Bean Co.", 0, 4), "You can't see any of Bondi Bean Co.'s 4 sites. Whoever clicked Grant Access can't see them. Reconnect as the owner to include them."},
		{co("Bondi Bean Co.", 0, 1), "You can't see Bondi Bean Co.'s only site. Whoever clicked Grant Access can't see it. Reconnect as the owner to include it."},
		{co("Bondi Bean Co.", 3, 3), ""},
		{co("Bondi Bean Co.", 3, 0), ""}, // total not known
		{co("Bondi Bean Co.", 4, 3), ""}, // a count behind the list hides nothing
	}
	for _, tc := range cases {
		if got := tc.c.SitesNote(); got != tc.want {
			t.Errorf("%d of %d: %q, want %q", len(tc.c.Sites), tc.c.SitesTotal, got, tc.want)
		}
	}
	total := 20
	cs := CompanyStatus{Name: "Harbour Burgers Pty Ltd", SitesVisible: 18, SitesTotal: &total}
	if notes := cs.Notes(); len(notes) != 1 || notes[0] != cases[0].want {
		t.Errorf("Notes() = %q", notes)
	}
	cs.SitesTotal = nil
	if notes := cs.Notes(); notes != nil {
		t.Errorf("Notes() with no total = %q, want none", notes)
	}
}

// TestHiddenSitesAtConnectAndCheck: the person who granted access can't see 2 of 20 sites.
// Connect stores the 18 and the total; Statuses, the status JSON and every check say 18 of 20.
func TestHiddenSitesAtConnectAndCheck(t *testing.T) {
	f := newFixture(t, PracticeConfig{Sites: 20, HiddenSites: 2})
	got, err := f.connect(t, 0, ConnectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "You can see 18 of Harbour Burgers Pty Ltd's 20 sites. Whoever clicked Grant Access can't see the other 2. Reconnect as the owner to include them."
	if len(got.Company.Sites) != 18 || got.Company.SitesTotal != 20 || got.Company.SitesNote() != want {
		t.Fatalf("connected %d of %d sites, note %q", len(got.Company.Sites), got.Company.SitesTotal, got.Company.SitesNote())
	}
	ctx := context.Background()
	for _, stage := range []string{"after connect", "after check"} {
		statuses, err := f.core.Statuses(ctx)
		if err != nil || len(statuses) != 1 {
			t.Fatalf("%s: %+v, %v", stage, statuses, err)
		}
		s := statuses[0]
		if s.SitesVisible != 18 || s.SitesTotal == nil || *s.SitesTotal != 20 || len(s.Notes()) != 1 || s.Notes()[0] != want {
			t.Fatalf("%s: visible %d total %s notes %q", stage, s.SitesVisible, totalText(s.SitesTotal), s.Notes())
		}
		raw, _ := json.Marshal(s)
		var fields struct {
			Visible *int `json:"sites_visible"`
			Total   *int `json:"sites_total"`
		}
		if err := json.Unmarshal(raw, &fields); err != nil || fields.Visible == nil || *fields.Visible != 18 || fields.Total == nil || *fields.Total != 20 {
			t.Fatalf("%s: JSON %s", stage, raw)
		}
		checked, err := f.core.Check(ctx)
		if err != nil || checked[0].Status != StatusHealthy || checked[0].SitesVisible != 18 {
			t.Fatalf("%s: check %+v, %v", stage, checked, err)
		}
	}
}

// TestCheckLearnsSitesTotal: a company stored by an app that did not count sites (an old
// state file) loads with its total unknown and no note; the next check counts the sites and
// stores the list, and a site list that grew is read again.
func TestCheckLearnsSitesTotal(t *testing.T) {
	f := newFixture(t, PracticeConfig{Sites: 30, HiddenSites: 1})
	ids := f.grantAll(t) // stored without sites and without a total
	ctx := context.Background()
	statuses, err := f.core.Statuses(ctx)
	if err != nil || statuses[0].SitesTotal != nil || statuses[0].Notes() != nil {
		t.Fatalf("before a check: %+v, %v", statuses, err)
	}
	checked, err := f.core.Check(ctx, ids[0])
	if err != nil || checked[0].Status != StatusHealthy {
		t.Fatalf("check: %+v, %v", checked, err)
	}
	if s := checked[0]; s.SitesVisible != 29 || s.SitesTotal == nil || *s.SitesTotal != 30 || len(s.Notes()) != 1 {
		t.Fatalf("after a check: visible %d total %s notes %q", s.SitesVisible, totalText(s.SitesTotal), s.Notes())
	}
}

// TestOldStateFileLoads: a schema-1 state file written before sites were counted (no
// sites_total) loads, shows its sites with the total unknown, and is rewritten with the
// total after a check, keeping everything else.
func TestOldStateFileLoads(t *testing.T) {
	f := newFixture(t, PracticeConfig{})
	ids := f.grantAll(t)
	ctx := context.Background()
	path := f.vault.Store.Path()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Rewrite the file as the previous version wrote it: sites but no sites_total.
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	companies := doc["companies"].([]any)
	first := companies[0].(map[string]any)
	first["sites"] = []any{map[string]any{"id": ids[0]*1000 + 1, "name": "Parramatta", "code": "PAR"}}
	for _, c := range companies {
		delete(c.(map[string]any), "sites_total")
	}
	old, _ := json.Marshal(doc)
	if strings.Contains(string(old), "sites_total") {
		t.Fatal("the old file still has sites_total")
	}
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	statuses, err := f.core.Statuses(ctx)
	if err != nil || len(statuses) != 3 {
		t.Fatalf("old state: %+v, %v", statuses, err)
	}
	if s := statuses[0]; s.SitesVisible != 1 || s.SitesTotal != nil || s.Notes() != nil || s.Sites[0].Name != "Parramatta" {
		t.Fatalf("old state company: %d visible, total %s, notes %q, sites %+v", s.SitesVisible, totalText(s.SitesTotal), s.Notes(), s.Sites)
	}
	if matches, _ := filepath.Glob(path + ".corrupt-*"); len(matches) != 0 {
		t.Fatalf("the old file was set aside: %v", matches)
	}
	if _, err := f.core.Check(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := f.vault.Store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	co := st.Company(ids[0])
	if co.SitesTotal == nil || *co.SitesTotal != 3 || len(co.Sites) != 3 || st.Schema != vault.SchemaVersion {
		t.Fatalf("after a check: total %s, %d sites, schema %d", totalText(co.SitesTotal), len(co.Sites), st.Schema)
	}
}

// TestConnectSixtySitesAfterBare429 connects a company with 60 sites (3 pages) whose first
// sites page is answered with a bare 429 (no header saying how long to wait): the app backs
// off, retries and stores all 60, following X-Next-Page and, with it off, X-Page 0…2.
func TestConnectSixtySitesAfterBare429(t *testing.T) {
	for _, noNext := range []bool{false, true} {
		name := "X-Next-Page"
		if noNext {
			name = "X-Page only"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, PracticeConfig{Sites: 60, NoNextPage: noNext})
			// The API requests of a connect: companies/me, then sites page 1, 2, 3.
			f.practice.Server.Faults().NextAPI(1, practice.FaultNone)
			f.practice.Server.Faults().NextAPI(1, practice.FaultRateLimitedBare)
			got, err := f.connect(t, 0, ConnectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Company.Sites) != 60 || got.Company.SitesTotal != 60 || got.Company.SitesNote() != "" {
				t.Fatalf("connected %d of %d sites", len(got.Company.Sites), got.Company.SitesTotal)
			}
			seen := map[int64]bool{}
			for _, s := range got.Company.Sites {
				seen[s.ID] = true
			}
			if len(seen) != 60 {
				t.Fatalf("%d distinct sites, want 60", len(seen))
			}
			st := f.practice.Server.Stats()
			if wantNext := map[bool]int64{false: 2, true: 0}[noNext]; st.NextPageRequests != wantNext {
				t.Errorf("%d requests through X-Next-Page, want %d", st.NextPageRequests, wantNext)
			}
			if st.APIRequests != 5 { // me, the 429, then three pages
				t.Errorf("%d API requests, want 5", st.APIRequests)
			}
			stored, err := f.core.Statuses(context.Background())
			if err != nil || len(stored[0].Sites) != 60 || stored[0].SitesTotal == nil || *stored[0].SitesTotal != 60 {
				t.Fatalf("stored: %+v, %v", stored, err)
			}
		})
	}
}

// totalText prints a site total for a failure message: the number, or "unknown".
func totalText(p *int) string {
	if p == nil {
		return "unknown"
	}
	return strconv.Itoa(*p)
}

// TestCheckNeverStoresAShortSiteList: when a check reads the site list again and a later
// page fails, the check fails with a plain sentence and the list stored before is kept whole.
func TestCheckNeverStoresAShortSiteList(t *testing.T) {
	f := newFixture(t, PracticeConfig{Sites: 60, HiddenSites: 5})
	got, err := f.connect(t, 0, ConnectOptions{})
	if err != nil || len(got.Company.Sites) != 55 {
		t.Fatalf("connect: %v", err)
	}
	// The check's requests: companies/me, then sites pages 1, 2 (fails) …
	f.practice.Server.Faults().NextAPI(2, practice.FaultNone)
	f.practice.Server.Faults().NextAPI(1, practice.FaultServerError)
	ctx := context.Background()
	statuses, err := f.core.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := statuses[0]
	if s.Status == StatusHealthy || s.Kind != problem.KindServer || !strings.Contains(s.Detail, "Lightspeed") {
		t.Fatalf("check: %s %s (%s)", s.Status, s.Kind, s.Detail)
	}
	if s.SitesVisible != 55 || s.SitesTotal == nil || *s.SitesTotal != 60 || len(s.Notes()) != 1 {
		t.Fatalf("after a failed re-read: %d visible, total %s", s.SitesVisible, totalText(s.SitesTotal))
	}
}
